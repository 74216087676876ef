"""Confusion: the cross-validated confusion matrix, precision, recall, F1, and the errors."""

from __future__ import annotations

import streamlit as st

from ui import confusion
from ui.dataset import get_dataset
from ui.detector import choose_digit, detector_for_page
from ui.entry import start_page
from ui.notebook import notebook_cells, notebook_quotes
from ui.params import show_notes

start_page()
st.title("Confusion matrix")
notebook_cells("confusion")
dataset = get_dataset()
digit, digit_note = choose_digit(page="confusion")
show_notes([digit_note, confusion.order_from_link()], known=("digit", "order"))
result = detector_for_page(dataset, digit)
if result is None:
    st.stop()

st.markdown(
    "Every training digit was scored by a model that never saw it (3-fold cross-validation), "
    f"and flagged as a {digit} when its score is above 0, as `predict` does. Rows are what the "
    "digit really is, columns what the detector said."
)
confusion.matrices(result, digit=digit)
confusion.rates_in_words(result, digit=digit)
confusion.error_galleries(dataset, result, digit=digit)
st.page_link("pages/tradeoff.py", label="Move the threshold", icon=":material/tune:")
notebook_quotes("confusion")
