"""The live explorer where the scores outnumber its payload's ladder, in Chromium: 200,000
generated rows (tests/browser/explorer_ladder_app.py). A drag shows only real scores with the
counts the server computes, and ArrowRight steps to the next distinct score every time, far
past the scores the page was first sent (the explorer asks the server for the rest)."""

from __future__ import annotations

import numpy as np
import pytest

from harness.browser import wait_for_idle
from harness.server import app_server
from tests.browser.explorer_ladder_app import START_THRESHOLD, ladder_scored_set

pytestmark = pytest.mark.browser

EXPLORER = ".tx[data-tp]"
STEPS = 300  # well past the position's 64 neighbours and the first window's 256


@pytest.fixture(scope="module")
def ladder_url():
    with app_server(
        script="tests/browser/explorer_ladder_app.py", env={}, log_name="explorer-ladder"
    ) as (_, url):
        yield url


@pytest.fixture(scope="module")
def data():
    from core.tradeoff import scored_tradeoff_data

    return scored_tradeoff_data(ladder_scored_set())


def shown(page) -> dict:
    return page.locator(EXPLORER).first.evaluate("r => ({...r.dataset})")


def assert_exact(data, frame: dict) -> float:
    """The shown threshold is one of the curve rows' distinct scores (or the server's start)
    and its counts are core's there; returns it."""
    from core.counting import metrics_at

    t = float(frame["threshold"])
    distinct = data.cv_index.thresholds
    at = int(distinct.searchsorted(t))
    assert t == START_THRESHOLD or (at < distinct.size and distinct[at] == t), t
    m = metrics_at(data.cv_index, threshold=t)
    assert tuple(int(frame[k]) for k in ("tp", "fp", "fn", "tn")) == (m.tp, m.fp, m.fn, m.tn), t
    return t


def test_a_drag_and_the_keys_show_only_real_scores_with_exact_counts(browser, ladder_url, data):
    distinct = data.cv_index.thresholds
    assert distinct.size > 100_000  # far more than the payload's ladder
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(ladder_url)
    page.wait_for_selector(EXPLORER, state="attached", timeout=90_000)
    wait_for_idle(page)
    assert assert_exact(data, shown(page)) == START_THRESHOLD

    # A drag: every step shows a real score with the server's counts, before any release.
    slider = page.locator(".tx-slider").first
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    seen = set()
    for i in range(1, 31):
        page.mouse.move(box["x"] + box["width"] * (0.3 + i * 0.015), y)
        seen.add(assert_exact(data, shown(page)))
    page.mouse.up()
    assert len(seen) >= 25  # it followed the pointer, a score per step
    released = float(shown(page)["threshold"])
    page.wait_for_function(
        "(t) => document.body.innerText.includes('Released: ' + t)", arg=repr(released)
    )

    # The keys: each ArrowRight is the next distinct score, past everything first sent.
    start = int(distinct.searchsorted(released))
    slider.focus()
    visited = []
    for _ in range(STEPS):
        page.keyboard.press("ArrowRight")
        visited.append(assert_exact(data, shown(page)))
    target = float(distinct[start + STEPS])
    # Steps past the scores known wait for the server's window, then land one by one.
    page.locator(f'{EXPLORER}[data-threshold="{target!r}"]').wait_for(
        state="attached", timeout=30_000
    )
    assert assert_exact(data, shown(page)) == target
    # Never a skipped score: the thresholds shown on the way are consecutive distinct scores.
    ranks = distinct.searchsorted(np.array(visited))
    assert np.all(np.diff(ranks) >= 0) and np.all(np.diff(ranks) <= 1)
    assert ranks[-1] <= start + STEPS
    page.wait_for_function(
        "(t) => document.body.innerText.includes('Released: ' + t)", arg=repr(target)
    )
    context.close()
