"""core.curves against scikit-learn's curves, on seeded random scores."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix_at_thresholds,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from core.counting import build_score_index, metrics_at
from core.curves import average_precision, precision_recall_curve_exact, roc_curve_exact
from tests.core.score_cases import CASES, brute_counts, same_float


@pytest.mark.parametrize("name", CASES)
def test_precision_recall_curve_agrees_with_sklearn(name):
    y_true, scores = CASES[name]
    index = build_score_index(y_true=y_true, scores=scores)
    curve = precision_recall_curve_exact(index)
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    np.testing.assert_array_equal(curve.thresholds, thresholds)
    np.testing.assert_array_equal(curve.precision, precision[:-1])
    if index.n_pos:
        np.testing.assert_array_equal(curve.recall, recall[:-1])
        np.testing.assert_array_equal(curve.tp / index.n_pos, curve.recall)
    else:
        assert np.isnan(curve.recall).all()
    np.testing.assert_array_equal(curve.tp / (curve.tp + curve.fp), curve.precision)
    tn, fp, fn, tp, at = confusion_matrix_at_thresholds(y_true, scores)
    np.testing.assert_array_equal(at[::-1], curve.thresholds)
    for mine, theirs in ((curve.tp, tp), (curve.fp, fp), (curve.fn, fn), (curve.tn, tn)):
        np.testing.assert_array_equal(mine, theirs[::-1])
    if index.n_pos:
        assert curve.average_precision == average_precision_score(y_true, scores)
    else:
        assert math.isnan(curve.average_precision) and math.isnan(average_precision(index))


@pytest.mark.parametrize("name", CASES)
def test_roc_curve_agrees_with_sklearn(name):
    y_true, scores = CASES[name]
    index = build_score_index(y_true=y_true, scores=scores)
    roc = roc_curve_exact(index)
    fpr, tpr, thresholds = roc_curve(y_true, scores, drop_intermediate=False)
    np.testing.assert_array_equal(roc.thresholds, thresholds)
    np.testing.assert_array_equal(roc.fpr, fpr)
    np.testing.assert_array_equal(roc.tpr, tpr)
    for position, threshold in enumerate(roc.thresholds):
        expected = brute_counts(y_true, scores, threshold)
        got = (roc.tp[position], roc.fp[position], roc.fn[position], roc.tn[position])
        assert got == expected
        assert same_float(roc.precision[position], metrics_at(index, threshold=threshold).precision)
    if index.n_pos and index.n_neg:
        np.testing.assert_array_equal(roc.fp / index.n_neg, roc.fpr)
        assert roc.auc == pytest.approx(roc_auc_score(y_true, scores), rel=1e-12)
    else:
        assert math.isnan(roc.auc)
