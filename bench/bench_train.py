"""Training cost: the notebook's own sequence against our cold and warm train_detector.

Runs, each in a fresh subprocess (so its peak RSS is its own), on the real MNIST:

- ``notebook``: cells [7], [8], [10] and [13] as written: one fit, ``cross_val_score``,
  ``cross_val_predict`` and ``cross_val_predict(method="decision_function")``, on the float64
  ``X_train`` the notebook has;
- ``cold``: ``train_detector(use_cache=False)`` into an empty temporary cache directory;
- ``warm``: ``train_detector`` in a new process reading the cache the cold run wrote.

Prints seconds, the ratios cold / notebook (goal <= 0.3) and warm / cold, peak RSS, and
whether the cross-validated scores are bit-identical.

    MNIST_DATA=/work/shared/mnist python bench/bench_train.py [--json [PATH]] [--digit 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from process_figures import digest, peak_rss_mb, rss_mb

ROOT = Path(__file__).resolve().parents[1]
GOAL_RATIO = 0.3
VARIANTS = ("notebook", "cold", "warm")


def _run_notebook(dataset, digit: int) -> dict:
    import numpy as np
    from sklearn.linear_model import SGDClassifier
    from sklearn.model_selection import cross_val_predict, cross_val_score

    # What fetch_openml hands the notebook: float64 pixels (cells [1], [2], [5]); not timed.
    X = dataset.images.astype(np.float64)
    X_train, y_train = X[: dataset.n_train], dataset.train_labels
    y_train_5 = y_train == digit
    baseline_mb = rss_mb()
    steps = {}

    start = time.perf_counter()
    sgd_clf = SGDClassifier(random_state=42)
    sgd_clf.fit(X_train, y_train_5)
    steps["fit [7]"] = time.perf_counter() - start

    start = time.perf_counter()
    cross_val_score(sgd_clf, X_train, y_train_5, cv=3, scoring="accuracy")
    steps["cross_val_score [8]"] = time.perf_counter() - start

    start = time.perf_counter()
    cross_val_predict(sgd_clf, X_train, y_train_5, cv=3)
    steps["cross_val_predict [10]"] = time.perf_counter() - start

    start = time.perf_counter()
    y_scores = cross_val_predict(sgd_clf, X_train, y_train_5, cv=3, method="decision_function")
    steps["cross_val_predict decision_function [13]"] = time.perf_counter() - start

    return {
        "seconds": sum(steps.values()),
        "steps": steps,
        "baseline_rss_mb": baseline_mb,
        "scores_sha256": digest(y_scores),
    }


def _run_detector(dataset, digit: int, cache_dir: str, *, use_cache: bool) -> dict:
    from core.detector import train_detector

    baseline_mb = rss_mb()
    start = time.perf_counter()
    result = train_detector(dataset, digit=digit, cache_dir=cache_dir, use_cache=use_cache)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "from_cache": result.from_cache,
        "baseline_rss_mb": baseline_mb,
        "scores_sha256": digest(result.cv_scores),
    }


def _variant(args: argparse.Namespace) -> None:
    """Child process: run one variant and print its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    from core.data import load_dataset

    dataset = load_dataset(data_dir=args.data_dir)
    if args.variant == "notebook":
        figures = _run_notebook(dataset, args.digit)
    else:
        figures = _run_detector(
            dataset, args.digit, args.cache_dir, use_cache=args.variant == "warm"
        )
    figures["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(figures))


def _spawn(variant: str, args: argparse.Namespace, cache_dir: str) -> dict:
    command = [
        sys.executable,
        __file__,
        "--variant",
        variant,
        "--digit",
        str(args.digit),
        "--data-dir",
        args.data_dir,
        "--cache-dir",
        cache_dir,
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{variant} run failed:\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = time.perf_counter() - start
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="PATH",
        help="write the figures as JSON to PATH (no PATH: print them instead of the text)",
    )
    parser.add_argument("--digit", type=int, default=5)
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DATA"))
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("set MNIST_DATA or pass --data-dir (a directory of the MNIST IDX files)")
    if args.variant:
        _variant(args)
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-train-") as cache_dir:
        runs = {variant: _spawn(variant, args, cache_dir) for variant in VARIANTS}
    notebook, cold, warm = (runs[v] for v in VARIANTS)
    summary = {
        "digit": args.digit,
        "cpu_cores": os.cpu_count(),
        "runs": runs,
        "cold_over_notebook": cold["seconds"] / notebook["seconds"],
        "goal_ratio": GOAL_RATIO,
        "goal_met": cold["seconds"] / notebook["seconds"] <= GOAL_RATIO,
        "warm_over_cold": warm["seconds"] / cold["seconds"],
        "warm_from_cache": warm["from_cache"],
        "scores_identical": notebook["scores_sha256"]
        == cold["scores_sha256"]
        == warm["scores_sha256"],
    }
    if args.json == "-":
        print(json.dumps(summary, indent=2))
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    print(f"digit {args.digit}, {summary['cpu_cores']} cores, real MNIST")
    for name, seconds in notebook["steps"].items():
        print(f"  notebook {name:<42} {seconds:8.2f} s")
    for variant in VARIANTS:
        run = runs[variant]
        print(
            f"{variant:<9} {run['seconds']:8.2f} s   peak RSS {run['peak_rss_mb']:7.0f} MB "
            f"(after loading the data: {run['baseline_rss_mb']:.0f} MB)"
        )
    print(
        f"cold / notebook = {summary['cold_over_notebook']:.3f} (goal <= {GOAL_RATIO}: "
        f"{'met' if summary['goal_met'] else 'NOT met'}); "
        f"warm / cold = {summary['warm_over_cold']:.5f}; "
        f"cross-validated scores identical: {summary['scores_identical']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
