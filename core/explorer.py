"""What the live threshold explorer needs from one scored set: thresholds with their counts.

The explorer (``ui/components/threshold_explorer/``) never gets the rows. It gets a *ladder*:
some of the curve rows' distinct scores (for an MNIST detector, the cross-validated scores),
each with its rank among all of them and, for each block of rows (each fold, or one block
without folds; the test rows; each group), how many positives and negatives it flags
(``score >= threshold``), taken from the blocks' :class:`~core.counting.ScoreIndex` by binary
search (:func:`core.counting.counts_at_thresholds`), so a set of per-row counts (an aggregated
table) works unchanged. The pooled counts are the folds' summed. Every threshold the explorer
shows is one of the ladder's, so every figure it shows is exact; two ladder entries whose ranks
follow each other are two neighbouring scores, which is how the arrow keys step to the next
distinct score. When a set has at most about :data:`COLUMNS` distinct scores, the ladder holds
them all.

The payload's ladder (:func:`explorer_payload`) holds the lowest and the highest score, one
score per device pixel of the widest axis across the opening view (where the recall runs from
99% to 1%: :data:`ACTION_RECALL`), a coarser one across every score, the scores at each
:data:`QUANTILES`-th of the rows (for PageUp and PageDown) and the drawn curves' thresholds. It
does not grow with the number of rows, only with the number of blocks, and stays within
:data:`PAYLOAD_BUDGET` bytes (fewer columns when there are many groups). Whatever the view or a
key step needs beyond it travels as a *window* (:func:`explorer_window`): one score per pixel
across the view asked for and :data:`NEIGHBOURS` neighbouring scores either side of the
threshold, every one of them, with their counts.

What the rows are called (digits, rows, "5s", "rows labelled fraud") travels in the header as
:class:`ExplorerNouns`, so nothing in the explorer is about digits. The curves are only drawn,
so they travel thinned (:func:`core.drawing.thin_curve`); their thresholds are on the ladder.
The curves are :func:`~core.curves.precision_recall_curve_exact` and
:func:`~core.curves.roc_curve_exact` (computed from the score index's counts, so the first
view of a page waits for no scikit-learn import). What follows the settings over every score
(the average precision at a prevalence, the least-cost threshold) is computed here too
(:func:`settings_figures`) and travels with the server's position.

A payload and a window are ``bytes``, so Streamlit sends them as they are (a ``Uint8Array`` in
JavaScript) and, the payload being the same message on every rerun, from its cache afterwards:

- 8 bytes: ``b"TXP2"`` and the header's length (uint32, little-endian);
- the header: UTF-8 JSON, padded with spaces to a multiple of 8 bytes; it names each array,
  its offset from the start of the bytes and its length, and holds the scalars (``kind``:
  ``"payload"`` or ``"window"``), the nouns, the blocks and their totals, the groups' names;
- the arrays: float64, little-endian, each starting at a multiple of 8 bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from dataclasses import asdict, dataclass, fields

import numpy as np

from core.counting import ScoreIndex, counts_at_thresholds
from core.curves import average_precision_at_prevalence
from core.drawing import PATH_POINTS, thin_curve
from core.estimates import CONFIDENCE, wilson_z
from core.formatting import json_number
from core.pickers import threshold_for_least_cost
from core.scored_set import ScoredSet
from core.tradeoff import TradeoffData

MAGIC = b"TXP2"
FORMAT = "threshold-explorer/2"

#: Scores per view: one per device pixel of the explorer's axis at its widest.
COLUMNS = 2048
#: Scores at each 1/QUANTILES of the rows, in the payload (PageUp / PageDown land on them).
QUANTILES = 1024
#: Neighbouring distinct scores sent either side of a threshold (the arrow keys' reach).
NEIGHBOURS = 256
#: The most bytes of a payload; more blocks mean fewer columns.
PAYLOAD_BUDGET = 1_500_000
#: The recall band the threshold axis opens on (where the trade-off happens), and the room
#: either side of it as a share of its width.
ACTION_RECALL = (0.01, 0.99)
ACTION_MARGIN = 0.1

# The drawn curves' arrays, in their order in the payload's bytes after the ladder's.
CURVE_ARRAYS = (
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


def block_names(n_folds: int, *, has_test: bool, n_groups: int = 0) -> tuple[str, ...]:
    """The blocks whose counts the ladder carries: ``fold0`` ... (one block without folds),
    ``test`` when there are test rows, ``group0`` ...."""
    return (
        *(f"fold{k}" for k in range(n_folds)),
        *(("test",) if has_test else ()),
        *(f"group{g}" for g in range(n_groups)),
    )


def ladder_names(blocks) -> tuple[str, ...]:
    """The names of a ladder's arrays, in their order in the bytes: ``threshold``, ``rank``,
    then each block's ``{block}_tp`` and ``{block}_fp``."""
    return ("threshold", "rank", *(f"{b}_{c}" for b in blocks for c in ("tp", "fp")))


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
    """The explorer's data for one scored set: the ladder and the curve points to draw.

    Attributes
    ----------
    nouns : ExplorerNouns
        What the explorer calls the rows and classes.
    arrays : dict of str to ndarray
        float64 arrays: the ladder's (:func:`ladder_names` of ``blocks``): ``threshold``, some
        of the curve rows' distinct scores, ascending; ``rank``, the index of each among all
        ``distinct`` of them; ``{block}_tp`` / ``{block}_fp``, the block's positives /
        negatives flagged at each; then the drawn curves (:data:`CURVE_ARRAYS`): ``vt_*`` the
        points of precision and recall against the threshold, ``pr_*`` of the
        precision-recall curve, ``roc_*`` of the ROC curve (its first threshold is ``inf``,
        flag nothing).
    blocks : tuple of str
        :func:`block_names`: the folds (one block without folds), ``test``, the groups.
    totals : dict of str to (int, int)
        Each block's positives and negatives.
    distinct : int
        Number of distinct curve-row scores.
    low, high : float
        The lowest and highest curve-row score (NaN without curve rows).
    full, opening : (float, float)
        The threshold axis's whole domain (every score, 2% room either side) and the part it
        opens on (the recall band :data:`ACTION_RECALL` with :data:`ACTION_MARGIN` either side;
        ``full`` without such a band).
    auc, average_precision : float
        Of the curve rows' scores; NaN when a class is missing.
    n_folds : int
        Number of blocks of curve rows, >= 1: the folds, or 1 without folds.
    has_folds, has_test : bool
        Whether the set has folds (else its one block is no fold) and test rows.
    group_names : tuple of str
        Each group's name, in the order of the ``group{g}`` blocks.
    """

    nouns: ExplorerNouns
    arrays: dict
    blocks: tuple[str, ...]
    totals: dict
    distinct: int
    low: float
    high: float
    full: tuple[float, float]
    opening: tuple[float, float]
    auc: float
    average_precision: float
    n_folds: int
    has_folds: bool = True
    has_test: bool = True
    group_names: tuple[str, ...] = ()

    @property
    def n_scores(self) -> int:
        """Number of curve rows."""
        return sum(sum(self.totals[f"fold{k}"]) for k in range(self.n_folds))

    @property
    def n_thresholds(self) -> int:
        """Number of thresholds on the ladder."""
        return int(self.arrays["threshold"].size)


@dataclass(frozen=True, eq=False)
class ExplorerWindow:
    """More of the ladder, for one view and one threshold (:func:`explorer_window`).

    Attributes
    ----------
    arrays : dict of str to ndarray
        The ladder's arrays, as :class:`ExplorerPayload`'s.
    view : (float, float)
        The scores the window covers one per column.
    threshold : float or None
        The threshold whose neighbours it holds.
    at : dict of str to int, or None
        Each block's ``{block}_tp`` and ``{block}_fp`` at ``threshold`` itself: the ladder's
        scores are the curve rows', and a threshold between two of them can flag test rows
        that the score above it does not.
    """

    arrays: dict
    view: tuple[float, float]
    threshold: float | None
    at: dict | None = None


@dataclass(frozen=True)
class SettingsFigures:
    """What follows the settings over every score (:func:`settings_figures`).

    Attributes
    ----------
    average_precision : float
        At the prevalence (the curve rows' own share without one); NaN when undefined.
    least_cost_threshold : float or None
        The least-cost threshold (``inf``: flag nothing), as
        :func:`core.pickers.threshold_for_least_cost` picks it; None without costs.
    least_cost : float or None
        Its cost per 1,000 rows; None without costs.
    """

    average_precision: float
    least_cost_threshold: float | None
    least_cost: float | None


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


def _block_indexes(data: TradeoffData, groups) -> list[tuple[str, ScoreIndex]]:
    """The blocks of :func:`block_names` with their score indexes; the folds' first."""
    folds = data.folds  # built at each use: once here
    blocks = [(f"fold{k}", index) for k, index in enumerate(folds or (data.cv_index,))]
    if data.test_index is not None:
        blocks.append(("test", data.test_index))
    blocks += [(f"group{g}", index) for g, (_, index) in enumerate(groups)]
    return blocks


@dataclass(frozen=True, eq=False)
class ExplorerBlocks:
    """What windows are counted from (:func:`explorer_blocks`): the curve rows' score index
    (``pool``, whose distinct scores the ladder's are) and each block's, by name."""

    pool: ScoreIndex
    blocks: tuple[tuple[str, ScoreIndex], ...]


def explorer_blocks(data: TradeoffData, *, groups=()) -> ExplorerBlocks:
    """The score indexes of a scored set's blocks (:func:`block_names`), built once, for
    :func:`explorer_window` (the folds' indexes are built at each use of ``data.folds``).

    Raises
    ------
    ValueError
        When ``groups`` is not (name, ScoreIndex) pairs with distinct names.
    """
    return ExplorerBlocks(data.cv_index, tuple(_block_indexes(data, _checked_groups(groups))))


def _ladder(pool: ScoreIndex, blocks, ranks) -> dict[str, np.ndarray]:
    """The ladder at the distinct scores of ``pool`` of the given ranks (any order, repeats)."""
    ranks = np.unique(np.asarray(ranks, dtype=np.int64))
    thresholds = np.ascontiguousarray(pool.thresholds[ranks], dtype="<f8")
    arrays = {"threshold": thresholds, "rank": ranks.astype("<f8")}
    for name, index in blocks:
        tp, fp, _, _ = counts_at_thresholds(index, thresholds)
        arrays[f"{name}_tp"] = np.asarray(tp, dtype="<f8")
        arrays[f"{name}_fp"] = np.asarray(fp, dtype="<f8")
    return arrays


def _grid_ranks(thresholds: np.ndarray, domain, columns: int) -> np.ndarray:
    """The rank of the distinct score nearest the middle of each of ``columns`` equal columns
    across ``domain``, and of the first and last score inside it."""
    size = thresholds.size
    low, high = float(domain[0]), float(domain[1])
    if not size or columns < 1 or not math.isfinite(low) or not math.isfinite(high):
        return np.empty(0, dtype=np.int64)
    middles = low + (np.arange(columns) + 0.5) * ((high - low) / columns)
    above = np.minimum(thresholds.searchsorted(middles, side="left"), size - 1)
    below = np.maximum(above - 1, 0)
    nearer = np.where(
        np.abs(thresholds[below] - middles) <= np.abs(thresholds[above] - middles), below, above
    )
    ends = [thresholds.searchsorted(low, side="left"), thresholds.searchsorted(high, "right") - 1]
    return np.concatenate((nearer, np.clip(ends, 0, size - 1)))


def _neighbour_ranks(thresholds: np.ndarray, threshold: float, neighbours: int) -> np.ndarray:
    """The ranks of ``neighbours`` distinct scores below ``threshold`` and as many from it up."""
    at = int(thresholds.searchsorted(threshold, side="left"))
    return np.arange(max(0, at - neighbours), min(thresholds.size, at + neighbours + 1))


def _quantile_ranks(pool: ScoreIndex, quantiles: int) -> np.ndarray:
    """The rank of the score of the row at each 1/``quantiles`` of the rows."""
    rows = pool.n_pos + pool.n_neg
    if not pool.thresholds.size or not rows:
        return np.empty(0, dtype=np.int64)
    below = rows - (np.asarray(pool.tp, dtype=np.float64) + pool.fp)  # rows under each score
    targets = np.arange(1, quantiles) * (rows / quantiles)
    return np.clip(below.searchsorted(targets, side="right") - 1, 0, pool.thresholds.size - 1)


def _curve_ranks(thresholds: np.ndarray, values: np.ndarray) -> np.ndarray:
    values = values[np.isfinite(values)]
    at = np.minimum(thresholds.searchsorted(values, side="left"), max(thresholds.size - 1, 0))
    return at[thresholds[at] == values] if thresholds.size else at


def threshold_domain(low: float, high: float) -> tuple[float, float]:
    """The threshold axis's whole domain: the scores' range and 2% room either side (1 when
    every score is the same)."""
    pad = (high - low) * 0.02 or 1.0
    return (low - pad, high + pad)


def recall_band(index: ScoreIndex, band=ACTION_RECALL) -> tuple[float, float] | None:
    """The scores between which the recall runs from ``band[1]`` down to ``band[0]``: [the
    lowest threshold at which recall is at most 99%, the highest at which it is at least 1%],
    as scores of the positives; None with fewer than two positives or when both are one score.
    """
    least, most = band
    n = index.n_pos
    if n < 2:
        return None
    below = n - np.asarray(index.tp, dtype=np.float64)  # positives under each score

    def kth(k: float) -> float:  # the k-th smallest positive score, 0-based
        return float(index.thresholds[int(below.searchsorted(k, side="right")) - 1])

    low = kth(min(n - 1, n - math.floor(most * n)))
    high = kth(max(0, n - math.ceil(least * n)))
    return (low, high) if high > low else None


def opening_domain(index: ScoreIndex, full) -> tuple[float, float]:
    """The domain the threshold axis opens on: :func:`recall_band` with
    :data:`ACTION_MARGIN` either side, inside ``full``; ``full`` when there is no band."""
    band = recall_band(index)
    if band is None:
        return tuple(full)
    pad = (band[1] - band[0]) * ACTION_MARGIN
    return (max(full[0], band[0] - pad), min(full[1], band[1] + pad))


def _bytes_per_threshold(n_blocks: int) -> int:
    return 8 * (2 + 2 * n_blocks)


def explorer_payload(
    data: TradeoffData,
    *,
    nouns: ExplorerNouns,
    groups=(),
    max_points: int = PATH_POINTS,
    columns: int = COLUMNS,
    budget: int = PAYLOAD_BUDGET,
    blocks: ExplorerBlocks | None = None,
) -> ExplorerPayload:
    """Gather the explorer's data from a scored set's :class:`~core.tradeoff.TradeoffData`.

    Parameters
    ----------
    data : TradeoffData
        ``data.test_index`` may be None (no test rows: the test panel is not drawn) and
        ``data.folds`` empty (no folds: the curve rows are one block, no fold is drawn).
    nouns : ExplorerNouns
        What the rows are called: :func:`detector_nouns` or :func:`scored_set_nouns`.
    groups : sequence of (str, ScoreIndex)
        Each group's name and the score index of its curve rows
        (:func:`core.groups.group_indexes`); empty: no group table.
    max_points : int
        About how many points of each curve to draw, >= 2.
    columns : int
        Scores across the opening view (half as many across every score), >= 1.
    budget : int
        The most bytes of the ladder; fewer columns and quantiles when the blocks need it.
    blocks : ExplorerBlocks or None
        :func:`explorer_blocks` of ``data`` with these ``groups``, when already built (the
        folds' indexes are otherwise built here).

    Returns
    -------
    ExplorerPayload
        Its size depends on ``columns``, ``max_points`` and the number of blocks, never on
        the number of rows.

    Raises
    ------
    ValueError
        When ``nouns`` is not an :class:`ExplorerNouns`, its ``fold_labels`` are given but
        not one per fold, ``groups`` is not (name, ScoreIndex) pairs with distinct names,
        ``max_points`` is below 2 or ``columns`` below 1.
    """
    if not isinstance(nouns, ExplorerNouns):
        raise ValueError(f"nouns must be an ExplorerNouns, got {type(nouns).__name__}")
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"columns must be an integer >= 1, got {columns!r}")
    groups = _checked_groups(groups)
    if blocks is not None and not isinstance(blocks, ExplorerBlocks):
        raise ValueError(f"blocks must be an ExplorerBlocks, got {type(blocks).__name__}")
    blocks = list(blocks.blocks) if blocks is not None else _block_indexes(data, groups)
    n_folds = sum(name.startswith("fold") for name, _ in blocks)
    has_folds = data.fold_ids is not None
    if nouns.fold_labels and len(nouns.fold_labels) != (n_folds if has_folds else 0):
        raise ValueError(
            f"nouns.fold_labels must name each of the {n_folds if has_folds else 0} folds, "
            f"got {len(nouns.fold_labels)} labels"
        )
    # Within the budget: every part of the ladder scaled alike when the blocks need it.
    room = budget // _bytes_per_threshold(len(blocks))
    scale = min(1.0, room / (2 + columns + columns // 2 + QUANTILES + 3 * max_points))
    points = max(2, int(max_points * scale))
    pr, roc = data.pr_curve, data.roc_curve
    vt = thin_curve(pr.thresholds, np.column_stack((pr.precision, pr.recall)), max_points=points)
    pr_drawn = thin_curve(pr.recall, pr.precision, max_points=points)
    roc_drawn = thin_curve(roc.fpr, roc.tpr, max_points=points)
    pool = data.cv_index
    thresholds = pool.thresholds
    curves = {
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
    if thresholds.size:
        low, high = float(thresholds[0]), float(thresholds[-1])
        full = threshold_domain(low, high)
    else:
        low = high = math.nan
        full = (0.0, 1.0)
    opening = opening_domain(pool, full)
    shown = max(1, int(columns * scale))
    if thresholds.size <= room:  # every distinct score fits: the ladder is complete
        ranks = [np.arange(thresholds.size)]
    else:
        ranks = [
            [0, thresholds.size - 1],
            _grid_ranks(thresholds, opening, shown),
            _grid_ranks(thresholds, full, shown // 2),
            _quantile_ranks(pool, max(2, int(QUANTILES * scale))),
            *(_curve_ranks(thresholds, curves[f"{c}_threshold"]) for c in ("vt", "pr", "roc")),
        ]
    arrays = _ladder(pool, blocks, np.concatenate([np.asarray(r, dtype=np.int64) for r in ranks]))
    arrays |= {name: np.ascontiguousarray(curves[name], dtype="<f8") for name in CURVE_ARRAYS}
    return ExplorerPayload(
        nouns=nouns,
        arrays=arrays,
        blocks=tuple(name for name, _ in blocks),
        totals={name: (int(index.n_pos), int(index.n_neg)) for name, index in blocks},
        distinct=int(thresholds.size),
        low=low,
        high=high,
        full=tuple(float(v) for v in full),
        opening=tuple(float(v) for v in opening),
        auc=float(roc.auc),
        average_precision=float(pr.average_precision),
        n_folds=n_folds,
        has_folds=has_folds,
        has_test=data.test_index is not None,
        group_names=tuple(name for name, _ in groups),
    )


def explorer_window(
    blocks: ExplorerBlocks,
    *,
    view=None,
    columns: int = COLUMNS,
    threshold: float | None = None,
    neighbours: int = NEIGHBOURS,
) -> ExplorerWindow:
    """More of the ladder: one score per column across ``view`` and every score near
    ``threshold``, with each block's counts (the blocks of :func:`explorer_payload`).

    Parameters
    ----------
    blocks : ExplorerBlocks
        :func:`explorer_blocks` of the scored set, with the groups given to
        :func:`explorer_payload`.
    view : (float, float) or None
        The scores on the axis, low to high; None: no columns.
    columns : int
        How many columns across ``view``, from 1 to :data:`COLUMNS` (more are clipped).
    threshold : float or None
        The scores near it: ``neighbours`` below it and ``neighbours + 1`` from it up (so a
        threshold between two scores has both); None: none.
    neighbours : int
        >= 0.

    Returns
    -------
    ExplorerWindow
        At most ``COLUMNS + 2 * neighbours + 3`` thresholds, whatever the number of rows.

    Raises
    ------
    ValueError
        When ``blocks`` is not an :class:`ExplorerBlocks`, ``view`` is not two finite numbers,
        low before high, ``columns`` is not an integer >= 1, ``threshold`` is NaN or
        ``neighbours`` is negative.
    """
    if isinstance(columns, bool) or not isinstance(columns, int | np.integer) or columns < 1:
        raise ValueError(f"columns must be an integer >= 1, got {columns!r}")
    if isinstance(neighbours, bool) or not isinstance(neighbours, int) or neighbours < 0:
        raise ValueError(f"neighbours must be an integer >= 0, got {neighbours!r}")
    if view is not None:
        try:
            low, high = (float(v) for v in view)
        except (TypeError, ValueError):
            raise ValueError(f"view must be two numbers, got {view!r}") from None
        if not (math.isfinite(low) and math.isfinite(high) and low <= high):
            raise ValueError(f"view must be two finite numbers, low first, got {view!r}")
        view = (low, high)
    if threshold is not None and (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or math.isnan(threshold)
    ):
        raise ValueError(f"threshold must be a number, got {threshold!r}")
    if not isinstance(blocks, ExplorerBlocks):
        raise ValueError(f"blocks must be an ExplorerBlocks, got {type(blocks).__name__}")
    pool = blocks.pool
    ranks = [np.empty(0, dtype=np.int64)]
    if view is not None:
        ranks.append(_grid_ranks(pool.thresholds, view, min(int(columns), COLUMNS)))
    if threshold is not None:
        ranks.append(_neighbour_ranks(pool.thresholds, float(threshold), neighbours))
    arrays = _ladder(pool, blocks.blocks, np.concatenate(ranks))
    at = None
    if threshold is not None:
        at = {}
        for name, index in blocks.blocks:
            tp, fp, _, _ = counts_at_thresholds(index, np.array([float(threshold)]))
            at[f"{name}_tp"], at[f"{name}_fp"] = int(tp[0]), int(fp[0])
    return ExplorerWindow(arrays=arrays, view=view, threshold=threshold, at=at)


def settings_figures(
    data: TradeoffData,
    *,
    prevalence: float | None = None,
    fp_cost: float | None = None,
    fn_cost: float | None = None,
) -> SettingsFigures:
    """The average precision at ``prevalence`` and the least-cost threshold at the costs,
    over every curve row's score: what the explorer shows that no ladder can count.

    Parameters
    ----------
    data : TradeoffData
    prevalence : float in (0, 1) or None
        The positives' share where the classifier will be used; None: the curve rows' own.
    fp_cost, fn_cost : float or None
        What a false positive and a false negative cost; no least cost when either is None,
        both are 0, or a class is missing (as the explorer's cost curve).

    Returns
    -------
    SettingsFigures
    """
    index = data.cv_index
    if not index.n_pos or (prevalence is not None and not index.n_neg):
        average_precision = math.nan
    elif prevalence is None:
        average_precision = float(data.pr_curve.average_precision)
    else:
        average_precision = float(average_precision_at_prevalence(index, prevalence=prevalence))
    costs = fp_cost is not None and fn_cost is not None and (fp_cost or fn_cost)
    if not costs or not index.n_pos or not index.n_neg:
        return SettingsFigures(average_precision, None, None)
    choice = threshold_for_least_cost(
        index, false_positive_cost=fp_cost, false_negative_cost=fn_cost, prevalence=prevalence
    )
    per_thousand = 1000 / (index.n_pos + index.n_neg) if prevalence is None else 1000
    return SettingsFigures(average_precision, float(choice.threshold), choice.value * per_thousand)


def _digest(described: dict, arrays: dict, names) -> str:
    digest = hashlib.sha256(json.dumps(described, sort_keys=True).encode())
    for name in names:
        digest.update(name.encode())
        digest.update(arrays[name].tobytes())
    return digest.hexdigest()[:16]


def _pack(header: dict, arrays: dict, names) -> bytes:
    """The magic, the header with each array's offset and length, the arrays."""
    entries, offset = [], 0
    for name in names:
        entries.append({"name": name, "offset": offset, "length": int(arrays[name].size)})
        offset += arrays[name].nbytes
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
    parts += [np.ascontiguousarray(arrays[name], dtype="<f8").tobytes() for name in names]
    return b"".join(parts)


def encode_payload(payload: ExplorerPayload) -> bytes:
    """The payload as the bytes the explorer reads (layout in this module's docstring).

    The header's ``id`` is a hash of the arrays and of what describes them (nouns, folds,
    test, groups), so the browser can tell one scored set's payload from another's; windows
    carry it too.
    """
    described = {
        "nouns": asdict(payload.nouns),
        "has_folds": payload.has_folds,
        "has_test": payload.has_test,
        "groups": list(payload.group_names),
        "blocks": list(payload.blocks),
        "totals": {name: list(payload.totals[name]) for name in payload.blocks},
        "distinct": payload.distinct,
    }
    names = (*ladder_names(payload.blocks), *CURVE_ARRAYS)
    header = {
        "format": FORMAT,
        "kind": "payload",
        "id": _digest(described, payload.arrays, names),
        **described,
        "low": json_number(payload.low),
        "high": json_number(payload.high),
        "full": list(payload.full),
        "opening": list(payload.opening),
        "auc": json_number(payload.auc),
        "average_precision": json_number(payload.average_precision),
        "folds": payload.n_folds,
        "confidence": CONFIDENCE,
        "z": wilson_z(CONFIDENCE),
    }
    return _pack(header, payload.arrays, names)


def encode_window(window: ExplorerWindow, *, payload_id: str, seq: int, blocks) -> bytes:
    """A window as bytes for the explorer of payload ``payload_id``; ``seq`` names the request
    it answers; ``blocks`` are the payload's (its header's ``blocks``)."""
    header = {
        "format": FORMAT,
        "kind": "window",
        "id": payload_id,
        "seq": int(seq),
        "view": None if window.view is None else list(window.view),
        "threshold": None if window.threshold is None else json_number(window.threshold),
        "at": window.at,
    }
    return _pack(header, window.arrays, ladder_names(tuple(blocks)))


def decode_payload(blob: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """Read :func:`encode_payload`'s (or :func:`encode_window`'s) bytes back: the header and
    the arrays (for tests, tools).

    Raises
    ------
    ValueError
        When ``blob`` is not an explorer payload.
    """
    if not isinstance(blob, bytes | bytearray | memoryview) or bytes(blob[:4]) != MAGIC:
        raise ValueError("not a threshold explorer payload (no TXP2 magic)")
    (length,) = struct.unpack("<I", bytes(blob[4:8]))
    header = json.loads(bytes(blob[8 : 8 + length]))
    arrays = {
        entry["name"]: np.frombuffer(
            blob, dtype="<f8", count=entry["length"], offset=entry["offset"]
        )
        for entry in header["arrays"]
    }
    return header, arrays


def ladder_counts(
    header: dict, arrays: dict, *, threshold: float, block: str | None = None, at=None
) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of ``block`` (None: the curve rows pooled) at ``threshold``, read from
    a decoded ladder as the explorer reads it: the window's counts ``at`` its own threshold
    when it is that one (a dict with ``threshold`` and :attr:`ExplorerWindow.at`'s counts),
    else at the first ladder score at or above it (for the test rows, only at a ladder score).

    ``header`` is the payload's (its blocks and totals), ``arrays`` any ladder of it.

    Raises
    ------
    ValueError
        When the ladder does not fix the counts there: ``threshold`` is no ladder score, not
        ``at``'s, and the ladder's scores either side of it are not neighbours.
    """
    thresholds, ranks = arrays["threshold"], arrays["rank"]
    names = [b for b in header["blocks"] if b.startswith("fold")] if block is None else [block]
    here = at is not None and at.get("threshold") == threshold
    index = int(thresholds.searchsorted(threshold, side="left"))
    if not here and not (index < thresholds.size and thresholds[index] == threshold):
        rank_above = ranks[index] if index < thresholds.size else header["distinct"]
        rank_below = ranks[index - 1] if index > 0 else -1
        # The test rows' scores are not the curve rows': only a ladder score fixes theirs.
        if rank_above - rank_below != 1 or block == "test":
            raise ValueError(f"the ladder does not fix the counts at {threshold!r}")
    tp = fp = n_pos = n_neg = 0
    for name in names:
        if here:
            tp += int(at[f"{name}_tp"])
            fp += int(at[f"{name}_fp"])
        elif index < thresholds.size:
            tp += int(arrays[f"{name}_tp"][index])
            fp += int(arrays[f"{name}_fp"][index])
        n_pos += header["totals"][name][0]
        n_neg += header["totals"][name][1]
    return tp, fp, n_pos - tp, n_neg - fp
