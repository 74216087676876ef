"""All digits: the ten-class model, its accuracy, its errors cell by cell, one digit's trade-off."""

from __future__ import annotations

import streamlit as st

from ui import multiclass, tradeoff
from ui.cache_notice import show_cache_notice
from ui.dataset import get_dataset
from ui.entry import guarded, show_callback_failure, start_page
from ui.params import show_notes

start_page()
st.title("All digits")
show_cache_notice()
dataset = get_dataset()
notes = [multiclass.view_from_link(), multiclass.digit_from_link(), multiclass.cell_from_link()]
st.markdown(
    f"The same `SGDClassifier(random_state=42)` now tells all ten digits apart: scikit-learn "
    f"trains one detector per digit (one versus the rest) and answers with the digit whose "
    f"detector scores highest. Two models learn from the {dataset.n_train:,} training digits, "
    "one on the raw pixels and one on standardised pixels (`StandardScaler`), each judged by "
    "3-fold cross-validation."
)
result = multiclass.trained_or_offer(dataset)
if result is None:
    show_notes(notes, known=multiclass.KNOWN_PARAMS)
    st.stop()
digit = multiclass.column_digit()
scored, data = multiclass.column_tradeoff(result, digit=digit)
notes.append(multiclass.threshold_from_link(data, fingerprint=scored.fingerprint))
notes += [tradeoff.prevalence_from_link(data), *tradeoff.costs_from_link()]
show_notes(notes, known=multiclass.KNOWN_PARAMS)

multiclass.fold_accuracy(result, mnist=not dataset.is_fallback)
multiclass.some_digit(dataset, result)
multiclass.confusion_section(dataset, result)
multiclass.per_digit_table(result)

st.subheader("One digit's trade-off inside the ten-class model")
st.markdown(
    "Each digit's column of the standardised model's cross-validated decision scores is a "
    "detector of its own: flag the training digits whose score for this digit is at or above "
    "a threshold. Here it goes into the same live explorer as the trade-off page's."
)
multiclass.choose_column_digit()


@st.fragment
@guarded
def threshold_panel() -> None:
    """Everything that depends on the threshold: reruns alone when it moves, never refits."""
    show_callback_failure()
    threshold = multiclass.current_threshold(data, fingerprint=scored.fingerprint)
    multiclass.explorer(data, fingerprint=scored.fingerprint, digit=digit, threshold=threshold)
    multiclass.controls(data, digit=digit, threshold=threshold)
    multiclass.beside_the_detector(dataset, data, digit=digit)


threshold_panel()
