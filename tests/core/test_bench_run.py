"""bench/run.py from outside, as a process (the tests import nothing from bench/): its own checks
on canned results, the MNIST check, and two real quick benchmarks.

The long benchmarks are not run here; ``--only thresholds --quick`` (synthetic scores, a few
seconds) goes through the whole path: subprocess, ``--json PATH``, rows, latest.json/.md.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from harness import ROOT
from harness.commands import run_python

RUN = ROOT / "bench" / "run.py"


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python([str(RUN), *args], env=env)


# bench/run_checks.py's checks, each of which must have run and passed.
SELF_CHECKS = (
    "only_takes_repeated_or_comma_separated_names",
    "unknown_benchmark_is_named",
    "every_benchmark_script_starts_and_takes_json_path",
    "the_benchmarks_servers_run_as_make_run_does",
    "table_shows_ratios_goals_failures_and_the_machine",
    "results_page_has_a_section_per_benchmark_and_keeps_the_hand_written_part",
    "hostile_rows_put_each_case_beside_its_reference_and_goal",
    "hostile_rows_leave_out_the_parts_not_run",
)


def test_the_runners_own_checks_pass():
    done = _run("--self-test", env=dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in SELF_CHECKS:
        assert f"ok check_{name}" in lines, (name, done.stdout)
    assert f"{len(SELF_CHECKS)} of {len(SELF_CHECKS)} checks passed" in lines


@pytest.mark.parametrize("mnist", [None, "missing-dir"])
def test_without_mnist_it_says_so_and_exits_2(mnist, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MNIST_DATA"}
    if mnist:
        env["MNIST_DATA"] = str(tmp_path / mnist)
    done = _run("--only", "load", "--results-dir", str(tmp_path / "out"), env=env)
    assert done.returncode == 2
    assert "MNIST_DATA" in done.stderr and "load" in done.stderr
    assert not (tmp_path / "out").exists()


def test_quick_thresholds_run_writes_the_figures_and_the_table(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MNIST_DATA"}  # not needed for this one
    page = tmp_path / "RESULTS.md"
    done = _run(
        "--only", "thresholds", "--quick", "--capture", "--results-dir", str(tmp_path),
        "--page", str(page), env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not page.exists()  # a quick run is a smoke check, not a result
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


def test_multiclass_benchmark_on_the_small_digits_times_and_agrees(tmp_path):
    """bench_multiclass.py's whole path (four processes) on the fallback digits: a smoke run."""
    env = {k: v for k, v in os.environ.items() if k != "MNIST_DATA"}
    out = tmp_path / "figures.json"
    done = run_python(
        [str(ROOT / "bench" / "bench_multiclass.py"), "--fallback", "--json", str(out)],
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    assert figures["data"] == "fallback"
    assert figures["agrees"] == {
        "cv_accuracy": True, "cv_accuracy_scaled": True, "confusion_scaled": True,
    }  # fmt: skip
    assert figures["cold_over_notebook"] == figures["cold_seconds"] / figures["notebook_seconds"]
    assert figures["warm_seconds"] < figures["cold_seconds"]
    assert figures["cold_peak_rss_mb"] > 0 and figures["detector_peak_rss_mb"] > 0
    assert set(figures["notebook_cells"]) >= {"cross_val_score raw", "predict"}
    assert "cold / notebook = " in done.stdout
