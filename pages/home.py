"""Home: what the app does, the data it reads, and the way through its pages."""

from __future__ import annotations

import streamlit as st

from ui.cache_notice import show_cache_notice
from ui.dataset import dataset_status_line, get_dataset
from ui.entry import PAGES_IN_ORDER, start_page

start_page()
st.title("Threshold Explorer")
st.markdown(
    "Train a **digit detector** on MNIST (*is this a 5?*), exactly as chapter 3 of "
    "*Hands-On Machine Learning* does. The detector gives every digit a score, and a "
    "threshold on that score decides what it flags. Move the threshold and watch precision, "
    "recall, the confusion matrix and the very digits on either side of the cut change with it."
)
dataset = get_dataset()
st.subheader("The data")
st.markdown(dataset_status_line(dataset))
show_cache_notice()
st.subheader("The way through")
for path, title, _url, icon, what in PAGES_IN_ORDER:
    st.page_link(path, label=f"{title}: {what}", icon=icon)
