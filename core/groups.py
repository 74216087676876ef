"""A scored set's subgroups: one score index per group, over the curve rows.

Each group's figures are counted exactly as the whole set's are (:mod:`core.counting`), on the
curve rows whose group is that group; rows without a group belong to none. At a threshold,
:func:`group_figures` gives each group's rates with their Wilson intervals, and
:func:`group_thresholds` the threshold each group alone would need for a goal.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from core.counting import ScoreIndex, build_score_index, metrics_at
from core.estimates import fold_thresholds, intervals_at
from core.formatting import json_number
from core.scored_set import ScoredSet
from core.validation import check_threshold


def group_indexes(scored: ScoredSet) -> tuple[tuple[str, ScoreIndex], ...]:
    """Each group's name and the score index of its curve rows, in group-id order.

    Parameters
    ----------
    scored : ScoredSet

    Returns
    -------
    tuple of (str, ScoreIndex)
        Empty when the set has no groups; a group without curve rows (or whose rows all
        count 0) is left out. Rows carrying counts count as many samples.
    """
    if scored.group_ids is None:
        return ()
    curve = scored.curve_rows
    ids = scored.group_ids[curve]
    y, scores = scored.y_true[curve], scored.scores[curve]
    counts = None if scored.counts is None else scored.counts[curve]
    indexes = []
    for k, name in enumerate(scored.group_names):
        rows = ids == k
        if counts is not None:
            rows &= counts > 0
        if rows.any():
            index = build_score_index(
                y_true=y[rows], scores=scores[rows], counts=None if counts is None else counts[rows]
            )
            indexes.append((name, index))
    return tuple(indexes)


@dataclass(frozen=True)
class GroupFigures:
    """One group's counts and rates at a threshold, each rate with its 95% Wilson interval.

    Attributes
    ----------
    name : str
    n, n_pos : int
        The group's curve samples (rows, or the sum of their counts), and how many of them are
        positives.
    tp, fp, fn, tn : int
    precision, recall, false_positive_rate : float
        NaN where undefined (nothing flagged, no positives, no negatives).
    precision_ci, recall_ci, false_positive_rate_ci : tuple of (float, float)
        ``(low, high)``; NaN where the rate is undefined.
    """

    name: str
    n: int
    n_pos: int
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    recall: float
    false_positive_rate: float
    precision_ci: tuple[float, float]
    recall_ci: tuple[float, float]
    false_positive_rate_ci: tuple[float, float]

    def as_json(self) -> dict:
        """JSON-ready: NaN as null."""
        figures = asdict(self)
        for key, value in figures.items():
            if isinstance(value, float):
                figures[key] = json_number(value)
            elif isinstance(value, tuple):
                figures[key] = [json_number(v) for v in value]
        return figures


def group_figures(indexes, *, threshold: float) -> tuple[GroupFigures, ...]:
    """Each group's figures at ``threshold`` (flagged means ``score >= threshold``).

    Parameters
    ----------
    indexes : sequence of (str, ScoreIndex)
        As :func:`group_indexes` returns them.
    threshold : float
        ±inf allowed.

    Returns
    -------
    tuple of GroupFigures
        In the order of ``indexes``.

    Raises
    ------
    ValueError
        When ``threshold`` is NaN.
    """
    threshold = check_threshold(threshold)
    figures = []
    for name, index in indexes:
        m = metrics_at(index, threshold=threshold)
        ci = intervals_at(index, threshold=threshold)
        figures.append(
            GroupFigures(
                name=str(name),
                n=index.n_samples,
                n_pos=index.n_pos,
                tp=m.tp,
                fp=m.fp,
                fn=m.fn,
                tn=m.tn,
                precision=m.precision,
                recall=m.recall,
                false_positive_rate=m.false_positive_rate,
                precision_ci=ci.precision,
                recall_ci=ci.recall,
                false_positive_rate_ci=ci.false_positive_rate,
            )
        )
    return tuple(figures)


def group_thresholds(
    indexes, *, kind: str, target: float, prevalence: float | None = None
) -> tuple[float, ...]:
    """The threshold each group alone would need for a precision or recall goal.

    Parameters
    ----------
    indexes : sequence of (str, ScoreIndex)
    kind : {"precision", "recall"}
    target : float
        In (0, 1].
    prevalence : float, optional
        Reach a precision target where the positives have this share (see
        :func:`core.pickers.threshold_for_precision`); recall does not depend on it.

    Returns
    -------
    tuple of float
        In the order of ``indexes``; NaN where the group never reaches the target.

    Raises
    ------
    ValueError
        When ``kind`` is neither, or ``target`` or ``prevalence`` is out of range.
    """
    # The same search as each fold's (core.estimates), over each group's curve rows.
    return fold_thresholds(
        tuple(index for _, index in indexes), kind=kind, target=target, prevalence=prevalence
    )
