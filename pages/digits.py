"""Digits: one digit large with its label, a random pick, and a filtered gallery."""

from __future__ import annotations

import streamlit as st

from ui import digits
from ui.dataset import dataset_details, get_dataset
from ui.entry import start_page
from ui.notebook import notebook_cells, notebook_quotes
from ui.params import show_notes

start_page()
st.title("Digits")
notebook_cells("digits")
dataset = get_dataset()
notes = digits.choices_from_link(dataset)
# The filters (from the link or the widgets' state, both final by now) decide how many
# gallery pages there are, so a link's page is checked against that, not the whole set.
matches = digits.matching_digits(dataset)
n_pages, page_note = digits.gallery_page_from_link(matches)
show_notes([*notes, page_note], known=("index", "label", "split", "page"))

digits.one_digit(dataset)
digits.gallery(dataset, matches, n_pages=n_pages)
dataset_details(dataset)
notebook_quotes("digits")
