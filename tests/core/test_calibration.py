"""core.calibration against scikit-learn's calibration_curve and brier_score_loss."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from core.calibration import calibration, calibration_or_none, scores_are_probabilities
from core.scored_set import scored_set


def probabilities(seed: int, n: int, *, ties: bool = False, test_share: float = 0.0):
    """A seeded scored set of probabilities: labels drawn from the scores themselves, so the
    scores are roughly calibrated; with ``ties``, the scores rounded to two decimals."""
    rng = np.random.default_rng(seed)
    scores = rng.beta(0.6, 0.6, size=n)
    if ties:
        scores = np.round(scores, 2)
    y = rng.random(n) < scores
    is_test = rng.random(n) < test_share if test_share else None
    return scored_set(
        name="generated",
        y_true=y,
        scores=scores,
        positive_label="1",
        negative_label="0",
        is_test=is_test,
    )


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_curve_rows_curve_and_brier_are_scikit_learns(seed, ties):
    scored = probabilities(seed, 5_000, ties=ties)
    result = calibration(scored)
    expected_true, expected_pred = calibration_curve(
        scored.y_true, scored.scores, n_bins=10, strategy="quantile"
    )
    np.testing.assert_array_equal(result.curve.fraction_positive, expected_true)
    np.testing.assert_array_equal(result.curve.mean_predicted, expected_pred)
    assert result.curve.brier == brier_score_loss(scored.y_true, scored.scores)
    # The Brier score is the mean squared difference between score and label.
    assert result.curve.brier == pytest.approx(np.mean((scored.scores - scored.y_true) ** 2))
    assert result.curve.n_rows == 5_000
    assert result.curve.n_positive == int(scored.y_true.sum())
    assert result.test is None
    assert result.n_bins == 10 and result.strategy == "quantile"
    assert 1 <= result.curve.mean_predicted.size <= 10
    assert np.all(np.diff(result.curve.mean_predicted) > 0)


def test_heavy_ties_leave_fewer_bins_than_asked():
    rng = np.random.default_rng(7)
    scores = rng.choice([0.0, 0.1, 0.9, 1.0], size=2_000, p=[0.45, 0.05, 0.05, 0.45])
    y = rng.random(2_000) < scores
    scored = scored_set(
        name="tied", y_true=y, scores=scores, positive_label="yes", negative_label="no"
    )
    result = calibration(scored, n_bins=10)
    expected_true, expected_pred = calibration_curve(y, scores, n_bins=10, strategy="quantile")
    np.testing.assert_array_equal(result.curve.fraction_positive, expected_true)
    np.testing.assert_array_equal(result.curve.mean_predicted, expected_pred)
    assert result.curve.mean_predicted.size < 10  # bins with coinciding edges hold no rows


def test_test_rows_are_measured_apart_from_the_curve_rows():
    scored = probabilities(3, 4_000, test_share=0.3)
    result = calibration(scored, n_bins=8)
    for part, rows in ((result.curve, scored.curve_rows), (result.test, scored.test_rows)):
        y, p = scored.y_true[rows], scored.scores[rows]
        expected_true, expected_pred = calibration_curve(y, p, n_bins=8, strategy="quantile")
        np.testing.assert_array_equal(part.fraction_positive, expected_true)
        np.testing.assert_array_equal(part.mean_predicted, expected_pred)
        assert part.brier == brier_score_loss(y, p)
        assert part.n_rows == rows.size
    assert result.curve.rows == "curve" and result.test.rows == "test"
    assert result.curve.n_rows + result.test.n_rows == 4_000


def test_a_worse_model_has_a_higher_brier_score():
    scored = probabilities(4, 3_000)
    # Pushed towards 0.5, the same ranking says less: its Brier score must rise.
    blurred = scored_set(
        name="blurred",
        y_true=scored.y_true,
        scores=0.5 + (scored.scores - 0.5) * 0.2,
        positive_label="1",
        negative_label="0",
    )
    assert calibration(blurred).curve.brier > calibration(scored).curve.brier


def test_a_set_of_one_class_still_has_a_curve():
    scored = scored_set(
        name="positives",
        y_true=np.ones(50, bool),
        scores=np.linspace(0.0, 1.0, 50),
        positive_label="1",
        negative_label="",
    )
    result = calibration(scored, n_bins=5)
    np.testing.assert_array_equal(result.curve.fraction_positive, np.ones(5))
    assert result.curve.brier == pytest.approx(np.mean((np.linspace(0, 1, 50) - 1) ** 2))


@pytest.mark.parametrize("bad", [-0.001, 1.5, 42.0])
def test_scores_outside_zero_one_are_refused_with_the_row(bad):
    scores = np.linspace(0.0, 1.0, 20)
    scores[13] = bad
    scored = scored_set(
        name="margins",
        y_true=np.arange(20) % 2 == 0,
        scores=scores,
        positive_label="1",
        negative_label="0",
    )
    assert not scores_are_probabilities(scored)
    assert calibration_or_none(scored) is None
    with pytest.raises(
        ValueError, match=r"\[0, 1\].*scores\[13\] = " + repr(bad).replace(".", r"\.")
    ):
        calibration(scored)


def test_a_test_row_outside_zero_one_counts_too():
    scores = np.linspace(0.0, 1.0, 20)
    scores[-1] = 1.2
    is_test = np.zeros(20, bool)
    is_test[-1] = True
    scored = scored_set(
        name="s",
        y_true=np.arange(20) % 2 == 0,
        scores=scores,
        positive_label="1",
        negative_label="0",
        is_test=is_test,
    )
    assert calibration_or_none(scored) is None


def test_the_bounds_themselves_are_probabilities():
    scored = scored_set(
        name="s",
        y_true=np.array([False, True, False, True]),
        scores=np.array([0.0, 1.0, 0.0, 1.0]),
        positive_label="1",
        negative_label="0",
    )
    assert scores_are_probabilities(scored)
    assert calibration_or_none(scored).curve.brier == 0.0


@pytest.mark.parametrize("n_bins", [1, 0, 2.5, True, "10"])
def test_n_bins_must_be_an_integer_of_at_least_two(n_bins):
    with pytest.raises(ValueError, match="n_bins"):
        calibration(probabilities(0, 100), n_bins=n_bins)
