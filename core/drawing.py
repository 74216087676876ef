"""Which points of a curve to draw: thinning for charts only, never for the numbers shown.

Two budgets, because the two kinds of drawing cost differently in the browser:
:data:`MARKER_POINTS` for Plotly charts, where each point is a marker a user can click, and
:data:`PATH_POINTS` for the live explorer, which draws each curve as one SVG path.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

# Each drawn point of a Plotly chart is a clickable marker: few enough to stay responsive.
MARKER_POINTS = 200
# The explorer draws a curve as one path, so it can afford twice the charts' points.
PATH_POINTS = 400


def thin_curve(x, y, *, max_points: int = 2000, keep: Sequence[int] = ()) -> np.ndarray:
    """Indices of at most about ``max_points`` curve points that keep the curve's shape.

    Points are sampled evenly along the arc length of the curve with both axes scaled to
    [0, 1], so steep and long stretches get points in proportion to how long they look.
    The first and last points and every index in ``keep`` are always included. Only for
    drawing: numbers shown to a user come from the full arrays.

    Parameters
    ----------
    x : array-like of shape (n,)
    y : array-like of shape (n,) or (n, k)
        Several columns (e.g. precision and recall against the same thresholds) are thinned
        together: their scaled steps add up in the arc length. NaN or infinite steps count 0.
    max_points : int
        Budget, >= 2. The result has at most ``max(max_points, 2 + len(keep))`` indices.
    keep : sequence of int
        Indices that must be drawn (e.g. the current operating point), in ``[0, n)``.

    Returns
    -------
    ndarray of shape (k,), intp
        Strictly increasing indices into ``x``.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {x.shape}")
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != x.shape[0]:
        raise ValueError(f"y must have shape ({x.shape[0]},) or ({x.shape[0]}, k), got {y.shape}")
    if isinstance(max_points, bool) or not isinstance(max_points, numbers.Integral):
        raise ValueError(f"max_points must be an integer >= 2, got {max_points!r}")
    if max_points < 2:
        raise ValueError(f"max_points must be >= 2, got {max_points!r}")
    n = x.shape[0]
    keep = np.unique(np.asarray(keep, dtype=np.intp).reshape(-1))
    if keep.size and (keep[0] < 0 or keep[-1] >= n):
        raise ValueError(f"keep must hold indices in [0, {n}), got {keep.tolist()}")
    if n <= max_points:
        return np.arange(n, dtype=np.intp)

    # Scale each axis by the range of its finite values; steps through NaN or inf count 0.
    points = np.column_stack((x, y))
    finite = np.isfinite(points)
    highest = np.where(finite, points, -np.inf).max(axis=0)
    lowest = np.where(finite, points, np.inf).min(axis=0)
    spans = highest - lowest
    spans = np.where(np.isfinite(spans) & (spans > 0), spans, 1.0)
    steps = np.diff(points, axis=0) / spans
    steps = np.where(np.isfinite(steps), steps, 0.0)
    arc = np.concatenate(([0.0], np.cumsum(np.sqrt((steps * steps).sum(axis=1)))))

    budget = max_points - 2 - int(np.count_nonzero((keep > 0) & (keep < n - 1)))
    if budget <= 0:
        sampled = np.empty(0, dtype=np.intp)
    elif arc[-1] > 0:
        targets = np.linspace(0.0, arc[-1], budget + 2)[1:-1]
        sampled = np.minimum(arc.searchsorted(targets, side="left"), n - 1)
    else:
        sampled = np.linspace(0, n - 1, budget + 2).round().astype(np.intp)[1:-1]
    return np.unique(np.concatenate(([0, n - 1], sampled, keep))).astype(np.intp)
