"""Several detectors of one digit, cross-validated the same way and compared at one operating point.

The models are :data:`core.models.MODELS`: the notebook's SGD on raw pixels (the detector of
:mod:`core.detector`, whose training and cache it reuses, never a second training), SGD on
standardised pixels, logistic regression and a random forest. Each is cross-validated by
:func:`core.engine.cross_validate`, as ``cross_val_predict(model, X_train, y_train, cv=3)``
does for a classifier.

Scores are on different scales (a decision score, log-odds, a probability), so each model's
thresholds are its own; they are reported with their scale and compared only through
precision and recall, which share one. :func:`compare_table` builds the comparison.

Results are cached on disk like the detector (checksummed ``.npz`` files, no pickles, keyed by
data, model, CV set-up and library versions; one training per key across threads and
processes): see :func:`train_model`. :class:`core.jobs.JobRegistry` runs them in background
threads for the app.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import cache, engine
from core.counting import ScoreIndex, build_score_index
from core.curves import (
    PrecisionRecallCurve,
    RocCurve,
    precision_recall_curve_exact,
    roc_curve_exact,
)
from core.data import Dataset
from core.detector import DetectorResult, load_detector, train_detector
from core.engine import TrainingProgress, binary_target, cache_key
from core.models import MODELS, SGD, ModelSpec, model_spec
from core.pickers import (
    ThresholdChoice,
    threshold_for_best_fbeta,
    threshold_for_precision,
    threshold_for_recall,
)
from core.validation import check_digit, check_fraction, read_only

log = logging.getLogger(__name__)

COMPARE_FORMAT = 2  # bump when a cached comparison file changes meaning
DEFAULT_TARGET_PRECISION = 0.90
DEFAULT_TARGET_RECALL = 0.90


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


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


def _cross_validate(dataset: Dataset, digit: int, spec: ModelSpec, progress) -> ModelResult:
    trained = engine.cross_validate(dataset, digit=digit, spec=spec, progress=progress)
    return ModelResult(
        key=spec.key,
        label=spec.label,
        score_label=spec.score_label,
        digit=digit,
        fingerprint=dataset.fingerprint,
        cv_scores=trained.cv_scores,
        y_true=trained.y_train,
        seconds=trained.seconds,
    )


# ---------------------------------------------------------------------------------------------
# Disk cache
# ---------------------------------------------------------------------------------------------


def _model_key(dataset: Dataset, digit: int, spec: ModelSpec) -> str:
    return cache_key(dataset, digit=digit, kind=f"compare-{COMPARE_FORMAT}-{spec.key}", spec=spec)


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
        cv_scores=read_only(cv_scores),
        y_true=read_only(binary_target(dataset.train_labels, digit=digit)),
        seconds=seconds,
        from_cache=True,
    )


def _where(dataset: Dataset, digit: int, spec: ModelSpec, cache_dir) -> tuple[str, Path | None]:
    key = _model_key(dataset, digit, spec)
    directory = cache.resolve_cache_dir(cache_dir)
    return key, None if directory is None else _model_path(directory, digit, spec, key)


def train_model(
    dataset: Dataset,
    *,
    digit: int = 5,
    model: str,
    cache_dir=None,
    use_cache: bool = True,
    progress: Callable[[TrainingProgress], None] | None = None,
    waiting: Callable[[float], None] | None = None,
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
        Receives :class:`TrainingProgress` from the calling thread: at start, about every 0.25 s,
        and as each fold ends. Not called on a cache hit.
    waiting : callable ``seconds -> None``, optional
        Called about every 0.25 s, from the calling thread, while another process trains the
        same model (it holds the cache's lock), with the seconds waited; the other process's
        result is read as soon as its cache file lands.

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
    digit = check_digit(digit)
    spec = model_spec(model)
    if spec.key == SGD:
        detector = train_detector(
            dataset,
            digit=digit,
            cache_dir=cache_dir,
            use_cache=use_cache,
            progress=progress,
            waiting=waiting,
        )
        return result_from_detector(detector)
    key, path = _where(dataset, digit, spec, cache_dir)
    return cache.cached_once(
        key,
        path,
        load=lambda at: _load_model(at, key, dataset, digit, spec),
        compute=lambda record: _cross_validate(dataset, digit, spec, record),
        save=lambda at, result: _save_model(at, key, result),
        use_cache=use_cache,
        progress=progress,
        waiting=waiting,
    )


def load_model(dataset: Dataset, *, digit: int = 5, model: str, cache_dir=None):
    """The cached result of ``model`` for ``digit``, or None. Never trains.

    Returns
    -------
    ModelResult or None
    """
    digit = check_digit(digit)
    spec = model_spec(model)
    if spec.key == SGD:
        detector = load_detector(dataset, digit=digit, cache_dir=cache_dir)
        return None if detector is None else result_from_detector(detector)
    key, path = _where(dataset, digit, spec, cache_dir)
    return None if path is None else _load_model(path, key, dataset, digit, spec)


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
    unreached : tuple of ThresholdChoice
        The picks whose goal no threshold reaches, each with the best achievable instead.
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
    unreached: tuple[ThresholdChoice, ...] = ()


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
    target_precision = check_fraction(target_precision, "target_precision")
    target_recall = check_fraction(target_recall, "target_recall")
    result = curves.result
    at_precision = threshold_for_precision(curves.index, target=target_precision)
    at_recall = threshold_for_recall(curves.index, target=target_recall)
    best = threshold_for_best_fbeta(curves.index, beta=1.0)
    unreached = tuple(choice for choice in (at_precision, at_recall, best) if not choice.reached)

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
        unreached=unreached,
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
        False and an ``unreached`` choice; never some other threshold in its place.

    Raises
    ------
    ValueError
        When a target is outside (0, 1], an item is neither a ModelResult nor a ModelCurves,
        a model appears twice, its arrays are malformed, or the models were scored on
        different labels.
    """
    target_precision = check_fraction(target_precision, "target_precision")
    target_recall = check_fraction(target_recall, "target_recall")
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
