"""Digits: one digit large with its label, a random pick, and a filtered gallery."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.images import page_slice
from core.params import parse_choice, parse_int
from ui.dataset import get_dataset
from ui.digits import show_digit, show_gallery
from ui.entry import ensure_entry_point
from ui.params import adopt, publish, raw_param, show_notes

PER_PAGE = 40
LABEL_CHOICES = ("all", *(str(d) for d in range(10)))
SPLIT_CHOICES = ("all", "train", "test")

ensure_entry_point()
st.title("Digits")
dataset = get_dataset()
last = dataset.n_samples - 1

notes = [
    adopt(
        "digits_index",
        "index",
        parse_int(raw_param("index"), name="index", default=0, minimum=0, maximum=last),
    ),
    adopt(
        "digits_label",
        "label",
        parse_choice(raw_param("label"), name="label", default="all", choices=LABEL_CHOICES),
    ),
    adopt(
        "digits_split",
        "split",
        parse_choice(raw_param("split"), name="split", default="all", choices=SPLIT_CHOICES),
    ),
]
# The filters (from the link or the widgets' state, both final by now) decide how many
# gallery pages there are, so a link's page is checked against that, not the whole set.
label_filter = st.session_state.digits_label
split_filter = st.session_state.digits_split or "all"  # None: the control was cleared
mask = np.ones(dataset.n_samples, dtype=bool)
if label_filter != "all":
    mask &= dataset.labels == int(label_filter)
if split_filter == "train":
    mask[dataset.n_train :] = False
elif split_filter == "test":
    mask[: dataset.n_train] = False
matches = np.flatnonzero(mask)
n_pages = page_slice(n_items=matches.size, page=1, per_page=PER_PAGE)[2]
notes.append(
    adopt(
        "digits_page",
        "page",
        parse_int(raw_param("page"), name="page", default=1, minimum=1, maximum=n_pages),
    )
)
show_notes(notes, known=("index", "label", "split", "page"))


def _random_index() -> None:
    st.session_state.digits_index = int(np.random.default_rng().integers(dataset.n_samples))


one, controls = st.columns([2, 3], gap="large")
with controls:
    index = st.number_input(
        "Digit index",
        min_value=0,
        max_value=last,
        step=1,
        key="digits_index",
        help=f"0 to {last:,}. The first {dataset.n_train:,} are the training set.",
    )
    st.button("Random digit", icon=":material/casino:", on_click=_random_index)
    label = int(dataset.labels[index])
    split = "training" if index < dataset.n_train else "test"
    st.metric("Label", label)
    st.caption(f"Digit #{index:,}, in the {split} set.")
with one:
    show_digit(dataset, index, caption=f"#{index} · label {label}")
publish("digits_index", "index", index)

st.subheader("Gallery")
filters = st.columns([1, 2, 1])
filters[0].selectbox("Label", LABEL_CHOICES, key="digits_label")
filters[1].segmented_control("Split", SPLIT_CHOICES, key="digits_split", selection_mode="single")

if st.session_state.digits_page > n_pages:  # filters changed under a high page number
    st.session_state.digits_page = n_pages
page = filters[2].number_input(
    f"Page (of {n_pages:,})", min_value=1, max_value=n_pages, step=1, key="digits_page"
)
start, stop, _ = page_slice(n_items=matches.size, page=page, per_page=PER_PAGE)
st.caption(f"Digits {start + 1:,}–{stop:,} of {matches.size:,} matching." if matches.size else "")
show_gallery(dataset, matches[start:stop], empty="No digit matches these filters.")
publish("digits_label", "label", label_filter)
publish("digits_split", "split", split_filter)
publish("digits_page", "page", page)

with st.expander("About this dataset (what the notebook prints in cell [3])"):
    height, width = dataset.image_shape
    st.markdown(
        f"**{dataset.name}**, from {dataset.location} (source: {dataset.source})  \n"
        f"data: {dataset.n_samples:,} × {dataset.n_features} · target: {dataset.n_samples:,} "
        f"labels · images {height}×{width}  \n"
        f"url: {dataset.url}"
    )
    names = dataset.feature_names
    st.markdown(f"**Feature names** ({len(names)}): `{names[0]}`, `{names[1]}`, … `{names[-1]}`")
    st.markdown(f"**Target names**: {', '.join(f'`{n}`' for n in dataset.target_names)}")
    st.markdown("**First labels**: " + " ".join(str(v) for v in dataset.labels[:10]) + " …")
    st.markdown("**Description**")
    st.text(dataset.description)
    st.markdown("**Details**")
    if dataset.details:
        st.json(dataset.details, expanded=False)
    else:
        st.caption("Not known for this source (OpenML's details come with an OpenML download).")
