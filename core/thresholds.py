"""Exact metrics of a score detector at any decision threshold, without re-running the model.

A digit is *flagged* (predicted positive) when ``score >= threshold``, the convention of
:func:`sklearn.metrics.precision_recall_curve`. :func:`build_score_index` sorts the scores once;
after that every question about one threshold is a binary search:

- :func:`counts_at` and :func:`metrics_at`: confusion counts and ratios, O(log n).
- :func:`precision_recall_curve_exact`, :func:`roc_curve_exact`, :func:`average_precision`:
  whole curves, in scikit-learn's own float operations on the sorted counts (tested equal to
  its functions), with the confusion counts alongside.
- :func:`threshold_for_precision`, :func:`threshold_for_recall`,
  :func:`threshold_for_best_fbeta`, :func:`threshold_for_least_cost` (with
  :func:`cost_weights`): pick an operating point.
- :func:`borderline_indices` and :func:`changed_side`: which digits sit at the cut, O(log n + k).
- :func:`thin_curve`: which curve points to *draw*; the numbers are never thinned.

Undefined ratios (0/0) are NaN throughout: precision when nothing is flagged, recall when
there are no positives, false-positive rate and specificity when there are no negatives.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.formatting import percent, target_percent, threshold_text
from core.validation import (
    check_cost,
    check_fraction,
    check_optional_count,
    check_positive,
    check_prevalence,
    check_threshold,
    read_only,
)

DRAWN_POINTS = 200  # points a chart draws of a curve: each is an SVG marker, for clicks
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


@dataclass(frozen=True, eq=False)
class PrecisionRecallCurve:
    """Precision and recall at every distinct score, as thresholds ascend.

    Unlike :func:`sklearn.metrics.precision_recall_curve`, the arrays all have one entry per
    threshold: scikit-learn's extra final point (precision 1, recall 0, no threshold) is left out.

    Attributes
    ----------
    thresholds : ndarray of shape (n_thresholds,)
        Distinct scores, ascending.
    precision, recall : ndarray of shape (n_thresholds,)
        scikit-learn's values; recall is NaN when there are no positives (scikit-learn says 1).
    tp, fp, fn, tn : ndarray of shape (n_thresholds,), int64
        Confusion counts at each threshold.
    average_precision : float
        :func:`average_precision` of the same scores (NaN when there are no positives).
    n_pos, n_neg : int
        Number of positive and negative samples.
    """

    thresholds: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray
    average_precision: float
    n_pos: int
    n_neg: int

    @cached_property
    def drawn(self) -> np.ndarray:
        """Indices of the :data:`DRAWN_POINTS` points to draw of precision against recall."""
        return thin_curve(self.recall, self.precision, max_points=DRAWN_POINTS)


@dataclass(frozen=True, eq=False)
class RocCurve:
    """The ROC curve through every distinct score, as thresholds descend.

    Attributes
    ----------
    thresholds : ndarray of shape (n_thresholds + 1,)
        ``inf`` (flag nothing) first, then the distinct scores descending, as
        ``sklearn.metrics.roc_curve(..., drop_intermediate=False)`` returns them.
    fpr, tpr : ndarray of shape (n_thresholds + 1,)
        scikit-learn's rates; all NaN when there are no negatives (fpr) or no positives (tpr).
    precision : ndarray of shape (n_thresholds + 1,)
        Precision at each threshold (NaN at ``inf``, where nothing is flagged), for display.
    tp, fp, fn, tn : ndarray of shape (n_thresholds + 1,), int64
        Confusion counts at each threshold.
    auc : float
        Area under the curve (``sklearn.metrics.auc``); NaN when a class is missing.
    n_pos, n_neg : int
        Number of positive and negative samples.
    """

    thresholds: np.ndarray
    fpr: np.ndarray
    tpr: np.ndarray
    precision: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray
    auc: float
    n_pos: int
    n_neg: int

    @cached_property
    def drawn(self) -> np.ndarray:
        """Indices of the :data:`DRAWN_POINTS` points to draw of the curve."""
        return thin_curve(self.fpr, self.tpr, max_points=DRAWN_POINTS)


@dataclass(frozen=True)
class ThresholdChoice:
    """An operating point picked by one of the ``threshold_for_*`` functions.

    Attributes
    ----------
    threshold : float
        The chosen threshold (``inf`` means flag nothing).
    reached : bool
        False when the goal cannot be met; ``threshold`` is then the closest achievable point.
    reason : str
        One short sentence for a user saying what was picked and why.
    metrics : ThresholdMetrics
        The metrics at ``threshold``.
    """

    threshold: float
    reached: bool
    reason: str
    metrics: ThresholdMetrics


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


# --------------------------------------------------------------------------------------------
# One threshold
# --------------------------------------------------------------------------------------------


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


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else math.nan


def _metrics_from_counts(threshold: float, tp: int, fp: int, fn: int, tn: int) -> ThresholdMetrics:
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
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
        false_positive_rate=_ratio(fp, fp + tn),
        specificity=_ratio(tn, fp + tn),
        n_flagged=tp + fp,
    )


def metrics_at(index: ScoreIndex, *, threshold: float) -> ThresholdMetrics:
    """Confusion counts and every ratio at ``threshold``; O(log n), a few microseconds.

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


# --------------------------------------------------------------------------------------------
# Whole curves
# --------------------------------------------------------------------------------------------


def _sorted_labels(index: ScoreIndex) -> np.ndarray:
    return np.diff(index.positives_below).astype(bool)


def _counts_at_many(index: ScoreIndex, thresholds: np.ndarray) -> tuple[np.ndarray, ...]:
    """Vectorised :func:`counts_at`: (tp, fp, fn, tn) arrays, one entry per threshold."""
    below = index.sorted_scores.searchsorted(thresholds, side="left")
    fn = index.positives_below[below]
    tp = index.n_pos - fn
    fp = (index.n_samples - below) - tp
    tn = below - fn
    return tp, fp, fn, tn


def precision_recall_curve_exact(index: ScoreIndex) -> PrecisionRecallCurve:
    """Precision and recall at every distinct score, with confusion counts.

    The same numbers as :func:`sklearn.metrics.precision_recall_curve` (``drop_intermediate=
    False``), computed from the index's counts: exactly the notebook's arrays minus the final
    (precision 1, recall 0) point. When there are no positives, recall is NaN (scikit-learn
    would say 1 with a warning), to agree with :func:`metrics_at`.

    Parameters
    ----------
    index : ScoreIndex

    Returns
    -------
    PrecisionRecallCurve
    """
    # scikit-learn's own float operations on the index's counts: the same numbers (tested),
    # and no import of scikit-learn before a page shows its curves.
    thresholds = index.thresholds
    precision = index.tp / (index.tp + index.fp)  # each distinct score flags itself: no 0/0
    recall = index.tp / index.n_pos if index.n_pos else np.full(thresholds.shape, np.nan)
    tp, fp, fn, tn = _counts_at_many(index, thresholds)
    return PrecisionRecallCurve(
        thresholds=read_only(np.asarray(thresholds, dtype=np.float64)),
        precision=read_only(np.ascontiguousarray(precision)),
        recall=read_only(np.ascontiguousarray(recall)),
        tp=read_only(tp),
        fp=read_only(fp),
        fn=read_only(fn),
        tn=read_only(tn),
        average_precision=average_precision(index),
        n_pos=index.n_pos,
        n_neg=index.n_neg,
    )


def roc_curve_exact(index: ScoreIndex) -> RocCurve:
    """The ROC curve through every distinct score, with confusion counts and AUC.

    The same numbers as ``sklearn.metrics.roc_curve(..., drop_intermediate=False)`` and
    ``sklearn.metrics.auc``, computed from the index's counts.
    The first point is scikit-learn's threshold ``inf`` (nothing flagged, FPR = TPR = 0).

    Parameters
    ----------
    index : ScoreIndex

    Returns
    -------
    RocCurve
        ``fpr`` is all NaN without negatives, ``tpr`` all NaN without positives, and ``auc``
        is then NaN.
    """
    # scikit-learn's float operations on the index's counts: "flag nothing" (inf) first, then
    # the distinct scores descending.
    thresholds = np.concatenate(([np.inf], index.thresholds[::-1]))
    roc_tp = np.concatenate(([0], index.tp[::-1]))
    roc_fp = np.concatenate(([0], index.fp[::-1]))
    tpr = roc_tp / index.n_pos if index.n_pos else np.full(roc_tp.shape, np.nan)
    fpr = roc_fp / index.n_neg if index.n_neg else np.full(roc_fp.shape, np.nan)
    area = float(np.trapezoid(tpr, fpr)) if index.n_pos and index.n_neg else math.nan
    tp, fp, fn, tn = _counts_at_many(index, thresholds)
    flagged = tp + fp
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(flagged > 0, tp / np.maximum(flagged, 1), np.nan)
    return RocCurve(
        thresholds=read_only(np.asarray(thresholds, dtype=np.float64)),
        fpr=read_only(fpr),
        tpr=read_only(tpr),
        precision=read_only(precision),
        tp=read_only(tp),
        fp=read_only(fp),
        fn=read_only(fn),
        tn=read_only(tn),
        auc=area,
        n_pos=index.n_pos,
        n_neg=index.n_neg,
    )


def average_precision(index: ScoreIndex) -> float:
    """:func:`sklearn.metrics.average_precision_score` of the indexed scores.

    Returns NaN when there are no positives (scikit-learn warns and returns a number there).
    """
    if index.n_pos == 0:
        return math.nan
    # average_precision_score's sum: -sum(diff(recall) * precision), recall ending at 0.
    recall = index.tp / index.n_pos
    precision = index.tp / (index.tp + index.fp)
    return -float(np.sum(np.diff(np.append(recall, 0.0)) * precision))


# --------------------------------------------------------------------------------------------
# Picking a threshold
# --------------------------------------------------------------------------------------------


def _prevalence_of(index: ScoreIndex, prevalence) -> float:
    """A checked prevalence, for an index whose two rates are defined."""
    p = check_prevalence(prevalence)
    if index.n_pos == 0 or index.n_neg == 0:
        raise ValueError("a prevalence needs both positive and negative samples")
    return p


def precisions_at_prevalence(index: ScoreIndex, *, prevalence: float | None = None) -> np.ndarray:
    """Precision at each distinct threshold, where the positives have share ``prevalence``.

    Without ``prevalence``, the counted precision ``tp / (tp + fp)`` (scikit-learn's float
    operation, so comparisons agree bit for bit). With it,
    ``TPR p / (TPR p + FPR (1 - p))``, in the operations of
    :func:`core.estimates.at_prevalence` and the explorer's ``estimates.js``.

    Returns
    -------
    ndarray of shape (n_thresholds,)

    Raises
    ------
    ValueError
        When ``prevalence`` is not in (0, 1), or is given and a class is missing.
    """
    if prevalence is None:
        return index.tp / (index.tp + index.fp)
    p = _prevalence_of(index, prevalence)
    tpr = index.tp / index.n_pos
    fpr = index.fp / index.n_neg
    # Every distinct threshold flags its own score, so tp or fp is positive: no 0/0.
    return tpr * p / (tpr * p + fpr * (1 - p))


def _where(prevalence: float | None) -> str:
    """How a reason names the share its precision is at ("" for the sample's own)."""
    if prevalence is None:
        return ""
    return f" where {target_percent(prevalence)} of the digits are positive"


def _choice(index: ScoreIndex, threshold: float, reached: bool, reason: str) -> ThresholdChoice:
    return ThresholdChoice(
        threshold=threshold,
        reached=reached,
        reason=reason,
        metrics=metrics_at(index, threshold=threshold),
    )


def _summary(metrics: ThresholdMetrics) -> str:
    precision = percent(metrics.precision, missing="n/a")
    return f"precision {precision}, recall {percent(metrics.recall, missing='n/a')}"


def threshold_for_precision(
    index: ScoreIndex, *, target: float, prevalence: float | None = None
) -> ThresholdChoice:
    """The lowest threshold, among the scores, whose precision is at least ``target``.

    Equals the notebook's ``thresholds[np.argmax(precisions >= target)]`` whenever a threshold
    reaches the target. When none does, ``reached`` is False and the threshold is the lowest one
    with the highest achievable precision (the notebook's expression would index past the end).

    Parameters
    ----------
    index : ScoreIndex
    target : float
        Wanted precision, in (0, 1].
    prevalence : float, optional
        Reach the precision where the positives have this share (in (0, 1)) instead of the
        sample's own: see :func:`precisions_at_prevalence`.

    Returns
    -------
    ThresholdChoice
        Its ``metrics`` are the sample's counts and ratios at the threshold.
    """
    target = check_fraction(target, "target")
    precision = precisions_at_prevalence(index, prevalence=prevalence)
    meets = precision >= target
    where = _where(prevalence)
    if meets.any():
        at = int(np.argmax(meets))
        threshold = float(index.thresholds[at])
        metrics = metrics_at(index, threshold=threshold)
        summary = _summary(metrics)
        if prevalence is not None:
            summary = f"precision {precision[at]:.1%}, recall {percent(metrics.recall)}"
        reason = (
            f"Lowest threshold with precision >= {target_percent(target)}{where}: "
            f"{threshold_text(threshold)} ({summary})"
        )
        return ThresholdChoice(threshold, True, reason, metrics)
    best = int(np.argmax(precision))
    threshold = float(index.thresholds[best])
    reason = (
        f"No threshold reaches precision >= {target_percent(target)}{where}; the highest "
        f"achievable is {precision[best]:.1%}, at threshold {threshold_text(threshold)}"
    )
    return _choice(index, threshold, False, reason)


def threshold_for_recall(index: ScoreIndex, *, target: float) -> ThresholdChoice:
    """The highest threshold, among the scores, whose recall is at least ``target``.

    With at least one positive the lowest score has recall 1, so any target in (0, 1] is
    reached. Without positives recall is undefined: ``reached`` is False and the threshold is
    the lowest score.

    Parameters
    ----------
    index : ScoreIndex
    target : float
        Wanted recall, in (0, 1].

    Returns
    -------
    ThresholdChoice
    """
    target = check_fraction(target, "target")
    if index.n_pos == 0:
        threshold = float(index.thresholds[0])
        reason = "Recall is undefined: there are no positive samples."
        return _choice(index, threshold, False, reason)
    meets = index.tp / index.n_pos >= target
    last = meets.size - 1 - int(np.argmax(meets[::-1]))
    threshold = float(index.thresholds[last])
    metrics = metrics_at(index, threshold=threshold)
    reason = (
        f"Highest threshold with recall >= {target_percent(target)}: "
        f"{threshold_text(threshold)} ({_summary(metrics)})"
    )
    return ThresholdChoice(threshold, True, reason, metrics)


def threshold_for_best_fbeta(
    index: ScoreIndex, *, beta: float = 1.0, prevalence: float | None = None
) -> ThresholdChoice:
    """The threshold, among the scores, that maximises F-beta.

    F-beta is ``(1 + beta**2) * p * r / (beta**2 * p + r)`` (0 when ``p = r = 0``); with
    ``beta = 1`` it is the ``f1`` of :func:`metrics_at`. Ties go to the highest threshold: the
    same score while flagging the fewest digits. Without positives F-beta is undefined:
    ``reached`` is False and the threshold is the highest score.

    Parameters
    ----------
    index : ScoreIndex
    beta : float
        Weight of recall relative to precision; > 0.
    prevalence : float, optional
        Take the precision where the positives have this share (in (0, 1)).

    Returns
    -------
    ThresholdChoice
    """
    beta = check_positive(beta, "beta")
    name = f"F{beta:g}"
    if index.n_pos == 0:
        threshold = float(index.thresholds[-1])
        reason = f"{name} is undefined: there are no positive samples."
        return _choice(index, threshold, False, reason)
    fbeta = fbeta_scores(index, beta=beta, prevalence=prevalence)
    best = fbeta.size - 1 - int(np.argmax(fbeta[::-1] == fbeta.max()))
    threshold = float(index.thresholds[best])
    metrics = metrics_at(index, threshold=threshold)
    summary = _summary(metrics)
    if prevalence is not None:
        shifted = precisions_at_prevalence(index, prevalence=prevalence)[best]
        summary = f"precision {shifted:.1%}, recall {percent(metrics.recall)}"
    reason = (
        f"Best {name}{_where(prevalence)} ({fbeta[best]:.3f}) at threshold "
        f"{threshold_text(threshold)} ({summary})"
    )
    return ThresholdChoice(threshold, True, reason, metrics)


def fbeta_scores(
    index: ScoreIndex, *, beta: float = 1.0, prevalence: float | None = None
) -> np.ndarray:
    """F-beta at each distinct threshold of ``index``, shape (n_thresholds,).

    NaN everywhere when there are no positives; 0 where precision and recall are both 0.
    With ``prevalence``, the precision is :func:`precisions_at_prevalence`'s.

    Computed in the same float operations as :func:`metrics_at`'s F1 when ``beta == 1``.
    """
    beta2 = float(beta) ** 2
    if index.n_pos == 0:
        return np.full(index.tp.shape, np.nan)
    precision = precisions_at_prevalence(index, prevalence=prevalence)
    recall = index.tp / index.n_pos if index.n_pos else np.full(index.tp.shape, np.nan)
    denominator = beta2 * precision + recall
    with np.errstate(invalid="ignore", divide="ignore"):
        fbeta = (1 + beta2) * precision * recall / denominator
    return np.where(denominator == 0, 0.0, fbeta)


def cost_weights(
    index: ScoreIndex,
    *,
    false_positive_cost: float,
    false_negative_cost: float,
    prevalence: float | None = None,
) -> tuple[float, float]:
    """What one false positive and one false negative of ``index`` weigh in the total cost.

    Without ``prevalence`` they weigh their costs: the total is the cost of the sample's own
    errors. With it, each error is reweighted to a population where the digit has that share,
    so the total is the expected cost per digit there:
    ``FPR (1 - p) A + (1 - TPR) p B`` = ``fp (1 - p) A / n_neg + fn p B / n_pos``.

    Parameters
    ----------
    index : ScoreIndex
    false_positive_cost, false_negative_cost : float
        Cost of one false positive and one false negative; finite, >= 0, not both 0.
    prevalence : float, optional
        The digit's share where the detector will be used, in (0, 1).

    Returns
    -------
    (false_positive_weight, false_negative_weight) : floats

    Raises
    ------
    ValueError
        When a cost is negative or not finite, both are 0, ``prevalence`` is not in (0, 1),
        or ``prevalence`` is given and a class is missing (its rate is undefined).
    """
    fp_cost = check_cost(false_positive_cost, "false_positive_cost")
    fn_cost = check_cost(false_negative_cost, "false_negative_cost")
    if fp_cost == 0 and fn_cost == 0:
        raise ValueError("false_positive_cost and false_negative_cost must not both be 0")
    if prevalence is None:
        return fp_cost, fn_cost
    p = _prevalence_of(index, prevalence)
    return fp_cost * (1 - p) / index.n_neg, fn_cost * p / index.n_pos


def threshold_for_least_cost(
    index: ScoreIndex,
    *,
    false_positive_cost: float,
    false_negative_cost: float,
    prevalence: float | None = None,
) -> ThresholdChoice:
    """The threshold with the least total cost of its errors.

    The cost is ``fp * w_fp + fn * w_fn`` with the weights of :func:`cost_weights`: the costs
    themselves, or, at a ``prevalence``, the expected cost per digit where the digit has that
    share. The explorer's cost curve (``estimates.js``) does the same float operations.

    Candidates are every distinct score plus "flag nothing", represented by ``threshold = inf``
    (then ``fp = 0`` and ``fn`` = all positives). Ties go to the highest threshold (fewest
    digits flagged), so "flag nothing" wins any tie it is part of.

    Parameters
    ----------
    index : ScoreIndex
    false_positive_cost, false_negative_cost : float
        Cost of one false positive and one false negative; finite, >= 0, not both 0.
    prevalence : float, optional
        In (0, 1); see :func:`cost_weights`.

    Returns
    -------
    ThresholdChoice
        Always ``reached``.
    """
    fp_weight, fn_weight = cost_weights(
        index,
        false_positive_cost=false_positive_cost,
        false_negative_cost=false_negative_cost,
        prevalence=prevalence,
    )
    fp = np.append(index.fp, 0)
    fn = np.append(index.n_pos - index.tp, index.n_pos)
    cost = fp_weight * fp + fn_weight * fn
    best = cost.size - 1 - int(np.argmin(cost[::-1]))
    threshold = float(index.thresholds[best]) if best < index.thresholds.size else math.inf
    fp_cost, fn_cost = float(false_positive_cost), float(false_negative_cost)
    if prevalence is None:
        reason = (
            f"Least total cost {cost[best]:,.6g} at threshold {threshold_text(threshold)}: "
            f"{int(fp[best]):,} false positives x {fp_cost:g} + "
            f"{int(fn[best]):,} false negatives x {fn_cost:g}"
        )
    else:
        reason = (
            f"Least expected cost where {target_percent(prevalence)} of the digits are "
            f"positive: {1000 * cost[best]:,.4g} per 1,000 digits (a FP costs {fp_cost:g}, a "
            f"FN {fn_cost:g}), at threshold {threshold_text(threshold)}"
        )
    return _choice(index, threshold, True, reason)


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


# --------------------------------------------------------------------------------------------
# Points to draw
# --------------------------------------------------------------------------------------------


def thin_curve(x, y, *, max_points: int = 2000, keep: Sequence[int] = ()) -> np.ndarray:
    """Indices of at most about ``max_points`` curve points that keep the curve's shape.

    Points are sampled evenly along the arc length of the curve with both axes scaled to
    [0, 1], so steep and long stretches get points in proportion to how long they look.
    The first and last points and every index in ``keep`` are always included. Only for
    drawing: numbers shown to a user come from the full arrays.

    Parameters
    ----------
    x : array-like of shape (n,)
    y : array-like of shape (n,) or (n, k)
        Several columns (e.g. precision and recall against the same thresholds) are thinned
        together: their scaled steps add up in the arc length. NaN or infinite steps count 0.
    max_points : int
        Budget, >= 2. The result has at most ``max(max_points, 2 + len(keep))`` indices.
    keep : sequence of int
        Indices that must be drawn (e.g. the current operating point), in ``[0, n)``.

    Returns
    -------
    ndarray of shape (k,), intp
        Strictly increasing indices into ``x``.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {x.shape}")
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != x.shape[0]:
        raise ValueError(f"y must have shape ({x.shape[0]},) or ({x.shape[0]}, k), got {y.shape}")
    if isinstance(max_points, bool) or not isinstance(max_points, numbers.Integral):
        raise ValueError(f"max_points must be an integer >= 2, got {max_points!r}")
    if max_points < 2:
        raise ValueError(f"max_points must be >= 2, got {max_points!r}")
    n = x.shape[0]
    keep = np.unique(np.asarray(keep, dtype=np.intp).reshape(-1))
    if keep.size and (keep[0] < 0 or keep[-1] >= n):
        raise ValueError(f"keep must hold indices in [0, {n}), got {keep.tolist()}")
    if n <= max_points:
        return np.arange(n, dtype=np.intp)

    # Scale each axis by the range of its finite values; steps through NaN or inf count 0.
    points = np.column_stack((x, y))
    finite = np.isfinite(points)
    highest = np.where(finite, points, -np.inf).max(axis=0)
    lowest = np.where(finite, points, np.inf).min(axis=0)
    spans = highest - lowest
    spans = np.where(np.isfinite(spans) & (spans > 0), spans, 1.0)
    steps = np.diff(points, axis=0) / spans
    steps = np.where(np.isfinite(steps), steps, 0.0)
    arc = np.concatenate(([0.0], np.cumsum(np.sqrt((steps * steps).sum(axis=1)))))

    budget = max_points - 2 - int(np.count_nonzero((keep > 0) & (keep < n - 1)))
    if budget <= 0:
        sampled = np.empty(0, dtype=np.intp)
    elif arc[-1] > 0:
        targets = np.linspace(0.0, arc[-1], budget + 2)[1:-1]
        sampled = np.minimum(arc.searchsorted(targets, side="left"), n - 1)
    else:
        sampled = np.linspace(0, n - 1, budget + 2).round().astype(np.intp)[1:-1]
    return np.unique(np.concatenate(([0, n - 1], sampled, keep))).astype(np.intp)


# --------------------------------------------------------------------------------------------
# The browser's counting, checked against this module
# --------------------------------------------------------------------------------------------

COUNTING_FIXTURE_FORMAT = "threshold-explorer-counting/1"


def _fixture_number(value: float) -> float | str | None:
    """JSON has no inf or NaN: inf as the text JavaScript's ``Number()`` reads, NaN as null."""
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _fixture_case(name: str, labels, scores) -> dict:
    index = build_score_index(y_true=labels, scores=scores)
    distinct = index.thresholds
    low, high = float(distinct[0]), float(distinct[-1])
    queries = [*distinct.tolist(), low - 1.0, high + 1.0, -math.inf, math.inf]
    queries += ((distinct[1:] + distinct[:-1]) / 2).tolist()  # between two scores
    expected = []
    for threshold in queries:
        m = metrics_at(index, threshold=threshold)
        above = distinct[distinct > threshold]
        below = distinct[distinct < threshold]
        if threshold in distinct or not above.size or not below.size:
            nearest = (
                threshold if threshold in distinct else (above[0] if above.size else below[-1])
            )
        else:  # the nearer neighbour, the lower one when both are as near
            nearest = above[0] if above[0] - threshold < threshold - below[-1] else below[-1]
        expected.append(
            {
                "threshold": _fixture_number(threshold),
                "tp": m.tp,
                "fp": m.fp,
                "fn": m.fn,
                "tn": m.tn,
                "n_flagged": m.n_flagged,
                "precision": _fixture_number(m.precision),
                "recall": _fixture_number(m.recall),
                "f1": _fixture_number(m.f1),
                "accuracy": _fixture_number(m.accuracy),
                "false_positive_rate": _fixture_number(m.false_positive_rate),
                "specificity": _fixture_number(m.specificity),
                "next_score": _fixture_number(above[0]) if above.size else None,
                "previous_score": _fixture_number(below[-1]) if below.size else None,
                "nearest_score": _fixture_number(nearest),
                "n_below": int(index.sorted_scores.searchsorted(threshold, side="left")),
            }
        )
    return {
        "name": name,
        "positives": sorted(float(s) for s, y in zip(scores, labels, strict=True) if y),
        "negatives": sorted(float(s) for s, y in zip(scores, labels, strict=True) if not y),
        "sorted_scores": index.sorted_scores.tolist(),
        "distinct_scores": distinct.tolist(),
        "queries": expected,
    }


def counting_fixture() -> dict:
    """Cases and expected answers for the explorer's JavaScript counting (``counting.js``).

    Each case holds the sorted scores of its positives and negatives and, for every distinct
    score, the points between them and thresholds beyond both ends (also +-inf), what
    :func:`metrics_at` says (NaN as null) and the next, previous and nearest distinct score.
    The cases: ties, all scores equal, one class only, and a random set with many ties.

    Returns
    -------
    dict
        JSON-ready (no inf or NaN numbers).
    """
    rng = np.random.default_rng(5)
    random_scores = np.round(rng.normal(0.0, 3.0, 400), 1) * 1234.5678 + 0.0  # no -0.0
    random_labels = rng.random(400) < 0.1 + 0.8 * (random_scores > 0)
    cases = [
        _fixture_case(
            "ties",
            [1, 0, 1, 1, 0, 0, 1, 0, 0, 1],
            [-2.5, -2.5, 0.0, 0.1, 0.1, 0.1, 3.0, 3.0, 7.25, 1e300],
        ),
        _fixture_case("all scores equal", [1, 0, 0, 1, 0], [4.2] * 5),
        _fixture_case("positives only", [1, 1, 1, 1], [-1.0, 0.5, 0.5, 2.0]),
        _fixture_case("negatives only", [0, 0, 0], [-3.0, -3.0, 5e-324]),
        _fixture_case("one sample", [1], [3370.0194991439557]),
        _fixture_case("random with ties", random_labels, random_scores),
    ]
    return {
        "format": COUNTING_FIXTURE_FORMAT,
        "rule": "flagged when score >= threshold",
        "cases": cases,
    }


def write_fixture(fixture: dict, *, path) -> None:
    """Write a fixture for the explorer's JavaScript tests as JSON (no NaN or inf) to ``path``.

    Parameters
    ----------
    fixture : dict
        JSON-ready.
    path : str or os.PathLike
        The file to write; its directory must exist.
    """
    import json
    from pathlib import Path

    text = json.dumps(fixture, indent=1, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def write_counting_fixture(*, path) -> None:
    """Write :func:`counting_fixture` to ``path`` (``tests/js/fixtures/counting.json``)."""
    write_fixture(counting_fixture(), path=path)
