"""Benchmark: training each model of /compare on the real MNIST, against plain scikit-learn.

    MNIST_DATA=/work/shared/mnist python bench/bench_compare.py [--models forest,logistic]
        [--no-reference] [--digit 5] [--json [PATH]]

For each model, each run in a fresh process (so its peak RSS is its own):

- ours: ``core.compare.train_model(use_cache=False)`` into an empty cache directory (for
  ``sgd`` that also fits the final model); each fold's end is recorded from the progress;
- reference: ``cross_val_predict(model, X_train, y_train, cv=3, method=...)`` on the float64
  ``X_train`` the notebook has (divided by 255 for logistic regression); its data conversion
  is not timed.

Prints seconds, ours / reference, peak RSS, and how the cross-validated scores compare
(bit-identical, else the largest difference relative to the reference's range). Minutes per
model; ``--models forest,logistic --no-reference`` is a quick check. Not run by bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from common import add_json_option, digest, emit, mnist_dir, ratio, run_process

MODELS = ("sgd", "sgd_scaled", "logistic", "forest")
SELF = os.path.abspath(__file__)


def child(variant: str, model: str, digit: int, out: Path) -> dict:
    """One run in this process; the scores go to ``out`` (.npy)."""
    import warnings

    import numpy as np

    from core.compare import MODELS as SPECS
    from core.compare import train_model
    from core.data import load_dataset

    warnings.simplefilter("ignore")  # a ConvergenceWarning must not garble the JSON line
    dataset, spec, fold_ends = load_dataset(data_dir=str(mnist_dir())), SPECS[model], []
    if variant == "ours":
        start = time.perf_counter()

        def progress(update) -> None:
            fold_ends.extend([time.perf_counter() - start] * (update.folds_done - len(fold_ends)))

        scores = train_model(
            dataset, digit=digit, model=model, cache_dir=str(out.parent / "cache"),
            use_cache=False, progress=progress,
        ).cv_scores  # fmt: skip
    else:
        from sklearn.model_selection import cross_val_predict

        X_train = dataset.train_images.astype(np.float64)  # the notebook's float64 pixels
        if spec.pixel_divisor != 1.0:
            X_train /= spec.pixel_divisor
        y_train = dataset.train_labels == digit
        start = time.perf_counter()
        scores = cross_val_predict(spec.build(), X_train, y_train, cv=3, method=spec.method)
        scores = scores[:, 1] if spec.method == "predict_proba" else scores
    seconds = time.perf_counter() - start
    scores = np.ascontiguousarray(scores, dtype=np.float64)
    np.save(out, scores)
    return {"seconds": seconds, "fold_ends": fold_ends, "scores_sha256": digest(scores)}


def spawn(variant: str, model: str, digit: int, scratch: str) -> dict:
    out = Path(scratch, f"{variant}-{model}.npy")
    command = [sys.executable, SELF, "--child", variant, model, str(out), "--digit", str(digit)]
    run = run_process(command)
    if run["returncode"]:
        sys.exit(f"{variant} {model} failed:\n{run['stderr']}")
    return {**json.loads(run["stdout"].strip().splitlines()[-1]), "peak_rss_mb": run["peak_rss_mb"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_json_option(parser)
    parser.add_argument("--digit", type=int, default=5)
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated")
    parser.add_argument("--no-reference", action="store_true", help="skip scikit-learn's runs")
    parser.add_argument("--child", nargs=3, metavar=("VARIANT", "MODEL", "OUT"), help="internal")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.digit, Path(args.child[2]))))
        return 0
    mnist_dir()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if set(models) - set(MODELS):
        parser.error(f"unknown model(s) {set(models) - set(MODELS)}; choose from {MODELS}")
    import numpy as np

    runs: dict[str, dict] = {}
    lines = [f"digit {args.digit}, {os.cpu_count()} cores, real MNIST"]
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as scratch:
        for model in models:
            run = runs[model] = {"ours": spawn("ours", model, args.digit, scratch)}
            ours = run["ours"]
            folds = ", ".join(f"{t:.1f}" for t in ours["fold_ends"])
            lines.append(
                f"{model:<11} ours {ours['seconds']:7.1f} s (folds ended at {folds} s), "
                f"peak RSS {ours['peak_rss_mb']:5.0f} MB"
            )
            if args.no_reference:
                continue
            reference = run["reference"] = spawn("reference", model, args.digit, scratch)
            a, b = (np.load(Path(scratch, f"{v}-{model}.npy")) for v in ("ours", "reference"))
            run["ours_over_reference"] = ratio(ours["seconds"], reference["seconds"])
            run["scores_identical"] = ours["scores_sha256"] == reference["scores_sha256"]
            run["largest_relative_difference"] = float(
                np.abs(a - b).max() / (float(b.max() - b.min()) or 1.0)
            )
            lines.append(
                f"{'':<11} cross_val_predict {reference['seconds']:7.1f} s, peak RSS "
                f"{reference['peak_rss_mb']:5.0f} MB; ours / reference = "
                f"{run['ours_over_reference']:.2f}; scores identical: {run['scores_identical']} "
                f"(largest difference {run['largest_relative_difference']:.1e} of their range)"
            )
    figures = {"digit": args.digit, "load_average_after": os.getloadavg()[0], "runs": runs}
    return emit(args, figures, "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
