"""AppTest tests of two lines the pages share: the notebook cells a page reproduces, and the
notice that trained detectors cannot be kept. Plus the README's table of the notebook's cells,
kept alike with the app's. On the small fallback digits (fast trainings)."""

from __future__ import annotations

import re

import pytest

from core.cache import CacheStatus
from harness import ROOT
from tests.support import open_page
from ui.cache_notice import cache_notice_text
from ui.notebook import CELLS, PAGES, cell, cells_text, page_line

PAGE_FILES = {name: f"pages/{name}.py" for name in PAGES}
NOTICE = "cannot be written"


@pytest.fixture(autouse=True)
def small_digits(fallback_app):
    """No MNIST, no downloads, a fresh cache directory, nothing remembered by the app."""


# --- the notebook's cells, page by page --------------------------------------------------------


def test_every_cell_is_shown_by_exactly_one_page():
    shown = sorted(number for page in PAGES.values() for number in page.cells)
    assert shown == [c.number for c in CELLS] == list(range(1, 15))


def test_the_cell_lists_read_as_a_person_would_write_them():
    assert cells_text((14,)) == "cell [14]"
    assert cells_text((13, 14)) == "cells [13] and [14]"
    assert cells_text((1, 2, 3, 4, 5)) == "cells [1]–[5]"
    assert cells_text((6, 7, 8, 9, 12)) == "cells [6]–[9] and [12]"
    assert page_line("tradeoff") == (
        "The notebook's cells [13] and [14]: precision and recall at every threshold, and the "
        "threshold for 90% precision."
    )
    assert page_line("compare").startswith("Beyond the notebook, which ends at cell [14]: ")
    with pytest.raises(ValueError, match=r"no cell \[15\]"):
        cell(15)


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_names_its_notebook_cells_once_and_quotes_them(page):
    app = open_page(PAGE_FILES[page])

    captions = [c.value for c in app.caption]
    assert captions.count(page_line(page)) == 1, captions
    assert captions[0] == page_line(page)  # the first line under the title
    quoted = [e for e in app.expander if e.label == "From the notebook"]
    if not PAGES[page].cells:
        assert quoted == []
        return
    assert len(quoted) == 1
    codes = [block.value for block in quoted[0].code]
    for number in PAGES[page].cells:
        assert cell(number).code in codes
        if cell(number).output:
            assert cell(number).output in codes
    said = " ".join(m.value for m in quoted[0].markdown)
    for number in PAGES[page].cells:
        assert f"**[{number}]** {cell(number).does}" in said


def test_the_quotes_are_the_notebooks_numbers():
    assert "0.8370879772350012" in cell(11).output
    assert "[2164.22030239]" in cell(12).output
    assert "thresholds[np.argmax(precisions >= 0.90)]" in cell(14).code
    assert "array([0.95035, 0.96035, 0.9604])" == cell(8).output


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert title in headings, headings
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_readme_lists_every_cell_as_the_app_does():
    section = _readme_section("The notebook, cell by cell")
    rows = re.findall(r"^\| \[(\d+)\] \| (.+?) \| `(/\w+)`", section, flags=re.MULTILINE)
    page_of = {n: page.url for page in PAGES.values() for n in page.cells}
    assert [int(number) for number, _, _ in rows] == [c.number for c in CELLS]
    for number, does, url in rows:
        assert does == cell(int(number)).does
        assert url == page_of[int(number)]
    assert f"`/compare` goes beyond the notebook, which ends at cell [{CELLS[-1].number}]" in (
        " ".join(section.split())
    )


# --- the cache that cannot be written ----------------------------------------------------------


def test_the_notice_says_where_why_and_what_it_costs(tmp_path):
    status = CacheStatus(
        directory=tmp_path / "x", writable=False, errno=30, strerror="Read-only file system"
    )
    assert cache_notice_text(status) == (
        f"The cache at {tmp_path / 'x'} cannot be written (read-only file system): trained "
        "detectors are not kept, so each server restart trains again (about half a minute per "
        "digit on full MNIST)."
    )


@pytest.fixture
def unwritable_cache(tmp_path, monkeypatch):
    """THRESHOLD_EXPLORER_CACHE under a regular file: not a directory, even for root."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    directory = blocker / "cache"
    monkeypatch.setenv("THRESHOLD_EXPLORER_CACHE", str(directory))
    return directory


@pytest.mark.parametrize("script", [None, "pages/train.py"], ids=["home", "train"])
def test_home_and_train_say_once_that_the_cache_cannot_be_written(unwritable_cache, script):
    app = open_page(script)

    notices = [w.value for w in app.warning if NOTICE in w.value]
    assert notices == [
        f"The cache at {unwritable_cache} cannot be written (not a directory): trained detectors "
        "are not kept, so each server restart trains again (about half a minute per digit on "
        "full MNIST)."
    ]
    app.run()  # a rerun of the same session: still one, and the directory is not probed again
    assert sum(NOTICE in w.value for w in app.warning) == 1
    assert app.session_state["cache_status"].errno == 20  # ENOTDIR


@pytest.mark.parametrize("script", [None, "pages/train.py"], ids=["home", "train"])
def test_a_writable_cache_gets_no_notice(script):
    app = open_page(script)
    assert not any(NOTICE in w.value for w in app.warning)
    assert app.session_state["cache_status"].writable
