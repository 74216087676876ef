"""The chapter's multiclass SGD (all ten digits at once): its training, its cache, its figures.

The chapter cross-validates ``SGDClassifier(random_state=42)`` on the ten digits twice, on the
raw pixels and on the book's standardised ones (``StandardScaler`` fitted on the whole training
set), and analyses the scaled model's errors::

    cross_val_score(sgd_clf, X_train, y_train, cv=3, scoring="accuracy")
    cross_val_score(sgd_clf, X_train_scaled, y_train, cv=3, scoring="accuracy")
    confusion_matrix(y_train, cross_val_predict(sgd_clf, X_train_scaled, y_train, cv=3))

and fits the raw-pixel model on every training digit to score ``some_digit`` (training digit
0). The notebook fits nine cross-validated models for the three results; :func:`train_multiclass`
fits six, each fold once per model, and takes the accuracies, predictions, confusion matrices
and held-out decision scores from the same fits, plus the final fit for ``some_digit``.

How the fits are shared out (checked bit for bit against scikit-learn's own calls by the tests):

- scikit-learn's multiclass SGD is one-versus-rest: its ``fit`` draws one seed per class,
  ``check_random_state(42).randint(MAX_INT, size=n_classes)``, and fits class ``k`` against
  the rest with seed ``k``. ``SGDClassifier(random_state=seed_k).fit(X, y == k)`` gives the
  same coefficients and intercept, so the ten binary fits run here, each one a unit of
  progress, in the fit slots of :mod:`core.engine` (threads: SGD releases the GIL).
- The decision scores are ``X @ coef.T + intercept`` with the ten rows stacked, the matrix
  product of ``decision_function``; a prediction is the class of the largest score.
- The book's scaler is fitted column block by column block (each column's statistics are its
  own, so its ``mean_`` and ``scale_`` are the whole fit's, and a block's float copy is small);
  each fold's rows are made from the uint8 pixels when the fold starts (``(x - mean_) /
  scale_``, the scaler's ``transform``), so memory holds one fold's rows at a time, shared by
  its ten class fits.

Results are cached on disk like a detector's (:mod:`core.cache`: atomic, checksummed, one
computation per key), as plain arrays.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import cache
from core.cache import POLL_SECONDS
from core.data import Dataset
from core.engine import (
    MAX_PARALLEL_FITS,
    N_FOLDS,
    fit_slot,
    fold_pixels,
    library_version,
    notebook_folds,
)
from core.formatting import json_number
from core.imports import import_sklearn
from core.models import MNIST_PIXELS, notebook_classifier
from core.validation import read_only

MULTICLASS = "multiclass"  # the training's key in the job queue
CACHE_FORMAT = 1  # bump when the cached payload changes meaning
SOME_DIGIT_INDEX = 0  # the chapter's some_digit: X_train[0]
# scikit-learn's bound for the per-class seeds: np.iinfo(np.int32).max, a C long on Windows.
SEED_BOUND = np.iinfo(np.int32).max
# SGDClassifier's default max_iter: a fit that ran this many epochs did not converge.
MAX_ITER = 1000
SCALER_COLUMNS = 112  # columns of the book's scaler fitted at a time (784 = 7 blocks)
# A cold training on full MNIST with two free cores, roughly (bench/RESULTS.md): only for a
# progress bar to move before this server has timed one.
TYPICAL_SECONDS = 900.0

UNSCALED = "unscaled"
SCALED = "scaled"
FINAL = "final"
STAGES = (UNSCALED, SCALED, FINAL)  # the order of the fits
# What one binary fit of each stage costs against a raw-pixel fold fit, by the epochs of a cold
# MNIST training (bench/RESULTS.md): the scaled pixels take more epochs, the final fit more
# digits. Progress counts fits by these, so that a remaining time told early is not a third.
STAGE_WORK = {UNSCALED: 1.0, SCALED: 3.7, FINAL: 1.9}

# What the book prints (Hands-On Machine Learning, 3rd edition, chapter 3), for comparison only:
# the project prints what scikit-learn computes today.
# The book prints the error analysis as a picture (ConfusionMatrixDisplay), not as numbers.
BOOK_FIGURES = {
    "cv_accuracy": (0.87365, 0.85835, 0.8689),
    "cv_accuracy_scaled": (0.8983, 0.891, 0.9018),
    "some_digit_prediction": 3,
    # sgd_clf.decision_function([some_digit]).round(): rounded to whole numbers in the book
    "some_digit_scores": (
        -31893.0, -34420.0, -9531.0, 1824.0, -22320.0, -1386.0, -26189.0, -16148.0, -4604.0,
        -12051.0,
    ),
}  # fmt: skip


def expected_multiclass_seconds(*, n_train: int, n_features: int) -> float:
    """:data:`TYPICAL_SECONDS` scaled to ``n_train`` digits of ``n_features`` pixels."""
    return TYPICAL_SECONDS * n_train * n_features / MNIST_PIXELS


def book_figures() -> dict:
    """The figures the book prints for these cells (a fresh copy): ``cv_accuracy`` and
    ``cv_accuracy_scaled`` (3 fold accuracies each), ``some_digit_prediction`` and
    ``some_digit_scores`` (10 decision scores, rounded to whole numbers as the book prints
    them)."""
    return {
        name: tuple(value) if isinstance(value, tuple) else value
        for name, value in BOOK_FIGURES.items()
    }


# ---------------------------------------------------------------------------------------------
# Progress and result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MulticlassProgress:
    """Where a multiclass training stands: one unit is one digit's binary fit.

    Attributes
    ----------
    stage : str
        :data:`UNSCALED`, :data:`SCALED` (the cross-validations) or :data:`FINAL` (the raw-pixel
        fit on every training digit): the stage of the latest fit started.
    fold : int or None
        The fold being fitted, 0 to ``n_folds - 1``; None in the final stage.
    digit : int or None
        The digit of the latest binary fit started; None before the first.
    fits_done, n_fits : int
        Binary fits done, and in all (``(2 * n_folds + 1) * n_classes``: 70 for ten digits).
    elapsed : float
        Seconds since the training started.
    n_folds : int
        Cross-validation folds (3).
    model : str
        :data:`MULTICLASS`, the key under which the job queue keeps its estimates.
    """

    stage: str
    fold: int | None
    digit: int | None
    fits_done: int
    n_fits: int
    elapsed: float
    n_folds: int = N_FOLDS
    model: str = MULTICLASS

    @property
    def fraction(self) -> float:
        """Share of the training's work done, 0.0 to 1.0: the fits done, each weighted by
        its stage's :data:`STAGE_WORK` (the stages run in :data:`STAGES` order)."""
        n_classes = self.n_fits // (2 * self.n_folds + 1)
        per_stage = {
            UNSCALED: n_classes * self.n_folds,
            SCALED: n_classes * self.n_folds,
            FINAL: n_classes,
        }
        left, done, total = self.fits_done, 0.0, 0.0
        for stage in STAGES:
            fits = per_stage[stage]
            done += STAGE_WORK[stage] * min(left, fits)
            total += STAGE_WORK[stage] * fits
            left = max(left - fits, 0)
        return done / total

    @property
    def done(self) -> bool:
        """Whether every fit is done."""
        return self.fits_done == self.n_fits


@dataclass(frozen=True, eq=False)
class MulticlassResult:
    """Every figure of the chapter's multiclass cells. All arrays are read-only.

    Attributes
    ----------
    classes : ndarray of shape (n_classes,), int64
        The digits, ascending (0..9 on MNIST).
    y_train : ndarray of shape (n_train,), int64
        The true digit of each training digit.
    fold_ids : ndarray of shape (n_train,), int8
        The fold (0, 1 or 2) in which each training digit was held out: ``cv=3``'s unshuffled
        stratified folds.
    cv_accuracy : tuple of float
        Accuracy on each held-out fold of the raw-pixel model: exactly ``cross_val_score(
        sgd_clf, X_train, y_train, cv=3, scoring="accuracy")``.
    cv_accuracy_scaled : tuple of float
        The same on the book's standardised pixels (``X_train_scaled``).
    baseline_accuracy : tuple of float
        Per fold, the accuracy of always answering the commonest digit of the fold's training
        part (the smallest such digit on a tie), on its held-out part: what
        ``cross_val_score(DummyClassifier(strategy="most_frequent"), X_train, y_train, cv=3)``
        reports.
    predictions, predictions_scaled : ndarray of shape (n_train,), int64
        Held-out predictions, ``cross_val_predict(sgd_clf, X, y_train, cv=3)`` with the raw and
        the standardised pixels.
    decision_scores, decision_scores_scaled : ndarray of shape (n_train, n_classes), float64
        Held-out decision scores, ``cross_val_predict(..., method="decision_function")``: the
        column of digit ``classes[k]`` is that digit's one-versus-rest score.
    confusion, confusion_scaled : ndarray of shape (n_classes, n_classes), int64
        ``confusion_matrix(y_train, predictions)``: rows are true digits, columns predicted.
    some_digit_prediction : int
        ``sgd_clf.predict([some_digit])`` of the raw-pixel model fitted on all training digits.
    some_digit_scores : ndarray of shape (n_classes,), float64
        ``sgd_clf.decision_function([some_digit])[0]`` of that model.
    seconds : float
        Wall-clock seconds of the training (of the cold run, when read from the cache).
    fingerprint : str
        The dataset's fingerprint.
    some_digit_index : int
        Which training digit ``some_digit`` is (:data:`SOME_DIGIT_INDEX`).
    n_iter : ndarray of shape (2 * n_folds + 1, n_classes), int64
        Epochs of each binary fit: rows are the raw-pixel folds, the scaled folds, then the
        final fit. A fit that stopped at ``max_iter`` (1000) did not converge: scikit-learn warns
        then.
    from_cache : bool
        True when read from the disk cache.
    """

    classes: np.ndarray
    y_train: np.ndarray
    fold_ids: np.ndarray
    cv_accuracy: tuple[float, ...]
    cv_accuracy_scaled: tuple[float, ...]
    baseline_accuracy: tuple[float, ...]
    predictions: np.ndarray
    predictions_scaled: np.ndarray
    decision_scores: np.ndarray = field(repr=False)
    decision_scores_scaled: np.ndarray = field(repr=False)
    confusion: np.ndarray
    confusion_scaled: np.ndarray
    some_digit_prediction: int
    some_digit_scores: np.ndarray
    seconds: float
    fingerprint: str = ""
    some_digit_index: int = SOME_DIGIT_INDEX
    n_iter: np.ndarray | None = field(default=None, repr=False)
    from_cache: bool = False


@dataclass(frozen=True)
class DigitMetrics:
    """Precision, recall and F1 of each digit, from a confusion matrix (one-versus-rest).

    Attributes
    ----------
    classes : ndarray of shape (n_classes,)
    precision : ndarray of shape (n_classes,), float64
        TP / (TP + FP): the share of the digits predicted as this one that are; NaN when none
        is predicted so.
    recall : ndarray of shape (n_classes,), float64
        TP / (TP + FN): the share of this digit's digits found; NaN when it has none.
    f1 : ndarray of shape (n_classes,), float64
        2 TP / (2 TP + FP + FN), scikit-learn's ``f1_score(average=None)``; NaN when TP, FP and
        FN are all 0.
    support : ndarray of shape (n_classes,), int64
        The digits of each class (the row sums).
    """

    classes: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element by element ``numerator / denominator``, NaN where the denominator is 0."""
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def per_digit_metrics(confusion, *, classes=None) -> DigitMetrics:
    """Precision, recall and F1 of each class of a multiclass confusion matrix.

    Parameters
    ----------
    confusion : array-like of shape (n_classes, n_classes)
        Non-negative integer counts; rows are true classes, columns predicted ones.
    classes : array-like of shape (n_classes,), optional
        The class of each row; default ``0 .. n_classes - 1``.

    Returns
    -------
    DigitMetrics
        Each figure NaN where it is 0/0 (a class never predicted has NaN precision).

    Raises
    ------
    ValueError
        When ``confusion`` is not square, holds negative or non-integer counts, or ``classes``
        has another length.
    """
    matrix = np.asarray(confusion)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"confusion must be a non-empty square matrix, got shape {matrix.shape}")
    if not np.issubdtype(matrix.dtype, np.integer) or (matrix < 0).any():
        raise ValueError("confusion must hold counts: non-negative integers")
    matrix = matrix.astype(np.int64)
    n = matrix.shape[0]
    labels = np.arange(n) if classes is None else np.asarray(classes)
    if labels.shape != (n,):
        raise ValueError(f"classes must have {n} entries, got shape {labels.shape}")
    tp = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    return DigitMetrics(
        classes=read_only(labels.copy()),
        precision=read_only(_share(tp, predicted)),
        recall=read_only(_share(tp, actual)),
        f1=read_only(_share(2 * tp, predicted + actual)),
        support=read_only(actual),
    )


def confusion_of(y_true: np.ndarray, y_pred: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``confusion_matrix(y_true, y_pred, labels=classes)``: rows true, columns predicted."""
    n = classes.size
    true_index = np.searchsorted(classes, y_true)
    pred_index = np.searchsorted(classes, y_pred)
    counts = np.bincount(true_index * n + pred_index, minlength=n * n)
    return counts.reshape(n, n).astype(np.int64)


def fold_accuracies(y_true: np.ndarray, y_pred: np.ndarray, fold_ids: np.ndarray):
    """Accuracy on each held-out fold, in fold order, as ``cross_val_score`` reports it."""
    return tuple(
        float(np.count_nonzero(y_pred[fold_ids == k] == y_true[fold_ids == k]))
        / float(np.count_nonzero(fold_ids == k))
        for k in range(N_FOLDS)
    )


def commonest_digit_accuracy(y_train: np.ndarray, fold_ids: np.ndarray) -> tuple[float, ...]:
    """Per fold: the commonest digit of the training part (smallest on a tie), scored on the
    held-out part; ``DummyClassifier(strategy="most_frequent")`` under ``cv=3``."""
    accuracies = []
    for k in range(N_FOLDS):
        held_out = fold_ids == k
        values, counts = np.unique(y_train[~held_out], return_counts=True)
        commonest = values[np.argmax(counts)]
        accuracies.append(
            float(np.count_nonzero(y_train[held_out] == commonest))
            / float(np.count_nonzero(held_out))
        )
    return tuple(accuracies)


def multiclass_summary(result: MulticlassResult) -> dict:
    """Every figure of the chapter's multiclass cells, JSON-ready (``python -m core
    multiclass``).

    Returns
    -------
    dict
        ``classes``; ``cv_accuracy`` and ``cv_accuracy_scaled`` (3 floats each, exactly
        ``cross_val_score``'s); ``baseline_accuracy`` (3 floats, the commonest digit of each
        fold's training part); ``book`` (the book's printed ``cv_accuracy`` and
        ``cv_accuracy_scaled``, ``some_digit_prediction`` and ``some_digit_scores``, rounded as it
        prints them); ``confusion`` and ``confusion_scaled`` (lists of rows, a row
        per true digit); ``per_digit_scaled``: for each digit of the scaled model ``digit``,
        ``precision``, ``recall``, ``f1`` (None when 0/0) and ``support``;
        ``some_digit_index``, ``some_digit_label`` (its true digit), ``some_digit_prediction``,
        ``some_digit_scores`` (one per class); ``not_converged`` (binary fits that stopped at
        ``max_iter``, of ``fits``); ``n_train``; ``seconds`` (the training's, of the cold run
        when cached) and ``from_cache``.
    """
    metrics = per_digit_metrics(result.confusion_scaled, classes=result.classes)
    per_digit = [
        {
            "digit": int(digit),
            "precision": json_number(float(p)),
            "recall": json_number(float(r)),
            "f1": json_number(float(f)),
            "support": int(n),
        }
        for digit, p, r, f, n in zip(
            metrics.classes,
            metrics.precision,
            metrics.recall,
            metrics.f1,
            metrics.support,
            strict=True,
        )
    ]
    n_iter = result.n_iter
    return {
        "classes": result.classes.tolist(),
        "cv_accuracy": list(result.cv_accuracy),
        "cv_accuracy_scaled": list(result.cv_accuracy_scaled),
        "baseline_accuracy": list(result.baseline_accuracy),
        "book": {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in book_figures().items()
        },
        "confusion": result.confusion.tolist(),
        "confusion_scaled": result.confusion_scaled.tolist(),
        "per_digit_scaled": per_digit,
        "some_digit_index": result.some_digit_index,
        "some_digit_label": int(result.y_train[result.some_digit_index]),
        "some_digit_prediction": result.some_digit_prediction,
        "some_digit_scores": result.some_digit_scores.tolist(),
        "not_converged": None if n_iter is None else int(np.count_nonzero(n_iter >= MAX_ITER)),
        "fits": None if n_iter is None else int(n_iter.size),
        "n_train": int(result.y_train.size),
        "seconds": result.seconds,
        "from_cache": result.from_cache,
    }


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def check_multiclass_trainable(y_train: np.ndarray) -> np.ndarray:
    """The classes of ``y_train``; a ``ValueError`` saying why when it cannot be trained."""
    classes, counts = np.unique(y_train, return_counts=True)
    if classes.size < 3:
        raise ValueError(
            f"the training labels hold {classes.size} digit(s); a multiclass model needs 3 or more"
        )
    rare = counts < N_FOLDS
    if rare.any():
        digit = int(classes[np.argmax(rare)])
        raise ValueError(
            f"the digit {digit} occurs {int(counts[rare][0])} times in the training labels; "
            f"{N_FOLDS}-fold cross-validation needs at least {N_FOLDS}"
        )
    return classes


def class_seeds(n_classes: int) -> np.ndarray:
    """The per-class seeds ``SGDClassifier(random_state=42)`` draws in a multiclass ``fit``."""
    import_sklearn()
    from sklearn.utils import check_random_state

    random_state = notebook_classifier().random_state
    return check_random_state(random_state).randint(SEED_BOUND, size=n_classes)


def book_scaler(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``mean_`` and ``scale_`` of ``StandardScaler().fit(images.astype(np.float64))``, the
    book's scaler, fitted :data:`SCALER_COLUMNS` columns at a time (each column's statistics
    depend on that column alone), so only a block is ever converted to float64."""
    import_sklearn()
    from sklearn.preprocessing import StandardScaler

    means, scales = [], []
    for start in range(0, images.shape[1], SCALER_COLUMNS):
        block = images[:, start : start + SCALER_COLUMNS].astype(np.float64)
        scaler = StandardScaler().fit(block)
        means.append(scaler.mean_)
        scales.append(scaler.scale_)
        del block
    return np.concatenate(means), np.concatenate(scales)


def scaled_rows(images: np.ndarray, rows, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``X_train_scaled[rows]``: the rows as float64, then ``-= mean; /= scale`` in place, the
    scaler's own ``transform``."""
    pixels = fold_pixels(images, rows)
    pixels -= mean
    pixels /= scale
    return pixels


def _fit_one(X: np.ndarray, y: np.ndarray, digit, seed) -> tuple[np.ndarray, float, int]:
    """One class against the rest, as the multiclass fit does it: (coef, intercept, epochs)."""
    with fit_slot():
        model = notebook_classifier().set_params(random_state=seed)
        model.fit(X, y == digit)
    return model.coef_[0], float(model.intercept_[0]), int(model.n_iter_)


class _Run:
    """One training's fits and its progress reports (from the calling thread only)."""

    def __init__(self, classes, seeds, progress, start: float) -> None:
        self.classes = classes
        self.seeds = seeds
        self.progress = progress
        self.start = start
        self.fits_done = 0
        self.n_fits = (2 * N_FOLDS + 1) * classes.size
        self.stage, self.fold, self.digit = UNSCALED, 0, None

    def report(self) -> None:
        if self.progress is not None:
            self.progress(
                MulticlassProgress(
                    self.stage,
                    self.fold,
                    self.digit,
                    self.fits_done,
                    self.n_fits,
                    time.perf_counter() - self.start,
                )
            )

    def fit_all(self, X: np.ndarray, y: np.ndarray, *, stage: str, fold: int | None, order):
        """The binary fits of every class on ``X``, started in ``order`` (class indices; the
        longest expected first, so that no core idles long at the end while one fit runs on):
        stacked ``coef`` (n_classes, n_features), ``intercept`` (n_classes,) and epochs
        (n_classes,), in class order."""
        self.stage, self.fold = stage, fold
        n = self.classes.size
        coef = np.empty((n, X.shape[1]), dtype=np.float64)
        intercept = np.empty(n, dtype=np.float64)
        epochs = np.empty(n, dtype=np.int64)
        executor = ThreadPoolExecutor(MAX_PARALLEL_FITS, thread_name_prefix="fit-multiclass")
        try:
            futures = {
                executor.submit(_fit_one, X, y, self.classes[k], self.seeds[k]): int(k)
                for k in order
            }
            started = list(futures)  # submission order: the executor starts them so
            pending = set(futures)
            while True:
                waiting = [f for f in started if f in pending]
                # the digit of the latest fit started: the last running one, in starting order
                running = waiting[:MAX_PARALLEL_FITS]
                self.digit = int(self.classes[futures[running[-1]]]) if running else self.digit
                self.report()
                if not pending:
                    break
                finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in finished:
                    k = futures[future]
                    coef[k], intercept[k], epochs[k] = future.result()
                    self.fits_done += 1
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        return coef, intercept, epochs


def longest_first(epochs, *, n_classes: int) -> np.ndarray:
    """Class indices by the epochs a like fit took, most first (ties in class order); the
    class order itself when nothing is known yet (``epochs`` None)."""
    if epochs is None:
        return np.arange(n_classes)
    return np.argsort(-np.asarray(epochs), kind="stable")


def decision_scores_of(X: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """``decision_function(X)`` of the stacked one-versus-rest model: ``X @ coef.T +
    intercept``, shape (n_samples, n_classes)."""
    return X @ coef.T + intercept


def _compute(dataset: Dataset, progress) -> MulticlassResult:
    start = time.perf_counter()
    import_sklearn()  # here, before any worker thread exists
    images = dataset.images
    n_train = dataset.n_train
    y_train = np.asarray(dataset.train_labels, dtype=np.int64)
    classes = check_multiclass_trainable(y_train)
    splits = notebook_folds(y_train)
    seeds = class_seeds(classes.size)
    run = _Run(classes, seeds, progress, start)
    run.report()

    fold_ids = np.empty(n_train, dtype=np.int8)
    for k, (_, held_out) in enumerate(splits):
        fold_ids[held_out] = k
    epochs = np.empty((2 * N_FOLDS + 1, classes.size), dtype=np.int64)
    scores = {}
    mean = scale = None
    for s, stage in enumerate((UNSCALED, SCALED)):
        if stage == SCALED:
            mean, scale = book_scaler(images[:n_train])
        held = np.empty((n_train, classes.size), dtype=np.float64)
        for k, (train, held_out) in enumerate(splits):
            if stage == SCALED:
                X = scaled_rows(images, train, mean, scale)
            else:
                X = fold_pixels(images, train)
            # the same model's previous fold predicts how long each class takes
            before = epochs[s * N_FOLDS + k - 1] if k else None
            order = longest_first(before, n_classes=classes.size)
            coef, intercept, epochs[s * N_FOLDS + k] = run.fit_all(
                X, y_train[train], stage=stage, fold=k, order=order
            )
            del X
            if stage == SCALED:
                X = scaled_rows(images, held_out, mean, scale)
            else:
                X = fold_pixels(images, held_out)
            held[held_out] = decision_scores_of(X, coef, intercept)
            del X
        scores[stage] = held

    X = fold_pixels(images, slice(0, n_train))
    # the raw-pixel folds' epochs predict the final fits'
    order = longest_first(epochs[:N_FOLDS].sum(axis=0), n_classes=classes.size)
    coef, intercept, epochs[-1] = run.fit_all(X, y_train, stage=FINAL, fold=None, order=order)
    del X
    some_digit = fold_pixels(images, slice(SOME_DIGIT_INDEX, SOME_DIGIT_INDEX + 1))
    some_scores = decision_scores_of(some_digit, coef, intercept)[0]

    predictions = classes[np.argmax(scores[UNSCALED], axis=1)]
    predictions_scaled = classes[np.argmax(scores[SCALED], axis=1)]
    return MulticlassResult(
        classes=read_only(classes.astype(np.int64)),
        y_train=read_only(y_train),
        fold_ids=read_only(fold_ids),
        cv_accuracy=fold_accuracies(y_train, predictions, fold_ids),
        cv_accuracy_scaled=fold_accuracies(y_train, predictions_scaled, fold_ids),
        baseline_accuracy=commonest_digit_accuracy(y_train, fold_ids),
        predictions=read_only(predictions),
        predictions_scaled=read_only(predictions_scaled),
        decision_scores=read_only(scores[UNSCALED]),
        decision_scores_scaled=read_only(scores[SCALED]),
        confusion=read_only(confusion_of(y_train, predictions, classes)),
        confusion_scaled=read_only(confusion_of(y_train, predictions_scaled, classes)),
        some_digit_prediction=int(classes[np.argmax(some_scores)]),
        some_digit_scores=read_only(some_scores),
        seconds=time.perf_counter() - start,
        fingerprint=dataset.fingerprint,
        n_iter=read_only(epochs),
    )


# ---------------------------------------------------------------------------------------------
# Disk cache
# ---------------------------------------------------------------------------------------------


def _key(dataset: Dataset) -> str:
    described = {
        "kind": f"multiclass-{CACHE_FORMAT}",
        "fingerprint": dataset.fingerprint,
        "n_train": dataset.n_train,
        "model": "SGDClassifier(random_state=42), one-versus-rest by class seeds",
        "scaler": f"StandardScaler() on all training digits, {SCALER_COLUMNS} columns a block",
        "cv": f"StratifiedKFold(n_splits={N_FOLDS}, shuffle=False)",
        "some_digit": SOME_DIGIT_INDEX,
        "sklearn": library_version("scikit-learn"),
        "numpy": np.__version__,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def _path(directory: Path, key: str) -> Path:
    return directory / f"multiclass-{key[:24]}.npz"


# The stored arrays; the rest (y_train, accuracies, matrices) follow from them.
_STORED = (
    "classes",
    "fold_ids",
    "decision_scores",
    "decision_scores_scaled",
    "some_digit_scores",
    "n_iter",
)


def _save(path: Path, key: str, result: MulticlassResult) -> bool:
    return cache.save_arrays(
        path,
        key=np.array(key),
        seconds=np.array(result.seconds),
        **{name: getattr(result, name) for name in _STORED},
    )


def _from_scores(dataset: Dataset, arrays: dict, *, from_cache: bool) -> MulticlassResult:
    """The result that the stored arrays determine (predictions, accuracies, matrices)."""
    y_train = np.asarray(dataset.train_labels, dtype=np.int64)
    classes = np.asarray(arrays["classes"], dtype=np.int64)
    fold_ids = np.asarray(arrays["fold_ids"], dtype=np.int8)
    if fold_ids.shape != y_train.shape:
        raise ValueError("fold ids of the wrong length")
    scores = np.asarray(arrays["decision_scores"], dtype=np.float64)
    scores_scaled = np.asarray(arrays["decision_scores_scaled"], dtype=np.float64)
    some_scores = np.asarray(arrays["some_digit_scores"], dtype=np.float64)
    shape = (y_train.size, classes.size)
    if scores.shape != shape or scores_scaled.shape != shape or some_scores.shape != shape[1:]:
        raise ValueError("arrays of the wrong shape")
    predictions = classes[np.argmax(scores, axis=1)]
    predictions_scaled = classes[np.argmax(scores_scaled, axis=1)]
    return MulticlassResult(
        classes=read_only(classes),
        y_train=read_only(y_train),
        fold_ids=read_only(fold_ids),
        cv_accuracy=fold_accuracies(y_train, predictions, fold_ids),
        cv_accuracy_scaled=fold_accuracies(y_train, predictions_scaled, fold_ids),
        baseline_accuracy=commonest_digit_accuracy(y_train, fold_ids),
        predictions=read_only(predictions),
        predictions_scaled=read_only(predictions_scaled),
        decision_scores=read_only(scores),
        decision_scores_scaled=read_only(scores_scaled),
        confusion=read_only(confusion_of(y_train, predictions, classes)),
        confusion_scaled=read_only(confusion_of(y_train, predictions_scaled, classes)),
        some_digit_prediction=int(classes[np.argmax(some_scores)]),
        some_digit_scores=read_only(some_scores),
        seconds=float(arrays["seconds"]),
        fingerprint=dataset.fingerprint,
        n_iter=read_only(np.asarray(arrays["n_iter"], dtype=np.int64)),
        from_cache=from_cache,
    )


def _load(path: Path, key: str, dataset: Dataset) -> MulticlassResult | None:
    arrays = cache.load_arrays(path)
    if arrays is None:
        return None
    try:
        if str(arrays["key"]) != key:
            raise ValueError("written for another key")
        return _from_scores(dataset, arrays, from_cache=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable payload just means "rebuild"
        cache.discard(path, f"{type(exc).__name__}: {exc}")
        return None


def train_multiclass(
    dataset: Dataset,
    *,
    cache_dir=None,
    use_cache: bool = True,
    progress: Callable[[MulticlassProgress], None] | None = None,
    waiting: Callable[[float], None] | None = None,
) -> MulticlassResult:
    """Cross-validate the chapter's multiclass SGD on raw and standardised pixels, and fit it
    on every training digit for ``some_digit``.

    Parameters
    ----------
    dataset : Dataset
        uint8 images, one flattened digit a row, and their labels; the first ``n_train`` rows
        train. MNIST, or the small fallback digits.
    cache_dir : path-like, optional
        Where results are cached; default :func:`core.cache.default_cache_dir`. A directory
        that cannot be written just means no cache.
    use_cache : bool, default True
        False recomputes even when a cached result exists, and rewrites the cache.
    progress : callable, optional
        Receives :class:`MulticlassProgress` from the calling thread: at start, about every
        0.25 s, and as each binary fit ends. Not called on a cache hit.
    waiting : callable ``seconds -> None``, optional
        Called about every 0.25 s while another process trains the same (it holds the
        cache's lock), with the seconds waited.

    Returns
    -------
    MulticlassResult

    Raises
    ------
    ValueError
        When the training labels hold fewer than 3 digits, or a digit fewer than 3 times.
    """
    key = _key(dataset)
    directory = cache.resolve_cache_dir(cache_dir)
    path = None if directory is None else _path(directory, key)
    return cache.cached_once(
        key,
        path,
        load=lambda at: _load(at, key, dataset),
        compute=lambda record: _compute(dataset, record),
        save=lambda at, result: _save(at, key, result),
        use_cache=use_cache,
        progress=progress,
        waiting=waiting,
    )


def load_multiclass(dataset: Dataset, *, cache_dir=None) -> MulticlassResult | None:
    """The cached :func:`train_multiclass` of ``dataset``, or None; never trains."""
    directory = cache.resolve_cache_dir(cache_dir)
    if directory is None:
        return None
    key = _key(dataset)
    return _load(_path(directory, key), key, dataset)
