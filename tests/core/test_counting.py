"""core.counting against scikit-learn's metrics and brute force, on seeded random scores."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
)

from core.counting import (
    BORDERLINE_KINDS,
    borderline_indices,
    build_score_index,
    changed_side,
    counts_at,
    metrics_at,
    side_changes,
)
from tests.core.score_cases import CASES, brute_counts, probe_thresholds, same_float


@pytest.mark.parametrize("name", CASES)
def test_index_holds_sorted_scores_and_distinct_thresholds(name):
    y_true, scores = CASES[name]
    index = build_score_index(y_true=y_true, scores=scores)
    np.testing.assert_array_equal(index.sorted_scores, np.sort(scores))
    np.testing.assert_array_equal(scores[index.order], index.sorted_scores)
    distinct, sizes = np.unique(scores, return_counts=True)
    np.testing.assert_array_equal(index.thresholds, distinct)
    np.testing.assert_array_equal(index.threshold_sizes, sizes)
    assert index.n_pos == int(np.sum(y_true)) and index.n_neg == len(y_true) - index.n_pos
    for position, threshold in enumerate(distinct):
        tp, fp, _, _ = brute_counts(y_true, scores, threshold)
        assert (index.tp[position], index.fp[position]) == (tp, fp)
    with pytest.raises(ValueError):
        index.sorted_scores[0] = 1.0  # read-only


@pytest.mark.parametrize(
    ("y_true", "scores", "message"),
    [
        ([], [], "empty"),
        ([[0, 1]], [[0.1, 0.2]], "y_true must be 1-D"),
        ([0, 1], [[0.1, 0.2]], "scores must be 1-D"),
        ([0, 1, 1], [0.1, 0.2], "same shape"),
        ([0, 1], [0.1, np.nan], r"scores\[1\] = nan"),
        ([0, 1], [np.inf, 0.2], r"scores\[0\] = inf"),
        ([0, 2], [0.1, 0.2], r"y_true\[1\] = 2"),
        (["a", "b"], [0.1, 0.2], "y_true must be bool or 0/1"),
        ([0, 1], ["x", "y"], "scores must be real numbers"),
        ([0, 1], [True, False], "scores must be real numbers"),
    ],
)
def test_build_rejects_bad_input_naming_it(y_true, scores, message):
    with pytest.raises(ValueError, match=message):
        build_score_index(y_true=np.asarray(y_true), scores=np.asarray(scores))


def test_zero_one_and_bool_labels_give_the_same_index():
    y_true, scores = CASES["continuous"]
    from_bool = build_score_index(y_true=y_true, scores=scores)
    from_int = build_score_index(y_true=y_true.astype(np.int64), scores=scores.astype(np.float32))
    np.testing.assert_array_equal(from_bool.tp, build_score_index(y_true=y_true, scores=scores).tp)
    assert from_int.n_pos == from_bool.n_pos


# --------------------------------------------------------------------------------------------
# One threshold
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_counts_at_matches_brute_force_and_sklearn_confusion_matrix(name):
    y_true, scores = CASES[name]
    index = build_score_index(y_true=y_true, scores=scores)
    for threshold in probe_thresholds(scores):
        counts = counts_at(index, threshold=threshold)
        assert (counts.tp, counts.fp, counts.fn, counts.tn) == brute_counts(
            y_true, scores, threshold
        ), threshold
        expected = confusion_matrix(np.asarray(y_true, bool), scores >= threshold, labels=[0, 1])
        np.testing.assert_array_equal(counts.as_matrix(), expected)


@pytest.mark.parametrize("bad", [math.nan, np.float64("nan"), "1.0", None, True])
def test_counts_at_rejects_nan_and_non_numbers(bad):
    index = build_score_index(y_true=[0, 1], scores=[0.0, 1.0])
    with pytest.raises(ValueError, match="threshold"):
        counts_at(index, threshold=bad)


@pytest.mark.parametrize("name", CASES)
def test_metrics_at_matches_sklearn(name):
    y_true, scores = CASES[name]
    y_true = np.asarray(y_true, dtype=bool)
    index = build_score_index(y_true=y_true, scores=scores)
    for threshold in probe_thresholds(scores)[::3]:
        metrics = metrics_at(index, threshold=threshold)
        y_pred = scores >= threshold
        tp, fp, fn, tn = brute_counts(y_true, scores, threshold)
        assert (metrics.tp, metrics.fp, metrics.fn, metrics.tn) == (tp, fp, fn, tn)
        assert metrics.n_flagged == int(y_pred.sum())
        assert metrics.threshold == threshold
        precision = precision_score(y_true, y_pred, zero_division=np.nan)
        recall = recall_score(y_true, y_pred, zero_division=np.nan)
        assert same_float(metrics.precision, precision)
        assert same_float(metrics.recall, recall)
        assert metrics.accuracy == accuracy_score(y_true, y_pred)
        assert same_float(metrics.false_positive_rate, fp / (fp + tn) if fp + tn else math.nan)
        assert same_float(metrics.specificity, tn / (fp + tn) if fp + tn else math.nan)
        if math.isnan(precision) or math.isnan(recall):
            assert math.isnan(metrics.f1)
        else:
            expected_f1 = f1_score(y_true, y_pred, zero_division=0.0)
            assert metrics.f1 == pytest.approx(expected_f1, rel=1e-12, abs=0)


def test_metrics_reproduce_the_notebook_f1_bit_for_bit():
    # The notebook's cell [10]/[11] confusion matrix [[53892, 687], [1891, 3530]] and its printed
    # precision, recall and F1; F1 as 2pr/(p+r) prints ...846 where 2tp/(2tp+fp+fn) gives ...847.
    tn, fp, fn, tp = 53892, 687, 1891, 3530
    y_true = np.repeat([0, 0, 1, 1], [tn, fp, fn, tp])
    scores = np.repeat([-1.0, 1.0, -1.0, 1.0], [tn, fp, fn, tp])
    metrics = metrics_at(build_score_index(y_true=y_true, scores=scores), threshold=0.0)
    assert metrics.precision == 0.8370879772350012
    assert metrics.recall == 0.6511713705958311
    assert metrics.f1 == 0.7325171197343846


def test_undefined_ratios_are_nan():
    index = build_score_index(y_true=[0, 1, 1], scores=[0.0, 1.0, 2.0])
    nothing = metrics_at(index, threshold=math.inf)
    assert nothing.n_flagged == 0 and math.isnan(nothing.precision) and math.isnan(nothing.f1)
    assert nothing.recall == 0.0 and nothing.false_positive_rate == 0.0
    no_positives = build_score_index(y_true=[0, 0], scores=[0.0, 1.0])
    metrics = metrics_at(no_positives, threshold=0.5)
    assert math.isnan(metrics.recall) and math.isnan(metrics.f1) and metrics.precision == 0.0
    no_negatives = build_score_index(y_true=[1, 1], scores=[0.0, 1.0])
    metrics = metrics_at(no_negatives, threshold=0.5)
    assert math.isnan(metrics.false_positive_rate) and math.isnan(metrics.specificity)
    none_right = build_score_index(y_true=[1, 0], scores=[0.0, 1.0])
    assert metrics_at(none_right, threshold=0.5).f1 == 0.0  # p = r = 0: F1 is 0, not NaN


# --------------------------------------------------------------------------------------------
# Digits at the cut
# --------------------------------------------------------------------------------------------


def brute_borderline(y_true, scores, threshold, kind):
    flagged = scores >= threshold
    positive = np.asarray(y_true, dtype=bool)
    mask = {
        "true_positive": flagged & positive,
        "false_positive": flagged & ~positive,
        "false_negative": ~flagged & positive,
        "true_negative": ~flagged & ~positive,
    }[kind]
    members = np.flatnonzero(mask)
    return members[np.argsort(np.abs(scores[members] - threshold), kind="stable")]


@pytest.mark.parametrize("kind", BORDERLINE_KINDS)
@pytest.mark.parametrize("name", ["continuous", "ties", "all_negative", "single_positive"])
def test_borderline_indices_match_brute_force(kind, name):
    y_true, scores = CASES[name]
    index = build_score_index(y_true=y_true, scores=scores)
    rng = np.random.default_rng(7)
    for threshold in [*rng.choice(probe_thresholds(scores), 12), math.inf, -math.inf]:
        expected = brute_borderline(y_true, scores, threshold, kind)
        for limit in (None, 0, 1, 5):
            got = borderline_indices(index, threshold=threshold, kind=kind, limit=limit)
            want = expected if limit is None else expected[:limit]
            assert got.size == want.size
            # Same distances in the same order; among equal scores the order is free.
            np.testing.assert_array_equal(
                np.abs(scores[got] - threshold), np.abs(scores[want] - threshold)
            )
            assert set(got) <= set(expected) and len(set(got)) == got.size
            if name == "continuous" and math.isfinite(threshold):  # else all distances are inf
                np.testing.assert_array_equal(got, want)


def test_borderline_rejects_unknown_kind_and_bad_limit():
    index = build_score_index(y_true=[0, 1], scores=[0.0, 1.0])
    with pytest.raises(ValueError, match="kind"):
        borderline_indices(index, threshold=0.5, kind="positive", limit=3)
    with pytest.raises(ValueError, match="limit"):
        borderline_indices(index, threshold=0.5, kind="true_positive", limit=-1)


@pytest.mark.parametrize("name", ["continuous", "ties", "single_negative"])
def test_changed_side_matches_brute_force(name):
    y_true, scores = CASES[name]
    index = build_score_index(y_true=y_true, scores=scores)
    rng = np.random.default_rng(11)
    probes = probe_thresholds(scores)
    for _ in range(40):
        old, new = rng.choice(probes, 2)
        flipped = np.flatnonzero((scores >= old) != (scores >= new))
        expected = flipped[np.argsort(np.abs(scores[flipped] - new), kind="stable")]
        for limit in (None, 3):
            got = changed_side(index, old_threshold=old, new_threshold=new, limit=limit)
            want = expected if limit is None else expected[:limit]
            np.testing.assert_array_equal(np.abs(scores[got] - new), np.abs(scores[want] - new))
            assert set(got) <= set(flipped) and len(set(got)) == got.size
            if name == "continuous" and math.isfinite(new):
                np.testing.assert_array_equal(got, want)
    assert changed_side(index, old_threshold=1.0, new_threshold=1.0).size == 0


@pytest.mark.parametrize("name", ["continuous", "ties", "single_negative"])
def test_side_changes_count_each_direction_as_brute_force(name):
    y_true, scores = CASES[name]
    index = build_score_index(y_true=y_true, scores=scores)
    rng = np.random.default_rng(12)
    probes = probe_thresholds(scores)
    for _ in range(40):
        old, new = rng.choice(probes, 2)
        now, before = scores >= new, scores >= old
        flagged, let_go = now & ~before, before & ~now
        changes = side_changes(index, old_threshold=old, new_threshold=new)
        assert changes.newly_flagged == int(flagged.sum())
        assert changes.newly_flagged_positives == int((flagged & y_true.astype(bool)).sum())
        assert changes.no_longer_flagged == int(let_go.sum())
        assert changes.no_longer_flagged_positives == int((let_go & y_true.astype(bool)).sum())
        total = changed_side(index, old_threshold=old, new_threshold=new).size
        assert changes.newly_flagged + changes.no_longer_flagged == total
    unmoved = side_changes(index, old_threshold=1.0, new_threshold=1.0)
    assert (unmoved.newly_flagged, unmoved.no_longer_flagged) == (0, 0)
