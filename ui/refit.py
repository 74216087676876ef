"""The trade-off page's refit section: why the held-out test differs, and what the export carries.

The threshold is chosen on cross-validated scores; the test figures and the exported detector
are the final model's, whose scores sit on another scale. This section shows the two scales
(the share of digits each flags at every threshold), the test set's own precision and recall
curves, and lets the export carry either the chosen threshold or the one that flags the same
share of training digits on the final model (:mod:`core.refit`). Its words are here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from core import refit
from core.charts import (
    PRECISION_COLOR,
    RECALL_COLOR,
    ThresholdLine,
    ThresholdMark,
    threshold_lines_figure,
)
from core.formatting import percent, threshold_text
from core.params import parse_choice
from ui.params import adopt, publish, raw_param, unpublish

if TYPE_CHECKING:
    from core.data import Dataset
    from core.detector import DetectorResult
    from core.refit import RefitComparison, RefitCurves, RefitScores
    from core.tradeoff import TradeoffData

EXPORT_RULE_KEY = "export_rule"
EXPORT_PARAM = "export"  # ?export=same_share; absent for the default, the threshold as chosen
RULE_LABELS = {
    refit.CROSS_VALIDATED: "the cross-validated threshold",
    refit.SAME_SHARE: "the same share flagged on the final model",
}
CV_COLOR = "#6b7280"
FINAL_TRAIN_COLOR = "#ff7f0e"
FINAL_TEST_COLOR = "#9467bd"
FAINT = 1.2


@st.cache_resource(max_entries=20, show_spinner=False)
def refit_for(
    fingerprint: str, digit: int, _result: DetectorResult, _dataset: Dataset, _data: TradeoffData
) -> tuple[RefitScores, RefitCurves]:
    """The three score sets (the final model's training scores among them) and their drawn
    curves, once per server and detector (keyed like :func:`ui.detector.tradeoff_for`)."""
    final_train = refit.final_training_scores(_result, _dataset)
    scores = refit.refit_scores(_data, final_train_scores=final_train)
    return scores, refit.refit_curves(scores)  # the scores kept sorted only


def comparison_for(
    result: DetectorResult, dataset: Dataset, data: TradeoffData, *, digit: int, threshold: float
) -> tuple[np.ndarray, RefitComparison, RefitCurves]:
    """The final model's training scores (sorted), the comparison at ``threshold``, the drawn
    curves."""
    with st.spinner("Scoring the training digits with the final model…"):
        scores, curves = refit_for(result.fingerprint, digit, result, dataset, data)
    comparison = refit.refit_comparison(scores, threshold=threshold)
    return scores.final_train_sorted, comparison, curves


def _score(value: float) -> str:
    return f"{value:,.0f}".replace("-", "−")


def scale_sentence(comparison: RefitComparison, *, n_train: int) -> str:
    """One plain sentence: the medians, and the shares the chosen threshold flags."""
    c = comparison
    test = "" if np.isnan(c.median_test) else f"{_score(c.median_test)} on the test digits, "
    return (
        f"The test figures come from the final model, fitted again on all {n_train:,} training "
        f"digits, and its scores sit on another scale than the fold models' (median score "
        f"{test}{_score(c.median_final_train)} on the training digits, against "
        f"{_score(c.median_cv)} cross-validated): at {threshold_text(c.chosen_threshold)} it "
        f"flags {percent(c.as_chosen.share_flagged_train)} of the training digits where the "
        f"cross-validated scores flag {percent(c.share_flagged_cv)}."
    )


def _test_figures(choice) -> str:
    if choice.test is None:
        return "no test digits to measure it on"
    return f"precision {percent(choice.test.precision)}, recall {percent(choice.test.recall)}"


def choices_sentence(comparison: RefitComparison) -> str:
    """The two thresholds the final model could carry, each with its test figures."""
    c = comparison
    return (
        f"On the test digits: {_test_figures(c.as_chosen)} at "
        f"{threshold_text(c.chosen_threshold)} as chosen; {_test_figures(c.same_share)} at "
        f"{threshold_text(c.same_share.threshold)}, the threshold flagging the same "
        f"{percent(c.share_flagged_cv)} of training digits on the final model "
        f"(cross-validated: precision {percent(c.cross_validated.precision)}, recall "
        f"{percent(c.cross_validated.recall)})."
    )


def export_caption(comparison: RefitComparison, *, rule: str) -> str:
    """Under the download button: which threshold the file carries and what to expect of it."""
    c = comparison
    carried = c.carried(rule)
    if rule == refit.CROSS_VALIDATED:
        text = (
            f"The file carries {threshold_text(carried.threshold)}, chosen on the "
            "cross-validated scores, as it is: on the final model it flags "
            f"{percent(carried.share_flagged_train)} of the training digits "
            f"({percent(c.share_flagged_cv)} cross-validated)."
        )
    else:
        text = (
            f"The file carries {threshold_text(carried.threshold)} instead of "
            f"{threshold_text(c.chosen_threshold)}: on the final model it flags the same "
            f"{percent(c.share_flagged_cv)} of the training digits that "
            f"{threshold_text(c.chosen_threshold)} flags of the cross-validated scores."
        )
    if carried.test is None:
        return text + " There are no test digits to say what to expect."
    return (
        f"{text} Expect precision {percent(carried.test.precision)} and recall "
        f"{percent(carried.test.recall)}: the final model on the held-out test digits at this "
        "threshold. The model card says the same."
    )


def _marks(comparison: RefitComparison) -> list[ThresholdMark]:
    chosen = comparison.chosen_threshold
    mapped = comparison.same_share.threshold
    marks = [ThresholdMark(f"threshold {threshold_text(chosen)}", chosen)]
    if mapped != chosen:
        marks.append(ThresholdMark(f"same share {threshold_text(mapped)}", mapped, dash="dash"))
    return marks


def scale_figure(comparison: RefitComparison, curves: RefitCurves, *, digit: int):
    """The share of digits each set of scores flags at every threshold."""
    lines = [
        ThresholdLine(
            "cross-validated",
            curves.share_cv.thresholds,
            curves.share_cv.values,
            CV_COLOR,
        ),
    ]
    if curves.share_test is not None:
        lines.append(
            ThresholdLine(
                "final model, test",
                curves.share_test.thresholds,
                curves.share_test.values,
                FINAL_TEST_COLOR,
            )
        )
    lines.append(
        ThresholdLine(
            "final model, training",
            curves.share_final_train.thresholds,
            curves.share_final_train.values,
            FINAL_TRAIN_COLOR,
            dash="dot",
        )
    )
    return threshold_lines_figure(
        lines,
        marks=_marks(comparison),
        title="Share flagged at each threshold",
        x_title="",
        y_title="",
        x_range=curves.x_range,
        uirevision=f"refit-scale-{digit}",
    )


def test_curve_figure(comparison: RefitComparison, curves: RefitCurves, *, digit: int):
    """The test set's own precision and recall against the threshold, beside the
    cross-validated ones (faint)."""
    lines = [
        ThresholdLine(
            "precision, cross-validated",
            curves.cv_pr.thresholds,
            curves.cv_pr.values[:, 0],
            PRECISION_COLOR,
            dash="dot",
            width=FAINT,
        ),
        ThresholdLine(
            "recall, cross-validated",
            curves.cv_pr.thresholds,
            curves.cv_pr.values[:, 1],
            RECALL_COLOR,
            dash="dot",
            width=FAINT,
        ),
    ]
    if curves.test_pr is not None:
        lines += [
            ThresholdLine(
                "precision, test",
                curves.test_pr.thresholds,
                curves.test_pr.values[:, 0],
                PRECISION_COLOR,
            ),
            ThresholdLine(
                "recall, test",
                curves.test_pr.thresholds,
                curves.test_pr.values[:, 1],
                RECALL_COLOR,
            ),
        ]
    return threshold_lines_figure(
        lines,
        marks=_marks(comparison),
        title="Test set: precision and recall",
        x_title="",
        y_title="",
        x_range=curves.x_range,
        uirevision=f"refit-test-{digit}",
    )


def refit_section(
    result: DetectorResult, dataset: Dataset, data: TradeoffData, *, digit: int, threshold: float
) -> None:
    """Under the explorer: why the held-out test differs, in one sentence and two small
    pictures, both marked at the current threshold (and the same-share one)."""
    _, comparison, curves = comparison_for(result, dataset, data, digit=digit, threshold=threshold)
    with st.container(border=True, key="refit_section"):
        st.markdown("**Why the held-out test differs: the final model's scale**")
        st.caption(scale_sentence(comparison, n_train=dataset.n_train))
        scale, test = st.columns(2, gap="medium")
        config = {"displaylogo": False, "displayModeBar": False}
        with scale:
            st.plotly_chart(
                scale_figure(comparison, curves, digit=digit),
                theme=None,
                key="refit_scale",
                config=config,
            )
        with test:
            st.plotly_chart(
                test_curve_figure(comparison, curves, digit=digit),
                theme=None,
                key="refit_test_curve",
                config=config,
            )
        st.caption(choices_sentence(comparison))


def export_rule_from_link() -> str | None:
    """Put ``?export=`` (which threshold the download carries) into the export's radio; the
    correction note when it had one."""
    parsed = parse_choice(
        raw_param(EXPORT_PARAM),
        name=EXPORT_PARAM,
        default=refit.CROSS_VALIDATED,
        choices=refit.THRESHOLD_RULES,
    )
    return adopt(EXPORT_RULE_KEY, EXPORT_PARAM, parsed)


def export_choice(
    result: DetectorResult, dataset: Dataset, data: TradeoffData, *, digit: int, threshold: float
) -> tuple[str, np.ndarray, RefitComparison]:
    """The radio choosing which threshold the export carries; its rule, the final model's
    training scores (sorted, for the card) and the comparison."""
    final_train, comparison, _ = comparison_for(
        result, dataset, data, digit=digit, threshold=threshold
    )
    rule = st.radio(
        "Export with",
        refit.THRESHOLD_RULES,
        format_func=RULE_LABELS.__getitem__,
        key=EXPORT_RULE_KEY,
        horizontal=True,
        help="The threshold was chosen on cross-validated scores; the exported detector is the "
        "final model, whose scores sit on another scale. The second choice keeps the share of "
        "digits flagged.",
    )
    if rule == refit.CROSS_VALIDATED:
        unpublish(EXPORT_RULE_KEY, EXPORT_PARAM)
    else:
        publish(EXPORT_RULE_KEY, EXPORT_PARAM, rule)
    return rule, final_train, comparison
