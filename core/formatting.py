"""How numbers are written for people and for JSON: percentages, thresholds, nulls. One home.

Every function takes plain floats and returns text, but :func:`json_number`, which returns what
JSON can hold; an undefined value (NaN, a 0/0 ratio) gets the ``missing`` text, or null.
:func:`unwritable_cache` names a cache directory that cannot be written, for the pages and the
command line alike.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.cache import CacheStatus

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


def json_number(value: float) -> float | None:
    """A float for JSON: NaN (an undefined ratio) becomes null. The project's one NaN-to-null."""
    return None if math.isnan(value) else float(value)


def threshold_json(threshold: float) -> float | str:
    """A threshold for JSON: the exact float, or ``"inf"`` / ``"-inf"`` (JSON has no infinity)."""
    if math.isinf(threshold):
        return "inf" if threshold > 0 else "-inf"
    return threshold


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


def unwritable_cache(status: CacheStatus) -> str:
    """``"the cache at /x cannot be written (read-only file system)"``, from a cache's status.

    The reason is the operating system's own name for the error, in lower case.
    """
    if status.directory is None:
        return "no cache directory could be named"
    reason = status.strerror or (f"error {status.errno}" if status.errno else "unknown error")
    return f"the cache at {status.directory} cannot be written ({reason[:1].lower()}{reason[1:]})"
