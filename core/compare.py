"""Several detectors of one digit, cross-validated the same way and compared at one operating point.

Four models (:data:`MODELS`) answer the same question, *is this digit the chosen one?*:

- ``"sgd"``: the notebook's ``SGDClassifier(random_state=42)`` on the raw pixels. This *is* the
  detector of :mod:`core.detector`: its cross-validated scores come from
  :func:`~core.detector.train_detector` and its cache, never from a second training.
- ``"sgd_scaled"``: the same SGD after ``StandardScaler`` (fitted inside each fold, block by
  block: see :func:`_fit_lean`).
- ``"logistic"``: ``LogisticRegression(max_iter=1000, random_state=42)`` (lbfgs) on the pixels
  divided by 255. Scored by ``decision_function``, the log-odds: its probabilities saturate at
  exactly 1.0 for many digits, which would merge thresholds the log-odds keep apart.
- ``"forest"``: ``RandomForestClassifier(random_state=42)``, scored by
  ``predict_proba[:, 1]``, the share of its 100 trees voting yes (so at most 101 thresholds).

Every model is cross-validated as ``cross_val_predict(model, X_train, y_train, cv=3)`` does
for a classifier: 3 unshuffled stratified folds over the first ``n_train`` digits, each held-out
third scored by a model fitted on the other two. Each fold's pixels are converted from the
dataset's uint8 images when its fit starts and dropped after it (float64 for the linear
models, float32 for the forest, which converts to float32 anyway). The folds of one model run
one after the other (:data:`FOLDS_AT_ONCE`), and every fit takes one of the process's
:data:`core.detector.MAX_PARALLEL_FITS` slots, shared with the detector's fits.

Scores are on different scales (a decision score, log-odds, a probability), so each model's
thresholds are its own; they are reported with their scale and compared only through
precision and recall, which share one. :func:`compare_table` builds the comparison.

Results are cached on disk like the detector (checksummed ``.npz`` files, no pickles, keyed by
data, model, CV set-up and library versions; one training per key across threads and
processes): see :func:`train_model`. :class:`ComparisonRegistry` runs trainings in background
threads for the app.
"""

from __future__ import annotations

import logging
import math
import numbers
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import cache
from core.data import Dataset
from core.detector import (
    _POLL_SECONDS,
    MAX_PARALLEL_FITS,
    N_FOLDS,
    DetectorResult,
    JobTable,
    TrainingJob,
    TrainingProgress,
    TrainingRegistry,
    _cache_key,
    _check_digit,
    _check_trainable,
    _fit_slot,
    _load_cached,
    _notebook_cv,
    _read_only,
    _resolve_cache_dir,
    binary_target,
    cached_once,
    notebook_classifier,
    train_detector,
)
from core.thresholds import (
    PrecisionRecallCurve,
    RocCurve,
    ScoreIndex,
    build_score_index,
    precision_recall_curve_exact,
    roc_curve_exact,
    threshold_for_best_fbeta,
    threshold_for_precision,
    threshold_for_recall,
)

log = logging.getLogger(__name__)

COMPARE_FORMAT = 1  # bump when a cached comparison file changes meaning
DEFAULT_TARGET_PRECISION = 0.90
DEFAULT_TARGET_RECALL = 0.90
# Folds of one model fitted at once. One: measured on MNIST with 2 cores, the forest (n_jobs=2)
# and lbfgs (BLAS threads) already use both cores, and two folds of SGD on standardised pixels,
# memory-bound once few samples update the weights, take 90 s in two threads against 89 s one
# after the other. One fold at a time also holds one fold's float pixels, not two.
FOLDS_AT_ONCE = 1
_BLOCK_ROWS = 4096  # rows per partial_fit block of a pipeline's scaler (25 MB on MNIST)
LOGISTIC_MAX_ITER = 1000  # lbfgs needs 68-124 iterations on MNIST's folds; 100 is too few for 8s

SGD = "sgd"
SGD_SCALED = "sgd_scaled"
LOGISTIC = "logistic"
FOREST = "forest"
MODEL_KEYS = (SGD, SGD_SCALED, LOGISTIC, FOREST)


# ---------------------------------------------------------------------------------------------
# The models
# ---------------------------------------------------------------------------------------------


def _sgd_scaled():
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # copy=False: the scaler standardises the fold's own temporary array in place.
    return make_pipeline(StandardScaler(copy=False), SGDClassifier(random_state=42))


def _logistic():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=LOGISTIC_MAX_ITER, random_state=42)


def _forest():
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(random_state=42)


@dataclass(frozen=True)
class ModelSpec:
    """One model of the comparison and how it is fitted and scored.

    Attributes
    ----------
    key : str
        One of :data:`MODEL_KEYS`.
    label : str
        Its name for people.
    score_label : str
        The scale of its scores, hence of its thresholds ("decision score", "log-odds",
        "probability").
    method : {"decision_function", "predict_proba"}
        How held-out digits are scored (``predict_proba`` gives the positive class's column).
    description : str
        One sentence saying what the model is.
    time_covers : str
        What its training time measures.
    build : callable
        Returns a fresh, unfitted estimator.
    pixel_divisor : float
        The pixels (0-255) are divided by it after conversion.
    dtype : str
        The float type the pixels are converted to, fold by fold.
    own_threads : bool
        Whether the estimator's fit runs threads of its own (``n_jobs``, set to
        :data:`~core.detector.MAX_PARALLEL_FITS`; it does not change the fitted model).
    """

    key: str
    label: str
    score_label: str
    method: str
    description: str
    time_covers: str
    build: Callable[[], object]
    pixel_divisor: float = 1.0
    dtype: str = "float64"
    own_threads: bool = False


MODELS: dict[str, ModelSpec] = {
    SGD: ModelSpec(
        key=SGD,
        label="SGD, raw pixels",
        score_label="decision score",
        method="decision_function",
        description="The notebook's SGDClassifier(random_state=42) on the 0-255 pixels: the "
        "detector of the other pages.",
        time_covers="3 folds and the final model the other pages use",
        build=notebook_classifier,
    ),
    SGD_SCALED: ModelSpec(
        key=SGD_SCALED,
        label="SGD, standardised pixels",
        score_label="decision score",
        method="decision_function",
        description="The same SGDClassifier after StandardScaler (fitted on each fold's "
        "training part): every pixel centred to mean 0, scaled to variance 1.",
        time_covers="3 folds",
        build=_sgd_scaled,
    ),
    LOGISTIC: ModelSpec(
        key=LOGISTIC,
        label="Logistic regression",
        score_label="log-odds",
        method="decision_function",
        description=f"LogisticRegression(max_iter={LOGISTIC_MAX_ITER}, random_state=42), "
        "lbfgs, on the pixels divided by 255; its score is the log-odds of the digit.",
        time_covers="3 folds",
        build=_logistic,
        pixel_divisor=255.0,
    ),
    FOREST: ModelSpec(
        key=FOREST,
        label="Random forest",
        score_label="probability",
        method="predict_proba",
        description="RandomForestClassifier(random_state=42): 100 trees; its score is the "
        "share of trees voting for the digit, 0 to 1.",
        time_covers="3 folds",
        build=_forest,
        dtype="float32",
        own_threads=True,
    ),
}


def model_spec(model) -> ModelSpec:
    """The :class:`ModelSpec` of ``model``, one of :data:`MODEL_KEYS`.

    Raises
    ------
    ValueError
        When ``model`` is not one of :data:`MODEL_KEYS`.
    """
    spec = MODELS.get(model) if isinstance(model, str) else None
    if spec is None:
        raise ValueError(f"model must be one of {', '.join(MODEL_KEYS)}; got {model!r}")
    return spec


# ---------------------------------------------------------------------------------------------
# Results and progress
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelProgress:
    """Where one model's training stands.

    Attributes
    ----------
    model : str
        The model's key.
    folds_done, n_folds : int
        Cross-validation folds fitted and scored so far, and in all (3).
    elapsed : float
        Seconds since the training started.
    final_done : bool or None
        For ``"sgd"`` only, which also fits the final model the other pages use: whether that
        fit is done. None for the other models, which fit no final model.
    """

    model: str
    folds_done: int
    n_folds: int
    elapsed: float
    final_done: bool | None = None

    @property
    def fraction(self) -> float:
        """Share of the fits done, 0.0 to 1.0."""
        extra = self.final_done is not None
        return (self.folds_done + int(bool(self.final_done))) / (self.n_folds + extra)


@dataclass(frozen=True, eq=False)
class ModelResult:
    """One model's cross-validated scores of the training digits.

    Attributes
    ----------
    key, label, score_label : str
        As in :class:`ModelSpec`.
    digit : int
        The detected digit.
    fingerprint : str
        The dataset's fingerprint.
    cv_scores : ndarray of shape (n_train,), dtype float64
        Held-out scores, on the model's own scale: ``cross_val_predict(model, X_train,
        y_train, cv=3, method=...)``. Read-only.
    y_true : ndarray of shape (n_train,), dtype bool
        True for the training digits equal to ``digit``. Read-only.
    seconds : float
        Wall-clock seconds of the cold training (also when loaded from the cache); see
        :attr:`ModelSpec.time_covers`.
    from_cache : bool
        True when read from the disk cache.
    """

    key: str
    label: str
    score_label: str
    digit: int
    fingerprint: str
    cv_scores: np.ndarray
    y_true: np.ndarray
    seconds: float
    from_cache: bool = False


def result_from_detector(detector: DetectorResult) -> ModelResult:
    """The notebook's detector (:class:`~core.detector.DetectorResult`) as the ``"sgd"`` model."""
    spec = MODELS[SGD]
    return ModelResult(
        key=spec.key,
        label=spec.label,
        score_label=spec.score_label,
        digit=detector.digit,
        fingerprint=detector.fingerprint,
        cv_scores=detector.cv_scores,
        y_true=detector.y_train,
        seconds=detector.seconds,
        from_cache=detector.from_cache,
    )


def _progress_from_detector(update: TrainingProgress) -> ModelProgress:
    return ModelProgress(SGD, update.folds_done, update.n_folds, update.elapsed, update.final_done)


# ---------------------------------------------------------------------------------------------
# Cross-validation of one model
# ---------------------------------------------------------------------------------------------


def _fold_pixels(images: np.ndarray, rows, spec: ModelSpec) -> np.ndarray:
    """Rows of the uint8 ``images`` as the C-ordered float array the model's fit takes."""
    pixels = np.ascontiguousarray(images[rows], dtype=spec.dtype)
    if spec.pixel_divisor != 1.0:
        pixels /= spec.pixel_divisor  # in place: one float copy per fold, never two
    return pixels


def _held_out_scores(model, X: np.ndarray, method: str) -> np.ndarray:
    if method == "predict_proba":
        positive = list(model.classes_).index(True)
        return np.asarray(model.predict_proba(X)[:, positive], dtype=np.float64)
    return np.asarray(model.decision_function(X), dtype=np.float64).reshape(-1)


def _fit_lean(model, X: np.ndarray, y: np.ndarray) -> None:
    """``model.fit(X, y)`` without a temporary as large as ``X``.

    A pipeline's transformers (``StandardScaler(copy=False)``) learn their statistics block by
    block with ``partial_fit``, then transform ``X`` in place: ``StandardScaler.fit`` on the
    whole fold would hold a second fold-sized float64 array (250 MB on MNIST) while it
    computes the variance. The statistics agree with ``fit``'s to about 1e-12 (relative).
    """
    steps = getattr(model, "steps", None)
    if steps is None:
        model.fit(X, y)
        return
    for _, transformer in steps[:-1]:
        for start in range(0, X.shape[0], _BLOCK_ROWS):
            transformer.partial_fit(X[start : start + _BLOCK_ROWS])
        X = transformer.transform(X)
    steps[-1][1].fit(X, y)


def _fit_fold(spec: ModelSpec, images, y, train_rows, held_out_rows) -> np.ndarray:
    """Fit on a fold's training part, score its held-out part (one step of cv=3)."""
    with _fit_slot():
        model = spec.build()
        if spec.own_threads:
            model.set_params(n_jobs=MAX_PARALLEL_FITS)
        X = _fold_pixels(images, train_rows, spec)
        _fit_lean(model, X, y[train_rows])
        del X  # before the held-out part is made: one big array at a time
        return _held_out_scores(model, _fold_pixels(images, held_out_rows, spec), spec.method)


def _cross_validate(dataset: Dataset, digit: int, spec: ModelSpec, progress) -> ModelResult:
    """3 stratified, unshuffled folds of ``spec``'s model, in a worker thread."""
    start = time.perf_counter()
    y_train = binary_target(dataset.train_labels, digit=digit)
    _check_trainable(y_train, digit, N_FOLDS)
    splits = list(_notebook_cv().split(np.zeros((y_train.size, 1)), y_train))

    def report(folds_done: int) -> None:
        if progress is not None:
            progress(ModelProgress(spec.key, folds_done, N_FOLDS, time.perf_counter() - start))

    report(0)
    executor = ThreadPoolExecutor(FOLDS_AT_ONCE, thread_name_prefix=f"compare-{spec.key}")
    try:
        folds = [
            executor.submit(_fit_fold, spec, dataset.images, y_train, train, held_out)
            for train, held_out in splits
        ]
        pending, folds_done = set(folds), 0
        while pending:
            finished, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:  # one report per fold, even when two end at once
                future.result()  # raise a failed fit's error now
                folds_done += 1
                report(folds_done)
            if not finished:
                report(folds_done)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)

    cv_scores = np.empty(y_train.size, dtype=np.float64)
    for future, (_, held_out) in zip(folds, splits, strict=True):
        cv_scores[held_out] = future.result()
    return ModelResult(
        key=spec.key,
        label=spec.label,
        score_label=spec.score_label,
        digit=digit,
        fingerprint=dataset.fingerprint,
        cv_scores=_read_only(cv_scores),
        y_true=_read_only(y_train),
        seconds=time.perf_counter() - start,
    )


# ---------------------------------------------------------------------------------------------
# Disk cache
# ---------------------------------------------------------------------------------------------


def _model_key(dataset: Dataset, digit: int, spec: ModelSpec) -> str:
    kind = (
        f"compare-{COMPARE_FORMAT}-{spec.key}-{spec.method}-"
        f"{spec.dtype}-div{spec.pixel_divisor!r}-per-fold-blocks{_BLOCK_ROWS}"
    )
    return _cache_key(dataset, digit, kind, spec.build())


def _model_path(directory: Path, digit: int, spec: ModelSpec, key: str) -> Path:
    return directory / f"compare-{spec.key}-digit{digit}-{key[:24]}.npz"


def _save_model(path: Path, key: str, result: ModelResult) -> bool:
    # y_true is not stored: it follows from the dataset the key names.
    return cache.save_arrays(
        path,
        key=np.array(key),
        cv_scores=result.cv_scores,
        seconds=np.array(result.seconds),
    )


def _load_model(
    path: Path, key: str, dataset: Dataset, digit: int, spec: ModelSpec
) -> ModelResult | None:
    stored = cache.load_arrays(path)
    if stored is None:
        return None
    try:
        if str(stored["key"]) != key:
            return None  # another key's file under a shared prefix: rebuilt and overwritten
        cv_scores = np.asarray(stored["cv_scores"], dtype=np.float64)
        if cv_scores.shape != (dataset.n_train,) or not np.isfinite(cv_scores).all():
            raise ValueError(f"scores of shape {cv_scores.shape} or not finite")
        seconds = float(stored["seconds"])
    except (KeyError, ValueError, TypeError) as exc:
        log.warning("discarding cache file %s: %s", path, exc)
        path.unlink(missing_ok=True)
        return None
    return ModelResult(
        key=spec.key,
        label=spec.label,
        score_label=spec.score_label,
        digit=digit,
        fingerprint=dataset.fingerprint,
        cv_scores=_read_only(cv_scores),
        y_true=_read_only(binary_target(dataset.train_labels, digit=digit)),
        seconds=seconds,
        from_cache=True,
    )


def _where(dataset: Dataset, digit: int, spec: ModelSpec, cache_dir) -> tuple[str, Path | None]:
    key = _model_key(dataset, digit, spec)
    directory = _resolve_cache_dir(cache_dir)
    return key, None if directory is None else _model_path(directory, digit, spec, key)


def train_model(
    dataset: Dataset,
    *,
    digit: int = 5,
    model: str,
    cache_dir=None,
    use_cache: bool = True,
    progress: Callable[[ModelProgress], None] | None = None,
) -> ModelResult:
    """Cross-validate one model of the comparison (3 folds), or read it from the disk cache.

    Parameters
    ----------
    dataset : Dataset
        uint8 images, one flattened digit a row; the first ``n_train`` rows are scored.
    digit : int, default 5
        The digit to detect, 0-9.
    model : str
        One of :data:`MODEL_KEYS`. ``"sgd"`` is :func:`~core.detector.train_detector` itself
        (same cache, same single training, final model included).
    cache_dir : path-like, optional
        Default :func:`core.cache.default_cache_dir`; an unwritable directory means no cache.
    use_cache : bool, default True
        False recomputes and rewrites the cache.
    progress : callable, optional
        Receives :class:`ModelProgress` from the calling thread: at start, about every 0.25 s,
        and as each fold ends. Not called on a cache hit.

    Returns
    -------
    ModelResult

    Raises
    ------
    ValueError
        When ``digit`` is not 0-9, ``model`` is unknown, or the training digits hold fewer
        than 3 of either class.

    Notes
    -----
    Callers asking for the same training at once share one computation (threads) or wait for
    it and read its cache (processes), as :func:`~core.detector.train_detector` does.
    """
    digit = _check_digit(digit)
    spec = model_spec(model)
    if spec.key == SGD:
        relay = (
            None if progress is None else (lambda update: progress(_progress_from_detector(update)))
        )
        detector = train_detector(
            dataset, digit=digit, cache_dir=cache_dir, use_cache=use_cache, progress=relay
        )
        return result_from_detector(detector)
    key, path = _where(dataset, digit, spec, cache_dir)
    return cached_once(
        key,
        path,
        load=lambda at: _load_model(at, key, dataset, digit, spec),
        compute=lambda record: _cross_validate(dataset, digit, spec, record),
        save=lambda at, result: _save_model(at, key, result),
        use_cache=use_cache,
        progress=progress,
    )


def load_model(dataset: Dataset, *, digit: int = 5, model: str, cache_dir=None):
    """The cached result of ``model`` for ``digit``, or None. Never trains.

    Returns
    -------
    ModelResult or None
    """
    digit = _check_digit(digit)
    spec = model_spec(model)
    if spec.key == SGD:
        detector = _load_cached(dataset, digit, cache_dir)
        return None if detector is None else result_from_detector(detector)
    key, path = _where(dataset, digit, spec, cache_dir)
    return None if path is None else _load_model(path, key, dataset, digit, spec)


# ---------------------------------------------------------------------------------------------
# Background training for the app
# ---------------------------------------------------------------------------------------------


class ComparisonRegistry:
    """Process-wide, thread-safe trainings of the comparison: one job per (data, digit, model).

    Parameters
    ----------
    detectors : TrainingRegistry, optional
        The registry of the notebook's detector. The ``"sgd"`` model is that detector: its job
        here follows (or starts) the detector's job there, so the other pages see the same
        training. Default: a registry of its own.
    cache_dir : path-like, optional
        Passed on to :func:`train_model` (and to the default detector registry).

    Notes
    -----
    Jobs report :class:`ModelProgress` and return :class:`ModelResult`. A failed job is
    replaced by a new one when asked again.
    """

    def __init__(self, *, detectors: TrainingRegistry | None = None, cache_dir=None) -> None:
        self._detectors = (
            detectors if detectors is not None else TrainingRegistry(cache_dir=cache_dir)
        )
        self._cache_dir = cache_dir
        self._table = JobTable()

    def job(self, dataset: Dataset, *, digit: int, model: str) -> TrainingJob:
        """The job training ``model`` for ``digit``, started in a daemon thread if new."""
        digit = _check_digit(digit)
        spec = model_spec(model)

        def start() -> TrainingJob:
            job = TrainingJob(digit, name=f"compare-{spec.key}-digit-{digit}")
            if spec.key == SGD:
                job.launch(lambda progress: self._follow_detector(dataset, digit, progress))
            else:
                job.launch(
                    lambda progress: train_model(
                        dataset,
                        digit=digit,
                        model=spec.key,
                        cache_dir=self._cache_dir,
                        progress=progress,
                    )
                )
            return job

        return self._table.job((dataset.fingerprint, digit, spec.key), start)

    def ready(self, dataset: Dataset, *, digit: int, model: str) -> ModelResult | None:
        """The finished result, from memory or the disk cache; None otherwise. Never trains."""
        digit = _check_digit(digit)
        spec = model_spec(model)
        if spec.key == SGD:

            def load():
                detector = self._detectors.ready(dataset, digit=digit)
                return None if detector is None else result_from_detector(detector)

        else:

            def load():
                return load_model(dataset, digit=digit, model=spec.key, cache_dir=self._cache_dir)

        return self._table.ready((dataset.fingerprint, digit, spec.key), load)

    def _follow_detector(self, dataset: Dataset, digit: int, progress) -> ModelResult:
        """Start or join the detector's job, relaying its progress; the ``"sgd"`` result."""
        job = self._detectors.job(dataset, digit=digit)
        while True:
            try:
                detector = job.result(timeout=_POLL_SECONDS)
                break
            except TimeoutError:
                if job.progress is not None:
                    progress(_progress_from_detector(job.progress))
        if job.progress is not None:
            progress(_progress_from_detector(job.progress))
        return result_from_detector(detector)


# ---------------------------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ModelCurves:
    """A model's result with its score index and exact curves, computed once.

    Attributes
    ----------
    result : ModelResult
    index : ScoreIndex
        Over ``result.cv_scores``.
    pr_curve : PrecisionRecallCurve
        With ``average_precision`` (scikit-learn's ``average_precision_score``).
    roc_curve : RocCurve
        With ``auc`` (scikit-learn's ``roc_auc_score`` of the same scores).
    """

    result: ModelResult
    index: ScoreIndex
    pr_curve: PrecisionRecallCurve
    roc_curve: RocCurve


def model_curves(result: ModelResult) -> ModelCurves:
    """Index and curves of one model's cross-validated scores.

    Raises
    ------
    ValueError
        When ``result`` is not a :class:`ModelResult`, or its arrays are not 1-D of one
        length with binary labels and finite scores (the message names the model).
    """
    if not isinstance(result, ModelResult):
        raise ValueError(f"expected a ModelResult, got {type(result).__name__}")
    try:
        index = build_score_index(y_true=result.y_true, scores=result.cv_scores)
    except ValueError as exc:
        raise ValueError(f"model {result.key!r}: {exc}") from None
    return ModelCurves(
        result=result,
        index=index,
        pr_curve=precision_recall_curve_exact(index),
        roc_curve=roc_curve_exact(index),
    )


@dataclass(frozen=True)
class ComparisonRow:
    """One model in the comparison table. Thresholds are on the model's own ``score_label``.

    Attributes
    ----------
    key, label, score_label : str
        The model and the scale of its scores and thresholds.
    roc_auc, average_precision : float
        Area under the ROC curve; average precision (NaN when a class is missing).
    target_precision : float
    precision_reached : bool
        Whether some threshold reaches ``target_precision``.
    recall_at_precision, threshold_for_precision : float
        The highest recall among thresholds with precision >= ``target_precision`` and the
        lowest such threshold (where it is reached). Both NaN when no threshold reaches it.
    max_precision : float
        The highest precision any threshold gives: what an unreachable ``target_precision``
        is short of.
    target_recall : float
    recall_reached : bool
        Whether some threshold reaches ``target_recall`` (always, when there are positives).
    precision_at_recall, threshold_for_recall : float
        Precision at the highest threshold whose recall is >= ``target_recall``, and that
        threshold. Both NaN when not reached.
    best_f1, best_f1_threshold : float
        The highest F1 over all thresholds and the highest threshold giving it.
    seconds : float
        Training time (see :attr:`ModelSpec.time_covers`).
    from_cache : bool
    notes : tuple of str
        A sentence for each target that cannot be reached, saying the best achievable.
    """

    key: str
    label: str
    score_label: str
    roc_auc: float
    average_precision: float
    target_precision: float
    precision_reached: bool
    recall_at_precision: float
    threshold_for_precision: float
    max_precision: float
    target_recall: float
    recall_reached: bool
    precision_at_recall: float
    threshold_for_recall: float
    best_f1: float
    best_f1_threshold: float
    seconds: float
    from_cache: bool
    notes: tuple[str, ...] = ()


def _check_target(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number in (0, 1], got {value!r}")
    target = float(value)
    if not 0 < target <= 1:  # NaN fails too
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return target


def _max_precision(index: ScoreIndex) -> float:
    # Every distinct threshold flags at least its own score's digits: no 0/0 here.
    return float(np.max(index.tp / (index.tp + index.fp)))


def comparison_row(
    curves: ModelCurves,
    *,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    target_recall: float = DEFAULT_TARGET_RECALL,
) -> ComparisonRow:
    """One model's row of :func:`compare_table`, from its precomputed curves."""
    target_precision = _check_target(target_precision, "target_precision")
    target_recall = _check_target(target_recall, "target_recall")
    result = curves.result
    at_precision = threshold_for_precision(curves.index, target=target_precision)
    at_recall = threshold_for_recall(curves.index, target=target_recall)
    best = threshold_for_best_fbeta(curves.index, beta=1.0)
    notes = tuple(choice.reason for choice in (at_precision, at_recall, best) if not choice.reached)

    def reached(choice, value: float) -> float:
        return value if choice.reached else math.nan

    return ComparisonRow(
        key=result.key,
        label=result.label,
        score_label=result.score_label,
        roc_auc=curves.roc_curve.auc,
        average_precision=curves.pr_curve.average_precision,
        target_precision=target_precision,
        precision_reached=at_precision.reached,
        recall_at_precision=reached(at_precision, at_precision.metrics.recall),
        threshold_for_precision=reached(at_precision, at_precision.threshold),
        max_precision=_max_precision(curves.index),
        target_recall=target_recall,
        recall_reached=at_recall.reached,
        precision_at_recall=reached(at_recall, at_recall.metrics.precision),
        threshold_for_recall=reached(at_recall, at_recall.threshold),
        best_f1=reached(best, best.metrics.f1),
        best_f1_threshold=reached(best, best.threshold),
        seconds=float(result.seconds),
        from_cache=bool(result.from_cache),
        notes=notes,
    )


def compare_table(
    results: Sequence[ModelResult | ModelCurves],
    *,
    target_precision: float = DEFAULT_TARGET_PRECISION,
    target_recall: float = DEFAULT_TARGET_RECALL,
) -> list[ComparisonRow]:
    """Compare models of one digit at the same operating points, one row per model.

    Parameters
    ----------
    results : sequence of ModelResult or ModelCurves
        Models scored on the same digits (same ``y_true``), each at most once. A
        :class:`ModelCurves` reuses its curves; a :class:`ModelResult` gets them computed.
        Empty gives an empty table.
    target_precision : float, default 0.90
        In (0, 1]: each row gives the recall where precision first reaches it.
    target_recall : float, default 0.90
        In (0, 1]: each row gives the precision where recall still reaches it.

    Returns
    -------
    list of ComparisonRow
        In the order given. A target no threshold reaches gives NaN values, ``*_reached``
        False and a note; never some other threshold in its place.

    Raises
    ------
    ValueError
        When a target is outside (0, 1], an item is neither a ModelResult nor a ModelCurves,
        a model appears twice, its arrays are malformed, or the models were scored on
        different labels.
    """
    target_precision = _check_target(target_precision, "target_precision")
    target_recall = _check_target(target_recall, "target_recall")
    if isinstance(results, (ModelResult, ModelCurves)) or not isinstance(results, Sequence):
        raise ValueError(f"results must be a sequence of ModelResult, got {type(results).__name__}")
    all_curves: list[ModelCurves] = []
    for position, item in enumerate(results):
        if isinstance(item, ModelCurves):
            curves = item
        elif isinstance(item, ModelResult):
            curves = model_curves(item)
        else:
            raise ValueError(
                f"results[{position}] must be a ModelResult or ModelCurves, "
                f"got {type(item).__name__}"
            )
        if any(seen.result.key == curves.result.key for seen in all_curves):
            raise ValueError(f"results[{position}]: model {curves.result.key!r} appears twice")
        if all_curves and not _same_labels(all_curves[0].result, curves.result):
            first = all_curves[0].result.key
            raise ValueError(
                f"results[{position}] (model {curves.result.key!r}) was scored on other "
                f"digits or labels than results[0] (model {first!r}); compare one digit "
                "of one dataset"
            )
        all_curves.append(curves)
    return [
        comparison_row(curves, target_precision=target_precision, target_recall=target_recall)
        for curves in all_curves
    ]


def _same_labels(a: ModelResult, b: ModelResult) -> bool:
    if a.digit != b.digit or a.fingerprint != b.fingerprint:
        return False
    return np.array_equal(np.asarray(a.y_true, dtype=bool), np.asarray(b.y_true, dtype=bool))
