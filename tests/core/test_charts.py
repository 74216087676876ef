"""core.charts: the confusion matrix figure, and the curves' drawn points."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.charts import confusion_matrix_figure
from core.counting import build_score_index, metrics_at
from core.curves import precision_recall_curve_exact, roc_curve_exact
from core.drawing import MARKER_POINTS


def detector_like(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    y_true = rng.random(n) < 0.1
    scores = rng.normal(size=n) * 15_000 + np.where(y_true, 10_000.0, -10_000.0)
    return y_true, scores


@pytest.fixture(scope="module")
def small():
    y_true, scores = detector_like(3000)
    index = build_score_index(y_true=y_true, scores=scores)
    return index, precision_recall_curve_exact(index), roc_curve_exact(index)


def test_a_curve_s_drawn_points_are_thinned_once_and_keep_both_ends(small):
    _, curve, roc = small
    for drawn, size in ((curve.drawn, curve.thresholds.size), (roc.drawn, roc.thresholds.size)):
        assert 2 <= drawn.size <= MARKER_POINTS
        assert drawn[0] == 0 and drawn[-1] == size - 1
        assert np.all(np.diff(drawn) > 0)
    assert curve.drawn is curve.drawn and roc.drawn is roc.drawn  # a cached property


def test_confusion_matrix_figure_shows_names_counts_and_row_shares(small):
    index, _, _ = small
    metrics = metrics_at(index, threshold=0.0)
    figure = confusion_matrix_figure(metrics, title="At threshold 0", digit=3)
    spec = json.loads(figure.to_json())
    texts = {a["text"].split("<br>")[0]: a["text"] for a in spec["layout"]["annotations"]}
    negatives, positives = metrics.tn + metrics.fp, metrics.fn + metrics.tp
    expected = {
        "TN": (metrics.tn, negatives, "not 3"),
        "FP": (metrics.fp, negatives, "not 3"),
        "FN": (metrics.fn, positives, "3"),
        "TP": (metrics.tp, positives, "3"),
    }
    for name, (count, row_total, row_name) in expected.items():
        text = texts[f"<b>{name}</b>"]
        assert f"{count:,}" in text and f"{count / row_total:.1%} of {row_name}" in text
    assert spec["data"][0]["x"] == ["not 3", "3"] and spec["data"][0]["y"] == ["not 3", "3"]
    assert spec["layout"]["xaxis"]["title"]["text"] == "Predicted"
    assert spec["layout"]["yaxis"]["title"]["text"] == "Actual"
    assert spec["layout"]["title"]["text"] == "At threshold 0"
    same = confusion_matrix_figure(metrics.counts.as_matrix(), title="At threshold 0", digit=3)
    assert same.to_json() == figure.to_json()


def test_confusion_matrix_figure_handles_an_empty_row_and_rejects_bad_shapes():
    spec = json.loads(confusion_matrix_figure([[0, 0], [4, 6]], title="t").to_json())
    assert any("–" in a["text"] for a in spec["layout"]["annotations"])
    with pytest.raises(ValueError, match="cm"):
        confusion_matrix_figure([[1, 2, 3]], title="t")
    with pytest.raises(ValueError, match="cm"):
        confusion_matrix_figure([[1, -2], [3, 4]], title="t")
