"""core.drawing: which points of a curve are drawn."""

from __future__ import annotations

import numpy as np
import pytest

from core.counting import build_score_index
from core.curves import precision_recall_curve_exact
from core.drawing import thin_curve
from tests.core.score_cases import make_case


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
