"""core.thresholds against scikit-learn's metrics and brute force, on seeded random scores."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    confusion_matrix_at_thresholds,
    f1_score,
    fbeta_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from core.formatting import target_percent
from core.thresholds import (
    BORDERLINE_KINDS,
    average_precision,
    borderline_indices,
    build_score_index,
    changed_side,
    cost_weights,
    counts_at,
    metrics_at,
    precision_recall_curve_exact,
    precisions_at_prevalence,
    roc_curve_exact,
    thin_curve,
    threshold_for_best_fbeta,
    threshold_for_least_cost,
    threshold_for_precision,
    threshold_for_recall,
)


def make_case(seed: int, n: int = 400, *, ties: bool = False, positive_rate: float = 0.3):
    """Labels and scores where positives score higher on average, as a detector's would."""
    rng = np.random.default_rng(seed)
    y_true = rng.random(n) < positive_rate
    scores = rng.normal(size=n) * 3000 + np.where(y_true, 2500.0, -2500.0)
    if ties:
        scores = np.round(scores / 2000) * 2000  # a handful of distinct values
    return y_true, scores


CASES = {
    "continuous": make_case(0),
    "ties": make_case(1, ties=True),
    "few_positives": make_case(2, positive_rate=0.05),
    "all_positive": (np.ones(50, dtype=bool), make_case(3, 50)[1]),
    "all_negative": (np.zeros(50, dtype=bool), make_case(4, 50)[1]),
    "all_positive_ties": (np.ones(60, dtype=bool), make_case(5, 60, ties=True)[1]),
    "single_positive": (np.array([True]), np.array([1.5])),
    "single_negative": (np.array([0]), np.array([-7.0])),
}


def brute_counts(y_true, scores, threshold):
    flagged = scores >= threshold
    y_true = np.asarray(y_true, dtype=bool)
    return (
        int(np.sum(flagged & y_true)),
        int(np.sum(flagged & ~y_true)),
        int(np.sum(~flagged & y_true)),
        int(np.sum(~flagged & ~y_true)),
    )


def probe_thresholds(scores):
    """Every distinct score, midpoints between them, values beyond the range, and +-inf."""
    distinct = np.unique(scores)
    mids = (distinct[1:] + distinct[:-1]) / 2
    outside = [distinct[0] - 1, distinct[-1] + 1, distinct[0] - 1e9, distinct[-1] + 1e9]
    return [*distinct, *mids, *outside, -math.inf, math.inf, -0.0]


def same_float(a, b) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


# --------------------------------------------------------------------------------------------
# The index and its validation
# --------------------------------------------------------------------------------------------


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
# Curves
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Pickers
# --------------------------------------------------------------------------------------------


def brute_metrics_per_distinct(y_true, scores):
    distinct = np.unique(scores)
    rows = [brute_counts(y_true, scores, t) for t in distinct]
    tp, fp, fn, _ = (np.array(column) for column in zip(*rows, strict=True))
    return distinct, tp, fp, fn


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ties", [False, True])
def test_precision_picker_equals_the_notebook_expression(seed, ties):
    y_true, scores = make_case(seed, 300, ties=ties)
    index = build_score_index(y_true=y_true, scores=scores)
    precisions, _, thresholds = precision_recall_curve(y_true, scores)
    distinct, tp, fp, _ = brute_metrics_per_distinct(y_true, scores)
    for target in (0.3, 0.5, 0.75, 0.9, 0.95):
        choice = threshold_for_precision(index, target=target)
        meets = tp / (tp + fp) >= target
        assert choice.reached == bool(meets.any())
        if choice.reached:
            assert choice.threshold == thresholds[np.argmax(precisions >= target)]
            assert choice.threshold == distinct[meets].min()
            assert choice.metrics.precision >= target
            assert choice.reason.startswith("Lowest threshold with precision >=")


def test_unreachable_precision_reports_the_best_achievable():
    # Every score equal: one threshold, precision = share of positives (1 in 4).
    index = build_score_index(y_true=[1, 0, 0, 0], scores=[2.0, 2.0, 2.0, 2.0])
    choice = threshold_for_precision(index, target=0.9)
    assert not choice.reached and choice.threshold == 2.0
    assert choice.metrics.precision == 0.25
    assert "No threshold reaches precision >= 90.0%" in choice.reason and "25.0%" in choice.reason
    # The notebook's expression has no answer here: argmax lands on the appended final 1.0.
    precisions, _, thresholds = precision_recall_curve([1, 0, 0, 0], [2.0] * 4)
    assert np.argmax(precisions >= 0.9) == thresholds.size


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("ties", [False, True])
def test_recall_picker_is_the_highest_threshold_reaching_the_target(seed, ties):
    y_true, scores = make_case(seed, 300, ties=ties)
    index = build_score_index(y_true=y_true, scores=scores)
    distinct, tp, _, _ = brute_metrics_per_distinct(y_true, scores)
    for target in (0.1, 0.5, 0.9, 0.99, 1.0):
        choice = threshold_for_recall(index, target=target)
        assert choice.reached
        assert choice.threshold == distinct[tp / y_true.sum() >= target].max()
        assert choice.metrics.recall >= target
        assert recall_score(y_true, scores >= choice.threshold) == choice.metrics.recall


def test_recall_picker_without_positives_is_not_reached():
    choice = threshold_for_recall(build_score_index(y_true=[0, 0], scores=[1.0, 2.0]), target=0.5)
    assert not choice.reached and "no positive samples" in choice.reason


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_best_fbeta_picker_matches_brute_force(seed, ties, beta):
    y_true, scores = make_case(seed, 250, ties=ties)
    index = build_score_index(y_true=y_true, scores=scores)
    distinct = np.unique(scores)
    fbeta = np.array(
        [fbeta_score(y_true, scores >= t, beta=beta, zero_division=0.0) for t in distinct]
    )
    choice = threshold_for_best_fbeta(index, beta=beta)
    assert choice.reached
    best = fbeta.max()
    # Ties (within float noise of the two F formulas) go to the highest threshold.
    assert choice.threshold == distinct[np.isclose(fbeta, best, rtol=1e-12, atol=0)].max()
    if beta == 1.0:
        assert choice.metrics.f1 == pytest.approx(best, rel=1e-12)


def test_best_fbeta_without_positives_is_not_reached():
    index = build_score_index(y_true=[0, 0, 0], scores=[1.0, 2.0, 3.0])
    choice = threshold_for_best_fbeta(index, beta=1.0)
    assert not choice.reached and "undefined" in choice.reason


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("costs", [(1.0, 1.0), (1.0, 5.0), (7.0, 1.0), (0.0, 1.0), (1.0, 0.0)])
def test_least_cost_picker_matches_brute_force(seed, costs):
    fp_cost, fn_cost = costs
    y_true, scores = make_case(seed, 250, ties=seed % 2 == 1)
    index = build_score_index(y_true=y_true, scores=scores)
    candidates = [*np.unique(scores), math.inf]
    totals = []
    for threshold in candidates:
        _, fp, fn, _ = brute_counts(y_true, scores, threshold)
        totals.append(fp_cost * fp + fn_cost * fn)
    totals = np.array(totals)
    expected = max(t for t, total in zip(candidates, totals, strict=True) if total == totals.min())
    choice = threshold_for_least_cost(
        index, false_positive_cost=fp_cost, false_negative_cost=fn_cost
    )
    assert choice.reached and choice.threshold == expected
    assert fp_cost * choice.metrics.fp + fn_cost * choice.metrics.fn == totals.min()
    if fn_cost == 0:  # false negatives are free: flag nothing
        assert choice.threshold == math.inf and "flag nothing" in choice.reason


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("prevalence", [0.01, 0.3, 0.75])
def test_least_cost_at_a_prevalence_is_the_least_expected_cost_of_a_reweighted_population(
    seed, prevalence
):
    """Brute force: weight each positive p / n_pos and each negative (1 - p) / n_neg (the
    population where the digit has share p), and total the costs of the errors."""
    fp_cost, fn_cost = 1.0, 5.0
    y_true, scores = make_case(seed, 300, ties=True)
    index = build_score_index(y_true=y_true, scores=scores)
    weight = np.where(y_true, prevalence / y_true.sum(), (1 - prevalence) / (~y_true).sum())
    candidates = [*np.unique(scores), math.inf]
    expected_cost = []
    for threshold in candidates:
        flagged = scores >= threshold
        cost = fp_cost * weight[flagged & ~y_true].sum() + fn_cost * weight[~flagged & y_true].sum()
        expected_cost.append(cost)
    expected_cost = np.array(expected_cost)
    choice = threshold_for_least_cost(
        index, false_positive_cost=fp_cost, false_negative_cost=fn_cost, prevalence=prevalence
    )
    at = candidates.index(choice.threshold)
    assert expected_cost[at] == pytest.approx(expected_cost.min(), rel=1e-12, abs=1e-15)
    tied = [
        t for t, c in zip(candidates, expected_cost, strict=True) if c - expected_cost.min() < 1e-12
    ]
    assert choice.threshold == max(tied)  # ties go to the highest threshold
    assert "per 1,000 digits" in choice.reason and target_percent(prevalence) in choice.reason
    weights = cost_weights(
        index, false_positive_cost=fp_cost, false_negative_cost=fn_cost, prevalence=prevalence
    )
    assert weights == pytest.approx(
        (fp_cost * (1 - prevalence) / index.n_neg, fn_cost * prevalence / index.n_pos)
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("prevalence", [0.02, 0.3, 0.8])
def test_precision_targets_and_fbeta_at_a_prevalence_match_a_reweighted_population(
    seed, prevalence
):
    y_true, scores = make_case(seed, 300, ties=True)
    index = build_score_index(y_true=y_true, scores=scores)
    weight = np.where(y_true, prevalence / y_true.sum(), (1 - prevalence) / (~y_true).sum())
    distinct = np.unique(scores)
    precision, recall = [], []
    for threshold in distinct:
        flagged = scores >= threshold
        precision.append(weight[flagged & y_true].sum() / weight[flagged].sum())
        recall.append((flagged & y_true).sum() / y_true.sum())
    precision, recall = np.array(precision), np.array(recall)
    np.testing.assert_allclose(
        precisions_at_prevalence(index, prevalence=prevalence), precision, rtol=1e-12
    )
    for target in (0.5, 0.8, 0.95):
        choice = threshold_for_precision(index, target=target, prevalence=prevalence)
        meets = precision >= target - 1e-12
        if choice.reached:
            assert choice.threshold == distinct[np.argmax(meets)]
            assert target_percent(prevalence) in choice.reason
        else:
            assert not meets.any()
    f1 = 2 * precision * recall / (precision + recall)
    best = threshold_for_best_fbeta(index, beta=1.0, prevalence=prevalence)
    assert f1[distinct.searchsorted(best.threshold)] == pytest.approx(f1.max(), rel=1e-12)


def test_a_rarer_digit_moves_the_least_cost_threshold_up():
    y_true, scores = make_case(1, 2000)
    index = build_score_index(y_true=y_true, scores=scores)
    costs = {"false_positive_cost": 1.0, "false_negative_cost": 5.0}
    rare = threshold_for_least_cost(index, **costs, prevalence=0.01).threshold
    common = threshold_for_least_cost(index, **costs, prevalence=0.6).threshold
    assert rare > common  # a false positive is the likelier error where positives are rare


@pytest.mark.parametrize(
    ("prevalence", "labels", "message"),
    [
        (1.0, [0, 1], "below 1"),
        (0.0, [0, 1], "prevalence"),
        (math.nan, [0, 1], "prevalence"),
        ("0.2", [0, 1], "prevalence"),
        (0.2, [1, 1], "both positive and negative"),
    ],
)
def test_a_bad_prevalence_is_named(prevalence, labels, message):
    index = build_score_index(y_true=labels, scores=[0.0, 1.0])
    with pytest.raises(ValueError, match=message):
        threshold_for_least_cost(
            index, false_positive_cost=1, false_negative_cost=1, prevalence=prevalence
        )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda index: threshold_for_precision(index, target=0), "target"),
        (lambda index: threshold_for_precision(index, target=1.5), "target"),
        (lambda index: threshold_for_precision(index, target=math.nan), "target"),
        (lambda index: threshold_for_recall(index, target=-0.1), "target"),
        (lambda index: threshold_for_recall(index, target="0.9"), "target"),
        (lambda index: threshold_for_best_fbeta(index, beta=0), "beta"),
        (lambda index: threshold_for_best_fbeta(index, beta=-1.0), "beta"),
        (lambda index: threshold_for_best_fbeta(index, beta=math.inf), "beta"),
        (
            lambda index: threshold_for_least_cost(
                index, false_positive_cost=-1, false_negative_cost=1
            ),
            "false_positive_cost",
        ),
        (
            lambda index: threshold_for_least_cost(
                index, false_positive_cost=1, false_negative_cost=math.nan
            ),
            "false_negative_cost",
        ),
        (
            lambda index: threshold_for_least_cost(
                index, false_positive_cost=0, false_negative_cost=0
            ),
            "both be 0",
        ),
    ],
)
def test_pickers_validate_their_goal(call, message):
    index = build_score_index(y_true=[0, 1], scores=[0.0, 1.0])
    with pytest.raises(ValueError, match=message):
        call(index)


def test_reason_reads_like_the_brief_example():
    y_true, scores = make_case(0)
    choice = threshold_for_precision(build_score_index(y_true=y_true, scores=scores), target=0.9)
    metrics = choice.metrics
    assert choice.reason == (
        f"Lowest threshold with precision >= 90.0%: {choice.threshold:.2f} "
        f"(precision {metrics.precision:.1%}, recall {metrics.recall:.1%})"
    )


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


# --------------------------------------------------------------------------------------------
# Thinning for drawing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("max_points", [2, 3, 50, 400])
def test_thin_curve_keeps_endpoints_and_keep_within_budget(max_points):
    y_true, scores = make_case(3, 5000)
    curve = precision_recall_curve_exact(build_score_index(y_true=y_true, scores=scores))
    keep = (17, 2500)
    drawn = thin_curve(curve.recall, curve.precision, max_points=max_points, keep=keep)
    assert drawn[0] == 0 and drawn[-1] == curve.recall.size - 1
    assert set(keep) <= set(drawn)
    assert np.all(np.diff(drawn) > 0)
    assert drawn.size <= max(max_points, 2 + len(keep))


def test_thin_curve_leaves_short_curves_alone():
    np.testing.assert_array_equal(
        thin_curve(np.arange(5.0), np.arange(5.0), max_points=5), range(5)
    )


def test_thin_curve_follows_the_arc_not_the_index():
    # 10,000 points crowded into the first 1% of x, then 100 points across the rest: sampling
    # by index would leave the long stretch with ~2 points; by arc length it gets its share.
    x = np.concatenate((np.linspace(0, 0.01, 10_000), np.linspace(0.0101, 1, 100)))
    y = np.sin(6 * x)
    max_points = 200
    drawn = thin_curve(x, y, max_points=max_points)
    steps = np.hypot(np.diff(x) / np.ptp(x), np.diff(y) / np.ptp(y))
    arc = np.concatenate(([0.0], np.cumsum(steps)))
    spacing = arc[-1] / (max_points - 1)
    # Between two drawn points the skipped stretch, before the segment into the second one,
    # is shorter than one sample spacing: no part of the curve's shape is lost.
    skipped = arc[drawn[1:] - 1] - arc[drawn[:-1]]
    assert np.all(skipped <= spacing * (1 + 1e-9))
    assert np.count_nonzero(drawn >= 10_000) >= 50


def test_thin_curve_with_several_columns_and_nan():
    x = np.linspace(0, 1, 3000)
    y = np.column_stack((x**2, np.where(x > 0.5, np.nan, 1 - x)))
    drawn = thin_curve(x, y, max_points=100, keep=[1234])
    assert drawn.size <= 100 and 1234 in drawn and np.all(np.diff(drawn) > 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_points": 1}, "max_points"),
        ({"max_points": 2.5}, "max_points"),
        ({"keep": [10]}, "keep"),
        ({"keep": [-1]}, "keep"),
    ],
)
def test_thin_curve_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        thin_curve(np.arange(5.0), np.arange(5.0), **kwargs)
