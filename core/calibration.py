"""How well a scored set's scores read as probabilities: the reliability curve and Brier score.

Only for a set whose every score lies in [0, 1] (:func:`scores_are_probabilities`); other
scores (a margin, a log-odds) have no calibration to read. The curve is scikit-learn's own
``calibration_curve`` with quantile bins (each bin holds about as many rows, so scores piled up
near 0 and 1 still get bins of their own), the Brier score its ``brier_score_loss``; both over
the curve rows, and over the test rows separately when the set has any. A set whose rows carry
counts (an aggregated table) gets the same bins over the samples the counts stand for: the
quantile edges of the repeated scores, each bin's counts summed, the Brier score weighted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.scored_set import ScoredSet

DEFAULT_BINS = 10
STRATEGY = "quantile"


@dataclass(frozen=True, eq=False)
class Reliability:
    """The reliability curve and Brier score of one set of rows.

    Attributes
    ----------
    rows : {"curve", "test"}
        Which rows of the scored set: the curve rows or the test rows.
    n_rows : int
        How many rows (samples: with counts, their sum).
    n_positive : int
        How many of them are positive.
    mean_predicted : ndarray of shape (n_points,), float64
        The mean score in each non-empty bin, ascending (scikit-learn's ``prob_pred``).
    fraction_positive : ndarray of shape (n_points,), float64
        The share of positives in the same bin (``prob_true``). ``n_points <= n_bins``: bins
        whose quantile edges coincide (heavily tied scores) hold no rows and are left out.
    brier : float
        The mean squared difference between score and label (0 is perfect).
    """

    rows: str
    n_rows: int
    n_positive: int
    mean_predicted: np.ndarray
    fraction_positive: np.ndarray
    brier: float


@dataclass(frozen=True, eq=False)
class Calibration:
    """A scored set's calibration: its curve rows', and its test rows' when it has any.

    Attributes
    ----------
    curve : Reliability
    test : Reliability or None
        None when the set has no test rows.
    n_bins : int
        The bins asked for.
    strategy : str
        ``"quantile"``.
    """

    curve: Reliability
    test: Reliability | None
    n_bins: int
    strategy: str = STRATEGY


def scores_are_probabilities(scored: ScoredSet) -> bool:
    """Whether every score of ``scored`` (test rows included) lies in [0, 1]."""
    scores = scored.scores
    return bool(scores.size) and float(scores.min()) >= 0.0 and float(scores.max()) <= 1.0


def _percentiles(scores: np.ndarray, counts: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """``np.percentile(expanded, quantiles * 100)`` (its default linear method) of the scores
    each repeated ``counts`` times, without repeating them."""
    order = np.argsort(scores, kind="stable")
    values = scores[order]
    ends = np.cumsum(counts[order])  # expanded ranks end[k] - count .. end[k] - 1 are values[k]
    n = int(ends[-1])
    position = (n - 1) * quantiles
    below = np.floor(position)
    fraction = position - below
    low = below.astype(np.int64)
    high = np.minimum(low + 1, n - 1)
    a = values[np.searchsorted(ends, low, side="right")]
    b = values[np.searchsorted(ends, high, side="right")]
    difference = b - a
    # numpy's interpolation: from the lower value below the middle, from the upper above it.
    return np.where(fraction >= 0.5, b - difference * (1 - fraction), a + difference * fraction)


def _reliability(
    rows: str, y_true: np.ndarray, scores: np.ndarray, n_bins: int, counts: np.ndarray | None
) -> Reliability:
    from sklearn.metrics import brier_score_loss

    if counts is None:
        from sklearn.calibration import calibration_curve

        # pos_label names the positive class, so a set of one class (all True or all False)
        # is read the same way as a set of two.
        fraction, mean = calibration_curve(
            y_true, scores, n_bins=n_bins, strategy=STRATEGY, pos_label=True
        )
        n_rows, n_positive = int(scores.size), int(np.count_nonzero(y_true))
    else:
        # calibration_curve's quantile bins over the samples the counts stand for.
        edges = _percentiles(scores, counts, np.linspace(0, 1, n_bins + 1))
        bins = np.searchsorted(edges[1:-1], scores)
        weights = counts.astype(np.float64)
        total = np.bincount(bins, weights=weights, minlength=n_bins)
        positives = np.bincount(bins, weights=weights * y_true, minlength=n_bins)
        sums = np.bincount(bins, weights=weights * scores, minlength=n_bins)
        nonzero = total != 0
        fraction, mean = positives[nonzero] / total[nonzero], sums[nonzero] / total[nonzero]
        n_rows, n_positive = int(counts.sum()), int(counts[y_true].sum())
    return Reliability(
        rows=rows,
        n_rows=n_rows,
        n_positive=n_positive,
        mean_predicted=np.asarray(mean, dtype=np.float64),
        fraction_positive=np.asarray(fraction, dtype=np.float64),
        brier=float(brier_score_loss(y_true, scores, pos_label=True, sample_weight=counts)),
    )


def calibration(scored: ScoredSet, *, n_bins: int = DEFAULT_BINS) -> Calibration:
    """The reliability curve (quantile bins) and Brier score of ``scored``'s probabilities.

    Parameters
    ----------
    scored : ScoredSet
        Every score in [0, 1].
    n_bins : int
        How many quantile bins, >= 2.

    Returns
    -------
    Calibration
        Over the curve rows, and the test rows separately (``test`` None without any).

    Raises
    ------
    ValueError
        When a score lies outside [0, 1] (naming the first such row and its score), or
        ``n_bins`` is not an integer >= 2.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 2:
        raise ValueError(f"n_bins must be an integer >= 2, got {n_bins!r}")
    scores = scored.scores
    outside = (scores < 0.0) | (scores > 1.0)
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"scores must lie in [0, 1] to be read as probabilities, got scores[{row}] = "
            f"{float(scores[row])!r}"
        )
    y, counts = scored.y_true, scored.counts
    parts = {}
    for rows, which in (("curve", scored.curve_rows), ("test", scored.test_rows)):
        weights = None if counts is None else counts[which]
        if weights is not None:
            which, weights = which[weights > 0], weights[weights > 0]
        parts[rows] = (
            _reliability(rows, y[which], scores[which], int(n_bins), weights)
            if which.size
            else None
        )
    return Calibration(curve=parts["curve"], test=parts["test"], n_bins=int(n_bins))


def calibration_or_none(scored: ScoredSet, *, n_bins: int = DEFAULT_BINS) -> Calibration | None:
    """:func:`calibration` when every score lies in [0, 1], else None."""
    if not scores_are_probabilities(scored):
        return None
    return calibration(scored, n_bins=n_bins)
