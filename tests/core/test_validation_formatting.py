"""The argument checks of core.validation and the number formats of core.formatting."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.formatting import (
    json_number,
    percent,
    scaled_threshold_text,
    target_percent,
    threshold_text,
)
from core.validation import (
    check_cost,
    check_count,
    check_digit,
    check_fraction,
    check_optional_count,
    check_positive,
    check_threshold,
    read_only,
)


@pytest.mark.parametrize("good", [0, 9, np.int64(5)])
def test_check_digit_takes_integers_0_to_9(good):
    assert check_digit(good) == int(good) and type(check_digit(good)) is int


@pytest.mark.parametrize("bad", [-1, 10, 5.0, True, "5", None])
def test_check_digit_names_the_bad_value(bad):
    with pytest.raises(ValueError, match=rf"digit must be an integer from 0 to 9, got {bad!r}"):
        check_digit(bad)


def test_check_threshold_allows_infinities_not_nan():
    assert check_threshold(1) == 1.0 and check_threshold(-math.inf) == -math.inf
    with pytest.raises(ValueError, match="threshold must not be NaN"):
        check_threshold(float("nan"))
    with pytest.raises(ValueError, match="cut must be a real number, got '1'"):
        check_threshold("1", "cut")


@pytest.mark.parametrize(
    "check, good, bad, message",
    [
        (check_fraction, [1, 0.5, 1e-9], [0, 1.5, math.nan, True], r"in \(0, 1\]"),
        (check_cost, [0, 3.5], [-1, math.inf, math.nan, False], ">= 0"),
        (check_positive, [0.1, 10], [0, -1, math.inf, True], "> 0"),
    ],
)
def test_number_checks(check, good, bad, message):
    for value in good:
        assert check(value, "x") == float(value)
    for value in bad:
        with pytest.raises(ValueError, match=f"^x must .*{message}"):
            check(value, "x")


def test_count_checks():
    assert check_count(2, "n", minimum=2) == 2
    for bad in (1, 2.0, True):
        with pytest.raises(ValueError, match=r"n must be an integer >= 2, got"):
            check_count(bad, "n", minimum=2)
    assert check_optional_count(None, "limit") is None
    assert check_optional_count(0, "limit") == 0
    with pytest.raises(ValueError, match="limit must be None or an integer >= 0, got -1"):
        check_optional_count(-1, "limit")


def test_read_only_marks_the_array_and_returns_it():
    array = np.arange(3)
    assert read_only(array) is array and not array.flags.writeable


def test_percentages_and_undefined_values():
    assert percent(0.9) == "90.0%" and percent(0.12345, decimals=2) == "12.35%"
    assert percent(math.nan) == "—" and percent(math.nan, missing="n/a") == "n/a"
    assert target_percent(0.9) == "90.0%" and target_percent(0.9, min_decimals=0) == "90%"
    assert target_percent(0.905) == "90.5%" and target_percent(0.12345) == "12.345%"
    assert json_number(math.nan) is None and json_number(0.5) == 0.5


def test_threshold_texts():
    assert threshold_text(3370.0194991439557) == "3370.02"
    assert threshold_text(math.inf) == "+inf (flag nothing)"
    assert threshold_text(-math.inf) == "-inf (flag everything)"
    assert scaled_threshold_text(0.425, "probability") == "0.425 (probability)"
