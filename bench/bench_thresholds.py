"""Benchmark: every number at one threshold on 60,000 scores.

    python bench/bench_thresholds.py [--n 60000] [--thresholds 2000] [--seed 0] [--json [PATH]]

- ``metrics_at`` (a binary search on the sorted scores) against scikit-learn's
  ``confusion_matrix(y_true, scores >= t)``, both at the same random thresholds, each call timed
  on its own (median and p90); the two agree on every count first. Goal: under 5 ms.

The scores are synthetic (seeded), shaped like the notebook's SGD decision scores: about 9%
positives, roughly -60,000..+30,000.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from common import add_json_option, emit, ratio, summary
from sklearn.metrics import confusion_matrix

from core.counting import build_score_index, metrics_at


def time_each(function, arguments) -> list[float]:
    """Microseconds per call, each call timed on its own."""
    times = []
    for argument in arguments:
        start = time.perf_counter()
        function(argument)
        times.append((time.perf_counter() - start) * 1e6)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_json_option(parser)
    parser.add_argument("--n", type=int, default=60_000, help="number of scores")
    parser.add_argument("--thresholds", type=int, default=2000, help="random thresholds to time")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    y_true = rng.random(args.n) < 0.09
    scores = rng.normal(size=args.n) * 9000 + np.where(y_true, 5000.0, -16000.0)
    index = build_score_index(y_true=y_true, scores=scores)
    low, high = float(scores.min()), float(scores.max())
    thresholds = rng.uniform(low - 1000, high + 1000, args.thresholds).tolist()
    for t in thresholds[:100]:  # the two agree before either is timed
        m = metrics_at(index, threshold=t)
        (tn, fp), (fn, tp) = confusion_matrix(y_true, scores >= t, labels=[False, True])
        assert (m.tp, m.fp, m.fn, m.tn) == (tp, fp, fn, tn), t

    ours = summary(time_each(lambda t: metrics_at(index, threshold=t), thresholds))
    sample = thresholds[: max(20, args.thresholds // 40)]
    sklearn = summary(time_each(lambda t: confusion_matrix(y_true, scores >= t), sample))
    figures = {
        "n": args.n,
        "metrics_at_us": {**ours, "calls": len(thresholds)},
        "sklearn_confusion_matrix_us": {**sklearn, "calls": len(sample)},
        "metrics_at_over_sklearn": ratio(ours["median"], sklearn["median"]),
    }
    text = (
        f"{args.n:,} scores; metrics_at median {ours['median']:.1f} us (p90 {ours['p90']:.1f}), "
        f"{len(thresholds)} calls; confusion_matrix median {sklearn['median'] / 1000:.2f} ms "
        f"(p90 {sklearn['p90'] / 1000:.2f}), {len(sample)} calls; ratio "
        f"{figures['metrics_at_over_sklearn']:.4f}"
    )
    return emit(args, figures, text)


if __name__ == "__main__":
    sys.exit(main())
