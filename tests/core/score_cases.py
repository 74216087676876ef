"""Seeded labels and scores shared by the counting, curve and picker tests, with brute force."""

from __future__ import annotations

import math

import numpy as np


def make_case(seed: int, n: int = 400, *, ties: bool = False, positive_rate: float = 0.3):
    """Labels and scores where positives score higher on average, as a detector's would."""
    rng = np.random.default_rng(seed)
    y_true = rng.random(n) < positive_rate
    scores = rng.normal(size=n) * 3000 + np.where(y_true, 2500.0, -2500.0)
    if ties:
        scores = np.round(scores / 2000) * 2000  # a handful of distinct values
    return y_true, scores


CASES = {
    "continuous": make_case(0),
    "ties": make_case(1, ties=True),
    "few_positives": make_case(2, positive_rate=0.05),
    "all_positive": (np.ones(50, dtype=bool), make_case(3, 50)[1]),
    "all_negative": (np.zeros(50, dtype=bool), make_case(4, 50)[1]),
    "all_positive_ties": (np.ones(60, dtype=bool), make_case(5, 60, ties=True)[1]),
    "single_positive": (np.array([True]), np.array([1.5])),
    "single_negative": (np.array([0]), np.array([-7.0])),
}


def brute_counts(y_true, scores, threshold):
    flagged = scores >= threshold
    y_true = np.asarray(y_true, dtype=bool)
    return (
        int(np.sum(flagged & y_true)),
        int(np.sum(flagged & ~y_true)),
        int(np.sum(~flagged & y_true)),
        int(np.sum(~flagged & ~y_true)),
    )


def probe_thresholds(scores):
    """Every distinct score, midpoints between them, values beyond the range, and +-inf."""
    distinct = np.unique(scores)
    mids = (distinct[1:] + distinct[:-1]) / 2
    outside = [distinct[0] - 1, distinct[-1] + 1, distinct[0] - 1e9, distinct[-1] + 1e9]
    return [*distinct, *mids, *outside, -math.inf, math.inf, -0.0]


def same_float(a, b) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b
