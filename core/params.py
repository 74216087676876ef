"""Parsing of user-supplied values (URL query parameters) into safe values plus a note.

A link may carry anything: ``?index=-3``, ``?index=abc``, ``?threshold=nan``. Each parser
returns the value to use and, when the input had to be corrected, a sentence saying what
was wrong and what is shown instead. Nothing here raises on bad input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# ASCII digits only: int() and float() also take "٣", "１２" and "1_000", which no link of
# ours writes and which would show a number the reader of the link does not see in it.
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# More significant digits than this is out of any range a page uses (and int() refuses
# decimal strings of over 4,300 digits).
_MAX_DIGITS = 30
_UNKNOWN_SHOWN = 5  # unknown parameter names listed in a note; the rest are counted


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """A parsed parameter: the value to use, and a note when the input was corrected."""

    value: T
    note: str | None = None


def _shown(raw: str, limit: int = 40) -> str:
    """The raw text, quoted and shortened, safe to put in a message."""
    text = raw if len(raw) <= limit else raw[: limit - 1] + "…"
    return repr(text)


def parse_int(
    raw: str | None, *, name: str, default: int, minimum: int, maximum: int
) -> Parsed[int]:
    """Parse an integer in ``[minimum, maximum]``.

    Missing or empty -> ``default`` silently. Not a whole number in ASCII digits (``abc``,
    ``1.5``, ``nan``, ``٣``, ``1_000``) -> ``default`` with a note. Out of range, however
    many digits -> clamped to the nearest bound with a note.
    """
    if raw is None or raw == "":
        return Parsed(default)
    text = raw.strip()
    if not _WHOLE.fullmatch(text):
        return Parsed(default, f"{name}={_shown(raw)} is not a whole number; showing {default}.")
    if len(text.lstrip("+-").lstrip("0")) > _MAX_DIGITS:
        value = minimum - 1 if text.startswith("-") else maximum + 1
    else:
        value = int(text)
    if value < minimum or value > maximum:
        clamped = min(max(value, minimum), maximum)
        return Parsed(
            clamped,
            f"{name}={_shown(raw)} is outside {minimum}–{maximum}; showing {clamped}.",
        )
    return Parsed(value)


def parse_float(
    raw: str | None, *, name: str, default: float, minimum: float, maximum: float
) -> Parsed[float]:
    """Parse a finite float in ``[minimum, maximum]``.

    Missing or empty -> ``default`` silently. Not a decimal number in ASCII digits, NaN or
    infinite -> ``default`` with a note. Out of range -> clamped with a note, numbers too
    large for a float (``1e400``) included.
    """
    if raw is None or raw == "":
        return Parsed(default)
    text = raw.strip()
    if not _DECIMAL.fullmatch(text):
        try:
            special = not math.isfinite(float(text))
        except ValueError:
            special = False
        what = "a finite number" if special else "a number"
        return Parsed(default, f"{name}={_shown(raw)} is not {what}; showing {default:g}.")
    value = float(text)  # a numeral too large for a float is +-inf: out of range, below
    if value < minimum or value > maximum:
        clamped = min(max(value, minimum), maximum)
        return Parsed(
            clamped,
            f"{name}={_shown(raw)} is outside {minimum:g} to {maximum:g}; showing {clamped:g}.",
        )
    return Parsed(value)


def parse_choice(
    raw: str | None, *, name: str, default: str, choices: Sequence[str]
) -> Parsed[str]:
    """Parse one of ``choices`` (case-insensitive). Anything else -> ``default`` with a note."""
    if raw is None or raw == "":
        return Parsed(default)
    lowered = raw.strip().lower()
    for choice in choices:
        if choice.lower() == lowered:
            return Parsed(choice)
    options = ", ".join(choices)
    return Parsed(default, f"{name}={_shown(raw)} is not one of {options}; showing {default}.")


_CELL = re.compile(r"([0-9])-([0-9])")


def parse_cell(raw: str | None, *, name: str, n_classes: int) -> Parsed[tuple[int, int] | None]:
    """Parse a confusion matrix's cell written ``true-predicted`` (``3-5``: true 3, predicted 5).

    Missing or empty -> None (no cell) silently. Anything else than two single digits joined
    by a hyphen, or a class outside ``0 .. n_classes - 1`` -> None with a note.
    """
    if raw is None or raw == "":
        return Parsed(None)
    match = _CELL.fullmatch(raw.strip())
    if match is None:
        return Parsed(
            None, f"{name}={_shown(raw)} is not a cell written true-predicted (like 3-5)."
        )
    row, column = int(match.group(1)), int(match.group(2))
    if row >= n_classes or column >= n_classes:
        return Parsed(
            None, f"{name}={_shown(raw)} is outside the classes 0–{n_classes - 1}; no cell shown."
        )
    return Parsed((row, column))


def unknown_params(given: Sequence[str], *, known: Sequence[str]) -> str | None:
    """A note naming query parameters this page does not use (the first few), or None."""
    extra = sorted(set(given) - set(known))
    if not extra:
        return None
    names = ", ".join(_shown(name, 20) for name in extra[:_UNKNOWN_SHOWN])
    if len(extra) > _UNKNOWN_SHOWN:
        names += f" and {len(extra) - _UNKNOWN_SHOWN} more"
    return f"Ignored unknown link parameter(s): {names}."
