"""core.refit: the chosen threshold against the final model, and the same share flagged.

Unit tests on small data and the small digits' detector; the golden figures on the real MNIST
5-detector are checked against an independent scikit-learn computation (median scores, the
test's precision and recall at the notebook's thresholds under both rules).
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from core.charts import ThresholdLine, ThresholdMark, threshold_lines_figure
from core.cli_text import format_tradeoff
from core.data import load_fallback_dataset
from core.detector import train_detector
from core.refit import (
    CROSS_VALIDATED,
    SAME_SHARE,
    final_training_scores,
    n_flagged,
    refit_comparison,
    refit_curves,
    refit_scores,
    same_share_threshold,
    share_flagged_curve,
)
from core.tradeoff import tradeoff_data, tradeoff_summary
from harness.commands import python_json


def index_of(scores):
    """Scores as the mapping takes them: float64, ascending."""
    return np.sort(np.asarray(scores, dtype=np.float64))


def independent_same_share(cv_scores, final_scores, threshold):
    """The mapping by hand: as many flagged of the final scores as of the cross-validated."""
    k = int(np.count_nonzero(np.asarray(cv_scores) >= threshold))
    return math.inf if k == 0 else float(np.sort(final_scores)[-k])


# --------------------------------------------------------------------------------------------
# The quantile mapping, on small data
# --------------------------------------------------------------------------------------------


def test_the_same_share_flags_as_many_target_scores_as_the_threshold_flags_of_the_source():
    rng = np.random.default_rng(3)
    source = index_of(rng.normal(-10, 5, 200))
    target = index_of(rng.normal(4, 2, 200))
    for threshold in [*source, -30.0, 0.0, 1e9, -math.inf]:
        mapped = same_share_threshold(source=source, target=target, threshold=threshold)
        k = n_flagged(source, threshold=threshold)
        assert n_flagged(target, threshold=mapped) == k
        if k:  # the lowest such threshold: one score higher flags one fewer
            assert mapped in target
            assert n_flagged(target, threshold=np.nextafter(mapped, math.inf)) == k - 1


def test_a_threshold_flagging_nothing_maps_to_infinity_and_everything_to_the_lowest_score():
    source, target = index_of([1.0, 2.0, 3.0]), index_of([10.0, 20.0, 30.0])
    assert same_share_threshold(source=source, target=target, threshold=3.5) == math.inf
    assert same_share_threshold(source=source, target=target, threshold=math.inf) == math.inf
    assert same_share_threshold(source=source, target=target, threshold=-5.0) == 10.0
    assert same_share_threshold(source=source, target=target, threshold=2.0) == 20.0
    assert same_share_threshold(source=source, target=target, threshold=2.5) == 30.0


def test_ties_at_the_mapped_score_are_all_flagged():
    source = index_of([1.0, 2.0, 3.0, 4.0])
    target = index_of([5.0, 7.0, 7.0, 9.0])
    mapped = same_share_threshold(source=source, target=target, threshold=3.0)  # flags 2
    assert mapped == 7.0
    assert n_flagged(target, threshold=mapped) == 3  # both 7s: a tie cannot be split


def test_sets_of_other_sizes_map_the_share_rounded():
    source = index_of(np.arange(10.0))  # >= 7 flags 3 of 10: 30%
    target = index_of(np.arange(100.0, 120.0))  # 30% of 20 is 6: the 6th highest, 114
    assert same_share_threshold(source=source, target=target, threshold=7.0) == 114.0


def test_a_nan_threshold_is_refused():
    source = index_of([1.0, 2.0])
    with pytest.raises(ValueError, match="threshold must not be NaN"):
        same_share_threshold(source=source, target=source, threshold=math.nan)


def test_the_share_flagged_curve_is_the_share_at_or_above_each_distinct_score():
    scores = np.array([3.0, 1.0, 2.0, 2.0, 5.0])
    thresholds, shares = share_flagged_curve(index_of(scores))
    np.testing.assert_array_equal(thresholds, [1.0, 2.0, 3.0, 5.0])
    np.testing.assert_array_equal(shares, [(scores >= t).mean() for t in thresholds])


# --------------------------------------------------------------------------------------------
# The small digits' detector
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    return load_fallback_dataset()


@pytest.fixture(scope="module")
def detector(digits, tmp_path_factory):
    return train_detector(digits, digit=5, cache_dir=tmp_path_factory.mktemp("refit-cache"))


@pytest.fixture(scope="module")
def final_train(detector, digits):
    return final_training_scores(detector, digits)


@pytest.fixture(scope="module")
def scores(detector, final_train):
    return refit_scores(tradeoff_data(detector), final_train_scores=final_train)


def test_final_training_scores_are_the_final_models_decision_function(detector, digits):
    X = digits.images[: digits.n_train].astype(np.float64)
    expected = detector.model.decision_function(X)
    np.testing.assert_allclose(final_training_scores(detector, digits), expected, rtol=1e-12)


def test_final_training_scores_refuse_other_data(detector, digits):
    from dataclasses import replace

    with pytest.raises(ValueError, match="trained on other data"):
        final_training_scores(detector, replace(digits, fingerprint="0" * 64))


def test_refit_scores_need_one_score_per_training_digit(detector):
    with pytest.raises(ValueError, match="final_train_scores must be"):
        refit_scores(tradeoff_data(detector), final_train_scores=np.zeros(3))
    with pytest.raises(ValueError, match="finite scores"):
        refit_scores(
            tradeoff_data(detector), final_train_scores=np.full(detector.y_train.size, np.nan)
        )


def figures(y_true, scores, threshold):
    flagged = scores >= threshold
    return (
        precision_score(y_true, flagged, zero_division=np.nan),
        recall_score(y_true, flagged),
    )


def check_against_sklearn(comparison, result, final_train, threshold):
    """Every figure of ``comparison`` from scikit-learn and numpy, independently."""
    assert comparison.chosen_threshold == threshold
    cv = comparison.cross_validated
    assert (cv.precision, cv.recall) == pytest.approx(
        figures(result.y_train, result.cv_scores, threshold), nan_ok=True, abs=0
    )
    assert comparison.share_flagged_cv == np.mean(result.cv_scores >= threshold)
    assert comparison.median_cv == np.median(result.cv_scores)
    assert comparison.median_final_train == np.median(final_train)
    assert comparison.median_test == np.median(result.test_scores)
    mapped = independent_same_share(result.cv_scores, final_train, threshold)
    assert comparison.same_share.threshold == mapped
    for choice, at in ((comparison.as_chosen, threshold), (comparison.same_share, mapped)):
        assert choice.threshold == at
        assert choice.share_flagged_train == np.mean(final_train >= at)
        precision, recall = figures(result.y_test, result.test_scores, at)
        assert choice.test.recall == recall
        assert choice.test.precision == pytest.approx(precision, nan_ok=True, abs=0)
        assert choice.test.tp == np.count_nonzero((result.test_scores >= at) & result.y_test)


@pytest.mark.parametrize("position", [-150, -40, -3])
def test_the_comparison_agrees_with_scikit_learn(detector, final_train, scores, position):
    threshold = float(np.sort(detector.cv_scores)[position])
    comparison = refit_comparison(scores, threshold=threshold)
    check_against_sklearn(comparison, detector, final_train, threshold)
    assert comparison.carried(CROSS_VALIDATED) is comparison.as_chosen
    assert comparison.carried(SAME_SHARE) is comparison.same_share
    assert comparison.same_share.rule == SAME_SHARE
    assert comparison.as_chosen.rule == CROSS_VALIDATED


def test_the_comparison_as_json(detector, scores):
    comparison = refit_comparison(scores, threshold=math.inf)
    data = json.loads(json.dumps(comparison.as_json(), allow_nan=False))
    choices = data["choices"]
    assert data["chosen_threshold"] == "inf" and choices["same_share"]["threshold"] == "inf"
    assert choices["cross_validated"]["threshold"] == "inf"
    assert choices["same_share"]["test"]["precision"] is None
    assert data["cross_validated_figures"]["precision"] is None  # nothing flagged: undefined
    assert data["share_flagged_cross_validated"] == 0.0
    assert set(data["median_score"]) == {
        "cross_validated",
        "final_model_training",
        "final_model_test",
    }
    with pytest.raises(ValueError, match="rule must be one of"):
        comparison.carried("median")


def test_the_drawn_curves_are_points_of_the_exact_curves(detector, final_train, scores):
    curves = refit_curves(scores, max_points=50)
    for drawn, values in (
        (curves.share_cv, detector.cv_scores),
        (curves.share_final_train, final_train),
        (curves.share_test, detector.test_scores),
    ):
        assert 2 <= drawn.thresholds.size <= 50
        expected = [np.mean(values >= t) for t in drawn.thresholds]
        np.testing.assert_array_equal(drawn.values, expected)
    for drawn, y, s in (
        (curves.test_pr, detector.y_test, detector.test_scores),
        (curves.cv_pr, detector.y_train, detector.cv_scores),
    ):
        recall = [recall_score(y, s >= t) for t in drawn.thresholds]
        np.testing.assert_array_equal(drawn.values[:, 1], recall)
    low, high = curves.x_range
    assert low < np.median(detector.cv_scores) and np.median(detector.test_scores) < high


def test_the_figure_marks_finite_thresholds_inside_its_range_and_names_them():
    line = ThresholdLine("a", np.array([0.0, 1.0]), np.array([1.0, 0.0]), "#000")
    figure = threshold_lines_figure(
        [line],
        marks=[
            ThresholdMark("here", 0.5),
            ThresholdMark("gone", math.inf),
            ThresholdMark("far", 9),
        ],
        title="t",
        x_title="",
        y_title="",
        x_range=(0.0, 1.0),
        uirevision="u",
    )
    assert [trace.name for trace in figure.data] == ["a", "here"]
    assert [shape.x0 for shape in figure.layout.shapes] == [0.5]
    np.testing.assert_array_equal(figure.data[0].y, [100.0, 0.0])  # drawn in percent


def test_the_command_line_prints_the_refit(detector, final_train, scores):
    threshold = float(np.sort(detector.cv_scores)[-40])
    comparison = refit_comparison(scores, threshold=threshold)
    summary = tradeoff_summary(tradeoff_data(detector), threshold=threshold)
    text = format_tradeoff({"digit": 5, **summary, "refit": comparison.as_json()})
    assert "Why the test differs" in text
    assert f"{comparison.median_cv:,.0f} cross-validated" in text
    assert str(comparison.same_share.threshold) in text


def test_the_command_lines_json_has_the_refit(tmp_path, detector, final_train, scores):
    threshold = float(np.sort(detector.cv_scores)[-40])
    env = dict(os.environ)
    env.pop("MNIST_DATA", None)
    env["THRESHOLD_EXPLORER_CACHE"] = str(tmp_path)
    env["THRESHOLD_EXPLORER_OFFLINE"] = "1"
    printed = python_json(
        ["-m", "core", "tradeoff", "--threshold", repr(threshold), "--json"], env=env
    )
    expected = refit_comparison(scores, threshold=threshold).as_json()
    assert printed["refit"] == json.loads(json.dumps(expected))
    assert printed["refit"]["choices"]["same_share"]["threshold"] == independent_same_share(
        detector.cv_scores, final_train, threshold
    )


# --------------------------------------------------------------------------------------------
# The real MNIST 5-detector
# --------------------------------------------------------------------------------------------

THRESHOLD_90 = 3370.0194991439557  # the notebook's cell [14]


@pytest.fixture(scope="module")
def mnist_refit(mnist_dir, shared_cache_dir):
    from core.data import load_dataset

    mnist = load_dataset(data_dir=mnist_dir)
    result = train_detector(mnist, digit=5, cache_dir=shared_cache_dir)
    # Independently of core.refit: scikit-learn's own decision_function on all training digits.
    final_train = result.model.decision_function(mnist.images[: mnist.n_train])
    ours = final_training_scores(result, mnist)
    return result, final_train, ours, refit_scores(tradeoff_data(result), final_train_scores=ours)


@pytest.mark.mnist
def test_mnist_final_training_scores_are_scikit_learns(mnist_refit):
    _, final_train, ours, _ = mnist_refit
    np.testing.assert_array_equal(ours, final_train)


@pytest.mark.mnist
@pytest.mark.parametrize("threshold", [0.0, THRESHOLD_90])
def test_mnist_refit_figures_agree_with_scikit_learn(mnist_refit, threshold):
    result, final_train, _, scores = mnist_refit
    comparison = refit_comparison(scores, threshold=threshold)
    check_against_sklearn(comparison, result, final_train, threshold)


@pytest.mark.mnist
def test_mnist_refit_figures_are_the_issues(mnist_refit):
    """The figures the issue quotes, as the page rounds them."""
    _, _, _, scores = mnist_refit
    at_zero = refit_comparison(scores, threshold=0.0)
    assert f"{at_zero.median_test:,.0f}" == "-4,837"
    assert f"{at_zero.median_cv:,.0f}" == "-16,791"
    assert f"{at_zero.cross_validated.precision:.1%}" == "83.7%"
    assert f"{at_zero.cross_validated.recall:.1%}" == "65.1%"
    assert f"{at_zero.as_chosen.test.precision:.1%}" == "66.2%"
    assert f"{at_zero.as_chosen.test.recall:.1%}" == "88.0%"
    # The final model flags more at 0 than the fold models; the same share flags fewer there.
    assert at_zero.as_chosen.share_flagged_train > at_zero.share_flagged_cv
    assert at_zero.same_share.threshold > 0.0
    assert at_zero.same_share.share_flagged_train == at_zero.share_flagged_cv
