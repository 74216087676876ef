"""Benchmark: score files at size in the server's path, and the server's shared store.

    python bench/bench_score_server.py [--rows 10000000] [--sessions 4] [--repeat 3]
        [--parts read,refusals,sessions] [--json [PATH]]

- ``read``: a Parquet file of ``--rows`` rows (label, score) read by ``load_score_table`` in
  process and isolated (the server's way: a child process under limits, started ahead as a
  server has it, hands the columns back through a temporary directory), against pyarrow's own
  ``pyarrow.parquet.read_table`` of the same file; each in a fresh process, best of
  ``--repeat``; the peak RSS of the process (and of the isolated reader's child).
- ``refusals``: each bad input at size refused by ``load_score_table`` in a fresh process, in
  process and isolated: its time and peak RSS, against reading a valid file of the same rows.
  A CSV and a Parquet of ``--rows`` rows past a row budget of a tenth of them, a file past the
  byte budget (sparse), and hand-made Parquet files whose page header, column chunk, value
  count or dictionary lie, or that hold 100,000 row groups.
- ``sessions``: a server (as ``make run`` starts it) with the Parquet file in its score
  directory; ``bench/score_store_app.py`` reads and counts it as /scores does. The server's RSS
  with one browser session on it, then with ``--sessions`` sessions on the same file: what the
  extra sessions add, against what the first one added (the goal: about nothing, one copy).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from common import SERVER_ENV, add_json_option, emit, ratio, run_process

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]


# --- files ---------------------------------------------------------------------------------------
def write_parquet(path: Path, n_rows: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    label = rng.random(n_rows) < 0.2
    score = np.round(rng.normal(size=n_rows) + 1.5 * label, 6)
    pq.write_table(pa.table({"label": label.astype(np.int64), "score": score}), path)


def write_csv(path: Path, n_rows: int) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    with path.open("w") as handle:
        handle.write("label,score\n")
        for start in range(0, n_rows, 1_000_000):
            n = min(1_000_000, n_rows - start)
            label = (rng.random(n) < 0.2).astype(int)
            score = rng.normal(size=n) + 1.5 * label
            np.savetxt(handle, np.column_stack([label, score]), fmt=["%d", "%.6f"], delimiter=",")


def hostile_parquets(directory: Path) -> dict[str, Path]:
    from harness.hostile_files import handmade_parquet

    cases = {
        "Parquet, a page header claims 2 GB": handmade_parquet(10_000, page_claim=2**31 - 1),
        "Parquet, a column chunk claims 8 GB": handmade_parquet(10_000, chunk_claim=8 * 2**30),
        "Parquet, a page claims 2^31 values": handmade_parquet(10_000, values_claim=2**31 - 1),
        "Parquet, a 256 KB dictionary text in each of 16,000 rows (4 GB)": handmade_parquet(
            16_000, group_text=b"x" * 256 * 1024
        ),
        "Parquet, 100,000 row groups of one row": handmade_parquet(1, row_groups=100_000),
    }
    paths = {}
    for k, (name, data) in enumerate(cases.items()):
        paths[name] = directory / f"hostile{k}.parquet"
        paths[name].write_bytes(data)
    paths["valid, 10,000 rows (hand-made)"] = directory / "valid-small.parquet"
    paths["valid, 10,000 rows (hand-made)"].write_bytes(handmade_parquet(10_000))
    return paths


# --- one measurement, in a fresh process ---------------------------------------------------------
def child(argv) -> int:
    """``--child MODE PATH``: read once; print time, peak RSS (this process's VmHWM, which starts
    anew at exec, and the isolated reader's) and the outcome."""
    from harness.memory import status_kb

    mode, path = argv
    import pyarrow.dataset  # noqa: F401 - read_table's own import, before the clock
    import pyarrow.parquet as pq

    from core.score_files import ScoreFileError, load_score_table, start_isolated_reader

    if mode == "isolated":  # as a server runs: its reader process started ahead
        start_isolated_reader(wait=True)

    start = time.perf_counter()
    outcome = "read"
    try:
        if mode == "pyarrow":
            pq.read_table(path)
        else:
            load_score_table(path, name=Path(path).name, isolated=mode == "isolated")
    except ScoreFileError as exc:
        outcome = exc.problem
    seconds = time.perf_counter() - start
    figures = {
        "seconds": seconds,
        "peak_mb": status_kb(os.getpid(), "VmHWM") * 1024 / 1e6,
        "reader_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e6,
        "outcome": outcome,
    }
    print(json.dumps(figures))
    return 0


def measure(mode: str, path: Path, *, env: dict | None = None, repeat: int = 1) -> dict:
    runs = []
    for _ in range(repeat):
        done = run_process(
            [sys.executable, str(HERE), "--child", mode, str(path)],
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        )
        if done["returncode"] != 0:
            return {"error": done["stderr"][-500:]}
        runs.append(json.loads(done["stdout"]))
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "peak_mb": max(r["peak_mb"] for r in runs)}


def described(result: dict) -> str:
    if "error" in result:
        return "failed: " + result["error"].strip().splitlines()[-1][:200]
    reader = result.get("reader_peak_mb") or 0
    return (
        f"{result['outcome']}, {result['seconds']:.2f} s, peak RSS {result['peak_mb']:,.0f} MB"
        + (f" (reader {reader:,.0f} MB)" if reader else "")
    )


# --- the parts -----------------------------------------------------------------------------------
def bench_read(parquet: Path, n_rows: int, repeat: int) -> tuple[dict, list[str]]:
    env = {"THRESHOLD_EXPLORER_MAX_SCORE_ROWS": str(max(n_rows, 1))}
    figures = {
        mode: measure(mode, parquet, env=env, repeat=repeat)
        for mode in ("pyarrow", "ours", "isolated")
    }
    reference = figures["pyarrow"].get("seconds")
    lines = [
        f"Reading {n_rows:,} rows of Parquet (label, score; {parquet.stat().st_size / 2**20:,.0f}"
        f" MB), best of {repeat}, each in a fresh process:"
    ]
    for mode, words in (
        ("pyarrow", "pyarrow.parquet.read_table"),
        ("ours", "load_score_table, in process"),
        ("isolated", "load_score_table, isolated (the server's reader)"),
    ):
        figure = figures[mode]
        figure["ratio"] = ratio(figure.get("seconds"), reference)
        lines.append(
            f"  {words}: {described(figure)}"
            + (f"; {figure['ratio']:.2f}x pyarrow's" if figure["ratio"] else "")
        )
    return figures, lines


def bench_refusals(directory: Path, parquet: Path, csv: Path, n_rows: int) -> tuple[dict, list]:
    from core.score_files import ReadLimits

    budget = {"THRESHOLD_EXPLORER_MAX_SCORE_ROWS": str(max(1, n_rows // 10))}
    sparse = directory / "sparse.csv"
    with sparse.open("wb") as handle:
        handle.truncate(ReadLimits().max_bytes + 1)
    cases = {
        f"CSV of {n_rows:,} rows, past a row budget of {n_rows // 10:,}": (csv, budget),
        f"Parquet of {n_rows:,} rows, past a row budget of {n_rows // 10:,}": (parquet, budget),
        "a file past the byte budget (sparse)": (sparse, {}),
        **{name: (path, {}) for name, path in hostile_parquets(directory).items()},
        f"valid CSV of {n_rows:,} rows": (csv, {}),
        f"valid Parquet of {n_rows:,} rows": (parquet, {}),
    }
    figures, lines = {}, ["Refusing bad input at size, each in a fresh process:"]
    for name, (path, env) in cases.items():
        figures[name] = {
            "bytes": path.stat().st_size,
            "in_process": measure("ours", path, env=env),
            "isolated": measure("isolated", path, env=env),
        }
        lines.append(
            f"  {name} ({path.stat().st_size / 2**20:,.1f} MB): in process "
            f"{described(figures[name]['in_process'])}; isolated "
            f"{described(figures[name]['isolated'])}"
        )
    return figures, lines


def bench_sessions(parquet: Path, n_sessions: int) -> tuple[dict, list[str]]:
    from harness.browser import chromium, wait_for_idle
    from harness.memory import tree_mb
    from harness.server import app_server

    env = {
        **SERVER_ENV,
        "THRESHOLD_EXPLORER_SCORES": str(parquet.parent),
        "BENCH_SCORE_FILE": parquet.name,
        "THRESHOLD_EXPLORER_MAX_SCORE_ROWS": str(10**9),
    }

    def settled(pid: int) -> float:
        time.sleep(3)
        return tree_mb(pid)

    with tempfile.TemporaryDirectory(prefix="bench-store-cache-") as cache:
        env["THRESHOLD_EXPLORER_CACHE"] = cache
        with (
            app_server(script="bench/score_store_app.py", env=env, log_name="bench-store") as (
                process,
                url,
            ),
            chromium() as browser,
        ):
            idle = settled(process.pid)
            contexts = []

            def open_session() -> float:
                context = browser.new_context()
                contexts.append(context)
                page = context.new_page()
                start = time.perf_counter()
                page.goto(url)
                page.get_by_text("The store holds").wait_for(timeout=600_000)
                wait_for_idle(page)
                return time.perf_counter() - start

            first_seconds = open_session()
            one = settled(process.pid)
            others = [open_session() for _ in range(n_sessions - 1)]
            many = settled(process.pid)
            held = contexts[-1].pages[0].get_by_text("The store holds").inner_text()
            for context in contexts:
                context.close()
    figures = {
        "idle_mb": idle,
        "one_session_mb": one,
        "sessions": n_sessions,
        "n_sessions_mb": many,
        "first_seconds": first_seconds,
        "other_seconds": others,
        "store": held,
        "added_by_first_mb": one - idle,
        "added_by_others_mb": many - one,
        "ratio": ratio(many - idle, one - idle),
    }
    lines = [
        f"The server's RSS with sessions on one {parquet.stat().st_size / 2**20:,.0f} MB Parquet "
        f"file: idle {idle:,.0f} MB; one session {one:,.0f} MB (+{one - idle:,.0f} MB, read and "
        f"counted in {first_seconds:.1f} s); {n_sessions} sessions {many:,.0f} MB "
        f"(+{many - one:,.0f} MB for the other {n_sessions - 1}, each shown in "
        f"{max(others, default=0):.1f} s at most); growth over idle {figures['ratio']:.2f}x one "
        f"session's. {held}"
    ]
    return figures, lines


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_json_option(parser)
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the big files")
    parser.add_argument("--sessions", type=int, default=4, help="browser sessions on one file")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each read")
    parser.add_argument("--parts", default="read,refusals,sessions", help="which parts to run")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    figures, lines = {"rows": args.rows}, []
    with tempfile.TemporaryDirectory(prefix="bench-score-server-") as tmp:
        directory = Path(tmp)
        parquet = directory / "scores.parquet"
        write_parquet(parquet, args.rows)
        if "read" in parts:
            figures["read"], text = bench_read(parquet, args.rows, args.repeat)
            lines += text
        if "refusals" in parts:
            csv = directory / "scores.csv"
            write_csv(csv, args.rows)
            figures["refusals"], text = bench_refusals(directory, parquet, csv, args.rows)
            lines += text
        if "sessions" in parts:
            figures["sessions"], text = bench_sessions(parquet, args.sessions)
            lines += text
    return emit(args, figures, "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
