"""The one fit engine: cross-validate a model spec the way ``cv=3`` does, each fold fitted once.

:func:`cross_validate` runs what ``cross_val_predict(model, X_train, y_train, cv=3,
method=...)`` runs for a classifier: 3 unshuffled stratified folds over the first ``n_train``
digits, each held-out third scored by a model fitted on the other two; with ``final_fit`` it
also fits the model on all training digits and scores the test digits (the notebook's
``sgd_clf.fit``). Every number the notebook prints follows from these four fits.

Fits run in worker threads, not processes (``SGDClassifier.fit`` releases the GIL for its
whole epoch loop), at most :data:`MAX_PARALLEL_FITS` at a time across the process:
``$THRESHOLD_EXPLORER_PARALLEL_FITS`` if set (1 to 4), else 2 (1 on a single core). Each fit
converts its rows to floats only when it starts and drops them when done, so memory holds at
most that many fits' arrays. scikit-learn is imported whole before any worker starts
(:func:`core.imports.import_sklearn`). On Linux a fit's worker thread runs at a lower priority
than the rest of its process (:func:`lower_fit_thread_priority`), so that a server's pages stay
quick while it trains.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import cache
from importlib import metadata

import numpy as np

from core.cache import POLL_SECONDS
from core.data import Dataset
from core.imports import import_sklearn
from core.models import ModelSpec
from core.validation import check_digit, read_only

log = logging.getLogger(__name__)

N_FOLDS = 3  # the notebook's cv=3
PARALLEL_FITS_ENV = "THRESHOLD_EXPLORER_PARALLEL_FITS"
GATHER_ROWS = 4096  # rows converted at a time by fold_pixels
BLOCK_ROWS = 4096  # rows per partial_fit block of a pipeline's scaler: bounds its float copy


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def parallel_fits(value: str | None = None) -> int:
    """Fits at once: ``value`` (default ``$THRESHOLD_EXPLORER_PARALLEL_FITS``), 1 to 4, else
    min(2, cores).

    Each running fit holds its own float64 copy of its training pixels, so the number of fits
    at once is capped by memory as well as cores. A
    value that is not an integer from 1 to 4 is logged and the default used.
    """
    default = max(1, min(2, available_cores()))
    if value is None:
        value = os.environ.get(PARALLEL_FITS_ENV, "")
    value = value.strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= N_FOLDS + 1:
        log.warning(
            "%s=%r is not an integer from 1 to %d; using %d",
            PARALLEL_FITS_ENV,
            value,
            N_FOLDS + 1,
            default,
        )
        return default
    return number


MAX_PARALLEL_FITS = parallel_fits()
_FIT_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL_FITS)
# How much a fit's thread gives way to the rest of its process (a server's page runs): added to
# its niceness, Linux's per-thread scheduling weight; a training is background work.
FIT_NICENESS = 10
_background = threading.local()


def lower_fit_thread_priority() -> bool:
    """Make the calling worker thread a background one (Linux, once per thread): its niceness
    goes up by :data:`FIT_NICENESS`, at most 19, so that a server's page runs on the same
    cores come first while fits run. The main thread is left alone (a command-line fit is the
    whole job). Threads the fit starts inherit it. True when lowered by this call."""
    if getattr(_background, "lowered", False):
        return False
    _background.lowered = True
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is threading.main_thread()
    ):
        return False
    tid = threading.get_native_id()
    try:
        niceness = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, niceness + FIT_NICENESS))
    except OSError as exc:  # a sandbox that forbids it: fits run as before
        log.info("fit thread priority left as is: %s", exc)
        return False
    return True


@contextlib.contextmanager
def fit_slot() -> Iterator[None]:
    """Hold one of the process's :data:`MAX_PARALLEL_FITS` fit slots, in a background thread
    (:func:`lower_fit_thread_priority`)."""
    with _FIT_SLOTS:
        lower_fit_thread_priority()
        yield


# ---------------------------------------------------------------------------------------------
# Targets, folds and pixels
# ---------------------------------------------------------------------------------------------


def binary_target(labels, *, digit) -> np.ndarray:
    """The notebook's ``y_train_5``: True where the label is ``digit`` (cell [6]).

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Digit labels 0-9 (any integer dtype).
    digit : int
        The digit to detect, 0-9.

    Returns
    -------
    ndarray of shape (n_samples,), dtype bool

    Raises
    ------
    ValueError
        When ``digit`` is not an integer from 0 to 9, or ``labels`` is not one-dimensional.
    """
    digit = check_digit(digit)
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {labels.shape}")
    return labels == digit


def check_trainable(y_train: np.ndarray, *, digit: int, n_splits: int = N_FOLDS) -> None:
    """Raise a ``ValueError`` saying why, when a class has fewer digits than folds."""
    positives = int(np.count_nonzero(y_train))
    counts = {
        f"the digit {digit}": positives,
        f"digits other than {digit}": y_train.size - positives,
    }
    for what, count in counts.items():
        if count < n_splits:
            raise ValueError(
                f"{what} occur {count} times in the training labels; "
                f"{n_splits}-fold cross-validation needs at least {n_splits}"
            )


def notebook_folds(y_train: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """What ``cv=3`` means for a classifier: stratified, unshuffled folds, as (train, held out)."""
    import_sklearn()
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=N_FOLDS)
    return list(folds.split(np.zeros((y_train.size, 1)), y_train))


def fold_pixels(images: np.ndarray, rows, *, dtype="float64", divisor: float = 1.0):
    """Rows of the uint8 ``images`` as the C-ordered float array a fit takes.

    ``rows`` is a slice (converted straight from the view) or an integer index array, gathered
    :data:`GATHER_ROWS` rows at a time into the result: no full-size copy of the rows in the
    images' own dtype is made beside it. The values are those of
    ``images[rows].astype(dtype) / divisor``, divided in place.
    """
    if isinstance(rows, slice):
        pixels = np.ascontiguousarray(images[rows], dtype=dtype)
    else:
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        pixels = np.empty((rows.size, *images.shape[1:]), dtype=dtype)
        for start in range(0, rows.size, GATHER_ROWS):
            block = rows[start : start + GATHER_ROWS]
            pixels[start : start + block.size] = images[block]
    if divisor != 1.0:
        pixels /= divisor
    return pixels


def fit_lean(model, X: np.ndarray, y: np.ndarray) -> None:
    """``model.fit(X, y)`` without a temporary as large as ``X``.

    A pipeline's transformers (``StandardScaler(copy=False)``) learn their statistics block by
    block with ``partial_fit``, then transform ``X`` in place: ``StandardScaler.fit`` on the
    whole fold would hold a second fold-sized float64 array while it computes the variance.
    The statistics agree with ``fit``'s to about 1e-12 (relative).
    """
    steps = getattr(model, "steps", None)
    if steps is None:
        model.fit(X, y)
        return
    for _, transformer in steps[:-1]:
        for start in range(0, X.shape[0], BLOCK_ROWS):
            transformer.partial_fit(X[start : start + BLOCK_ROWS])
        X = transformer.transform(X)
    steps[-1][1].fit(X, y)


def scores_of(model, X: np.ndarray, method: str) -> np.ndarray:
    """The model's scores of ``X`` as float64: ``decision_function``, or the positive class's
    ``predict_proba`` column."""
    if method == "predict_proba":
        positive = list(model.classes_).index(True)
        return np.asarray(model.predict_proba(X)[:, positive], dtype=np.float64)
    return np.asarray(model.decision_function(X), dtype=np.float64).reshape(-1)


def fit_and_score(spec: ModelSpec, images: np.ndarray, y: np.ndarray, train_rows, score_rows):
    """Fit ``spec``'s model on ``train_rows``, score ``score_rows``: ``(model, scores)``.

    One fit slot held throughout; the training pixels are dropped before the scored ones are
    made, so one big array at a time.
    """
    with fit_slot():
        model = spec.build()
        if spec.own_threads:
            model.set_params(n_jobs=MAX_PARALLEL_FITS)
        X = fold_pixels(images, train_rows, dtype=spec.dtype, divisor=spec.pixel_divisor)
        fit_lean(model, X, y[train_rows])
        del X
        X = fold_pixels(images, score_rows, dtype=spec.dtype, divisor=spec.pixel_divisor)
        scores = scores_of(model, X, spec.method) if X.shape[0] else np.empty(0)
    return model, scores


# ---------------------------------------------------------------------------------------------
# Progress and results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingProgress:
    """Where a training stands.

    Attributes
    ----------
    model : str
        The model's key (see :data:`core.models.MODEL_KEYS`).
    folds_done, n_folds : int
        Cross-validation folds fitted and scored so far, and in all (3).
    elapsed : float
        Seconds since the training started.
    final_done : bool or None
        Whether the final model (all training digits) is fitted and has scored the test set;
        None for a training that fits no final model.
    """

    model: str
    folds_done: int
    n_folds: int
    elapsed: float
    final_done: bool | None = None

    @property
    def fraction(self) -> float:
        """Share of the fits done, 0.0 to 1.0 (a final fit counts as one)."""
        extra = self.final_done is not None
        return (self.folds_done + int(bool(self.final_done))) / (self.n_folds + extra)

    @property
    def n_fits(self) -> int:
        """The fits in all: the folds, and the final fit when there is one."""
        return self.n_folds + (self.final_done is not None)

    @property
    def done(self) -> bool:
        """Whether every fit is done."""
        return self.folds_done == self.n_folds and self.final_done is not False


@dataclass(frozen=True, eq=False)
class CrossValidation:
    """What :func:`cross_validate` computed.

    Attributes
    ----------
    y_train : ndarray of shape (n_train,), dtype bool
        True for the training digits equal to the digit. Read-only.
    cv_scores : ndarray of shape (n_train,), dtype float64
        Held-out scores, bit for bit ``cross_val_predict(model, X_train, y_train, cv=3,
        method=spec.method)``. Read-only.
    fold_ids : ndarray of shape (n_train,), dtype int8
        The fold (0, 1 or 2) in which each training digit was held out. Read-only.
    final_model : estimator or None
        Fitted on all training digits, with ``final_fit``; else None.
    test_scores : ndarray of shape (n_test,), dtype float64, or None
        The final model's scores of the test digits (empty when there are none), with
        ``final_fit``; else None.
    seconds : float
        Wall-clock seconds.
    """

    y_train: np.ndarray
    cv_scores: np.ndarray
    fold_ids: np.ndarray
    final_model: object | None
    test_scores: np.ndarray | None
    seconds: float


def cross_validate(
    dataset: Dataset,
    *,
    digit: int,
    spec: ModelSpec,
    final_fit: bool = False,
    progress: Callable[[TrainingProgress], None] | None = None,
) -> CrossValidation:
    """Cross-validate ``spec``'s model of ``digit`` (3 folds), and fit the final model if asked.

    Parameters
    ----------
    dataset : Dataset
        uint8 images, one flattened digit a row; the first ``n_train`` rows are scored.
    digit : int
        The digit to detect, 0-9.
    spec : ModelSpec
    final_fit : bool, default False
        Also fit on all training digits and score the test digits.
    progress : callable, optional
        Receives :class:`TrainingProgress` from the calling thread: at start, about every
        0.25 s, and as each fit ends.

    Returns
    -------
    CrossValidation

    Raises
    ------
    ValueError
        When ``digit`` is not 0-9, or the training digits hold fewer than 3 of either class.
    """
    digit = check_digit(digit)
    start = time.perf_counter()
    import_sklearn()  # here, before any worker thread exists
    images = dataset.images
    y_train = binary_target(dataset.train_labels, digit=digit)
    check_trainable(y_train, digit=digit)
    splits = notebook_folds(y_train)

    def report(folds_done: int, final_done: bool | None) -> None:
        if progress is not None:
            elapsed = time.perf_counter() - start
            progress(TrainingProgress(spec.key, folds_done, N_FOLDS, elapsed, final_done))

    workers = MAX_PARALLEL_FITS if spec.folds_in_parallel else 1
    executor = ThreadPoolExecutor(workers, thread_name_prefix=f"fit-{spec.key}")
    final = None
    report(0, False if final_fit else None)
    try:
        if final_fit:  # the longest fit first, so the folds fill the other core around it
            test_rows = slice(dataset.n_train, None)
            all_train = slice(0, dataset.n_train)
            final = executor.submit(fit_and_score, spec, images, y_train, all_train, test_rows)
        folds = [
            executor.submit(fit_and_score, spec, images, y_train, train, held_out)
            for train, held_out in splits
        ]
        pending = {*folds} | ({final} if final is not None else set())
        folds_done, final_done = 0, (False if final_fit else None)
        while pending:
            finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:  # one report per completed fit, even when two end at once
                future.result()  # raise a failed fit's error now
                if future is final:
                    final_done = True
                else:
                    folds_done += 1
                report(folds_done, final_done)
            if not finished:
                report(folds_done, final_done)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)

    cv_scores = np.empty(y_train.size, dtype=np.float64)
    fold_ids = np.empty(y_train.size, dtype=np.int8)
    for fold, (future, (_, held_out)) in enumerate(zip(folds, splits, strict=True)):
        cv_scores[held_out] = future.result()[1]
        fold_ids[held_out] = fold
    final_model, test_scores = (None, None) if final is None else final.result()
    return CrossValidation(
        y_train=read_only(y_train),
        cv_scores=read_only(cv_scores),
        fold_ids=read_only(fold_ids),
        final_model=final_model,
        test_scores=None if test_scores is None else read_only(test_scores),
        seconds=time.perf_counter() - start,
    )


# ---------------------------------------------------------------------------------------------
# Cache keys
# ---------------------------------------------------------------------------------------------


@cache
def library_version(distribution: str) -> str:
    """An installed distribution's version (``scikit-learn``, ...) without importing it."""
    return metadata.version(distribution)


def cache_key(dataset: Dataset, *, digit: int, kind: str, spec: ModelSpec) -> str:
    """Hex digest of everything a cached training of ``spec`` depends on."""
    described = {
        "kind": kind,
        "fingerprint": dataset.fingerprint,
        "n_train": dataset.n_train,
        "digit": digit,
        "model": spec.identity,
        "method": spec.method,
        "dtype": spec.dtype,
        "divisor": spec.pixel_divisor,
        "cv": f"StratifiedKFold(n_splits={N_FOLDS}, shuffle=False)",
        "blocks": [GATHER_ROWS, BLOCK_ROWS],
        "sklearn": library_version("scikit-learn"),
        "numpy": np.__version__,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
