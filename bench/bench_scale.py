"""Benchmark: ``python -m core tradeoff --scores FILE`` at scale, against pandas + scikit-learn.

    python bench/bench_scale.py [--rows 10000000] [--repeat 3] [--paths parquet,aggregated,csv]
                                [--keep DIR] [--json [PATH]]

A seeded file of ``--rows`` rows (label 0/1, score float64 with about as many distinct values
as rows) is written to a temporary folder (or ``--keep DIR``), then each command runs in a fresh
process, alternately, best of ``--repeat`` (wall time and the process's peak RSS):

- reference: ``pandas.read_parquet`` + ``sklearn.metrics.precision_recall_curve`` +
  ``roc_curve`` of the same columns (and the AUC and average precision they give);
- parquet: the command line on the same Parquet file;
- aggregated: the command line on the file's ``GROUP BY score`` (``score, positives,
  negatives``, made with pyarrow's group_by), the path of data that lives in a warehouse;
- csv: the command line on the same rows as CSV.

Ratios are against the reference of the same run. Exactness: each command line's AUC, average
precision and counts at the threshold equal the reference's (and each other's). The files are
deleted at the end unless ``--keep`` names a folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from common import add_json_option, emit, ratio, run_process

THRESHOLD = 0.5
HERE = Path(__file__).resolve()
FILES = {"parquet": "scores.parquet", "csv": "scores.csv", "aggregated": "aggregated.parquet"}
REFERENCE = """
import sys
import numpy as np
import pandas as pd
from sklearn.metrics import auc, precision_recall_curve, roc_curve

frame = pd.read_parquet(sys.argv[1])
y, s = frame["label"].to_numpy(), frame["score"].to_numpy()
precision, recall, _ = precision_recall_curve(y, s, drop_intermediate=False)
fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
flagged = s >= float(sys.argv[2])
print(auc(fpr, tpr), -np.sum(np.diff(recall) * precision[:-1]),
      int(np.count_nonzero(flagged & (y == 1))), int(np.count_nonzero(flagged & (y == 0))))
"""


def write_files(folder: Path, rows: int, paths: list[str]) -> dict[str, Path]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    label = rng.random(rows) < 0.2
    score = rng.normal(0.0, 1.0, rows) + 1.5 * label
    table = pa.table({"label": label.astype(np.int8), "score": score})
    del label, score
    files = {name: folder / FILES[name] for name in ("parquet", *paths)}
    pq.write_table(table, files["parquet"])
    if "csv" in paths:
        pacsv.write_csv(table, files["csv"])
    if "aggregated" in paths:
        counted = table.append_column("one", pa.array(np.ones(rows, dtype=np.int64)))
        grouped = counted.group_by("score").aggregate([("label", "sum"), ("one", "sum")])
        positives = pc.cast(grouped["label_sum"], pa.int64())
        negatives = pc.subtract(grouped["one_sum"], positives)
        pq.write_table(
            pa.table({"score": grouped["score"], "positives": positives, "negatives": negatives}),
            files["aggregated"],
        )
    return files


def cli_env(rows: int) -> dict[str, str]:
    """Budgets wide enough for the file: the defaults are a server's."""
    return {
        **os.environ,
        "THRESHOLD_EXPLORER_MAX_SCORE_ROWS": str(rows + 1),
        "THRESHOLD_EXPLORER_MAX_SCORE_MB": "100000",
        "THRESHOLD_EXPLORER_SCORE_MEMORY_MB": "100000",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paths", default="parquet,aggregated,csv")
    parser.add_argument("--keep", help="write the files into this folder and keep them")
    parser.add_argument("--write", metavar="DIR", help=argparse.SUPPRESS)  # the child's task
    add_json_option(parser)
    args = parser.parse_args()
    paths = [p for p in args.paths.split(",") if p]
    if args.write:
        write_files(Path(args.write), args.rows, paths)
        return 0
    with tempfile.TemporaryDirectory(dir="/tmp") as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        # Written by a child: a process forked from a big parent starts with its peak RSS.
        written = run_process(
            [sys.executable, str(HERE), "--write", str(folder), "--rows", str(args.rows),
             "--paths", ",".join(paths)],
        )  # fmt: skip
        if written["returncode"] != 0:
            sys.exit(f"writing the files failed: {written['stderr']}")
        files = {name: folder / FILES[name] for name in ("parquet", *paths)}
        sizes = {name: path.stat().st_size for name, path in files.items()}
        commands = {
            "reference": [sys.executable, "-c", REFERENCE, str(files["parquet"]), str(THRESHOLD)]
        }
        for name in paths:
            commands[name] = [
                sys.executable, "-m", "core", "tradeoff", "--scores", str(files[name]),
                f"--threshold={THRESHOLD}", "--json",
            ]  # fmt: skip
        runs: dict[str, list[dict]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                run = run_process(command, env=cli_env(args.rows))
                if run["returncode"] != 0:
                    sys.exit(f"{name} failed: {run['stderr']}")
                runs[name].append(run)
    best = {name: min(r, key=lambda run: run["seconds"]) for name, r in runs.items()}
    auc, ap, tp, fp = best["reference"]["stdout"].split()
    reference = {"auc": float(auc), "average_precision": float(ap), "tp": int(tp), "fp": int(fp)}
    figures = {"rows": args.rows, "file_bytes": sizes, "score_column_bytes": 8 * args.rows}
    for name, run in best.items():
        entry = {"seconds": run["seconds"], "peak_rss_mb": run["peak_rss_mb"]}
        if name != "reference":
            summary = json.loads(run["stdout"])
            got = {key: summary[key] for key in reference}
            entry["exact"] = got == reference
            entry["auc_ap_counts"] = got
            entry["ratio"] = ratio(run["seconds"], best["reference"]["seconds"])
            entry["rss_over_score_column"] = run["peak_rss_mb"] * 1e6 / (8 * args.rows)
        figures[name] = entry
    lines = [f"{args.rows:,} rows; best of {args.repeat}, each in a fresh process"]
    for name in commands:
        entry = figures[name]
        text = f"  {name:<10} {entry['seconds']:7.2f} s  peak RSS {entry['peak_rss_mb']:8.0f} MB"
        if name != "reference":
            text += f"  ratio {entry['ratio']:.2f}x  exact {entry['exact']}"
        lines.append(text)
    return emit(args, figures, "\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
