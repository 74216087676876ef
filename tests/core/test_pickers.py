"""core.pickers against the notebook's expressions and brute force, and ui.wording's sentences
for what they pick."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from sklearn.metrics import fbeta_score, precision_recall_curve, recall_score

from core.counting import build_score_index
from core.curves import precisions_at_prevalence
from core.formatting import target_percent
from core.pickers import (
    cost_weights,
    threshold_for_best_fbeta,
    threshold_for_least_cost,
    threshold_for_precision,
    threshold_for_recall,
)
from tests.core.score_cases import brute_counts, make_case
from ui.wording import choice_sentence


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
            assert choice_sentence(choice).startswith("Lowest threshold with precision >=")


def test_unreachable_precision_reports_the_best_achievable():
    # Every score equal: one threshold, precision = share of positives (1 in 4).
    index = build_score_index(y_true=[1, 0, 0, 0], scores=[2.0, 2.0, 2.0, 2.0])
    choice = threshold_for_precision(index, target=0.9)
    assert not choice.reached and choice.threshold == 2.0
    assert choice.metrics.precision == 0.25
    assert choice.goal == "precision" and choice.target == 0.9 and choice.value == 0.25
    sentence = choice_sentence(choice)
    assert "No threshold reaches precision >= 90.0%" in sentence and "25.0%" in sentence
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
    assert not choice.reached and choice.goal == "recall" and math.isnan(choice.value)
    assert "no positive samples" in choice_sentence(choice)


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
    assert not choice.reached and choice.goal == "fbeta" and math.isnan(choice.value)
    assert "undefined" in choice_sentence(choice)


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
    assert choice.value == totals.min()
    if fn_cost == 0:  # false negatives are free: flag nothing
        assert choice.threshold == math.inf and "flag nothing" in choice_sentence(choice)


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
    assert choice.goal == "least_cost" and choice.prevalence == prevalence
    sentence = choice_sentence(choice)
    assert "per 1,000 digits" in sentence and target_percent(prevalence) in sentence
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
            assert target_percent(prevalence) in choice_sentence(choice)
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


def test_the_sentence_reads_like_the_brief_example():
    y_true, scores = make_case(0)
    choice = threshold_for_precision(build_score_index(y_true=y_true, scores=scores), target=0.9)
    metrics = choice.metrics
    assert choice_sentence(choice) == (
        f"Lowest threshold with precision >= 90.0%: {choice.threshold:.2f} "
        f"(precision {metrics.precision:.1%}, recall {metrics.recall:.1%})"
    )


def test_a_choice_of_an_unknown_goal_has_no_sentence():
    choice = threshold_for_recall(build_score_index(y_true=[0, 1], scores=[0.0, 1.0]), target=1.0)
    with pytest.raises(ValueError, match="'nearest'"):
        choice_sentence(dataclasses.replace(choice, goal="nearest"))


def test_a_sentence_names_the_rows_as_the_page_calls_them():
    index = build_score_index(y_true=[1, 0, 1, 0, 1], scores=[5.0, 1.0, 4.0, 2.0, 3.0])
    precision = threshold_for_precision(index, target=0.9, prevalence=0.2)
    cost = threshold_for_least_cost(
        index, false_positive_cost=1, false_negative_cost=5, prevalence=0.2
    )
    assert "where 20.0% of the digits are positive" in choice_sentence(precision)
    for choice in (precision, cost):
        sentence = choice_sentence(choice, items="rows")
        assert "where 20.0% of the rows are positive" in sentence and "digit" not in sentence
    assert "per 1,000 rows" in choice_sentence(cost, items="rows")
