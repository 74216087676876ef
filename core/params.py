"""Parsing of user-supplied values (URL query parameters) into safe values plus a note.

A link may carry anything: ``?index=-3``, ``?index=abc``, ``?threshold=nan``. Each parser
returns the value to use and, when the input had to be corrected, a sentence saying what
was wrong and what is shown instead. Nothing here raises on bad input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


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

    Missing -> ``default`` silently. Not an integer -> ``default`` with a note.
    Out of range -> clamped to the nearest bound with a note.
    """
    if raw is None or raw == "":
        return Parsed(default)
    try:
        value = int(raw.strip())
    except ValueError:
        return Parsed(default, f"{name}={_shown(raw)} is not a whole number; showing {default}.")
    if value < minimum or value > maximum:
        clamped = min(max(value, minimum), maximum)
        return Parsed(
            clamped,
            f"{name}={value} is outside {minimum}–{maximum}; showing {clamped}.",
        )
    return Parsed(value)


def parse_float(
    raw: str | None, *, name: str, default: float, minimum: float, maximum: float
) -> Parsed[float]:
    """Parse a finite float in ``[minimum, maximum]``.

    Missing -> ``default`` silently. Not a number, NaN or infinite -> ``default`` with a
    note. Out of range -> clamped with a note.
    """
    if raw is None or raw == "":
        return Parsed(default)
    try:
        value = float(raw.strip())
    except ValueError:
        return Parsed(default, f"{name}={_shown(raw)} is not a number; showing {default:g}.")
    if not math.isfinite(value):
        return Parsed(default, f"{name}={_shown(raw)} is not a finite number; showing {default:g}.")
    if value < minimum or value > maximum:
        clamped = min(max(value, minimum), maximum)
        return Parsed(
            clamped,
            f"{name}={value:g} is outside {minimum:g} to {maximum:g}; showing {clamped:g}.",
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


def unknown_params(given: Sequence[str], *, known: Sequence[str]) -> str | None:
    """A note naming query parameters this page does not use, or None."""
    extra = sorted(set(given) - set(known))
    if not extra:
        return None
    names = ", ".join(_shown(name, 20) for name in extra)
    return f"Ignored unknown link parameter(s): {names}."
