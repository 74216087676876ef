"""Everything the trade-off view needs from one trained detector, computed once.

The score indexes and curves come from :mod:`core.thresholds`; this module only gathers
them for one :class:`~core.detector.DetectorResult` and chooses the slider's range and step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from core.thresholds import (
    PrecisionRecallCurve,
    RocCurve,
    ScoreIndex,
    build_score_index,
    precision_recall_curve_exact,
    roc_curve_exact,
)

if TYPE_CHECKING:
    from core.detector import DetectorResult


@dataclass(frozen=True, eq=False)
class TradeoffData:
    """The cross-validated and held-out score indexes and curves of one detector.

    Attributes
    ----------
    cv_index : ScoreIndex
        Over the training digits' cross-validated scores (the notebook's ``y_scores``).
    test_index : ScoreIndex
        Over the test digits' scores from the final model (the held-out check).
    pr_curve : PrecisionRecallCurve
    roc_curve : RocCurve
        Exact curves of the cross-validated scores, one point per distinct score. Computed on
        first use (they need scikit-learn, whose import costs about a second), so a page can
        show the numbers, which need only the indexes, before it draws any curve.
    slider_min, slider_max : float
        The real score range, widened outward to whole multiples of ``slider_step``.
    slider_step : float
        A round step giving about 1,000 to 10,000 slider positions.
    """

    cv_index: ScoreIndex
    test_index: ScoreIndex
    slider_min: float
    slider_max: float
    slider_step: float

    @cached_property
    def pr_curve(self) -> PrecisionRecallCurve:
        return precision_recall_curve_exact(self.cv_index)

    @cached_property
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
    """Build the indexes of ``result`` (curves follow on first use): O(n log n) once, then
    O(log n) per threshold."""
    cv_index = build_score_index(y_true=result.y_train, scores=result.cv_scores)
    test_index = build_score_index(y_true=result.y_test, scores=result.test_scores)
    low, high = float(cv_index.sorted_scores[0]), float(cv_index.sorted_scores[-1])
    step = slider_step(low=low, high=high)
    return TradeoffData(
        cv_index=cv_index,
        test_index=test_index,
        slider_min=math.floor(low / step) * step,
        slider_max=math.ceil(high / step) * step,
        slider_step=step,
    )
