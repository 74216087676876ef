"""Checks of public arguments, one home for all of ``core``.

In the manner of scikit-learn's ``validate_params``: each public entry checks each argument
once, with one of these, and a bad value raises a ``ValueError`` that names the argument and
the value. Each check returns the value in its canonical type.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def check_digit(digit, name: str = "digit") -> int:
    """An integer from 0 to 9 (not a bool)."""
    if isinstance(digit, bool) or not isinstance(digit, numbers.Integral) or not 0 <= digit <= 9:
        raise ValueError(f"{name} must be an integer from 0 to 9, got {digit!r}")
    return int(digit)


def check_threshold(threshold, name: str = "threshold") -> float:
    """A real number, ±inf allowed, NaN not."""
    if type(threshold) is float and threshold == threshold:  # the common case, fast
        return threshold
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {threshold!r}")
    value = float(threshold)
    if math.isnan(value):
        raise ValueError(f"{name} must not be NaN")
    return value


def check_fraction(value, name: str) -> float:
    """A number in (0, 1]: a target precision or recall."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number in (0, 1], got {value!r}")
    number = float(value)
    if not 0 < number <= 1:  # NaN fails too
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return number


def check_prevalence(value, name: str = "prevalence") -> float:
    """A share of the positive class: a number in (0, 1)."""
    p = check_fraction(value, name)
    if p == 1.0:
        raise ValueError(f"{name} must be below 1, got 1")
    return p


def check_cost(cost, name: str) -> float:
    """A finite number >= 0."""
    if isinstance(cost, bool) or not isinstance(cost, numbers.Real):
        raise ValueError(f"{name} must be a number >= 0, got {cost!r}")
    value = float(cost)
    if not 0 <= value < math.inf:
        raise ValueError(f"{name} must be finite and >= 0, got {cost!r}")
    return value


def check_positive(value, name: str) -> float:
    """A finite number > 0 (a β, a scale)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    number = float(value)
    if not 0 < number < math.inf:
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return number


def check_count(value, name: str, *, minimum: int = 0) -> int:
    """An integer >= ``minimum`` (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_optional_count(value, name: str, *, minimum: int = 0) -> int | None:
    """None, or an integer >= ``minimum``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be None or an integer >= {minimum}, got {value!r}")
    return int(value)


def read_only(array: np.ndarray) -> np.ndarray:
    """``array``, marked read-only: results are shared between sessions and threads."""
    array.setflags(write=False)
    return array
