"""How sure each figure is, what it becomes at another prevalence, and what it costs.

A precision read off the cross-validated scores is an estimate from a sample; this module says
how good an estimate, without refitting anything:

- :func:`wilson_interval`: the 95% Wilson score interval of a proportion (precision is the true
  positives among the flagged, recall the flagged among the real positives, the false-positive
  rate the flagged among the real negatives). 0 of 0 is undefined: NaN.
- :func:`fold_indexes`: one score index per cross-validation fold, so that the same threshold
  can be read on each fold's held-out digits alone.
- :func:`bootstrap_threshold`: a seeded bootstrap of the threshold a target picks, and of the
  other figure there. Each resample draws counts over the *sorted* scores instead of re-sorting
  them, per class and from the highest scores down only as far as its pick needs, so 1,000
  resamples cost 1,000 short cumulative sums.
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

from core.counting import ScoreIndex, build_score_index, counts_at, ratio
from core.pickers import threshold_for_precision, threshold_for_recall
from core.validation import check_cost, check_count, check_fraction, check_prevalence

CONFIDENCE = 0.95
N_RESAMPLES = 1000
BOOTSTRAP_SEED = 42
NEGATIVE_BLOCK = 2048  # negatives in the top block of a resample (see _negative_blocks)
CHUNK = 8192  # thresholds compared at once, from the lowest a precision pick can be
# The most samples the bootstrap resamples: its time grows with them (a few seconds at this
# size, see bench/RESULTS.md), and a page waits for it. A set of counts (an aggregated table)
# has its samples laid out one by one for it.
BOOTSTRAP_MAX_SAMPLES = 1_000_000
TARGET_KINDS = ("precision", "recall")


def wilson_z(confidence: float) -> float:
    """The normal quantile of a two-sided ``confidence`` interval (1.96 for 0.95)."""
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
    z = wilson_z(float(confidence))
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


def fold_indexes(*, y_true, scores, fold_ids, counts=None) -> tuple[ScoreIndex, ...]:
    """One score index per cross-validation fold (in fold order), over its held-out digits.

    ``counts`` (optional, as :func:`core.counting.build_score_index` takes them): how many
    samples each row stands for.

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
    if counts is not None:
        counts = np.asarray(counts)
        if counts.shape != scores.shape:
            raise ValueError(f"counts must have shape {scores.shape}, got {counts.shape}")
    indexes = []
    for k in folds:
        rows = fold_ids == k
        indexes.append(
            build_score_index(
                y_true=y_true[rows],
                scores=scores[rows],
                counts=None if counts is None else counts[rows],
            )
        )
    return tuple(indexes)


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
    precision = ratio(tpr * p, flagged)
    f1 = ratio(2 * precision * tpr, precision + tpr)
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


def fewest_hits(n: int, target: float) -> np.ndarray:
    """``hits[f]``: the fewest ``k`` with ``k / f >= target`` in float64, for ``f = 0 .. n``.

    The same float division as :func:`core.pickers.threshold_for_precision` (and recall's
    ``tp / n_pos``), so comparing counts against this table picks bit for bit what comparing the
    ratios would. ``hits[0]`` is ``n + 1``: 0 of 0 is undefined and reaches nothing.

    Raises
    ------
    ValueError
        When ``n`` is not a count or ``target`` not in (0, 1].
    """
    n = check_count(n, "n")
    target = check_fraction(target, "target")
    f = np.arange(1, n + 1, dtype=np.float64)
    k = np.minimum(np.ceil(target * f), f)
    for _ in range(4):  # ceil(target * f) is off by at most one either way
        k = np.where(k / f < target, k + 1, k)
        k = np.where((k > 0) & ((k - 1) / f >= target), k - 1, k)
    return np.concatenate(([n + 1], k.astype(np.int64)))


def _negative_blocks(n_neg: int, block: int) -> np.ndarray:
    """Edges of the blocks of negatives from the highest scores down: ``n_neg``, then ``block``
    below it, then blocks twice as large as the one above (so a deep pick draws few blocks),
    down to 0. Block ``i`` holds negatives ``edges[i + 1]`` up to ``edges[i]``."""
    edges = [n_neg]
    size = block
    while edges[-1] > 0:
        edges.append(max(0, edges[-1] - size))
        size = block if len(edges) <= 2 else 2 * size
    return np.array(edges, dtype=np.int64)


class _Resample:
    """One bootstrap resample of the ``n = n_pos + n_neg`` scored digits, drawn lazily.

    Drawing ``n`` sorted positions uniformly with replacement is, in distribution, drawing how
    many are positive (binomial), that many positives uniformly, then, block by block of
    negatives from the highest scores down (:func:`_negative_blocks`), how many of the
    remaining draws fall in the block (binomial, by its share of the negatives not yet passed)
    and those uniformly within it. The resample's own generator is consumed in exactly that
    order, so a block drawn is the same however many below it are ever drawn: a pick near the
    top never draws the bulk of the negatives.

    Attributes
    ----------
    k : int
        Positives drawn.
    positives : ndarray of int64
        Their indexes among the positives (0 = the lowest-scored positive).
    drawn_blocks : int
        Blocks ``0 .. drawn_blocks - 1`` are drawn: negatives ``edges[drawn_blocks]`` and up.
    flagged : int
        Negatives drawn in them.
    """

    def __init__(self, rng: np.random.Generator, *, n_pos: int, edges: np.ndarray):
        n = n_pos + int(edges[0])
        self._rng = rng
        self._edges = edges
        self.k = int(rng.binomial(n, n_pos / n))
        self.positives = rng.integers(0, max(n_pos, 1), size=self.k)
        self._left = n - self.k  # negatives drawn below the drawn blocks
        self.drawn_blocks = 0
        self.flagged = 0
        self._drawn: list[np.ndarray] = []

    @property
    def lowest(self) -> int:
        """The lowest negative index the drawn blocks cover."""
        return int(self._edges[self.drawn_blocks])

    @property
    def done(self) -> bool:
        """Every block is drawn."""
        return self.drawn_blocks == self._edges.size - 1

    def draw_block(self) -> np.ndarray:
        """Draw the next block down; its negatives' indexes."""
        high, low = int(self._edges[self.drawn_blocks]), int(self._edges[self.drawn_blocks + 1])
        count = self._left if low == 0 else int(self._rng.binomial(self._left, (high - low) / high))
        drawn = self._rng.integers(low, high, size=count)
        self.drawn_blocks += 1
        self._left -= count
        self.flagged += count
        self._drawn.append(drawn)
        return drawn

    @property
    def negatives(self) -> np.ndarray:
        """Indexes among the negatives (0 = the lowest-scored) drawn so far."""
        return np.concatenate(self._drawn) if self._drawn else np.zeros(0, dtype=np.int64)


def _resamples(seed: int, n_resamples: int, *, n_pos: int, edges: np.ndarray):
    """The resamples of ``seed``: resample ``b`` draws from the ``b``-th child of its
    ``SeedSequence``, so it is the same whatever is asked of it or of the others."""
    for child in np.random.SeedSequence(seed).spawn(n_resamples):
        yield _Resample(np.random.Generator(np.random.PCG64(child)), n_pos=n_pos, edges=edges)


class _Picker:
    """What every resample's pick reads of the sorted scores, computed once."""

    def __init__(self, index: ScoreIndex, *, target: float, block: int):
        self.index = index
        self.edges = _negative_blocks(index.n_neg, block)
        self.hits = fewest_hits(index.n_samples, target)
        sizes = index.threshold_sizes
        starts = np.concatenate(([0], np.cumsum(sizes[:-1])))  # first rank of each threshold
        self.threshold_of_rank = np.repeat(np.arange(sizes.size), sizes)
        # Positives and negatives below each threshold.
        self.positives_below = np.searchsorted(index.positive_ranks, starts)
        self.negatives_below = starts - self.positives_below
        # The first threshold at or above the lowest negative of each block's lower edge.
        lowest_ranks = np.append(index.negative_ranks, index.n_samples)[self.edges]
        self.first_of_edge = np.searchsorted(starts, lowest_ranks)
        self.positives_below_edge = np.searchsorted(index.positive_ranks, lowest_ranks)

    def by_recall(self, resample: _Resample, below: np.ndarray) -> tuple[float, float]:
        """The highest threshold whose recall reaches the target, and the precision there.

        ``below[p]``: positives drawn among the positives below ``p``.
        """
        index, k = self.index, resample.k
        # At least hits[k] positives at or above it: the score of the hits[k]-th highest
        # positive drawn (drawn, so a threshold of the resample).
        rank = int(index.positive_ranks[np.searchsorted(below, k - self.hits[k], side="right") - 1])
        j = int(self.threshold_of_rank[rank])
        tp = k - int(below[self.positives_below[j]])
        q = int(self.negatives_below[j])
        if q < index.n_neg:
            while resample.lowest > q:
                drawn = resample.draw_block()
            # Flagged negatives: the blocks above q's, and its own from q up.
            fp = resample.flagged - drawn.size + int(np.count_nonzero(drawn >= q))
        else:
            fp = 0
        return float(index.sorted_scores[rank]), tp / (tp + fp)

    def by_precision(
        self, resample: _Resample, counts: np.ndarray, below: np.ndarray
    ) -> tuple[float, float] | None:
        """The lowest threshold whose precision reaches the target, and the recall there; None
        when none does."""
        index, k, hits = self.index, resample.k, self.hits
        # k positives at best: precision >= target needs at most `most` flagged, so only the
        # top of the order can reach it. Draw blocks of negatives down until more are flagged.
        most = int(np.searchsorted(hits[1:], k, side="right"))
        j0 = 0
        while not resample.done:
            resample.draw_block()
            b = resample.drawn_blocks
            if resample.flagged + k - int(below[self.positives_below_edge[b]]) > most:
                j0 = int(self.first_of_edge[b])
                break
        # Counts at every threshold from j0 up, by cumulative sums over each class.
        q = resample.lowest
        negatives = np.bincount(resample.negatives - q, minlength=index.n_neg - q)
        negatives_below = np.zeros(negatives.size + 1, dtype=np.int64)
        np.cumsum(negatives, out=negatives_below[1:])
        flagged_negatives = int(negatives_below[-1])
        # The lowest threshold that reaches the target is usually near the bottom of the
        # window: look from there up, a chunk at a time.
        for low in range(j0, self.positives_below.size, CHUNK):
            p_below = self.positives_below[low : low + CHUNK]
            n_below = self.negatives_below[low : low + CHUNK] - q
            tp = k - below[p_below]
            meets = tp >= hits[tp + (flagged_negatives - negatives_below[n_below])]
            at = int(np.argmax(meets))
            if meets[at]:
                break
        else:
            return None
        # An undrawn score has the counts of the next drawn one above it, which is the pick.
        p, m = int(p_below[at]), int(n_below[at])
        ranks = []
        if counts[p:].any():
            ranks.append(index.positive_ranks[p + int(np.argmax(counts[p:] > 0))])
        if negatives[m:].any():
            ranks.append(index.negative_ranks[q + m + int(np.argmax(negatives[m:] > 0))])
        return float(index.sorted_scores[min(ranks)]), int(tp[at]) / k


def can_bootstrap(index: ScoreIndex) -> bool:
    """Whether :func:`bootstrap_threshold` takes ``index``: up to :data:`BOOTSTRAP_MAX_SAMPLES`
    samples, single rows or counts (an aggregated table)."""
    return index.n_samples <= BOOTSTRAP_MAX_SAMPLES


def single_rows(index: ScoreIndex) -> ScoreIndex:
    """``index`` with one row a sample: itself, or for counts the index of its samples laid
    out one by one (each score repeated as often as it counts), which resamples exactly as the
    raw rows the counts were made of.

    Raises
    ------
    ValueError
        When ``index`` counts more than :data:`BOOTSTRAP_MAX_SAMPLES` samples.
    """
    if not can_bootstrap(index):
        raise ValueError(
            f"the bootstrap resamples at most {BOOTSTRAP_MAX_SAMPLES:,} samples; "
            f"this index counts {index.n_samples:,}"
        )
    if index.has_rows:
        return index
    return build_score_index(
        y_true=np.repeat(index.y_true, index.counts), scores=np.repeat(index.scores, index.counts)
    )


def _bootstrap_arguments(kind, target, n_resamples, seed) -> tuple[str, float, int, int]:
    if kind not in TARGET_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TARGET_KINDS)}; got {kind!r}")
    target = check_fraction(target, "target")
    return (
        kind,
        target,
        check_count(n_resamples, "n_resamples", minimum=1),
        check_count(seed, "seed"),
    )


def resample_picks(
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
    scores drawn into it are its thresholds. :func:`bootstrap_threshold` summarises these.

    Parameters
    ----------
    index : ScoreIndex
    kind, target, n_resamples, seed
        As for :func:`bootstrap_threshold`.
    block : int
        Negatives in a resample's top block (how deep each draw of negatives goes first), >= 1.

    Returns
    -------
    (picked, other) : ndarrays of shape (n_resamples,)

    Raises
    ------
    ValueError
        As :func:`bootstrap_threshold`, or when ``block`` is below 1.
    """
    kind, target, n_resamples, seed = _bootstrap_arguments(kind, target, n_resamples, seed)
    block = check_count(block, "block", minimum=1)
    index = single_rows(index)
    picker = _Picker(index, target=target, block=block)
    picked = np.full(n_resamples, np.nan)
    other = np.full(n_resamples, np.nan)
    below = np.zeros(index.n_pos + 1, dtype=np.int64)
    resamples = _resamples(seed, n_resamples, n_pos=index.n_pos, edges=picker.edges)
    for b, resample in enumerate(resamples):
        if resample.k == 0:  # no positive drawn: precision 0 and recall undefined everywhere
            continue
        counts = np.bincount(resample.positives, minlength=index.n_pos)
        np.cumsum(counts, out=below[1:])
        if kind == "recall":
            picked[b], other[b] = picker.by_recall(resample, below)
        else:
            found = picker.by_precision(resample, counts, below)
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
    recall, as :func:`core.pickers.threshold_for_precision` / ``..._for_recall`` pick it).

    Each resample draws ``n`` digits with replacement as counts per sorted position, so its
    confusion counts at every distinct threshold are cumulative sums over the sorted order:
    nothing is sorted again. It draws how many positives (binomial), which ones, and the
    negatives block by block from the highest scores down (:class:`_Resample`, the same
    resample in distribution as ``n`` uniform draws), stopping where its pick is settled: a
    precision pick needs only the top of the order, a recall pick the negatives above it. Only
    the scores drawn into a resample are its thresholds. Each resample has its own generator
    (a child of ``SeedSequence(seed)``), so the result depends on the seed alone.

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
        When ``kind`` is not "precision" or "recall", ``target`` not in (0, 1],
        ``n_resamples`` below 1, or ``index`` counts more samples than
        :data:`BOOTSTRAP_MAX_SAMPLES` (:func:`single_rows`).
    """
    kind, target, n_resamples, seed = _bootstrap_arguments(kind, target, n_resamples, seed)
    picked, other = resample_picks(
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
    folds: tuple[ScoreIndex, ...], *, kind: str, target: float, prevalence: float | None = None
) -> tuple[float, ...]:
    """The threshold each fold alone would pick for ``target`` (NaN where none reaches it).

    A precision target is reached where the positives have share ``prevalence`` when it is
    given (see :func:`core.pickers.threshold_for_precision`); recall does not depend on it.
    """
    if kind not in TARGET_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TARGET_KINDS)}; got {kind!r}")
    if kind == "precision":
        choices = [threshold_for_precision(f, target=target, prevalence=prevalence) for f in folds]
    else:
        choices = [threshold_for_recall(fold, target=target) for fold in folds]
    return tuple(c.threshold if c.reached else math.nan for c in choices)
