"""Exact confusion counts of a score detector at any decision threshold, by binary search.

A digit is *flagged* (predicted positive) when ``score >= threshold``, the convention of
:func:`sklearn.metrics.precision_recall_curve`. :func:`build_score_index` sorts the scores once;
after that every question about one threshold is a binary search, as scikit-learn's
``_binary_clf_curve`` is the one counting kernel under its curves:

- :func:`counts_at` and :func:`metrics_at`: confusion counts and ratios, O(log n);
  :func:`counts_at_thresholds` the same counts for many thresholds at once.
- :func:`borderline_indices` and :func:`changed_side`: which digits sit at the cut, O(log n + k).

Undefined ratios (0/0) are NaN throughout (:func:`ratio`): precision when nothing is flagged,
recall when there are no positives, false-positive rate and specificity when there are no
negatives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.validation import (
    check_count,
    check_optional_count,
    check_prevalence,
    check_threshold,
    read_only,
)

BORDERLINE_KINDS = ("false_positive", "false_negative", "true_positive", "true_negative")


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ScoreIndex:
    """Scores sorted once, with everything needed to count at any threshold by binary search.

    Build it with :func:`build_score_index`. All arrays are read-only.

    Attributes
    ----------
    sorted_scores : ndarray of shape (n_samples,), float64
        The scores in ascending order.
    order : ndarray of shape (n_samples,), intp
        Stable sort permutation: ``scores[order] == sorted_scores``.
    positives_below : ndarray of shape (n_samples + 1,), int64
        ``positives_below[k]`` is the number of positives among ``sorted_scores[:k]``.
    positive_ranks, negative_ranks : ndarray of shape (n_pos,) and (n_neg,), intp
        Positions in ``sorted_scores`` of the positive and of the negative samples, ascending.
    thresholds : ndarray of shape (n_thresholds,), float64
        The distinct scores, ascending (the thresholds of ``precision_recall_curve``).
    threshold_sizes : ndarray of shape (n_thresholds,), int64
        How many samples have each distinct score.
    tp, fp : ndarray of shape (n_thresholds,), int64
        Flagged positives and flagged negatives at each distinct threshold.
    n_pos, n_neg : int
        Number of positive and negative samples.
    """

    sorted_scores: np.ndarray
    order: np.ndarray
    positives_below: np.ndarray
    positive_ranks: np.ndarray
    negative_ranks: np.ndarray
    thresholds: np.ndarray
    threshold_sizes: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    n_pos: int
    n_neg: int

    @property
    def n_samples(self) -> int:
        """Number of samples (``n_pos + n_neg``)."""
        return self.n_pos + self.n_neg

    def __repr__(self) -> str:
        return (
            f"ScoreIndex(n_samples={self.n_samples}, n_pos={self.n_pos}, n_neg={self.n_neg}, "
            f"n_thresholds={self.thresholds.size})"
        )


@dataclass(frozen=True)
class ConfusionCounts:
    """Confusion counts at one threshold (flagged means ``score >= threshold``)."""

    tp: int
    fp: int
    fn: int
    tn: int

    def as_matrix(self) -> np.ndarray:
        """``[[tn, fp], [fn, tp]]``: scikit-learn's ``confusion_matrix`` layout (rows = actual)."""
        return np.array([[self.tn, self.fp], [self.fn, self.tp]], dtype=np.int64)


@dataclass(frozen=True)
class SideChanges:
    """How many digits a move of the threshold flagged and let go, and how many were positives.

    One move goes one way, so one of the two directions is always zero.
    """

    newly_flagged: int
    newly_flagged_positives: int
    no_longer_flagged: int
    no_longer_flagged_positives: int


@dataclass(frozen=True)
class ThresholdMetrics:
    """Everything about one operating point. Undefined ratios (0/0) are NaN.

    ``precision`` is NaN when nothing is flagged; ``recall`` when there are no positives;
    ``false_positive_rate`` and ``specificity`` when there are no negatives. ``f1`` is
    ``2 * precision * recall / (precision + recall)``: NaN when either is NaN, 0 when both are 0.
    """

    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    recall: float
    f1: float
    accuracy: float
    false_positive_rate: float
    specificity: float
    n_flagged: int

    @property
    def counts(self) -> ConfusionCounts:
        """The confusion counts alone."""
        return ConfusionCounts(tp=self.tp, fp=self.fp, fn=self.fn, tn=self.tn)


# --------------------------------------------------------------------------------------------
# Building the index
# --------------------------------------------------------------------------------------------


def _check_labels_and_scores(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    """Validated copies: labels as bool (n,), scores as float64 (n,)."""
    y_true = np.asarray(y_true)
    scores = np.asarray(scores)
    if y_true.ndim != 1:
        raise ValueError(f"y_true must be 1-D, got shape {y_true.shape}")
    if scores.ndim != 1:
        raise ValueError(f"scores must be 1-D, got shape {scores.shape}")
    if y_true.shape != scores.shape:
        raise ValueError(
            f"y_true and scores must have the same shape, got {y_true.shape} and {scores.shape}"
        )
    if scores.size == 0:
        raise ValueError("y_true and scores are empty; need at least one sample")
    if scores.dtype == bool or not np.issubdtype(scores.dtype, np.number):
        raise ValueError(f"scores must be real numbers, got dtype {scores.dtype}")
    if np.iscomplexobj(scores):
        raise ValueError(f"scores must be real numbers, got dtype {scores.dtype}")
    scores = scores.astype(np.float64)
    finite = np.isfinite(scores)
    if not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"scores must be finite, got scores[{bad}] = {scores[bad]}")
    if y_true.dtype != bool:
        if not np.issubdtype(y_true.dtype, np.number) or np.iscomplexobj(y_true):
            raise ValueError(f"y_true must be bool or 0/1, got dtype {y_true.dtype}")
        binary = (y_true == 0) | (y_true == 1)
        if not binary.all():
            bad = int(np.flatnonzero(~binary)[0])
            raise ValueError(f"y_true must be bool or 0/1, got y_true[{bad}] = {y_true[bad]}")
        y_true = y_true == 1
    return y_true, scores


def build_score_index(*, y_true, scores) -> ScoreIndex:
    """Sort the scores once so that any threshold can be evaluated by binary search.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels, bool or 0/1 (1 = the positive class, e.g. "is a 5").
    scores : array-like of shape (n_samples,)
        Decision scores (any real scale, not necessarily probabilities); finite.

    Returns
    -------
    ScoreIndex

    Raises
    ------
    ValueError
        When the arrays are empty, not 1-D, of different lengths, labels are not binary, or a
        score is NaN or infinite.
    """
    labels, scores = _check_labels_and_scores(y_true, scores)
    n = scores.size
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    sorted_labels = labels[order]
    positives_below = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sorted_labels, out=positives_below[1:])
    n_pos = int(positives_below[-1])

    # A distinct threshold starts wherever the sorted score changes.
    starts = np.flatnonzero(np.concatenate(([True], sorted_scores[1:] != sorted_scores[:-1])))
    thresholds = sorted_scores[starts]
    sizes = np.diff(np.append(starts, n))
    tp = n_pos - positives_below[starts]
    fp = (n - starts) - tp
    return ScoreIndex(
        sorted_scores=read_only(sorted_scores),
        order=read_only(order),
        positives_below=read_only(positives_below),
        positive_ranks=read_only(np.flatnonzero(sorted_labels)),
        negative_ranks=read_only(np.flatnonzero(~sorted_labels)),
        thresholds=read_only(thresholds),
        threshold_sizes=read_only(sizes.astype(np.int64)),
        tp=read_only(tp.astype(np.int64)),
        fp=read_only(fp.astype(np.int64)),
        n_pos=n_pos,
        n_neg=n - n_pos,
    )


def check_index_prevalence(index: ScoreIndex, prevalence) -> float:
    """``prevalence`` checked to lie in (0, 1), for an index whose two rates are defined.

    Raises
    ------
    ValueError
        When ``prevalence`` is not in (0, 1), or a class is missing from ``index``.
    """
    p = check_prevalence(prevalence)
    if index.n_pos == 0 or index.n_neg == 0:
        raise ValueError("a prevalence needs both positive and negative samples")
    return p


# --------------------------------------------------------------------------------------------
# One threshold
# --------------------------------------------------------------------------------------------


def ratio(numerator: int, denominator: int) -> float:
    """``numerator / denominator``, NaN when the denominator is 0 (an undefined rate).

    The project's one home for a ratio that may be undefined.
    """
    return numerator / denominator if denominator else math.nan


def is_flagged(score: float, *, threshold: float) -> bool:
    """The project's one decision rule: a digit is flagged when ``score >= threshold``."""
    return bool(score >= check_threshold(threshold))


def _n_below(index: ScoreIndex, threshold: float) -> int:
    """Number of scores strictly below ``threshold`` (those not flagged)."""
    return int(index.sorted_scores.searchsorted(threshold, side="left"))


def counts_at(index: ScoreIndex, *, threshold: float) -> ConfusionCounts:
    """Confusion counts when flagging ``score >= threshold``; O(log n).

    Parameters
    ----------
    index : ScoreIndex
    threshold : float
        Any real number, including values beyond the score range and +-inf. Not NaN.

    Returns
    -------
    ConfusionCounts
    """
    threshold = check_threshold(threshold)
    below = _n_below(index, threshold)
    fn = int(index.positives_below[below])
    tp = index.n_pos - fn
    fp = index.n_samples - below - tp
    return ConfusionCounts(tp=tp, fp=fp, fn=fn, tn=below - fn)


def _metrics_from_counts(threshold: float, tp: int, fp: int, fn: int, tn: int) -> ThresholdMetrics:
    precision = ratio(tp, tp + fp)
    recall = ratio(tp, tp + fn)
    if math.isnan(precision) or math.isnan(recall):
        f1 = math.nan
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return ThresholdMetrics(
        threshold=threshold,
        tp=tp,
        fp=fp,
        fn=fn,
        tn=tn,
        precision=precision,
        recall=recall,
        f1=f1,
        accuracy=(tp + tn) / (tp + fp + fn + tn),
        false_positive_rate=ratio(fp, fp + tn),
        specificity=ratio(tn, fp + tn),
        n_flagged=tp + fp,
    )


def metrics_at(index: ScoreIndex, *, threshold: float) -> ThresholdMetrics:
    """Confusion counts and every ratio at ``threshold``; O(log n).

    Parameters
    ----------
    index : ScoreIndex
    threshold : float
        Any real number including +-inf; NaN raises ValueError.

    Returns
    -------
    ThresholdMetrics
        Ratios that are 0/0 are NaN (see :class:`ThresholdMetrics`). ``f1`` is computed as
        ``2 * p * r / (p + r)``, which reproduces the notebook's 0.7325171197343846 bit for bit.
    """
    threshold = check_threshold(threshold)
    below = _n_below(index, threshold)
    fn = int(index.positives_below[below])
    tp = index.n_pos - fn
    return _metrics_from_counts(threshold, tp, index.n_samples - below - tp, fn, below - fn)


def counts_at_thresholds(index: ScoreIndex, thresholds: np.ndarray) -> tuple[np.ndarray, ...]:
    """Vectorised :func:`counts_at`: (tp, fp, fn, tn) arrays, one entry per threshold."""
    below = index.sorted_scores.searchsorted(thresholds, side="left")
    fn = index.positives_below[below]
    tp = index.n_pos - fn
    fp = (index.n_samples - below) - tp
    tn = below - fn
    return tp, fp, fn, tn


# --------------------------------------------------------------------------------------------
# Digits at the cut
# --------------------------------------------------------------------------------------------


def borderline_indices(
    index: ScoreIndex, *, threshold: float, kind: str, limit: int | None = None
) -> np.ndarray:
    """Indices of the digits of one confusion cell, the closest to the threshold first.

    Parameters
    ----------
    index : ScoreIndex
    threshold : float
        Any real number incl. +-inf; not NaN.
    kind : {"false_positive", "false_negative", "true_positive", "true_negative"}
    limit : int or None
        At most this many indices; None for all.

    Returns
    -------
    ndarray of shape (k,), intp
        Indices into the original ``y_true`` / ``scores``, ordered by ``|score - threshold|``
        ascending. Equal scores come in a fixed order. O(log n + k): no pass over all scores.
    """
    threshold = check_threshold(threshold)
    if kind not in BORDERLINE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(BORDERLINE_KINDS)}; got {kind!r}")
    limit = check_optional_count(limit, "limit")
    below = _n_below(index, threshold)
    positive = kind in ("true_positive", "false_negative")
    flagged = kind in ("true_positive", "false_positive")
    ranks = index.positive_ranks if positive else index.negative_ranks
    split = int(ranks.searchsorted(below))  # ranks[:split] are below the threshold
    if flagged:
        stop = ranks.size if limit is None else min(ranks.size, split + limit)
        chosen = ranks[split:stop]
    else:
        start = 0 if limit is None else max(0, split - limit)
        chosen = ranks[start:split][::-1]
    return index.order[chosen]


def side_changes(index: ScoreIndex, *, old_threshold: float, new_threshold: float) -> SideChanges:
    """The totals of :func:`changed_side`, in each direction; O(log n).

    Parameters
    ----------
    index : ScoreIndex
    old_threshold, new_threshold : float
        Any real numbers incl. +-inf; not NaN.

    Returns
    -------
    SideChanges
    """
    old = check_threshold(old_threshold, "old_threshold")
    new = check_threshold(new_threshold, "new_threshold")
    low, high = _n_below(index, min(old, new)), _n_below(index, max(old, new))
    moved = high - low
    positives = int(index.positives_below[high] - index.positives_below[low])
    if new < old:
        return SideChanges(moved, positives, 0, 0)
    return SideChanges(0, 0, moved, positives)


def changed_side(
    index: ScoreIndex, *, old_threshold: float, new_threshold: float, limit: int | None = None
) -> np.ndarray:
    """Indices of the digits whose decision flips when the threshold moves, nearest the new first.

    A digit flips when its score lies in ``[min(old, new), max(old, new))``. Raising the
    threshold unflags them, lowering it flags them.

    Parameters
    ----------
    index : ScoreIndex
    old_threshold, new_threshold : float
        Any real numbers incl. +-inf; not NaN.
    limit : int or None
        At most this many indices; None for all.

    Returns
    -------
    ndarray of shape (k,), intp
        Indices into the original arrays, ordered by ``|score - new_threshold|`` ascending.
        O(log n + k).
    """
    old = check_threshold(old_threshold, "old_threshold")
    new = check_threshold(new_threshold, "new_threshold")
    limit = check_optional_count(limit, "limit")
    low, high = _n_below(index, min(old, new)), _n_below(index, max(old, new))
    count = high - low if limit is None else min(high - low, limit)
    if new > old:  # the flipped scores are just below the new threshold
        ranks = np.arange(high - 1, high - 1 - count, -1)
    else:
        ranks = np.arange(low, low + count)
    return index.order[ranks]


def nearest_indices(index: ScoreIndex, *, threshold: float, limit: int) -> np.ndarray:
    """Indices of the ``limit`` samples whose scores lie nearest the threshold, on either side.

    Parameters
    ----------
    index : ScoreIndex
    threshold : float
        Any real number incl. +-inf; not NaN.
    limit : int
        At most this many indices, >= 0.

    Returns
    -------
    ndarray of shape (k,), intp
        Indices into the original ``y_true`` / ``scores``, ordered by ``|score - threshold|``
        ascending (at equal distance, the lower score first, then the fixed order of equal
        scores). O(log n + k).
    """
    threshold = check_threshold(threshold)
    limit = check_count(limit, "limit")
    below = _n_below(index, threshold)
    ranks = np.arange(max(0, below - limit), min(index.n_samples, below + limit))
    distance = np.abs(index.sorted_scores[ranks] - threshold)  # scores are finite
    chosen = ranks[np.argsort(distance, kind="stable")[:limit]]
    return index.order[chosen]
