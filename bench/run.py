"""Run every benchmark, each in its own process, and print one table of the figures.

    MNIST_DATA=/work/shared/mnist python bench/run.py [--quick] [--only NAME ...] [--capture]

Each script (``load``, ``train``, ``thresholds``, ``estimates``, ``tradeoff``, ``memory``,
``explorer``, ``hostile``, ``multiclass``, ``score_files``: bench_NAME.py) runs in a fresh
Python process with ``--json PATH``. A row of the table: what, the figure, the reference
measured in the same run, their ratio, the goal and whether it was met, and the 1-minute load
average around its benchmark; the header names the machine. The table goes to
``bench/results/latest.md``, every figure to ``latest.json``; a run that is not ``--quick``
also rewrites, in ``bench/RESULTS.md``, the section of each benchmark it ran (date, machine,
load, rows) and keeps the others and the hand-written part below them. ``--quick`` passes fewer
repetitions (a smoke check; ``hostile`` then leaves out its trainings, ``multiclass`` runs on
the small digits). All but ``thresholds``, ``estimates`` and ``score_files`` need
``MNIST_DATA``: without it the run stops at once with exit status 2; a benchmark that fails is
a row and makes it exit 1.
``--self-test`` runs the runner's own checks on canned results (``bench/run_checks.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common import ROOT  # bench/ is the script's folder; common puts ROOT on sys.path

from harness.mnist import missing_idx_files

BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PAGE = BENCH / "RESULTS.md"


# --- rows of the table --------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One line of the table. ``met`` is None when the figure has no goal."""

    what: str
    figure: str
    reference: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None


def _ratio(a, b) -> float | None:
    return None if a is None or not b else a / b


def _row(what, a, b, unit, ref, goal="", met=None, digits=1) -> Row:
    """A row of figure ``a`` against reference ``b``, both in ``unit``."""
    figure, reference = (f"{x:,.{digits}f} {unit}" for x in (a, b))
    return Row(what, figure, f"{ref}: {reference}", _ratio(a, b), goal, met)


def load_rows(r: dict) -> list[Row]:
    best = r["best_seconds"]
    ref = "gzip + np.frombuffer of the same files"
    return [
        _row(f"load MNIST from the {where}", best[k], best["reference"], "s", ref, "< 1 s",
             best[k] < 1.0, 3)
        for k, where in (("idx", "IDX directory"), ("cache", "cache"))
    ]  # fmt: skip


def train_rows(r: dict) -> list[Row]:
    cold, notebook = r["cold_seconds"], r["notebook_seconds"]
    rows = [
        _row("cold `python -m core report` (fresh process, empty cache)", cold, notebook, "s",
             "the notebook's cells [5]-[14]", f"<= {r['goal_ratio']}x", r["goal_met"]),
        _row("warm `python -m core report` (cache written by the cold run)", r["warm_seconds"],
             cold, "s", "cold report", digits=2),
    ]  # fmt: skip
    if not r["threshold_90_precision_agrees"]:
        rows.append(Row("the report holds the notebook's 90% precision threshold", "NO", met=False))
    return rows


def threshold_rows(r: dict) -> list[Row]:
    ours, cm = r["metrics_at_us"]["median"], r["sklearn_confusion_matrix_us"]["median"]
    return [
        _row(f"all threshold numbers for {r['n']:,} scores (metrics_at, median)", ours, cm, "us",
             "scikit-learn's confusion_matrix", "< 5 ms", ours < 5000),
    ]  # fmt: skip


def estimate_rows(r: dict) -> list[Row]:
    ref, rows = f"np.sort of the scores x {r['n_resamples']:,}", []
    for kind in ("precision", "recall"):
        k, previous = r[kind], r[kind]["previous_seconds"]["median"]
        what = (
            f"bootstrap of the {k['target']:.0%} {kind} threshold, {r['n_resamples']:,} "
            f"resamples of {r['n']:,} {r['scores']} scores (median)"
        )
        rows.append(
            _row(
                what,
                k["seconds"]["median"],
                r["sort_1000_seconds"],
                "s",
                ref,
                "< 1 s",
                k["goal_met"],
                3,
            )
        )
        if previous is not None:
            rows.append(
                _row(
                    f"the same, previous implementation ({kind})",
                    previous,
                    r["sort_1000_seconds"],
                    "s",
                    ref,
                    digits=3,
                )
            )
    slowest = r.get("sweep_slowest")
    if slowest:
        rows.append(
            _row(
                f"the same, slowest other target ({slowest['kind']} {slowest['target']:g}; "
                "targets 0.01-1 of either)",
                slowest["seconds"],
                r["sort_1000_seconds"],
                "s",
                ref,
                "< 1 s",
                slowest["seconds"] < 1.0,
                3,
            )
        )
    return rows


def tradeoff_rows(r: dict) -> list[Row]:
    ours, hello, met = r["tradeoff"], r["hello"], r["goals_met"]
    ref = "one-slider hello app"
    rows = [
        _row("warm start to numbers on /tradeoff (median)", ours["warm_start_s"]["median"],
             hello["warm_start_s"]["median"], "s", ref, "< 3 s", met["warm_start_s"], 2),
    ]  # fmt: skip
    for key, label, goal in (
        ("painted_ms", "the new numbers painted", "<= 1.5x"),
        ("numbers_ms", "the new numbers in the DOM", "<= 1.5x"),
        ("idle_ms", "the page idle again", ""),
    ):
        rows.append(
            _row(f"slider step on /tradeoff to {label} (median)", ours[key]["median"],
                 hello[key]["median"], "ms", ref, goal, met.get(key))
        )  # fmt: skip
    rows.append(
        _row("bytes per slider step on /tradeoff (max)", ours["kb"]["max"], hello["kb"]["max"],
             "KB", ref, "< 200 KB", met["kb"])
    )  # fmt: skip
    return rows


def explorer_rows(r: dict) -> list[Row]:
    frames = _ratio(r["frame_mean_ms"], r["empty_frame_mean_ms"])
    big_frames = _ratio(r["big_frame_mean_ms"], r["empty_frame_mean_ms"])
    long_frames = [len(x) for x in r["long_frames_over_50ms"] if x is not None]
    drag_kb = max(r["drag_bytes_received"]) / 1000
    hello = "one step of the one-slider hello app"
    keys = r["big_keys"]
    big = f"{r['big_scores']:,} scores"
    keys_met = keys["landed"] == keys["steps"] and keys["all_real_scores"] and keys["none_skipped"]
    return [
        _row("explorer: frame interval during a drag (mean)", r["frame_mean_ms"],
             r["empty_frame_mean_ms"], "ms", "the same drag over an empty page", "<= 1.25x",
             frames is not None and frames <= 1.25),
        Row("explorer: long animation frames (> 50 ms) during the drags",
            str(sum(long_frames)) if long_frames else "not measured", goal="none",
            met=(sum(long_frames) == 0) if long_frames else None),
        Row("explorer: JavaScript per pointer move, 60,000 scores (p95)",
            f"{r['js_p95_ms']:.2f} ms", goal="< 2 ms", met=r["js_p95_ms"] < 2),
        Row(f"explorer: JavaScript per pointer move, {big} (p95)",
            f"{r['big_js_p95_ms']:.2f} ms", goal="< 4 ms", met=r["big_js_p95_ms"] < 4),
        _row(f"explorer: frame interval during a drag, {big} (mean)", r["big_frame_mean_ms"],
             r["empty_frame_mean_ms"], "ms", "the same drag over an empty page", "<= 1.25x",
             big_frames is not None and big_frames <= 1.25),
        Row(f"explorer: bytes reaching the page at load, {big}",
            f"{r['big_load_ws_bytes'] / 1000:.1f} KB", goal="<= 2 MB whatever the rows",
            met=r["big_load_ws_bytes"] <= 2_000_000),
        Row(f"explorer: ArrowRight presses landing on the next distinct score, {big}",
            f"{keys['landed']} of {keys['steps']}", goal="every one, real scores, none skipped",
            met=keys_met),
        Row(f"explorer: bytes of the windows asked for during those presses, {big}",
            f"{r['big_keys_bytes_received'] / 1000:.1f} KB"),
        Row("explorer: bytes from the server during a drag (max)", f"{drag_kb:.1f} KB",
            goal="none until release", met=drag_kb == 0),
        Row("explorer: the one-time payload per detector", f"{r['payload_bytes'] / 1000:.1f} KB"),
        _row("explorer: release to the galleries updated (median)", r["release_to_galleries_ms"],
             r["hello_step_ms"], "ms", hello, digits=0),
        _row("explorer: page load to the explorer drawn (median)", r["load_to_drawn_ms"],
             r["hello_load_ms"], "ms", "the hello app's load to its slider", digits=0),
    ]  # fmt: skip


def memory_rows(r: dict) -> list[Row]:
    ours, hello, met = r["tradeoff"], r["hello"], r["goals_met"]
    ref = "one-slider hello app's server"
    return [
        _row("server peak RSS: load, train, trade-off page", ours["peak_mb"], hello["peak_mb"],
             "MB", ref, "< 1 GB", met["peak"], 0),
        _row("server steady RSS after the flow (idle)", ours["steady_mb"], hello["steady_mb"],
             "MB", ref, "< 500 MB", met["steady"], 0),
    ]  # fmt: skip


def hostile_rows(r: dict) -> list[Row]:
    rows = []
    pictures = r.get("pictures")
    if pictures:
        predict = pictures["predict"]
        ordinary = predict["ordinary photo (1200x900 JPEG, reference)"]
        ref = "an ordinary photo (1200x900 JPEG)"
        refused = ("40,000,000 x 1 1-bit PNG", "progressive JPEG of 20,000 scans")
        for label, f in predict.items():
            if f is ordinary:
                continue
            # predict answers a picture it refuses with one line and exit status 1.
            goal, met = ("refused (exit 1)", f["status"] == 1) if label in refused else ("", None)
            rows.append(
                _row(f"predict, {label}: peak RSS", f["peak_mb"], ordinary["peak_mb"], "MB", ref,
                     goal, met, 0)
            )  # fmt: skip
            rows.append(_row(f"predict, {label}: time", f["seconds"], ordinary["seconds"], "s", ref,
                             digits=2))  # fmt: skip
        one, four = pictures["largest_at_once"]["1"], pictures["largest_at_once"]["4"]
        rows.append(
            _row("the largest allowed picture, 4 threads at once: peak RSS", four["peak_mb"],
                 one["peak_mb"], "MB", "1 alone", digits=0)
        )  # fmt: skip
    models = r.get("models")
    if models:
        valid = models["predict"]["valid export (reference)"]
        huge = models["predict"]["coef.npy claims (1, 10^12)"]
        rows.append(
            _row("predict, model file whose coef.npy claims (1, 10^12): peak RSS",
                 huge["peak_mb"], valid["peak_mb"], "MB", "a valid export", "exit 2, < 200 MB",
                 huge["status"] == 2 and huge["peak_mb"] < 200, 0)
        )  # fmt: skip
        flips = models["flips"]
        escaped = flips.get("escaped")
        rows.append(
            Row("300 one-byte flips of an export: escaped `main`",
                "not run" if escaped is None else
                f"{escaped} ({flips['refused']} refused, {flips['scored']} scored)",
                goal="0", met=escaped == 0)
        )  # fmt: skip
    queue = r.get("queue")
    if queue and "summary" in queue:
        s = queue["summary"]
        rows += [
            _row("queue, six digits at once: first answer", s["first_answer_seconds"],
                 s["lone_seconds"], "s", "a lone training", "<= 1.3x",
                 s["first_answer_ratio"] <= 1.3),
            _row("queue, six digits at once: peak RSS (bare process)", s["peak_mb"],
                 s["lone_peak_mb"], "MB", "a lone training", "< 1 GB", s["peak_mb"] < 1000, 0),
            Row("queue: first in first out, nobody waits longer than the trainings before, "
                "none failed",
                "yes" if s["first_in_first_out"]
                and s["nobody_waits_longer_than_the_trainings_before"] and not s["any_failed"]
                else "no", goal="yes",
                met=s["first_in_first_out"] and s["nobody_waits_longer_than_the_trainings_before"]
                and not s["any_failed"]),
        ]  # fmt: skip
    elif queue:
        rows.append(Row("queue", str(queue.get("skipped") or queue.get("error"))[:200], met=None))
    server = r.get("server")
    if server and "answers" in server:
        answers = sorted(a["answered"] for a in server["answers"].values())
        rows += [
            _row("server, six sessions on /tradeoff for six digits at once: peak RSS",
                 server["peak_mb"], server["idle_before_mb"], "MB", "the server idle before",
                 "< 1 GB", server["peak_mb"] < 1000 and not server["unanswered"], 0),
            Row("server, six sessions: answers (s after asking)",
                ", ".join(f"{a:.0f}" for a in answers) or "none",
                goal="all six, no error",
                met=not server["unanswered"] and not server["errors"]),
        ]  # fmt: skip
        lone = server.get("lone")
        if lone and "first_answer_ratio" in server:
            [alone] = lone["answers"].values()
            rows.append(
                _row("server, six sessions: first answer", answers[0], alone["answered"], "s",
                     f"the same digit ({lone['digit']}) alone on a fresh server", "<= 1.3x",
                     server["first_answer_ratio"] <= 1.3)
            )  # fmt: skip
    return rows


def score_file_rows(r: dict) -> list[Row]:
    rows = []
    for name, case in r["bad"].items():
        refused, valid = case["refused"], case["valid_same_size"]
        if "error" in refused or "error" in valid:
            rows.append(Row(f"score file, {name}", "failed", met=False))
            continue
        expected = case["expected"]
        goal, met = ("", None) if expected is None else (expected, refused["outcome"] == expected)
        ref = f"a valid file of {valid['bytes'] / 2**20:,.2f} MB"
        rows.append(
            _row(f"score file, {name}: {refused['outcome']}, time", refused["seconds"] * 1000,
                 valid["seconds"] * 1000, "ms", ref, goal, met)
        )  # fmt: skip
        rows.append(
            _row(f"score file, {name}: peak RSS", refused["peak_mb"], valid["peak_mb"], "MB", ref,
                 digits=0)
        )  # fmt: skip
    for kind, case in r["valid"].items():
        ours, reference, isolated = case["ours"], case["pandas_sklearn"], case["isolated"]
        if any("error" in x for x in (ours, reference, isolated)):
            rows.append(Row(f"valid {kind} score file", "failed", met=False))
            continue
        what = f"{r['rows']:,}-row {kind} into a scored set with its PR curve"
        ref = f"pandas.read_{kind} + precision_recall_curve"
        rows += [
            _row(f"{what}: time", ours["seconds"], reference["seconds"], "s", ref, digits=2),
            _row(f"{what}: peak RSS", ours["peak_mb"], reference["peak_mb"], "MB", ref, digits=0),
            _row(f"{what}, isolated reader: time", isolated["seconds"], ours["seconds"], "s",
                 "in-process", digits=2),
        ]  # fmt: skip
    return rows


def multiclass_rows(r: dict) -> list[Row]:
    cold, notebook = r["cold_seconds"], r["notebook_seconds"]
    data = "" if r["data"] == "mnist" else f" ({r['data']} digits)"
    rows = [
        _row(f"cold `python -m core multiclass`{data} (fresh process, empty cache)", cold,
             notebook, "s", "the notebook's two cross_val_score and its cross_val_predict",
             f"<= {r['goal_ratio']}x", r["goal_met"]),
        _row("warm `python -m core multiclass` (cache written by the cold run)",
             r["warm_seconds"], cold, "s", "cold multiclass", digits=2),
        _row("cold `python -m core multiclass`: peak RSS", r["cold_peak_rss_mb"],
             r["detector_peak_rss_mb"], "MB", "a lone detector's cold `core report`",
             "<= 1x", r["memory_goal_met"], 0),
    ]  # fmt: skip
    for name, same in r["agrees"].items():
        if not same:
            rows.append(Row(f"multiclass {name} is the notebook's", "NO", met=False))
    return rows


def score_server_rows(r: dict) -> list[Row]:
    rows, n = [], f"{r['rows']:,}"
    read = r.get("read")
    if read:
        if any("error" in read[m] for m in ("pyarrow", "ours", "isolated")):
            rows.append(Row(f"{n}-row Parquet read", "failed", met=False))
        else:
            ref = "pyarrow.parquet.read_table"
            base = read["pyarrow"]["seconds"]
            for mode, words in (("ours", "in process"), ("isolated", "the server's reader")):
                rows.append(
                    _row(f"{n}-row Parquet into a table, {words}: time", read[mode]["seconds"],
                         base, "s", ref, digits=2)
                )  # fmt: skip
    for name, case in (r.get("refusals") or {}).items():
        for mode in ("in_process", "isolated"):
            result = case[mode]
            if "error" in result:
                rows.append(Row(f"score file, {name} ({mode})", "failed", met=False))
                continue
            words = f"score file, {name}, {mode.replace('_', ' ')}: {result['outcome']}"
            peak = max(result["peak_mb"], result.get("reader_peak_mb") or 0)
            rows.append(Row(f"{words}, time", f"{result['seconds']:,.2f} s"))
            rows.append(Row(f"{words}, peak RSS", f"{peak:,.0f} MB"))
    sessions = r.get("sessions")
    if sessions:
        k = sessions["sessions"]
        rows.append(
            _row(f"server RSS over idle, {k} sessions on one {n}-row file",
                 sessions["n_sessions_mb"] - sessions["idle_mb"],
                 sessions["added_by_first_mb"], "MB", "one session", "~1x",
                 (sessions["ratio"] or 99) <= 1.1, digits=0)
        )  # fmt: skip
    return rows


# --- the benchmarks -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Benchmark:
    name: str
    script: str
    rows: Callable[[dict], list[Row]]
    needs_mnist: bool = True
    quick: tuple[str, ...] = ()


BENCHMARKS = (
    Benchmark("load", "bench_load.py", load_rows, quick=("--repeat", "2")),
    Benchmark("train", "bench_train.py", train_rows),
    Benchmark("thresholds", "bench_thresholds.py", threshold_rows, False, ("--thresholds", "200")),
    Benchmark("estimates", "bench_estimates.py", estimate_rows, False,
              ("--repeat", "2", "--previous-repeat", "0", "--sweep-repeat", "0")),
    Benchmark("tradeoff", "bench_tradeoff.py", tradeoff_rows,
              quick=("--steps", "5", "--warmup", "1", "--starts", "1")),
    Benchmark("memory", "bench_memory.py", memory_rows, quick=("--steps", "2", "--idle", "2")),
    Benchmark("explorer", "bench_explorer.py", explorer_rows,
              quick=("--repeat", "1", "--big", "200000")),
    Benchmark("hostile", "bench_hostile.py", hostile_rows, quick=("--only", "pictures,models")),
    Benchmark("multiclass", "bench_multiclass.py", multiclass_rows, quick=("--fallback",)),
    Benchmark("score_files", "bench_score_files.py", score_file_rows, False,
              ("--mb", "1", "--rows", "100000", "--repeat", "1")),
    Benchmark("score_server", "bench_score_server.py", score_server_rows, False,
              ("--rows", "200000", "--sessions", "2", "--repeat", "1")),
)  # fmt: skip
BY_NAME = {b.name: b for b in BENCHMARKS}


def missing_mnist() -> str | None:
    """Why MNIST_DATA cannot serve the benchmarks, or None when it can."""
    value = os.environ.get("MNIST_DATA")
    if not value:
        return "MNIST_DATA is not set"
    missing = missing_idx_files(Path(value))
    return f"MNIST_DATA={value} lacks {', '.join(missing)}" if missing else None


def machine() -> dict:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        model = next(
            (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), model
        )
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run_one(bench: Benchmark, *, quick: bool, capture: bool) -> dict:
    """Run one benchmark script in its own process; its figures and table rows."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{bench.name}-") as scratch:
        out = Path(scratch, "figures.json")
        command = [sys.executable, str(BENCH / bench.script), "--json", str(out)]
        if quick:
            command += bench.quick
        print(f"\n=== {bench.name}: {' '.join(command[1:])}", flush=True)
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=capture, text=True, check=False)
        record = {
            "script": bench.script,
            "command": command[1:],
            "returncode": done.returncode,
            "seconds": time.perf_counter() - start,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg()[0],
        }
        if capture:
            record["output_tail"] = (done.stdout + done.stderr)[-4000:]
        try:
            figures = json.loads(out.read_text())
        except (OSError, ValueError) as exc:
            figures = None
            record["error"] = f"no figures ({type(exc).__name__}: {exc})"
    if done.returncode == 0 and figures is not None:
        record["figures"] = figures
        try:
            record["rows"] = [vars(row) for row in bench.rows(figures)]
        except (KeyError, TypeError, ValueError) as exc:  # the script's JSON changed shape
            record["error"] = f"could not read the figures: {type(exc).__name__}: {exc}"
    elif "error" not in record:
        record["error"] = f"exit status {done.returncode}"
    return record


# --- the table ----------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return str(text).replace("|", "\\|")


def _row_cells(row: dict) -> list[str]:
    """A row's what, figure, reference, ratio, goal and met, as table cells."""
    ratio = "" if row["ratio"] is None else f"{row['ratio']:.3g}×"
    met = {True: "met", False: "**missed**", None: ""}[row["met"]]
    return [
        _cell(c) for c in (row["what"], row["figure"], row["reference"], ratio, row["goal"], met)
    ]


def _machine(m: dict) -> str:
    return (
        f"{m['cores']} cores ({m['usable_cores']} usable), {m['cpu_model']}, Python {m['python']}"
    )


def markdown(results: dict) -> str:
    """The markdown table of a results dict (as written to latest.json)."""
    lines = [
        f"# Benchmarks ({'quick' if results['quick'] else 'full'} run, {results['date']})",
        "",
        f"Machine: {_machine(results['machine'])}; 1-minute load average "
        f"{results['load_average_before']:.2f} before, {results['load_average_after']:.2f} after.",
        "",
        "| what | figure | reference in the same run | ratio | goal | met | load |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, record in results["benchmarks"].items():
        load = f"{record['load_average_before']:.1f} → {record['load_average_after']:.1f}"
        if "error" in record:
            lines.append(f"| {name} | **failed**: {_cell(record['error'])} | | | | | {load} |")
            continue
        for row in record["rows"]:
            lines.append("| " + " | ".join([*_row_cells(row), load]) + " |")
    lines += [
        "",
        f"Produced by `python bench/run.py{' --quick' if results['quick'] else ''}`; "
        "every figure is in latest.json.",
    ]
    return "\n".join(lines) + "\n"


def write_results(results: dict, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    as_json, as_md = directory / "latest.json", directory / "latest.md"
    as_json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    as_md.write_text(markdown(results))
    return as_json, as_md


# --- bench/RESULTS.md ---------------------------------------------------------------------------
HAND_WRITTEN = "<!-- Hand-written below this line: bench/run.py keeps it as it is. -->"
PAGE_HEAD = """# Benchmark results

<!-- Written by bench/run.py down to the hand-written line: edits above it are lost. -->

Written by `python bench/run.py` (`make bench`): each benchmark's rows from its latest run that was
not `--quick`, with the date, the machine and its 1-minute load average during that benchmark.
Every figure stands beside a reference measured in the same run; the machine is often shared, so
read the ratios rather than the absolute figures. A run rewrites the sections of the benchmarks
it ran (`--only NAME` runs one) and keeps the others; `--quick` runs write only `bench/results/`.
How the figures are measured, and the measurements made before this page was written, follow
the sections.
"""
_SECTION = re.compile(
    r"^<!-- begin (\S+): written by bench/run.py -->\n.*?^<!-- end \1 -->\n", re.M | re.S
)
EARLIER = "## Earlier measurements\n\nNone yet.\n"


def page_section(name: str, record: dict, results: dict) -> str:
    """One benchmark's section of bench/RESULTS.md: its run, machine, load and rows."""
    load = f"{record['load_average_before']:.2f} → {record['load_average_after']:.2f}"
    script = f" (`bench/{record['script']}`)" if record.get("script") else ""
    lines = [
        f"<!-- begin {name}: written by bench/run.py -->",
        f"### {name}{script}",
        "",
        f"Run {results['date']} on {_machine(results['machine'])}; 1-minute load average "
        f"{load} during this benchmark.",
        "",
    ]
    if "error" in record:
        lines.append(f"**Failed**: {_cell(record['error'])}")
    else:
        lines += [
            "| what | figure | reference in the same run | ratio | goal | met |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        lines += ["| " + " | ".join(_row_cells(row)) + " |" for row in record["rows"]]
    lines.append(f"<!-- end {name} -->")
    return "\n".join(lines) + "\n"


def results_page(results: dict, previous: str = "") -> str:
    """bench/RESULTS.md after ``results``: this run's sections, the ``previous`` page's sections
    of the benchmarks it did not run, and the previous page's hand-written part, as it was."""
    sections = {m.group(1): m.group(0) for m in _SECTION.finditer(previous.split(HAND_WRITTEN)[0])}
    for name, record in results["benchmarks"].items():
        sections[name] = page_section(name, record, results)
    order = [b.name for b in BENCHMARKS] + [n for n in sections if n not in BY_NAME]
    shown = [sections[name] for name in order if name in sections]
    missing = [name for name in BY_NAME if name not in sections]
    parts = [PAGE_HEAD, "## Latest figures\n", *shown]
    if missing:
        parts.append(f"Not recorded yet: {', '.join(missing)} (see the earlier measurements).\n")
    _, found, hand_written = previous.partition(HAND_WRITTEN)
    parts.append(HAND_WRITTEN + (hand_written if found else "\n\n" + EARLIER))
    return "\n".join(parts)


def write_page(results: dict, path: Path) -> Path:
    """Rewrite ``path`` (bench/RESULTS.md) with the sections of ``results``."""
    previous = path.read_text() if path.exists() else ""
    path.write_text(results_page(results, previous))
    return path


# --- the run ------------------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions: a smoke check")
    parser.add_argument("--only", action="append", metavar="NAME", help=", ".join(BY_NAME))
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help="default bench/results")
    parser.add_argument("--capture", action="store_true", help="scripts' output to the JSON only")
    parser.add_argument("--page", type=Path, default=PAGE, help="default bench/RESULTS.md")
    parser.add_argument("--self-test", action="store_true", help="the runner's own checks")
    args = parser.parse_args(argv)
    names = [n.strip() for item in args.only or [] for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    args.selected = [b for b in BENCHMARKS if not names or b.name in names]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.self_test:
        from run_checks import run_checks

        return run_checks(sys.modules[__name__])
    if any(b.needs_mnist for b in args.selected):
        problem = missing_mnist()
        if problem:
            needing = ", ".join(b.name for b in args.selected if b.needs_mnist)
            print(f"error: {problem}; {needing} need the real MNIST", file=sys.stderr)
            return 2
    results = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        "load_average_before": os.getloadavg()[0],
        "benchmarks": {},
    }
    for bench in args.selected:
        results["benchmarks"][bench.name] = run_one(bench, quick=args.quick, capture=args.capture)
    results["load_average_after"] = os.getloadavg()[0]
    as_json, as_md = write_results(results, args.results_dir)
    written = [as_json, as_md] if args.quick else [as_json, as_md, write_page(results, args.page)]
    print()
    print(as_md.read_text(), end="")
    print(f"\nWritten: {', '.join(map(str, written))}")
    failed = [name for name, record in results["benchmarks"].items() if "error" in record]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
