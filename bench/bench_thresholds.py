"""Benchmark: the threshold engine and the chart builders on MNIST-sized scores.

    python bench/bench_thresholds.py [--n 60000] [--thresholds 2000] [--seed 0] [--json [PATH]]

Every figure is measured in this run, against a reference measured in the same run:

- ``metrics_at`` (binary search on the sorted scores) against a vectorised full pass over all
  scores (``np.count_nonzero(scores >= t)`` and friends) and against scikit-learn's
  ``confusion_matrix(y_true, scores >= t)``. Medians over many random thresholds, each call
  timed on its own.
- The figure builders: build time per threshold change (thinned points cached, as in the app),
  the first build (thinning included), ``to_json`` time, and JSON bytes at several
  ``max_points`` against the same figure drawn with every point.

The scores are synthetic (seeded), shaped like the notebook's SGD decision scores: 60,000 of
them, about 9% positives, roughly -60,000..+30,000.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.metrics import confusion_matrix  # noqa: E402

from core.charts import (  # noqa: E402
    DEFAULT_MAX_POINTS,
    precision_recall_figure,
    precision_recall_vs_threshold_figure,
    roc_figure,
)
from core.thresholds import (  # noqa: E402
    borderline_indices,
    build_score_index,
    changed_side,
    metrics_at,
    precision_recall_curve_exact,
    roc_curve_exact,
    threshold_for_best_fbeta,
    threshold_for_least_cost,
    threshold_for_precision,
    threshold_for_recall,
)


def detector_scores(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = rng.random(n) < 0.09
    scores = rng.normal(size=n) * 9000 + np.where(y_true, 5000.0, -16000.0)
    return y_true, scores


def time_each(function, arguments) -> list[float]:
    """Seconds per call, each call timed on its own."""
    times = []
    for argument in arguments:
        start = time.perf_counter()
        function(argument)
        times.append(time.perf_counter() - start)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "median_us": statistics.median(ordered) * 1e6,
        "p95_us": ordered[int(0.95 * (len(ordered) - 1))] * 1e6,
        "calls": len(ordered),
    }


def full_pass_metrics(y_true: np.ndarray, scores: np.ndarray, n_pos: int, threshold: float):
    """The reference: one vectorised pass over every score, the same numbers as metrics_at."""
    flagged = scores >= threshold
    n_flagged = int(np.count_nonzero(flagged))
    tp = int(np.count_nonzero(flagged & y_true))
    fp = n_flagged - tp
    fn = n_pos - tp
    tn = scores.size - n_flagged - fn
    precision = tp / n_flagged if n_flagged else float("nan")
    recall = tp / n_pos if n_pos else float("nan")
    return tp, fp, fn, tn, precision, recall


def bench_engine(y_true, scores, n_thresholds: int, rng) -> dict:
    build_times = time_each(lambda _: build_score_index(y_true=y_true, scores=scores), range(5))
    index = build_score_index(y_true=y_true, scores=scores)
    low, high = float(scores.min()), float(scores.max())
    thresholds = rng.uniform(low - 1000, high + 1000, n_thresholds).tolist()

    for threshold in thresholds[:200]:  # the two agree before either is timed
        ours = metrics_at(index, threshold=threshold)
        ref = full_pass_metrics(y_true, scores, index.n_pos, threshold)
        assert (ours.tp, ours.fp, ours.fn, ours.tn) == ref[:4], threshold

    ours = summary(time_each(lambda t: metrics_at(index, threshold=t), thresholds))
    full = summary(
        time_each(lambda t: full_pass_metrics(y_true, scores, index.n_pos, t), thresholds[:500])
    )
    sklearn_cm = summary(
        time_each(lambda t: confusion_matrix(y_true, scores >= t), thresholds[:50])
    )
    curve_times = {
        "precision_recall_curve_exact_ms": 1e3
        * min(time_each(lambda _: precision_recall_curve_exact(index), range(3))),
        "roc_curve_exact_ms": 1e3 * min(time_each(lambda _: roc_curve_exact(index), range(3))),
    }
    pickers = {
        "threshold_for_precision": lambda: threshold_for_precision(index, target=0.9),
        "threshold_for_recall": lambda: threshold_for_recall(index, target=0.9),
        "threshold_for_best_fbeta": lambda: threshold_for_best_fbeta(index, beta=1.0),
        "threshold_for_least_cost": lambda: threshold_for_least_cost(
            index, false_positive_cost=1.0, false_negative_cost=5.0
        ),
    }
    picker_ms = {
        name: 1e3 * min(time_each(lambda _, call=call: call(), range(5)))
        for name, call in pickers.items()
    }
    cut = float(np.median(scores))
    at_cut = {
        "borderline_indices_us": summary(
            time_each(
                lambda t: borderline_indices(index, threshold=t, kind="false_positive", limit=12),
                thresholds[:500],
            )
        )["median_us"],
        "changed_side_us": summary(
            time_each(
                lambda t: changed_side(index, old_threshold=cut, new_threshold=t, limit=12),
                thresholds[:500],
            )
        )["median_us"],
    }
    return {
        "build_score_index_ms": 1e3 * statistics.median(build_times),
        "metrics_at": ours,
        "reference_full_pass": full,
        "reference_sklearn_confusion_matrix": sklearn_cm,
        "speedup_vs_full_pass": full["median_us"] / ours["median_us"],
        "speedup_vs_sklearn_confusion_matrix": sklearn_cm["median_us"] / ours["median_us"],
        "curves": curve_times,
        "pickers_ms": picker_ms,
        "at_the_cut": at_cut,
    }


def bench_figures(y_true, scores, rng) -> dict:
    index = build_score_index(y_true=y_true, scores=scores)
    threshold = threshold_for_precision(index, target=0.9).threshold
    thresholds = rng.uniform(np.quantile(scores, 0.01), np.quantile(scores, 0.99), 40).tolist()
    results = {}
    for max_points in sorted({2000, 1000, DEFAULT_MAX_POINTS}, reverse=True):
        # Fresh curve objects: the thinned points are cached per curve, so the first build
        # below pays for thinning, as the app's first draw does.
        curve, roc = precision_recall_curve_exact(index), roc_curve_exact(index)
        builders = {
            "precision_recall_vs_threshold": lambda t, c=curve, m=max_points: (
                precision_recall_vs_threshold_figure(c, threshold=t, max_points=m)
            ),
            "precision_recall": lambda t, c=curve, m=max_points: precision_recall_figure(
                c, threshold=t, max_points=m
            ),
            "roc": lambda t, r=roc, m=max_points: roc_figure(r, threshold=t, max_points=m),
        }
        per_figure = {}
        for name, build in builders.items():
            first = time_each(build, [threshold])[0]
            figure = build(threshold)
            json_times = time_each(lambda _, f=figure: f.to_json(), range(5))
            per_figure[name] = {
                "json_bytes": len(figure.to_json()),
                "first_build_ms": first * 1e3,
                "build_ms_median": summary(time_each(build, thresholds))["median_us"] / 1e3,
                "to_json_ms_median": statistics.median(json_times) * 1e3,
            }
        results[str(max_points)] = {
            "figures": per_figure,
            "total_json_bytes": sum(f["json_bytes"] for f in per_figure.values()),
            "total_build_ms_median": sum(f["build_ms_median"] for f in per_figure.values()),
        }
    # The reference: the same three figures with every point drawn.
    curve, roc = precision_recall_curve_exact(index), roc_curve_exact(index)
    every = index.n_samples + 1
    full = [
        precision_recall_vs_threshold_figure(curve, threshold=threshold, max_points=every),
        precision_recall_figure(curve, threshold=threshold, max_points=every),
        roc_figure(roc, threshold=threshold, max_points=every),
    ]
    full_bytes = sum(len(figure.to_json()) for figure in full)
    for entry in results.values():
        entry["share_of_unthinned_bytes"] = entry["total_json_bytes"] / full_bytes
    return {
        "default_max_points": DEFAULT_MAX_POINTS,
        "threshold": threshold,
        "by_max_points": results,
        "reference_unthinned_total_json_bytes": full_bytes,
    }


def print_report(report: dict) -> None:
    engine, figures = report["engine"], report["figures"]
    print(f"{report['n']:,} scores, {engine['metrics_at']['calls']:,} random thresholds")
    print(f"build_score_index            {engine['build_score_index_ms']:8.2f} ms (once)")
    rows = [
        ("metrics_at (binary search)", engine["metrics_at"]),
        ("reference: full vectorised pass", engine["reference_full_pass"]),
        ("reference: sklearn confusion_matrix", engine["reference_sklearn_confusion_matrix"]),
    ]
    for label, row in rows:
        print(
            f"{label:36s} median {row['median_us']:9.1f} us  p95 {row['p95_us']:9.1f} us"
            f"  ({row['calls']} calls)"
        )
    print(
        f"metrics_at is {engine['speedup_vs_full_pass']:.0f}x faster than a full pass, "
        f"{engine['speedup_vs_sklearn_confusion_matrix']:.0f}x faster than confusion_matrix"
    )
    for name, value in {**engine["curves"], **engine["pickers_ms"]}.items():
        print(f"{name:36s} {value:8.2f} ms")
    for name, value in engine["at_the_cut"].items():
        print(f"{name:36s} {value:8.1f} us (limit 12)")
    print(
        f"\nfigures at threshold {figures['threshold']:.2f} (default max_points "
        f"{figures['default_max_points']}; unthinned reference "
        f"{figures['reference_unthinned_total_json_bytes'] / 1e3:,.0f} KB)"
    )
    for max_points, entry in figures["by_max_points"].items():
        print(
            f"max_points {max_points:>5}: total {entry['total_json_bytes'] / 1e3:7.1f} KB "
            f"({entry['share_of_unthinned_bytes']:.1%} of unthinned), "
            f"build {entry['total_build_ms_median']:.1f} ms for the three"
        )
        for name, figure in entry["figures"].items():
            print(
                f"    {name:32s} {figure['json_bytes'] / 1e3:7.1f} KB  build "
                f"{figure['build_ms_median']:5.2f} ms (first {figure['first_build_ms']:6.1f} ms)"
                f"  to_json {figure['to_json_ms_median']:5.2f} ms"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=60_000, help="number of scores")
    parser.add_argument("--thresholds", type=int, default=2000, help="random thresholds to time")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="PATH",
        help="write the results as JSON to PATH (no PATH: print them instead of the text)",
    )
    args = parser.parse_args(argv)
    y_true, scores = detector_scores(args.n, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    report = {
        "n": args.n,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "engine": bench_engine(y_true, scores, args.thresholds, rng),
        "figures": bench_figures(y_true, scores, rng),
    }
    if args.json == "-":
        print(json.dumps(report, indent=2))
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
