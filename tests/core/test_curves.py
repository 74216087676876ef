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
from core.curves import (
    average_precision,
    average_precision_at_prevalence,
    precision_recall_curve_exact,
    roc_curve_exact,
)
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


@pytest.mark.parametrize("name", ["continuous", "ties", "few_positives"])
@pytest.mark.parametrize("prevalence", [0.01, 0.3, 0.5, 0.9])
def test_average_precision_at_a_prevalence_is_sklearns_on_classes_reweighted_to_it(
    name, prevalence
):
    # Weighting each positive p / n_pos and each negative (1 - p) / n_neg makes every precision
    # TPR p / (TPR p + FPR (1 - p)): scikit-learn's AP on those weights is the AP at p.
    y_true, scores = CASES[name]
    index = build_score_index(y_true=y_true, scores=scores)
    y = np.asarray(y_true, dtype=bool)
    weights = np.where(y, prevalence / y.sum(), (1 - prevalence) / (~y).sum())
    expected = average_precision_score(y, scores, sample_weight=weights)
    got = average_precision_at_prevalence(index, prevalence=prevalence)
    assert got == pytest.approx(expected, rel=1e-12)
    assert average_precision_at_prevalence(index) == average_precision(index)
    with pytest.raises(ValueError, match="1.5"):
        average_precision_at_prevalence(index, prevalence=1.5)


@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_the_sums_from_chunks_are_the_whole_arrays_bit_for_bit(monkeypatch, chunk):
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    from core import curves

    monkeypatch.setattr(curves, "TERMS_CHUNK", chunk)
    rng = np.random.default_rng(11)
    labels = rng.random(5000) < 0.3
    scores = np.round(rng.normal(labels * 1.0, 1.0), 2)
    index = build_score_index(y_true=labels, scores=scores)
    fpr, tpr, _ = roc_curve(labels, scores, drop_intermediate=False)
    assert curves.roc_auc(index) == auc(fpr, tpr) == float(np.trapezoid(tpr, fpr))
    precision, recall, _ = precision_recall_curve(labels, scores, drop_intermediate=False)
    assert curves.average_precision(index) == -float(np.sum(np.diff(recall) * precision[:-1]))
    assert curves.average_precision(index) == pytest.approx(
        average_precision_score(labels, scores), rel=1e-15
    )
