"""Drawing digits: one large, or a gallery of small ones; and the digits page's sections.

The digits page's state is in the link: the index, the label and split filters, the gallery
page. Core's functions are called through their modules (``core.images.page_slice``), so they
are looked up at each run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

import core.images
from core.data import Dataset
from core.images import display_image
from core.params import parse_choice, parse_int
from ui.params import adopt, publish, raw_param

PER_PAGE = 40
LABEL_CHOICES = ("all", *(str(d) for d in range(10)))
SPLIT_CHOICES = ("all", "train", "test")


def _scale_for(dataset: Dataset, pixels: int) -> int:
    return max(1, pixels // dataset.image_shape[0])


def show_digit(dataset: Dataset, index: int, *, pixels: int = 280, caption: str | None = None):
    """One digit, about ``pixels`` wide, dark ink on white like the notebook's plot."""
    image = display_image(
        dataset.images[index], shape=dataset.image_shape, scale=_scale_for(dataset, pixels)
    )
    st.image(image, caption=caption, alt=digit_alt(label=int(dataset.labels[index]), index=index))


def digit_alt(*, label: int, index: int, score: float | None = None) -> str:
    """What a digit's image says to a screen reader: "handwritten 5, #55432, score 3,380"."""
    text = f"handwritten {label}, #{index}"
    return text if score is None else f"{text}, score {score:,.0f}"


def show_gallery(
    dataset: Dataset,
    indices: Sequence[int] | np.ndarray,
    *,
    captions: Sequence[str] | None = None,
    pixels: int = 84,
    empty: str = "No digits here.",
) -> None:
    """Many digits in one wrapping row (one element, so it is quick to send and draw)."""
    indices = [int(i) for i in indices]
    if not indices:
        st.caption(empty)
        return
    scale = _scale_for(dataset, pixels)
    images = [
        display_image(dataset.images[i], shape=dataset.image_shape, scale=scale) for i in indices
    ]
    if captions is None:
        captions = [f"#{i} · {dataset.labels[i]}" for i in indices]
    alts = [digit_alt(label=int(dataset.labels[i]), index=i) for i in indices]
    st.image(images, caption=list(captions), alt=alts)


def choices_from_link(dataset: Dataset) -> list[str | None]:
    """Put ``?index=``, ``?label=`` and ``?split=`` into the widgets' state; their notes."""
    last = dataset.n_samples - 1
    return [
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


def _split_filter() -> str:
    return st.session_state.digits_split or "all"  # None: the control was cleared


def matching_digits(dataset: Dataset) -> np.ndarray:
    """The indices that pass the label and split filters (from the link or the widgets)."""
    label_filter = st.session_state.digits_label
    mask = np.ones(dataset.n_samples, dtype=bool)
    if label_filter != "all":
        mask &= dataset.labels == int(label_filter)
    if _split_filter() == "train":
        mask[dataset.n_train :] = False
    elif _split_filter() == "test":
        mask[: dataset.n_train] = False
    return np.flatnonzero(mask)


def gallery_page_from_link(matches: np.ndarray) -> tuple[int, str | None]:
    """The number of gallery pages, and ``?page=`` put into its state (checked against it)."""
    n_pages = core.images.page_slice(n_items=matches.size, page=1, per_page=PER_PAGE)[2]
    parsed = parse_int(raw_param("page"), name="page", default=1, minimum=1, maximum=n_pages)
    return n_pages, adopt("digits_page", "page", parsed)


def one_digit(dataset: Dataset) -> None:
    """The digit at an index, large, with its label; pick an index or a random one."""
    last = dataset.n_samples - 1

    def random_index() -> None:
        st.session_state.digits_index = int(np.random.default_rng().integers(dataset.n_samples))

    shown, controls = st.columns([2, 3], gap="large")
    with controls:
        index = st.number_input(
            "Digit index",
            min_value=0,
            max_value=last,
            step=1,
            key="digits_index",
            help=f"0 to {last:,}. The first {dataset.n_train:,} are the training set.",
        )
        st.button("Random digit", icon=":material/casino:", on_click=random_index)
        label = int(dataset.labels[index])
        split = "training" if index < dataset.n_train else "test"
        st.metric("Label", label)
        st.caption(f"Digit #{index:,}, in the {split} set.")
    with shown:
        show_digit(dataset, index, caption=f"#{index} · label {label}")
    publish("digits_index", "index", index)


def gallery(dataset: Dataset, matches: np.ndarray, *, n_pages: int) -> None:
    """The filters, the gallery page and the matching digits of that page."""
    st.subheader("Gallery")
    label_filter, split_filter = st.session_state.digits_label, _split_filter()
    filters = st.columns([1, 2, 1])
    filters[0].selectbox("Label", LABEL_CHOICES, key="digits_label")
    filters[1].segmented_control(
        "Split", SPLIT_CHOICES, key="digits_split", selection_mode="single"
    )
    if st.session_state.digits_page > n_pages:  # filters changed under a high page number
        st.session_state.digits_page = n_pages
    page = filters[2].number_input(
        f"Page (of {n_pages:,})", min_value=1, max_value=n_pages, step=1, key="digits_page"
    )
    start, stop, _ = core.images.page_slice(n_items=matches.size, page=page, per_page=PER_PAGE)
    st.caption(
        f"Digits {start + 1:,}–{stop:,} of {matches.size:,} matching." if matches.size else ""
    )
    show_gallery(dataset, matches[start:stop], empty="No digit matches these filters.")
    publish("digits_label", "label", label_filter)
    publish("digits_split", "split", split_filter)
    publish("digits_page", "page", page)
