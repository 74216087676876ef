"""Training cost of each model of the comparison on the real MNIST, against plain scikit-learn.

For each model, each in a fresh subprocess (so its peak RSS is its own):

- ``ours``: :func:`core.compare.train_model` with ``use_cache=False`` into an empty temporary
  cache directory (for ``sgd`` that is :func:`core.detector.train_detector`, which also fits
  the final model); the time of each fold's end is recorded from the progress reports;
- ``reference``: ``cross_val_predict(model, X_train, y_train, cv=3, method=...)`` on the
  float64 ``X_train`` the notebook has (divided by 255 for logistic regression), one fold
  after the other, as a notebook would run it. Its data conversion is not timed.

Prints seconds, the ratio ours / reference, peak RSS, and how the cross-validated scores
compare (bit-identical, else the largest difference relative to the scores' spread).

    MNIST_DATA=/work/shared/mnist python bench/bench_compare.py [--models forest,logistic]
        [--no-reference] [--digit 5] [--json [PATH]]

``--models forest,logistic --no-reference`` is the quick check (about a minute).
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
MODELS = ("sgd", "sgd_scaled", "logistic", "forest")
VARIANTS = ("ours", "reference")


def _keep(scores, cache_dir: str, variant: str, model: str) -> None:
    import numpy as np

    np.save(Path(cache_dir) / f"scores-{variant}-{model}.npy", scores)


def _run_ours(dataset, digit: int, model: str, cache_dir: str) -> dict:
    from core.compare import train_model

    baseline_mb = rss_mb()
    start = time.perf_counter()
    fold_ends: list[float] = []

    def record(update) -> None:
        while len(fold_ends) < update.folds_done:
            fold_ends.append(time.perf_counter() - start)

    result = train_model(
        dataset, digit=digit, model=model, cache_dir=cache_dir, use_cache=False, progress=record
    )
    _keep(result.cv_scores, cache_dir, "ours", model)
    return {
        "seconds": time.perf_counter() - start,
        "fold_ends": fold_ends,
        "baseline_rss_mb": baseline_mb,
        "scores_sha256": digest(result.cv_scores),
    }


def _run_reference(dataset, digit: int, model: str, cache_dir: str) -> dict:
    import numpy as np
    from sklearn.model_selection import cross_val_predict

    from core.compare import MODELS as SPECS

    spec = SPECS[model]
    X_train = dataset.train_images.astype(np.float64)  # the notebook's float64 pixels
    if spec.pixel_divisor != 1.0:
        X_train /= spec.pixel_divisor
    y_train = dataset.train_labels == digit
    baseline_mb = rss_mb()
    start = time.perf_counter()
    scores = cross_val_predict(spec.build(), X_train, y_train, cv=3, method=spec.method)
    seconds = time.perf_counter() - start
    if spec.method == "predict_proba":
        scores = scores[:, 1]
    scores = np.ascontiguousarray(scores, dtype=np.float64)
    _keep(scores, cache_dir, "reference", model)
    return {
        "seconds": seconds,
        "baseline_rss_mb": baseline_mb,
        "scores_sha256": digest(scores),
    }


def _child(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    import warnings

    from core.data import load_dataset

    warnings.simplefilter("ignore")  # a ConvergenceWarning must not garble the JSON line
    dataset = load_dataset(data_dir=args.data_dir)
    if args.variant == "ours":
        figures = _run_ours(dataset, args.digit, args.model, args.cache_dir)
    else:
        figures = _run_reference(dataset, args.digit, args.model, args.cache_dir)
    figures["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(figures))


def _spawn(variant: str, model: str, args: argparse.Namespace, cache_dir: str) -> dict:
    command = [
        sys.executable,
        __file__,
        "--variant",
        variant,
        "--model",
        model,
        "--digit",
        str(args.digit),
        "--data-dir",
        args.data_dir,
        "--cache-dir",
        cache_dir,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{variant} {model} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _difference(cache_dir: str, model: str) -> float:
    """Largest |ours - reference| over the reference scores' range."""
    import numpy as np

    ours = np.load(Path(cache_dir) / f"scores-ours-{model}.npy")
    reference = np.load(Path(cache_dir) / f"scores-reference-{model}.npy")
    spread = float(reference.max() - reference.min()) or 1.0
    return float(np.abs(ours - reference).max()) / spread


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
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated")
    parser.add_argument("--no-reference", action="store_true", help="skip scikit-learn's runs")
    parser.add_argument("--data-dir", default=os.environ.get("MNIST_DATA"))
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--model", choices=MODELS, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("set MNIST_DATA or pass --data-dir (a directory of the MNIST IDX files)")
    if args.variant:
        _child(args)
        return 0
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")

    variants = ("ours",) if args.no_reference else VARIANTS
    runs: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as cache_dir:
        for model in models:
            runs[model] = {v: _spawn(v, model, args, cache_dir) for v in variants}
            if "reference" in runs[model]:
                ours, reference = runs[model]["ours"], runs[model]["reference"]
                runs[model]["ours_over_reference"] = ours["seconds"] / reference["seconds"]
                runs[model]["scores_identical"] = (
                    ours["scores_sha256"] == reference["scores_sha256"]
                )
                runs[model]["largest_relative_difference"] = _difference(cache_dir, model)
    summary = {
        "digit": args.digit,
        "cpu_cores": os.cpu_count(),
        "load_average_after": os.getloadavg()[0],
        "runs": runs,
    }
    if args.json == "-":
        print(json.dumps(summary, indent=2))
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    print(f"digit {args.digit}, {summary['cpu_cores']} cores, real MNIST")
    for model, run in runs.items():
        ours = run["ours"]
        folds = ", ".join(f"{t:.1f}" for t in ours["fold_ends"])
        print(
            f"{model:<11} ours {ours['seconds']:7.1f} s (folds ended at {folds} s), "
            f"peak RSS {ours['peak_rss_mb']:5.0f} MB "
            f"(data loaded: {ours['baseline_rss_mb']:.0f} MB)"
        )
        if "reference" in run:
            reference = run["reference"]
            print(
                f"{'':<11} cross_val_predict {reference['seconds']:7.1f} s, peak RSS "
                f"{reference['peak_rss_mb']:5.0f} MB; ours / reference = "
                f"{run['ours_over_reference']:.2f}; scores identical: {run['scores_identical']} "
                f"(largest difference {run['largest_relative_difference']:.1e} of their range)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
