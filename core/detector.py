"""The notebook's detector of one digit (cells [6] to [13]): its result, its training, its cache.

The notebook fits ``SGDClassifier(random_state=42)`` on the 60,000 training digits, then runs
the same 3-fold cross-validation several times (``cross_val_score``, a hand-written loop,
``cross_val_predict`` for labels and for decision scores). :func:`train_detector` fits each
fold once (:func:`core.engine.cross_validate` with the final fit): the held-out decision scores
give every cross-validated number, and the final model scores the test digits.

Two decision rules live here, both the notebook's: ``predict`` answers ``score > 0``
(:func:`notebook_predictions`) and cell [12] writes ``score > threshold``
(:func:`notebook_decision`). Everything else in the project flags ``score >= threshold``,
scikit-learn's rule (:func:`core.counting.is_flagged`); the two differ only for a score equal
to the threshold.

Results are cached on disk (:mod:`core.cache`) and shared between concurrent callers: two
callers asking for the same training at once get one training.
"""

from __future__ import annotations

import logging
import math
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import cache, engine
from core.counting import ratio
from core.data import Dataset
from core.engine import (
    N_FOLDS,
    TrainingProgress,
    binary_target,
    cache_key,
)
from core.models import MODELS, SGD
from core.validation import check_digit, read_only

log = logging.getLogger(__name__)

SOME_DIGIT_INDEX = 0  # cell [4]: X[0], a 5
CACHE_FORMAT = 3  # bump when the cached payload changes meaning
NOTEBOOK_SPEC = MODELS[SGD]


def notebook_predictions(scores) -> np.ndarray:
    """What the notebook's ``predict`` (and so ``cross_val_predict``) answers: ``score > 0``."""
    return np.asarray(scores) > 0


def notebook_decision(score: float, *, threshold: float) -> bool:
    """Cell [12]'s answer at ``threshold``: ``score > threshold``, as the notebook writes it."""
    return bool(score > threshold)


def _confusion(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    positives = np.count_nonzero(y_true)
    true_positives = np.count_nonzero(y_true & y_pred)
    false_positives = np.count_nonzero(y_pred) - true_positives
    false_negatives = positives - true_positives
    true_negatives = y_true.size - positives - false_positives
    return np.array(
        [[true_negatives, false_positives], [false_negatives, true_positives]], dtype=np.int64
    )


def fold_accuracy(y_true: np.ndarray, predictions: np.ndarray, fold_ids: np.ndarray):
    """Accuracy on each held-out fold, in fold order: what ``cross_val_score`` reports."""
    accuracies = []
    for fold in range(N_FOLDS):
        held_out = fold_ids == fold
        correct = np.count_nonzero(predictions[held_out] == y_true[held_out])
        accuracies.append(float(correct / np.count_nonzero(held_out)))
    return tuple(accuracies)


def _never_digit_fold_accuracy(y_train: np.ndarray) -> tuple[float, ...]:
    """``cross_val_score(Never5Classifier(), X_train, y_train_5, cv=3)`` without fitting.

    The book's ``Never5Classifier`` is a plain ``BaseEstimator``, not a classifier, so for it
    ``cv=3`` means unshuffled, unstratified ``KFold``: the folds are the training set's thirds
    (the first ``n % 3`` of them one digit longer).
    """
    n = y_train.size
    sizes = [n // N_FOLDS + (1 if k < n % N_FOLDS else 0) for k in range(N_FOLDS)]
    bounds = np.cumsum([0, *sizes])
    return tuple(
        float(np.count_nonzero(~y_train[a:b]) / (b - a))
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    )


class PickledModel:
    """A fitted model kept as its pickle until first asked for.

    Unpickling a scikit-learn model imports scikit-learn, a slow import which a page that only
    shows a cached detector's scores does not need. Thread-safe; unpickled once.
    """

    def __init__(self, blob: bytes) -> None:
        self._blob: bytes | None = blob
        self._model = None
        self._lock = threading.Lock()

    def get(self):
        from core.imports import import_sklearn

        import_sklearn()  # whole, under its lock: unpickling imports parts of it
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
    fitted_model : SGDClassifier or PickledModel
        Fitted on all training digits (cell [7]'s ``sgd_clf``); see :attr:`model`.
    test_scores : ndarray of shape (n_test,), dtype float64
        The final model's decision scores on the test digits (empty when there are none).
    y_test : ndarray of shape (n_test,), dtype bool
        True for the test digits equal to ``digit``.
    dummy_accuracy : float
        Accuracy of the "never this digit" baseline on the training set: the share of other
        digits.
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
    fitted_model: object = field(repr=False)
    test_scores: np.ndarray
    y_test: np.ndarray
    dummy_accuracy: float
    dummy_fold_accuracy: tuple[float, ...]
    seconds: float
    from_cache: bool = field(default=False)

    @property
    def model(self):
        """The final model (unpickled on first use when it came from the disk cache)."""
        fitted = self.fitted_model
        return fitted.get() if isinstance(fitted, PickledModel) else fitted

    @property
    def cv_predictions(self) -> np.ndarray:
        """Cross-validated predictions, what ``cross_val_predict`` gives (the notebook's rule)."""
        return notebook_predictions(self.cv_scores)

    @property
    def confusion_matrix(self) -> np.ndarray:
        """``[[TN, FP], [FN, TP]]`` of :attr:`cv_predictions` (int64)."""
        return _confusion(self.y_train, self.cv_predictions)

    @property
    def precision(self) -> float:
        """TP / (TP + FP) of :attr:`cv_predictions`; NaN when nothing is predicted positive."""
        (_, fp), (_, tp) = self.confusion_matrix.tolist()
        return ratio(tp, tp + fp)

    @property
    def recall(self) -> float:
        """TP / (TP + FN) of :attr:`cv_predictions`; NaN when there are no positives."""
        _, (fn, tp) = self.confusion_matrix.tolist()
        return ratio(tp, tp + fn)

    @property
    def f1(self) -> float:
        """2 p r / (p + r), the formula behind the notebook's printed F1; NaN when undefined.

        Not 2TP/(2TP+FP+FN): the two differ in the last digit, and the notebook printed this
        one (0.7325171197343846 on MNIST).
        """
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else math.nan


def perfect_confusion_matrix(y_true: np.ndarray) -> np.ndarray:
    """The confusion matrix of perfect predictions (cell [10]'s second matrix)."""
    return _confusion(y_true, y_true)


def _compute(dataset: Dataset, digit: int, progress) -> DetectorResult:
    trained = engine.cross_validate(
        dataset, digit=digit, spec=NOTEBOOK_SPEC, final_fit=True, progress=progress
    )
    y_train = trained.y_train
    return DetectorResult(
        digit=digit,
        fingerprint=dataset.fingerprint,
        y_train=y_train,
        cv_scores=trained.cv_scores,
        fold_ids=trained.fold_ids,
        fold_accuracy=fold_accuracy(
            y_train, notebook_predictions(trained.cv_scores), trained.fold_ids
        ),
        fitted_model=trained.final_model,
        test_scores=trained.test_scores,
        y_test=read_only(binary_target(dataset.test_labels, digit=digit)),
        dummy_accuracy=float(np.count_nonzero(~y_train) / y_train.size),
        dummy_fold_accuracy=_never_digit_fold_accuracy(y_train),
        seconds=trained.seconds,
    )


# ---------------------------------------------------------------------------------------------
# Disk cache
# ---------------------------------------------------------------------------------------------


def _key(dataset: Dataset, digit: int) -> str:
    return cache_key(dataset, digit=digit, kind=f"detector-{CACHE_FORMAT}", spec=NOTEBOOK_SPEC)


def _path(directory: Path, digit: int, key: str) -> Path:
    return directory / f"detector-digit{digit}-{key[:24]}.pkl"


def _save(path: Path, key: str, result: DetectorResult) -> bool:
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


def _load(path: Path, key: str, dataset: Dataset, digit: int) -> DetectorResult | None:
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
            y_train=read_only(binary_target(dataset.train_labels, digit=digit)),
            cv_scores=read_only(np.asarray(payload["cv_scores"], dtype=np.float64)),
            fold_ids=read_only(np.asarray(payload["fold_ids"], dtype=np.int8)),
            fold_accuracy=tuple(float(a) for a in payload["fold_accuracy"]),
            fitted_model=PickledModel(bytes(payload["model_pickle"])),
            test_scores=read_only(np.asarray(payload["test_scores"], dtype=np.float64)),
            y_test=read_only(binary_target(dataset.test_labels, digit=digit)),
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
        cache.discard(path, f"{type(exc).__name__}: {exc}")
        return None
    return result


def train_detector(
    dataset: Dataset,
    *,
    digit: int = 5,
    cache_dir=None,
    use_cache: bool = True,
    progress: Callable[[TrainingProgress], None] | None = None,
    waiting: Callable[[float], None] | None = None,
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
        Receives a :class:`~core.engine.TrainingProgress`; called only from the calling
        thread, at start, about every 0.25 s while fits run, and as each fit completes. Not
        called on a cache hit.
    waiting : callable ``seconds -> None``, optional
        Called about every 0.25 s, from the calling thread, while another process trains the
        same model (it holds the cache's lock), with the seconds waited; the other process's
        result is read as soon as its cache file lands.

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
    digit = check_digit(digit)
    key = _key(dataset, digit)
    directory = cache.resolve_cache_dir(cache_dir)
    path = None if directory is None else _path(directory, digit, key)
    return cache.cached_once(
        key,
        path,
        load=lambda at: _load(at, key, dataset, digit),
        compute=lambda record: _compute(dataset, digit, record),
        save=lambda at, result: _save(at, key, result),
        use_cache=use_cache,
        progress=progress,
        waiting=waiting,
    )


def load_detector(dataset: Dataset, *, digit: int = 5, cache_dir=None) -> DetectorResult | None:
    """The cached training of ``digit`` on ``dataset``, or None; never trains."""
    digit = check_digit(digit)
    directory = cache.resolve_cache_dir(cache_dir)
    if directory is None:
        return None
    key = _key(dataset, digit)
    return _load(_path(directory, digit, key), key, dataset, digit)


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
