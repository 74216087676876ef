"""What a server keeps per detector for the trade-off page: the two score indexes, not the
fold indexes or the curves (built when asked, with the same values)."""

from __future__ import annotations

import gc
import tracemalloc
from dataclasses import fields

import numpy as np
import pytest

from core.curves import precision_recall_curve_exact, roc_curve_exact
from core.detector import DetectorResult
from core.estimates import fold_indexes
from core.explorer import detector_nouns, explorer_payload
from core.tradeoff import tradeoff_data

N_TRAIN, N_TEST = 60_000, 10_000


@pytest.fixture(scope="module")
def result() -> DetectorResult:
    """A detector's result of MNIST's sizes, with random scores (no training needed)."""
    rng = np.random.default_rng(13)
    y_train = rng.random(N_TRAIN) < 0.1
    y_test = rng.random(N_TEST) < 0.1
    return DetectorResult(
        digit=5,
        fingerprint="synthetic",
        y_train=y_train,
        cv_scores=rng.normal(size=N_TRAIN) * 5000 + 4000 * y_train,
        fold_ids=(np.arange(N_TRAIN) % 3).astype(np.int8),
        fold_accuracy=(0.9, 0.9, 0.9),
        fitted_model=None,
        test_scores=rng.normal(size=N_TEST) * 5000 + 4000 * y_test,
        y_test=y_test,
        dummy_accuracy=0.9,
        dummy_fold_accuracy=(0.9, 0.9, 0.9),
        seconds=1.0,
    )


def test_the_folds_built_on_demand_are_those_of_the_result(result):
    data = tradeoff_data(result)
    expected = fold_indexes(
        y_true=result.y_train, scores=result.cv_scores, fold_ids=result.fold_ids
    )
    assert len(data.folds) == len(expected) == 3
    for built, wanted in zip(data.folds, expected, strict=True):
        for field in fields(wanted):
            a, b = getattr(built, field.name), getattr(wanted, field.name)
            if isinstance(b, np.ndarray):
                assert a.dtype == b.dtype and np.array_equal(a, b), field.name
            else:
                assert a == b, field.name


def test_the_curves_are_the_exact_ones_of_the_index(result):
    data = tradeoff_data(result)
    pr, roc = data.pr_curve, data.roc_curve
    pr_wanted, roc_wanted = (
        f(data.cv_index) for f in (precision_recall_curve_exact, roc_curve_exact)
    )
    for name in ("thresholds", "precision", "recall", "tp", "fp"):
        assert np.array_equal(getattr(pr, name), getattr(pr_wanted, name), equal_nan=True), name
    for name in ("thresholds", "fpr", "tpr", "precision"):
        assert np.array_equal(getattr(roc, name), getattr(roc_wanted, name), equal_nan=True), name


def test_a_detector_kept_for_the_page_holds_its_two_indexes_only(result):
    tracemalloc.start()
    try:
        data = tradeoff_data(result)
        # Reads the curves and the folds, once.
        payload = explorer_payload(data, nouns=detector_nouns(5))
        del payload
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # Nine arrays of 60,000 + 1 and nine of 10,000 + 1 entries, 8 bytes or less each: 5.0 MB.
    # Keeping the fold indexes and the curves as well was 16 MB.
    indexes = sum(
        getattr(index, f.name).nbytes
        for index in (data.cv_index, data.test_index)
        for f in fields(index)
        if isinstance(getattr(index, f.name), np.ndarray)
    )
    assert indexes < 5.2e6
    assert kept < indexes + 0.5e6, (kept, indexes)
