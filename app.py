"""Threshold Explorer: entry point, navigation and the home page.

Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import streamlit as st

from ui.cache_notice import show_cache_notice
from ui.dataset import dataset_status_line, get_dataset, prefetch_dataset
from ui.entry import freeze_long_lived_objects, mark_entered, show_failure

prefetch_dataset()  # first run of the process only: reads the data while the page imports

PAGES_IN_ORDER = (
    (
        "pages/digits.py",
        "Digits",
        "digits",
        ":material/grid_view:",
        "browse the images, one large or a whole gallery, by label and split",
    ),
    (
        "pages/train.py",
        "Train",
        "train",
        ":material/model_training:",
        "train the digit detector and see why accuracy is not enough",
    ),
    (
        "pages/confusion.py",
        "Confusion",
        "confusion",
        ":material/table:",
        "read its confusion matrix and look at the digits it gets wrong",
    ),
    (
        "pages/tradeoff.py",
        "Trade-off",
        "tradeoff",
        ":material/tune:",
        "drag the threshold and watch precision, recall and the digits at the cut move",
    ),
    (
        "pages/compare.py",
        "Compare",
        "compare",
        ":material/compare_arrows:",
        "four detectors side by side: ROC, precision-recall, one table",
    ),
)


def home() -> None:
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


def _pages() -> list:
    pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
    pages += [
        st.Page(path, title=title, url_path=url, icon=icon)
        for path, title, url, icon, _ in PAGES_IN_ORDER
    ]
    return pages


st.set_page_config(page_title="Threshold Explorer", page_icon=":material/tune:", layout="wide")
page = st.navigation(_pages())
mark_entered(True)
try:
    page.run()
except Exception:  # noqa: BLE001 - last line of defence: no traceback reaches a user
    show_failure(f"page {page.title}")
finally:
    mark_entered(False)
    freeze_long_lived_objects()
