"""Drawing digits: one large, or a gallery of small ones with captions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from core.data import Dataset
from core.images import display_image


def _scale_for(dataset: Dataset, pixels: int) -> int:
    return max(1, pixels // dataset.image_shape[0])


def show_digit(dataset: Dataset, index: int, *, pixels: int = 280, caption: str | None = None):
    """One digit, about ``pixels`` wide, dark ink on white like the notebook's plot."""
    image = display_image(
        dataset.images[index], shape=dataset.image_shape, scale=_scale_for(dataset, pixels)
    )
    st.image(image, caption=caption)


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
    st.image(images, caption=list(captions))
