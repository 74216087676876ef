"""The train page's sections: the offer to train, accuracy fold by fold, one digit's score.

Core's functions are called through their modules (``detector.digit_score``), so they are
looked up at each run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from core import counting, detector
from core.params import parse_float, parse_int
from ui.detector import (
    ready_detector,
    show_detector_training,
    train_with_progress,
    training_in_view,
)
from ui.digits import show_digit
from ui.params import adopt, publish, raw_param

if TYPE_CHECKING:
    from core.data import Dataset
    from core.detector import DetectorResult


DEFAULT_THRESHOLD = 8000.0  # the notebook's cell [11]
# Far beyond any score of the detector (MNIST's run from about -150,000 to 50,000), yet a
# number the input shows whole.
THRESHOLD_BOUND = 1e9


def index_from_link(dataset: Dataset) -> str | None:
    """Put ``?index=`` into the digit index's state; the correction note when it had one."""
    parsed = parse_int(
        raw_param("index"), name="index", default=0, minimum=0, maximum=dataset.n_samples - 1
    )
    return adopt("train_index", "index", parsed)


def threshold_from_link() -> str | None:
    """Put ``?threshold=`` into "Your threshold"; the correction note when it had one."""
    parsed = parse_float(
        raw_param("threshold"),
        name="threshold",
        default=DEFAULT_THRESHOLD,
        minimum=-THRESHOLD_BOUND,
        maximum=THRESHOLD_BOUND,
    )
    return adopt("train_threshold", "threshold", parsed)


def trained_or_offer(dataset: Dataset, digit: int) -> DetectorResult | None:
    """The detector when it is trained; its training while one runs (whoever asked for it);
    else a Train button, and the training once pressed (None until it has ended)."""
    job = training_in_view(dataset, digit)
    if job is not None:
        return show_detector_training(job, digit)
    result = ready_detector(dataset, digit)
    if result is not None:
        return result
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
    if not start:
        return None
    offer.empty()
    return train_with_progress(dataset, digit)


def fold_accuracy(result: DetectorResult, *, digit: int) -> None:
    """Each fold's accuracy beside the "never this digit" baseline, and what that means."""
    st.subheader("Accuracy, fold by fold")
    columns = st.columns(len(result.fold_accuracy) + 1)
    for fold, (column, accuracy) in enumerate(zip(columns, result.fold_accuracy, strict=False), 1):
        column.metric(f"Fold {fold}", f"{accuracy:.3%}")
    columns[-1].metric(f"Never says {digit}", f"{result.dummy_accuracy:.3%}")
    share = 1 - result.dummy_accuracy
    st.markdown(
        f'Only {share:.1%} of the training digits are {digit}s, so a "detector" that never says '
        f"{digit} is right {result.dummy_accuracy:.1%} of the time: **accuracy says little when "
        "one class is rare** — the confusion matrix, precision and recall show what it hides."
    )
    st.page_link("pages/confusion.py", label="Read the confusion matrix", icon=":material/table:")


def one_digit_score(dataset: Dataset, result: DetectorResult, *, digit: int) -> None:
    """Pick a digit and a threshold: the digit, its score and the decision at 0 and at yours."""
    st.subheader("One digit's score")
    picked, explained = st.columns([1, 2], gap="large")
    with explained:
        index = st.number_input(
            "Digit index", min_value=0, max_value=dataset.n_samples - 1, step=1, key="train_index"
        )
        st.session_state.setdefault("train_threshold", DEFAULT_THRESHOLD)  # or the link's
        threshold = st.number_input(
            "Your threshold",
            min_value=-THRESHOLD_BOUND,
            max_value=THRESHOLD_BOUND,
            step=500.0,
            format="%.2f",
            key="train_threshold",
            help="The digit is flagged when its score is at or above this.",
        )
        score = detector.digit_score(result, dataset.images[index])
        st.metric("Decision score", f"{score:,.8f}")
        verdict = {True: f"flagged as a {digit}", False: f"not flagged as a {digit}"}
        at_zero = verdict[detector.notebook_decision(score, threshold=0.0)]
        at_yours = verdict[counting.is_flagged(score, threshold=threshold)]
        st.markdown(
            f"- at threshold **0** (what `predict` does): {at_zero}\n"
            f"- at threshold **{threshold:,.2f}**: {at_yours}"
        )
        st.caption(
            "The final model (fitted on all training digits) scores the digit; the threshold "
            "turns the score into a yes or no. Raising it flags fewer digits."
        )
    with picked:
        show_digit(dataset, index, pixels=196, caption=f"#{index} · label {dataset.labels[index]}")
    publish("train_index", "index", index)
    publish("train_threshold", "threshold", repr(float(threshold)))
