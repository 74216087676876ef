"""A scored set's subgroups: one score index per group, over the curve rows.

Each group's figures are counted exactly as the whole set's are (:mod:`core.counting`), on the
curve rows whose group is that group; rows without a group belong to none.
"""

from __future__ import annotations

from core.counting import ScoreIndex, build_score_index
from core.scored_set import ScoredSet


def group_indexes(scored: ScoredSet) -> tuple[tuple[str, ScoreIndex], ...]:
    """Each group's name and the score index of its curve rows, in group-id order.

    Parameters
    ----------
    scored : ScoredSet

    Returns
    -------
    tuple of (str, ScoreIndex)
        Empty when the set has no groups; a group without curve rows is left out.
    """
    if scored.group_ids is None:
        return ()
    curve = scored.curve_rows
    ids = scored.group_ids[curve]
    y, scores = scored.y_true[curve], scored.scores[curve]
    indexes = []
    for k, name in enumerate(scored.group_names):
        rows = ids == k
        if rows.any():
            indexes.append((name, build_score_index(y_true=y[rows], scores=scores[rows])))
    return tuple(indexes)
