"""/scores in Chromium: upload a generated CSV, name the positive class, drag the threshold,
and every frame's counts are the file's own, counted here from the file."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from harness.browser import FRAME_RECORDER, screenshot, wait_for_idle
from harness.server import start_app, stop_app
from tests.support import csv_bytes, spam_scores

pytestmark = pytest.mark.browser

EXPLORER = ".tx[data-tp]"


@pytest.fixture(scope="module")
def scores_url(tmp_path_factory, chromium_path):
    """The app on the small digits (the page needs no MNIST), with a score directory."""
    directory = tmp_path_factory.mktemp("score-dir")
    (directory / "listed.csv").write_bytes(csv_bytes(spam_scores(4, 500)))
    env = {
        "THRESHOLD_EXPLORER_OFFLINE": "1",
        "MNIST_DATA": "",
        "THRESHOLD_EXPLORER_CACHE": str(tmp_path_factory.mktemp("cache")),
        "THRESHOLD_EXPLORER_SCORES": str(directory),
    }
    process, url = start_app(env=env, log_name="scores-server")
    try:
        yield url
    finally:
        stop_app(process)


def file_counts(data: bytes):
    """The file's curve rows, read with the csv module alone: a function of the threshold
    giving TP, FP, FN, TN (flagged: score >= threshold)."""
    rows = [r for r in csv.DictReader(io.StringIO(data.decode())) if r["split"] != "test"]
    positive = np.array([r["label"] == "spam" for r in rows])
    scores = np.array([float(r["score"]) for r in rows])

    def at(threshold: float) -> tuple[int, int, int, int]:
        flagged = scores >= threshold
        return (
            int((flagged & positive).sum()),
            int((flagged & ~positive).sum()),
            int((~flagged & positive).sum()),
            int((~flagged & ~positive).sum()),
        )

    return at, set(scores.tolist())


def shown(page) -> dict:
    return page.locator(EXPLORER).first.evaluate("root => ({...root.dataset})")


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit select box whose label starts with ``label``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # A click while the page is still settling can leave the list shut: open it again.
    for _ in range(5):
        page.get_by_role("combobox", name=label).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"the {label!r} list never offered {option!r}")


def test_an_uploaded_csv_named_and_dragged_is_counted_exactly_at_every_frame(
    browser, scores_url, tmp_path
):
    data = csv_bytes(spam_scores(11, 3_000))
    path = tmp_path / "my-filter.csv"
    path.write_bytes(data)
    counts_at, distinct = file_counts(data)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(FRAME_RECORDER)
    page = context.new_page()
    page.goto(f"{scores_url}/scores")
    page.get_by_text("Up to 10 MB").wait_for(timeout=60_000)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
    page.get_by_text('Which label value is the positive class, "ham" or "spam"?').wait_for(
        timeout=60_000
    )
    assert page.locator(EXPLORER).count() == 0  # nothing is counted for an unnamed class
    wait_for_idle(page)
    screenshot(page, "scores-upload-unnamed")
    choose(page, "Positive class", "spam")
    page.wait_for_selector(EXPLORER, state="attached", timeout=60_000)
    wait_for_idle(page)
    first = shown(page)
    assert float(first["threshold"]) == 0.5
    assert tuple(int(first[k]) for k in ("tp", "fp", "fn", "tn")) == counts_at(0.5)
    assert page.get_by_text("No link to this view: an uploaded file").count() == 1

    slider = page.locator(".tx-slider").first
    slider.scroll_into_view_if_needed()  # the mouse reaches only what the viewport shows
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    cursor = page.locator(".tx-vt .tx-cursor").first.bounding_box()
    start_x = cursor["x"] + cursor["width"] / 2
    page.mouse.move(start_x, y)
    page.evaluate("window.__recording = true")
    page.mouse.down()
    moves = []
    for i in range(1, 31):  # right, then back left past the start
        page.mouse.move(start_x + i * 6, y)
        moves.append(shown(page))
    for i in range(1, 41):
        page.mouse.move(start_x + 180 - i * 9, y)
        moves.append(shown(page))
    page.evaluate("window.__recording = false")
    frames = page.evaluate("window.__shown")
    assert len(frames) >= 10
    for frame in frames + moves:
        threshold = float(frame["threshold"])
        assert threshold in distinct  # snapped to one of the file's scores
        counts = tuple(int(frame[k]) for k in ("tp", "fp", "fn", "tn"))
        assert counts == counts_at(threshold), frame
    thresholds = {float(m["threshold"]) for m in moves}
    assert len(thresholds) >= 15 and min(thresholds) < 0.5 < max(thresholds)
    released = float(moves[-1]["threshold"])
    page.mouse.up()
    # The release reaches the server: the rows at the cut follow the released threshold.
    page.get_by_text(f"lie nearest {released:.6g}:").wait_for(timeout=30_000)
    wait_for_idle(page)
    screenshot(page, "scores-upload-dragged")
    context.close()


def test_a_listed_file_opens_from_its_link(browser, scores_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{scores_url}/scores?file=listed.csv&positive=spam&threshold=0.62")
    page.wait_for_selector(EXPLORER, state="attached", timeout=60_000)
    wait_for_idle(page)
    assert shown(page)["threshold"] == "0.62"
    href = page.get_by_role("link", name="Link to this view").get_attribute("href")
    assert "file=listed.csv" in href and "positive=spam" in href and "threshold=0.62" in href
    page.goto(f"{scores_url}/scores?file=../../etc/passwd")
    page.get_by_text("is not one of the server's score files").wait_for(timeout=60_000)
    context.close()
