"""Train: the notebook's detector, cross-validated, against the "never this digit" baseline."""

from __future__ import annotations

import streamlit as st

from core.detector import decision_at, digit_score
from core.params import parse_int
from ui.dataset import get_dataset
from ui.detector import choose_digit, ready_detector, train_with_progress
from ui.digits import show_digit
from ui.entry import ensure_entry_point
from ui.params import adopt, publish, raw_param, show_notes

ensure_entry_point()
st.title("Train the digit detector")
dataset = get_dataset()
digit, digit_note = choose_digit(page="train")
index_note = adopt(
    "train_index",
    "index",
    parse_int(
        raw_param("index"), name="index", default=0, minimum=0, maximum=dataset.n_samples - 1
    ),
)
show_notes([digit_note, index_note], known=("digit", "index"))

st.markdown(
    f"A linear classifier, `SGDClassifier(random_state=42)`, learns from the raw pixels of the "
    f"{dataset.n_train:,} training digits to answer one question: *is this a {digit}?* "
    "It is judged by 3-fold cross-validation: each third of the training set is scored by a "
    "model that never saw it."
)

result = ready_detector(dataset, digit)
if result is None:
    offer = st.empty()  # the button and its note go once training starts
    with offer.container():
        start = st.button(
            f"Train the {digit}-detector", type="primary", icon=":material/play_arrow:"
        )
        st.info(
            "Not trained yet for this digit. Training fits four models at once (three "
            "cross-validation folds and the final model); on full MNIST that takes about "
            "20–30 seconds, once: the result is kept on disk.",
            icon=":material/schedule:",
        )
    if start:
        offer.empty()
        result = train_with_progress(dataset, digit)
if result is None:
    st.stop()

st.subheader("Accuracy, fold by fold")
columns = st.columns(len(result.fold_accuracy) + 1)
for fold, (column, accuracy) in enumerate(zip(columns, result.fold_accuracy, strict=False), 1):
    column.metric(f"Fold {fold}", f"{accuracy:.3%}")
columns[-1].metric(f"Never says {digit}", f"{result.dummy_accuracy:.3%}")
share = 1 - result.dummy_accuracy
st.markdown(
    f'Only {share:.1%} of the training digits are {digit}s, so a "detector" that never says '
    f"{digit} is right {result.dummy_accuracy:.1%} of the time: **accuracy says little when one "
    "class is rare** — the confusion matrix, precision and recall show what it hides."
)
st.page_link("pages/confusion.py", label="Read the confusion matrix", icon=":material/table:")

st.subheader("One digit's score")
picked, explained = st.columns([1, 2], gap="large")
with explained:
    index = st.number_input(
        "Digit index", min_value=0, max_value=dataset.n_samples - 1, step=1, key="train_index"
    )
    threshold = st.number_input(
        "Your threshold",
        value=8000.0,
        step=500.0,
        format="%.2f",
        key="train_threshold",
        help="The digit is flagged when its score is above this.",
    )
    score = digit_score(result, dataset.images[index])
    st.metric("Decision score", f"{score:,.8f}")
    verdict = {True: f"flagged as a {digit}", False: f"not flagged as a {digit}"}
    at_zero = verdict[decision_at(score, threshold=0.0)]
    at_yours = verdict[decision_at(score, threshold=threshold)]
    st.markdown(
        f"- at threshold **0** (what `predict` does): {at_zero}\n"
        f"- at threshold **{threshold:,.2f}**: {at_yours}"
    )
    st.caption(
        "The final model (fitted on all training digits) scores the digit; the threshold turns "
        "the score into a yes or no. Raising it flags fewer digits."
    )
with picked:
    show_digit(dataset, index, pixels=196, caption=f"#{index} · label {dataset.labels[index]}")
publish("train_index", "index", index)
