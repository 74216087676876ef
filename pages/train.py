"""Train: the notebook's detector, cross-validated, against the "never this digit" baseline."""

from __future__ import annotations

import streamlit as st

from ui import train
from ui.cache_notice import show_cache_notice
from ui.dataset import get_dataset
from ui.detector import choose_digit
from ui.entry import start_page
from ui.notebook import notebook_cells, notebook_quotes
from ui.params import show_notes

start_page()
st.title("Train the digit detector")
notebook_cells("train")
show_cache_notice()
dataset = get_dataset()
digit, digit_note = choose_digit(page="train")
show_notes(
    [digit_note, train.index_from_link(dataset), train.threshold_from_link()],
    known=("digit", "index", "threshold"),
)

st.markdown(
    f"A linear classifier, `SGDClassifier(random_state=42)`, learns from the raw pixels of the "
    f"{dataset.n_train:,} training digits to answer one question: *is this a {digit}?* "
    "It is judged by 3-fold cross-validation: each third of the training set is scored by a "
    "model that never saw it."
)
notebook_quotes("train")  # here, so that it is there before the detector is trained too
result = train.trained_or_offer(dataset, digit)
if result is None:
    st.stop()
train.fold_accuracy(result, digit=digit)
train.one_digit_score(dataset, result, digit=digit)
