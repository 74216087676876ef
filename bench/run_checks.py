"""bench/run.py's own checks on canned results: its options, the table, the rows it reads from
the scripts' figures, and bench/RESULTS.md's sections. No benchmark is run here.

    python bench/run.py --self-test

Each check prints its name and ``ok`` or the failure; the exit status is 1 when any failed.
``make test`` runs it (tests/core/test_bench_run.py), with the runs of the quick benchmarks.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from common import MAKE_RUN_ENV, SERVER_ENV


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9)


def check_only_takes_repeated_or_comma_separated_names(run) -> None:
    args = run.parse_args(["--only", "memory,load", "--only", "thresholds"])
    # In the run's own order, whatever the order asked.
    assert [b.name for b in args.selected] == ["load", "thresholds", "memory"]
    assert [b.name for b in run.parse_args([]).selected] == [b.name for b in run.BENCHMARKS]


def check_unknown_benchmark_is_named(run) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            run.parse_args(["--only", "load,speed"])
        except SystemExit as exit_:
            code = exit_.code
        else:
            code = None
    assert code == 2, code
    assert "unknown benchmark speed" in err.getvalue(), err.getvalue()


def check_every_benchmark_script_starts_and_takes_json_path(run) -> None:
    for bench in run.BENCHMARKS:
        done = subprocess.run(
            [sys.executable, str(run.BENCH / bench.script), "--help", *bench.quick],
            cwd=run.ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (bench.script, done.stderr)
        assert "--json [PATH]" in done.stdout, bench.script
        for option in bench.quick[::2]:  # the options --quick passes exist
            assert option in done.stdout, (bench.script, option)


def check_the_benchmarks_servers_run_as_make_run_does(run) -> None:
    # MAKE_RUN_ENV itself is checked against the Makefile by tests/core/test_harness.py.
    assert MAKE_RUN_ENV and MAKE_RUN_ENV.items() <= SERVER_ENV.items(), SERVER_ENV


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


def check_table_shows_ratios_goals_failures_and_the_machine(run) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        as_json, as_md = run.write_results(_fake_results(run), Path(scratch))
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


def check_results_page_has_a_section_per_benchmark_and_keeps_the_hand_written_part(run) -> None:
    first = _fake_results(run)
    first["benchmarks"]["one"]["script"] = "bench_one.py"
    page = run.results_page(first)
    assert page.startswith(run.PAGE_HEAD) and "Written by `python bench/run.py`" in page
    lines = page.splitlines()
    assert "### one (`bench/bench_one.py`)" in lines
    assert (
        "Run 2026-01-02T03:04:05+00:00 on 2 cores (2 usable), Some CPU, Python 3.11; "
        "1-minute load average 0.50 → 0.75 during this benchmark." in lines
    )
    assert "| what | figure | reference in the same run | ratio | goal | met |" in lines
    assert "| fast thing | 1.0 ms | slow thing: 4.0 ms | 0.25× | <= 0.3x | met |" in lines
    assert "| big \\| thing | 300 KB | small: 1 KB | 300× | < 200 KB | **missed** |" in lines
    assert "**Failed**: exit status 3" in lines
    assert f"Not recorded yet: {', '.join(run.BY_NAME)} (see the earlier measurements)." in lines
    assert page.endswith(run.HAND_WRITTEN + "\n\n" + run.EARLIER)

    # Someone writes the earlier measurements below the line; a later run of "one" alone.
    history = "\n\n## Earlier measurements\n\n| a | b |\n| --- | --- |\n| kept | as is |\n"
    edited = page.replace(run.HAND_WRITTEN + "\n\n" + run.EARLIER, run.HAND_WRITTEN + history)
    second = _fake_results(run)
    second["date"] = "2026-02-03T04:05:06+00:00"
    second["benchmarks"] = {"one": {**first["benchmarks"]["one"], "load_average_before": 3.0}}
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch, "RESULTS.md")
        path.write_text(edited)
        run.write_page(second, path)
        again = path.read_text()
    assert again.endswith(run.HAND_WRITTEN + history), "the hand-written part is kept as it was"
    assert again.count(run.HAND_WRITTEN) == 1 and again.count("### one") == 1
    assert "Run 2026-02-03T04:05:06+00:00" in again and "load average 3.00 → 0.75" in again
    assert "Run 2026-01-02T03:04:05+00:00" in again  # two's section, from the first run
    assert again.index("### one") < again.index("### two") < again.index(run.HAND_WRITTEN)
    assert "**Failed**: exit status 3" in again

    # A real benchmark's section goes in the run's order, before the canned ones.
    third = _fake_results(run)
    third["benchmarks"] = {"load": {**first["benchmarks"]["one"], "script": "bench_load.py"}}
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch, "RESULTS.md")
        path.write_text(again)
        final = run.write_page(third, path).read_text()
    assert final.index("### load (`bench/bench_load.py`)") < final.index("### one")
    assert "Not recorded yet: load," not in final and "Not recorded yet: train," in final
    assert final.endswith(run.HAND_WRITTEN + history)


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


def check_hostile_rows_put_each_case_beside_its_reference_and_goal(run) -> None:
    rows = {row.what: row for row in run.hostile_rows(_hostile_figures())}
    strip = rows["predict, 40,000,000 x 1 1-bit PNG: peak RSS"]
    assert _close(strip.ratio, 0.7) and strip.met is True
    assert strip.reference == "an ordinary photo (1200x900 JPEG): 100 MB"
    assert rows["the largest allowed picture, 4 threads at once: peak RSS"].ratio == 1.05
    assert rows["300 one-byte flips of an export: escaped `main`"].met is True
    first = rows["queue, six digits at once: first answer"]
    assert _close(first.ratio, 1.2) and first.met is True
    server = rows["server, six sessions on /tradeoff for six digits at once: peak RSS"]
    assert server.figure == "1,050 MB" and server.met is False  # over 1 GB
    assert rows["server, six sessions: answers (s after asking)"].figure == "50, 90"
    lone = rows["server, six sessions: first answer"]
    assert lone.reference == "the same digit (0) alone on a fresh server: 40.0 s"
    assert _close(lone.ratio, 1.25) and lone.met is True


def check_hostile_rows_leave_out_the_parts_not_run(run) -> None:
    figures = _hostile_figures()
    del figures["queue"], figures["server"]
    whats = [row.what for row in run.hostile_rows(figures)]
    assert whats and not [w for w in whats if w.startswith(("queue", "server"))]


CHECKS = [value for name, value in list(globals().items()) if name.startswith("check_")]


def run_checks(run) -> int:
    """Run every check against the runner module ``run``; 0 when all pass, else 1."""
    failed = 0
    for check in CHECKS:
        try:
            check(run)
        except Exception:  # noqa: BLE001 - a failed check is reported, the others still run
            failed += 1
            print(f"FAIL {check.__name__}\n{traceback.format_exc()}", flush=True)
        else:
            print(f"ok {check.__name__}", flush=True)
    print(f"{len(CHECKS) - failed} of {len(CHECKS)} checks passed")
    return 1 if failed else 0
