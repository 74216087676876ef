"""MNIST from OpenML (``fetch_openml("mnist_784", version=1)``) and our local copy of it.

:func:`fetch_openml_dataset` downloads and converts it; :func:`write_dataset_cache` and
:func:`read_dataset_cache` keep it as one checksummed file (see :mod:`core.cache`), so that a
download happens once per machine.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np

from core.cache import default_cache_dir, load_arrays, save_arrays
from core.data import (
    MNIST_FEATURE_NAMES,
    MNIST_IMAGE_SHAPE,
    OPENML_MNIST_784_DESCR,
    OPENML_NAME,
    OPENML_URL,
    OPENML_VERSION,
    SOURCE_CACHE,
    SOURCE_OPENML,
    Dataset,
    DownloadError,
    check_label_values,
    digit_labels,
    make_dataset,
    proportional_n_train,
)

log = logging.getLogger(__name__)

CACHE_FILE_NAME = f"openml-{OPENML_NAME}-v{OPENML_VERSION}.cache"
_CACHE_FORMAT = 1


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
        :class:`~core.data.DownloadError` when ``fetch_openml`` raises a ValueError of its own.
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
        full 70,000 rows (:func:`~core.data.proportional_n_train` for other sizes).
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
    labels = digit_labels(np.asarray(bunch.target).ravel(), where=f"OpenML {OPENML_NAME} target")
    if len(labels) != len(data):
        raise ValueError(
            f"OpenML {OPENML_NAME} has {len(data)} rows but {len(labels)} target values"
        )
    feature_names = tuple(getattr(bunch, "feature_names", None) or MNIST_FEATURE_NAMES)
    return make_dataset(
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


def _json_ready(details) -> dict | None:
    """OpenML's details as plain JSON types (they are strings and lists of strings)."""
    if details is None:
        return None
    return json.loads(json.dumps(dict(details), default=str))


# ------------------------------------------------------------------------ the local copy


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
    check_label_values(labels, where="cached labels")
    return make_dataset(
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
