"""What the live threshold explorer needs from one scored set, packed once as bytes.

The explorer (``ui/components/threshold_explorer/``) counts in the browser: it gets the scores
of the curve rows (for an MNIST detector, the cross-validated scores) fold by fold, the test
rows' scores and each group's, of the positives and of the negatives, each sorted, and counts
``score >= threshold`` by binary search, as :func:`core.counting.metrics_at` does. It merges
the folds into the pooled scores itself, so the pooled scores do not travel twice; a set
without folds sends its curve rows as one block, which the explorer does not show as a fold.
What the rows are called (digits, rows, "5s", "rows labelled fraud") travels in the header as
:class:`ExplorerNouns`, so nothing in the explorer is about digits. The curves are only
drawn, so they travel thinned (:func:`core.drawing.thin_curve`); every number shown is counted
from the full scores.

The curves are :func:`~core.curves.precision_recall_curve_exact` and
:func:`~core.curves.roc_curve_exact` (computed from the score index's counts, so the first
view of a page waits for no scikit-learn import).

The payload is one ``bytes`` object, so Streamlit sends it as it is (a ``Uint8Array`` in
JavaScript) and, being the same message on every rerun, from its cache afterwards:

- 8 bytes: ``b"TXP1"`` and the header's length (uint32, little-endian);
- the header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes; it names each array,
  its offset from the start of the payload and its length, and holds the few scalars, the
  nouns, whether the set has folds and test rows, and the groups' names;
- the arrays: float64, little-endian, each starting at a multiple of 8 bytes.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import asdict, dataclass, fields

import numpy as np

from core.counting import ScoreIndex
from core.drawing import PATH_POINTS, thin_curve
from core.estimates import CONFIDENCE, wilson_z
from core.formatting import json_number
from core.scored_set import ScoredSet
from core.tradeoff import TradeoffData

MAGIC = b"TXP1"
FORMAT = "threshold-explorer/1"

# The arrays of a payload after each fold's scores, in their order in the bytes.
CURVE_ARRAYS = (
    "test_positive",
    "test_negative",
    "vt_threshold",
    "vt_precision",
    "vt_recall",
    "pr_threshold",
    "pr_recall",
    "pr_precision",
    "roc_threshold",
    "roc_fpr",
    "roc_tpr",
)


CLASSES = ("positive", "negative")


def array_names(n_folds: int, n_groups: int = 0) -> tuple[str, ...]:
    """The names of a payload's arrays, in their order in the bytes, for ``n_folds`` blocks of
    curve-row scores (the folds, or one block without folds) and ``n_groups`` groups."""
    folds = [f"fold{k}_{kind}" for k in range(n_folds) for kind in CLASSES]
    groups = [f"group{g}_{kind}" for g in range(n_groups) for kind in CLASSES]
    return (*folds, *CURVE_ARRAYS, *groups)


@dataclass(frozen=True)
class ExplorerNouns:
    """What the explorer calls the rows, the classes and the classifier in its sentences.

    Every sentence the explorer writes is built from these and from the header's
    ``has_folds`` and ``has_test``; each field's MNIST value is given, then a file's.

    Attributes
    ----------
    positive, negative : str
        The rows of each class, plural: "5s" / "other digits"; "rows labelled fraud" / "other
        rows". Heads of the counts' rows ("5s flagged") and of sentences ("5s are 9.04% of
        them"; the explorer capitalises the first letter).
    items : str
        Any rows, plural: "digits"; "rows" ("Expected cost per 1,000 digits").
    subject : str
        What the threshold decides for: "the 5-detector"; "the classifier" (the slider's
        name: "Decision threshold of the 5-detector").
    curve_items : str
        The rows the curves rest on, plural: "training digits"; "rows", or "rows outside the
        test set" when some rows are test rows.
    curve_basis : str
        How those rows were scored, after their count: "scored by a model that did not see it"
        (with folds: "Cross-validated: each of 60,000 training digits scored by a model that did
        not see it (3 folds)"); a file's with folds "scored out of fold"; without folds "as the
        file gives them" ("Scores of 9,000 rows, as the file gives them").
    curve_figures : str
        The curve rows' figures as the test set's note names them: "cross-validated" ("Inside
        the cross-validated 95% intervals"); without folds "other rows'".
    sample_share, in_sample : str
        The positives' own share among the curve rows, named: "the training share" / "in
        training"; "the file's share" / "in the file".
    test_items : str
        The test rows, plural, with how they were scored: "test digits scored by the final
        model"; "test rows, held out from the curves".
    fold_labels : tuple of str
        Each fold's name in the folds' table, in fold order; empty: "fold 1", "fold 2", ...
    """

    positive: str
    negative: str
    items: str
    subject: str
    curve_items: str
    curve_basis: str
    curve_figures: str
    sample_share: str
    in_sample: str
    test_items: str
    fold_labels: tuple[str, ...] = ()

    def __post_init__(self):
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "fold_labels":
                if not isinstance(value, tuple) or not all(
                    isinstance(label, str) and label for label in value
                ):
                    raise ValueError(
                        f"fold_labels must be a tuple of non-empty strings, got {value!r}"
                    )
            elif not isinstance(value, str) or not value.strip():
                raise ValueError(f"{item.name} must be a non-empty string, got {value!r}")


def detector_nouns(digit: int) -> ExplorerNouns:
    """The nouns of an MNIST detector of ``digit``: "5s", "other digits", "the 5-detector".

    Raises
    ------
    ValueError
        When ``digit`` is not an integer from 0 to 9.
    """
    if isinstance(digit, bool) or not isinstance(digit, int | np.integer) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an integer from 0 to 9, got {digit!r}")
    return ExplorerNouns(
        positive=f"{digit}s",
        negative="other digits",
        items="digits",
        subject=f"the {digit}-detector",
        curve_items="training digits",
        curve_basis="scored by a model that did not see it",
        curve_figures="cross-validated",
        sample_share="the training share",
        in_sample="in training",
        test_items="test digits scored by the final model",
    )


def multiclass_nouns(digit: int) -> ExplorerNouns:
    """The nouns of one digit's column of the ten-class model's decision scores (one versus
    the rest): "5s", "other digits", "the ten-class model's 5-score".

    Raises
    ------
    ValueError
        When ``digit`` is not an integer from 0 to 9.
    """
    nouns = detector_nouns(digit)  # checks the digit
    return ExplorerNouns(
        **{
            **asdict(nouns),
            "subject": f"the ten-class model's {digit}-score",
            "test_items": "test digits",
        }
    )


def scored_set_nouns(scored: ScoredSet) -> ExplorerNouns:
    """The nouns of any scored set: its rows, its positive class named ("rows labelled
    fraud"), "the classifier"; fold wording only when it has folds.

    Parameters
    ----------
    scored : ScoredSet

    Returns
    -------
    ExplorerNouns
    """
    return ExplorerNouns(
        positive=f"rows labelled {scored.positive_label}",
        negative="other rows",
        items="rows",
        subject="the classifier",
        curve_items="rows outside the test set" if scored.has_test else "rows",
        curve_basis="scored out of fold" if scored.has_folds else "as the file gives them",
        curve_figures="cross-validated" if scored.has_folds else "other rows'",
        sample_share="the file's share",
        in_sample="in the file",
        test_items="test rows, held out from the curves",
        fold_labels=tuple(f"fold {name}" for name in scored.fold_names),
    )


@dataclass(frozen=True, eq=False)
class ExplorerPayload:
    """The explorer's data for one scored set: sorted scores and the curve points to draw.

    Attributes
    ----------
    nouns : ExplorerNouns
        What the explorer calls the rows and classes.
    arrays : dict of str to ndarray
        float64 arrays named by :func:`array_names`: ``fold{k}_positive`` /
        ``fold{k}_negative`` are the curve rows' scores of block ``k``'s positives /
        negatives, ascending (the folds; one block of every curve row without folds);
        ``test_*`` the same for the test rows (empty without any); ``vt_*`` the drawn points
        of precision and recall against the threshold; ``pr_*`` of the precision-recall curve;
        ``roc_*`` of the ROC curve (its first threshold is ``inf``, flag nothing);
        ``group{g}_*`` the sorted scores of group ``g``'s curve rows.
    auc, average_precision : float
        Of the curve rows' scores; NaN when a class is missing.
    n_folds : int
        Number of blocks of curve-row scores, >= 1: the folds, or 1 without folds.
    has_folds, has_test : bool
        Whether the set has folds (else its one block is no fold) and test rows.
    group_names : tuple of str
        Each group's name, in the order of the ``group{g}_*`` arrays.
    """

    nouns: ExplorerNouns
    arrays: dict
    auc: float
    average_precision: float
    n_folds: int
    has_folds: bool = True
    has_test: bool = True
    group_names: tuple[str, ...] = ()

    @property
    def n_scores(self) -> int:
        """Number of curve rows' scores."""
        return sum(
            int(self.arrays[f"fold{k}_{c}"].size) for k in range(self.n_folds) for c in CLASSES
        )


def _class_scores(index: ScoreIndex) -> tuple[np.ndarray, np.ndarray]:
    """The sorted scores of the positives and of the negatives (ranks ascend, so do scores)."""
    return (
        np.ascontiguousarray(index.sorted_scores[index.positive_ranks]),
        np.ascontiguousarray(index.sorted_scores[index.negative_ranks]),
    )


def _checked_groups(groups) -> tuple[tuple[str, ScoreIndex], ...]:
    try:
        pairs = tuple(tuple(pair) for pair in groups)
    except TypeError:
        raise ValueError(f"groups must be (name, ScoreIndex) pairs, got {groups!r}") from None
    for pair in pairs:
        if len(pair) != 2 or not isinstance(pair[0], str) or not isinstance(pair[1], ScoreIndex):
            raise ValueError(f"groups must be (name, ScoreIndex) pairs, got {pair!r}")
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError(f"group names must differ, got {names!r}")
    return pairs


def explorer_payload(
    data: TradeoffData,
    *,
    nouns: ExplorerNouns,
    groups=(),
    max_points: int = PATH_POINTS,
) -> ExplorerPayload:
    """Gather the explorer's data from a scored set's :class:`~core.tradeoff.TradeoffData`.

    Parameters
    ----------
    data : TradeoffData
        ``data.test_index`` may be None (no test rows: the test panel is not drawn) and
        ``data.folds`` empty (no folds: the curve rows travel as one block, no fold is drawn).
    nouns : ExplorerNouns
        What the rows are called: :func:`detector_nouns` or :func:`scored_set_nouns`.
    groups : sequence of (str, ScoreIndex)
        Each group's name and the score index of its curve rows
        (:func:`core.groups.group_indexes`); empty: no group table.
    max_points : int
        About how many points of each curve to draw, >= 2.

    Returns
    -------
    ExplorerPayload

    Raises
    ------
    ValueError
        When ``nouns`` is not an :class:`ExplorerNouns`, its ``fold_labels`` are given but
        not one per fold, ``groups`` is not (name, ScoreIndex) pairs with distinct names, or
        ``max_points`` is below 2.
    """
    if not isinstance(nouns, ExplorerNouns):
        raise ValueError(f"nouns must be an ExplorerNouns, got {type(nouns).__name__}")
    groups = _checked_groups(groups)
    pr, roc = data.pr_curve, data.roc_curve
    vt = thin_curve(
        pr.thresholds, np.column_stack((pr.precision, pr.recall)), max_points=max_points
    )
    pr_drawn = thin_curve(pr.recall, pr.precision, max_points=max_points)
    roc_drawn = thin_curve(roc.fpr, roc.tpr, max_points=max_points)
    folds = data.folds  # built at each use: once here
    if nouns.fold_labels and len(nouns.fold_labels) != len(folds):
        raise ValueError(
            f"nouns.fold_labels must name each of the {len(folds)} folds, "
            f"got {len(nouns.fold_labels)} labels"
        )
    blocks = folds or (data.cv_index,)
    if data.test_index is None:
        test_positive = test_negative = np.empty(0)
    else:
        test_positive, test_negative = _class_scores(data.test_index)
    arrays = {}
    for k, block in enumerate(blocks):
        arrays[f"fold{k}_positive"], arrays[f"fold{k}_negative"] = _class_scores(block)
    for g, (_, index) in enumerate(groups):
        arrays[f"group{g}_positive"], arrays[f"group{g}_negative"] = _class_scores(index)
    arrays |= {
        "test_positive": test_positive,
        "test_negative": test_negative,
        "vt_threshold": pr.thresholds[vt],
        "vt_precision": pr.precision[vt],
        "vt_recall": pr.recall[vt],
        "pr_threshold": pr.thresholds[pr_drawn],
        "pr_recall": pr.recall[pr_drawn],
        "pr_precision": pr.precision[pr_drawn],
        "roc_threshold": roc.thresholds[roc_drawn],
        "roc_fpr": roc.fpr[roc_drawn],
        "roc_tpr": roc.tpr[roc_drawn],
    }
    names = array_names(len(blocks), len(groups))
    arrays = {name: np.ascontiguousarray(arrays[name], dtype="<f8") for name in names}
    return ExplorerPayload(
        nouns=nouns,
        arrays=arrays,
        auc=float(roc.auc),
        average_precision=float(pr.average_precision),
        n_folds=len(blocks),
        has_folds=bool(folds),
        has_test=data.test_index is not None,
        group_names=tuple(name for name, _ in groups),
    )


def encode_payload(payload: ExplorerPayload) -> bytes:
    """The payload as the bytes the explorer reads (layout in this module's docstring).

    The header's ``id`` is a hash of the arrays and of what describes them (nouns, folds,
    test, groups), so the browser can tell one scored set's payload from another's.
    """
    described = {
        "nouns": asdict(payload.nouns),
        "has_folds": payload.has_folds,
        "has_test": payload.has_test,
        "groups": list(payload.group_names),
    }
    digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode())
    entries, offset = [], 0
    names = array_names(payload.n_folds, len(payload.group_names))
    for name in names:
        array = payload.arrays[name]
        digest.update(name.encode())
        digest.update(array.tobytes())
        entries.append({"name": name, "offset": offset, "length": int(array.size)})
        offset += array.nbytes
    header = {
        "format": FORMAT,
        "id": digest.hexdigest()[:16],
        **described,
        "auc": json_number(payload.auc),
        "average_precision": json_number(payload.average_precision),
        "folds": payload.n_folds,
        "confidence": CONFIDENCE,
        "z": wilson_z(CONFIDENCE),
        "arrays": entries,
    }
    # Where the arrays start depends on the header's length, which depends on the offsets.
    start = 0
    while True:
        text = json.dumps(
            {**header, "arrays": [{**e, "offset": e["offset"] + start} for e in entries]},
            allow_nan=False,
        ).encode()
        needed = 8 + len(text) + (-(8 + len(text)) % 8)
        if needed <= start:
            break
        start = needed
    text = text.ljust(start - 8, b" ")
    parts = [MAGIC, struct.pack("<I", len(text)), text]
    parts += [payload.arrays[name].tobytes() for name in names]
    return b"".join(parts)


def decode_payload(blob: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """Read :func:`encode_payload`'s bytes back: the header and the arrays (for tests, tools).

    Besides the arrays in the bytes, ``cv_positive`` and ``cv_negative`` are the pooled
    curve rows' scores, merged from the folds (the blocks) as the browser merges them.

    Raises
    ------
    ValueError
        When ``blob`` is not an explorer payload.
    """
    if not isinstance(blob, bytes | bytearray | memoryview) or bytes(blob[:4]) != MAGIC:
        raise ValueError("not a threshold explorer payload (no TXP1 magic)")
    (length,) = struct.unpack("<I", bytes(blob[4:8]))
    header = json.loads(bytes(blob[8 : 8 + length]))
    arrays = {
        entry["name"]: np.frombuffer(
            blob, dtype="<f8", count=entry["length"], offset=entry["offset"]
        )
        for entry in header["arrays"]
    }
    for kind in CLASSES:
        folds = [arrays[f"fold{k}_{kind}"] for k in range(header["folds"])]
        arrays[f"cv_{kind}"] = np.sort(np.concatenate(folds), kind="stable")
    return header, arrays
