"""core.charts: figures build, mark the right point, map clicks to exact thresholds, stay small."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from core.charts import (
    confusion_matrix_figure,
    precision_recall_figure,
    precision_recall_vs_threshold_figure,
    roc_figure,
    threshold_from_selection,
)
from core.thresholds import (
    DRAWN_POINTS,
    build_score_index,
    counts_at,
    metrics_at,
    precision_recall_curve_exact,
    roc_curve_exact,
)

FIGURE_BUDGET_BYTES = 120_000  # the three curve figures together, per threshold change


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


def decode(value) -> np.ndarray:
    """A plotly JSON array: a base64 typed array (plotly 6+) or a plain list."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            array = array.reshape([int(part) for part in str(value["shape"]).split(",")])
        return array
    return np.asarray(value)


def traces_by_name(figure) -> dict:
    return {trace["name"]: trace for trace in json.loads(figure.to_json())["data"]}


def curve_traces(figure) -> list[dict]:
    """Decoded traces that carry customdata (the curves and the current-point markers)."""
    traces = []
    for trace in json.loads(figure.to_json())["data"]:
        if "customdata" in trace:
            trace = {**trace, "customdata": decode(trace["customdata"])}
            trace["x"], trace["y"] = decode(trace["x"]), decode(trace["y"])
            traces.append(trace)
    return traces


def all_figures(small, threshold, max_points=200):
    _, curve, roc = small
    return [
        precision_recall_vs_threshold_figure(curve, threshold=threshold, max_points=max_points),
        precision_recall_figure(curve, threshold=threshold, max_points=max_points),
        roc_figure(roc, threshold=threshold, max_points=max_points),
    ]


# --------------------------------------------------------------------------------------------
# The current point
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantile", [0.05, 0.5, 0.93])
def test_markers_sit_at_the_metrics_of_the_threshold(small, quantile):
    index, curve, roc = small
    threshold = float(np.quantile(index.sorted_scores, quantile)) + 0.5  # between two scores
    metrics = metrics_at(index, threshold=threshold)

    vs_threshold = traces_by_name(
        precision_recall_vs_threshold_figure(curve, threshold=threshold, max_points=200)
    )
    line = vs_threshold[f"Threshold {threshold:,.2f}"]
    assert decode(line["x"]).tolist() == [threshold, threshold]  # exact, not float32
    marker = vs_threshold["Current threshold"]
    np.testing.assert_array_equal(
        decode(marker["y"]), np.float32([metrics.precision, metrics.recall])
    )

    marker = traces_by_name(precision_recall_figure(curve, threshold=threshold, max_points=200))[
        f"Threshold {threshold:,.2f}"
    ]
    assert decode(marker["x"])[0] == np.float32(metrics.recall)
    assert decode(marker["y"])[0] == np.float32(metrics.precision)

    marker = traces_by_name(roc_figure(roc, threshold=threshold, max_points=200))[
        f"Threshold {threshold:,.2f}"
    ]
    assert decode(marker["x"])[0] == np.float32(metrics.false_positive_rate)
    assert decode(marker["y"])[0] == np.float32(metrics.recall)


def test_current_point_is_drawn_on_the_curve(small):
    index, curve, _ = small
    threshold = float(index.thresholds[1234])
    figure = precision_recall_figure(curve, threshold=threshold, max_points=50)
    line = curve_traces(figure)[0]
    assert threshold in line["customdata"][:, 0]


def test_threshold_beyond_the_scores(small):
    index, curve, roc = small
    above = float(index.thresholds[-1]) + 1e6
    spec = json.loads(
        precision_recall_vs_threshold_figure(curve, threshold=above, max_points=100).to_json()
    )
    assert [trace["name"] for trace in spec["data"]] == ["Precision", "Recall"]
    assert "nothing flagged" in spec["layout"]["annotations"][0]["text"]
    names = traces_by_name(precision_recall_figure(curve, threshold=math.inf, max_points=100))
    assert list(names) == ["Precision vs recall"]  # no operating point when nothing is flagged
    marker = [t for t in curve_traces(roc_figure(roc, threshold=above)) if t["mode"] == "markers"]
    assert marker[0]["x"][0] == 0 and marker[0]["y"][0] == 0  # ROC's "flag nothing" corner
    below = precision_recall_figure(curve, threshold=-math.inf, max_points=100)
    marker = traces_by_name(below)["Threshold -inf"]
    assert decode(marker["x"])[0] == 1.0  # everything flagged: recall 100%


@pytest.mark.parametrize("bad", [math.nan, "1", None])
def test_builders_reject_bad_threshold(small, bad):
    _, curve, _ = small
    with pytest.raises(ValueError, match="threshold"):
        precision_recall_figure(curve, threshold=bad)


def test_builders_reject_bad_max_points(small):
    _, curve, roc = small
    with pytest.raises(ValueError, match="max_points"):
        roc_figure(roc, threshold=0.0, max_points=1)


# --------------------------------------------------------------------------------------------
# Hover data and click selection
# --------------------------------------------------------------------------------------------


def test_customdata_carries_exact_thresholds_and_their_counts(small):
    index, _, _ = small
    threshold = float(np.median(index.sorted_scores))
    for figure in all_figures(small, threshold):
        for trace in curve_traces(figure):
            customdata = trace["customdata"]
            thresholds = customdata if customdata.ndim == 1 else customdata[:, 0]
            assert customdata.dtype == np.float64
            assert np.isin(thresholds[np.isfinite(thresholds)], index.thresholds).all()
            if customdata.ndim == 2:
                for row in customdata[:: max(1, len(customdata) // 40)]:
                    counts = counts_at(index, threshold=row[0])
                    assert tuple(row[1:5]) == (counts.tp, counts.fp, counts.fn, counts.tn)


def test_hovertemplates_name_the_columns_they_read(small):
    for figure in all_figures(small, 0.0):
        for trace in curve_traces(figure):
            template = trace.get("hovertemplate", "")
            columns = 1 if trace["customdata"].ndim == 1 else trace["customdata"].shape[1]
            for position in range(6):
                if f"customdata[{position}]" in template:
                    assert position < columns
    hover = " ".join(
        trace.get("hovertemplate", "")
        for figure in all_figures(small, 0.0)
        for trace in json.loads(figure.to_json())["data"]
    )
    for word in ("Threshold", "Precision", "Recall", "TP", "FP", "FN", "TN"):
        assert word in hover


def streamlit_point(row: np.ndarray) -> dict:
    """A selected point as Streamlit hands it over: a typed-array row becomes {"0": ...}."""
    if row.ndim == 0:
        return {"curve_number": 1, "point_index": 3, "customdata": float(row)}
    return {
        "curve_number": 1,
        "point_index": 3,
        "customdata": {str(i): v for i, v in enumerate(row.tolist())},
    }


def test_selection_round_trips_to_the_exact_threshold(small):
    index, _, _ = small
    for figure in all_figures(small, 1000.0):
        for trace in curve_traces(figure):
            for row in trace["customdata"][::25]:
                # Through JSON, as the browser would send it back.
                event = json.loads(json.dumps({"selection": {"points": [streamlit_point(row)]}}))
                threshold = threshold_from_selection(event)
                expected = float(row if row.ndim == 0 else row[0])
                if math.isfinite(expected):
                    assert threshold == expected and threshold in index.thresholds
                else:
                    assert threshold is None


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (
            {"selection": {"points": [{"customdata": [3370.0194991439557, 1, 2, 3, 4]}]}},
            3370.0194991439557,
        ),
        ({"points": [{"customdata": [-12.5]}]}, -12.5),
        ({"selection": {"points": [{"customdata": {"0": 7.25, "1": 3}}]}}, 7.25),
        ({"selection": {"points": [{"customdata": 42}]}}, 42.0),
        ({"selection": {"points": [{"x": 1}, {"customdata": [None]}, {"customdata": [2.0]}]}}, 2.0),
        ({"selection": {"points": [], "point_indices": [], "box": [], "lasso": []}}, None),
        ({"selection": {"points": [{"x": 0.5, "y": 0.9}]}}, None),
        ({"selection": {"points": [{"customdata": []}]}}, None),
        ({"selection": {"points": [{"customdata": ["3370"]}]}}, None),
        ({"selection": {"points": [{"customdata": [True]}]}}, None),
        ({"selection": {"points": [{"customdata": [None]}]}}, None),
        ({"selection": {"points": "garbage"}}, None),
        ({"selection": None}, None),
        ({}, None),
        (None, None),
        ("garbage", None),
        ([1, 2], None),
    ],
)
def test_threshold_from_selection(selection, expected):
    assert threshold_from_selection(selection) == expected


# --------------------------------------------------------------------------------------------
# Confusion matrix
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Size
# --------------------------------------------------------------------------------------------


def test_default_figures_fit_the_byte_budget_on_mnist_sized_data():
    y_true, scores = detector_like(60_000, seed=5)
    index = build_score_index(y_true=y_true, scores=scores)
    curve, roc = precision_recall_curve_exact(index), roc_curve_exact(index)
    threshold = float(np.quantile(scores, 0.9))
    figures = [
        precision_recall_vs_threshold_figure(curve, threshold=threshold),
        precision_recall_figure(curve, threshold=threshold),
        roc_figure(roc, threshold=threshold),
    ]
    sizes = [len(figure.to_json()) for figure in figures]
    assert sum(sizes) < FIGURE_BUDGET_BYTES, sizes
    for figure in figures:
        for trace in curve_traces(figure):
            assert len(trace["x"]) <= DRAWN_POINTS + 1
            assert trace["x"].dtype == np.float32


def test_every_curve_with_customdata_is_selectable_by_click(small):
    # plotly.js selects no point of a lines-only trace: Streamlit would get an empty selection.
    for figure in all_figures(small, 0.0):
        for trace in curve_traces(figure):
            assert "markers" in trace["mode"], trace["name"]
