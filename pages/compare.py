"""Compare: four detectors of one digit, cross-validated alike, at the same operating point."""

from __future__ import annotations

import streamlit as st

from core.compare import compare_table
from ui import compare
from ui.dataset import get_dataset
from ui.detector import choose_digit
from ui.entry import start_page
from ui.notebook import notebook_cells, notebook_quotes
from ui.params import show_notes

KNOWN_PARAMS = ("digit", "precision", "recall")

start_page()
st.title("Compare detectors")
notebook_cells("compare")
dataset = get_dataset()
digit, digit_note = choose_digit(page="compare")
show_notes([digit_note, *compare.targets_from_link()], known=KNOWN_PARAMS)
compare.fallback_note(dataset)

st.markdown(
    f"Four detectors answer the same question, *is this a {digit}?*, and are judged the same "
    "way: 3-fold cross-validation on the training digits (unshuffled, stratified folds: what "
    "`cross_val_predict(cv=3)` does), every digit scored by a model that never saw it. "
    "Nothing trains until you press its button; a trained model is kept on disk."
)

st.subheader("The models")
results = compare.model_cards(dataset, digit)

st.subheader("At the same operating point")
target_precision, target_recall = compare.target_inputs()
if not results:
    st.info(
        f"No model is trained yet for the digit {digit}: press a model's Train button above. "
        "Its curves and numbers appear here as soon as it is ready.",
        icon=":material/schedule:",
    )
    st.stop()

curves = {key: compare.curves_for(result) for key, result in results.items()}
rows = compare_table(
    list(curves.values()), target_precision=target_precision, target_recall=target_recall
)
compare.overlay_charts(curves, rows, target_precision=target_precision)
compare.show_table(rows, target_precision=target_precision, target_recall=target_recall)
compare.table_notes(rows, n_trained=len(results))
notebook_quotes("compare")
