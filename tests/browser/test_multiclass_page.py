"""/multiclass in Chromium: a click on a cell of the confusion matrix, or the keyboard's way,
shows that cell's digits, borderline first, and the link names the cell."""

from __future__ import annotations

import re
import time

import pytest

from core.error_analysis import cell_members
from harness.browser import wait_for_idle
from harness.server import start_app, stop_app

pytestmark = pytest.mark.browser

PER_CELL = 20


@pytest.fixture(scope="module")
def multiclass_app(tmp_path_factory, chromium_path):
    """The app on the small digits, its cache holding the ten-class models (trained here, so
    the page shows them at once); the result."""
    from core.data import load_fallback_dataset
    from core.multiclass import train_multiclass

    cache = tmp_path_factory.mktemp("cache")
    result = train_multiclass(load_fallback_dataset(), cache_dir=cache)
    env = {
        "THRESHOLD_EXPLORER_OFFLINE": "1",
        "MNIST_DATA": "",
        "THRESHOLD_EXPLORER_CACHE": str(cache),
    }
    process, url = start_app(env=env, log_name="multiclass-server")
    try:
        yield url, result
    finally:
        stop_app(process)


def expected(result, true: int, predicted: int) -> list[int]:
    cell = cell_members(
        y_true=result.y_train,
        y_pred=result.predictions_scaled,
        decision_scores=result.decision_scores_scaled,
        true_class=true,
        predicted_class=predicted,
        limit=PER_CELL,
    )
    return cell.indices.tolist()


def wait_for_gallery(page, heading: str, want: list[int], *, timeout_s: float = 30) -> list[int]:
    """The gallery under ``heading`` once it shows ``want`` (it renders after its heading), or
    what it shows when the time is up."""
    deadline = time.monotonic() + timeout_s
    while True:
        shown = gallery_after(page, heading)
        if shown == want or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(250)


def gallery_after(page, heading: str) -> list[int]:
    """The digit indices of the gallery under the bold ``heading`` (in its column)."""
    column = page.locator("[data-testid=stColumn]").filter(
        has=page.locator("strong", has_text=heading)
    )
    figures = column.last.locator(".digit-gallery figure")
    return [int(i) for i in figures.evaluate_all("fs => fs.map(f => f.dataset.index)")]


def test_a_click_on_a_cell_shows_its_digits_and_its_mirror_s(browser, multiclass_app):
    url, result = multiclass_app
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/multiclass?view=counts")
        chart = page.locator(".st-key-mc_chart_counts")
        chart.wait_for(timeout=120_000)
        wait_for_idle(page)
        chart.scroll_into_view_if_needed()
        box = chart.locator(".nsewdrag").first.bounding_box()
        # Cell (true 3, predicted 5): column 5 and row 3 of ten, rows top down.
        x = box["x"] + box["width"] * 5.5 / 10
        y = box["y"] + box["height"] * 3.5 / 10
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        page.get_by_text(re.compile(r"^3s read as 5s")).wait_for(timeout=60_000)
        wait_for_idle(page)
        assert "cell=3-5" in page.url
        n_3_as_5 = int(result.confusion_scaled[3, 5])
        n_5_as_3 = int(result.confusion_scaled[5, 3])
        assert page.get_by_text(f"3s read as 5s ({n_3_as_5:,})").count() == 1
        assert page.get_by_text(f"5s read as 3s ({n_5_as_3:,})").count() == 1
        if n_3_as_5:
            want = expected(result, 3, 5)
            assert wait_for_gallery(page, "3s read as 5s", want) == want
        if n_5_as_3:
            want = expected(result, 5, 3)
            assert wait_for_gallery(page, "5s read as 3s", want) == want
        assert n_3_as_5 + n_5_as_3 > 0  # the small digits do confuse them: something was shown
    finally:
        context.close()


def test_the_keyboard_way_chooses_a_cell(browser, multiclass_app):
    url, result = multiclass_app
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{url}/multiclass")
        box = page.get_by_role("combobox", name="Cell to show")
        box.wait_for(timeout=120_000)
        wait_for_idle(page)
        box.focus()
        page.keyboard.type("true 8, predicted 8")
        page.keyboard.press("Enter")
        page.get_by_text(re.compile(r"^8s read rightly")).wait_for(timeout=60_000)
        wait_for_idle(page)
        assert "cell=8-8" in page.url
        want = expected(result, 8, 8)
        assert wait_for_gallery(page, "8s read rightly", want) == want
    finally:
        context.close()
