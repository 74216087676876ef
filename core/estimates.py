"""How sure each figure is, what it becomes at another prevalence, and what it costs.

A precision read off the cross-validated scores is an estimate from a sample; this module says
how good an estimate, without refitting anything:

- :func:`wilson_interval`: the 95% Wilson score interval of a proportion (precision is the true
  positives among the flagged, recall the flagged among the real positives, the false-positive
  rate the flagged among the real negatives). 0 of 0 is undefined: NaN.
- :func:`fold_indexes`: one score index per cross-validation fold, so that the same threshold
  can be read on each fold's held-out digits alone.
- :func:`bootstrap_threshold`: a seeded bootstrap of the threshold a target picks, and of the
  other figure there. Each resample draws counts over the *sorted* scores (a multinomial over
  the positions) instead of re-sorting the scores, so 1,000 resamples cost 1,000 cumulative
  sums.
- :func:`at_prevalence`: precision, F1 and accuracy where the digit is as common as ``p``
  (precision = TPR p / (TPR p + FPR (1 - p))); recall and the false-positive rate are rates
  within one class and do not change.
- :func:`expected_cost_per_1000`: the cost of the errors per 1,000 digits at a prevalence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from core.thresholds import (
    ScoreIndex,
    build_score_index,
    counts_at,
    threshold_for_precision,
    threshold_for_recall,
)
from core.validation import check_cost, check_count, check_fraction

CONFIDENCE = 0.95
N_RESAMPLES = 1000
BOOTSTRAP_SEED = 42
NEGATIVE_BLOCK = 1024  # negatives per block of a resample (see _Resample)
TARGET_KINDS = ("precision", "recall")


def check_prevalence(value) -> float:
    """A prevalence: a number in (0, 1)."""
    p = check_fraction(value, "prevalence")
    if p == 1.0:
        raise ValueError("prevalence must be below 1, got 1")
    return p


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes, trials, *, confidence: float = CONFIDENCE):
    """The Wilson score interval of ``successes / trials``.

    Parameters
    ----------
    successes, trials : int or array-like of int
        ``0 <= successes <= trials``; arrays broadcast.
    confidence : float, default 0.95
        In (0, 1).

    Returns
    -------
    (low, high) : floats, or arrays of the broadcast shape
        Within [0, 1]; NaN where ``trials == 0``. Equal to
        ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``.

    Raises
    ------
    ValueError
        When counts are negative, ``successes > trials``, or ``confidence`` is not in (0, 1).
    """
    if not (isinstance(confidence, float | int) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a number in (0, 1), got {confidence!r}")
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if np.any(k < 0) or np.any(n < 0) or np.any(k > n):
        raise ValueError(f"need 0 <= successes <= trials, got {successes!r} of {trials!r}")
    z = _z(float(confidence))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 2 * (n + z**2)
        center = (2 * n * p + z**2) / denominator
        half = z * np.sqrt(z**2 + 4 * n * p * (1 - p)) / denominator
        low = np.where(k == 0, 0.0, np.clip(center - half, 0.0, 1.0))
        high = np.where(k == n, 1.0, np.clip(center + half, 0.0, 1.0))
    low = np.where(n == 0, np.nan, low)
    high = np.where(n == 0, np.nan, high)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


@dataclass(frozen=True)
class Intervals:
    """95% Wilson intervals of the three proportions at one threshold, each ``(low, high)``."""

    precision: tuple[float, float]
    recall: tuple[float, float]
    false_positive_rate: tuple[float, float]


def intervals_at(index: ScoreIndex, *, threshold: float) -> Intervals:
    """The Wilson intervals of precision, recall and false-positive rate at ``threshold``."""
    c = counts_at(index, threshold=threshold)
    return Intervals(
        precision=wilson_interval(c.tp, c.tp + c.fp),
        recall=wilson_interval(c.tp, c.tp + c.fn),
        false_positive_rate=wilson_interval(c.fp, c.fp + c.tn),
    )


def fold_indexes(*, y_true, scores, fold_ids) -> tuple[ScoreIndex, ...]:
    """One score index per cross-validation fold (in fold order), over its held-out digits.

    Raises
    ------
    ValueError
        When the arrays differ in shape, or the fold ids are not 0, 1, ... without gaps.
    """
    y_true = np.asarray(y_true)
    scores = np.asarray(scores)
    fold_ids = np.asarray(fold_ids)
    if not y_true.shape == scores.shape == fold_ids.shape:
        raise ValueError(
            f"y_true, scores and fold_ids must have one shape, got {y_true.shape}, "
            f"{scores.shape} and {fold_ids.shape}"
        )
    folds = np.unique(fold_ids)
    if folds.size == 0 or not np.array_equal(folds, np.arange(folds.size)):
        raise ValueError(f"fold_ids must be 0, 1, ... without gaps, got {folds.tolist()}")
    return tuple(
        build_score_index(y_true=y_true[fold_ids == k], scores=scores[fold_ids == k]) for k in folds
    )


# ---------------------------------------------------------------------------------------------
# Prevalence and cost
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtPrevalence:
    """The figures of one threshold where the positive class has share ``prevalence``.

    Recall (the true-positive rate) and the false-positive rate do not depend on prevalence;
    precision, F1 and accuracy do. Undefined values are NaN.
    """

    prevalence: float
    precision: float
    recall: float
    false_positive_rate: float
    f1: float
    accuracy: float


def at_prevalence(*, recall: float, false_positive_rate: float, prevalence: float) -> AtPrevalence:
    """Precision, F1 and accuracy at ``prevalence`` from the two rates of one threshold.

    ``precision = TPR p / (TPR p + FPR (1 - p))``; ``accuracy = TPR p + (1 - FPR)(1 - p)``.
    """
    p = check_prevalence(prevalence)
    tpr, fpr = float(recall), float(false_positive_rate)
    flagged = tpr * p + fpr * (1 - p)
    precision = tpr * p / flagged if flagged else math.nan
    f1 = 2 * precision * tpr / (precision + tpr) if precision + tpr else math.nan
    return AtPrevalence(
        prevalence=p,
        precision=precision,
        recall=tpr,
        false_positive_rate=fpr,
        f1=f1,
        accuracy=tpr * p + (1 - fpr) * (1 - p),
    )


def expected_cost_per_1000(
    *,
    recall: float,
    false_positive_rate: float,
    prevalence: float,
    false_positive_cost: float,
    false_negative_cost: float,
):
    """The expected cost of the errors per 1,000 digits at ``prevalence``.

    ``1000 (FPR (1 - p) A + (1 - TPR) p B)`` with ``A`` and ``B`` the costs of a false positive
    and a false negative. Works on arrays of rates too (a curve against the threshold).
    """
    p = check_prevalence(prevalence)
    a = check_cost(false_positive_cost, "false_positive_cost")
    b = check_cost(false_negative_cost, "false_negative_cost")
    tpr = np.asarray(recall, dtype=np.float64)
    fpr = np.asarray(false_positive_rate, dtype=np.float64)
    cost = 1000 * (fpr * (1 - p) * a + (1 - tpr) * p * b)
    return float(cost) if cost.ndim == 0 else cost


# ---------------------------------------------------------------------------------------------
# Bootstrap of a picked threshold
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BootstrapChoice:
    """The spread of the threshold a target picks, over resamples of the scored digits.

    Attributes
    ----------
    kind : {"precision", "recall"}
        The figure the target is on; ``other`` is the other one.
    target : float
    threshold : tuple of float
        ``(low, high)``: the 2.5th and 97.5th percentiles of the picked threshold.
    other : tuple of float
        ``(low, high)`` of the other figure at each resample's picked threshold.
    reached : float
        Share of the resamples in which some threshold reaches the target.
    n_resamples, seed : int
    """

    kind: str
    target: float
    threshold: tuple[float, float]
    other: tuple[float, float]
    reached: float
    n_resamples: int
    seed: int


def _fewest_hits(n: int, target: float) -> np.ndarray:
    """``hits[f]``: the fewest ``k`` with ``k / f >= target`` in float64, for ``f = 0 .. n``.

    The same float division as :func:`core.thresholds.threshold_for_precision` (and recall's
    ``tp / n_pos``), so comparing counts against this table picks bit for bit what comparing the
    ratios would. ``hits[0]`` is ``n + 1``: 0 of 0 is undefined and reaches nothing.
    """
    f = np.arange(1, n + 1, dtype=np.float64)
    k = np.minimum(np.ceil(target * f), f)
    for _ in range(4):  # ceil(target * f) is off by at most one either way
        k = np.where(k / f < target, k + 1, k)
        k = np.where((k > 0) & ((k - 1) / f >= target), k - 1, k)
    return np.concatenate(([n + 1], k.astype(np.int64)))


class _Resample:
    """One bootstrap resample of the ``n = n_pos + n_neg`` scored digits, drawn lazily.

    Drawing ``n`` sorted positions uniformly with replacement is, in distribution, drawing how
    many are positive (binomial), that many positives uniformly, how many of the rest fall in
    each block of ``block`` consecutive negatives (multinomial), and each block's negatives
    uniformly within it. The resample's own generator is consumed in exactly that order, the
    blocks from the highest scores down, so a block drawn is the same block however many
    below it are ever drawn: a pick near the top never draws the bulk of the negatives.

    Attributes
    ----------
    k : int
        Positives drawn.
    positives : ndarray of int64
        Their indexes among the positives (0 = the lowest-scored positive).
    per_block : ndarray of int64
        Negatives drawn in each block, lowest block first.
    lowest : int
        Blocks ``lowest`` and up are drawn; :attr:`negatives` holds their draws.
    """

    def __init__(self, rng: np.random.Generator, *, n_pos: int, edges: np.ndarray):
        n_neg = int(edges[-1])
        n = n_pos + n_neg
        self._rng = rng
        self._edges = edges
        self.k = int(rng.binomial(n, n_pos / n))
        self.positives = rng.integers(0, max(n_pos, 1), size=self.k)
        sizes = np.diff(edges)
        self.per_block = rng.multinomial(n - self.k, sizes / n_neg) if n_neg else sizes
        self.lowest = sizes.size
        self._drawn: list[np.ndarray] = []

    def draw_down_to(self, block: int) -> None:
        """Draw the negatives of every block from the top down to ``block``."""
        while self.lowest > block:
            self.lowest -= 1
            low, high = int(self._edges[self.lowest]), int(self._edges[self.lowest + 1])
            self._drawn.append(self._rng.integers(low, high, size=self.per_block[self.lowest]))

    def lowest_block(self) -> np.ndarray:
        """The negatives drawn in block :attr:`lowest`."""
        return self._drawn[-1]

    @property
    def negatives(self) -> np.ndarray:
        """Indexes among the negatives (0 = the lowest-scored) drawn in blocks ``lowest`` up."""
        return np.concatenate(self._drawn) if self._drawn else np.zeros(0, dtype=np.int64)


def _negative_blocks(n_neg: int, block: int) -> np.ndarray:
    """Edges of the blocks of negatives: 0, block, 2 block, ..., n_neg."""
    return np.append(np.arange(0, n_neg, block), n_neg)


def _resamples(seed: int, n_resamples: int, *, n_pos: int, edges: np.ndarray):
    """The resamples of ``seed``: resample ``b`` draws from the ``b``-th child of its
    ``SeedSequence``, so it is the same whatever is asked of it or of the others."""
    for child in np.random.SeedSequence(seed).spawn(n_resamples):
        yield _Resample(np.random.Generator(np.random.PCG64(child)), n_pos=n_pos, edges=edges)


def _pick_by_recall(index, resample, counts, hits, edges, start_of_rank):
    """The highest threshold whose recall reaches the target, and the precision there."""
    k = resample.k
    at_or_below = np.cumsum(counts)  # positives drawn at or below each positive
    # At least hits[k] positives at or above it: the score of the hits[k]-th highest positive
    # drawn (drawn, so a threshold of the resample).
    rank = int(index.positive_ranks[np.searchsorted(at_or_below, k - hits[k], side="right")])
    first = int(start_of_rank[rank])
    p = int(np.searchsorted(index.positive_ranks, first))
    tp = k - (int(at_or_below[p - 1]) if p else 0)
    q = int(np.searchsorted(index.negative_ranks, first))  # negatives below the threshold
    fp = 0
    if q < index.n_neg:
        block = int(np.searchsorted(edges, q, side="right")) - 1
        resample.draw_down_to(block)
        fp = int(resample.per_block[block + 1 :].sum())
        fp += int(np.count_nonzero(resample.lowest_block() >= q))
    return float(index.sorted_scores[rank]), tp / (tp + fp)


def _pick_by_precision(index, resample, counts, hits, edges, starts):
    """The lowest threshold whose precision reaches the target, and the recall there; None
    when none does."""
    k = resample.k
    n = index.n_samples
    positive_ranks, negative_ranks = index.positive_ranks, index.negative_ranks
    # k positives at best: precision >= target needs at most `most` flagged, so only the top of
    # the order can reach it. Draw blocks of negatives down until more than that are flagged.
    most = int(np.searchsorted(hits[1:], k, side="right"))
    above = np.cumsum(counts[::-1])[::-1]  # positives drawn at or above each positive
    flagged_negatives = 0
    top = n
    while resample.lowest > 0:
        resample.draw_down_to(resample.lowest - 1)
        flagged_negatives += int(resample.per_block[resample.lowest])
        top = int(negative_ranks[edges[resample.lowest]]) if resample.lowest else 0
        p = int(np.searchsorted(positive_ranks, top))
        if flagged_negatives + (int(above[p]) if p < above.size else 0) > most:
            break
    else:
        top = 0
    # The counts at every threshold from `top` up, by cumulative sums over the window.
    size = n - top
    p = int(np.searchsorted(positive_ranks, top))
    q = int(edges[resample.lowest])
    positive = np.zeros(size, dtype=np.int64)
    positive[positive_ranks[p:] - top] = counts[p:]
    weights = np.zeros(size, dtype=np.int64)
    weights[negative_ranks[q:] - top] = np.bincount(
        resample.negatives - q, minlength=index.n_neg - q
    )
    weights += positive
    below = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(weights, out=below[1:])
    positives_below = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(positive, out=positives_below[1:])
    firsts = starts[np.searchsorted(starts, top) :] - top
    tp = positives_below[-1] - positives_below[firsts]
    meets = tp >= hits[below[-1] - below[firsts]]
    at = int(np.argmax(meets)) if meets.size else 0
    if not meets.size or not meets[at]:
        return None
    # An undrawn score has the counts of the next drawn one above it, which is the pick.
    first = int(firsts[at])
    rank = top + first + int(np.argmax(weights[first:] > 0))
    return float(index.sorted_scores[rank]), int(tp[at]) / k


def _resample_picks(
    index: ScoreIndex,
    *,
    kind: str,
    target: float,
    n_resamples: int,
    seed: int,
    block: int = NEGATIVE_BLOCK,
) -> tuple[np.ndarray, np.ndarray]:
    """Each resample's picked threshold and the other figure there (NaN where none reaches).

    Resample ``b`` is the ``b``-th of :func:`_resamples`. Its counts per sorted position
    (bincounts) give its confusion counts at every distinct score by cumulative sums; only the
    scores drawn into it are its thresholds.
    """
    hits = _fewest_hits(index.n_samples, target)
    edges = _negative_blocks(index.n_neg, block)
    starts = np.concatenate(([0], np.cumsum(index.threshold_sizes[:-1])))  # first rank of each
    start_of_rank = np.repeat(starts, index.threshold_sizes)
    picked = np.full(n_resamples, np.nan)
    other = np.full(n_resamples, np.nan)
    for b, resample in enumerate(_resamples(seed, n_resamples, n_pos=index.n_pos, edges=edges)):
        if resample.k == 0:  # no positive drawn: precision 0 and recall undefined everywhere
            continue
        counts = np.bincount(resample.positives, minlength=index.n_pos)
        if kind == "recall":
            picked[b], other[b] = _pick_by_recall(
                index, resample, counts, hits, edges, start_of_rank
            )
        else:
            found = _pick_by_precision(index, resample, counts, hits, edges, starts)
            if found is not None:
                picked[b], other[b] = found
    return picked, other


def bootstrap_threshold(
    index: ScoreIndex,
    *,
    kind: str,
    target: float,
    n_resamples: int = N_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> BootstrapChoice:
    """Bootstrap the threshold that reaches ``target`` (lowest for precision, highest for
    recall, as :func:`core.thresholds.threshold_for_precision` / ``..._for_recall`` pick it).

    Each resample draws ``n`` digits with replacement as counts per sorted position (one
    bincount of ``n`` drawn positions), so its confusion counts at every distinct threshold are
    cumulative sums over the sorted order: nothing is sorted again. Only the scores drawn into
    a resample are its thresholds.

    Parameters
    ----------
    index : ScoreIndex
    kind : {"precision", "recall"}
    target : float
        In (0, 1].
    n_resamples : int, default 1000
    seed : int, default 42
        The same seed gives the same resamples, whatever the kind and target.

    Returns
    -------
    BootstrapChoice
        Percentiles 2.5 and 97.5 over the resamples that reach the target (NaN when none does).

    Raises
    ------
    ValueError
        When ``kind`` is not "precision" or "recall", ``target`` not in (0, 1], or
        ``n_resamples`` below 1.
    """
    if kind not in TARGET_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TARGET_KINDS)}; got {kind!r}")
    target = check_fraction(target, "target")
    n_resamples = check_count(n_resamples, "n_resamples", minimum=1)
    seed = check_count(seed, "seed")
    picked, other = _resample_picks(
        index, kind=kind, target=target, n_resamples=n_resamples, seed=seed
    )

    def spread(values: np.ndarray) -> tuple[float, float]:
        kept = values[~np.isnan(values)]
        if kept.size == 0:
            return (math.nan, math.nan)
        low, high = np.percentile(kept, [2.5, 97.5])
        return (float(low), float(high))

    return BootstrapChoice(
        kind=kind,
        target=target,
        threshold=spread(picked),
        other=spread(other),
        reached=float(np.mean(~np.isnan(picked))),
        n_resamples=n_resamples,
        seed=seed,
    )


def fold_thresholds(
    folds: tuple[ScoreIndex, ...], *, kind: str, target: float
) -> tuple[float, ...]:
    """The threshold each fold alone would pick for ``target`` (NaN where none reaches it)."""
    if kind not in TARGET_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TARGET_KINDS)}; got {kind!r}")
    pick = threshold_for_precision if kind == "precision" else threshold_for_recall
    choices = [pick(fold, target=target) for fold in folds]
    return tuple(c.threshold if c.reached else math.nan for c in choices)
