"""Everything the trade-off view needs from one scored set, computed once.

The score indexes and curves come from :mod:`core.counting` and :mod:`core.curves`; this module
only gathers them for one :class:`~core.scored_set.ScoredSet` (an MNIST detector is one), and
summarises one threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.counting import ScoreIndex, build_score_index, metrics_at, ratio
from core.curves import (
    PrecisionRecallCurve,
    RocCurve,
    precision_recall_curve_exact,
    roc_curve_exact,
)
from core.estimates import (
    BootstrapChoice,
    at_prevalence,
    bootstrap_threshold,
    can_bootstrap,
    expected_cost_per_1000,
    fold_indexes,
    fold_thresholds,
    intervals_at,
)
from core.formatting import json_number
from core.pickers import threshold_for_least_cost
from core.scored_set import ScoredSet, scored_set_of_detector
from core.validation import check_cost, check_prevalence, check_threshold

if TYPE_CHECKING:
    from core.detector import DetectorResult


@dataclass(frozen=True, eq=False)
class TradeoffData:
    """The score indexes and curves of one scored set: its curve rows and its test rows.

    For an MNIST detector the curve rows are the training digits' cross-validated scores and
    the test rows the test digits' scores from the final model.

    A server keeps one per detector for as long as it runs (and every open page of it), so
    it holds only the two indexes: the fold indexes and the curves are built when asked, and
    not kept (the explorer's payload reads each once; :func:`tradeoff_summary` and
    :func:`goal_spread` read the folds).

    Attributes
    ----------
    cv_index : ScoreIndex
        Over the curve rows' scores (for a detector, the notebook's ``y_scores``).
    test_index : ScoreIndex or None
        Over the test rows' scores (the held-out check); None when the set has no test rows.
    fold_ids : ndarray of shape (n_curve_rows,), int, or None
        The fold of each curve row, 0, 1, ... in the curve rows' order; None without folds.
    folds : tuple of ScoreIndex
        Over each fold's scores, in fold order (empty without folds); built at each use (not
        kept).
    pr_curve : PrecisionRecallCurve
    roc_curve : RocCurve
        Exact curves of the cross-validated scores, one point per distinct score, built at
        each use (not kept).
    slider_min, slider_max : float
        The real score range, widened outward to whole multiples of ``slider_step``.
    slider_step : float
        A round step giving about 1,000 to 10,000 slider positions.
    training_prevalence : float
        The positives' share among the curve rows.
    """

    cv_index: ScoreIndex
    test_index: ScoreIndex | None
    fold_ids: np.ndarray | None
    slider_min: float
    slider_max: float
    slider_step: float

    @property
    def folds(self) -> tuple[ScoreIndex, ...]:
        if self.fold_ids is None:
            return ()
        index = self.cv_index
        return fold_indexes(
            y_true=index.y_true, scores=index.scores, fold_ids=self.fold_ids, counts=index.counts
        )

    @property
    def training_prevalence(self) -> float:
        """The positives' share among the curve rows (NaN without any)."""
        index = self.cv_index
        return ratio(index.n_pos, index.n_samples)

    @property
    def pr_curve(self) -> PrecisionRecallCurve:
        return precision_recall_curve_exact(self.cv_index)

    @property
    def roc_curve(self) -> RocCurve:
        return roc_curve_exact(self.cv_index)


def slider_step(*, low: float, high: float) -> float:
    """A power of ten giving between 1,000 and 10,000 steps across ``[low, high]``.

    Raises
    ------
    ValueError
        When ``low`` or ``high`` is not finite or ``high < low``.
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        raise ValueError(f"need finite low <= high, got low={low!r}, high={high!r}")
    span = high - low
    if span == 0:
        return 1.0
    return 10.0 ** math.floor(math.log10(span / 1000))


def tradeoff_data(result: DetectorResult) -> TradeoffData:
    """:func:`scored_tradeoff_data` of an MNIST detector (:func:`scored_set_of_detector`)."""
    return scored_tradeoff_data(scored_set_of_detector(result))


def scored_tradeoff_data(scored: ScoredSet) -> TradeoffData:
    """Count the curve rows and the test rows of ``scored`` (curves follow on first use):
    O(n log n) once, then O(log n) per threshold. Rows carrying counts count as many samples."""

    def rows(which: np.ndarray | None, array: np.ndarray | None):
        # Without test rows the curve rows are every row: no copy.
        return array if which is None or array is None else array[which]

    curve = None if scored.is_test is None else ~scored.is_test
    cv_index = build_score_index(
        y_true=rows(curve, scored.y_true),
        scores=rows(curve, scored.scores),
        counts=rows(curve, scored.counts),
    )
    test_index = None
    if scored.has_test:
        test = scored.is_test
        test_index = build_score_index(
            y_true=scored.y_true[test], scores=scored.scores[test], counts=rows(test, scored.counts)
        )
    fold_ids = rows(curve, scored.fold_ids)
    low, high = float(cv_index.thresholds[0]), float(cv_index.thresholds[-1])
    step = slider_step(low=low, high=high)
    return TradeoffData(
        cv_index=cv_index,
        test_index=test_index,
        fold_ids=fold_ids,
        slider_min=math.floor(low / step) * step,
        slider_max=math.ceil(high / step) * step,
        slider_step=step,
    )


@dataclass(frozen=True)
class GoalSpread:
    """How firmly a goal (a target precision or recall) fixes its threshold.

    Attributes
    ----------
    kind : {"precision", "recall"}
    target : float
    prevalence : float or None
        The share a precision target is reached at (None: the sample's own).
    fold_thresholds : tuple of float
        The threshold each fold alone picks, in fold order; NaN where the fold never reaches
        the target.
    bootstrap : BootstrapChoice or None
        The spread of the picked threshold, and of the other figure there, over resamples of
        the cross-validated scores. None when ``no_bootstrap`` says why.
    no_bootstrap : {"prevalence", "size"} or None
        Why there is no bootstrap: "prevalence" for a precision target at a chosen prevalence
        (the bootstrap counts precision as the resample has it), "size" for a set of more
        samples than the bootstrap resamples (:data:`core.estimates.BOOTSTRAP_MAX_SAMPLES`,
        :func:`core.estimates.can_bootstrap`). None when there is one.
    """

    kind: str
    target: float
    prevalence: float | None
    fold_thresholds: tuple[float, ...]
    bootstrap: BootstrapChoice | None
    no_bootstrap: str | None = None


def goal_spread(
    data: TradeoffData, *, kind: str, target: float, prevalence: float | None = None
) -> GoalSpread:
    """The threshold each fold picks for the goal, and a seeded bootstrap of the pooled pick.

    Parameters
    ----------
    data : TradeoffData
    kind : {"precision", "recall"}
    target : float
        In (0, 1].
    prevalence : float, optional
        Reach a precision target where the positives have this share, in (0, 1); a recall
        target does not depend on it.

    Raises
    ------
    ValueError
        When ``kind``, ``target`` or ``prevalence`` is not one of those.
    """
    if prevalence is not None:
        prevalence = check_prevalence(prevalence)
    no_bootstrap = None
    if kind == "precision" and prevalence is not None:
        no_bootstrap = "prevalence"
    elif not can_bootstrap(data.cv_index):
        no_bootstrap = "size"
    return GoalSpread(
        kind=kind,
        target=target,
        prevalence=prevalence if kind == "precision" else None,
        fold_thresholds=fold_thresholds(
            data.folds, kind=kind, target=target, prevalence=prevalence
        ),
        bootstrap=None
        if no_bootstrap
        else bootstrap_threshold(data.cv_index, kind=kind, target=target),
        no_bootstrap=no_bootstrap,
    )


def _interval(pair) -> list[float | None]:
    return [json_number(pair[0]), json_number(pair[1])]


def tradeoff_summary(
    data: TradeoffData,
    *,
    threshold: float,
    prevalence: float | None = None,
    false_positive_cost: float | None = None,
    false_negative_cost: float | None = None,
) -> dict:
    """Everything the explorer shows at ``threshold``, JSON-ready (undefined values None).

    Parameters
    ----------
    data : TradeoffData
    threshold : float
        Flagged means ``score >= threshold``; ±inf allowed.
    prevalence : float, optional
        The share of the digit where the detector will be used, in (0, 1): adds ``prevalence``,
        ``precision_at_prevalence``, ``f1_at_prevalence`` and ``accuracy_at_prevalence``.
        Default: the training share, which the summary gives as ``training_prevalence``.
    false_positive_cost, false_negative_cost : float, optional
        Both or neither, finite and >= 0: adds ``expected_cost_per_1000`` (at ``prevalence``,
        or the training share), and ``least_cost_threshold`` with its
        ``least_cost_per_1000`` (null when both costs are 0: every threshold costs nothing).

    Returns
    -------
    dict
        ``threshold``, ``tp``, ``fp``, ``fn``, ``tn``, ``precision``, ``recall``, ``f1``,
        ``accuracy``, ``false_positive_rate``, ``specificity``, ``flagged`` (cross-validated),
        ``precision_ci``, ``recall_ci``, ``false_positive_rate_ci`` (95% Wilson, ``[low,
        high]``), ``fold_precision``, ``fold_recall`` (one per fold, in fold order; empty
        without folds), ``test_precision``, ``test_recall``, ``test_precision_ci``,
        ``test_recall_ci`` (null without test rows), ``training_prevalence``, and the optional
        keys above.

    Raises
    ------
    ValueError
        When ``threshold`` is NaN, ``prevalence`` is not in (0, 1), or only one cost is given
        or a cost is negative.
    """
    threshold = check_threshold(threshold)
    if (false_positive_cost is None) != (false_negative_cost is None):
        raise ValueError("give both false_positive_cost and false_negative_cost, or neither")
    cv = metrics_at(data.cv_index, threshold=threshold)
    cv_ci = intervals_at(data.cv_index, threshold=threshold)
    nan = float("nan")
    test_precision = test_recall = nan
    test_precision_ci = test_recall_ci = (nan, nan)
    if data.test_index is not None:
        test = metrics_at(data.test_index, threshold=threshold)
        test_ci = intervals_at(data.test_index, threshold=threshold)
        test_precision, test_recall = test.precision, test.recall
        test_precision_ci, test_recall_ci = test_ci.precision, test_ci.recall
    folds = [metrics_at(fold, threshold=threshold) for fold in data.folds]
    training_prevalence = data.training_prevalence
    summary = {
        "threshold": json_number(threshold) if math.isfinite(threshold) else str(threshold),
        "tp": cv.tp,
        "fp": cv.fp,
        "fn": cv.fn,
        "tn": cv.tn,
        "flagged": cv.n_flagged,
        "precision": json_number(cv.precision),
        "recall": json_number(cv.recall),
        "f1": json_number(cv.f1),
        "accuracy": json_number(cv.accuracy),
        "false_positive_rate": json_number(cv.false_positive_rate),
        "specificity": json_number(cv.specificity),
        "precision_ci": _interval(cv_ci.precision),
        "recall_ci": _interval(cv_ci.recall),
        "false_positive_rate_ci": _interval(cv_ci.false_positive_rate),
        "fold_precision": [json_number(f.precision) for f in folds],
        "fold_recall": [json_number(f.recall) for f in folds],
        "test_precision": json_number(test_precision),
        "test_recall": json_number(test_recall),
        "test_precision_ci": _interval(test_precision_ci),
        "test_recall_ci": _interval(test_recall_ci),
        "training_prevalence": training_prevalence,
    }
    used = training_prevalence
    if prevalence is not None:
        used = check_prevalence(prevalence)
        shifted = at_prevalence(
            recall=cv.recall, false_positive_rate=cv.false_positive_rate, prevalence=used
        )
        summary["prevalence"] = used
        summary["precision_at_prevalence"] = json_number(shifted.precision)
        summary["f1_at_prevalence"] = json_number(shifted.f1)
        summary["accuracy_at_prevalence"] = json_number(shifted.accuracy)
    if false_positive_cost is not None:
        summary["false_positive_cost"] = check_cost(false_positive_cost, "false_positive_cost")
        summary["false_negative_cost"] = check_cost(false_negative_cost, "false_negative_cost")
        costs = {
            "prevalence": used,
            "false_positive_cost": false_positive_cost,
            "false_negative_cost": false_negative_cost,
        }
        summary["expected_cost_per_1000"] = json_number(
            expected_cost_per_1000(
                recall=cv.recall, false_positive_rate=cv.false_positive_rate, **costs
            )
        )
        summary["least_cost_threshold"] = summary["least_cost_per_1000"] = None
        if false_positive_cost or false_negative_cost:
            least = threshold_for_least_cost(
                data.cv_index,
                false_positive_cost=false_positive_cost,
                false_negative_cost=false_negative_cost,
                prevalence=prevalence,
            )
            m = least.metrics
            summary["least_cost_threshold"] = (
                json_number(least.threshold) if math.isfinite(least.threshold) else "inf"
            )
            summary["least_cost_per_1000"] = json_number(
                expected_cost_per_1000(
                    recall=m.recall, false_positive_rate=m.false_positive_rate, **costs
                )
            )
    return summary
