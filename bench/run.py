"""Run every benchmark, each in its own process, and write one table of the figures.

    MNIST_DATA=/work/shared/mnist python bench/run.py [--quick] [--only NAME ...]

Each benchmark script runs in a fresh Python process (so none warms another's caches) with
``--json PATH``; its own report goes to the terminal as it runs. The figures are collected in
``bench/results/latest.json`` (everything each script wrote, plus the table's rows and the
machine) and ``bench/results/latest.md`` (the table), and the table is printed at the end.

Each row of the table: what is measured, the figure, the reference measured in the same run,
their ratio, the goal and whether it was met. The header names the machine: cores, CPU model,
date, and the 1-minute load average before and after (other work on the machine skews every
timing; each row also shows the load average around its own benchmark).

Benchmarks (``--only`` takes these names, repeated or comma-separated):

- ``load``: bench_load.py, MNIST from the IDX directory and the cache vs gzip + np.frombuffer;
- ``train``: bench_train.py, cold training vs the notebook's sequence (and the warm reload);
- ``thresholds``: bench_thresholds.py, ``metrics_at`` vs scikit-learn's confusion_matrix;
- ``tradeoff``: bench_tradeoff.py (browser), warm start, slider step and bytes per step vs a
  one-slider hello-world app;
- ``memory``: bench_memory.py (browser), server RSS through load, train and trade-off vs the
  hello-world app's server.

``--quick`` passes fewer repetitions to each (a smoke check; the figures are rougher). Every
benchmark but ``thresholds`` needs ``MNIST_DATA`` (a directory of the four MNIST IDX files):
without it the run stops at once with exit status 2. A benchmark that fails is reported in the
table and the run ends with exit status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


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


def _s(seconds: float | None, digits: int = 2) -> str:
    return "-" if seconds is None else f"{seconds:.{digits}f} s"


def _ms(ms: float | None) -> str:
    return "-" if ms is None else f"{ms:,.1f} ms"


def load_rows(r: dict) -> list[Row]:
    best, ref = r["best_seconds"], r["best_seconds"]["reference"]
    reference = f"gzip + np.frombuffer of the same files: {_s(ref, 3)}"
    return [
        Row(
            f"load MNIST from the {where}",
            _s(best[key], 3),
            reference,
            _ratio(best[key], ref),
            "< 1 s",
            best[key] < 1.0,
        )
        for key, where in (("idx", "IDX directory"), ("cache", "cache"))
    ]


def train_rows(r: dict) -> list[Row]:
    runs = r["runs"]
    cold, notebook, warm = runs["cold"]["seconds"], runs["notebook"]["seconds"], runs["warm"]
    rows = [
        Row(
            "cold training of the detector (one CV pass + final fit)",
            _s(cold, 1),
            f"the notebook's sequence: {_s(notebook, 1)}",
            _ratio(cold, notebook),
            f"<= {r['goal_ratio']}x",
            r["goal_met"],
        ),
        Row(
            "reload the trained detector from the disk cache",
            f"{warm['seconds'] * 1000:,.1f} ms",
            f"cold training: {_s(cold, 1)}",
            _ratio(warm["seconds"], cold),
            "< 1 s",
            warm["seconds"] < 1.0 and bool(warm["from_cache"]),
        ),
    ]
    if not r["scores_identical"]:
        rows.append(Row("cross-validated scores identical to the notebook's", "NO", met=False))
    return rows


def threshold_rows(r: dict) -> list[Row]:
    engine, figures = r["engine"], r["figures"]
    ours = engine["metrics_at"]["median_us"]
    sklearn_cm = engine["reference_sklearn_confusion_matrix"]["median_us"]
    default = figures["by_max_points"][str(figures["default_max_points"])]
    unthinned = figures["reference_unthinned_total_json_bytes"]
    return [
        Row(
            f"all threshold numbers for {r['n']:,} scores (metrics_at, median)",
            f"{ours:,.1f} us",
            f"scikit-learn's confusion_matrix: {sklearn_cm / 1000:,.2f} ms",
            _ratio(ours, sklearn_cm),
            "< 5 ms",
            ours < 5000,
        ),
        Row(
            "JSON of the three trade-off charts",
            f"{default['total_json_bytes'] / 1000:,.1f} KB",
            f"the same charts with every point: {unthinned / 1000:,.0f} KB",
            _ratio(default["total_json_bytes"], unthinned),
        ),
    ]


def tradeoff_rows(r: dict) -> list[Row]:
    t, h, goals = r["tradeoff"], r["hello"], r["goals"]
    starts = r["warm_start"]
    start_t = starts["tradeoff"]["seconds"]["median"]
    start_h = starts["hello"]["seconds"]["median"]
    rows = [
        Row(
            "warm start to numbers on /tradeoff (median)",
            _s(start_t),
            f"one-slider hello app: {_s(start_h)}",
            _ratio(start_t, start_h),
            "< 3 s",
            goals["warm_start_lt_3s"]["met"],
        )
    ]
    # Whichever step figures this version of bench_tradeoff.py measures, each against hello.
    steps = (
        ("to_numbers_painted_ms", "numbers_painted_ratio_le_1_5", "new numbers painted"),
        ("to_numbers_ms", "numbers_ratio_le_1_5", "new numbers' first sight"),
        ("latency_ms", "step_ratio_le_1_5", "page idle again"),
    )
    for key, goal_key, label in steps:
        if key not in t:
            continue
        a, b = t[key]["median"], h[key]["median"]
        goal = goals.get(goal_key)
        rows.append(
            Row(
                f"slider step on /tradeoff to the {label} (median)",
                _ms(a),
                f"one-slider hello app: {_ms(b)}",
                _ratio(a, b),
                "<= 1.5x" if goal else "",
                goal["met"] if goal else None,
            )
        )
    rows.append(
        Row(
            "bytes per slider step on /tradeoff (max)",
            f"{t['kb']['max']:,.1f} KB",
            f"one-slider hello app: {h['kb']['max']:,.1f} KB",
            _ratio(t["kb"]["max"], h["kb"]["max"]),
            "< 200 KB",
            goals["kb_per_step_lt_200"]["met"],
        )
    )
    return rows


def memory_rows(r: dict) -> list[Row]:
    app, hello, goals = r["app"], r["hello"], r["goals"]
    return [
        Row(
            "server peak RSS: load, train, trade-off page",
            f"{app['peak_mb']:,.0f} MB",
            f"one-slider hello app's server: {hello['peak_mb']:,.0f} MB",
            _ratio(app["peak_mb"], hello["peak_mb"]),
            "< 1 GB",
            goals["peak_lt_1gb"]["met"],
        ),
        Row(
            "server steady RSS after the flow (idle, after gc)",
            f"{app['steady_mb']:,.0f} MB",
            f"one-slider hello app's server: {hello['steady_mb']:,.0f} MB",
            _ratio(app["steady_mb"], hello["steady_mb"]),
            "< 500 MB",
            goals["steady_lt_500mb"]["met"],
        ),
    ]


# --- the benchmarks -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Benchmark:
    name: str
    script: str
    rows: Callable[[dict], list[Row]]
    needs_mnist: bool = True
    quick: tuple[str, ...] = field(default_factory=tuple)


BENCHMARKS = (
    Benchmark("load", "bench_load.py", load_rows, quick=("--repeat", "2")),
    Benchmark("train", "bench_train.py", train_rows),
    Benchmark(
        "thresholds",
        "bench_thresholds.py",
        threshold_rows,
        needs_mnist=False,
        quick=("--thresholds", "200"),
    ),
    Benchmark(
        "tradeoff",
        "bench_tradeoff.py",
        tradeoff_rows,
        quick=("--steps", "5", "--warmup", "1", "--starts", "1"),
    ),
    Benchmark(
        "memory",
        "bench_memory.py",
        memory_rows,
        quick=("--steps", "2", "--idle", "2", "--after", "1"),
    ),
)
BY_NAME = {b.name: b for b in BENCHMARKS}


def missing_mnist() -> str | None:
    """Why MNIST_DATA cannot serve the benchmarks, or None when it can."""
    value = os.environ.get("MNIST_DATA")
    if not value:
        return "MNIST_DATA is not set"
    directory = Path(value)
    missing = [
        name
        for name in IDX_FILES
        if not (directory / name).is_file() and not (directory / f"{name}.gz").is_file()
    ]
    if missing:
        return f"MNIST_DATA={value} lacks {', '.join(missing)}"
    return None


def machine() -> dict:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cores": os.cpu_count(),
        "usable_cores": usable,
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
        done = subprocess.run(
            command, cwd=BENCH.parent, capture_output=capture, text=True, check=False
        )
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


def markdown(results: dict) -> str:
    """The markdown table of a results dict (as written to latest.json)."""
    m = results["machine"]
    lines = [
        f"# Benchmarks ({'quick' if results['quick'] else 'full'} run, {results['date']})",
        "",
        f"Machine: {m['cores']} cores ({m['usable_cores']} usable), {m['cpu_model']}, "
        f"Python {m['python']}; 1-minute load average {results['load_average_before']:.2f} "
        f"before, {results['load_average_after']:.2f} after.",
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
            ratio = "" if row["ratio"] is None else f"{row['ratio']:.3g}×"
            met = {True: "met", False: "**missed**", None: ""}[row["met"]]
            cells = [row["what"], row["figure"], row["reference"], ratio, row["goal"], met, load]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
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


# --- the run ------------------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions: a smoke check")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only these benchmarks ({', '.join(BY_NAME)}); repeat or comma-separate",
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=RESULTS,
        help="where latest.json and latest.md go (default bench/results)",
    )
    parser.add_argument(
        "--capture",
        action="store_true",
        help="keep the scripts' own output out of the terminal (its tail goes to the JSON)",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for item in args.only or [] for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    args.selected = [b for b in BENCHMARKS if not names or b.name in names]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if any(b.needs_mnist for b in args.selected):
        problem = missing_mnist()
        if problem:
            needing = ", ".join(b.name for b in args.selected if b.needs_mnist)
            print(
                f"error: {problem}. The benchmarks {needing} need the real MNIST: set "
                "MNIST_DATA to a directory of the four MNIST IDX files, e.g. "
                "MNIST_DATA=../shared/mnist python bench/run.py (or --only thresholds).",
                file=sys.stderr,
            )
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
    print()
    print(as_md.read_text(), end="")
    print(f"\nWritten: {as_json}, {as_md}")
    failed = [name for name, record in results["benchmarks"].items() if "error" in record]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
