"""The dataset: MNIST from local IDX files, a local cache, OpenML, or the small fallback set.

The public entry is :func:`load_dataset`. Everything it returns is a :class:`Dataset`.

Sources, in the order :func:`load_dataset` tries them:

1. A directory of the four MNIST IDX files (``data_dir``, else ``$MNIST_DATA``). Training
   images followed by test images: exactly the row order of OpenML's ``mnist_784``.
2. The local cache of an earlier OpenML download (one checksummed file, see :mod:`core.cache`).
3. ``sklearn.datasets.fetch_openml("mnist_784", version=1)``, then written to that cache.
4. scikit-learn's bundled 8x8 digits, with a :attr:`Dataset.notice` saying so.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import math
import os
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.cache import default_cache_dir, file_lock, load_arrays, save_arrays

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

CACHE_FILE_NAME = f"openml-{OPENML_NAME}-v{OPENML_VERSION}.cache"
_CACHE_FORMAT = 1


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
        A directory of the four MNIST IDX files (see :func:`load_idx_dataset`). Defaults to
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
    named = _named_idx_directory(data_dir)
    if named is not None:
        directory, where = named
        return _load_idx_directory(directory, where=where)

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


# --------------------------------------------------------------------------- IDX files


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
    return _load_idx_directory(Path(directory), where=f"MNIST directory {directory}")


def _load_idx_directory(directory: Path, *, where: str) -> Dataset:
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
    return _make_dataset(
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
    _check_label_values(labels, where=str(labels_path))


def _check_label_values(labels: np.ndarray, *, where: str) -> None:
    bad = labels >= N_CLASSES  # uint8: nothing below 0
    if bad.any():
        index = int(np.argmax(bad))
        raise ValueError(f"{where}: label {int(labels[index])} at index {index} is outside 0-9")


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


def _make_dataset(
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


def proportional_n_train(n_samples: int) -> int:
    """MNIST's 60,000-of-70,000 split applied to ``n_samples``: 1540 of 1797, 60000 of 70000."""
    return round(n_samples * MNIST_N_TRAIN / MNIST_N_SAMPLES)


# --------------------------------------------------------------------------- OpenML


def fetch_openml_dataset() -> Dataset:
    """Download mnist_784 from OpenML and convert it to uint8 (no cache of ours involved).

    Returns
    -------
    Dataset
        ``source`` ``SOURCE_OPENML``, OpenML's own DESCR, details and url.

    Raises
    ------
    OSError, http.client.HTTPException
        On network failure (URLError, HTTPError and TimeoutError are OSErrors), and
        :class:`DownloadError` when ``fetch_openml`` raises a ValueError of its own.
    ValueError
        When the download does not look like MNIST (shape, non-integer or out-of-range
        pixels, labels other than 0-9).
    """
    from core.imports import import_sklearn

    import_sklearn()  # heavy; only needed on this path
    import sklearn.datasets

    try:
        bunch = sklearn.datasets.fetch_openml(OPENML_NAME, version=OPENML_VERSION, as_frame=False)
    except ValueError as exc:
        # fetch_openml's own ValueErrors (OpenMLError: OpenML has no such dataset; an md5
        # mismatch of the download) are remote faults, not the caller's: a failed download.
        raise DownloadError(f"fetch_openml({OPENML_NAME!r}) failed: {exc}") from exc
    return openml_bunch_to_dataset(bunch)


def openml_bunch_to_dataset(bunch, *, source: str = SOURCE_OPENML) -> Dataset:
    """Convert what ``fetch_openml("mnist_784", as_frame=False)`` returns into a Dataset.

    Parameters
    ----------
    bunch : sklearn.utils.Bunch
        With ``data`` of shape (n_samples, 784) holding whole numbers 0-255 (float64 as
        OpenML delivers them), ``target`` of shape (n_samples,) holding the digits as
        strings '0'-'9' (or numbers), and ``DESCR``, ``details``, ``url``,
        ``feature_names``.
    source : str, default=SOURCE_OPENML

    Returns
    -------
    Dataset
        Images and labels as uint8, in OpenML's row order; ``n_train`` is 60,000 for the
        full 70,000 rows (:func:`proportional_n_train` for other sizes).
    """
    data = np.asarray(bunch.data)
    if data.ndim != 2 or data.shape[1] != MNIST_IMAGE_SHAPE[0] * MNIST_IMAGE_SHAPE[1]:
        raise ValueError(f"OpenML {OPENML_NAME} data has shape {data.shape}, expected (n, 784)")
    if data.shape[0] == 0:
        raise ValueError(f"OpenML {OPENML_NAME} data has no rows")
    if data.dtype != np.uint8:
        # min/max first (NaN fails them too), then one comparison: no float temporaries.
        low, high = data.min(), data.max()
        converted = data.astype(np.uint8) if 0 <= low and high <= 255 else None
        if converted is None or not np.array_equal(converted, data):
            raise ValueError(f"OpenML {OPENML_NAME} pixels are not whole numbers 0-255")
        data = converted
    labels = _digit_labels(np.asarray(bunch.target).ravel(), where=f"OpenML {OPENML_NAME} target")
    if len(labels) != len(data):
        raise ValueError(
            f"OpenML {OPENML_NAME} has {len(data)} rows but {len(labels)} target values"
        )
    feature_names = tuple(getattr(bunch, "feature_names", None) or MNIST_FEATURE_NAMES)
    return _make_dataset(
        data,
        labels,
        image_shape=MNIST_IMAGE_SHAPE,
        n_train=proportional_n_train(len(data)),
        source=source,
        location=str(getattr(bunch, "url", None) or OPENML_URL),
        name=OPENML_NAME,
        description=str(getattr(bunch, "DESCR", None) or OPENML_MNIST_784_DESCR),
        url=str(getattr(bunch, "url", None) or OPENML_URL),
        feature_names=feature_names,
        details=_json_ready(getattr(bunch, "details", None)),
    )


def _digit_labels(target: np.ndarray, *, where: str) -> np.ndarray:
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


def _json_ready(details) -> dict | None:
    """OpenML's details as plain JSON types (they are strings and lists of strings)."""
    if details is None:
        return None
    return json.loads(json.dumps(dict(details), default=str))


# --------------------------------------------------------------------------- cache


def dataset_cache_path(cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache file of the OpenML download: ``CACHE_FILE_NAME`` in ``cache_dir``."""
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return directory / CACHE_FILE_NAME


def write_dataset_cache(dataset: Dataset, path: str | os.PathLike) -> bool:
    """Store a dataset as one compact, checksummed file (uint8 arrays + JSON metadata).

    Written atomically by :func:`core.cache.save_arrays`; no pickles.

    Returns
    -------
    bool
        True when written, False when the directory is not writable (logged).
    """
    metadata = {
        "format": _CACHE_FORMAT,
        "image_shape": list(dataset.image_shape),
        "n_train": dataset.n_train,
        "name": dataset.name,
        "description": dataset.description,
        "url": dataset.url,
        "feature_names": list(dataset.feature_names),
        "target_names": list(dataset.target_names),
        "details": dataset.details,
    }
    encoded = np.frombuffer(json.dumps(metadata).encode("utf-8"), dtype=np.uint8)
    return save_arrays(Path(path), images=dataset.images, labels=dataset.labels, metadata=encoded)


def read_dataset_cache(path: str | os.PathLike) -> Dataset | None:
    """The dataset stored by :func:`write_dataset_cache`, or None when missing or damaged.

    A file damaged on disk is discarded by :mod:`core.cache`; one that is intact but does
    not hold a consistent dataset (foreign or older format) is discarded here. Either way
    the caller rebuilds it.
    """
    path = Path(path)
    arrays = load_arrays(path)
    if arrays is None:
        return None
    try:
        return _dataset_from_cache_arrays(arrays, location=str(path))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        log.warning("discarding unusable cache file %s: %s", path, exc)
        try:
            path.unlink()
        except OSError:
            pass
        return None


def _dataset_from_cache_arrays(arrays: dict[str, np.ndarray], *, location: str) -> Dataset:
    metadata = json.loads(arrays["metadata"].tobytes().decode("utf-8"))
    if metadata.get("format") != _CACHE_FORMAT:
        raise ValueError(f"cache format {metadata.get('format')!r}, expected {_CACHE_FORMAT}")
    images, labels = arrays["images"], arrays["labels"]
    height, width = (int(v) for v in metadata["image_shape"])
    n_train = int(metadata["n_train"])
    if images.dtype != np.uint8 or labels.dtype != np.uint8:
        raise ValueError(f"arrays are {images.dtype} and {labels.dtype}, expected uint8")
    if images.ndim != 2 or images.shape[1] != height * width:
        raise ValueError(f"images of shape {images.shape} for {height}x{width} images")
    if labels.shape != (images.shape[0],):
        raise ValueError(f"{labels.shape[0]} labels for {images.shape[0]} images")
    if not 0 < n_train <= images.shape[0]:
        raise ValueError(f"n_train {n_train} for {images.shape[0]} images")
    _check_label_values(labels, where="cached labels")
    return _make_dataset(
        images,
        labels,
        image_shape=(height, width),
        n_train=n_train,
        source=SOURCE_CACHE,
        location=location,
        name=str(metadata["name"]),
        description=str(metadata["description"]),
        url=str(metadata["url"]),
        feature_names=tuple(metadata["feature_names"]),
        details=metadata["details"],
    )


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
    return _make_dataset(
        images.astype(np.uint8),
        _digit_labels(np.asarray(digits.target), where="load_digits target"),
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
