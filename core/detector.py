"""The digit detector of the notebook's cells [6] to [14]: training, cross-validation, scores.

The notebook fits ``SGDClassifier(random_state=42)`` on the 60,000 training digits once, then
runs the same 3-fold cross-validation three times (``cross_val_score``, ``cross_val_predict``
for labels, ``cross_val_predict`` for decision scores). :func:`train_detector` does that work
once: one cross-validation pass whose held-out decision scores give every cross-validated
number (predictions are ``score > 0``, exactly what ``predict`` returns), plus the final model
on all training digits. The four fits are independent and ``SGDClassifier.fit`` releases the
GIL for its whole epoch loop (measured on MNIST: two folds take 16.5 s one after the other,
8.7 s in two threads), so they run in worker threads, not processes, at most
:data:`MAX_PARALLEL_FITS` at a time across the process: ``$THRESHOLD_EXPLORER_PARALLEL_FITS``
if set (1 to 4), else 2 (1 on a single core). Each fit converts its rows to float64 only
when it starts and drops them when done, so memory peaks at two fits' arrays (about 640 MB
on MNIST); 1 brings that to about 380 MB at the cost of a slower training (see
:func:`_parallel_fits`).

Results are cached on disk (:mod:`core.cache`) and shared between concurrent callers: two
callers asking for the same training at once get one training.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import numbers
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache as _memoized
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core import cache
from core.data import Dataset

# scikit-learn is imported where it is used: importing it takes about a second, and a page
# showing a cached detector's numbers needs none of it (nor does reading the disk cache).
if TYPE_CHECKING:
    from sklearn.linear_model import SGDClassifier
    from sklearn.model_selection import StratifiedKFold

log = logging.getLogger(__name__)

N_FOLDS = 3  # the notebook's cv=3
MIN_PRECISION = 0.90  # cell [14]'s precision target
SOME_DIGIT_INDEX = 0  # cell [4]: X[0], a 5
CACHE_FORMAT = 2  # bump when the cached payload changes meaning
_POLL_SECONDS = 0.25  # how often a waiting caller reports progress


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


PARALLEL_FITS_ENV = "THRESHOLD_EXPLORER_PARALLEL_FITS"


def _parallel_fits() -> int:
    """Fits at once: ``$THRESHOLD_EXPLORER_PARALLEL_FITS`` (1 to 4), else min(2, cores).

    Each running fit holds its float64 training array (251 MB for a fold of MNIST, 376 MB for
    the final model), so the number of fits at once is capped by memory as well as cores.
    Measured on MNIST (a training's RSS sampled every 50 ms): two at once (the default) peak
    at about 640 MB above the process's memory before training, one at a time at about
    380 MB; but one at a time, a training lasts as long as its four fits one after the other
    instead of about half that on two idle cores. A value that is not an integer from 1 to 4
    is logged and the default used.
    """
    default = max(1, min(2, _available_cores()))
    value = os.environ.get(PARALLEL_FITS_ENV, "").strip()
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


MAX_PARALLEL_FITS = _parallel_fits()
_FIT_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL_FITS)


# ---------------------------------------------------------------------------------------------
# Targets and the model
# ---------------------------------------------------------------------------------------------


def _check_digit(digit) -> int:
    if isinstance(digit, bool) or not isinstance(digit, numbers.Integral) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an integer from 0 to 9, got {digit!r}")
    return int(digit)


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
    digit = _check_digit(digit)
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {labels.shape}")
    return labels == digit


def notebook_classifier() -> SGDClassifier:
    """A fresh, unfitted ``SGDClassifier(random_state=42)``, the notebook's ``sgd_clf``."""
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(random_state=42)


def _notebook_cv(n_splits: int = N_FOLDS) -> StratifiedKFold:
    """What ``cv=3`` means for a classifier: stratified, unshuffled folds."""
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(n_splits=n_splits)


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingProgress:
    """Where a training stands.

    Attributes
    ----------
    stage : str
        The phase, in words: ``"fitting 3 cross-validation folds and the final model"``, then
        ``"done"``.
    folds_done : int
        Cross-validation folds fitted and scored so far.
    n_folds : int
        Folds in all (3).
    final_done : bool
        Whether the final model (all training digits) is fitted and has scored the test set.
    elapsed : float
        Seconds since the training started.
    """

    stage: str
    folds_done: int
    n_folds: int
    final_done: bool
    elapsed: float

    @property
    def fraction(self) -> float:
        """Share of the fits done, 0.0 to 1.0 (the final fit counts as one)."""
        return (self.folds_done + int(self.final_done)) / (self.n_folds + 1)


def _read_only(array: np.ndarray) -> np.ndarray:
    # Results are shared between sessions and threads; nobody may edit them in place.
    array.setflags(write=False)
    return array


class PickledModel:
    """A fitted model kept as its pickle until first asked for.

    Unpickling a scikit-learn model imports scikit-learn (about a second), which a page that
    only shows a cached detector's scores does not need. Thread-safe; unpickled once.
    """

    def __init__(self, blob: bytes) -> None:
        self._blob: bytes | None = blob
        self._model = None
        self._lock = threading.Lock()

    def get(self):
        with self._lock:
            if self._model is None:
                self._model = pickle.loads(self._blob)  # our own cache file, checksummed
                self._blob = None
            return self._model

    def __repr__(self) -> str:
        state = "pickled" if self._model is None else "unpickled"
        return f"PickledModel({state})"


@dataclass(frozen=True, eq=False)
class DetectorResult:
    """Everything the notebook computes about the detector of one digit.

    Attributes
    ----------
    digit : int
        The detected digit.
    fingerprint : str
        The dataset's fingerprint (see :class:`core.data.Dataset`).
    y_train : ndarray of shape (n_train,), dtype bool
        True for the training digits equal to ``digit``.
    cv_scores : ndarray of shape (n_train,), dtype float64
        Cross-validated decision scores: ``cross_val_predict(sgd_clf, X_train, y_train, cv=3,
        method="decision_function")``, bit for bit.
    fold_ids : ndarray of shape (n_train,), dtype int8
        The fold (0, 1 or 2) in which each training digit was held out.
    fold_accuracy : tuple of float
        Accuracy on each held-out fold, identical to ``cross_val_score(..., cv=3)``.
    model : SGDClassifier
        Fitted on all training digits (cell [7]'s ``sgd_clf``). A property: read from the
        disk cache, the model stays pickled until first used (see :class:`PickledModel`).
    test_scores : ndarray of shape (n_test,), dtype float64
        The final model's decision scores on the test digits (empty when there are none).
    y_test : ndarray of shape (n_test,), dtype bool
        True for the test digits equal to ``digit``.
    dummy_accuracy : float
        Accuracy of the "never this digit" baseline on the training set: the share of other
        digits (the mean of ``dummy_fold_accuracy`` when the folds are of equal size).
    dummy_fold_accuracy : tuple of float
        The baseline per fold, as ``cross_val_score(Never5Classifier(), ..., cv=3)`` reports
        it: that class is no classifier, so its folds are unstratified thirds (``KFold``).
    seconds : float
        Wall-clock seconds of the computation (of the cold run, when loaded from the cache).
    from_cache : bool
        True when this result was read from the disk cache.
    """

    digit: int
    fingerprint: str
    y_train: np.ndarray
    cv_scores: np.ndarray
    fold_ids: np.ndarray
    fold_accuracy: tuple[float, ...]
    fitted_model: SGDClassifier | PickledModel = field(repr=False)
    test_scores: np.ndarray
    y_test: np.ndarray
    dummy_accuracy: float
    dummy_fold_accuracy: tuple[float, ...]
    seconds: float
    from_cache: bool = field(default=False)

    @property
    def model(self) -> SGDClassifier:
        """The final model (unpickled on first use when it came from the disk cache)."""
        fitted = self.fitted_model
        return fitted.get() if isinstance(fitted, PickledModel) else fitted

    @property
    def cv_predictions(self) -> np.ndarray:
        """Cross-validated predictions, ``cv_scores > 0``: what ``cross_val_predict`` gives."""
        return self.cv_scores > 0

    @property
    def confusion_matrix(self) -> np.ndarray:
        """``[[TN, FP], [FN, TP]]`` of the cross-validated predictions at threshold 0 (int64)."""
        return _confusion(self.y_train, self.cv_predictions)

    @property
    def precision(self) -> float:
        """TP / (TP + FP) at threshold 0; 0.0 when nothing is predicted positive."""
        return _precision_recall_f1(self.confusion_matrix)[0]

    @property
    def recall(self) -> float:
        """TP / (TP + FN) at threshold 0; 0.0 when there are no positives."""
        return _precision_recall_f1(self.confusion_matrix)[1]

    @property
    def f1(self) -> float:
        """2 p r / (p + r), the formula behind the notebook's printed F1; 0.0 when p + r = 0."""
        return _precision_recall_f1(self.confusion_matrix)[2]


def _confusion(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    positives = np.count_nonzero(y_true)
    true_positives = np.count_nonzero(y_true & y_pred)
    false_positives = np.count_nonzero(y_pred) - true_positives
    false_negatives = positives - true_positives
    true_negatives = y_true.size - positives - false_positives
    return np.array(
        [[true_negatives, false_positives], [false_negatives, true_positives]], dtype=np.int64
    )


def _precision_recall_f1(confusion: np.ndarray) -> tuple[float, float, float]:
    (_, false_positives), (false_negatives, true_positives) = confusion.tolist()
    predicted = true_positives + false_positives
    actual = true_positives + false_negatives
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / actual if actual else 0.0
    # 2pr/(p+r), not 2TP/(2TP+FP+FN): the two differ in the last digit, and the notebook
    # printed the former (0.7325171197343846 on MNIST).
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# ---------------------------------------------------------------------------------------------
# The fits
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _fit_slot() -> Iterator[None]:
    """Hold one of the process's :data:`MAX_PARALLEL_FITS` fit slots."""
    with _FIT_SLOTS:
        yield


_GATHER_ROWS = 4096  # rows copied at a time by _as_float64


def _as_float64(images: np.ndarray, rows) -> np.ndarray:
    """Rows of ``images`` as the C-ordered float64 array the notebook's fits see.

    ``rows`` is a slice (converted straight from the view) or an integer index array, gathered
    a block of rows at a time into the float64 result: no full-size copy of the rows in the
    images' own dtype is made beside it (31 MB less for a fold of MNIST, while another fit's
    array is alive). The values are those of ``images[rows].astype(np.float64)``.
    """
    if isinstance(rows, slice):
        return np.ascontiguousarray(images[rows], dtype=np.float64)
    rows = np.asarray(rows)
    if rows.dtype == bool:
        rows = np.flatnonzero(rows)
    out = np.empty((rows.size, *images.shape[1:]), dtype=np.float64)
    for start in range(0, rows.size, _GATHER_ROWS):
        block = rows[start : start + _GATHER_ROWS]
        out[start : start + block.size] = images[block]
    return out


@dataclass(frozen=True)
class _FoldOutcome:
    fold: int
    scores: np.ndarray
    accuracy: float


def _fit_fold(fold, images, y, train_rows, held_out_rows, estimator) -> _FoldOutcome:
    """Fit on a fold's training part, score its held-out part (one step of cv=3)."""
    from sklearn.base import clone
    from sklearn.metrics import accuracy_score

    with _fit_slot():
        # Built only now and dropped before the held-out part is: one big array at a time.
        X = _as_float64(images, train_rows)
        model = clone(estimator).fit(X, y[train_rows])
        del X
        X = _as_float64(images, held_out_rows)
        scores = model.decision_function(X)
        accuracy = accuracy_score(y[held_out_rows], model.predict(X))
    return _FoldOutcome(fold, scores, float(accuracy))


def _fit_final(images, y, n_train, estimator) -> tuple[SGDClassifier, np.ndarray]:
    """Fit on all training digits; score the test digits."""
    from sklearn.base import clone

    with _fit_slot():
        X = _as_float64(images, slice(0, n_train))
        model = clone(estimator).fit(X, y)
        del X
        if images.shape[0] > n_train:
            test_scores = model.decision_function(_as_float64(images, slice(n_train, None)))
        else:
            test_scores = np.empty(0, dtype=np.float64)
    return model, test_scores


def _check_trainable(y_train: np.ndarray, digit: int, n_splits: int) -> None:
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


def _never_digit_fold_accuracy(y_train: np.ndarray) -> tuple[float, ...]:
    """``cross_val_score(Never5Classifier(), X_train, y_train_5, cv=3)`` without fitting.

    The book's ``Never5Classifier`` is a plain ``BaseEstimator``, not a classifier, so for it
    ``cv=3`` means unshuffled, unstratified ``KFold``: the folds are the training set's thirds.
    """
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import KFold

    held_out_folds = (test for _, test in KFold(n_splits=N_FOLDS).split(y_train))
    return tuple(
        float(accuracy_score(y_train[test], np.zeros(test.size, dtype=bool)))
        for test in held_out_folds
    )


def _stage_text(folds_done: int, n_folds: int, final_done: bool) -> str:
    # Short: the counts are fields of their own, and pages print them separately.
    if folds_done == n_folds and final_done:
        return "done"
    return f"fitting {n_folds} cross-validation folds and the final model"


def _compute(dataset: Dataset, digit: int, progress) -> DetectorResult:
    """One cross-validation pass and the final fit, in parallel threads."""
    start = time.perf_counter()
    images = dataset.images
    y_train = binary_target(dataset.train_labels, digit=digit)
    y_test = binary_target(dataset.test_labels, digit=digit)
    _check_trainable(y_train, digit, N_FOLDS)
    estimator = notebook_classifier()
    splits = list(_notebook_cv().split(np.zeros((y_train.size, 1)), y_train))

    def report(folds_done: int, final_done: bool) -> None:
        if progress is not None:
            stage = _stage_text(folds_done, N_FOLDS, final_done)
            elapsed = time.perf_counter() - start
            progress(TrainingProgress(stage, folds_done, N_FOLDS, final_done, elapsed))

    report(0, False)
    executor = ThreadPoolExecutor(MAX_PARALLEL_FITS, thread_name_prefix="detector-fit")
    try:
        # The longest fit first, so the folds fill the other core around it.
        final: Future = executor.submit(_fit_final, images, y_train, dataset.n_train, estimator)
        folds = [
            executor.submit(_fit_fold, k, images, y_train, train, held_out, estimator)
            for k, (train, held_out) in enumerate(splits)
        ]
        pending = {final, *folds}
        folds_done, final_done = 0, False
        while pending:
            finished, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
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
    fold_accuracy = []
    for future, (_, held_out) in zip(folds, splits, strict=True):
        outcome = future.result()
        cv_scores[held_out] = outcome.scores
        fold_ids[held_out] = outcome.fold
        fold_accuracy.append(outcome.accuracy)
    model, test_scores = final.result()
    return DetectorResult(
        digit=digit,
        fingerprint=dataset.fingerprint,
        y_train=_read_only(y_train),
        cv_scores=_read_only(cv_scores),
        fold_ids=_read_only(fold_ids),
        fold_accuracy=tuple(fold_accuracy),
        fitted_model=model,
        test_scores=_read_only(test_scores),
        y_test=_read_only(y_test),
        dummy_accuracy=float(np.count_nonzero(~y_train) / y_train.size),
        dummy_fold_accuracy=_never_digit_fold_accuracy(y_train),
        seconds=time.perf_counter() - start,
    )


# ---------------------------------------------------------------------------------------------
# Disk cache and one training per key
# ---------------------------------------------------------------------------------------------


# The notebook's model and folds, described without importing scikit-learn (a second on a
# warm start): every other parameter is a scikit-learn default, fixed by the version in the key.
NOTEBOOK_MODEL_SPEC = {
    "model": "sklearn.linear_model.SGDClassifier",
    "params": {"random_state": "42"},
    "cv": "StratifiedKFold(n_splits=3, random_state=None, shuffle=False)",
}


@_memoized
def library_version(distribution: str) -> str:
    """An installed distribution's version (``scikit-learn``, ...) without importing it."""
    return metadata.version(distribution)


def estimator_spec(estimator) -> dict:
    """What identifies an unfitted estimator in a cache key: its class and every parameter."""
    return {
        "model": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "params": {name: repr(value) for name, value in sorted(estimator.get_params().items())},
        "cv": repr(_notebook_cv()),
    }


def _cache_key(dataset: Dataset, digit: int, kind: str, estimator=None) -> str:
    """Hex digest of everything the cached numbers depend on (the notebook's model by default)."""
    spec = {
        "format": CACHE_FORMAT,
        "kind": kind,
        "fingerprint": dataset.fingerprint,
        "n_train": dataset.n_train,
        "digit": digit,
        **(NOTEBOOK_MODEL_SPEC if estimator is None else estimator_spec(estimator)),
        "sklearn": library_version("scikit-learn"),
        "numpy": np.__version__,
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def _resolve_cache_dir(cache_dir) -> Path | None:
    if cache_dir is not None:
        return Path(cache_dir)
    try:
        return cache.default_cache_dir()
    except OSError as exc:  # scikit-learn's data home could not be created
        log.warning("no cache directory: %s", exc)
        return None


def _detector_path(directory: Path, digit: int, key: str) -> Path:
    return directory / f"detector-digit{digit}-{key[:24]}.pkl"


def _discard(path: Path, reason: str) -> None:
    log.warning("discarding cache file %s: %s", path, reason)
    with contextlib.suppress(OSError):
        path.unlink()


def _save_result(path: Path, key: str, result: DetectorResult) -> bool:
    # y_train and y_test are not stored: they follow from the dataset the key names.
    payload = {
        "key": key,
        "cv_scores": result.cv_scores,
        "fold_ids": result.fold_ids,
        "fold_accuracy": result.fold_accuracy,
        # Pickled apart, so that reading the cache needs no scikit-learn (see PickledModel).
        "model_pickle": pickle.dumps(result.model, protocol=pickle.HIGHEST_PROTOCOL),
        "test_scores": result.test_scores,
        "dummy_accuracy": result.dummy_accuracy,
        "dummy_fold_accuracy": result.dummy_fold_accuracy,
        "seconds": result.seconds,
    }
    return cache.write_checked(path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


def _load_result(path: Path, key: str, dataset: Dataset, digit: int) -> DetectorResult | None:
    blob = cache.read_checked(path)
    if blob is None:
        return None
    try:
        # A pickle of our own: read_checked has verified its checksum (damage, not intent: the
        # cache directory is trusted like the code), and we check the key written inside it.
        payload = pickle.loads(blob)
        if payload["key"] != key:
            raise ValueError("written for another key")
        result = DetectorResult(
            digit=digit,
            fingerprint=dataset.fingerprint,
            y_train=_read_only(binary_target(dataset.train_labels, digit=digit)),
            cv_scores=_read_only(np.asarray(payload["cv_scores"], dtype=np.float64)),
            fold_ids=_read_only(np.asarray(payload["fold_ids"], dtype=np.int8)),
            fold_accuracy=tuple(float(a) for a in payload["fold_accuracy"]),
            fitted_model=PickledModel(bytes(payload["model_pickle"])),
            test_scores=_read_only(np.asarray(payload["test_scores"], dtype=np.float64)),
            y_test=_read_only(binary_target(dataset.test_labels, digit=digit)),
            dummy_accuracy=float(payload["dummy_accuracy"]),
            dummy_fold_accuracy=tuple(float(a) for a in payload["dummy_fold_accuracy"]),
            seconds=float(payload["seconds"]),
            from_cache=True,
        )
        if result.cv_scores.shape != (dataset.n_train,) or result.test_scores.shape != (
            dataset.n_test,
        ):
            raise ValueError("arrays of the wrong length")
    except Exception as exc:  # noqa: BLE001 - any unreadable payload just means "rebuild"
        _discard(path, f"{type(exc).__name__}: {exc}")
        return None
    return result


class _Flight:
    """One computation in progress that other callers in this process wait for."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.result = None
        self.error: BaseException | None = None
        self.progress: TrainingProgress | None = None


_flights: dict[str, _Flight] = {}
_flights_lock = threading.Lock()


def _follow(flight: _Flight, progress) -> DetectorResult:
    """Wait for another caller's training, relaying its progress to our own callback."""
    relayed = None
    while True:
        finished = flight.finished.wait(_POLL_SECONDS)
        update = flight.progress
        if progress is not None and update is not None and update is not relayed:
            progress(update)  # from our own thread; the last one too, however short the wait
            relayed = update
        if finished:
            break
    if flight.error is not None:
        raise flight.error
    return flight.result


def cached_once(
    key: str,
    path: Path | None,
    *,
    load: Callable[[Path], object | None],
    compute: Callable[[Callable], object],
    save: Callable[[Path, object], object],
    use_cache: bool = True,
    progress: Callable | None = None,
):
    """The result cached at ``path``, else computed once for ``key`` and cached there.

    Callers in this process asking for the same ``key`` at once share one computation (the
    later ones wait, their ``progress`` relayed from the leader's); across processes a file
    lock beside ``path`` makes the later process wait and then read the cache.

    Parameters
    ----------
    key : str
        What the result depends on (see :func:`_cache_key`).
    path : Path or None
        The cache file; None for no disk cache (still one computation per key at a time).
    load : callable ``path -> result or None``
        Reads the cache file; None when it is missing, damaged or for another key.
    compute : callable ``record -> result``
        Does the work, calling ``record(update)`` with progress updates.
    save : callable ``(path, result)``
        Writes the cache file.
    use_cache : bool, default True
        False recomputes even when a cached result exists, and rewrites the cache.
    progress : callable, optional
        Receives the progress updates, from the calling thread only.
    """
    if use_cache and path is not None:
        cached = load(path)
        if cached is not None:
            return cached

    with _flights_lock:
        flight = _flights.get(key)
        leading = flight is None
        if leading:
            flight = _flights[key] = _Flight()
    if not leading:
        return _follow(flight, progress)

    def record(update) -> None:
        flight.progress = update
        if progress is not None:
            progress(update)

    try:
        lock = (
            contextlib.nullcontext() if path is None else cache.file_lock(path.with_suffix(".lock"))
        )
        with lock:
            # Another process may have finished the same work while we waited for the lock.
            result = load(path) if use_cache and path is not None else None
            if result is None:
                result = compute(record)
                if path is not None:
                    save(path, result)
        flight.result = result
        return result
    except BaseException as exc:
        flight.error = exc
        raise
    finally:
        with _flights_lock:
            del _flights[key]
        flight.finished.set()


def train_detector(
    dataset: Dataset,
    *,
    digit: int = 5,
    cache_dir=None,
    use_cache: bool = True,
    progress: Callable[[TrainingProgress], None] | None = None,
) -> DetectorResult:
    """Train the notebook's detector of ``digit`` and cross-validate it (cells [6]-[13]).

    One stratified, unshuffled 3-fold pass gives the held-out decision scores (from which the
    fold accuracies, predictions and confusion matrix follow), and a fourth fit on all training
    digits gives the final model. The fits run in parallel threads.

    Parameters
    ----------
    dataset : Dataset
        Images (uint8, one flattened digit a row) and labels; the first ``n_train`` rows train.
    digit : int, default 5
        The digit to detect, 0-9.
    cache_dir : path-like, optional
        Where results are cached; default :func:`core.cache.default_cache_dir`. A directory
        that cannot be written just means no cache.
    use_cache : bool, default True
        False recomputes even when a cached result exists, and rewrites the cache.
    progress : callable, optional
        Receives a :class:`TrainingProgress`; called only from the calling thread, at start,
        about every 0.25 s while fits run, and as each fit completes. Not called on a cache hit.

    Returns
    -------
    DetectorResult
        ``from_cache`` says whether it was read from disk.

    Raises
    ------
    ValueError
        When ``digit`` is not 0-9, or the training set has fewer than 3 digits of either class.

    Notes
    -----
    Callers in this process asking for the same training at once share one computation (the
    later ones wait and get the same result); across processes a file lock makes the later
    process wait and then read the cache.
    """
    digit = _check_digit(digit)
    key = _cache_key(dataset, digit, "detector")
    directory = _resolve_cache_dir(cache_dir)
    path = None if directory is None else _detector_path(directory, digit, key)
    return cached_once(
        key,
        path,
        load=lambda at: _load_result(at, key, dataset, digit),
        compute=lambda record: _compute(dataset, digit, record),
        save=lambda at, result: _save_result(at, key, result),
        use_cache=use_cache,
        progress=progress,
    )


def _load_cached(dataset: Dataset, digit: int, cache_dir) -> DetectorResult | None:
    """The cached training of ``digit`` on ``dataset``, or None; never trains."""
    directory = _resolve_cache_dir(cache_dir)
    if directory is None:
        return None
    key = _cache_key(dataset, digit, "detector")
    return _load_result(_detector_path(directory, digit, key), key, dataset, digit)


# ---------------------------------------------------------------------------------------------
# Background training for the app
# ---------------------------------------------------------------------------------------------


class TrainingJob:
    """One training running (or finished) in a daemon thread; see :class:`TrainingRegistry`.

    The thread records progress on the job; a page polls :attr:`progress` and :attr:`done`,
    since a worker thread cannot talk to Streamlit.
    """

    def __init__(self, digit: int, *, name: str | None = None) -> None:
        self.digit = digit
        self.name = f"train-digit-{digit}" if name is None else name
        self._finished = threading.Event()
        self._result: DetectorResult | None = None
        self._error: BaseException | None = None
        self._progress: TrainingProgress | None = None

    @classmethod
    def _completed(cls, result: DetectorResult) -> TrainingJob:
        job = cls(result.digit)
        job._result = result
        job._finished.set()
        return job

    def _start(self, dataset: Dataset, cache_dir) -> None:
        self.launch(
            lambda progress: train_detector(
                dataset, digit=self.digit, cache_dir=cache_dir, progress=progress
            )
        )

    def launch(self, train: Callable[[Callable], object]) -> None:
        """Run ``train(progress)`` in a daemon thread; its result becomes :meth:`result`'s."""
        thread = threading.Thread(target=self._run, args=(train,), name=self.name, daemon=True)
        thread.start()

    def _run(self, train: Callable[[Callable], object]) -> None:
        try:
            self._result = train(self._record)
        except BaseException as exc:  # noqa: BLE001 - kept for result() to raise
            log.exception("training %s failed", self.name)
            self._error = exc
        finally:
            self._finished.set()

    def _record(self, update) -> None:
        self._progress = update

    @property
    def progress(self):
        """The latest progress reported (a :class:`TrainingProgress` for the detector), or None
        before the first (and on a cache hit)."""
        return self._progress

    @property
    def done(self) -> bool:
        """Whether the training has finished, successfully or not."""
        return self._finished.is_set()

    @property
    def error(self) -> BaseException | None:
        """The exception the training raised, or None."""
        return self._error

    def result(self, timeout: float | None = None):
        """Wait up to ``timeout`` seconds (None: for ever) and return the result.

        Raises
        ------
        TimeoutError
            When the training is still running after ``timeout`` seconds.
        Exception
            The training's own exception, when it failed.
        """
        if not self._finished.wait(timeout):
            raise TimeoutError(f"training {self.name} still running after {timeout} s")
        if self._error is not None:
            raise self._error
        return self._result


class JobTable:
    """Thread-safe table of :class:`TrainingJob` by key: one job per key.

    A job stays registered after it finished, except a failed one: asking again starts a new
    one (a retry).
    """

    def __init__(self) -> None:
        self._jobs: dict = {}
        self._lock = threading.Lock()

    def job(self, key, start: Callable[[], TrainingJob]) -> TrainingJob:
        """The job of ``key``; ``start()`` makes and starts one when none is (or it failed)."""
        with self._lock:
            job = self._jobs.get(key)
            if job is None or (job.done and job.error is not None):
                job = self._jobs[key] = start()
        return job

    def ready(self, key, load: Callable[[], object | None]):
        """The finished result of ``key``, else ``load()``'s (kept as a finished job), else None.

        ``load`` must never train: it reads a cache.
        """
        with self._lock:
            job = self._jobs.get(key)
        if job is not None:
            return job._result if job.done and job.error is None else None
        result = load()
        if result is None:
            return None
        with self._lock:
            job = self._jobs.setdefault(key, TrainingJob._completed(result))
        return job._result if job.done and job.error is None else None


class TrainingRegistry:
    """Process-wide, thread-safe registry of trainings: one job per (dataset, digit).

    Parameters
    ----------
    cache_dir : path-like, optional
        Passed on to :func:`train_detector`.

    Notes
    -----
    A job stays registered after it finished, failed ones included, so every page asking
    for the same (dataset, digit) sees the same outcome.
    """

    def __init__(self, *, cache_dir=None) -> None:
        self._cache_dir = cache_dir
        self._table = JobTable()

    def job(self, dataset: Dataset, *, digit: int) -> TrainingJob:
        """The job training ``digit`` on ``dataset``, started in a daemon thread if new.

        A job that failed is not kept: asking again starts a new one (a retry).
        """
        digit = _check_digit(digit)

        def start() -> TrainingJob:
            job = TrainingJob(digit)
            job._start(dataset, self._cache_dir)
            return job

        return self._table.job((dataset.fingerprint, digit), start)

    def ready(self, dataset: Dataset, *, digit: int) -> DetectorResult | None:
        """The finished result, from memory or the disk cache; None otherwise. Never trains."""
        digit = _check_digit(digit)
        return self._table.ready(
            (dataset.fingerprint, digit), lambda: _load_cached(dataset, digit, self._cache_dir)
        )


# ---------------------------------------------------------------------------------------------
# The notebook's other cells
# ---------------------------------------------------------------------------------------------


def manual_cv_accuracy(images, labels_bool, *, n_splits: int = N_FOLDS) -> tuple[float, ...]:
    """Cell [9]: the hand-written stratified k-fold loop, one accuracy per fold.

    Each fold clones the notebook's classifier, fits it on the other folds and counts correct
    predictions on the held-out one. ``random_state`` is left out: with ``shuffle=False`` it
    is an error in current scikit-learn (the notebook got a FutureWarning). The folds are
    fitted in parallel threads.

    Parameters
    ----------
    images : array-like of shape (n_samples, n_features)
        uint8 or float pixels; each fold's rows are converted to float64 when its fit starts.
    labels_bool : array-like of shape (n_samples,), dtype bool
        The binary target.
    n_splits : int, default 3

    Returns
    -------
    tuple of float, length ``n_splits``
        Equal to ``cross_val_score(sgd_clf, images, labels_bool, cv=n_splits)``.
    """
    images = np.asarray(images)
    labels_bool = np.asarray(labels_bool)
    if images.ndim != 2:
        raise ValueError(f"images must be two-dimensional, got shape {images.shape}")
    if labels_bool.dtype != bool or labels_bool.shape != (images.shape[0],):
        raise ValueError(
            f"labels_bool must be a bool array of shape ({images.shape[0]},), "
            f"got {labels_bool.dtype} of shape {labels_bool.shape}"
        )
    if isinstance(n_splits, bool) or not isinstance(n_splits, numbers.Integral) or n_splits < 2:
        raise ValueError(f"n_splits must be an integer of at least 2, got {n_splits!r}")
    from sklearn.base import clone

    sgd_clf = notebook_classifier()
    skfolds = _notebook_cv(n_splits)

    def fold_accuracy(train_index, test_index) -> float:
        with _fit_slot():
            clone_clf = clone(sgd_clf)
            X_train_folds = _as_float64(images, train_index)
            clone_clf.fit(X_train_folds, labels_bool[train_index])
            del X_train_folds
            y_pred = clone_clf.predict(_as_float64(images, test_index))
        n_correct = np.count_nonzero(y_pred == labels_bool[test_index])
        return n_correct / len(y_pred)

    splits = skfolds.split(np.zeros((labels_bool.size, 1)), labels_bool)
    with ThreadPoolExecutor(MAX_PARALLEL_FITS, thread_name_prefix="manual-cv") as executor:
        futures = [executor.submit(fold_accuracy, train, test) for train, test in splits]
        return tuple(float(future.result()) for future in futures)


def _manual_cv_cached(dataset: Dataset, digit: int, cache_dir, use_cache: bool):
    """:func:`manual_cv_accuracy` on the training digits, through its own small cache file."""
    key = _cache_key(dataset, digit, "manual_cv")
    directory = _resolve_cache_dir(cache_dir)
    path = None if directory is None else directory / f"manual-cv-digit{digit}-{key[:24]}.npz"
    lock = contextlib.nullcontext() if path is None else cache.file_lock(path.with_suffix(".lock"))
    with lock:
        stored = cache.load_arrays(path) if use_cache and path is not None else None
        if stored is not None and str(stored.get("key", "")) == key and "accuracy" in stored:
            return tuple(float(a) for a in stored["accuracy"])
        y_train = binary_target(dataset.train_labels, digit=digit)
        accuracy = manual_cv_accuracy(dataset.train_images, y_train, n_splits=N_FOLDS)
        if path is not None:
            cache.save_arrays(path, key=np.array(key), accuracy=np.array(accuracy))
        return accuracy


def digit_score(result: DetectorResult, image) -> float:
    """Cell [12]: the final model's decision score for one image.

    Parameters
    ----------
    result : DetectorResult
    image : array-like with ``n_features`` elements
        A flattened image (or one of shape ``image_shape``), uint8 or float.

    Returns
    -------
    float
        ``sgd_clf.decision_function([image])[0]`` as float64.
    """
    pixels = np.asarray(image)
    n_features = result.model.n_features_in_
    if pixels.size != n_features:
        raise ValueError(
            f"image must have {n_features} pixels, got shape {pixels.shape} ({pixels.size})"
        )
    return float(result.model.decision_function(pixels.astype(np.float64).reshape(1, -1))[0])


def decision_at(score: float, *, threshold: float) -> bool:
    """Cell [12]: the detector's answer at ``threshold``, ``score > threshold``."""
    return bool(score > threshold)


def _threshold_for_precision(y_true, scores, *, min_precision):
    """Cell [14]: the lowest curve threshold reaching ``min_precision``, and p, r there.

    Returns ``(threshold, precision, recall)`` with predictions ``scores >= threshold``, or
    None when only the curve's end point (no positive predictions) reaches the precision.
    """
    from sklearn.metrics import precision_recall_curve

    precisions, _, thresholds = precision_recall_curve(y_true, scores)
    index = int(np.argmax(precisions >= min_precision))
    if index >= thresholds.size:
        return None
    threshold = float(thresholds[index])
    precision, recall, _ = _precision_recall_f1(_confusion(y_true, scores >= threshold))
    return threshold, precision, recall


def notebook_report(dataset: Dataset, *, digit: int = 5, use_cache: bool = True, cache_dir=None):
    """Every number the notebook's cells [6] to [14] print, for one digit, JSON-ready.

    The manual loop of cell [9] (three more fits) runs in a thread beside
    :func:`train_detector` and is cached in its own file.

    Returns
    -------
    dict
        ``digit``, ``cv_accuracy`` (3 floats), ``manual_cv_accuracy`` (3 floats),
        ``confusion_matrix`` and ``perfect_confusion_matrix`` (``[[TN, FP], [FN, TP]]``),
        ``precision``, ``recall``, ``f1``, ``some_digit_index``, ``some_digit_score``,
        ``threshold_90_precision``, ``precision_at_threshold_90``, ``recall_at_threshold_90``
        (all three None when no threshold reaches 90 % precision), ``dummy_accuracy``, and
        ``seconds``: wall-clock seconds this call took (small when everything was cached).
    """
    start = time.perf_counter()
    digit = _check_digit(digit)
    with ThreadPoolExecutor(1, thread_name_prefix="manual-cv-cache") as executor:
        manual = executor.submit(_manual_cv_cached, dataset, digit, cache_dir, use_cache)
        result = train_detector(dataset, digit=digit, cache_dir=cache_dir, use_cache=use_cache)
        manual_accuracy = manual.result()
    at_90 = _threshold_for_precision(result.y_train, result.cv_scores, min_precision=MIN_PRECISION)
    threshold_90, precision_90, recall_90 = (None, None, None) if at_90 is None else at_90
    return {
        "digit": digit,
        "cv_accuracy": list(result.fold_accuracy),
        "manual_cv_accuracy": list(manual_accuracy),
        "confusion_matrix": result.confusion_matrix.tolist(),
        "perfect_confusion_matrix": _confusion(result.y_train, result.y_train).tolist(),
        "precision": result.precision,
        "recall": result.recall,
        "f1": result.f1,
        "some_digit_index": SOME_DIGIT_INDEX,
        "some_digit_score": digit_score(result, dataset.images[SOME_DIGIT_INDEX]),
        "threshold_90_precision": threshold_90,
        "precision_at_threshold_90": precision_90,
        "recall_at_threshold_90": recall_90,
        "dummy_accuracy": result.dummy_accuracy,
        "seconds": time.perf_counter() - start,
    }


def format_report(report: dict) -> str:
    """:func:`notebook_report`'s numbers as text, floats at full precision."""

    def number(value) -> str:
        return "n/a" if value is None else repr(value)

    def numbers_(values) -> str:
        return "[" + ", ".join(number(v) for v in values) + "]"

    def matrix(rows) -> str:
        return "[" + ", ".join(numbers_(row) for row in rows) + "]"

    digit = report["digit"]
    lines = [
        f"Detector of digit {digit}: SGDClassifier(random_state=42), 3-fold cross-validation",
        f"  cross_val_score accuracy [8]:          {numbers_(report['cv_accuracy'])}",
        f"  hand-written StratifiedKFold loop [9]: {numbers_(report['manual_cv_accuracy'])}",
        f"  'never {digit}' baseline accuracy:          {number(report['dummy_accuracy'])}",
        f"  confusion matrix [10] [[TN, FP], [FN, TP]]: {matrix(report['confusion_matrix'])}",
        f"  perfect predictions' confusion matrix:  {matrix(report['perfect_confusion_matrix'])}",
        f"  precision [11]: {number(report['precision'])}",
        f"  recall [11]:    {number(report['recall'])}",
        f"  F1 [11]:        {number(report['f1'])}",
        f"  score of digit #{report['some_digit_index']} [12]: "
        f"{number(report['some_digit_score'])}",
        f"  threshold for 90% precision [14]: {number(report['threshold_90_precision'])}",
        f"    precision there: {number(report['precision_at_threshold_90'])}",
        f"    recall there:    {number(report['recall_at_threshold_90'])}",
        f"computed in {report['seconds']:.2f} s",
    ]
    return "\n".join(lines)
