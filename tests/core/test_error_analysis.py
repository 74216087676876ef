"""The confusion matrix's views and a cell's members, on small seeded data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

from core.error_analysis import COUNTS, ERRORS, ROWS, VIEWS, cell_members, confusion_view
from core.params import parse_cell


def _labels(seed: int = 0, n: int = 400, k: int = 4):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, size=n)
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, k, size=n))
    return y_true, y_pred


def test_views_match_scikit_learn_normalisations():
    y_true, y_pred = _labels()
    cm = confusion_matrix(y_true, y_pred)
    (counts,) = confusion_view(cm, view=COUNTS)
    np.testing.assert_array_equal(counts.values, cm)
    assert not counts.is_share

    (rows,) = confusion_view(cm, view=ROWS)
    np.testing.assert_allclose(rows.values, confusion_matrix(y_true, y_pred, normalize="true"))
    assert rows.is_share

    # The book: sample_weight = (y_pred != y_true), normalize "true" then "pred".
    weight = (y_pred != y_true).astype(float)
    by_row, by_column = confusion_view(cm, view=ERRORS)
    expected_rows = confusion_matrix(y_true, y_pred, sample_weight=weight, normalize="true")
    expected_columns = confusion_matrix(y_true, y_pred, sample_weight=weight, normalize="pred")
    off = ~np.eye(cm.shape[0], dtype=bool)
    np.testing.assert_allclose(by_row.values[off], expected_rows[off])
    np.testing.assert_allclose(by_column.values[off], expected_columns[off])
    assert np.isnan(np.diag(by_row.values)).all() and np.isnan(np.diag(by_column.values)).all()
    np.testing.assert_allclose(np.nansum(by_row.values, axis=1), 1.0)
    np.testing.assert_allclose(np.nansum(by_column.values, axis=0), 1.0)
    # Every panel keeps the raw counts, diagonal included, for the hover.
    np.testing.assert_array_equal(by_column.counts, cm)
    assert [p.kind for p in (by_row, by_column)] == ["errors_rows", "errors_columns"]


def test_zero_totals_are_nan_not_zero():
    cm = np.array([[5, 0, 0], [0, 0, 0], [1, 2, 3]])
    (rows,) = confusion_view(cm, view=ROWS)
    assert np.isnan(rows.values[1]).all()
    assert rows.values[0].tolist() == [1.0, 0.0, 0.0]
    by_row, by_column = confusion_view(cm, view=ERRORS)
    # Row 0 has no errors: 0/0 everywhere off the diagonal.
    assert np.isnan(by_row.values[0]).all()
    assert by_row.values[2, 0] == pytest.approx(1 / 3) and by_row.values[2, 1] == pytest.approx(
        2 / 3
    )
    assert by_column.values[2, 0] == 1.0 and np.isnan(by_column.values[0, 2])


def test_panels_are_read_only():
    (panel,) = confusion_view(np.eye(3, dtype=int) * 4, view=ROWS)
    with pytest.raises(ValueError):
        panel.values[0, 0] = 0.5


@pytest.mark.parametrize(
    ("cm", "view", "message"),
    [
        (
            np.eye(3, dtype=int),
            "percent",
            "view must be one of counts, rows, errors; got 'percent'",
        ),
        (np.ones((2, 3), dtype=int), ROWS, "square matrix"),
        (np.array([[1]]), ROWS, "at least 2 classes"),
        (np.array([[1, -1], [0, 2]]), ROWS, "counts >= 0"),
        (np.array([[1.5, 0], [0, 2]]), ROWS, "whole counts"),
    ],
)
def test_bad_views_are_refused(cm, view, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        confusion_view(cm, view=view)


def test_views_constant_lists_every_view():
    assert VIEWS == (COUNTS, ROWS, ERRORS)
    for view in VIEWS:
        assert confusion_view(np.eye(2, dtype=int), view=view)


def _scores():
    # Four samples of three classes; argmax is the prediction.
    scores = np.array(
        [
            [1.0, 5.0, 0.0],  # true 0, predicted 1, margin 4
            [4.5, 5.0, 0.0],  # true 0, predicted 1, margin 0.5
            [2.0, 3.0, 2.9],  # true 0, predicted 1, margin 1
            [9.0, 1.0, 8.0],  # true 0, predicted 0, margin 1 (runner-up class 2)
            [9.0, 1.0, 2.0],  # true 0, predicted 0, margin 7
            [0.0, 0.0, 3.0],  # true 2, predicted 2, margin 3
        ]
    )
    y_true = np.array([0, 0, 0, 0, 0, 2])
    return y_true, scores.argmax(axis=1), scores


def test_error_cell_borderline_first():
    y_true, y_pred, scores = _scores()
    cell = cell_members(
        y_true=y_true, y_pred=y_pred, decision_scores=scores, true_class=0, predicted_class=1
    )
    assert cell.indices.tolist() == [1, 2, 0]
    np.testing.assert_allclose(cell.margins, [0.5, 1.0, 4.0])
    assert cell.n_total == 3 and (cell.true_class, cell.predicted_class) == (0, 1)


def test_diagonal_cell_uses_the_runner_up():
    y_true, y_pred, scores = _scores()
    cell = cell_members(
        y_true=y_true, y_pred=y_pred, decision_scores=scores, true_class=0, predicted_class=0
    )
    assert cell.indices.tolist() == [3, 4]
    np.testing.assert_allclose(cell.margins, [1.0, 7.0])


def test_limit_empty_cell_and_ties():
    y_true, y_pred, scores = _scores()
    first = cell_members(
        y_true=y_true,
        y_pred=y_pred,
        decision_scores=scores,
        true_class=0,
        predicted_class=1,
        limit=1,
    )
    assert first.indices.tolist() == [1] and first.n_total == 3
    empty = cell_members(
        y_true=y_true, y_pred=y_pred, decision_scores=scores, true_class=2, predicted_class=0
    )
    assert empty.indices.size == 0 and empty.margins.size == 0 and empty.n_total == 0
    tied = cell_members(
        y_true=np.zeros(3, dtype=int),
        y_pred=np.ones(3, dtype=int),
        decision_scores=np.tile([0.0, 1.0], (3, 1)),
        true_class=0,
        predicted_class=1,
    )
    assert tied.indices.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"true_class": 3}, "true_class must be from 0 to 2, got 3"),
        ({"predicted_class": -1}, "predicted_class must be from 0 to 2, got -1"),
        ({"true_class": True}, "true_class must be a class position"),
        ({"limit": -1}, "limit must be None or an integer >= 0, got -1"),
        ({"y_pred": np.zeros(2, dtype=int)}, "y_true and y_pred must be 1-D of one length"),
        ({"decision_scores": np.zeros((6, 1))}, r"decision_scores must have shape \(6"),
        ({"decision_scores": np.full((6, 3), np.nan)}, "decision_scores must be finite"),
    ],
)
def test_cell_members_refuses_bad_arguments(change, message):
    y_true, y_pred, scores = _scores()
    arguments = dict(
        y_true=y_true, y_pred=y_pred, decision_scores=scores, true_class=0, predicted_class=1
    )
    arguments.update(change)
    with pytest.raises(ValueError, match=message):
        cell_members(**arguments)


@pytest.mark.parametrize(
    ("raw", "value", "noted"),
    [
        (None, None, False),
        ("", None, False),
        ("3-5", (3, 5), False),
        (" 0-9 ", (0, 9), False),
        ("3_5", None, True),
        ("35", None, True),
        ("12-3", None, True),
        ("3-5-1", None, True),
        ("٣-5", None, True),
    ],
)
def test_parse_cell(raw, value, noted):
    parsed = parse_cell(raw, name="cell", n_classes=10)
    assert parsed.value == value
    assert (parsed.note is not None) is noted


def test_parse_cell_outside_fewer_classes():
    parsed = parse_cell("7-2", name="cell", n_classes=5)
    assert parsed.value is None and "0–4" in parsed.note


# --- drawing the views (core.charts) --------------------------------------------------------


def test_confusion_figure_draws_the_panel_and_a_clickable_marker_per_cell():
    from core.charts import multiclass_confusion_figure

    cm = np.array([[50, 3, 0], [4, 40, 6], [0, 0, 0]])
    (rows,) = confusion_view(cm, view=ROWS)
    figure = multiclass_confusion_figure(
        rows, classes=("0", "1", "2"), title="Rows", selected=(1, 2)
    )
    heatmap, cells = figure.data
    np.testing.assert_array_equal(np.asarray(heatmap.z, dtype=float)[:2], rows.values[:2])
    assert np.isnan(np.asarray(heatmap.z, dtype=float)[2]).all()
    assert heatmap.text[1][2] == "12%" and heatmap.text[2][0] == ""  # 6/50; 0/0 is blank
    np.testing.assert_array_equal(heatmap.customdata, cm)  # hover names the raw counts
    # One marker per cell, its customdata the cell's (true, predicted) positions.
    assert len(cells.x) == 9
    pairs = {(int(r), int(c)) for r, c in cells.customdata}
    assert pairs == {(r, c) for r in range(3) for c in range(3)}
    point = list(zip(cells.y, cells.x, strict=True)).index(("1", "2"))
    assert tuple(cells.customdata[point]) == (1, 2)
    (outline,) = figure.layout.shapes
    assert (outline.x0, outline.x1, outline.y0, outline.y1) == (1.5, 2.5, 0.5, 1.5)
    assert figure.layout.clickmode == "event+select"

    (counts,) = confusion_view(cm, view=COUNTS)
    counted = multiclass_confusion_figure(counts, classes=("0", "1", "2"), title="Counts")
    assert counted.data[0].text[0][0] == "50" and not counted.layout.shapes


def test_confusion_figure_refuses_a_wrong_class_list_or_cell():
    from core.charts import multiclass_confusion_figure

    (panel,) = confusion_view(np.eye(3, dtype=int), view=COUNTS)
    with pytest.raises(ValueError, match="classes must name the 3 classes, got 2"):
        multiclass_confusion_figure(panel, classes=("0", "1"), title="t")
    with pytest.raises(ValueError, match="selected must be a cell of the 3x3 matrix"):
        multiclass_confusion_figure(panel, classes="012", title="t", selected=(0, 3))


def test_class_scores_figure_marks_the_predicted_class():
    from core.charts import class_scores_figure

    scores = np.array([-3.0, 1.5, 0.2])
    figure = class_scores_figure(scores, classes=("0", "1", "2"), predicted=1, title="t")
    (bars,) = figure.data
    np.testing.assert_array_equal(bars.y, scores)
    colors = list(bars.marker.color)
    assert colors[1] != colors[0] and colors[0] == colors[2]
    with pytest.raises(ValueError, match="one score per class"):
        class_scores_figure(scores[:2], classes="012", predicted=0, title="t")
    with pytest.raises(ValueError, match="predicted must be from 0 to 2"):
        class_scores_figure(scores, classes="012", predicted=3, title="t")
    with pytest.raises(ValueError, match="finite"):
        class_scores_figure([np.nan, 0, 0], classes="012", predicted=0, title="t")
