"""The notebook's report: every number its cells [6] to [14] print, for one digit.

Every number comes from one training (:func:`core.detector.train_detector`: three folds and the
final model, each fitted once). Cell [9]'s hand-written ``StratifiedKFold`` loop clones the
same classifier onto the same folds as cell [8]'s ``cross_val_score`` and counts the correct
``predict`` answers of each held-out fold, so its accuracies are computed from the same fits'
held-out scores rather than from three more fits.
"""

from __future__ import annotations

import time

from core.counting import build_score_index
from core.data import Dataset
from core.detector import (
    SOME_DIGIT_INDEX,
    DetectorResult,
    digit_score,
    fold_accuracy,
    notebook_predictions,
    perfect_confusion_matrix,
    train_detector,
)
from core.formatting import json_number
from core.pickers import threshold_for_precision
from core.validation import check_digit

MIN_PRECISION = 0.90  # cell [14]'s precision target


def manual_cv_accuracy(result: DetectorResult) -> tuple[float, ...]:
    """Cell [9]: ``n_correct / len(y_pred)`` of ``predict`` on each held-out fold, in fold order.

    The loop's clones are cell [8]'s fits (same classifier, same folds), so this is computed
    from their held-out scores.
    """
    return fold_accuracy(result.y_train, notebook_predictions(result.cv_scores), result.fold_ids)


def notebook_report(dataset: Dataset, *, digit: int = 5, use_cache: bool = True, cache_dir=None):
    """Every number the notebook's cells [6] to [14] print, for one digit, JSON-ready.

    Returns
    -------
    dict
        ``digit``, ``cv_accuracy`` (3 floats), ``manual_cv_accuracy`` (3 floats),
        ``confusion_matrix`` and ``perfect_confusion_matrix`` (``[[TN, FP], [FN, TP]]``),
        ``precision``, ``recall``, ``f1`` (None when undefined), ``some_digit_index``,
        ``some_digit_score``, ``threshold_90_precision``, ``precision_at_threshold_90``,
        ``recall_at_threshold_90`` (all three None when no threshold reaches 90 % precision),
        ``dummy_accuracy``, and ``seconds``: wall-clock seconds this call took (small when
        everything was cached).
    """
    start = time.perf_counter()
    digit = check_digit(digit)
    result = train_detector(dataset, digit=digit, cache_dir=cache_dir, use_cache=use_cache)
    index = build_score_index(y_true=result.y_train, scores=result.cv_scores)
    # Cell [14]: the lowest threshold whose precision reaches 90%, flagging score >= threshold.
    at_90 = threshold_for_precision(index, target=MIN_PRECISION)
    reached = at_90.reached
    return {
        "digit": digit,
        "cv_accuracy": list(result.fold_accuracy),
        "manual_cv_accuracy": list(manual_cv_accuracy(result)),
        "confusion_matrix": result.confusion_matrix.tolist(),
        "perfect_confusion_matrix": perfect_confusion_matrix(result.y_train).tolist(),
        "precision": json_number(result.precision),
        "recall": json_number(result.recall),
        "f1": json_number(result.f1),
        "some_digit_index": SOME_DIGIT_INDEX,
        "some_digit_score": digit_score(result, dataset.images[SOME_DIGIT_INDEX]),
        "threshold_90_precision": at_90.threshold if reached else None,
        "precision_at_threshold_90": at_90.metrics.precision if reached else None,
        "recall_at_threshold_90": at_90.metrics.recall if reached else None,
        "dummy_accuracy": result.dummy_accuracy,
        "seconds": time.perf_counter() - start,
    }
