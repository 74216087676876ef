"""MNIST's IDX files: the four files of the original distribution, raw or gzipped.

:func:`load_idx_dataset` reads a directory of them into a :class:`~core.data.Dataset`, training
images first: exactly the row order of OpenML's ``mnist_784``. :func:`read_idx` reads one file
and names what is wrong with a malformed one.
"""

from __future__ import annotations

import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from core.data import (
    MNIST_FEATURE_NAMES,
    MNIST_IMAGE_SHAPE,
    OPENML_MNIST_784_DESCR,
    OPENML_NAME,
    OPENML_URL,
    SOURCE_IDX,
    Dataset,
    check_label_values,
    make_dataset,
)

# The four files of the original distribution, train first; each may also end in ".gz".
IDX_TRAIN_IMAGES = "train-images-idx3-ubyte"
IDX_TRAIN_LABELS = "train-labels-idx1-ubyte"
IDX_TEST_IMAGES = "t10k-images-idx3-ubyte"
IDX_TEST_LABELS = "t10k-labels-idx1-ubyte"
IDX_FILES = (IDX_TRAIN_IMAGES, IDX_TRAIN_LABELS, IDX_TEST_IMAGES, IDX_TEST_LABELS)

# IDX magic numbers: two zero bytes, 0x08 (unsigned byte data), then the number of dimensions.
IDX_IMAGES_MAGIC = 0x0803  # 2051
IDX_LABELS_MAGIC = 0x0801  # 2049
_GZIP_MAGIC = b"\x1f\x8b"


def load_idx_dataset(directory: str | os.PathLike) -> Dataset:
    """Read MNIST from a directory of the four IDX files, training set first.

    Parameters
    ----------
    directory : path
        Holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each under that name or
        with ``.gz`` appended. Whether a file is gzipped is decided by its first two bytes,
        not its name, so a ``.gz`` name over raw IDX bytes is read as raw IDX.

    Returns
    -------
    Dataset
        ``images`` of shape (n_train + n_test, 784), ``n_train`` the training file's count,
        ``source`` ``SOURCE_IDX``, OpenML's description, ``details`` None.

    Raises
    ------
    ValueError
        The directory is missing or lacks a file (named), or a file is malformed: wrong magic
        number, truncated or corrupt gzip stream, fewer or more bytes than its header says,
        images not 28x28, image and label counts that differ, labels outside 0-9.
    """
    return load_idx_directory(Path(directory), where=f"MNIST directory {directory}")


def load_idx_directory(directory: Path, *, where: str) -> Dataset:
    """:func:`load_idx_dataset` of ``directory``, its messages naming it as ``where``."""
    paths = _locate_idx_files(directory, where=where)
    train_images = read_idx(paths[IDX_TRAIN_IMAGES], magic=IDX_IMAGES_MAGIC)
    train_labels = read_idx(paths[IDX_TRAIN_LABELS], magic=IDX_LABELS_MAGIC)
    test_images = read_idx(paths[IDX_TEST_IMAGES], magic=IDX_IMAGES_MAGIC)
    test_labels = read_idx(paths[IDX_TEST_LABELS], magic=IDX_LABELS_MAGIC)
    _check_pair(paths[IDX_TRAIN_IMAGES], train_images, paths[IDX_TRAIN_LABELS], train_labels)
    _check_pair(paths[IDX_TEST_IMAGES], test_images, paths[IDX_TEST_LABELS], test_labels)
    n_features = MNIST_IMAGE_SHAPE[0] * MNIST_IMAGE_SHAPE[1]
    # One copy each, straight into the final arrays; no per-row Python.
    images = np.concatenate(
        [train_images.reshape(-1, n_features), test_images.reshape(-1, n_features)]
    )
    labels = np.concatenate([train_labels, test_labels])
    return make_dataset(
        images,
        labels,
        image_shape=MNIST_IMAGE_SHAPE,
        n_train=len(train_labels),
        source=SOURCE_IDX,
        location=str(directory),
        name=OPENML_NAME,
        description=OPENML_MNIST_784_DESCR,
        url=OPENML_URL,
        feature_names=MNIST_FEATURE_NAMES,
        details=None,
    )


def _locate_idx_files(directory: Path, *, where: str) -> dict[str, Path]:
    """Map each of the four IDX base names to its file (raw name first, then ``.gz``)."""
    if not directory.exists():
        raise ValueError(f"{where} does not exist")
    if not directory.is_dir():
        raise ValueError(f"{where} is not a directory")
    found: dict[str, Path] = {}
    for base in IDX_FILES:
        for candidate in (directory / base, directory / f"{base}.gz"):
            if candidate.is_file():
                found[base] = candidate
                break
    missing = [f"{base}[.gz]" for base in IDX_FILES if base not in found]
    if not missing:
        return found
    expected = ", ".join(f"{base}[.gz]" for base in IDX_FILES)
    try:
        empty = not any(directory.iterdir())
    except OSError as exc:
        raise ValueError(f"{where} cannot be listed: {exc.strerror or exc}") from exc
    if empty:
        raise ValueError(f"{where} is empty; it should hold the four MNIST IDX files: {expected}")
    if len(missing) == len(IDX_FILES):
        raise ValueError(f"{where} holds none of the four MNIST IDX files: {expected}")
    raise ValueError(f"{where} lacks {', '.join(missing)}")


def read_idx(path: str | os.PathLike, *, magic: int) -> np.ndarray:
    """Read one IDX file of unsigned bytes, gzipped or not.

    Parameters
    ----------
    path : path
        The file. Gzip is detected by its magic bytes ``1f 8b``, not by the name.
    magic : int
        The expected magic number: ``IDX_IMAGES_MAGIC`` (2051, 3 dimensions) or
        ``IDX_LABELS_MAGIC`` (2049, 1 dimension).

    Returns
    -------
    ndarray of dtype uint8, read-only
        Shape ``(n, rows, cols)`` for images, ``(n,)`` for labels, as the header says.

    Raises
    ------
    ValueError
        Naming the file: unreadable, corrupt or truncated gzip stream, wrong magic number,
        a header cut short, or a data length other than the header's dimensions imply.
    """
    path = Path(path)
    if magic not in (IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC):
        raise ValueError(f"magic must be {IDX_IMAGES_MAGIC} or {IDX_LABELS_MAGIC}, got {magic}")
    data = _read_maybe_gzipped(path)
    kind = "images" if magic == IDX_IMAGES_MAGIC else "labels"
    if len(data) < 4:
        raise ValueError(f"{path}: only {len(data)} bytes, too short for an IDX {kind} file")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        hint = {
            IDX_IMAGES_MAGIC: " (that of an IDX images file)",
            IDX_LABELS_MAGIC: " (that of an IDX labels file)",
        }.get(found, "")
        raise ValueError(
            f"{path}: magic number {found}{hint}, expected {magic} for an IDX {kind} file"
        )
    n_dims = magic & 0xFF
    header_size = 4 + 4 * n_dims
    if len(data) < header_size:
        raise ValueError(
            f"{path}: truncated header ({len(data)} bytes, an IDX {kind} header has {header_size})"
        )
    dims = struct.unpack_from(f">{n_dims}I", data, 4)
    expected_size = math.prod(dims)  # Python ints: a hostile header cannot overflow this
    actual_size = len(data) - header_size
    shape = " x ".join(str(d) for d in dims)
    if actual_size < expected_size:
        raise ValueError(
            f"{path}: truncated: the header announces {shape} {kind} ({expected_size} bytes) "
            f"but only {actual_size} bytes follow it"
        )
    if actual_size > expected_size:
        raise ValueError(
            f"{path}: {actual_size - expected_size} unexpected bytes after the "
            f"{expected_size} bytes of {shape} {kind} its header announces"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(dims)


def _read_maybe_gzipped(path: Path) -> bytes:
    """The file's bytes, gunzipped in one go when it starts with the gzip magic."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    parts = []
    rest = raw
    while True:  # a gzip file may hold several members, one after the other
        decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            parts.append(decompressor.decompress(rest))
        except zlib.error as exc:
            raise ValueError(f"{path}: corrupt gzip stream ({exc})") from exc
        if not decompressor.eof:
            raise ValueError(f"{path}: truncated gzip stream (it ends before its end marker)")
        rest = decompressor.unused_data
        if not rest.startswith(_GZIP_MAGIC):
            break
    if rest.strip(b"\0"):  # zero padding after the last member is allowed, as gzip does
        raise ValueError(f"{path}: {len(rest)} bytes of garbage after the gzip stream")
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _check_pair(images_path: Path, images: np.ndarray, labels_path: Path, labels: np.ndarray):
    """Images 28x28, as many images as labels, labels 0-9, and not empty."""
    n_images, rows, cols = images.shape
    if (rows, cols) != MNIST_IMAGE_SHAPE:
        raise ValueError(
            f"{images_path}: images are {rows}x{cols}, expected "
            f"{MNIST_IMAGE_SHAPE[0]}x{MNIST_IMAGE_SHAPE[1]}"
        )
    if n_images == 0:
        raise ValueError(f"{images_path}: holds no images")
    if n_images != len(labels):
        raise ValueError(
            f"{images_path} holds {n_images} images but {labels_path} holds {len(labels)} labels"
        )
    check_label_values(labels, where=str(labels_path))
