"""bench/run.py's plumbing: options, the MNIST check, the table, one real quick benchmark.

The long benchmarks are not run here; ``--only thresholds --quick`` (synthetic scores, a few
seconds) goes through the whole path: subprocess, ``--json PATH``, rows, latest.json/.md.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from harness import ROOT

RUN = ROOT / "bench" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUN), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_only_takes_repeated_or_comma_separated_names(run):
    args = run.parse_args(["--only", "memory,load", "--only", "thresholds"])
    # In the run's own order, whatever the order asked.
    assert [b.name for b in args.selected] == ["load", "thresholds", "memory"]
    assert [b.name for b in run.parse_args([]).selected] == [b.name for b in run.BENCHMARKS]


def test_unknown_benchmark_is_named(run, capsys):
    with pytest.raises(SystemExit) as exit_:
        run.parse_args(["--only", "load,speed"])
    assert exit_.value.code == 2
    assert "unknown benchmark speed" in capsys.readouterr().err


def test_every_benchmark_script_starts_and_takes_json_path(run):
    for bench in run.BENCHMARKS:
        done = subprocess.run(
            [sys.executable, str(RUN.parent / bench.script), "--help", *bench.quick],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (bench.script, done.stderr)
        assert "--json [PATH]" in done.stdout, bench.script
        for option in bench.quick[::2]:  # the options --quick passes exist
            assert option in done.stdout, (bench.script, option)


@pytest.mark.parametrize("mnist", [None, "missing-dir"])
def test_without_mnist_it_says_so_and_exits_2(mnist, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MNIST_DATA"}
    if mnist:
        env["MNIST_DATA"] = str(tmp_path / mnist)
    done = _run("--only", "load", "--results-dir", str(tmp_path / "out"), env=env)
    assert done.returncode == 2
    assert "MNIST_DATA" in done.stderr and "load" in done.stderr
    assert not (tmp_path / "out").exists()


def _fake_results(run) -> dict:
    rows = [
        vars(run.Row("fast thing", "1.0 ms", "slow thing: 4.0 ms", 0.25, "<= 0.3x", True)),
        vars(run.Row("big | thing", "300 KB", "small: 1 KB", 300.0, "< 200 KB", False)),
        vars(run.Row("no goal", "7 KB")),
    ]
    return {
        "date": "2026-01-02T03:04:05+00:00",
        "quick": True,
        "machine": {
            "cores": 2,
            "usable_cores": 2,
            "cpu_model": "Some CPU",
            "python": "3.11",
            "platform": "Linux",
        },
        "load_average_before": 0.5,
        "load_average_after": 1.25,
        "benchmarks": {
            "one": {"rows": rows, "load_average_before": 0.5, "load_average_after": 0.75},
            "two": {"error": "exit status 3", "load_average_before": 1.0, "load_average_after": 2},
        },
    }


def test_table_shows_ratios_goals_failures_and_the_machine(run, tmp_path):
    as_json, as_md = run.write_results(_fake_results(run), tmp_path)
    table = as_md.read_text()
    assert json.loads(as_json.read_text())["benchmarks"]["two"]["error"] == "exit status 3"
    assert "2 cores (2 usable), Some CPU" in table
    assert "load average 0.50 before, 1.25 after" in table
    lines = table.splitlines()
    assert "| what | figure | reference in the same run | ratio | goal | met | load |" in lines
    assert (
        "| fast thing | 1.0 ms | slow thing: 4.0 ms | 0.25× | <= 0.3x | met | 0.5 → 0.8 |" in lines
    )
    assert (
        "| big \\| thing | 300 KB | small: 1 KB | 300× | < 200 KB | **missed** | 0.5 → 0.8 |"
        in (lines)
    )
    assert "| no goal | 7 KB |  |  |  |  | 0.5 → 0.8 |" in lines
    assert "| two | **failed**: exit status 3 | | | | | 1.0 → 2.0 |" in lines


def test_quick_thresholds_run_writes_the_figures_and_the_table(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MNIST_DATA"}  # not needed for this one
    done = _run(
        "--only", "thresholds", "--quick", "--capture", "--results-dir", str(tmp_path), env=env
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "latest.json").read_text())
    record = results["benchmarks"]["thresholds"]
    assert record["returncode"] == 0 and "--thresholds" in record["command"]
    figures = record["figures"]
    assert figures["metrics_at_us"]["calls"] == 200  # --quick reached the script
    # The table's first row is computed from the script's own figures.
    row = record["rows"][0]
    ours = figures["metrics_at_us"]["median"]
    reference = figures["sklearn_confusion_matrix_us"]["median"]
    assert row["ratio"] == pytest.approx(ours / reference)
    assert row["met"] == (ours < 5000)
    assert row["reference"].startswith("scikit-learn's confusion_matrix: ")
    table = (tmp_path / "latest.md").read_text()
    assert table in done.stdout
    assert f"{row['ratio']:.3g}×" in table
    assert results["machine"]["cores"] == os.cpu_count()


def test_quick_estimates_run_times_both_targets_against_sorting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MNIST_DATA"}  # synthetic scores
    done = _run(
        "--only", "estimates", "--quick", "--capture", "--results-dir", str(tmp_path), env=env
    )
    assert done.returncode == 0, done.stderr
    record = json.loads((tmp_path / "latest.json").read_text())["benchmarks"]["estimates"]
    figures = record["figures"]
    assert figures["n"] == 60000 and figures["n_resamples"] == 1000
    assert figures["precision"]["seconds"]["n"] == 2  # --quick reached the script
    assert figures["precision"]["previous_seconds"]["median"] is None  # and skipped the old one
    rows = record["rows"]
    assert [row["goal"] for row in rows] == ["< 1 s", "< 1 s"]
    for row, kind in zip(rows, ("precision", "recall"), strict=True):
        ours = figures[kind]["seconds"]["median"]
        assert row["ratio"] == pytest.approx(ours / figures["sort_1000_seconds"])
        assert row["met"] == (ours < 1.0) and kind in row["what"]
    assert "bootstrap of the 90% precision threshold" in (tmp_path / "latest.md").read_text()


def _hostile_figures() -> dict:
    """bench_hostile.py's JSON, shortened to what its rows read."""

    def run(seconds, peak_mb, status=0):
        return {"bytes": 1000, "seconds": seconds, "peak_mb": peak_mb, "status": status}

    return {
        "pictures": {
            "predict": {
                "ordinary photo (1200x900 JPEG, reference)": run(0.5, 100.0),
                "40,000,000 x 1 1-bit PNG": run(0.25, 70.0, status=1),
            },
            "largest_at_once": {"1": run(1.0, 200.0), "4": run(2.0, 210.0)},
        },
        "models": {
            "predict": {
                "valid export (reference)": run(0.5, 95.0),
                "coef.npy claims (1, 10^12)": run(0.2, 44.0, status=2),
            },
            "flips": {"refused": 276, "scored": 24, "escaped": 0, "seconds": 2.5},
        },
        "queue": {
            "summary": {
                "first_answer_seconds": 60.0,
                "lone_seconds": 50.0,
                "first_answer_ratio": 1.2,
                "peak_mb": 900.0,
                "lone_peak_mb": 880.0,
                "first_in_first_out": True,
                "nobody_waits_longer_than_the_trainings_before": True,
                "any_failed": False,
            }
        },
        "server": {
            "idle_before_mb": 75.0,
            "peak_mb": 1050.0,
            "answers": {"0": {"answered": 50.0}, "1": {"answered": 90.0}},
            "unanswered": [],
            "errors": 0,
            "lone": {"digit": 0, "answers": {"0": {"answered": 40.0}}},
            "first_answer_ratio": 1.25,
        },
    }


def test_hostile_rows_put_each_case_beside_its_reference_and_goal(run):
    rows = {row.what: row for row in run.hostile_rows(_hostile_figures())}
    strip = rows["predict, 40,000,000 x 1 1-bit PNG: peak RSS"]
    assert strip.ratio == pytest.approx(0.7) and strip.met is True
    assert strip.reference == "an ordinary photo (1200x900 JPEG): 100 MB"
    assert rows["the largest allowed picture, 4 threads at once: peak RSS"].ratio == 1.05
    assert rows["300 one-byte flips of an export: escaped `main`"].met is True
    first = rows["queue, six digits at once: first answer"]
    assert first.ratio == pytest.approx(1.2) and first.met is True
    server = rows["server, six sessions on /tradeoff for six digits at once: peak RSS"]
    assert server.figure == "1,050 MB" and server.met is False  # over 1 GB
    assert rows["server, six sessions: answers (s after asking)"].figure == "50, 90"
    lone = rows["server, six sessions: first answer"]
    assert lone.reference == "the same digit (0) alone on a fresh server: 40.0 s"
    assert lone.ratio == pytest.approx(1.25) and lone.met is True


def test_hostile_rows_leave_out_the_parts_not_run(run):
    figures = _hostile_figures()
    del figures["queue"], figures["server"]
    whats = [row.what for row in run.hostile_rows(figures)]
    assert whats and not [w for w in whats if w.startswith(("queue", "server"))]


def test_the_benchmarks_start_their_servers_as_make_run_does(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "common.py")
    common = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, common)  # its dataclasses look themselves up
    spec.loader.exec_module(common)
    [recipe] = [
        line.strip()
        for line in (ROOT / "Makefile").read_text().splitlines()
        if "-m streamlit run app.py" in line
    ]
    prefix = " ".join(f"{name}={value}" for name, value in common.MAKE_RUN_ENV.items())
    assert recipe.startswith(prefix + " "), recipe
    assert common.MAKE_RUN_ENV.items() <= common.SERVER_ENV.items()
