"""What the live threshold explorer needs from one detector, packed once as bytes.

The explorer (``ui/components/threshold_explorer/``) counts in the browser: it gets the
cross-validated scores of each fold and the held-out scores, of the positives and of the
negatives, each sorted, and counts ``score >= threshold`` by binary search, as
:func:`core.thresholds.metrics_at` does. It merges the folds into the pooled scores itself, so
the pooled scores do not travel twice. The curves are only drawn, so they travel thinned
(:func:`core.thresholds.thin_curve`); every number shown is counted from the full scores.

:func:`estimates_fixture` holds what :mod:`core.estimates` and :mod:`core.thresholds` say of
intervals, prevalence and cost, for the browser's own formulas (``estimates.js``) to be tested
against.

The curves are :func:`~core.thresholds.precision_recall_curve_exact` and
:func:`~core.thresholds.roc_curve_exact` (computed from the score index's counts, so the first
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
import math
import struct
from dataclasses import dataclass

import numpy as np

from core.estimates import CONFIDENCE, wilson_z
from core.thresholds import ScoreIndex, thin_curve
from core.tradeoff import TradeoffData

MAGIC = b"TXP1"
FORMAT = "threshold-explorer/1"
DRAWN_POINTS = 400  # per curve; drawn as one SVG path, so more than the charts' 200 markers

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
ESTIMATES_FIXTURE_FORMAT = "threshold-explorer-estimates/1"


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
    data: TradeoffData, *, digit: int, max_points: int = DRAWN_POINTS
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


def _json_float(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


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
        "auc": _json_float(payload.auc),
        "average_precision": _json_float(payload.average_precision),
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


def write_payload_fixture(*, path) -> None:
    """Write the payload of a tiny detector, the counting fixture's "ties" case, to ``path``.

    The explorer's JavaScript tests (``tests/js/explorer.test.mjs``) decode it and compare its
    scores with that case of :func:`core.thresholds.counting_fixture`.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (``tests/js/fixtures/payload.bin``); its directory must exist.
    """
    from pathlib import Path
    from types import SimpleNamespace

    from core.thresholds import counting_fixture
    from core.tradeoff import tradeoff_data

    case = next(c for c in counting_fixture()["cases"] if c["name"] == "ties")
    scores = np.array(case["positives"] + case["negatives"])
    labels = np.array([True] * len(case["positives"]) + [False] * len(case["negatives"]))
    result = SimpleNamespace(
        y_train=labels,
        cv_scores=scores,
        fold_ids=np.arange(scores.size) % 3,
        y_test=labels,
        test_scores=scores + 0.5,
    )
    Path(path).write_bytes(encode_payload(explorer_payload(tradeoff_data(result), digit=5)))


def estimates_fixture() -> dict:
    """Cases and expected answers for the explorer's own formulas (``estimates.js``).

    - ``wilson``: :func:`core.estimates.wilson_interval` for many ``(k, n)``, ``k = 0``,
      ``k = n`` and ``n = 0`` (null) among them;
    - ``prevalence``: :func:`core.estimates.at_prevalence` for pairs of rates and shares;
    - ``cost``: per case of :func:`core.thresholds.counting_fixture` with both classes and per
      pair of costs and prevalence (null: the sample's own), the weights of
      :func:`core.thresholds.cost_weights`, the threshold
      :func:`core.thresholds.threshold_for_least_cost` picks (``"Infinity"``: flag nothing)
      and :func:`core.estimates.expected_cost_per_1000` at each distinct score (the case's
      scores are in the counting fixture, by name).

    Returns
    -------
    dict
        JSON-ready (no inf or NaN numbers).
    """
    from core.estimates import at_prevalence, expected_cost_per_1000, wilson_interval
    from core.thresholds import (
        build_score_index,
        cost_weights,
        counting_fixture,
        metrics_at,
        threshold_for_least_cost,
    )

    def number(value):
        value = float(value)
        if math.isnan(value):
            return None
        return value if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")

    wilson = []
    for n in (0, 1, 2, 3, 5, 10, 37, 100, 1000, 2891, 5421, 60000):
        for k in sorted({0, 1, n // 7, n // 3, n // 2, n - 1, n} - {-1}):
            if 0 <= k <= n:
                low, high = wilson_interval(k, n)
                wilson.append({"k": k, "n": n, "low": number(low), "high": number(high)})
    prevalence = []
    for recall, fpr in ((0.48, 0.0053), (1.0, 1.0), (0.0, 0.0), (0.0, 0.2), (0.9, 0.0)):
        for p in (0.0001, 0.01, 0.09035, 0.2, 0.5, 0.9999):
            shifted = at_prevalence(recall=recall, false_positive_rate=fpr, prevalence=p)
            prevalence.append(
                {
                    "recall": recall,
                    "false_positive_rate": fpr,
                    "prevalence": p,
                    "precision": number(shifted.precision),
                    "f1": number(shifted.f1),
                    "accuracy": number(shifted.accuracy),
                }
            )
    cost = []
    for case in counting_fixture()["cases"]:
        if not case["positives"] or not case["negatives"]:
            continue
        scores = case["positives"] + case["negatives"]
        labels = [True] * len(case["positives"]) + [False] * len(case["negatives"])
        index = build_score_index(y_true=np.array(labels), scores=np.array(scores))
        share = index.n_pos / index.n_samples
        for fp_cost, fn_cost in ((1.0, 5.0), (1.0, 1.0), (0.0, 1.0), (3.0, 0.0), (2.5, 0.1)):
            for p in (None, 0.01, 0.3, 0.9):
                weights = cost_weights(
                    index, false_positive_cost=fp_cost, false_negative_cost=fn_cost, prevalence=p
                )
                choice = threshold_for_least_cost(
                    index, false_positive_cost=fp_cost, false_negative_cost=fn_cost, prevalence=p
                )
                per_1000 = []
                for t in index.thresholds:
                    m = metrics_at(index, threshold=t)
                    per_1000.append(
                        expected_cost_per_1000(
                            recall=m.recall,
                            false_positive_rate=m.false_positive_rate,
                            prevalence=share if p is None else p,
                            false_positive_cost=fp_cost,
                            false_negative_cost=fn_cost,
                        )
                    )
                cost.append(
                    {
                        "case": case["name"],
                        "false_positive_cost": fp_cost,
                        "false_negative_cost": fn_cost,
                        "prevalence": p,
                        "weights": list(weights),
                        "least_cost_threshold": number(choice.threshold),
                        "cost_per_1000": per_1000,
                    }
                )
    return {
        "format": ESTIMATES_FIXTURE_FORMAT,
        "confidence": CONFIDENCE,
        "z": wilson_z(CONFIDENCE),
        "wilson": wilson,
        "prevalence": prevalence,
        "cost": cost,
    }


def write_estimates_fixture(*, path) -> None:
    """Write :func:`estimates_fixture` to ``path`` (``tests/js/fixtures/estimates.json``)."""
    from core.thresholds import write_fixture

    write_fixture(estimates_fixture(), path=path)
