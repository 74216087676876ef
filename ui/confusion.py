"""The confusion page's sections: the two matrices, the rates in words, the digits per cell.

Core's functions are called through their modules (``counting.borderline_indices``), so
they are looked up at each run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from core import counting
from core.charts import confusion_matrix_figure
from core.params import parse_choice
from ui.detector import tradeoff_for
from ui.digits import show_gallery
from ui.params import adopt, publish, raw_param

if TYPE_CHECKING:
    from core.data import Dataset
    from core.detector import DetectorResult

PER_CELL = 12
# The galleries' order: its link value and its label.
ORDERS = {
    "closest": "closest to the threshold first",
    "confident": "most confident first",
}
CELLS = (
    ("false_positive", "False positives", "flagged as a {d}, but are not {d}s"),
    ("false_negative", "False negatives", "{d}s the detector missed"),
    ("true_positive", "True positives", "{d}s it found"),
    ("true_negative", "True negatives", "other digits it rightly let pass"),
)


def matrices(result: DetectorResult, *, digit: int) -> None:
    """The detector's cross-validated confusion matrix beside a perfect detector's."""
    matrix, perfect = st.columns(2, gap="large")
    with matrix:
        st.plotly_chart(
            confusion_matrix_figure(
                result.confusion_matrix, title="The detector (cv=3)", digit=digit
            ),
            theme=None,
            key="cm_detector",
        )
    with perfect:
        n_pos = int(result.y_train.sum())
        st.plotly_chart(
            confusion_matrix_figure(
                [[result.y_train.size - n_pos, 0], [0, n_pos]],
                title="A perfect detector",
                digit=digit,
            ),
            theme=None,
            key="cm_perfect",
        )


def rates_in_words(result: DetectorResult, *, digit: int) -> None:
    """Precision, recall and F1, each with what it measures and its counts."""
    (_tn, fp), (fn, tp) = result.confusion_matrix.tolist()
    st.subheader("Precision, recall and F1")
    columns = st.columns(3)
    columns[0].metric("Precision", f"{result.precision:.2%}")
    columns[0].markdown(
        f"Of the digits it **flagged**, the share that really are {digit}s: "
        f"TP / (TP + FP) = {tp:,} / {tp + fp:,}."
    )
    columns[1].metric("Recall", f"{result.recall:.2%}")
    columns[1].markdown(
        f"Of the real **{digit}s**, the share it flagged: TP / (TP + FN) = {tp:,} / {tp + fn:,}."
    )
    columns[2].metric("F1", f"{result.f1:.4f}")
    columns[2].markdown(
        "The harmonic mean of the two, 2 × precision × recall / (precision + recall): "
        "high only when both are."
    )
    st.caption(
        f"Exact values: precision {result.precision!r}, recall {result.recall!r}, F1 {result.f1!r}."
    )


def order_from_link() -> str | None:
    """Put ``?order=`` (closest or confident) into the order's state; the correction note."""
    parsed = parse_choice(
        raw_param("order"), name="order", default="closest", choices=tuple(ORDERS)
    )
    return adopt("confusion_order", "order", parsed)


def error_galleries(dataset: Dataset, result: DetectorResult, *, digit: int) -> None:
    """The digits of each cell at threshold 0, closest to it or most confident first."""
    st.subheader("What the errors look like")
    order = st.radio(
        "Order",
        tuple(ORDERS),
        format_func=ORDERS.get,
        horizontal=True,
        key="confusion_order",
        help="Closest: the borderline cases a small threshold change would flip. "
        "Most confident: the detector's surest mistakes.",
    )
    analysis = tradeoff_for(result.fingerprint, digit, result)
    for kind, title, what in CELLS:
        indices = counting.borderline_indices(analysis.cv_index, threshold=0.0, kind=kind)
        if order == "confident":
            indices = indices[::-1]
        shown = indices[:PER_CELL]
        st.markdown(f"**{title}** ({indices.size:,}): {what.format(d=digit)}.")
        show_gallery(
            dataset,
            shown,
            scores=result.cv_scores[shown],
            empty="None.",
        )
    st.caption(
        "Under each digit: its index, its label and its cross-validated score; a click opens "
        "it large on the digits page."
    )
    publish("confusion_order", "order", order)
