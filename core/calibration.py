"""How well a scored set's scores read as probabilities: the reliability curve and Brier score.

Only for a set whose every score lies in [0, 1] (:func:`scores_are_probabilities`); other
scores (a margin, a log-odds) have no calibration to read. The curve is scikit-learn's own
``calibration_curve`` with quantile bins (each bin holds about as many rows, so scores piled up
near 0 and 1 still get bins of their own), the Brier score its ``brier_score_loss``; both over
the curve rows, and over the test rows separately when the set has any.
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
        How many rows.
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


def _reliability(rows: str, y_true: np.ndarray, scores: np.ndarray, n_bins: int) -> Reliability:
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    # pos_label names the positive class, so a set of one class (all True or all False) is
    # read the same way as a set of two.
    fraction, mean = calibration_curve(
        y_true, scores, n_bins=n_bins, strategy=STRATEGY, pos_label=True
    )
    return Reliability(
        rows=rows,
        n_rows=int(scores.size),
        n_positive=int(np.count_nonzero(y_true)),
        mean_predicted=np.asarray(mean, dtype=np.float64),
        fraction_positive=np.asarray(fraction, dtype=np.float64),
        brier=float(brier_score_loss(y_true, scores, pos_label=True)),
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
    curve, test = scored.curve_rows, scored.test_rows
    y = scored.y_true
    return Calibration(
        curve=_reliability("curve", y[curve], scores[curve], int(n_bins)),
        test=_reliability("test", y[test], scores[test], int(n_bins)) if test.size else None,
        n_bins=int(n_bins),
    )


def calibration_or_none(scored: ScoredSet, *, n_bins: int = DEFAULT_BINS) -> Calibration | None:
    """:func:`calibration` when every score lies in [0, 1], else None."""
    if not scores_are_probabilities(scored):
        return None
    return calibration(scored, n_bins=n_bins)
