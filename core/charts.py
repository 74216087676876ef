"""Plotly figures built from :mod:`core.curves` results: the confusion matrix, the
compared models' overlaid ROC and precision-recall curves, and lines against the threshold with
marked thresholds (the trade-off page's two small pictures of the final model's scale, from
:mod:`core.refit`), and the multiclass classifier's confusion matrix (the views of
:mod:`core.error_analysis`) and one digit's ten decision scores. (The trade-off page's
explorer draws its own curves in the browser, from :mod:`core.explorer`'s payload.)

Computing and drawing are separate: the builders take the curves and counts computed in
:mod:`core.counting` and :mod:`core.curves` and only choose which points to draw
(:func:`~core.drawing.thin_curve`).
They never recompute a metric. Every curve point carries its exact threshold in
``customdata[0]`` (float64), followed by its confusion counts, for the hover text.

Coordinates are float32 (plotly 6+ sends numpy arrays as base64 typed arrays), curves are
thinned to ``max_points`` points for drawing, and the template is plotly_white trimmed to the
parts a 2-D chart uses. Which points to draw is a cached property of each curve (``drawn``),
computed once per curve object.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from core.counting import ConfusionCounts, ThresholdMetrics
from core.curves import PrecisionRecallCurve, RocCurve
from core.drawing import MARKER_POINTS, thin_curve
from core.validation import check_count, check_threshold

FIGURE_HEIGHT = 400

GUIDE_COLOR = "#9aa5b1"

_COUNTS_HOVER = (
    "TP %{customdata[1]:,} · FP %{customdata[2]:,}<br>FN %{customdata[3]:,} · TN %{customdata[4]:,}"
)

# plotly_white, trimmed to what a 2-D chart reads: the template travels as JSON with every
# figure on every rerun, so it carries nothing a 2-D chart ignores. Kept as a plain dict, which
# plotly validates faster than a Template object.
_WHITE_KEYS = (
    "autotypenumbers",
    "colorway",
    "font",
    "hoverlabel",
    "paper_bgcolor",
    "plot_bgcolor",
    "xaxis",
    "yaxis",
    "shapedefaults",
    "annotationdefaults",
    "title",
)
_TEMPLATE = {
    "layout": {
        key: value
        for key, value in pio.templates["plotly_white"].layout.to_plotly_json().items()
        if key in _WHITE_KEYS
    }
}


# --------------------------------------------------------------------------------------------
# Point selection: a curve's drawn points are its own cached property at the default count
# --------------------------------------------------------------------------------------------


def _drawn(cached: np.ndarray, x, y, max_points: int) -> np.ndarray:
    """Indices to draw: ``cached``, the curve's own thinned indices at
    :data:`~core.drawing.MARKER_POINTS`; another ``max_points`` thins anew."""
    return cached if max_points == MARKER_POINTS else thin_curve(x, y, max_points=max_points)


def _customdata(thresholds, tp, fp, fn, tn, *extra) -> np.ndarray:
    """``[threshold, tp, fp, fn, tn, *extra]`` per point, float64 so the threshold is exact."""
    return np.column_stack((thresholds, tp, fp, fn, tn, *extra)).astype(np.float64)


def _curve_points(curve, at, *extra) -> np.ndarray:
    """:func:`_customdata` of the points ``at`` (indices or a slice), with ``extra`` columns."""
    return _customdata(
        curve.thresholds[at],
        curve.tp[at],
        curve.fp[at],
        curve.fn[at],
        curve.tn[at],
        *(column[at] for column in extra),
    )


def _f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def _layout(*, title: str, x_title: str, y_title: str, uirevision: str, **extra) -> dict:
    layout = dict(
        template=_TEMPLATE,
        title=dict(text=title, x=0.0, xanchor="left", font=dict(size=15)),
        height=FIGURE_HEIGHT,
        margin=dict(l=60, r=20, t=50, b=110),
        xaxis=dict(title=dict(text=x_title)),
        yaxis=dict(title=dict(text=y_title)),
        # Below the axis title: never over a curve or the title, however narrow the chart.
        legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0.0),
        hoverlabel=dict(namelength=-1),
        uirevision=uirevision,  # keep the user's zoom when the figure is resent
    )
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _pr_position(curve: PrecisionRecallCurve, threshold: float) -> int | None:
    """Index of the curve point with the same counts as ``threshold``; None if nothing flagged.

    The counts at ``threshold`` equal those at the lowest distinct score >= ``threshold``.
    """
    position = int(curve.thresholds.searchsorted(threshold, side="left"))
    return position if position < curve.thresholds.size else None


def _roc_position(roc: RocCurve, threshold: float) -> int:
    """Index of the ROC point with the same counts as ``threshold`` (0 = nothing flagged)."""
    ascending = roc.thresholds[:0:-1]  # the real scores, ascending
    return ascending.size - int(ascending.searchsorted(threshold, side="left"))


# --------------------------------------------------------------------------------------------
# Confusion matrix
# --------------------------------------------------------------------------------------------


def _confusion_cells(cm) -> np.ndarray:
    if isinstance(cm, (ConfusionCounts, ThresholdMetrics)):
        return np.array([[cm.tn, cm.fp], [cm.fn, cm.tp]], dtype=np.int64)
    cells = np.asarray(cm)
    if cells.shape != (2, 2):
        raise ValueError(
            f"cm must be [[TN, FP], [FN, TP]] of shape (2, 2), got shape {cells.shape}"
        )
    if not np.issubdtype(cells.dtype, np.number) or (cells < 0).any():
        raise ValueError(f"cm must hold counts >= 0, got {cells.tolist()}")
    return cells.astype(np.int64)


def confusion_matrix_figure(
    cm, *, title: str = "Confusion matrix", digit: int | str = 5
) -> go.Figure:
    """Annotated 2x2 heatmap of ``[[TN, FP], [FN, TP]]``, rows = actual, columns = predicted.

    Each cell shows its name, its count and its share of the actual row (so the colour says
    how each class is treated, whatever the class imbalance).

    Parameters
    ----------
    cm : ConfusionCounts, ThresholdMetrics or array-like of shape (2, 2)
        Counts; an array is read in scikit-learn's ``confusion_matrix`` layout.
    title : str
    digit : int or str
        The positive class, for the labels "5" and "not 5".

    Returns
    -------
    plotly.graph_objects.Figure
    """
    cells = _confusion_cells(cm)
    classes = [f"not {digit}", f"{digit}"]
    names = [["TN", "FP"], ["FN", "TP"]]
    row_totals = cells.sum(axis=1)
    shares = np.full((2, 2), np.nan)
    for row in range(2):
        if row_totals[row]:
            shares[row] = cells[row] / row_totals[row]
    annotations = []
    for row in range(2):
        for column in range(2):
            share = shares[row, column]
            share_text = "–" if math.isnan(share) else f"{share:.1%} of {classes[row]}"
            annotations.append(
                dict(
                    # Category positions by number: a name like "5" would be read as position 5.
                    x=column,
                    y=row,
                    text=f"<b>{names[row][column]}</b><br>{cells[row, column]:,}<br>{share_text}",
                    showarrow=False,
                    font=dict(size=13, color="white" if share > 0.5 else "#1b2a3a"),
                )
            )
    heatmap = go.Heatmap(
        z=shares,
        x=classes,
        y=classes,
        zmin=0,
        zmax=1,
        colorscale="Blues",
        showscale=False,
        customdata=cells,
        hovertemplate="Actual %{y}, predicted %{x}: %{customdata:,}<extra></extra>",
        xgap=2,
        ygap=2,
    )
    layout = _layout(
        title=title,
        x_title="Predicted",
        y_title="Actual",
        uirevision="confusion_matrix",
        height=320,
        margin=dict(l=70, r=20, t=60, b=50),
        # Category axes: "5" must not be read as the number 5.
        xaxis=dict(type="category", side="bottom", showgrid=False),
        yaxis=dict(type="category", autorange="reversed", showgrid=False),
        annotations=annotations,
    )
    return go.Figure(data=[heatmap], layout=layout)


# --------------------------------------------------------------------------------------------
# The multiclass classifier (the "All digits" page)
# --------------------------------------------------------------------------------------------


def _cell_text(panel) -> np.ndarray:
    """What each cell reads: its count, or its share in whole percent ("" where NaN)."""
    values = panel.values
    if not panel.is_share:
        return np.array([[f"{int(v):,}" for v in row] for row in panel.counts], dtype=object)
    return np.array(
        [["" if math.isnan(v) else f"{v:.0%}" for v in row] for row in values], dtype=object
    )


def multiclass_confusion_figure(
    panel,
    *,
    classes: Sequence[str],
    title: str,
    selected: tuple[int, int] | None = None,
    uirevision: str = "multiclass_confusion",
) -> go.Figure:
    """One panel of a multiclass confusion matrix as an annotated heatmap, rows the true
    classes, columns the predicted ones, every cell clickable.

    Only draws :func:`core.error_analysis.confusion_view`'s panel: its ``values`` colour the
    cells (NaN left blank), its ``counts`` name them in the hover. Over the heatmap lies one
    invisible square marker per cell, whose click Streamlit reports as a selected point
    (a heatmap's own cells report nothing); each marker's ``customdata`` is ``[true,
    predicted]``, the cell's class positions.

    Parameters
    ----------
    panel : ConfusionPanel
    classes : sequence of str
        The classes' names, in the matrix's order.
    title : str
    selected : tuple of int, optional
        ``(true, predicted)`` of the cell to outline.
    uirevision : str

    Returns
    -------
    go.Figure

    Raises
    ------
    ValueError
        When ``classes`` does not name every row of the panel, or ``selected`` is outside it.
    """
    n = panel.values.shape[0]
    names = [str(name) for name in classes]
    if len(names) != n:
        raise ValueError(f"classes must name the {n} classes, got {len(names)}")
    if selected is not None and not all(0 <= int(i) < n for i in selected):
        raise ValueError(f"selected must be a cell of the {n}x{n} matrix, got {selected!r}")
    rows, columns = np.divmod(np.arange(n * n), n)
    share = "%{z:.1%}" if panel.is_share else "%{z:,.0f}"
    heatmap = go.Heatmap(
        z=np.asarray(panel.values, dtype=np.float64),
        x=names,
        y=names,
        colorscale="Blues",
        zmin=0,
        zmax=1 if panel.is_share else None,
        text=_cell_text(panel),
        texttemplate="%{text}",
        textfont=dict(size=10),
        customdata=panel.counts,
        hovertemplate=f"True %{{y}}, predicted %{{x}}: %{{customdata:,}} digits ({share})"
        "<extra></extra>",
        showscale=False,  # every cell writes its value; a scale would only narrow the grid
        xgap=1,
        ygap=1,
    )
    cells = go.Scatter(
        x=[names[c] for c in columns],
        y=[names[r] for r in rows],
        mode="markers",
        marker=dict(symbol="square", size=22, color="rgba(0,0,0,0)"),
        customdata=np.column_stack((rows, columns)),
        hovertemplate="True %{y}, predicted %{x}: click to see these digits<extra></extra>",
        # A click selects one cell; nothing else fades.
        selected=dict(marker=dict(opacity=1)),
        unselected=dict(marker=dict(opacity=1)),
        showlegend=False,
    )
    shapes = []
    if selected is not None:
        row, column = (int(i) for i in selected)
        shapes.append(
            dict(
                type="rect",
                xref="x",
                yref="y",
                x0=column - 0.5,
                x1=column + 0.5,
                y0=row - 0.5,
                y1=row + 0.5,
                line=dict(color=MARK_COLOR, width=3),
            )
        )
    layout = _layout(
        title=title,
        x_title="Predicted",
        y_title="True",
        uirevision=uirevision,
        height=460,
        margin=dict(l=60, r=10, t=50, b=50),
        xaxis=dict(type="category", side="bottom", showgrid=False),
        yaxis=dict(type="category", autorange="reversed", showgrid=False),
        shapes=shapes,
        clickmode="event+select",
        dragmode=False,
    )
    return go.Figure(data=[heatmap, cells], layout=layout)


def class_scores_figure(scores, *, classes: Sequence[str], predicted: int, title: str) -> go.Figure:
    """One sample's decision score for every class as bars, the predicted class's marked.

    Parameters
    ----------
    scores : array-like of shape (n_classes,)
        Finite decision scores.
    classes : sequence of str
        The classes' names, in the scores' order.
    predicted : int
        The position of the predicted class (its bar is coloured).
    title : str

    Returns
    -------
    go.Figure

    Raises
    ------
    ValueError
        When the lengths differ, a score is not finite or ``predicted`` is outside them.
    """
    values = np.asarray(scores, dtype=np.float64)
    names = [str(name) for name in classes]
    if values.ndim != 1 or values.size != len(names):
        raise ValueError(f"scores must hold one score per class ({len(names)}), got {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError("scores must be finite")
    if not 0 <= predicted < values.size:
        raise ValueError(f"predicted must be from 0 to {values.size - 1}, got {predicted!r}")
    colors = [OVERLAY_COLORS[1] if i == predicted else GUIDE_COLOR for i in range(values.size)]
    bars = go.Bar(
        x=names,
        y=values,
        marker=dict(color=colors),
        customdata=values,
        hovertemplate="Class %{x}: score %{customdata:,.2f}<extra></extra>",
        showlegend=False,
    )
    layout = _layout(
        title=title,
        x_title="Class",
        y_title="Decision score",
        uirevision="class_scores",
        height=300,
        margin=dict(l=70, r=10, t=50, b=50),
        xaxis=dict(type="category"),
        yaxis=dict(zeroline=True, zerolinecolor=GUIDE_COLOR),
    )
    return go.Figure(data=[bars], layout=layout)


# --------------------------------------------------------------------------------------------
# Several models overlaid (the comparison page)
# --------------------------------------------------------------------------------------------

OVERLAY_COLORS = ("#1f4fd8", "#d62728", "#2a9d3f", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")


def _overlay_color(position: int) -> str:
    return OVERLAY_COLORS[position % len(OVERLAY_COLORS)]


def _overlay_curves(curves, kind: type, what: str) -> list:
    if not isinstance(curves, Mapping):
        raise ValueError(f"curves must map a model's name to its {what}, got {curves!r:.60}")
    for name, curve in curves.items():
        if not isinstance(curve, kind):
            raise ValueError(
                f"curves[{name!r}] must be a {kind.__name__}, got {type(curve).__name__}"
            )
    return list(curves.items())


def _overlay_option(values, name: str, field: str, default):
    if values is None:
        return default
    if not isinstance(values, Mapping):
        raise ValueError(f"{field} must be a mapping from model names, got {values!r:.60}")
    return values.get(name, default)


def _overlay_marks(marks, names) -> dict[str, float]:
    if marks is None:
        return {}
    if not isinstance(marks, Mapping):
        raise ValueError(f"marks must map model names to thresholds, got {marks!r:.60}")
    unknown = [name for name in marks if name not in names]
    if unknown:
        raise ValueError(f"marks name models without a curve: {unknown!r}")
    return {name: check_threshold(value, f"marks[{name!r}]") for name, value in marks.items()}


def _overlay_traces(
    curve, x, y, *extra, drawn, mark_at, name, legend_name, mark_label, color, hover
) -> list[go.Scatter]:
    """One model's curve (``x``, ``y`` at the ``drawn`` points) and, at ``mark_at``, its mark."""
    traces = [
        go.Scatter(
            x=_f32(x[drawn]),
            y=_f32(y[drawn]),
            name=legend_name,
            legendgroup=name,
            mode="lines",
            line=dict(color=color, width=2),
            customdata=_curve_points(curve, drawn, *extra),
            hovertemplate=hover,
        )
    ]
    if mark_at is not None:
        point = slice(mark_at, mark_at + 1)
        traces.append(
            go.Scatter(
                x=_f32(x[point]),
                y=_f32(y[point]),
                name=f"{name}: {mark_label}",
                legendgroup=name,
                showlegend=False,
                mode="markers",
                marker=dict(color=color, size=11, line=dict(color="white", width=1.5)),
                customdata=_curve_points(curve, point, *extra),
                hovertemplate=hover,
            )
        )
    return traces


def _threshold_hover(score_label: str | None) -> str:
    scale = f" ({score_label})" if score_label else ""
    return "Threshold %{customdata[0]:,.6~g}" + scale


def roc_overlay_figure(
    curves: Mapping[str, RocCurve],
    *,
    score_labels: Mapping[str, str] | None = None,
    colors: Mapping[str, str] | None = None,
    marks: Mapping[str, float] | None = None,
    mark_label: str = "operating point",
    max_points: int = MARKER_POINTS,
) -> go.Figure:
    """Several models' ROC curves on one chart, each named with its AUC in the legend.

    Each model's thresholds are on its own scale: hovering a point shows its threshold with
    the scale's name from ``score_labels``; no threshold is compared across models.

    Parameters
    ----------
    curves : mapping of str to RocCurve
        Model name (the legend's text) to its curve, drawn in this order.
    score_labels : mapping of str to str, optional
        Model name to the name of its score scale ("decision score", "probability").
    colors : mapping of str to str, optional
        Model name to a CSS colour; by default :data:`OVERLAY_COLORS` in order.
    marks : mapping of str to float, optional
        Model name to a threshold (on that model's scale) whose point is marked.
    mark_label : str
        What a marked point is, for its hover text.
    max_points : int
        How many points of each curve to draw.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    ValueError
        When ``curves`` is not a mapping of RocCurve, a mark names no curve or is NaN, or
        ``max_points`` < 2.
    """
    items = _overlay_curves(curves, RocCurve, "RocCurve")
    max_points = check_count(max_points, "max_points", minimum=2)
    marks = _overlay_marks(marks, curves)
    traces = [
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            name="Chance (AUC 0.500)",
            mode="lines",
            line=dict(color=GUIDE_COLOR, dash="dash", width=1),
            hoverinfo="skip",
        )
    ]
    for position, (name, roc) in enumerate(items):
        color = _overlay_option(colors, name, "colors", _overlay_color(position))
        hover = (
            _threshold_hover(_overlay_option(score_labels, name, "score_labels", None))
            + "<br>Recall %{y:.1%} · false positive rate %{x:.2%}"
            + "<br>Precision %{customdata[5]:.1%}<br>"
            + _COUNTS_HOVER
        )
        auc_text = "n/a" if math.isnan(roc.auc) else f"{roc.auc:.3f}"
        traces += _overlay_traces(
            roc,
            roc.fpr,
            roc.tpr,
            roc.precision,
            drawn=_drawn(roc.drawn, roc.fpr, roc.tpr, max_points),
            mark_at=_roc_position(roc, marks[name]) if name in marks else None,
            name=name,
            legend_name=f"{name} (AUC {auc_text})",
            mark_label=mark_label,
            color=color,
            hover=hover + "<extra>%{fullData.name}</extra>",
        )
    layout = _layout(
        title="ROC curves (AUC in the legend)",
        x_title="false positive rate (share of other digits flagged)",
        y_title="true positive rate (recall)",
        uirevision="roc_overlay",
        xaxis=dict(tickformat=".0%", range=[-0.02, 1.02]),
        yaxis=dict(tickformat=".0%", range=[-0.02, 1.04]),
    )
    return go.Figure(data=traces, layout=layout)


def precision_recall_overlay_figure(
    curves: Mapping[str, PrecisionRecallCurve],
    *,
    score_labels: Mapping[str, str] | None = None,
    colors: Mapping[str, str] | None = None,
    marks: Mapping[str, float] | None = None,
    mark_label: str = "operating point",
    target_precision: float | None = None,
    max_points: int = MARKER_POINTS,
) -> go.Figure:
    """Several models' precision-recall curves on one chart, average precision in the legend.

    Parameters
    ----------
    curves : mapping of str to PrecisionRecallCurve
        Model name (the legend's text) to its curve, drawn in this order.
    score_labels, colors, marks, mark_label, max_points
        As in :func:`roc_overlay_figure`. A mark above every score of its model (nothing
        flagged) has no point on the curve and is not drawn.
    target_precision : float, optional
        In [0, 1]: a dotted horizontal guide at this precision.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    ValueError
        As :func:`roc_overlay_figure`, and when ``target_precision`` is outside [0, 1].
    """
    items = _overlay_curves(curves, PrecisionRecallCurve, "PrecisionRecallCurve")
    max_points = check_count(max_points, "max_points", minimum=2)
    marks = _overlay_marks(marks, curves)
    traces = []
    for position, (name, curve) in enumerate(items):
        color = _overlay_option(colors, name, "colors", _overlay_color(position))
        hover = (
            _threshold_hover(_overlay_option(score_labels, name, "score_labels", None))
            + "<br>Precision %{y:.1%} · Recall %{x:.1%}<br>"
            + _COUNTS_HOVER
            + "<extra>%{fullData.name}</extra>"
        )
        ap = curve.average_precision
        ap_text = "n/a" if math.isnan(ap) else f"{ap:.3f}"
        traces += _overlay_traces(
            curve,
            curve.recall,
            curve.precision,
            drawn=_drawn(curve.drawn, curve.recall, curve.precision, max_points),
            mark_at=_pr_position(curve, marks[name]) if name in marks else None,
            name=name,
            legend_name=f"{name} (AP {ap_text})",
            mark_label=mark_label,
            color=color,
            hover=hover,
        )
    if target_precision is not None:
        guide = check_threshold(target_precision, "target_precision")
        if not 0 <= guide <= 1:
            raise ValueError(f"target_precision must be in [0, 1], got {target_precision!r}")
        traces.append(
            go.Scatter(
                x=[0.0, 1.0],
                y=[guide, guide],
                name=f"Precision {guide:.1%}".replace(".0%", "%"),
                mode="lines",
                line=dict(color=GUIDE_COLOR, dash="dot", width=1.5),
                hoverinfo="skip",
            )
        )
    layout = _layout(
        title="Precision vs recall (average precision in the legend)",
        x_title="recall (share of the digit found)",
        y_title="precision (share of flags that are right)",
        uirevision="precision_recall_overlay",
        xaxis=dict(tickformat=".0%", range=[-0.02, 1.02]),
        yaxis=dict(tickformat=".0%", range=[-0.02, 1.04]),
    )
    return go.Figure(data=traces, layout=layout)


# --------------------------------------------------------------------------------------------
# Lines against the threshold (the refit: shares flagged, the test set's own curve)
# --------------------------------------------------------------------------------------------

PRECISION_COLOR = "#1f4fd8"  # the explorer's precision and recall colours
RECALL_COLOR = "#2a9d3f"
MARK_COLOR = "#d62728"
REFIT_FIGURE_HEIGHT = 250
LEGEND_ROW = 19


@dataclass(frozen=True, eq=False)
class ThresholdLine:
    """One line to draw against the threshold: already thinned, values as shares (0-1).

    Attributes
    ----------
    name : str
        The legend's text.
    thresholds, values : ndarray of shape (k,)
        The drawn points (exact thresholds, exact shares); drawn as percentages.
    color : str
    dash : str
        Plotly's dash name ("solid", "dot", "dash").
    width : float
    """

    name: str
    thresholds: np.ndarray
    values: np.ndarray
    color: str
    dash: str = "solid"
    width: float = 2.0


@dataclass(frozen=True)
class ThresholdMark:
    """A vertical line at one threshold, named in the legend."""

    label: str
    threshold: float
    dash: str = "solid"


def threshold_lines_figure(
    lines: Sequence[ThresholdLine],
    *,
    marks: Sequence[ThresholdMark] = (),
    title: str,
    x_title: str,
    y_title: str,
    x_range: tuple[float, float] | None = None,
    uirevision: str,
    height: int = REFIT_FIGURE_HEIGHT,
) -> go.Figure:
    """Lines of shares (drawn in percent) against the threshold, with marked thresholds.

    Only draws: the lines come thinned (:func:`core.drawing.thin_curve`) with their exact
    values, and the marks at the exact thresholds the caller computed. A mark outside
    ``x_range`` or infinite is left out.

    Returns
    -------
    go.Figure
    """
    traces = [
        go.Scatter(
            x=np.asarray(line.thresholds, dtype=np.float64),
            y=_f32(100 * np.asarray(line.values, dtype=np.float64)),
            mode="lines",
            name=line.name,
            line=dict(color=line.color, dash=line.dash, width=line.width),
            hovertemplate=f"{line.name}<br>threshold %{{x:,.2f}}<br>%{{y:.1f}}%<extra></extra>",
        )
        for line in lines
    ]
    shapes = []
    for mark in marks:
        inside = x_range is None or x_range[0] <= mark.threshold <= x_range[1]
        if not (math.isfinite(mark.threshold) and inside):
            continue
        line = dict(color=MARK_COLOR, dash=mark.dash, width=1.5)
        shapes.append(
            dict(
                type="line",
                xref="x",
                yref="paper",
                x0=mark.threshold,
                x1=mark.threshold,
                y0=0,
                y1=1,
                line=line,
            )
        )
        # Named in the legend, never over a curve or cut off at the plot's edge.
        traces.append(
            go.Scatter(
                x=[None], y=[None], mode="lines", name=mark.label, line=line, hoverinfo="skip"
            )
        )
    layout = _layout(
        title=title,
        x_title=x_title,
        y_title=y_title,
        uirevision=uirevision,
        height=height + LEGEND_ROW * len(traces),
        margin=dict(l=50, r=10, t=40, b=40 + LEGEND_ROW * len(traces)),
        xaxis=dict(range=list(x_range) if x_range else None, zeroline=False),
        yaxis=dict(range=[0, 100], ticksuffix="%"),
        # One entry a row below the tick labels (the title names the x axis), in pixels the
        # margin keeps for them: never over a curve or an axis, however narrow the chart.
        legend=dict(y=-0.14, yanchor="top", font=dict(size=11), orientation="v"),
        shapes=shapes,
    )
    return go.Figure(data=traces, layout=layout)


RELIABILITY_COLORS = {"curve": "#1f5fa8", "test": "#b3531d"}


def reliability_figure(
    calibration, *, names: Mapping[str, str], uirevision: str, height: int = FIGURE_HEIGHT
) -> go.Figure:
    """The reliability curve of :func:`core.calibration.calibration`: the share of positives
    against the mean score in each quantile bin, one line per set of rows, and the diagonal a
    perfectly calibrated classifier follows.

    Only draws what ``calibration`` holds. ``names`` names each set of rows in the legend
    (``"curve"`` and, when ``calibration.test`` is not None, ``"test"``).

    Returns
    -------
    go.Figure
    """
    traces = [
        go.Scatter(
            x=[0.0, 1.0],
            y=[0.0, 1.0],
            mode="lines",
            name="Perfectly calibrated",
            line=dict(color=GUIDE_COLOR, dash="dash", width=1.5),
            hoverinfo="skip",
        )
    ]
    for part in (calibration.curve, calibration.test):
        if part is None:
            continue
        name = names[part.rows]
        traces.append(
            go.Scatter(
                x=np.asarray(part.mean_predicted, dtype=np.float64),
                y=np.asarray(part.fraction_positive, dtype=np.float64),
                mode="lines+markers",
                name=f"{name} (Brier {part.brier:.4f})",
                line=dict(color=RELIABILITY_COLORS[part.rows], width=2),
                hovertemplate=f"{name}<br>mean score %{{x:.3f}}<br>"
                "share positive %{y:.3f}<extra></extra>",
            )
        )
    layout = _layout(
        title="Reliability, by quantile bin",
        x_title="Mean score in the bin",
        y_title="Share positive in the bin",
        uirevision=uirevision,
        height=height,
        # A little past 0 and 1, so the points at the ends and the corner's ticks stay clear.
        xaxis=dict(range=[-0.03, 1.03], constrain="domain", zeroline=False),
        yaxis=dict(range=[-0.03, 1.03], scaleanchor="x", scaleratio=1, zeroline=False),
    )
    return go.Figure(data=traces, layout=layout)
