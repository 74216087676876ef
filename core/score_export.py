"""A scored set as a Parquet score file: what "Download these scores" gives.

One row per row of the set, in its order, with the columns the score-file reader guesses
(:mod:`core.score_files`):

- ``id``: the row's id (its position when the set has none);
- ``label``: boolean, True for the positive class, so the file reads back with positive True;
- ``score``: float64, exactly as the set holds it;
- ``fold``: the row's cross-validation fold, null for test rows or without folds (integers
  when every fold's name is one, as an MNIST detector's 0, 1, 2 are);
- ``split``: ``"test"`` for the held-out rows, ``"train"`` for the others;
- ``group``: the row's subgroup, only when the set has groups (null for a row without one).

For an MNIST detector (:func:`detector_scores_table`) these are its 60,000 training digits'
cross-validated scores, then its 10,000 test digits' scores from the final model: read back,
the file gives the trade-off page's own figures.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

from core.scored_set import NO_FOLD, NO_GROUP, ScoredSet, scored_set_of_detector
from core.validation import check_digit

if TYPE_CHECKING:
    from core.detector import DetectorResult

TRAIN_SPLIT, TEST_SPLIT = "train", "test"


def _named(ids: np.ndarray, names: tuple[str, ...], missing: int):
    """Each row's name for its id (None where ``missing``), as a pyarrow array."""
    import pyarrow as pa

    try:
        values = [int(name) for name in names]
        kind = pa.int64()
    except ValueError:
        values, kind = list(names), pa.string()
    lookup = pa.array(values, type=kind)
    mask = ids == missing
    return lookup.take(pa.array(np.where(mask, 0, ids), mask=mask))


def scores_table(scored: ScoredSet) -> bytes:
    """The Parquet file of ``scored`` (columns in this module's docstring), as bytes.

    Parameters
    ----------
    scored : ScoredSet

    Returns
    -------
    bytes
        A Parquet file of ``scored.n_rows`` rows.

    Raises
    ------
    ValueError
        When ``scored`` is not a :class:`~core.scored_set.ScoredSet`.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(scored, ScoredSet):
        raise ValueError(f"scored must be a ScoredSet, got {type(scored).__name__}")
    n = scored.n_rows
    ids = scored.ids if scored.ids is not None else np.arange(n)
    is_test = scored.is_test if scored.is_test is not None else np.zeros(n, dtype=bool)
    fold_ids = scored.fold_ids if scored.fold_ids is not None else np.full(n, NO_FOLD)
    columns = {
        "id": pa.array(ids),
        "label": pa.array(scored.y_true, type=pa.bool_()),
        "score": pa.array(scored.scores, type=pa.float64()),
        "fold": _named(fold_ids, scored.fold_names or ("0",), NO_FOLD),
        "split": pa.array(np.where(is_test, TEST_SPLIT, TRAIN_SPLIT), type=pa.string()),
    }
    if scored.group_ids is not None:
        columns["group"] = _named(scored.group_ids, scored.group_names, NO_GROUP)
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


def detector_scores_table(result: DetectorResult) -> bytes:
    """:func:`scores_table` of an MNIST detector (:func:`core.scored_set.scored_set_of_detector`):
    its training digits' cross-validated scores and its test digits' final-model scores."""
    return scores_table(scored_set_of_detector(result))


def scores_file_name(*, digit: int) -> str:
    """A file name for the download, e.g. ``scores-digit5.parquet``."""
    return f"scores-digit{check_digit(digit)}.parquet"
