"""Unit tests: query-parameter parsing, digit display images, and checked cache files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from core import cache
from core.images import display_image, page_slice
from core.params import parse_choice, parse_float, parse_int, unknown_params


# --- parse_int ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "value", "noted"),
    [
        (None, 4, False),
        ("", 4, False),
        ("7", 7, False),
        (" 9 ", 9, False),
        ("-3", 0, True),
        ("11", 10, True),
        ("abc", 4, True),
        ("1.5", 4, True),
        ("99999999999999999999", 10, True),
    ],
)
def test_parse_int(raw, value, noted):
    parsed = parse_int(raw, name="index", default=4, minimum=0, maximum=10)
    assert parsed.value == value
    assert (parsed.note is not None) == noted
    if noted:
        assert "index=" in parsed.note


def test_parse_int_note_is_short_for_huge_garbage():
    parsed = parse_int("x" * 5000, name="index", default=0, minimum=0, maximum=1)
    assert len(parsed.note) < 150


# --- parse_float --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "value", "noted"),
    [
        (None, 1.0, False),
        ("2.5", 2.5, False),
        ("-1e3", -1000.0, False),
        ("nan", 1.0, True),
        ("inf", 1.0, True),
        ("-Infinity", 1.0, True),
        ("1e308", 5000.0, True),
        ("x", 1.0, True),
        ("-1e9", -5000.0, True),
    ],
)
def test_parse_float(raw, value, noted):
    parsed = parse_float(raw, name="threshold", default=1.0, minimum=-5000.0, maximum=5000.0)
    assert parsed.value == value and math.isfinite(parsed.value)
    assert (parsed.note is not None) == noted


def test_parse_choice_is_case_insensitive_and_corrects_unknowns():
    choices = ("all", "train", "test")
    assert parse_choice("TEST", name="split", default="all", choices=choices).value == "test"
    wrong = parse_choice("validation", name="split", default="all", choices=choices)
    assert wrong.value == "all" and "validation" in wrong.note


def test_unknown_params_names_only_the_extras():
    assert unknown_params(["index", "label"], known=["index", "label", "split"]) is None
    assert "'zzz'" in unknown_params(["index", "zzz"], known=["index"])


# --- images -------------------------------------------------------------------------------
def test_display_image_inverts_and_repeats_pixels():
    image = np.array([[0, 255], [128, 10]], dtype=np.uint8)
    shown = display_image(image.ravel(), shape=(2, 2), scale=3)
    assert shown.shape == (6, 6) and shown.dtype == np.uint8
    assert shown[0, 0] == 255 and shown[0, 5] == 0  # background white, ink black
    assert (shown[3:6, 0:3] == 127).all()  # one source pixel, one crisp 3x3 block


def test_display_image_rejects_a_wrong_size_and_scale():
    with pytest.raises(ValueError, match="4 pixels"):
        display_image(np.zeros(4, np.uint8), shape=(3, 3), scale=1)
    with pytest.raises(ValueError, match="scale"):
        display_image(np.zeros(4, np.uint8), shape=(2, 2), scale=0)


@pytest.mark.parametrize(
    ("n", "page", "expected"),
    [
        (100, 1, (0, 40, 3)),
        (100, 3, (80, 100, 3)),
        (100, 9, (80, 100, 3)),
        (100, -1, (0, 40, 3)),
        (0, 1, (0, 0, 1)),
        (40, 2, (0, 40, 1)),
    ],
)
def test_page_slice(n, page, expected):
    assert page_slice(n_items=n, page=page, per_page=40) == expected


# --- cache files --------------------------------------------------------------------------
def test_checked_file_round_trip(tmp_path):
    path = tmp_path / "sub" / "x.bin"
    assert cache.write_checked(path, b"payload")
    assert cache.read_checked(path) == b"payload"
    assert not list(path.parent.glob("*.tmp"))  # the temporary file was renamed, not left


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-3],
        lambda b: b[:10],
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),
        lambda b: b"NOTCACHE" + b[8:],
        lambda b: b"",
    ],
    ids=["truncated", "header-only", "bit-flip", "foreign-magic", "empty"],
)
def test_damaged_file_is_discarded(tmp_path, damage):
    path = tmp_path / "x.bin"
    cache.write_checked(path, b"some payload bytes")
    path.write_bytes(damage(path.read_bytes()))
    assert cache.read_checked(path) is None
    assert not path.exists()  # removed, so the caller rebuilds it


def test_arrays_round_trip_and_missing(tmp_path):
    path = tmp_path / "a.bin"
    assert cache.load_arrays(path) is None
    cache.save_arrays(path, x=np.arange(5, dtype=np.uint8), y=np.array([1.5]))
    loaded = cache.load_arrays(path)
    assert loaded["x"].tolist() == [0, 1, 2, 3, 4] and loaded["y"].tolist() == [1.5]


def test_unwritable_directory_reports_false(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert cache.write_checked(blocker / "x.bin", b"data") is False
    with cache.file_lock(blocker / "x.lock") as locked:
        assert locked is False


def test_default_cache_dir_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    assert cache.default_cache_dir() == tmp_path


@pytest.mark.parametrize("sklearn_data", [None, "custom-home"])
def test_default_cache_dir_follows_scikit_learns_data_home(monkeypatch, tmp_path, sklearn_data):
    from sklearn.datasets import get_data_home

    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    if sklearn_data is None:
        monkeypatch.delenv("SCIKIT_LEARN_DATA", raising=False)
    else:
        monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / sklearn_data))
    assert cache.default_cache_dir() == Path(get_data_home()) / "threshold_explorer"
