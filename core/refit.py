"""The refit: a threshold chosen on cross-validated scores, carried by the final model.

The trade-off page picks its threshold on the cross-validated scores: each training digit
scored by a fold model that never saw it. The detector that is tested and exported is the
final model, fitted once more on all training digits, and its scores sit on another scale (on
MNIST its median score is about -4,800 where the fold models' is about -16,800). The same
threshold therefore flags a different share of digits on the final model, and the test's
precision and recall move away from the cross-validated ones.

This module measures that and offers the choice that keeps the user's goal on the final model:
the *same share flagged*, the threshold on the final model's scale that flags as many training
digits as the chosen threshold flags of the cross-validated scores (a quantile mapping, using
the final model's own scores of the training digits). Structured results only; ``ui/`` and the
command line put them into words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.counting import ScoreIndex, ThresholdMetrics, metrics_at
from core.curves import precision_recall_curve_exact
from core.detector import NOTEBOOK_SPEC
from core.drawing import MARKER_POINTS, thin_curve
from core.engine import BLOCK_ROWS, fold_pixels, scores_of
from core.formatting import json_number, threshold_json
from core.validation import check_threshold, read_only

if TYPE_CHECKING:
    from core.data import Dataset
    from core.detector import DetectorResult
    from core.tradeoff import TradeoffData

CROSS_VALIDATED = "cross_validated"
SAME_SHARE = "same_share"
THRESHOLD_RULES = (CROSS_VALIDATED, SAME_SHARE)


def final_training_scores(result: DetectorResult, dataset: Dataset) -> np.ndarray:
    """The final model's decision scores of the training digits, in the training order.

    Not part of the notebook (which scores the training digits only by cross-validation) and not
    kept in the detector's cache: one pass of the fitted model over the training pixels, a few
    thousand rows at a time so that no full float copy of the training set is made.

    Parameters
    ----------
    result : DetectorResult
        The trained detector of ``dataset``.
    dataset : Dataset

    Returns
    -------
    ndarray of shape (n_train,), float64, read-only

    Raises
    ------
    ValueError
        When ``dataset`` is not the data ``result`` was trained on.
    """
    if dataset.fingerprint != result.fingerprint:
        raise ValueError(
            "the detector was trained on other data than this dataset "
            f"(fingerprint {result.fingerprint[:12]}..., dataset {dataset.fingerprint[:12]}...)"
        )
    model = result.model
    scores = np.empty(dataset.n_train, dtype=np.float64)
    for start in range(0, dataset.n_train, BLOCK_ROWS):
        rows = slice(start, min(start + BLOCK_ROWS, dataset.n_train))
        pixels = fold_pixels(
            dataset.images, rows, dtype=NOTEBOOK_SPEC.dtype, divisor=NOTEBOOK_SPEC.pixel_divisor
        )
        scores[rows] = scores_of(model, pixels, NOTEBOOK_SPEC.method)
    return read_only(scores)


def n_flagged(sorted_scores: np.ndarray, *, threshold: float) -> int:
    """How many of the ascending ``sorted_scores`` are flagged (``score >= threshold``)."""
    threshold = check_threshold(threshold)
    return sorted_scores.size - int(sorted_scores.searchsorted(threshold, side="left"))


def same_share_threshold(*, source: np.ndarray, target: np.ndarray, threshold: float) -> float:
    """The threshold on ``target``'s scale flagging the share ``threshold`` flags of ``source``.

    ``threshold`` flags ``k`` of the ``n`` scores of ``source``; the result is the lowest
    threshold flagging ``m = round(k * n_target / n)`` scores of ``target`` (``m = k`` when both
    hold the same digits, as the cross-validated and the final model's training scores do): the
    ``m``-th highest target score. Ties at that score flag all of them, so a few more may be
    flagged; :func:`n_flagged` says how many. ``inf`` (flag nothing) when ``m`` is 0.

    Parameters
    ----------
    source, target : ndarray, ascending
        The scores the threshold was chosen on, and those of the model that will carry it,
        sorted.
    threshold : float
        Not NaN; ±inf allowed.

    Returns
    -------
    float
        A score of ``target``, or ``inf``.
    """
    threshold = check_threshold(threshold)
    k = n_flagged(source, threshold=threshold)
    if target.size == source.size:
        m = k
    else:
        m = math.floor(k * target.size / source.size + 0.5)
    if m == 0:
        return math.inf
    return float(target[target.size - m])


def _median(sorted_scores: np.ndarray) -> float:
    return float(np.median(sorted_scores))


@dataclass(frozen=True, eq=False)
class RefitScores:
    """The three sets of scores the refit comparison reads, sorted once.

    Attributes
    ----------
    cv_index : ScoreIndex
        The cross-validated scores of the training digits (fold models).
    final_train_sorted : ndarray, ascending
        The final model's scores of the same training digits, sorted: all the comparison needs
        of them (a server keeps this per detector).
    test_index : ScoreIndex
        The final model's scores of the test digits.
    """

    cv_index: ScoreIndex
    final_train_sorted: np.ndarray
    test_index: ScoreIndex

    @property
    def median_cv(self) -> float:
        """Median cross-validated score."""
        return _median(self.cv_index.sorted_scores)

    @property
    def median_final_train(self) -> float:
        """Median score of the final model on the training digits."""
        return _median(self.final_train_sorted)

    @property
    def median_test(self) -> float:
        """Median score of the final model on the test digits (NaN without a test set)."""
        test = self.test_index
        return _median(test.sorted_scores) if test.n_samples else math.nan


def refit_scores(data: TradeoffData, *, final_train_scores) -> RefitScores:
    """Gather the trade-off data's two indexes and the final model's training scores.

    Parameters
    ----------
    data : TradeoffData
    final_train_scores : array-like of shape (n_train,)
        :func:`final_training_scores` of the same detector, in any order.

    Raises
    ------
    ValueError
        When ``final_train_scores`` does not have one finite score per training digit.
    """
    index = data.cv_index
    scores = np.asarray(final_train_scores, dtype=np.float64)
    if scores.shape != (index.n_samples,) or not np.all(np.isfinite(scores)):
        raise ValueError(
            f"final_train_scores must be {index.n_samples} finite scores, got shape {scores.shape}"
        )
    return RefitScores(
        cv_index=index, final_train_sorted=read_only(np.sort(scores)), test_index=data.test_index
    )


@dataclass(frozen=True)
class ThresholdOnFinalModel:
    """One threshold the final model could carry, and what it does.

    Attributes
    ----------
    rule : {"cross_validated", "same_share"}
        How it was chosen: the user's threshold as is, or mapped to the same share flagged.
    threshold : float
        The threshold on the final model's scale (``inf``: flag nothing).
    share_flagged_train : float
        Share of the training digits the final model flags at it.
    test : ThresholdMetrics or None
        The final model on the test digits at it (None without a test set).
    """

    rule: str
    threshold: float
    share_flagged_train: float
    test: ThresholdMetrics | None


@dataclass(frozen=True)
class RefitComparison:
    """The user's threshold, chosen on cross-validated scores, against the final model.

    Attributes
    ----------
    chosen_threshold : float
        The threshold chosen on the cross-validated scores.
    cross_validated : ThresholdMetrics
        The cross-validated figures at it: the goal the user chose.
    share_flagged_cv : float
        Share of the training digits it flags among the cross-validated scores.
    median_cv, median_final_train, median_test : float
        Median scores: cross-validated, the final model's of the training digits, of the test
        digits (NaN without a test set).
    as_chosen : ThresholdOnFinalModel
        The chosen threshold carried as it is (``rule="cross_validated"``).
    same_share : ThresholdOnFinalModel
        The threshold flagging the same share of training digits on the final model
        (``rule="same_share"``).
    """

    chosen_threshold: float
    cross_validated: ThresholdMetrics
    share_flagged_cv: float
    median_cv: float
    median_final_train: float
    median_test: float
    as_chosen: ThresholdOnFinalModel
    same_share: ThresholdOnFinalModel

    def carried(self, rule: str) -> ThresholdOnFinalModel:
        """The threshold the export carries under ``rule`` ("cross_validated" or "same_share")."""
        if rule == CROSS_VALIDATED:
            return self.as_chosen
        if rule == SAME_SHARE:
            return self.same_share
        raise ValueError(f"rule must be one of {THRESHOLD_RULES}, got {rule!r}")

    def as_json(self) -> dict:
        """JSON-ready (NaN as null, infinite thresholds as "inf"/"-inf").

        Keys: ``chosen_threshold``, ``cross_validated_figures`` (at it),
        ``share_flagged_cross_validated``, ``median_score`` (``cross_validated``,
        ``final_model_training``, ``final_model_test``) and ``choices``: for each rule
        ("cross_validated", "same_share") its ``threshold``, the
        ``share_flagged_final_model_training`` and the ``test`` figures there.
        """
        return {
            "chosen_threshold": threshold_json(self.chosen_threshold),
            "cross_validated_figures": metrics_json(self.cross_validated),
            "share_flagged_cross_validated": json_number(self.share_flagged_cv),
            "median_score": {
                "cross_validated": json_number(self.median_cv),
                "final_model_training": json_number(self.median_final_train),
                "final_model_test": json_number(self.median_test),
            },
            "choices": {
                CROSS_VALIDATED: _choice_json(self.as_chosen),
                SAME_SHARE: _choice_json(self.same_share),
            },
        }


def metrics_json(metrics: ThresholdMetrics | None) -> dict | None:
    """Precision, recall, F1 (null when undefined) and the four counts of one threshold."""
    if metrics is None:
        return None
    return {
        "precision": json_number(metrics.precision),
        "recall": json_number(metrics.recall),
        "f1": json_number(metrics.f1),
        "tp": metrics.tp,
        "fp": metrics.fp,
        "fn": metrics.fn,
        "tn": metrics.tn,
        "n_samples": metrics.tp + metrics.fp + metrics.fn + metrics.tn,
    }


def _choice_json(choice: ThresholdOnFinalModel) -> dict:
    return {
        "threshold": threshold_json(choice.threshold),
        "share_flagged_final_model_training": json_number(choice.share_flagged_train),
        "test": metrics_json(choice.test),
    }


def _on_final_model(scores: RefitScores, *, rule: str, threshold: float) -> ThresholdOnFinalModel:
    train = scores.final_train_sorted
    test = scores.test_index
    return ThresholdOnFinalModel(
        rule=rule,
        threshold=threshold,
        share_flagged_train=n_flagged(train, threshold=threshold) / train.size,
        test=metrics_at(test, threshold=threshold) if test.n_samples else None,
    )


def refit_comparison(scores: RefitScores, *, threshold: float) -> RefitComparison:
    """The chosen threshold on the cross-validated scores, and both ways to carry it.

    Parameters
    ----------
    scores : RefitScores
    threshold : float
        Chosen on the cross-validated scores; not NaN (±inf allowed).

    Returns
    -------
    RefitComparison

    Raises
    ------
    ValueError
        When ``threshold`` is NaN.
    """
    threshold = check_threshold(threshold)
    cv = scores.cv_index
    mapped = same_share_threshold(
        source=cv.sorted_scores, target=scores.final_train_sorted, threshold=threshold
    )
    return RefitComparison(
        chosen_threshold=threshold,
        cross_validated=metrics_at(cv, threshold=threshold),
        share_flagged_cv=n_flagged(cv.sorted_scores, threshold=threshold) / cv.n_samples,
        median_cv=scores.median_cv,
        median_final_train=scores.median_final_train,
        median_test=scores.median_test,
        as_chosen=_on_final_model(scores, rule=CROSS_VALIDATED, threshold=threshold),
        same_share=_on_final_model(scores, rule=SAME_SHARE, threshold=mapped),
    )


def check_rule(rule) -> str:
    """``rule`` checked to be one of :data:`THRESHOLD_RULES`."""
    if rule not in THRESHOLD_RULES:
        raise ValueError(f"rule must be one of {THRESHOLD_RULES}, got {rule!r}")
    return rule


def share_flagged_curve(sorted_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct score and the share of the ascending ``sorted_scores`` flagged there
    (``score >= threshold``).

    Returns
    -------
    thresholds, shares : ndarray of shape (n_thresholds,), float64, read-only
        Ascending thresholds; shares descending from 1.
    """
    thresholds = np.unique(sorted_scores)
    below = sorted_scores.searchsorted(thresholds, side="left")
    shares = (sorted_scores.size - below) / sorted_scores.size
    return read_only(thresholds.astype(np.float64)), read_only(shares)


@dataclass(frozen=True, eq=False)
class DrawnCurve:
    """A curve's drawn points against the threshold (thinned; exact values at those points).

    Attributes
    ----------
    thresholds : ndarray of shape (k,), float64
    values : ndarray of shape (k,) or (k, m), float64
        Shares (0-1): one column, or several drawn against the same thresholds.
    """

    thresholds: np.ndarray
    values: np.ndarray


@dataclass(frozen=True, eq=False)
class RefitCurves:
    """What the refit's two small pictures draw, computed once per detector.

    Attributes
    ----------
    share_cv, share_final_train, share_test : DrawnCurve
        The share flagged at each threshold: cross-validated scores, the final model's scores
        of the training digits, of the test digits (None without a test set).
    test_pr : DrawnCurve or None
        The test set's precision and recall (columns 0 and 1) at each of its distinct scores,
        from the final model (None without a test set).
    cv_pr : DrawnCurve
        The same from the cross-validated scores, to compare with.
    x_range : tuple of float
        Where the drawings open: from the 1st percentile of the lowest scores to the 99.9th of
        the highest, so that the bulk of each set and the trade-off show.
    """

    share_cv: DrawnCurve
    share_final_train: DrawnCurve
    share_test: DrawnCurve | None
    test_pr: DrawnCurve | None
    cv_pr: DrawnCurve
    x_range: tuple[float, float]


def _drawn_share(sorted_scores: np.ndarray, max_points: int) -> DrawnCurve:
    thresholds, shares = share_flagged_curve(sorted_scores)
    at = thin_curve(thresholds, shares, max_points=max_points)
    return DrawnCurve(read_only(thresholds[at]), read_only(shares[at]))


def _drawn_pr(index: ScoreIndex, max_points: int) -> DrawnCurve:
    curve = precision_recall_curve_exact(index)
    both = np.column_stack((curve.precision, curve.recall))
    at = thin_curve(curve.thresholds, both, max_points=max_points)
    return DrawnCurve(read_only(curve.thresholds[at]), read_only(both[at]))


def refit_curves(scores: RefitScores, *, max_points: int = MARKER_POINTS) -> RefitCurves:
    """The drawn points of the shares flagged and of the precision/recall curves.

    Only for drawing (:func:`core.drawing.thin_curve`); every figure shown in words comes from
    :func:`refit_comparison`.
    """
    test = scores.test_index if scores.test_index.n_samples else None
    sets = [scores.cv_index.sorted_scores, scores.final_train_sorted]
    if test is not None:
        sets.append(test.sorted_scores)
    low = min(float(np.quantile(s, 0.01)) for s in sets)
    high = max(float(np.quantile(s, 0.999)) for s in sets)
    pad = 0.02 * (high - low)
    return RefitCurves(
        share_cv=_drawn_share(scores.cv_index.sorted_scores, max_points),
        share_final_train=_drawn_share(scores.final_train_sorted, max_points),
        share_test=None if test is None else _drawn_share(test.sorted_scores, max_points),
        test_pr=None if test is None else _drawn_pr(test, max_points),
        cv_pr=_drawn_pr(scores.cv_index, max_points),
        x_range=(low - pad, high + pad),
    )
