"""A scored set: any binary classifier's labels and scores, with what else is known of each row.

The explorer, the trade-off figures and the command line read one of these, whoever produced
it: :mod:`core.score_files` reads one from a CSV or Parquet file, and an MNIST detector is one
(:func:`scored_set_of_detector`), and so is one digit's column of the chapter's multiclass model
(:func:`scored_set_of_multiclass`). Rows marked as test rows feed the held-out figures; the others
(the *curve rows*) are what the curves, intervals and pickers rest on. Folds, groups, ids and
other columns are optional and each lights up what it feeds.

Flagged means ``score >= threshold``, as everywhere in :mod:`core.counting`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from core.validation import check_digit, read_only

if TYPE_CHECKING:
    from core.detector import DetectorResult
    from core.multiclass import MulticlassResult

NO_FOLD = -1  # fold_ids of a test row, or of any row when the set has no folds
NO_GROUP = -1  # group_ids of a row with no group value


@dataclass(frozen=True, eq=False)
class ScoredSet:
    """Labels and scores of one binary classifier, row by row. All arrays are read-only.

    Build it with :func:`scored_set` (which checks every argument).

    Attributes
    ----------
    name : str
        What the set is called where people read it: a file name, "the 5-detector".
    y_true : ndarray of shape (n_rows,), bool
        True where the row's label is the positive class.
    scores : ndarray of shape (n_rows,), float64
        Finite; higher means more likely positive.
    positive_label, negative_label : str
        The two label values as the source wrote them, e.g. ``"fraud"`` / ``"ok"``, ``"1"`` /
        ``"0"``, ``"True"`` / ``"False"``. ``negative_label`` is ``""`` when the set holds
        positives only.
    is_test : ndarray of shape (n_rows,), bool, or None
        True for the held-out rows; None when the set has none (then every row is a curve row).
    fold_ids : ndarray of shape (n_rows,), int32, or None
        The cross-validation fold of each curve row, 0 to ``len(fold_names) - 1``; ``NO_FOLD``
        for test rows. None when the set has no folds.
    fold_names : tuple of str
        Each fold's value as the source wrote it, in fold-id order (sorted as the source's values
        sort); empty without folds.
    group_ids : ndarray of shape (n_rows,), int32, or None
        Each row's subgroup, 0 to ``len(group_names) - 1``, or ``NO_GROUP``; None without groups.
    group_names : tuple of str
        Each group's value as the source wrote it, in group-id order; empty without groups.
    ids : ndarray of shape (n_rows,) or None
        Each row's id as the source wrote it (str or int); None without an id column.
    other_columns : dict of str to ndarray
        The source's other columns, each of shape (n_rows,), shown beside the rows at the cut.
    fingerprint : str
        Identifies the content (a hash of the source's bytes and the choices that read it): two
        sets with the same fingerprint are the same set, so a server keeps one copy.
    """

    name: str
    y_true: np.ndarray
    scores: np.ndarray
    positive_label: str
    negative_label: str
    is_test: np.ndarray | None = None
    fold_ids: np.ndarray | None = None
    fold_names: tuple[str, ...] = ()
    group_ids: np.ndarray | None = None
    group_names: tuple[str, ...] = ()
    ids: np.ndarray | None = None
    other_columns: dict = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def n_rows(self) -> int:
        """Number of rows, test rows included."""
        return int(self.scores.size)

    @property
    def curve_rows(self) -> np.ndarray:
        """Indices of the rows the curves rest on (all but the test rows), ascending."""
        if self.is_test is None:
            return np.arange(self.n_rows)
        return np.flatnonzero(~self.is_test)

    @property
    def test_rows(self) -> np.ndarray:
        """Indices of the test rows, ascending; empty without any."""
        if self.is_test is None:
            return np.arange(0)
        return np.flatnonzero(self.is_test)

    @property
    def has_folds(self) -> bool:
        return self.fold_ids is not None

    @property
    def has_test(self) -> bool:
        return self.is_test is not None and bool(self.is_test.any())

    @property
    def has_groups(self) -> bool:
        return self.group_ids is not None

    def __repr__(self) -> str:
        return (
            f"ScoredSet(name={self.name!r}, n_rows={self.n_rows}, "
            f"positive_label={self.positive_label!r}, folds={len(self.fold_names)}, "
            f"test_rows={self.test_rows.size}, groups={len(self.group_names)})"
        )


def _labels(values, name: str, n: int, *, dtype) -> np.ndarray | None:
    if values is None:
        return None
    array = np.asarray(values)
    if array.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {array.shape}")
    return array.astype(dtype, copy=False)


def _ids_in_range(ids: np.ndarray | None, names: tuple, name: str, *, missing: int) -> None:
    if ids is None:
        if names:
            raise ValueError(f"{name}_names given without {name}_ids")
        return
    bad = (ids != missing) & ((ids < 0) | (ids >= len(names)))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name}_ids must lie in 0..{len(names) - 1} or be {missing}, "
            f"got {name}_ids[{row}] = {ids[row]}"
        )


def scored_set(
    *,
    name: str,
    y_true,
    scores,
    positive_label: str,
    negative_label: str,
    is_test=None,
    fold_ids=None,
    fold_names=(),
    group_ids=None,
    group_names=(),
    ids=None,
    other_columns=None,
    fingerprint: str = "",
) -> ScoredSet:
    """Check and freeze a :class:`ScoredSet`.

    Parameters
    ----------
    name : str
    y_true : array-like of shape (n_rows,), bool
    scores : array-like of shape (n_rows,), real, finite
    positive_label, negative_label : str
    is_test : array-like of shape (n_rows,), bool, optional
    fold_ids : array-like of shape (n_rows,), int, optional
        With ``fold_names``; every curve row in a fold (``NO_FOLD`` only on test rows).
    fold_names : sequence of str
    group_ids : array-like of shape (n_rows,), int, optional
        With ``group_names``; ``NO_GROUP`` for a row without a group.
    group_names : sequence of str
    ids : array-like of shape (n_rows,), optional
    other_columns : dict of str to array-like of shape (n_rows,), optional
    fingerprint : str

    Returns
    -------
    ScoredSet

    Raises
    ------
    ValueError
        When ``y_true`` is not boolean, a score is not a finite real number, there are no curve
        rows, an array's length differs from ``scores``, or a fold or group id is out of range.
    """
    scores = np.asarray(scores)
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError(f"scores must be a non-empty 1-D array, got shape {scores.shape}")
    if scores.dtype == bool or not np.issubdtype(scores.dtype, np.number):
        raise ValueError(f"scores must be real numbers, got dtype {scores.dtype}")
    if np.iscomplexobj(scores):
        raise ValueError(f"scores must be real numbers, got dtype {scores.dtype}")
    scores = scores.astype(np.float64, copy=False)
    finite = np.isfinite(scores)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"scores must be finite, got scores[{row}] = {scores[row]}")
    n = scores.size
    y_true = np.asarray(y_true)
    if y_true.dtype != bool:
        raise ValueError(f"y_true must be bool, got dtype {y_true.dtype}")
    y_true = _labels(y_true, "y_true", n, dtype=bool)
    is_test = _labels(is_test, "is_test", n, dtype=bool)
    if is_test is not None and is_test.all():
        raise ValueError("is_test marks every row: no rows are left for the curves")
    fold_names, group_names = tuple(map(str, fold_names)), tuple(map(str, group_names))
    if fold_ids is not None:
        fold_ids = np.asarray(fold_ids)
        if not np.issubdtype(fold_ids.dtype, np.integer):
            raise ValueError(f"fold_ids must be integers, got dtype {fold_ids.dtype}")
    fold_ids = _labels(fold_ids, "fold_ids", n, dtype=np.int32)
    _ids_in_range(fold_ids, fold_names, "fold", missing=NO_FOLD)
    if fold_ids is not None:
        curve = ~is_test if is_test is not None else np.ones(n, dtype=bool)
        unfolded = curve & (fold_ids == NO_FOLD)
        if unfolded.any():
            row = int(np.flatnonzero(unfolded)[0])
            raise ValueError(f"every curve row needs a fold, got fold_ids[{row}] = {NO_FOLD}")
        if not fold_names:
            raise ValueError("fold_ids given without fold_names")
    if group_ids is not None:
        group_ids = np.asarray(group_ids)
        if not np.issubdtype(group_ids.dtype, np.integer):
            raise ValueError(f"group_ids must be integers, got dtype {group_ids.dtype}")
    group_ids = _labels(group_ids, "group_ids", n, dtype=np.int32)
    _ids_in_range(group_ids, group_names, "group", missing=NO_GROUP)
    if ids is not None:
        ids = np.asarray(ids)
        if ids.shape != (n,):
            raise ValueError(f"ids must have shape ({n},), got {ids.shape}")
    others = {}
    for column, values in (other_columns or {}).items():
        values = np.asarray(values)
        if values.shape != (n,):
            raise ValueError(f"other column {column!r} must have shape ({n},), got {values.shape}")
        others[str(column)] = read_only(values)

    def frozen(array):
        return None if array is None else read_only(array)

    return ScoredSet(
        name=str(name),
        y_true=frozen(y_true),
        scores=frozen(scores),
        positive_label=str(positive_label),
        negative_label=str(negative_label),
        is_test=frozen(is_test),
        fold_ids=frozen(fold_ids),
        fold_names=fold_names,
        group_ids=frozen(group_ids),
        group_names=group_names,
        ids=frozen(ids),
        other_columns=others,
        fingerprint=str(fingerprint),
    )


def scored_set_of_detector(result: DetectorResult) -> ScoredSet:
    """An MNIST detector as a scored set: the training digits' cross-validated scores (fold by
    fold) as curve rows, then the test digits' scores from the final model as test rows.

    Row ``i < 60,000`` is training digit ``i`` (id ``i``); row ``60,000 + j`` is test digit ``j``
    (id ``60,000 + j``, the numbering of the page's galleries).
    """
    n_train, n_test = result.cv_scores.size, result.test_scores.size
    n_folds = int(result.fold_ids.max()) + 1
    fold_ids = np.concatenate(
        (result.fold_ids.astype(np.int32), np.full(n_test, NO_FOLD, dtype=np.int32))
    )
    return scored_set(
        name=f"the {result.digit}-detector",
        y_true=np.concatenate((result.y_train, result.y_test)).astype(bool),
        scores=np.concatenate((result.cv_scores, result.test_scores)),
        positive_label=str(result.digit),
        negative_label=f"not {result.digit}",
        is_test=np.concatenate((np.zeros(n_train, bool), np.ones(n_test, bool))),
        fold_ids=fold_ids,
        fold_names=tuple(str(k) for k in range(n_folds)),
        ids=np.arange(n_train + n_test),
        fingerprint=result.fingerprint,
    )


def scored_set_of_multiclass(result: MulticlassResult, *, digit: int, scaled: bool) -> ScoredSet:
    """One digit's column of the multiclass model's held-out decision scores as a scored set.

    Row ``i`` is training digit ``i`` (id ``i``), scored by the fold model that did not see
    it, positive when its true digit is ``digit``; the folds are the cross-validation's, and
    there are no test rows (the multiclass page scores none). The other column ``predicted``
    is the multiclass model's prediction of each row (the digit of its largest score).

    Parameters
    ----------
    result : MulticlassResult
    digit : int
        One of ``result.classes``.
    scaled : bool
        The model on the book's standardised pixels (True) or on the raw pixels (False).

    Raises
    ------
    ValueError
        When ``digit`` is not an integer from 0 to 9, or not one of the model's classes.
    """
    digit = check_digit(digit)
    classes = result.classes.tolist()
    if digit not in classes:
        raise ValueError(f"digit must be one of the model's classes {classes}, got {digit}")
    if not isinstance(scaled, bool):
        raise ValueError(f"scaled must be True or False, got {scaled!r}")
    column = classes.index(digit)
    scores = result.decision_scores_scaled if scaled else result.decision_scores
    predicted = result.predictions_scaled if scaled else result.predictions
    n_folds = int(result.fold_ids.max()) + 1
    pixels = "standardised" if scaled else "raw"
    identity = f"{result.fingerprint};multiclass;{pixels};{digit}"
    return scored_set(
        name=f"the multiclass model's {digit} column ({pixels} pixels)",
        y_true=result.y_train == digit,
        scores=np.ascontiguousarray(scores[:, column]),
        positive_label=str(digit),
        negative_label=f"not {digit}",
        fold_ids=result.fold_ids.astype(np.int32),
        fold_names=tuple(str(k) for k in range(n_folds)),
        ids=np.arange(result.y_train.size),
        other_columns={"predicted": predicted},
        fingerprint=hashlib.sha256(identity.encode()).hexdigest(),
    )
