"""How sure each figure is, what it becomes at another prevalence, and what it costs.

A precision read off the cross-validated scores is an estimate from a sample; this module says
how good an estimate, without refitting anything:

- :func:`wilson_interval`: the 95% Wilson score interval of a proportion (precision is the true
  positives among the flagged, recall the flagged among the real positives, the false-positive
  rate the flagged among the real negatives). 0 of 0 is undefined: NaN.
- :func:`fold_indexes`: one score index per cross-validation fold, so that the same threshold
  can be read on each fold's held-out digits alone.
- :func:`bootstrap_threshold`: a seeded bootstrap of the threshold a target picks, and of the
  other figure there. Each resample draws counts over the *sorted* scores (a multinomial over
  the positions) instead of re-sorting the scores, so 1,000 resamples cost 1,000 cumulative
  sums.
- :func:`at_prevalence`: precision, F1 and accuracy where the digit is as common as ``p``
  (precision = TPR p / (TPR p + FPR (1 - p))); recall and the false-positive rate are rates
  within one class and do not change.
- :func:`expected_cost_per_1000`: the cost of the errors per 1,000 digits at a prevalence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from core.thresholds import (
    ScoreIndex,
    build_score_index,
    counts_at,
    threshold_for_precision,
    threshold_for_recall,
)
from core.validation import check_cost, check_count, check_fraction

CONFIDENCE = 0.95
N_RESAMPLES = 1000
BOOTSTRAP_SEED = 42
BATCH = 50  # resamples drawn at once: 50 x n counts in memory
TARGET_KINDS = ("precision", "recall")


def check_prevalence(value) -> float:
    """A prevalence: a number in (0, 1)."""
    p = check_fraction(value, "prevalence")
    if p == 1.0:
        raise ValueError("prevalence must be below 1, got 1")
    return p


def wilson_z(confidence: float) -> float:
    """The normal quantile of a two-sided ``confidence`` interval (1.96 for 0.95)."""
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes, trials, *, confidence: float = CONFIDENCE):
    """The Wilson score interval of ``successes / trials``.

    Parameters
    ----------
    successes, trials : int or array-like of int
        ``0 <= successes <= trials``; arrays broadcast.
    confidence : float, default 0.95
        In (0, 1).

    Returns
    -------
    (low, high) : floats, or arrays of the broadcast shape
        Within [0, 1]; NaN where ``trials == 0``. Equal to
        ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.

    Raises
    ------
    ValueError
        When counts are negative, ``successes > trials``, or ``confidence`` is not in (0, 1).
    """
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a number in (0, 1), got {confidence!r}")
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if np.any(k < 0) or np.any(n < 0) or np.any(k > n):
        raise ValueError(f"need 0 <= successes <= trials, got {successes!r} of {trials!r}")
    z = wilson_z(float(confidence))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 2 * (n + z**2)
        center = (2 * n * p + z**2) / denominator
        half = z * np.sqrt(z**2 + 4 * n * p * (1 - p)) / denominator
        low = np.where(k == 0, 0.0, np.clip(center - half, 0.0, 1.0))
        high = np.where(k == n, 1.0, np.clip(center + half, 0.0, 1.0))
    low = np.where(n == 0, np.nan, low)
    high = np.where(n == 0, np.nan, high)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


@dataclass(frozen=True)
class Intervals:
    """95% Wilson intervals of the three proportions at one threshold, each ``(low, high)``."""

    precision: tuple[float, float]
    recall: tuple[float, float]
    false_positive_rate: tuple[float, float]


def intervals_at(index: ScoreIndex, *, threshold: float) -> Intervals:
    """The Wilson intervals of precision, recall and false-positive rate at ``threshold``."""
    c = counts_at(index, threshold=threshold)
    return Intervals(
        precision=wilson_interval(c.tp, c.tp + c.fp),
        recall=wilson_interval(c.tp, c.tp + c.fn),
        false_positive_rate=wilson_interval(c.fp, c.fp + c.tn),
    )


def fold_indexes(*, y_true, scores, fold_ids) -> tuple[ScoreIndex, ...]:
    """One score index per cross-validation fold (in fold order), over its held-out digits.

    Raises
    ------
    ValueError
        When the arrays differ in shape, or the fold ids are not 0, 1, ... without gaps.
    """
    y_true = np.asarray(y_true)
    scores = np.asarray(scores)
    fold_ids = np.asarray(fold_ids)
    if not y_true.shape == scores.shape == fold_ids.shape:
        raise ValueError(
            f"y_true, scores and fold_ids must have one shape, got {y_true.shape}, "
            f"{scores.shape} and {fold_ids.shape}"
        )
    folds = np.unique(fold_ids)
    if folds.size == 0 or not np.array_equal(folds, np.arange(folds.size)):
        raise ValueError(f"fold_ids must be 0, 1, ... without gaps, got {folds.tolist()}")
    return tuple(
        build_score_index(y_true=y_true[fold_ids == k], scores=scores[fold_ids == k]) for k in folds
    )


# ---------------------------------------------------------------------------------------------
# Prevalence and cost
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtPrevalence:
    """The figures of one threshold where the positive class has share ``prevalence``.

    Recall (the true-positive rate) and the false-positive rate do not depend on prevalence;
    precision, F1 and accuracy do. Undefined values are NaN.
    """

    prevalence: float
    precision: float
    recall: float
    false_positive_rate: float
    f1: float
    accuracy: float


def at_prevalence(*, recall: float, false_positive_rate: float, prevalence: float) -> AtPrevalence:
    """Precision, F1 and accuracy at ``prevalence`` from the two rates of one threshold.

    ``precision = TPR p / (TPR p + FPR (1 - p))``; ``accuracy = TPR p + (1 - FPR)(1 - p)``.
    """
    p = check_prevalence(prevalence)
    tpr, fpr = float(recall), float(false_positive_rate)
    flagged = tpr * p + fpr * (1 - p)
    precision = tpr * p / flagged if flagged else math.nan
    f1 = 2 * precision * tpr / (precision + tpr) if precision + tpr else math.nan
    return AtPrevalence(
        prevalence=p,
        precision=precision,
        recall=tpr,
        false_positive_rate=fpr,
        f1=f1,
        accuracy=tpr * p + (1 - fpr) * (1 - p),
    )


def expected_cost_per_1000(
    *,
    recall: float,
    false_positive_rate: float,
    prevalence: float,
    false_positive_cost: float,
    false_negative_cost: float,
):
    """The expected cost of the errors per 1,000 digits at ``prevalence``.

    ``1000 (FPR (1 - p) A + (1 - TPR) p B)`` with ``A`` and ``B`` the costs of a false positive
    and a false negative. Works on arrays of rates too (a curve against the threshold).
    """
    p = check_prevalence(prevalence)
    a = check_cost(false_positive_cost, "false_positive_cost")
    b = check_cost(false_negative_cost, "false_negative_cost")
    tpr = np.asarray(recall, dtype=np.float64)
    fpr = np.asarray(false_positive_rate, dtype=np.float64)
    cost = 1000 * (fpr * (1 - p) * a + (1 - tpr) * p * b)
    return float(cost) if cost.ndim == 0 else cost


# ---------------------------------------------------------------------------------------------
# Bootstrap of a picked threshold
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BootstrapChoice:
    """The spread of the threshold a target picks, over resamples of the scored digits.

    Attributes
    ----------
    kind : {"precision", "recall"}
        The figure the target is on; ``other`` is the other one.
    target : float
    threshold : tuple of float
        ``(low, high)``: the 2.5th and 97.5th percentiles of the picked threshold.
    other : tuple of float
        ``(low, high)`` of the other figure at each resample's picked threshold.
    reached : float
        Share of the resamples in which some threshold reaches the target.
    n_resamples, seed : int
    """

    kind: str
    target: float
    threshold: tuple[float, float]
    other: tuple[float, float]
    reached: float
    n_resamples: int
    seed: int


def bootstrap_threshold(
    index: ScoreIndex,
    *,
    kind: str,
    target: float,
    n_resamples: int = N_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> BootstrapChoice:
    """Bootstrap the threshold that reaches ``target`` (lowest for precision, highest for
    recall, as :func:`core.thresholds.threshold_for_precision` / ``..._for_recall`` pick it).

    Each resample draws ``n`` digits with replacement as counts per sorted position (one
    multinomial draw), so its confusion counts at every distinct threshold are cumulative sums
    over the sorted order: nothing is sorted again. The thresholds stay the distinct scores.

    Raises
    ------
    ValueError
        When ``kind`` is not "precision" or "recall", ``target`` not in (0, 1], or
        ``n_resamples`` below 1.
    """
    if kind not in TARGET_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TARGET_KINDS)}; got {kind!r}")
    target = check_fraction(target, "target")
    n_resamples = check_count(n_resamples, "n_resamples", minimum=1)
    rng = np.random.default_rng(check_count(seed, "seed"))
    n = index.n_samples
    is_positive = np.zeros(n, dtype=bool)
    is_positive[index.positive_ranks] = True
    starts = np.cumsum(np.concatenate(([0], index.threshold_sizes[:-1])))
    picked = np.full(n_resamples, np.nan)
    other = np.full(n_resamples, np.nan)
    for first in range(0, n_resamples, BATCH):
        rows = min(BATCH, n_resamples - first)
        # n draws with replacement per resample, as counts per sorted position.
        draws = rng.integers(0, n, size=(rows, n)) + (np.arange(rows) * n)[:, np.newaxis]
        weights = np.bincount(draws.ravel(), minlength=rows * n).reshape(rows, n)
        positives = np.where(is_positive, weights, 0)
        # Flagged at each distinct threshold: every digit at or above its first rank.
        tp = np.cumsum(positives[:, ::-1], axis=1)[:, ::-1][:, starts]
        flagged = np.cumsum(weights[:, ::-1], axis=1)[:, ::-1][:, starts]
        # Only the scores drawn into the resample are its thresholds.
        present = flagged > np.concatenate((flagged[:, 1:], np.zeros((rows, 1))), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            precision = tp / flagged
            recall = tp / tp[:, :1]
        if kind == "precision":
            meets = (precision >= target) & present
            at = np.argmax(meets, axis=1)
        else:
            meets = (recall >= target) & present
            at = meets.shape[1] - 1 - np.argmax(meets[:, ::-1], axis=1)
        reached = meets[np.arange(rows), at]
        chosen = np.arange(first, first + rows)[reached]
        picked[chosen] = index.thresholds[at[reached]]
        figure = recall if kind == "precision" else precision
        other[chosen] = figure[np.arange(rows)[reached], at[reached]]
    found = ~np.isnan(picked)

    def spread(values: np.ndarray) -> tuple[float, float]:
        kept = values[~np.isnan(values)]
        if kept.size == 0:
            return (math.nan, math.nan)
        low, high = np.percentile(kept, [2.5, 97.5])
        return (float(low), float(high))

    return BootstrapChoice(
        kind=kind,
        target=target,
        threshold=spread(picked),
        other=spread(other),
        reached=float(found.mean()),
        n_resamples=n_resamples,
        seed=int(seed),
    )


def fold_thresholds(
    folds: tuple[ScoreIndex, ...], *, kind: str, target: float
) -> tuple[float, ...]:
    """The threshold each fold alone would pick for ``target`` (NaN where none reaches it)."""
    if kind not in TARGET_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TARGET_KINDS)}; got {kind!r}")
    pick = threshold_for_precision if kind == "precision" else threshold_for_recall
    choices = [pick(fold, target=target) for fold in folds]
    return tuple(c.threshold if c.reached else math.nan for c in choices)
