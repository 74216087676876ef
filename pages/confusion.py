"""Confusion: the cross-validated confusion matrix, precision, recall, F1, and the errors."""

from __future__ import annotations

import streamlit as st

from core.charts import confusion_matrix_figure
from core.thresholds import borderline_indices
from ui.dataset import get_dataset
from ui.detector import choose_digit, detector_for_page, tradeoff_for
from ui.digits import show_gallery
from ui.entry import ensure_entry_point
from ui.params import show_notes

PER_CELL = 12
CELLS = (
    ("false_positive", "False positives", "flagged as a {d}, but are not {d}s"),
    ("false_negative", "False negatives", "{d}s the detector missed"),
    ("true_positive", "True positives", "{d}s it found"),
    ("true_negative", "True negatives", "other digits it rightly let pass"),
)

ensure_entry_point()
st.title("Confusion matrix")
dataset = get_dataset()
digit, digit_note = choose_digit(page="confusion")
show_notes([digit_note], known=("digit",))
result = detector_for_page(dataset, digit)
if result is None:
    st.stop()

st.markdown(
    "Every training digit was scored by a model that never saw it (3-fold cross-validation), "
    f"and flagged as a {digit} when its score is above 0, as `predict` does. Rows are what the "
    "digit really is, columns what the detector said."
)
matrix, perfect = st.columns(2, gap="large")
(tn, fp), (fn, tp) = result.confusion_matrix.tolist()
with matrix:
    st.plotly_chart(
        confusion_matrix_figure(result.confusion_matrix, title="The detector (cv=3)", digit=digit),
        theme=None,
        key="cm_detector",
    )
with perfect:
    n_pos = int(result.y_train.sum())
    st.plotly_chart(
        confusion_matrix_figure(
            [[result.y_train.size - n_pos, 0], [0, n_pos]], title="A perfect detector", digit=digit
        ),
        theme=None,
        key="cm_perfect",
    )

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

st.subheader("What the errors look like")
order = st.radio(
    "Order",
    ("closest to the threshold first", "most confident first"),
    horizontal=True,
    key="confusion_order",
    help="Closest: the borderline cases a small threshold change would flip. "
    "Most confident: the detector's surest mistakes.",
)
analysis = tradeoff_for(result.fingerprint, digit, result)
for kind, title, what in CELLS:
    indices = borderline_indices(analysis.cv_index, threshold=0.0, kind=kind)
    if order.startswith("most"):
        indices = indices[::-1]
    shown = indices[:PER_CELL]
    st.markdown(f"**{title}** ({indices.size:,}): {what.format(d=digit)}.")
    show_gallery(
        dataset,
        shown,
        captions=[f"#{i} · {dataset.labels[i]} · {result.cv_scores[i]:,.0f}" for i in shown],
        empty="None.",
    )
st.caption("Under each digit: its index, its label and its cross-validated score.")
st.page_link("pages/tradeoff.py", label="Move the threshold", icon=":material/tune:")
