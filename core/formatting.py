"""How numbers are written for people: percentages, changes, thresholds. One home for all pages.

Every function takes plain floats and returns text; an undefined value (NaN, a 0/0 ratio) gets
the ``missing`` text instead of a number.
"""

from __future__ import annotations

import math

MISSING = "—"


def percent(value: float, *, decimals: int = 1, missing: str = MISSING) -> str:
    """``0.9`` as ``"90.0%"``; NaN as ``missing``."""
    return missing if math.isnan(value) else f"{value:.{decimals}%}"


def target_percent(value: float, *, min_decimals: int = 1) -> str:
    """A target with as few decimals as state it exactly (at least ``min_decimals``, at most 3).

    ``0.9`` is ``"90.0%"`` (``"90%"`` with ``min_decimals=0``), ``0.905`` is ``"90.5%"``.
    """
    for decimals in range(min_decimals, 3):
        text = f"{value:.{decimals}%}"
        if abs(float(text[:-1]) / 100 - value) < 1e-12:
            return text
    return f"{value:.3%}"


def points_change(new: float, old: float) -> str | None:
    """The change of a rate in percentage points (``"+1.2 pts"``); None when nothing changed.

    Enough decimals that a small change never reads ``"-0.0 pts"``.
    """
    if math.isnan(new) or math.isnan(old) or new == old:
        return None
    points = (new - old) * 100
    decimals = next((d for d in (1, 2, 3) if abs(points) >= 0.5 * 10**-d), 4)
    return f"{points:+.{decimals}f} pts"


def count_change(new: int, old: int) -> str | None:
    """The change of a count (``"+1,234"``); None when it did not change."""
    return None if new == old else f"{new - old:+,}"


def json_number(value: float) -> float | None:
    """A float for JSON: NaN (an undefined ratio) becomes null."""
    return None if math.isnan(value) else float(value)


def threshold_text(threshold: float) -> str:
    """A threshold in a sentence: two decimals, or what an infinite one means."""
    if threshold == math.inf:
        return "+inf (flag nothing)"
    if threshold == -math.inf:
        return "-inf (flag everything)"
    return f"{threshold:.2f}"


def scaled_threshold_text(threshold: float, scale: str) -> str:
    """A threshold on a model's own scale, named beside it: ``"0.42 (probability)"``."""
    return f"{threshold:,.6g} ({scale})"
