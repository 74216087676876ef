"""core.tradeoff: the least cost a summary names, and how firmly a goal fixes its threshold."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from core.cli_text import format_tradeoff
from core.estimates import bootstrap_threshold, expected_cost_per_1000, fold_thresholds
from core.pickers import threshold_for_least_cost
from core.tradeoff import goal_spread, tradeoff_data, tradeoff_summary


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    n = 3000
    y = rng.random(n) < 0.1
    scores = np.round(rng.normal(0, 1000, n) + 1800 * y, 1)
    result = SimpleNamespace(
        digit=5,
        fingerprint="synthetic",
        y_train=y,
        cv_scores=scores,
        fold_ids=rng.permutation(np.arange(n) % 3),
        y_test=y[:500],
        test_scores=scores[:500] + 3,
    )
    return tradeoff_data(result)


@pytest.mark.parametrize("prevalence", [None, 0.01, 0.5])
def test_the_summary_names_the_least_cost_threshold_and_its_cost(data, prevalence):
    summary = tradeoff_summary(
        data, threshold=0.0, prevalence=prevalence, false_positive_cost=1, false_negative_cost=5
    )
    least = threshold_for_least_cost(
        data.cv_index, false_positive_cost=1, false_negative_cost=5, prevalence=prevalence
    )
    assert summary["least_cost_threshold"] == least.threshold
    m = least.metrics
    share = data.cv_index.n_pos / data.cv_index.n_samples if prevalence is None else prevalence
    assert summary["least_cost_per_1000"] == pytest.approx(
        expected_cost_per_1000(
            recall=m.recall,
            false_positive_rate=m.false_positive_rate,
            prevalence=share,
            false_positive_cost=1,
            false_negative_cost=5,
        )
    )
    assert summary["least_cost_per_1000"] <= summary["expected_cost_per_1000"]
    assert f"least at threshold {least.threshold!r}" in format_tradeoff(summary)


def test_free_errors_have_no_least_cost_threshold(data):
    summary = tradeoff_summary(data, threshold=0.0, false_positive_cost=0, false_negative_cost=0)
    assert summary["expected_cost_per_1000"] == 0
    assert summary["least_cost_threshold"] is None and summary["least_cost_per_1000"] is None
    assert "least at" not in format_tradeoff(summary)


@pytest.mark.parametrize(("kind", "target"), [("precision", 0.8), ("recall", 0.9)])
def test_a_goal_spread_is_each_folds_pick_and_the_seeded_bootstrap(data, kind, target):
    spread = goal_spread(data, kind=kind, target=target)
    assert spread.fold_thresholds == fold_thresholds(data.folds, kind=kind, target=target)
    assert spread.bootstrap == bootstrap_threshold(data.cv_index, kind=kind, target=target)
    low, high = spread.bootstrap.threshold
    assert low <= high and all(math.isfinite(t) for t in spread.fold_thresholds)
    assert goal_spread(data, kind=kind, target=target) == spread  # seeded: the same again


def test_a_bad_goal_is_named(data):
    with pytest.raises(ValueError, match="kind"):
        goal_spread(data, kind="f1", target=0.5)
    with pytest.raises(ValueError, match="target"):
        goal_spread(data, kind="precision", target=1.5)


def test_at_a_chosen_share_a_precision_goal_is_reached_there_by_each_fold(data):
    from core.pickers import threshold_for_precision

    spread = goal_spread(data, kind="precision", target=0.8, prevalence=0.5)
    expected = tuple(
        threshold_for_precision(fold, target=0.8, prevalence=0.5).threshold for fold in data.folds
    )
    assert spread.fold_thresholds == expected and spread.prevalence == 0.5
    assert spread.fold_thresholds != goal_spread(data, kind="precision", target=0.8).fold_thresholds
    assert spread.bootstrap is None  # drawn at the training share only
    recall = goal_spread(data, kind="recall", target=0.9, prevalence=0.5)
    assert recall.prevalence is None and recall.bootstrap is not None  # recall has no share
    with pytest.raises(ValueError, match="prevalence"):
        goal_spread(data, kind="precision", target=0.8, prevalence=1.0)
