"""AppTest tests for the home and digits pages."""

from __future__ import annotations

import pytest

from tests.support import forget_app_caches, galleries, metric_values, open_page, texts


@pytest.fixture(autouse=True)
def real_mnist(mnist_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DATA", str(mnist_dir))
    forget_app_caches()
    yield
    forget_app_caches()


def test_home_says_what_the_tool_does_and_where_the_data_comes_from():
    app = open_page()
    page = texts(app)
    assert "Threshold Explorer" in page
    assert "70,000 digits of 28×28 pixels, 60,000 for training and 10,000 for testing" in page
    assert "MNIST from local IDX files" in page
    assert not app.warning  # no fallback notice on MNIST


def test_digits_defaults_to_index_0_which_is_a_5():
    app = open_page("pages/digits.py")
    assert app.number_input(key="digits_index").value == 0
    assert metric_values(app)["Label"] == "5"
    assert app.query_params["index"] == ["0"] or app.query_params["index"] == "0"


@pytest.mark.parametrize(
    ("raw", "expected", "fragment"),
    [
        ("-3", 0, "outside 0–69999"),
        ("abc", 0, "not a whole number"),
        ("99999999", 69_999, "outside 0–69999"),
    ],
)
def test_digits_corrects_a_bad_index_with_a_note(raw, expected, fragment, mnist_dir):
    from core.data import load_dataset

    app = open_page("pages/digits.py", query={"index": raw})
    assert app.number_input(key="digits_index").value == expected
    assert any(fragment in note.value for note in app.info), [n.value for n in app.info]
    label = load_dataset(data_dir=mnist_dir).labels[expected]
    assert metric_values(app)["Label"] == str(label)


def test_digits_link_reproduces_the_view():
    app = open_page(
        "pages/digits.py", query={"index": "7", "label": "3", "split": "test", "page": "2"}
    )
    assert app.number_input(key="digits_index").value == 7
    assert app.selectbox(key="digits_label").value == "3"
    assert app.session_state["digits_split"] == "test"
    assert app.number_input(key="digits_page").value == 2
    assert "Digits 41–80 of 1,010 matching." in texts(app)  # 1,010 threes in the test set


def test_random_button_picks_another_digit_and_updates_the_url():
    app = open_page("pages/digits.py")
    seen = set()
    for _ in range(3):
        app.button[0].click().run()
        seen.add(app.number_input(key="digits_index").value)
    assert seen - {0}
    index = app.number_input(key="digits_index").value
    assert str(index) in str(app.query_params["index"])


def test_unknown_parameter_and_bad_split_get_notes():
    app = open_page("pages/digits.py", query={"split": "validation", "colour": "red"})
    notes = " ".join(note.value for note in app.info)
    assert "not one of all, train, test" in notes
    assert "'colour'" in notes
    assert app.session_state["digits_split"] == "all"


def test_metadata_expander_shows_what_the_notebook_prints():
    app = open_page("pages/digits.py")
    page = texts(app)
    assert "mnist_784" in page
    assert "`pixel1`" in page and "`pixel784`" in page
    assert "`class`" in page
    assert "First labels**: 5 0 4 1 9 2 1 3 1 4" in page


def test_the_large_digit_says_what_it_is_to_a_screen_reader():
    app = open_page("pages/digits.py")
    large = app.get("image")[0].proto.imgs[0]
    assert large.alt == "handwritten 5, #0"


def test_digit_alt_words_the_label_the_index_and_the_score():
    from ui.digits import digit_alt

    assert digit_alt(label=5, index=55432, score=3380.02) == "handwritten 5, #55432, score 3,380"
    assert digit_alt(label=3, index=7) == "handwritten 3, #7"


def test_gallery_thumbnails_open_their_digit_and_keep_the_filters(mnist_dir):
    from core.data import load_dataset

    labels = load_dataset(data_dir=mnist_dir).labels
    app = open_page(
        "pages/digits.py", query={"index": "7", "label": "3", "split": "test", "page": "2"}
    )
    [gallery] = galleries(app)
    assert len(gallery) == 40
    for item in gallery:
        i = item["index"]
        assert i >= 60_000 and labels[i] == 3
        assert item["caption"] == [f"#{i}", "label 3"]  # one line each, no run-on
        assert item["alt"] == f"handwritten 3, #{i}"
        assert item["href"] == f"digits?index={i}&label=3&split=test&page=2"
    # The link a thumbnail carries opens that digit, large, with the same gallery.
    opened = open_page("pages/digits.py", query={"index": str(gallery[5]["index"]), "label": "3"})
    assert opened.number_input(key="digits_index").value == gallery[5]["index"]
    assert metric_values(opened)["Label"] == "3"


def test_random_digit_respects_the_label_and_split_filters(mnist_dir):
    from core.data import load_dataset

    labels = load_dataset(data_dir=mnist_dir).labels
    app = open_page("pages/digits.py", query={"label": "3", "split": "test"})
    seen = set()
    for _ in range(5):
        next(b for b in app.button if b.label == "Random digit").click().run()
        index = app.number_input(key="digits_index").value
        assert labels[index] == 3 and index >= 60_000, index
        seen.add(index)
    assert len(seen) > 1
    assert app.query_params["index"] in (str(index), [str(index)])


def test_the_description_is_rendered_not_shown_as_raw_markdown():
    from core.data import OPENML_MNIST_784_DESCR

    app = open_page("pages/digits.py")
    assert OPENML_MNIST_784_DESCR in [m.value for m in app.markdown]  # rendered as markdown
    assert not any("**Author**" in str(t.value) for t in app.text)  # not as raw text
