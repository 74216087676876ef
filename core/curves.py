"""Whole curves of a score index: precision-recall, ROC, average precision, F-beta.

Computed in scikit-learn's own float operations on the sorted counts of
:func:`core.counting.build_score_index` (tested equal to its functions), with the confusion
counts alongside, and without importing scikit-learn before a page shows its curves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.counting import ScoreIndex, check_index_prevalence, counts_at_thresholds
from core.drawing import MARKER_POINTS, thin_curve
from core.validation import read_only


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
        """Indices of the points to draw of precision against recall.

        At most about :data:`~core.drawing.MARKER_POINTS` of them.
        """
        return thin_curve(self.recall, self.precision, max_points=MARKER_POINTS)


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
        """Indices of the :data:`~core.drawing.MARKER_POINTS` points to draw of the curve."""
        return thin_curve(self.fpr, self.tpr, max_points=MARKER_POINTS)


def precision_recall_curve_exact(index: ScoreIndex) -> PrecisionRecallCurve:
    """Precision and recall at every distinct score, with confusion counts.

    The same numbers as :func:`sklearn.metrics.precision_recall_curve` (``drop_intermediate=
    False``), computed from the index's counts: exactly the notebook's arrays minus the final
    (precision 1, recall 0) point. When there are no positives, recall is NaN (scikit-learn
    would say 1 with a warning), to agree with
    :func:`core.counting.metrics_at`.

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
    tp, fp, fn, tn = counts_at_thresholds(index, thresholds)
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
    area = roc_auc(index)
    tp, fp, fn, tn = counts_at_thresholds(index, thresholds)
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


# Thresholds whose sum terms are computed at once: the sums below keep one array of terms, not
# the several full-size temporaries of the whole-array expressions (each term is the same
# float operations, and the one sum over all of them the same pairwise sum, so the same bits).
TERMS_CHUNK = 1 << 20


def _terms(n: int, term) -> np.ndarray:
    """``term(low, high)`` for each chunk of ``range(n)``, into one array of shape (n,)."""
    terms = np.empty(n, dtype=np.float64)
    for low in range(0, n, TERMS_CHUNK):
        high = min(n, low + TERMS_CHUNK)
        terms[low:high] = term(low, high)
    return terms


def roc_auc(index: ScoreIndex) -> float:
    """:func:`sklearn.metrics.roc_auc_score` of the indexed scores: ``np.trapezoid(tpr, fpr)``
    through every distinct score as :func:`roc_curve_exact` has them, bit for bit, summed
    from chunks (no full-size temporaries). NaN when a class is missing."""
    if not (index.n_pos and index.n_neg):
        return math.nan
    n = index.thresholds.size
    tp, fp = index.tp[::-1], index.fp[::-1]  # views: the ROC curve's order after its (0, 0)

    def rates(counts: np.ndarray, low: int, high: int, total: int) -> np.ndarray:
        # The curve's points low .. high (point 0 is "flag nothing").
        part = counts[max(low - 1, 0) : high]
        return (np.concatenate(([0], part)) if low == 0 else part) / total

    def trapezoids(low: int, high: int) -> np.ndarray:
        tpr, fpr = rates(tp, low, high, index.n_pos), rates(fp, low, high, index.n_neg)
        return np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0  # np.trapezoid's terms

    return float(_terms(n, trapezoids).sum())


def average_precision(index: ScoreIndex) -> float:
    """:func:`sklearn.metrics.average_precision_score` of the indexed scores.

    ``-sum(diff(recall, appended 0) * precision)``, bit for bit, summed from chunks (no
    full-size temporaries). Returns NaN when there are no positives (scikit-learn warns and
    returns a number there).
    """
    if index.n_pos == 0:
        return math.nan
    n = index.thresholds.size
    tp, fp, n_pos = index.tp, index.fp, index.n_pos

    def steps(low: int, high: int) -> np.ndarray:
        recall = tp[low : high + 1] / n_pos
        if high == n:
            recall = np.append(recall, 0.0)
        precision = tp[low:high] / (tp[low:high] + fp[low:high])
        return np.diff(recall) * precision

    return -float(np.sum(_terms(n, steps)))


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
    p = check_index_prevalence(index, prevalence)
    tpr = index.tp / index.n_pos
    fpr = index.fp / index.n_neg
    # Every distinct threshold flags its own score, so tp or fp is positive: no 0/0.
    return tpr * p / (tpr * p + fpr * (1 - p))


def average_precision_at_prevalence(index: ScoreIndex, *, prevalence: float | None = None) -> float:
    """Average precision where the positives have share ``prevalence``.

    The sum of :func:`average_precision` with each threshold's precision taken from
    :func:`precisions_at_prevalence`: the recall steps stay, the precision at each moves with
    the share. Without ``prevalence``, :func:`average_precision` itself. The explorer's
    ``estimates.js`` computes the same sum for its precision-recall curve's title.

    Returns
    -------
    float
        NaN when there are no positives.

    Raises
    ------
    ValueError
        When ``prevalence`` is not in (0, 1), or is given and a class is missing.
    """
    if prevalence is None:
        return average_precision(index)
    precision = precisions_at_prevalence(index, prevalence=prevalence)
    recall = index.tp / index.n_pos
    return -float(np.sum(np.diff(np.append(recall, 0.0)) * precision))


def fbeta_scores(
    index: ScoreIndex, *, beta: float = 1.0, prevalence: float | None = None
) -> np.ndarray:
    """F-beta at each distinct threshold of ``index``, shape (n_thresholds,).

    NaN everywhere when there are no positives; 0 where precision and recall are both 0.
    With ``prevalence``, the precision is :func:`precisions_at_prevalence`'s.

    Computed in the same float operations as :func:`core.counting.metrics_at`'s F1 when
    ``beta == 1``.
    """
    beta2 = float(beta) ** 2
    if index.n_pos == 0:
        return np.full(index.tp.shape, np.nan)
    precision = precisions_at_prevalence(index, prevalence=prevalence)
    recall = index.tp / index.n_pos
    denominator = beta2 * precision + recall
    with np.errstate(invalid="ignore", divide="ignore"):
        fbeta = (1 + beta2) * precision * recall / denominator
    return np.where(denominator == 0, 0.0, fbeta)
