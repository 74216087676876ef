"""Digit images for display: the notebook's "binary" colour map, scaled up crisply."""

from __future__ import annotations

import numpy as np


def display_image(image: np.ndarray, *, shape: tuple[int, int], scale: int) -> np.ndarray:
    """Return a digit as dark ink on white, enlarged by pixel repetition.

    Parameters
    ----------
    image : ndarray of shape (height * width,) or (height, width), dtype uint8
        Grey levels 0 (background) to 255 (ink), as in MNIST.
    shape : tuple of int
        ``(height, width)`` of the image.
    scale : int
        Each pixel becomes a ``scale`` x ``scale`` block (nearest neighbour, so edges stay
        crisp rather than blurred by the browser's smoothing). At least 1.

    Returns
    -------
    ndarray of shape (height * scale, width * scale), dtype uint8
        255 - image: matplotlib's ``cmap="binary"`` maps 0 to white and the maximum to black.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    height, width = shape
    pixels = np.asarray(image, dtype=np.uint8)
    if pixels.size != height * width:
        raise ValueError(f"image has {pixels.size} pixels, shape {shape} needs {height * width}")
    inverted = 255 - pixels.reshape(height, width)
    return np.repeat(np.repeat(inverted, scale, axis=0), scale, axis=1)


def page_slice(*, n_items: int, page: int, per_page: int) -> tuple[int, int, int]:
    """The ``[start, stop)`` of one page of a gallery and the number of pages.

    ``page`` is 1-based and is clamped into ``1..n_pages``; an empty gallery has one
    empty page.
    """
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, got {per_page}")
    n_pages = max(1, -(-n_items // per_page))
    page = min(max(page, 1), n_pages)
    start = (page - 1) * per_page
    return start, min(start + per_page, n_items), n_pages
