"""Bad link parameters on every page: a note naming the value, a sensible value, no traceback.

The page tests run on scikit-learn's small digits set (no MNIST_DATA, offline), where the
5-detector trains in well under a second; it is trained once per module into a cache
directory every test here points at, so no page trains while it is being checked.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.data import load_fallback_dataset
from core.params import parse_choice, parse_float, parse_int, unknown_params
from core.tradeoff import slider_step
from tests.support import (
    explorer_mounts,
    forget_app_caches,
    galleries,
    metric_values,
    open_page,
)

HUGE_INT = "9" * 400  # float() of it overflows to inf; int() of it is exact
ENORMOUS_INT = "9" * 5000  # longer than int()'s 4,300-digit limit for decimal strings
HOSTILE = [
    "abc",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "-1e400",
    "1e308",
    "-1e308",
    HUGE_INT,
    "-" + HUGE_INT,
    ENORMOUS_INT,
    "1.5",
    "0x10",
    "1_000",
    "٣",  # ARABIC-INDIC DIGIT THREE: int() and float() take it, a link should not
    "１２",  # FULLWIDTH ONE TWO
    "5\x00",
    "\u202e5",
    "🙂",
    "x" * 5000,
    " ",
    "+",
    "-",
    "e5",
    ".",
]


def short_id(value) -> str:
    """Readable test ids for long or unprintable values."""
    text = str(value)
    return text if len(text) <= 12 and text.isprintable() else f"{text[:4]!r}..{len(text)}"


def note_names(note: str | None, name: str, raw: str) -> bool:
    """Whether ``note`` names the parameter and (the start of) the value given for it."""
    if note is None:
        return False
    shown = repr(raw if len(raw) <= 40 else raw[:39] + "…")
    return f"{name}=" in note and shown in note


# --- the parsers ---------------------------------------------------------------------------
@pytest.mark.parametrize("raw", HOSTILE, ids=short_id)
def test_parse_int_never_raises_and_stays_in_range(raw):
    parsed = parse_int(raw, name="index", default=4, minimum=0, maximum=10)
    assert isinstance(parsed.value, int) and 0 <= parsed.value <= 10
    assert note_names(parsed.note, "index", raw), parsed.note
    assert len(parsed.note) < 160


@pytest.mark.parametrize("raw", [r for r in HOSTILE if r != "1.5"], ids=short_id)
def test_parse_float_never_raises_and_stays_finite_in_range(raw):
    parsed = parse_float(raw, name="threshold", default=1.0, minimum=-5000.0, maximum=5000.0)
    assert isinstance(parsed.value, float) and math.isfinite(parsed.value)
    assert -5000.0 <= parsed.value <= 5000.0
    if raw.strip() in {"1e308", "-1e308"}:  # a number, merely out of range
        assert "outside" in parsed.note
    assert note_names(parsed.note, "threshold", raw), parsed.note
    assert len(parsed.note) < 160


@pytest.mark.parametrize("raw", HOSTILE, ids=short_id)
def test_parse_choice_never_raises(raw):
    parsed = parse_choice(raw, name="digit", default="5", choices=[str(d) for d in range(10)])
    assert parsed.value == "5"
    assert note_names(parsed.note, "digit", raw), parsed.note


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (HUGE_INT, 10),
        ("-" + HUGE_INT, 0),
        (ENORMOUS_INT, 10),  # a whole number, only too large: clamped, not "not a number"
        ("-" + ENORMOUS_INT, 0),
        ("+7", 7),
        ("007", 7),
        ("\t8 ", 8),
    ],
    ids=short_id,
)
def test_parse_int_clamps_whole_numbers_of_any_length(raw, value):
    parsed = parse_int(raw, name="index", default=4, minimum=0, maximum=10)
    assert parsed.value == value
    if value in (0, 10):
        assert "outside 0–10" in parsed.note and len(parsed.note) < 160
    else:
        assert parsed.note is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1e400", 5000.0), ("-1e400", -5000.0), (HUGE_INT, 5000.0), ("-" + ENORMOUS_INT, -5000.0)],
    ids=short_id,
)
def test_parse_float_clamps_numbers_too_large_for_a_float(raw, value):
    parsed = parse_float(raw, name="threshold", default=1.0, minimum=-5000.0, maximum=5000.0)
    assert parsed.value == value
    assert "outside" in parsed.note and len(parsed.note) < 160


@pytest.mark.parametrize("raw", ["1e3", "-.5", "2.", "+3.25", "1E-2", " 7 "])
def test_parse_float_takes_plain_decimal_numbers(raw):
    parsed = parse_float(raw, name="threshold", default=1.0, minimum=-5000.0, maximum=5000.0)
    assert parsed.value == float(raw) and parsed.note is None


def test_unknown_params_note_stays_short_for_many_names():
    note = unknown_params([f"p{i}" for i in range(500)] + ["x" * 1000], known=[])
    assert "'p0'" in note and len(note) < 300
    assert "more" in note  # says that there were more than it lists


# --- the pages -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fallback_cache(tmp_path_factory):
    """A cache directory holding the 5-detector trained on the small digits set."""
    from core.detector import train_detector

    directory = tmp_path_factory.mktemp("fallback-cache")
    train_detector(load_fallback_dataset(), digit=5, cache_dir=directory)
    return directory


@pytest.fixture(scope="module")
def small():
    return load_fallback_dataset()


@pytest.fixture(autouse=True)
def small_set(monkeypatch, fallback_cache):
    """No MNIST, no downloads: every page runs on the small set with its detector cached."""
    monkeypatch.delenv("MNIST_DATA", raising=False)
    monkeypatch.setenv("THRESHOLD_EXPLORER_OFFLINE", "1")
    monkeypatch.setenv("THRESHOLD_EXPLORER_CACHE", str(fallback_cache))
    forget_app_caches()
    yield
    forget_app_caches()


def page_dump(app) -> str:
    """Every element of the page as protobuf text: what the browser would be sent."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return "\n".join(parts)


def assert_no_traceback(app) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    dump = page_dump(app)
    assert "Traceback" not in dump and 'File "' not in dump


def link_notes(app) -> list[str]:
    return [note.value for note in app.info if note.icon == ":material/link:"]


def assert_noted(app, name: str, raw: str) -> None:
    notes = link_notes(app)
    assert any(note_names(note, name, raw) for note in notes), notes


# /digits -----------------------------------------------------------------------------------
def pages_of(small, *, label=None, split=None) -> int:
    """Gallery pages (40 digits each) of the small set under the filters, counted directly."""
    rows = np.arange(small.n_samples)
    if label is not None:
        rows = rows[small.labels == label]
    if split == "test":
        rows = rows[rows >= small.n_train]
    return max(1, math.ceil(rows.size / 40))


# Each link carries several bad values at once; "last" is the last index or page.
DIGITS_LINKS = [
    (
        {"index": "abc", "label": "10", "split": "validation", "page": "0"},
        {"index": 0, "label": "all", "split": "all", "page": 1},
    ),
    (
        {"index": "-inf", "label": "٥", "split": "nan", "page": "inf"},
        {"index": 0, "label": "all", "split": "all", "page": 1},
    ),
    ({"index": "nan", "label": "-1", "page": "two"}, {"index": 0, "label": "all", "page": 1}),
    ({"index": "٣", "page": "-7"}, {"index": 0, "page": 1}),
    ({"index": "-3", "page": "1e400"}, {"index": 0, "page": 1}),
    ({"index": ENORMOUS_INT, "page": "99999"}, {"index": "last", "page": "last"}),
    ({"index": "1797", "label": "3", "page": HUGE_INT}, {"index": "last", "page": "last"}),
    ({"label": "3", "split": "test", "page": "99"}, {"page": "last"}),
]


@pytest.mark.parametrize(("query", "expected"), DIGITS_LINKS, ids=short_id)
def test_digits_corrects_every_bad_value_of_a_link(query, expected, small):
    app = open_page("pages/digits.py", query=query)
    assert_no_traceback(app)
    for name in expected:
        assert_noted(app, name, query[name])
    label = query.get("label") if "label" not in expected else None
    split = query.get("split") if "split" not in expected else None
    last_page = pages_of(small, label=int(label) if label else None, split=split)
    want = {"index": small.n_samples - 1, "page": last_page}
    wanted = {name: want[name] if value == "last" else value for name, value in expected.items()}
    shown = {
        "index": app.number_input(key="digits_index").value,
        "label": app.session_state["digits_label"],
        "split": app.session_state["digits_split"],
        "page": app.number_input(key="digits_page").value,
    }
    assert {name: shown[name] for name in wanted} == wanted
    assert metric_values(app)["Label"] == str(small.labels[shown["index"]])
    # A note promises what the page then shows.
    for name in ("index", "page"):
        if name in wanted:
            note = next(n for n in link_notes(app) if n.startswith(f"{name}="))
            assert note.endswith(f"showing {wanted[name]}."), note


def test_digits_unknown_parameters_are_named_and_the_rest_applies():
    app = open_page("pages/digits.py", query={"index": "7", "colour": "red", "x": ""})
    assert_no_traceback(app)
    notes = " ".join(link_notes(app))
    assert "'colour'" in notes and "'x'" in notes
    assert app.number_input(key="digits_index").value == 7


def test_digits_empty_parameters_mean_the_defaults_silently():
    app = open_page("pages/digits.py", query={"index": "", "label": "", "split": "", "page": ""})
    assert_no_traceback(app)
    assert link_notes(app) == []
    assert app.number_input(key="digits_index").value == 0
    assert app.number_input(key="digits_page").value == 1


# /train, /confusion, /tradeoff: the digit ---------------------------------------------------
def no_training(monkeypatch) -> None:
    import core.engine

    def refuse(*args, **kwargs):
        raise AssertionError("a bad link parameter started a training")

    monkeypatch.setattr(core.engine, "cross_validate", refuse)


@pytest.mark.parametrize(
    ("script", "raw"),
    [
        ("pages/confusion.py", "12"),
        ("pages/confusion.py", "nan"),
        ("pages/confusion.py", "٥"),
        ("pages/confusion.py", HUGE_INT),
        ("pages/train.py", "-1"),
        ("pages/tradeoff.py", "5.0"),
    ],
    ids=short_id,
)
def test_a_bad_digit_keeps_the_current_one(script, raw, monkeypatch):
    no_training(monkeypatch)
    app = open_page(script, query={"digit": raw})
    assert_no_traceback(app)
    assert_noted(app, "digit", raw)
    page = script.split("/")[1].removesuffix(".py")
    assert app.selectbox(key=f"{page}_digit").value == 5
    assert app.query_params["digit"] in ("5", ["5"])  # the link is corrected too
    # And the page went on to show the 5-detector.
    assert explorer_mounts(app) if script == "pages/tradeoff.py" else metric_values(app)


@pytest.mark.parametrize("script", ["pages/train.py", "pages/confusion.py", "pages/tradeoff.py"])
def test_unknown_parameters_are_named(script):
    app = open_page(script, query={"digit": "5", "thresold": "3", "index": "2"})
    assert_no_traceback(app)
    notes = " ".join(link_notes(app))
    assert "'thresold'" in notes
    assert ("'index'" in notes) == (script != "pages/train.py")  # /train uses index


# /train: the index --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"index": "abc", "digit": "five"}, 0),
        ({"index": "inf", "digit": "10"}, 0),
        ({"index": "-1"}, 0),
        ({"index": "1797"}, "last"),
        ({"index": ENORMOUS_INT, "digit": "inf"}, "last"),
        ({"index": "٣"}, 0),
    ],
    ids=short_id,
)
def test_train_index(query, expected, small, monkeypatch):
    no_training(monkeypatch)
    app = open_page("pages/train.py", query=query)
    assert_no_traceback(app)
    for name, raw in query.items():
        assert_noted(app, name, raw)
    index = small.n_samples - 1 if expected == "last" else expected
    assert app.number_input(key="train_index").value == index
    assert app.selectbox(key="train_digit").value == 5
    assert "Decision score" in metric_values(app)


# /tradeoff: the threshold -------------------------------------------------------------------
def score_range(app) -> tuple[float, float]:
    """The lowest and highest cross-validated score, from the explorer's mounted payload."""
    from core.explorer import decode_payload

    header, _ = decode_payload(explorer_mounts(app)[1])
    return float(header["low"]), float(header["high"])


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ({"threshold": "abc"}, "default"),
        ({"threshold": "nan", "digit": "-1"}, "default"),
        ({"threshold": "inf"}, "default"),
        ({"threshold": "-inf", "digit": "٥"}, "default"),
        ({"threshold": "٣"}, "default"),
        ({"threshold": "1e400"}, "max"),
        ({"threshold": "1e308", "digit": "nan"}, "max"),
        ({"threshold": "-1e308"}, "min"),
        ({"threshold": HUGE_INT}, "max"),
        ({"threshold": "-" + ENORMOUS_INT, "digit": HUGE_INT}, "min"),
    ],
    ids=short_id,
)
def test_tradeoff_threshold(query, where, monkeypatch):
    no_training(monkeypatch)
    app = open_page("pages/tradeoff.py", query=query)
    assert_no_traceback(app)
    for name, raw in query.items():
        assert_noted(app, name, raw)
    low, high = score_range(app)
    step = slider_step(low=low, high=high)
    bounds = {"max": math.ceil(high / step) * step, "min": math.floor(low / step) * step}
    expected = {"default": 0.0, **bounds}[where]
    assert app.session_state["threshold"] == expected
    assert explorer_mounts(app)[0]["threshold"] == expected  # the explorer is put there
    assert app.selectbox(key="tradeoff_digit").value == 5
    link = app.query_params["threshold"]
    assert float(link[-1] if isinstance(link, list) else link) == expected


def test_tradeoff_empty_threshold_is_zero_silently(monkeypatch):
    no_training(monkeypatch)
    app = open_page("pages/tradeoff.py", query={"threshold": "", "digit": ""})
    assert_no_traceback(app)
    assert link_notes(app) == []
    assert app.session_state["threshold"] == 0.0


# /train: "Your threshold" -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected", "noted"),
    [
        ("1234.5", 1234.5, False),
        ("-3370.25", -3370.25, False),
        ("", 8000.0, False),
        ("abc", 8000.0, True),
        ("nan", 8000.0, True),
        ("1e400", 1e9, True),
        ("-" + HUGE_INT, -1e9, True),
    ],
    ids=short_id,
)
def test_train_threshold_round_trips_through_the_link(raw, expected, noted, monkeypatch):
    no_training(monkeypatch)
    app = open_page("pages/train.py", query={"threshold": raw})
    assert_no_traceback(app)
    assert any(note_names(n, "threshold", raw) for n in link_notes(app)) == noted
    assert app.number_input(key="train_threshold").value == expected
    assert float(app.query_params["threshold"]) == expected  # written back, corrected
    app.number_input(key="train_threshold").set_value(-250.0).run()
    assert app.query_params["threshold"] == "-250.0"  # the link follows the input
    assert "at threshold **-250.00**" in " ".join(m.value for m in app.markdown)


# /confusion: the galleries' order -----------------------------------------------------------
def first_gallery(app) -> list[int]:
    return [item["index"] for item in galleries(app)[0]]


@pytest.mark.parametrize(
    ("raw", "expected", "noted"),
    [
        ("confident", "confident", False),
        ("CLOSEST", "closest", False),
        ("", "closest", False),
        ("random", "closest", True),
        ("٥", "closest", True),
    ],
    ids=short_id,
)
def test_confusion_order_round_trips_through_the_link(raw, expected, noted, monkeypatch):
    no_training(monkeypatch)
    app = open_page("pages/confusion.py", query={"order": raw})
    assert_no_traceback(app)
    assert any(note_names(n, "order", raw) for n in link_notes(app)) == noted
    assert app.radio(key="confusion_order").value == expected
    assert app.query_params["order"] in (expected, [expected])
    shown = first_gallery(app)
    other = "closest" if expected == "confident" else "confident"
    app.radio(key="confusion_order").set_value(other).run()
    assert app.query_params["order"] in (other, [other])
    assert first_gallery(app) != shown  # the other end of the false positives


# /tradeoff: the costs of an error -----------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "costs", "noted"),
    [
        ({"fp_cost": "2", "fn_cost": "10"}, (2.0, 10.0), ()),
        ({"fp_cost": "-1"}, (0.0, 5.0), ("fp_cost",)),
        ({"fn_cost": "abc", "fp_cost": "1e400"}, (1e6, 5.0), ("fn_cost", "fp_cost")),
        ({"fp_cost": "", "fn_cost": ""}, (1.0, 5.0), ()),
    ],
    ids=short_id,
)
def test_tradeoff_costs_round_trip_through_the_link(query, costs, noted, monkeypatch):
    from tests.support import view_link

    no_training(monkeypatch)
    app = open_page("pages/tradeoff.py", query=query)
    assert_no_traceback(app)
    for name in noted:
        assert_noted(app, name, query[name])
    fp, fn = costs
    assert (app.session_state["pick_fp_cost"], app.session_state["pick_fn_cost"]) == costs
    settings = explorer_mounts(app)[0]["settings"]
    assert (settings["fpCost"], settings["fnCost"]) == costs
    link = view_link(app)
    # A cost at its default stays out of the link; another is in it, as the page uses it.
    assert (f"fp_cost={fp!r}" in link) == (fp != 1.0)
    assert (f"fn_cost={fn!r}" in link) == (fn != 5.0)
    app.number_input(key="pick_fn_cost").set_value(7.0).run()
    assert view_link(app).endswith("fn_cost=7.0") and app.query_params["fn_cost"] == "7.0"


@pytest.mark.parametrize(
    ("url", "root"),
    [
        (None, "/"),
        ("", "/"),
        ("http://127.0.0.1:8501", "http://127.0.0.1:8501/"),
        ("http://127.0.0.1:8501/", "http://127.0.0.1:8501/"),
        ("http://127.0.0.1:8501/tradeoff", "http://127.0.0.1:8501/"),
        ("https://example.org/te/digits/", "https://example.org/te/"),
        ("https://example.org/te", "https://example.org/te/"),
    ],
)
def test_the_link_to_a_view_starts_at_the_apps_own_address(url, root):
    from ui.params import app_root_of

    assert app_root_of(url) == root
