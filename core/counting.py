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
from functools import cached_property

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
    """Exact counts at every distinct score, and the rows they were counted from.

    Build it with :func:`build_score_index`. All arrays are read-only.

    The counts (``thresholds``, ``tp``, ``fp``) are all that counting at a threshold, the
    curves and the pickers read: one entry per distinct score, whatever the number of rows.
    The per-row parts (``order``, ``sorted_scores``, ``positives_below``, ``positive_ranks``,
    ``negative_ranks``) are what the digits at the cut need; each is built on first use from
    ``scores`` and ``y_true`` (and kept), and only for an index of single rows: an index built
    with ``counts`` (an aggregated table) has no rows to name, and asking raises
    ``ValueError``.

    Attributes
    ----------
    thresholds : ndarray of shape (n_thresholds,), float64
        The distinct scores, ascending (the thresholds of ``precision_recall_curve``).
    tp, fp : ndarray of shape (n_thresholds,), int64
        Flagged positives and flagged negatives at each distinct threshold.
    n_pos, n_neg : int
        Number of positive and negative samples (with ``counts``: their sums).
    y_true : ndarray of shape (n_rows,), bool
    scores : ndarray of shape (n_rows,), float64
        The rows the index was built from, in their order.
    counts : ndarray of shape (n_rows,), int64, or None
        How many samples each row stands for; None when each row is one sample.
    threshold_sizes : ndarray of shape (n_thresholds,), int64
        How many samples have each distinct score.
    sorted_scores : ndarray of shape (n_samples,), float64
        The scores in ascending order (single rows only, built on first use).
    order : ndarray of shape (n_samples,), intp
        Stable sort permutation: ``scores[order] == sorted_scores`` (idem).
    positives_below : ndarray of shape (n_samples + 1,), int64
        ``positives_below[k]`` is the number of positives among ``sorted_scores[:k]`` (idem).
    positive_ranks, negative_ranks : ndarray of shape (n_pos,) and (n_neg,), intp
        Positions in ``sorted_scores`` of the positive and of the negative samples, ascending
        (idem).
    """

    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    n_pos: int
    n_neg: int
    y_true: np.ndarray
    scores: np.ndarray
    counts: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        """Number of samples (``n_pos + n_neg``)."""
        return self.n_pos + self.n_neg

    @property
    def has_rows(self) -> bool:
        """Whether each sample is a row of its own (no ``counts``): the per-row parts exist."""
        return self.counts is None

    @cached_property
    def threshold_sizes(self) -> np.ndarray:
        flagged = self.tp + self.fp
        return read_only(flagged - np.append(flagged[1:], 0))

    def _rows(self, what: str) -> None:
        if self.counts is not None:
            raise ValueError(f"{what} needs single rows; this index was built from counts")

    @cached_property
    def order(self) -> np.ndarray:
        self._rows("order")
        return read_only(np.argsort(self.scores, kind="stable"))

    @cached_property
    def sorted_scores(self) -> np.ndarray:
        self._rows("sorted_scores")
        return read_only(self.scores[self.order])

    @cached_property
    def positives_below(self) -> np.ndarray:
        self._rows("positives_below")
        below = np.zeros(self.n_samples + 1, dtype=np.int64)
        np.cumsum(self.y_true[self.order], out=below[1:])
        return read_only(below)

    @cached_property
    def positive_ranks(self) -> np.ndarray:
        self._rows("positive_ranks")
        return read_only(np.flatnonzero(self.y_true[self.order]))

    @cached_property
    def negative_ranks(self) -> np.ndarray:
        self._rows("negative_ranks")
        return read_only(np.flatnonzero(~self.y_true[self.order]))

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
    """Validated arrays: labels as bool (n,), scores as float64 (n,); the inputs themselves
    when they already are (no copy)."""
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
    scores = scores.astype(np.float64, copy=False)
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


def check_counts(counts, n: int) -> np.ndarray | None:
    """``counts`` as int64 of shape (n,), each >= 0; None stays None (one sample a row).

    Raises
    ------
    ValueError
        When ``counts`` has another shape, is not integral, or holds a negative count (naming
        the first such entry).
    """
    if counts is None:
        return None
    counts = np.asarray(counts)
    if counts.shape != (n,):
        raise ValueError(f"counts must have shape ({n},), got {counts.shape}")
    if counts.dtype == bool or not np.issubdtype(counts.dtype, np.number):
        raise ValueError(f"counts must be integers, got dtype {counts.dtype}")
    if not np.issubdtype(counts.dtype, np.integer):
        whole = np.isfinite(counts) & (counts == np.round(counts))
        if not whole.all():
            bad = int(np.flatnonzero(~whole)[0])
            raise ValueError(f"counts must be integers, got counts[{bad}] = {counts[bad]}")
    negative = counts < 0
    if negative.any():
        bad = int(np.flatnonzero(negative)[0])
        raise ValueError(f"counts must be >= 0, got counts[{bad}] = {counts[bad]}")
    return counts.astype(np.int64, copy=False)


def _one_class(scores: np.ndarray, counts: np.ndarray | None):
    """One class's scores sorted (``scores`` itself, sorted in place, for single rows), and
    how many of its samples lie below each position (None for single rows: then it is the
    position itself)."""
    if counts is None:
        scores.sort()  # in place: the caller's own copy of one class
        return scores, None
    below = np.zeros(scores.size + 1, dtype=np.int64)
    if np.all(scores[1:] >= scores[:-1]):  # already sorted (an aggregated table's rows are)
        np.cumsum(counts, out=below[1:])
        return scores, below
    order = np.argsort(scores)
    np.cumsum(counts[order], out=below[1:])
    return scores[order], below


def _flagged(sorted_scores, below, total: int, thresholds: np.ndarray) -> np.ndarray:
    """How many of one class's samples score >= each threshold."""
    k = sorted_scores.searchsorted(thresholds, side="left")
    if below is not None:
        k = below[k]
    return np.subtract(total, k, out=k)  # in place: one array of n_thresholds, not two


def build_score_index(*, y_true, scores, counts=None) -> ScoreIndex:
    """Count the flagged positives and negatives at every distinct score, once.

    After this, any threshold is one binary search among the distinct scores. The two classes
    are sorted apart (a plain sort each, no permutation kept); the distinct scores are the
    merge of both. What needs single rows (the digits at the cut) is built on first use
    (see :class:`ScoreIndex`).

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        True labels, bool or 0/1 (1 = the positive class, e.g. "is a 5").
    scores : array-like of shape (n_rows,)
        Decision scores (any real scale, not necessarily probabilities); finite.
    counts : array-like of shape (n_rows,), int, optional
        How many samples each row stands for (>= 0), as scikit-learn's ``sample_weight`` but
        whole: an aggregated table's ``(score, label, count)`` rows. Rows of count 0 count
        nothing. Default: one sample a row.

    Returns
    -------
    ScoreIndex

    Raises
    ------
    ValueError
        When the arrays are empty, not 1-D, of different lengths, labels are not binary, a
        score is NaN or infinite, a count is negative or not whole, or every count is 0.
    """
    labels, scores = _check_labels_and_scores(y_true, scores)
    counts = check_counts(counts, scores.size)
    if counts is None:
        positive_scores, negative_scores = scores[labels], scores[~labels]
        positive_counts = negative_counts = None
        n_pos = int(positive_scores.size)
        n_neg = int(negative_scores.size)
    else:
        kept = counts > 0
        positive_scores, negative_scores = scores[labels & kept], scores[~labels & kept]
        positive_counts, negative_counts = counts[labels & kept], counts[~labels & kept]
        n_pos, n_neg = int(positive_counts.sum()), int(negative_counts.sum())
        if n_pos + n_neg == 0:
            raise ValueError("every count is 0; need at least one sample")
    positives, positives_below = _one_class(positive_scores, positive_counts)
    negatives, negatives_below = _one_class(negative_scores, negative_counts)
    del positive_scores, negative_scores
    # Both classes sorted: the stable sort of their concatenation merges two runs.
    merged = np.concatenate((positives, negatives))
    merged.sort(kind="stable")
    starts = np.empty(merged.size, dtype=bool)
    starts[0] = True
    np.not_equal(merged[1:], merged[:-1], out=starts[1:])
    thresholds = merged[starts]
    del merged, starts
    tp = _flagged(positives, positives_below, n_pos, thresholds)
    del positives, positives_below
    fp = _flagged(negatives, negatives_below, n_neg, thresholds)
    del negatives, negatives_below
    return ScoreIndex(
        thresholds=read_only(thresholds),
        tp=read_only(tp.astype(np.int64, copy=False)),
        fp=read_only(fp.astype(np.int64, copy=False)),
        n_pos=n_pos,
        n_neg=n_neg,
        y_true=read_only(labels.view()),
        scores=read_only(scores.view()),
        counts=None if counts is None else read_only(counts),
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


def _flagged_at(index: ScoreIndex, thresholds):
    """(tp, fp) flagged at each of ``thresholds`` (a scalar or an array): the counts of the
    lowest distinct score >= it, 0 above every score."""
    at = index.thresholds.searchsorted(thresholds, side="left")
    last = index.thresholds.size
    if np.ndim(at) == 0:
        at = int(at)
        return (0, 0) if at == last else (int(index.tp[at]), int(index.fp[at]))
    inside = at < last
    clipped = np.minimum(at, last - 1)
    return np.where(inside, index.tp[clipped], 0), np.where(inside, index.fp[clipped], 0)


def _n_below(index: ScoreIndex, threshold: float) -> int:
    """Number of samples scoring strictly below ``threshold`` (those not flagged)."""
    tp, fp = _flagged_at(index, threshold)
    return index.n_samples - tp - fp


def score_at_rank(index: ScoreIndex, rank: int) -> float:
    """The score of the sample at ``rank`` in ascending order (0 = the lowest); O(log n).

    Works with ``counts`` too (a sample, not a row). ``score_at_rank(index, n_samples // 2)``
    is the upper median.

    Raises
    ------
    ValueError
        When ``rank`` is not in ``0 .. n_samples - 1``.
    """
    rank = check_count(rank, "rank")
    if rank >= index.n_samples:
        raise ValueError(f"rank must be below n_samples = {index.n_samples}, got {rank}")
    below = index.n_samples - (index.tp + index.fp)  # samples below each distinct score
    return float(index.thresholds[int(below.searchsorted(rank, side="right")) - 1])


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
    tp, fp = _flagged_at(index, threshold)
    return ConfusionCounts(tp=tp, fp=fp, fn=index.n_pos - tp, tn=index.n_neg - fp)


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
    tp, fp = _flagged_at(index, threshold)
    return _metrics_from_counts(threshold, tp, fp, index.n_pos - tp, index.n_neg - fp)


def counts_at_thresholds(index: ScoreIndex, thresholds: np.ndarray) -> tuple[np.ndarray, ...]:
    """Vectorised :func:`counts_at`: (tp, fp, fn, tn) arrays, one entry per threshold."""
    tp, fp = _flagged_at(index, np.asarray(thresholds, dtype=np.float64))
    tp, fp = np.asarray(tp, dtype=np.int64), np.asarray(fp, dtype=np.int64)
    return tp, fp, index.n_pos - tp, index.n_neg - fp


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

    Raises
    ------
    ValueError
        When ``index`` was built from counts: it has no single rows to name.
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
    low_tp, low_fp = _flagged_at(index, min(old, new))
    high_tp, high_fp = _flagged_at(index, max(old, new))
    positives = low_tp - high_tp
    moved = positives + low_fp - high_fp
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

    Raises
    ------
    ValueError
        When ``index`` was built from counts: it has no single rows to name.
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

    Raises
    ------
    ValueError
        When ``index`` was built from counts: it has no single rows to name.
    """
    threshold = check_threshold(threshold)
    limit = check_count(limit, "limit")
    below = _n_below(index, threshold)
    ranks = np.arange(max(0, below - limit), min(index.n_samples, below + limit))
    distance = np.abs(index.sorted_scores[ranks] - threshold)  # scores are finite
    chosen = ranks[np.argsort(distance, kind="stable")[:limit]]
    return index.order[chosen]
