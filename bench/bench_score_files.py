"""Benchmark: what refusing a bad score file costs, and reading a valid one.

    python bench/bench_score_files.py [--mb 10] [--rows 1000000] [--repeat 3] [--json [PATH]]

- Each bad input of issue 20's list, refused by ``load_score_table`` + ``scored_set_from_table``
  in a fresh process: its time and the process's peak RSS, against reading a valid file of the
  same size and format (same process set-up). Generated on the fly, about ``--mb`` MB each where
  size matters (a file past the size limit is a sparse file just over it).
- A valid file of ``--rows`` rows (label, score, fold, split), CSV and Parquet, read into a
  ``ScoredSet`` with its precision-recall curve, against ``pandas.read_csv`` /
  ``pandas.read_parquet`` + scikit-learn's ``precision_recall_curve`` of the same columns (best
  of ``--repeat``, each in a fresh process; the peak RSS of the process), and the isolated
  reader (a child process) against the in-process one.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from common import add_json_option, emit, ratio, run_process

HERE = Path(__file__).resolve()


# --- files --------------------------------------------------------------------------------------
def _frame(n_rows: int, *, seed: int = 0):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    label = (rng.random(n_rows) < 0.2).astype(np.int64)
    return pd.DataFrame(
        {
            "label": label,
            "score": np.round(rng.normal(size=n_rows) + 1.5 * label, 6),
            "fold": rng.integers(0, 5, n_rows),
            "split": np.where(rng.random(n_rows) < 0.2, "test", "train"),
        }
    )


def _rows_for(n_bytes: int) -> int:
    return max(10, n_bytes // 19)  # about 19 bytes a CSV row of _frame


def valid_csv(n_bytes: int) -> bytes:
    data = _frame(_rows_for(n_bytes)).to_csv(index=False).encode()
    return data


def valid_parquet(n_rows: int) -> bytes:
    sink = io.BytesIO()
    _frame(n_rows).to_parquet(sink, index=False)
    return sink.getvalue()


def bad_inputs(n_bytes: int) -> dict:
    """name -> (bytes or ("sparse", size), format, column choices, the expected problem)."""
    from core.score_files import ReadLimits
    from harness.hostile_files import (
        duplicate_column_parquet,
        nested_parquet,
        parquet_claiming,
        wide_csv,
    )

    csv = valid_csv(n_bytes)
    body = csv.split(b"\n", 1)[1]
    n_rows = _rows_for(n_bytes)
    parquet = valid_parquet(n_rows * 3)  # about the CSV's size
    middle = len(parquet) // 2
    flipped = parquet[:middle] + bytes([parquet[middle] ^ 0xFF]) + parquet[middle + 1 :]

    def last_row(row: bytes) -> bytes:
        return csv[: csv.rstrip(b"\n").rfind(b"\n") + 1] + row

    labels = csv.split(b"\n")
    return {
        "empty file": (b"", "csv", {}, "empty"),
        "no header": (body, "csv", {}, "no_header"),
        "a named column missing": (csv, "csv", {"group": "region"}, "missing_column"),
        "a score that is not a number (last row)": (
            last_row(b'1,"12,5",0,train\n'), "csv", {}, "not_a_number"
        ),
        "a NaN score (last row)": (last_row(b"1,nan,0,train\n"), "csv", {}, "not_finite"),
        "one label value": (csv.replace(b"\n1,", b"\n0,"), "csv", {}, "one_label"),
        "three label values (last row)": (
            b"\n".join(labels[:-2] + [b"2" + labels[-2][1:], b""]),
            "csv",
            {},
            "too_many_labels",
        ),
        "the positive class absent": (csv, "csv", {"positive": "yes"}, "positive_absent"),
        "past the size limit": (("sparse", ReadLimits().max_bytes + 1), "csv", {}, "too_big"),
        "a line of millions of columns": (wide_csv(5_000_000), "csv", {}, "line_too_long"),
        "Parquet, nested column": (nested_parquet(), "parquet", {}, "nested_column"),
        "Parquet, duplicate column": (
            duplicate_column_parquet(), "parquet", {}, "duplicate_column"
        ),
        "Parquet, truncated": (parquet[: len(parquet) * 2 // 3], "parquet", {}, "damaged"),
        "Parquet, a byte flipped in its pages": (flipped, "parquet", {}, None),
        "Parquet, pages claim 8 GB": (
            parquet_claiming(8 * 2**30), "parquet", {}, "claims_too_much"
        ),
    }  # fmt: skip


# --- one measurement, in a fresh process --------------------------------------------------------
def child(argv) -> int:
    """``--child MODE PATH CHOICES_JSON``: read once, print time, peak RSS and the outcome.

    The peak is the process's VmHWM: unlike ``ru_maxrss`` it starts anew at exec, so the
    parent's memory (which holds the generated files) is not counted.
    """
    from harness.memory import status_kb

    mode, path, choices = argv[0], argv[1], json.loads(argv[2])
    import numpy as np  # noqa: F401 - every import before the clock starts
    import pandas as pd
    import pyarrow.csv  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    from sklearn.metrics import precision_recall_curve

    from core.score_files import ScoreFileError, load_score_table, scored_set_from_table
    from core.tradeoff import scored_tradeoff_data

    before = status_kb(os.getpid(), "VmHWM") * 1024 / 1e6
    start = time.perf_counter()
    outcome = "read"
    curve = choices.pop("curve", True)
    try:
        if mode in ("ours", "isolated"):
            table = load_score_table(path, name="f", isolated=mode == "isolated")
            scored = scored_set_from_table(
                table,
                label=choices.pop("label", "label"),
                score=choices.pop("score", "score"),
                **choices,
            )
            if curve:
                scored_tradeoff_data(scored).pr_curve  # noqa: B018 - the curve, as the page needs
        elif mode in ("pandas_csv", "pandas_parquet"):
            read = pd.read_csv if mode == "pandas_csv" else pd.read_parquet
            frame = read(path)
            precision_recall_curve(frame["label"] == 1, frame["score"])
        else:
            raise SystemExit(f"unknown mode {mode}")
    except ScoreFileError as exc:
        outcome = exc.problem
    seconds = time.perf_counter() - start
    peak = status_kb(os.getpid(), "VmHWM") * 1024 / 1e6
    print(
        json.dumps({"seconds": seconds, "peak_mb": peak, "before_mb": before, "outcome": outcome})
    )
    return 0


def measure(mode: str, path: Path, choices: dict, repeat: int = 1) -> dict:
    runs = []
    for _ in range(repeat):
        done = run_process(
            [sys.executable, str(HERE), "--child", mode, str(path), json.dumps(choices)],
            env={**os.environ, "PYTHONPATH": str(HERE.parents[1])},
        )
        if done["returncode"] != 0:
            return {"error": done["stderr"][-500:]}
        runs.append(json.loads(done["stdout"]))
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "peak_mb": max(r["peak_mb"] for r in runs)}


def write(directory: Path, name: str, content) -> Path:
    path = directory / name
    if isinstance(content, tuple):  # ("sparse", size): a file of holes, costing no disk
        with path.open("wb") as handle:
            handle.truncate(content[1])
    else:
        path.write_bytes(content)
    return path


def size_of(path: Path) -> int:
    return path.stat().st_size


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_json_option(parser)
    parser.add_argument("--mb", type=float, default=10, help="size of the bad inputs, in MB")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the valid files")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each valid-file read")
    args = parser.parse_args(argv)
    from core.score_files import ReadLimits

    figures = {"mb": args.mb, "rows": args.rows, "bad": {}, "valid": {}}
    lines = [f"Refusing bad score files (about {args.mb:g} MB where size matters), each in a "
             "fresh process, against a valid file of the same size and format:"]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-score-files-") as tmp:
        directory = Path(tmp)
        cases = bad_inputs(int(args.mb * 2**20))
        for k, (name, (content, kind, choices, expected)) in enumerate(cases.items()):
            path = write(directory, f"bad{k}.{kind}", content)
            n_bytes = size_of(path)
            refused = measure("ours", path, {**choices, "curve": False})
            # Past the row limit a valid file is refused too: the reference stops there.
            reference_bytes = min(max(n_bytes, 1000), 19 * ReadLimits().max_rows)
            if kind == "csv":
                reference = write(directory, f"ref{k}.csv", valid_csv(reference_bytes))
            else:
                reference = write(directory, f"ref{k}.parquet",
                                  valid_parquet(max(10, reference_bytes // 8)))  # fmt: skip
            valid = measure("ours", reference, {"curve": False})
            figures["bad"][name] = {
                "bytes": n_bytes,
                "expected": expected,
                "refused": refused,
                "valid_same_size": {**valid, "bytes": size_of(reference)},
            }
            outcome = refused.get("outcome", "error")
            time_ratio = ratio(refused.get("seconds"), valid.get("seconds")) or float("nan")
            peak_ratio = ratio(refused.get("peak_mb"), valid.get("peak_mb")) or float("nan")
            lines.append(
                f"  {name} ({n_bytes / 2**20:,.2f} MB): {outcome}, "
                f"{refused.get('seconds', float('nan')) * 1000:,.1f} ms, peak RSS "
                f"{refused.get('peak_mb', float('nan')):,.0f} MB; valid file "
                f"({size_of(reference) / 2**20:,.2f} MB): "
                f"{valid.get('seconds', float('nan')) * 1000:,.1f} ms, "
                f"{valid.get('peak_mb', float('nan')):,.0f} MB; time ratio "
                f"{time_ratio:.2f}, peak ratio {peak_ratio:.2f}"
            )  # fmt: skip
        lines.append(f"A valid file of {args.rows:,} rows (label, score, fold, split) into a "
                     f"scored set with its PR curve, best of {args.repeat}:")  # fmt: skip
        frame = _frame(args.rows)
        csv_path = directory / "valid.csv"
        frame.to_csv(csv_path, index=False)
        parquet_path = directory / "valid.parquet"
        frame.to_parquet(parquet_path, index=False)
        choices = {"fold": "fold", "split": "split"}
        for kind, path, reference_mode in (
            ("csv", csv_path, "pandas_csv"),
            ("parquet", parquet_path, "pandas_parquet"),
        ):
            ours = measure("ours", path, dict(choices), args.repeat)
            isolated = measure("isolated", path, dict(choices), args.repeat)
            pandas = measure(reference_mode, path, {}, args.repeat)
            figures["valid"][kind] = {
                "bytes": size_of(path),
                "ours": ours,
                "isolated": isolated,
                "pandas_sklearn": pandas,
            }
            ref = "pandas.read_csv" if kind == "csv" else "pandas.read_parquet"
            lines.append(
                f"  {kind} ({size_of(path) / 2**20:,.1f} MB): ours {ours['seconds']:.2f} s, "
                f"peak RSS {ours['peak_mb']:,.0f} MB; {ref} + precision_recall_curve "
                f"{pandas['seconds']:.2f} s, {pandas['peak_mb']:,.0f} MB; ratio "
                f"{ratio(ours['seconds'], pandas['seconds']):.2f} (time), "
                f"{ratio(ours['peak_mb'], pandas['peak_mb']):.2f} (peak); isolated reader "
                f"{isolated['seconds']:.2f} s ({ratio(isolated['seconds'], ours['seconds']):.2f}x "
                "in-process)"
            )
    return emit(args, figures, "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
