"""The dataset: which source :func:`load_dataset` reads, and the :class:`Dataset` each returns.

Sources, in the order :func:`load_dataset` tries them:

1. A directory of the four MNIST IDX files (``data_dir``, else ``$MNIST_DATA``), read by
   :mod:`core.idx`. Training images followed by test images: exactly the row order of
   OpenML's ``mnist_784``.
2. The local copy of an earlier OpenML download (one checksummed file, :mod:`core.openml_cache`).
3. ``sklearn.datasets.fetch_openml("mnist_784", version=1)``, then written to that copy.
4. scikit-learn's bundled 8x8 digits (:func:`load_fallback_dataset`), with a
   :attr:`Dataset.notice` saying so.

The sources build their :class:`Dataset` with :func:`make_dataset`, which fingerprints it.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.cache import file_lock

log = logging.getLogger(__name__)

# Where a Dataset came from; the app and the CLI show these words.
SOURCE_IDX = "idx"  # MNIST_DATA directory of the four IDX files
SOURCE_CACHE = "cache"  # compact copy of an earlier OpenML download
SOURCE_OPENML = "openml"  # fetched from OpenML just now
SOURCE_FALLBACK = "fallback"  # scikit-learn's bundled 8x8 digits

MNIST_N_TRAIN = 60_000
MNIST_N_SAMPLES = 70_000
MNIST_IMAGE_SHAPE = (28, 28)
N_CLASSES = 10

MNIST_DATA_ENV = "MNIST_DATA"
OFFLINE_ENV = "THRESHOLD_EXPLORER_OFFLINE"


OPENML_NAME = "mnist_784"
OPENML_VERSION = 1
OPENML_URL = "https://www.openml.org/d/554"
MNIST_FEATURE_NAMES = tuple(f"pixel{i}" for i in range(1, 28 * 28 + 1))
TARGET_NAMES = ("class",)

# OpenML's description of mnist_784 as fetch_openml returns it in ``DESCR`` (markdown; the
# two trailing spaces are markdown line breaks). The notebook prints it in cell [3]; its PDF
# rendering shows "algorithm, the images" where OpenML's text reads "algorithm. the images".
OPENML_MNIST_784_DESCR = (
    "**Author**: Yann LeCun, Corinna Cortes, Christopher J.C. Burges  \n"
    "**Source**: [MNIST Website](http://yann.lecun.com/exdb/mnist/) - Date unknown  \n"
    "**Please cite**:  \n"
    "\n"
    "The MNIST database of handwritten digits with 784 features, raw data available at: "
    "http://yann.lecun.com/exdb/mnist/. It can be split in a training set of the first "
    "60,000 examples, and a test set of 10,000 examples  \n"
    "\n"
    "It is a subset of a larger set available from NIST. The digits have been "
    "size-normalized and centered in a fixed-size image. It is a good database for people "
    "who want to try learning techniques and pattern recognition methods on real-world data "
    "while spending minimal efforts on preprocessing and formatting. The original black and "
    "white (bilevel) images from NIST were size normalized to fit in a 20x20 pixel box while "
    "preserving their aspect ratio. The resulting images contain grey levels as a result of "
    "the anti-aliasing technique used by the normalization algorithm. the images were "
    "centered in a 28x28 image by computing the center of mass of the pixels, and translating "
    "the image so as to position this point at the center of the 28x28 field.  \n"
    "\n"
    "With some classification methods (particularly template-based methods, such as SVM and "
    "K-nearest neighbors), the error rate improves when the digits are centered by bounding "
    "box rather than center of mass. If you do this kind of pre-processing, you should report "
    "it in your publications. The MNIST database was constructed from NIST's NIST originally "
    "designated SD-3 as their training set and SD-1 as their test set. However, SD-3 is much "
    "cleaner and easier to recognize than SD-1. The reason for this can be found on the fact "
    "that SD-3 was collected among Census Bureau employees, while SD-1 was collected among "
    "high-school students. Drawing sensible conclusions from learning experiments requires "
    "that the result be independent of the choice of training set and test among the "
    "complete set of samples. Therefore it was necessary to build a new database by mixing "
    "NIST's datasets.  \n"
    "\n"
    "The MNIST training set is composed of 30,000 patterns from SD-3 and 30,000 patterns from "
    "SD-1. Our test set was composed of 5,000 patterns from SD-3 and 5,000 patterns from "
    "SD-1. The 60,000 pattern training set contained examples from approximately 250 "
    "writers. We made sure that the sets of writers of the training set and test set were "
    "disjoint. SD-1 contains 58,527 digit images written by 500 different writers. In "
    "contrast to SD-3, where blocks of data from each writer appeared in sequence, the data "
    "in SD-1 is scrambled. Writer identities for SD-1 is available and we used this "
    "information to unscramble the writers. We then split SD-1 in two: characters written by "
    "the first 250 writers went into our new training set. The remaining 250 writers were "
    "placed in our test set. Thus we had two sets with nearly 30,000 examples each. The new "
    "training set was completed with enough examples from SD-3, starting at pattern # 0, to "
    "make a full set of 60,000 training patterns. Similarly, the new test set was completed "
    "with SD-3 examples starting at pattern # 35,000 to make a full set with 60,000 test "
    "patterns. Only a subset of 10,000 test images (5,000 from SD-1 and 5,000 from SD-3) is "
    "available on this site. The full 60,000 sample training set is available.\n"
    "\n"
    "Downloaded from openml.org."
)

FALLBACK_NAME = "digits"
FALLBACK_URL = "https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits"
FALLBACK_LOCATION = "sklearn.datasets.load_digits"
FALLBACK_NOTICE = (
    "This is scikit-learn's small 8x8 digits set (1,797 images), not MNIST. "
    f"To use MNIST, set {MNIST_DATA_ENV} to a directory holding the four MNIST IDX files, "
    "or run once with internet access so that MNIST is downloaded from OpenML and cached."
)


class DownloadError(OSError):
    """``fetch_openml`` itself failed with a ValueError (OpenML error answer, bad checksum)."""


# What a failed download raises: URLError, HTTPError, TimeoutError and ssl errors are all
# OSError (as is DownloadError); a connection cut mid-body is an HTTPException.
_DOWNLOAD_ERRORS: tuple[type[BaseException], ...] = (OSError, http.client.HTTPException)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Digit images with labels, the notebook's train/test split and the metadata it prints.

    Attributes
    ----------
    images : ndarray of shape (n_samples, height * width), dtype uint8
        Grey levels 0-255, one flattened image a row, in the data's own order.
        Read-only: the fingerprint describes these bytes.
    labels : ndarray of shape (n_samples,), dtype uint8
        The digit 0-9 of each image. Read-only.
    image_shape : tuple of int
        ``(height, width)``: (28, 28) for MNIST, (8, 8) for the fallback.
    n_train : int
        The first ``n_train`` rows are the training set, the rest the test set.
    source : str
        One of ``SOURCE_IDX``, ``SOURCE_CACHE``, ``SOURCE_OPENML``, ``SOURCE_FALLBACK``.
    location : str
        Where it was read from (a directory, a cache file, a URL, or the package).
    fingerprint : str
        Hex digest of the images, labels and split; stable across loads of the same data.
        Cache keys use it instead of hashing the arrays. See :func:`dataset_fingerprint`.
    name, description, url : str
        What the notebook prints as ``mnist.details['name']``, ``DESCR`` and ``url``.
    feature_names : tuple of str
        ``pixel1`` .. ``pixel784`` (``pixel1`` .. ``pixel64`` for the fallback).
    target_names : tuple of str
        ``("class",)`` as OpenML names the target column.
    details : dict or None
        OpenML's dataset details when known (the notebook's ``mnist.details``), else None.
    notice : str or None
        For the fallback only: a plain sentence saying this is the small set and how to get MNIST.
    """

    images: np.ndarray
    labels: np.ndarray
    image_shape: tuple[int, int]
    n_train: int
    source: str
    location: str
    fingerprint: str
    name: str
    description: str
    url: str
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    details: dict | None = None
    notice: str | None = field(default=None)

    @property
    def n_samples(self) -> int:
        return int(self.images.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.images.shape[1])

    @property
    def n_test(self) -> int:
        return self.n_samples - self.n_train

    @property
    def is_fallback(self) -> bool:
        return self.source == SOURCE_FALLBACK

    @property
    def train_images(self) -> np.ndarray:
        return self.images[: self.n_train]

    @property
    def train_labels(self) -> np.ndarray:
        return self.labels[: self.n_train]

    @property
    def test_images(self) -> np.ndarray:
        return self.images[self.n_train :]

    @property
    def test_labels(self) -> np.ndarray:
        return self.labels[self.n_train :]

    def image(self, index: int) -> np.ndarray:
        """The image at ``index`` as a uint8 array of shape ``image_shape``."""
        return self.images[index].reshape(self.image_shape)


# --------------------------------------------------------------------------- entry point


def load_dataset(
    *,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    allow_download: bool = True,
) -> Dataset:
    """Return the dataset, trying MNIST_DATA, the local cache, OpenML, then the fallback.

    Parameters
    ----------
    data_dir : path, optional
        A directory of the four MNIST IDX files (see :func:`core.idx.load_idx_dataset`). Defaults to
        ``$MNIST_DATA`` when that is set and not empty.
    cache_dir : path, optional
        Where the copy of an OpenML download is kept. Defaults to
        :func:`core.cache.default_cache_dir`.
    allow_download : bool, default=True
        Whether OpenML may be asked. Setting ``$THRESHOLD_EXPLORER_OFFLINE=1`` also forbids it.

    Returns
    -------
    Dataset
        ``source`` says which of the four ways it came.

    Raises
    ------
    ValueError
        When an IDX directory is named (argument or ``$MNIST_DATA``) but is missing or
        malformed: a named directory is never silently replaced by another source.
        The message names the file and its fault.

    Notes
    -----
    A failed download (no network, timeout, HTTP error) is not an error: it is logged and
    the fallback set is returned, with its ``notice``. A damaged cache file is discarded and
    rebuilt. Concurrent processes serialise the download on a lock file next to the cache.
    """
    # The sources build on this module's Dataset, so they are imported when first used.
    from core.idx import load_idx_directory
    from core.openml_cache import (
        dataset_cache_path,
        fetch_openml_dataset,
        read_dataset_cache,
        write_dataset_cache,
    )

    named = _named_idx_directory(data_dir)
    if named is not None:
        directory, where = named
        return load_idx_directory(directory, where=where)

    cache_path = dataset_cache_path(cache_dir)
    cached = read_dataset_cache(cache_path)
    if cached is not None:
        return cached
    if not allow_download or download_disabled():
        log.info("no MNIST directory or cache and downloads are off; using the fallback set")
        return load_fallback_dataset()

    # Under the lock, look again: another process may have just downloaded it.
    with file_lock(cache_path.with_name(cache_path.name + ".lock")):
        cached = read_dataset_cache(cache_path)
        if cached is not None:
            return cached
        try:
            dataset = fetch_openml_dataset()
        except _DOWNLOAD_ERRORS as exc:
            log.warning("downloading MNIST from OpenML failed (%s); using the fallback set", exc)
            return load_fallback_dataset()
        write_dataset_cache(dataset, cache_path)
    return dataset


def download_disabled() -> bool:
    """True when ``$THRESHOLD_EXPLORER_OFFLINE`` is set to 1, true, yes or on."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _named_idx_directory(data_dir) -> tuple[Path, str] | None:
    """The IDX directory to read and how to name it in messages, or None if none is named."""
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir), f"data_dir={data_dir}"
    env = os.environ.get(MNIST_DATA_ENV, "")
    if env:
        return Path(env), f"{MNIST_DATA_ENV}={env}"
    return None


# --------------------------------------------------------------------------- dataset assembly


def dataset_fingerprint(
    images: np.ndarray, labels: np.ndarray, *, image_shape: tuple[int, int], n_train: int
) -> str:
    """SHA-256 (hex) of the image shape, the split, the image bytes and the label bytes.

    Parameters
    ----------
    images : ndarray of shape (n_samples, height * width), dtype uint8
    labels : ndarray of shape (n_samples,), dtype uint8
    image_shape : (int, int)
    n_train : int

    Returns
    -------
    str
        64 hex digits. The same data gives the same fingerprint whichever source it came
        from (IDX files, cache, OpenML).
    """
    digest = hashlib.sha256()
    height, width = image_shape
    digest.update(f"images {height}x{width}; n_train {n_train};".encode())
    digest.update(np.ascontiguousarray(images, dtype=np.uint8).data)
    digest.update(np.ascontiguousarray(labels, dtype=np.uint8).data)
    return digest.hexdigest()


def make_dataset(
    images: np.ndarray,
    labels: np.ndarray,
    *,
    image_shape: tuple[int, int],
    n_train: int,
    source: str,
    location: str,
    name: str,
    description: str,
    url: str,
    feature_names: tuple[str, ...],
    details: dict | None,
    notice: str | None = None,
) -> Dataset:
    """Freeze the arrays, fingerprint them and build the Dataset."""
    images = np.ascontiguousarray(images, dtype=np.uint8)
    labels = np.ascontiguousarray(labels, dtype=np.uint8)
    images.setflags(write=False)
    labels.setflags(write=False)
    image_shape = (int(image_shape[0]), int(image_shape[1]))
    return Dataset(
        images=images,
        labels=labels,
        image_shape=image_shape,
        n_train=int(n_train),
        source=source,
        location=location,
        fingerprint=dataset_fingerprint(images, labels, image_shape=image_shape, n_train=n_train),
        name=name,
        description=description,
        url=url,
        feature_names=tuple(feature_names),
        target_names=TARGET_NAMES,
        details=details,
        notice=notice,
    )


def check_label_values(labels: np.ndarray, *, where: str) -> None:
    """Raise ValueError naming ``where`` and the first uint8 label outside 0-9."""
    bad = labels >= N_CLASSES  # uint8: nothing below 0
    if bad.any():
        index = int(np.argmax(bad))
        raise ValueError(f"{where}: label {int(labels[index])} at index {index} is outside 0-9")


def digit_labels(target: np.ndarray, *, where: str) -> np.ndarray:
    """Labels given as strings or numbers, as uint8 0-9."""
    try:
        values = target.astype(str).astype(np.int64)
    except ValueError as exc:
        raise ValueError(f"{where} holds values that are not digits ({exc})") from exc
    bad = (values < 0) | (values >= N_CLASSES)
    if bad.any():
        index = int(np.argmax(bad))
        raise ValueError(f"{where}: label {values[index]} at index {index} is outside 0-9")
    return values.astype(np.uint8)


def proportional_n_train(n_samples: int) -> int:
    """MNIST's 60,000-of-70,000 split applied to ``n_samples``: 1540 of 1797, 60000 of 70000."""
    return round(n_samples * MNIST_N_TRAIN / MNIST_N_SAMPLES)


# --------------------------------------------------------------------------- fallback


def load_fallback_dataset() -> Dataset:
    """scikit-learn's bundled 8x8 digits, shaped like MNIST, with a notice saying so.

    Returns
    -------
    Dataset
        1,797 images of shape (8, 8); the 0-16 counts scaled to 0-255 and rounded
        (``round(v * 255 / 16)``); the first ``proportional_n_train(1797)`` = 1540 rows are
        the training set. ``source`` ``SOURCE_FALLBACK`` and ``notice`` ``FALLBACK_NOTICE``.
    """
    from core.imports import import_sklearn

    import_sklearn()
    from sklearn.datasets import load_digits

    digits = load_digits()
    counts = np.asarray(digits.data)
    if counts.min() < 0 or counts.max() > 16 or not np.all(counts == np.round(counts)):
        raise ValueError("load_digits returned values outside the whole numbers 0-16")
    # Integer arithmetic: round(v * 255 / 16) with halves (v = 8: 127.5) rounded up.
    images = (counts.astype(np.int64) * 255 + 8) // 16
    height, width = np.asarray(digits.images).shape[1:]
    return make_dataset(
        images.astype(np.uint8),
        digit_labels(np.asarray(digits.target), where="load_digits target"),
        image_shape=(height, width),
        n_train=proportional_n_train(len(images)),
        source=SOURCE_FALLBACK,
        location=FALLBACK_LOCATION,
        name=FALLBACK_NAME,
        description=str(digits.DESCR),
        url=FALLBACK_URL,
        feature_names=tuple(f"pixel{i}" for i in range(1, height * width + 1)),
        details=None,
        notice=FALLBACK_NOTICE,
    )


# --------------------------------------------------------------------------- summary


def dataset_summary(dataset: Dataset) -> dict:
    """JSON-ready summary printed by ``python -m core info``.

    Returns
    -------
    dict
        ``source``, ``location``, ``name``, ``url``, ``n_samples``, ``n_features``,
        ``image_shape`` (list), ``n_train``, ``n_test``, ``class_counts``,
        ``train_class_counts`` and ``test_class_counts`` (lists of 10 ints: images per
        digit 0-9), ``first_label``, ``fingerprint``, ``is_fallback`` and ``notice``
        (None unless the fallback). Only ints, strings, lists, bools and None.
    """
    if not isinstance(dataset, Dataset):
        raise ValueError(f"dataset must be a Dataset, got {type(dataset).__name__}")

    def counts(labels: np.ndarray) -> list[int]:
        return [int(c) for c in np.bincount(labels, minlength=N_CLASSES)[:N_CLASSES]]

    return {
        "source": dataset.source,
        "location": dataset.location,
        "name": dataset.name,
        "url": dataset.url,
        "n_samples": dataset.n_samples,
        "n_features": dataset.n_features,
        "image_shape": [int(v) for v in dataset.image_shape],
        "n_train": dataset.n_train,
        "n_test": dataset.n_test,
        "class_counts": counts(dataset.labels),
        "train_class_counts": counts(dataset.train_labels),
        "test_class_counts": counts(dataset.test_labels),
        "first_label": int(dataset.labels[0]) if dataset.n_samples else None,
        "fingerprint": dataset.fingerprint,
        "is_fallback": dataset.is_fallback,
        "notice": dataset.notice,
    }
