"""What the live threshold explorer needs from one detector, packed once as bytes.

The explorer (``ui/components/threshold_explorer/``) counts in the browser: it gets the
cross-validated scores of each fold and the held-out scores, of the positives and of the
negatives, each sorted, and counts ``score >= threshold`` by binary search, as
:func:`core.counting.metrics_at` does. It merges the folds into the pooled scores itself, so
the pooled scores do not travel twice. The curves are only drawn, so they travel thinned
(:func:`core.drawing.thin_curve`); every number shown is counted from the full scores.

The curves are :func:`~core.curves.precision_recall_curve_exact` and
:func:`~core.curves.roc_curve_exact` (computed from the score index's counts, so the first
view of a page waits for no scikit-learn import).

The payload is one ``bytes`` object, so Streamlit sends it as it is (a ``Uint8Array`` in
JavaScript) and, being the same message on every rerun, from its cache afterwards:

- 8 bytes: ``b"TXP1"`` and the header's length (uint32, little-endian);
- the header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes; it names each array,
  its offset from the start of the payload and its length, and holds the few scalars;
- the arrays: float64, little-endian, each starting at a multiple of 8 bytes.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass

import numpy as np

from core.counting import ScoreIndex
from core.drawing import PATH_POINTS, thin_curve
from core.estimates import CONFIDENCE, wilson_z
from core.formatting import json_number
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


def array_names(n_folds: int) -> tuple[str, ...]:
    """The names of a payload's arrays, in their order in the bytes, for ``n_folds`` folds."""
    folds = [f"fold{k}_{kind}" for k in range(n_folds) for kind in ("positive", "negative")]
    return (*folds, *CURVE_ARRAYS)


@dataclass(frozen=True, eq=False)
class ExplorerPayload:
    """The explorer's data for one detector: sorted scores and the curve points to draw.

    Attributes
    ----------
    digit : int
        The detected digit.
    arrays : dict of str to ndarray
        float64 arrays named by :func:`array_names`: ``fold{k}_positive`` /
        ``fold{k}_negative`` are the cross-validated scores of fold ``k``'s positives /
        negatives, ascending; ``test_*`` the same for the held-out scores; ``vt_*`` the drawn
        points of precision and recall against the threshold; ``pr_*`` of the
        precision-recall curve; ``roc_*`` of the ROC curve (its first threshold is ``inf``,
        flag nothing).
    auc, average_precision : float
        Of the cross-validated scores; NaN when a class is missing.
    n_folds : int
        Number of cross-validation folds, >= 1.
    """

    digit: int
    arrays: dict
    auc: float
    average_precision: float
    n_folds: int

    @property
    def n_scores(self) -> int:
        """Number of cross-validated scores."""
        return sum(
            int(self.arrays[f"fold{k}_{c}"].size)
            for k in range(self.n_folds)
            for c in ("positive", "negative")
        )


def _class_scores(index: ScoreIndex) -> tuple[np.ndarray, np.ndarray]:
    """The sorted scores of the positives and of the negatives (ranks ascend, so do scores)."""
    return (
        np.ascontiguousarray(index.sorted_scores[index.positive_ranks]),
        np.ascontiguousarray(index.sorted_scores[index.negative_ranks]),
    )


def explorer_payload(
    data: TradeoffData, *, digit: int, max_points: int = PATH_POINTS
) -> ExplorerPayload:
    """Gather the explorer's data from a detector's :class:`~core.tradeoff.TradeoffData`.

    Parameters
    ----------
    data : TradeoffData
    digit : int
        The detected digit, 0 to 9.
    max_points : int
        About how many points of each curve to draw, >= 2.

    Returns
    -------
    ExplorerPayload

    Raises
    ------
    ValueError
        When ``digit`` is not an integer from 0 to 9 or ``max_points`` is below 2.
    """
    if isinstance(digit, bool) or not isinstance(digit, int | np.integer) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an integer from 0 to 9, got {digit!r}")
    pr, roc = data.pr_curve, data.roc_curve
    vt = thin_curve(
        pr.thresholds, np.column_stack((pr.precision, pr.recall)), max_points=max_points
    )
    pr_drawn = thin_curve(pr.recall, pr.precision, max_points=max_points)
    roc_drawn = thin_curve(roc.fpr, roc.tpr, max_points=max_points)
    folds = data.folds  # built at each use: once here
    test_positive, test_negative = _class_scores(data.test_index)
    arrays = {}
    for k, fold in enumerate(folds):
        arrays[f"fold{k}_positive"], arrays[f"fold{k}_negative"] = _class_scores(fold)
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
    names = array_names(len(folds))
    arrays = {name: np.ascontiguousarray(arrays[name], dtype="<f8") for name in names}
    return ExplorerPayload(
        digit=int(digit),
        arrays=arrays,
        auc=float(roc.auc),
        average_precision=float(pr.average_precision),
        n_folds=len(folds),
    )


def encode_payload(payload: ExplorerPayload) -> bytes:
    """The payload as the bytes the explorer reads (layout in this module's docstring).

    The header's ``id`` is a hash of the arrays, so the browser can tell one detector's
    payload from another's.
    """
    digest = hashlib.sha256()
    entries, offset = [], 0
    names = array_names(payload.n_folds)
    for name in names:
        array = payload.arrays[name]
        digest.update(name.encode())
        digest.update(array.tobytes())
        entries.append({"name": name, "offset": offset, "length": int(array.size)})
        offset += array.nbytes
    header = {
        "format": FORMAT,
        "id": digest.hexdigest()[:16],
        "digit": payload.digit,
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
    cross-validated scores, merged from the folds as the browser merges them.

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
    for kind in ("positive", "negative"):
        folds = [arrays[f"fold{k}_{kind}"] for k in range(header["folds"])]
        arrays[f"cv_{kind}"] = np.sort(np.concatenate(folds), kind="stable")
    return header, arrays
