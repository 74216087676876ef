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


def png_bytes(pixels: np.ndarray) -> bytes:
    """A grey image as PNG bytes (8-bit greyscale, no filter), with no imaging library.

    Parameters
    ----------
    pixels : ndarray of shape (height, width), dtype uint8

    Returns
    -------
    bytes
        A complete PNG file.
    """
    import struct
    import zlib

    pixels = np.asarray(pixels)
    if pixels.ndim != 2 or pixels.dtype != np.uint8 or 0 in pixels.shape:
        raise ValueError(
            f"pixels must be a non-empty 2-D uint8 array, got {pixels.dtype} {pixels.shape}"
        )
    height, width = pixels.shape

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = np.hstack([np.zeros((height, 1), dtype=np.uint8), pixels])  # filter byte 0 a row
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + chunk(b"IEND", b"")
    )
