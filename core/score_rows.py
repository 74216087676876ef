"""A scored set's rows at the cut: the curve rows nearest the threshold, with all they hold.

The rows a small move of the threshold would flip, the nearest first (as the digits at the cut
on the MNIST page): all four cells of the confusion matrix together, or one of them. Each row
comes with its id, score, label, whether it is flagged (``score >= threshold``), its cell, and
the scored set's other columns, for a page to show as a table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.counting import BORDERLINE_KINDS, ScoreIndex, borderline_indices, nearest_indices
from core.scored_set import ScoredSet
from core.validation import check_count, check_threshold

NEAREST = "nearest"
ROW_KINDS = (NEAREST, *BORDERLINE_KINDS)


@dataclass(frozen=True, eq=False)
class RowsAtCut:
    """Rows of a scored set near a threshold, the nearest first.

    Attributes
    ----------
    rows : ndarray of shape (k,), intp
        The rows' positions in the scored set.
    ids : ndarray of shape (k,)
        Their ids; their positions when the set has no ids.
    scores : ndarray of shape (k,), float64
    labels : tuple of str
        Each row's label as the source wrote it (the positive or the negative label).
    flagged : ndarray of shape (k,), bool
        ``score >= threshold``.
    cells : tuple of str
        Each row's cell: ``"true_positive"``, ``"false_positive"``, ``"false_negative"`` or
        ``"true_negative"``.
    other_columns : dict of str to ndarray of shape (k,)
        The set's other columns, at these rows.
    """

    rows: np.ndarray
    ids: np.ndarray
    scores: np.ndarray
    labels: tuple[str, ...]
    flagged: np.ndarray
    cells: tuple[str, ...]
    other_columns: dict


def _cell(positive: bool, flagged: bool) -> str:
    return ("true_" if positive == flagged else "false_") + ("positive" if flagged else "negative")


def rows_at_cut(
    scored: ScoredSet,
    index: ScoreIndex,
    *,
    threshold: float,
    kind: str = NEAREST,
    limit: int = 50,
) -> RowsAtCut:
    """The curve rows of ``scored`` nearest ``threshold``, the nearest first.

    Parameters
    ----------
    scored : ScoredSet
    index : ScoreIndex
        The score index of ``scored``'s curve rows, in their order
        (:attr:`core.tradeoff.TradeoffData.cv_index` of the set).
    threshold : float
        Flagged means ``score >= threshold``; ±inf allowed, NaN not.
    kind : {"nearest", "true_positive", "false_positive", "false_negative", "true_negative"}
        Rows of every cell, or of one.
    limit : int
        At most this many rows, >= 0.

    Returns
    -------
    RowsAtCut

    Raises
    ------
    ValueError
        When ``kind`` is not one of those, ``limit`` is not a count, ``threshold`` is NaN,
        ``index`` does not hold as many rows as ``scored`` has curve rows, or ``scored`` holds
        counts (an aggregated table has no single rows).
    """
    threshold = check_threshold(threshold)
    limit = check_count(limit, "limit")
    if kind not in ROW_KINDS:
        raise ValueError(f"kind must be one of {', '.join(ROW_KINDS)}; got {kind!r}")
    if not scored.has_rows:
        raise ValueError("rows at the cut need single rows; this set holds counts")
    curve = scored.curve_rows
    if index.n_samples != curve.size:
        raise ValueError(
            f"index holds {index.n_samples} scores, but the set has {curve.size} curve rows"
        )
    if kind == NEAREST:
        positions = nearest_indices(index, threshold=threshold, limit=limit)
    else:
        positions = borderline_indices(index, threshold=threshold, kind=kind, limit=limit)
    rows = curve[positions]
    scores = scored.scores[rows]
    positive = scored.y_true[rows]
    flagged = scores >= threshold
    ids = scored.ids[rows] if scored.ids is not None else rows
    return RowsAtCut(
        rows=rows,
        ids=ids,
        scores=scores,
        labels=tuple(
            scored.positive_label if is_positive else scored.negative_label
            for is_positive in positive
        ),
        flagged=flagged,
        cells=tuple(_cell(bool(p), bool(f)) for p, f in zip(positive, flagged, strict=True)),
        other_columns={name: values[rows] for name, values in scored.other_columns.items()},
    )
