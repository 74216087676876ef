"""Drawing digits: one large, or a gallery of small ones; and the digits page's sections.

The digits page's state is in the link: the index, the label and split filters, the gallery
page. Core's functions are called through their modules (``core.images.page_slice``), so they
are looked up at each run.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from urllib.parse import urlencode

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
CAPTION_WIDTH = 84  # px: "score -146,349" fits under a thumbnail on one line


def _scale_for(dataset: Dataset, pixels: int) -> int:
    return max(1, pixels // dataset.image_shape[0])


def show_digit(dataset: Dataset, index: int, *, pixels: int = 280, caption: str | None = None):
    """One digit, about ``pixels`` wide, dark ink on white like the notebook's plot."""
    image = display_image(
        dataset.images[index], shape=dataset.image_shape, scale=_scale_for(dataset, pixels)
    )
    st.image(image, caption=caption, alt=digit_alt(label=int(dataset.labels[index]), index=index))


def digit_caption(*, label: int, index: int, score: float | None = None) -> tuple[str, ...]:
    """The lines under a digit's thumbnail, everywhere: its index, its label, its score.

    One line each, so a row of thumbnails never reads as one run-on line of numbers.
    """
    lines = [f"#{index}", f"label {label}"]
    if score is not None:
        lines.append(f"score {score:,.0f}")
    return tuple(lines)


def digit_alt(*, label: int, index: int, score: float | None = None) -> str:
    """What a digit's image says to a screen reader: "handwritten 5, #55432, score 3,380"."""
    text = f"handwritten {label}, #{index}"
    return text if score is None else f"{text}, score {score:,.0f}"


def digit_link(index: int, **params: str) -> str:
    """The relative link that opens digit ``index`` large on the digits page (with ``params``,
    e.g. the digits page's own filters, so the gallery there stays as it was)."""
    query = urlencode({"index": int(index), **params})
    return f"digits?{query}"


def _data_url(pixels: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(core.images.png_bytes(pixels)).decode()


def gallery_html(
    dataset: Dataset,
    indices: Sequence[int],
    *,
    scores: Sequence[float] | None = None,
    pixels: int = 84,
    link_params: dict[str, str] | None = None,
) -> str:
    """The thumbnails as one HTML block: each a link to the digit, large, with its caption."""
    scale = _scale_for(dataset, pixels)
    side = dataset.image_shape[0] * scale
    width = max(side, CAPTION_WIDTH)
    figures = []
    for position, index in enumerate(indices):
        label = int(dataset.labels[index])
        score = None if scores is None else float(scores[position])
        image = display_image(dataset.images[index], shape=dataset.image_shape, scale=scale)
        lines = "<br>".join(
            escape(line) for line in digit_caption(label=label, index=index, score=score)
        )
        alt = escape(digit_alt(label=label, index=index, score=score))
        href = escape(digit_link(index, **(link_params or {})))
        figures.append(
            f'<figure data-index="{index}" style="margin:0;width:{width}px;text-align:center">'
            f'<a href="{href}" title="Open digit #{index} large" '
            'style="color:inherit;text-decoration:none;display:block">'
            f'<img src="{_data_url(image)}" width="{side}" height="{side}" alt="{alt}" '
            'style="display:block;margin:0 auto;border:1px solid rgba(128,128,128,0.35)">'
            # The caption repeats the alt text for the eye; a screen reader hears the alt once.
            f'<figcaption aria-hidden="true" style="font-size:0.75rem;line-height:1.3;'
            f'margin-top:2px">{lines}'
            "</figcaption></a></figure>"
        )
    return (
        '<div class="digit-gallery" style="display:flex;flex-wrap:wrap;gap:12px 8px">'
        + "".join(figures)
        + "</div>"
    )


def show_gallery(
    dataset: Dataset,
    indices: Sequence[int] | np.ndarray,
    *,
    scores: Sequence[float] | np.ndarray | None = None,
    pixels: int = 84,
    empty: str = "No digits here.",
    link_params: dict[str, str] | None = None,
) -> None:
    """Many digits in one wrapping block (one element, quick to send and draw).

    Under each: :func:`digit_caption`; each is a link that opens the digit large on the digits
    page (:func:`digit_link`), so a click or Enter on a thumbnail shows it.
    """
    indices = [int(i) for i in indices]
    if not indices:
        st.caption(empty)
        return
    st.html(gallery_html(dataset, indices, scores=scores, pixels=pixels, link_params=link_params))


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
        # Among the digits the gallery's filters let through (at the time of the click).
        matches = matching_digits(dataset)
        pool = matches if matches.size else np.arange(dataset.n_samples)
        st.session_state.digits_index = int(pool[np.random.default_rng().integers(pool.size)])

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
        st.button(
            "Random digit",
            icon=":material/casino:",
            on_click=random_index,
            help="A digit picked at random among those the gallery's label and split let through.",
        )
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
    show_gallery(
        dataset,
        matches[start:stop],
        empty="No digit matches these filters.",
        link_params={"label": label_filter, "split": split_filter, "page": str(page)},
    )
    publish("digits_label", "label", label_filter)
    publish("digits_split", "split", split_filter)
    publish("digits_page", "page", page)
