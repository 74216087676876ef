"""The chapter's error analysis of a multiclass classifier: the confusion matrix's views and
the digits in one of its cells, borderline first.

Pure computation on a confusion matrix (rows the true classes, columns the predicted ones, as
scikit-learn's ``confusion_matrix`` lays it out) and on cross-validated predictions and
decision scores; the pages draw the views (:func:`core.charts.multiclass_confusion_figure`)
and word them.

The three views are the chapter's figures:

- ``"counts"``: the raw counts;
- ``"rows"``: each row divided by its total (``normalize="true"``): the share of each true
  class given each prediction, so a rare class reads like a common one;
- ``"errors"``: the errors only, the diagonal zeroed (the book's
  ``sample_weight = (y_train_pred != y_train)``), in two panels: each row divided by its own
  errors (``normalize="true"``: of the 5s misread, the share read as each other class) and
  each column by its own errors (``normalize="pred"``: of the wrong 8s, the share that were
  each true class).

A share whose total is 0 (a class never seen, a row without errors) is NaN, never 0: 0/0 is
not a rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.validation import check_optional_count, read_only

COUNTS, ROWS, ERRORS = "counts", "rows", "errors"
VIEWS = (COUNTS, ROWS, ERRORS)
"""The confusion matrix's views, in the order a page offers them."""

# The panels of each view: (panel key, what divides, whether the diagonal is zeroed).
_PANELS = {
    COUNTS: (("counts", None, False),),
    ROWS: (("rows", 1, False),),
    ERRORS: (("errors_rows", 1, True), ("errors_columns", 0, True)),
}


@dataclass(frozen=True, eq=False)
class ConfusionPanel:
    """One heatmap of a view.

    Attributes
    ----------
    kind : str
        ``"counts"``, ``"rows"`` (row-normalised), ``"errors_rows"`` or ``"errors_columns"``
        (diagonal zeroed, then normalised by row or by column).
    values : ndarray of shape (n_classes, n_classes), float64
        What the heatmap's colour shows: counts, or shares in [0, 1]; NaN where the total is 0.
        In the error panels the diagonal is NaN (no error sits there).
    counts : ndarray of shape (n_classes, n_classes), int64
        The raw count of every cell (the diagonal included), for the hover text.
    is_share : bool
        Whether ``values`` are shares (else counts).
    """

    kind: str
    values: np.ndarray
    counts: np.ndarray
    is_share: bool


def _check_confusion(confusion) -> np.ndarray:
    cells = np.asarray(confusion)
    if cells.ndim != 2 or cells.shape[0] != cells.shape[1] or cells.shape[0] < 2:
        raise ValueError(
            f"confusion must be a square matrix of at least 2 classes, got shape {cells.shape}"
        )
    if not np.issubdtype(cells.dtype, np.integer) and not (
        np.issubdtype(cells.dtype, np.floating)
        and np.isfinite(cells).all()
        and (cells == np.round(cells)).all()
    ):
        raise ValueError(f"confusion must hold whole counts, got dtype {cells.dtype}")
    if (cells < 0).any():
        raise ValueError(f"confusion must hold counts >= 0, got a minimum of {cells.min()}")
    return cells.astype(np.int64)


def _normalised(cells: np.ndarray, axis: int) -> np.ndarray:
    """``cells`` divided by their sums along ``axis`` (1: rows, 0: columns); 0/0 is NaN."""
    totals = cells.sum(axis=axis, keepdims=True).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = cells / totals
    shares[np.broadcast_to(totals == 0, shares.shape)] = np.nan
    return shares


def confusion_view(confusion, *, view: str) -> tuple[ConfusionPanel, ...]:
    """The panels of one view of a multiclass confusion matrix.

    Parameters
    ----------
    confusion : array-like of shape (n_classes, n_classes)
        Whole counts >= 0, rows the true classes, columns the predicted ones.
    view : {"counts", "rows", "errors"}
        See the module's docstring. ``"errors"`` has two panels (by row, then by column), the
        others one.

    Returns
    -------
    tuple of ConfusionPanel
        Every panel's arrays are read-only.

    Raises
    ------
    ValueError
        When ``view`` is not one of :data:`VIEWS`, or ``confusion`` is not a square matrix of
        whole counts >= 0 with at least 2 classes.

    Notes
    -----
    A row (or column) whose total is 0 has NaN shares: a class with no sample, or (in the
    error panels) one that was never misread or never wrongly predicted.
    """
    if view not in _PANELS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}; got {view!r}")
    counts = read_only(_check_confusion(confusion))
    panels = []
    for kind, axis, errors_only in _PANELS[view]:
        cells = counts.copy()
        if errors_only:
            np.fill_diagonal(cells, 0)
        if axis is None:
            values = cells.astype(np.float64)
        else:
            values = _normalised(cells, axis)
        if errors_only:
            np.fill_diagonal(values, np.nan)
        panels.append(
            ConfusionPanel(
                kind=kind, values=read_only(values), counts=counts, is_share=axis is not None
            )
        )
    return tuple(panels)


@dataclass(frozen=True, eq=False)
class CellMembers:
    """The samples of one cell of the confusion matrix, borderline first.

    Attributes
    ----------
    true_class, predicted_class : int
        The cell's row and column, as positions in the classes.
    indices : ndarray of shape (n_shown,), int64
        Positions of the cell's samples in ``y_true`` (for MNIST, the training digits' rows of
        the dataset), borderline first (see :func:`cell_members`).
    margins : ndarray of shape (n_shown,), float64
        Each one's margin, ascending.
    n_total : int
        How many samples the cell holds (``indices`` may show fewer: ``limit``).
    """

    true_class: int
    predicted_class: int
    indices: np.ndarray
    margins: np.ndarray
    n_total: int


def _check_class(value, name: str, n_classes: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(
            f"{name} must be a class position from 0 to {n_classes - 1}, got {value!r}"
        )
    if not 0 <= value < n_classes:
        raise ValueError(f"{name} must be from 0 to {n_classes - 1}, got {value!r}")
    return int(value)


def cell_members(
    *,
    y_true,
    y_pred,
    decision_scores,
    true_class: int,
    predicted_class: int,
    limit: int | None = None,
) -> CellMembers:
    """The samples whose true class is ``true_class`` and prediction ``predicted_class``,
    borderline first.

    Borderline means the held-out decision scores came closest to another answer. The margin
    of a sample is its predicted class's score minus

    - its true class's score, for an error (off the diagonal): how far the wrong class won by,
      so a 3 read as a 5 that the 3's score nearly beat comes first;
    - the best other class's score, for a right answer (on the diagonal): how far it won by,
      so the right answers that nearly went wrong come first.

    Smallest margin first; equal margins in the samples' order.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,), int
        True and predicted classes as positions ``0 .. n_classes - 1`` (for MNIST the digits
        themselves), the predictions cross-validated.
    decision_scores : array-like of shape (n_samples, n_classes), float
        The held-out decision scores each sample's fold model gave every class
        (``cross_val_predict(..., method="decision_function")``).
    true_class, predicted_class : int
        The cell: its row (true) and column (predicted), as class positions.
    limit : int or None, default None
        Return only the first ``limit`` samples; None returns all.

    Returns
    -------
    CellMembers
        An empty cell has empty arrays and ``n_total`` 0.

    Raises
    ------
    ValueError
        When the shapes disagree, a class is out of range, the scores are not finite, or
        ``limit`` is negative.
    """
    truth = np.asarray(y_true)
    predicted = np.asarray(y_pred)
    scores = np.asarray(decision_scores, dtype=np.float64)
    if truth.ndim != 1 or predicted.shape != truth.shape:
        raise ValueError(
            f"y_true and y_pred must be 1-D of one length, got shapes {truth.shape} and "
            f"{predicted.shape}"
        )
    if scores.ndim != 2 or scores.shape[0] != truth.size or scores.shape[1] < 2:
        raise ValueError(
            f"decision_scores must have shape ({truth.size}, n_classes >= 2), got {scores.shape}"
        )
    if not np.isfinite(scores).all():
        raise ValueError("decision_scores must be finite")
    n_classes = scores.shape[1]
    row = _check_class(true_class, "true_class", n_classes)
    column = _check_class(predicted_class, "predicted_class", n_classes)
    limit = check_optional_count(limit, "limit")
    members = np.flatnonzero((truth == row) & (predicted == column))
    cell_scores = scores[members]
    won = cell_scores[:, column]
    if row != column:
        margins = won - cell_scores[:, row]
    else:
        others = cell_scores.copy()
        others[:, column] = -np.inf
        margins = won - others.max(axis=1) if members.size else won
    order = np.argsort(margins, kind="stable")[:limit]
    return CellMembers(
        true_class=row,
        predicted_class=column,
        indices=read_only(members[order].astype(np.int64)),
        margins=read_only(margins[order].astype(np.float64)),
        n_total=int(members.size),
    )
