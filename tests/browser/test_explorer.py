"""The live explorer of /tradeoff in Chromium: exact at every frame of a drag, silent until
release, then the rest of the page follows; keys, a click on a curve, two screen sizes."""

from __future__ import annotations

import pytest

from harness.browser import (
    FRAME_RECORDER,
    TRAINING_TIMEOUT_MS,
    screenshot,
    wait_for_idle,
    wait_for_images,
)
from harness.server import start_app, stop_app

pytestmark = pytest.mark.browser

EXPLORER = ".tx[data-tp]"
NOTEBOOK_THRESHOLD = "3370.0194991439557"


@pytest.fixture(scope="module")
def cv_index(app_url, mnist_dir, shared_cache_dir, browser):
    """The 5-detector's cross-validated index, from the cache the app's first visit fills."""
    from core.detector import train_detector
    from core.idx import load_idx_dataset
    from core.tradeoff import tradeoff_data

    context = browser.new_context()
    page = context.new_page()
    open_explorer(page, app_url, threshold="0")  # the server trains it if need be
    context.close()
    result = train_detector(load_idx_dataset(mnist_dir), digit=5, cache_dir=shared_cache_dir)
    return tradeoff_data(result).cv_index


def open_explorer(page, app_url: str, *, threshold: str, digit: int = 5) -> None:
    page.goto(f"{app_url}/tradeoff?digit={digit}&threshold={threshold}")
    page.get_by_text("The digits at the cut").wait_for(timeout=TRAINING_TIMEOUT_MS)
    page.wait_for_selector(EXPLORER, state="attached", timeout=60_000)
    wait_for_idle(page, timeout_ms=60_000)


def shown(page) -> dict:
    return page.locator(EXPLORER).first.evaluate("root => ({...root.dataset})")


def assert_exact(cv_index, frame: dict) -> float:
    from core.counting import metrics_at

    threshold = float(frame["threshold"])
    m = metrics_at(cv_index, threshold=threshold)
    counts = tuple(int(frame[k]) for k in ("tp", "fp", "fn", "tn"))
    assert counts == (m.tp, m.fp, m.fn, m.tn), (frame, m)
    return threshold


def link_threshold(page) -> float:
    href = page.get_by_role("link", name="Link to this view").get_attribute("href")
    return float(href.split("threshold=")[1].split("&")[0])


def sent_frames(page) -> list[int]:
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append(len(p))))
    return sent


def test_a_drag_is_exact_at_every_frame_silent_until_release_then_the_page_follows(
    browser, app_url, cv_index
):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(FRAME_RECORDER)
    page = context.new_page()
    sent = sent_frames(page)
    open_explorer(page, app_url, threshold=NOTEBOOK_THRESHOLD)
    assert shown(page)["threshold"] == NOTEBOOK_THRESHOLD  # the link's exact threshold
    assert_exact(cv_index, shown(page))
    gallery_before = page.get_by_text("Changed side since the last threshold").count()
    box = page.locator(".tx-slider").first.bounding_box()
    y = box["y"] + box["height"] / 2
    # The scores' busy part, just right of the cursor (the axis opens on it), so the drag
    # ends below the link's threshold.
    cursor = page.locator(".tx-vt .tx-cursor").first.bounding_box()
    start_x = cursor["x"] + cursor["width"] / 2 + 30
    page.mouse.move(start_x, y)
    page.evaluate("window.__recording = true")
    before = len(sent)
    page.mouse.down()
    moves = []
    for i in range(1, 41):
        page.mouse.move(start_x - i * 3, y)
        moves.append(shown(page))
    page.evaluate("window.__recording = false")
    assert len(sent) == before, "the browser told the server something before the release"
    frames = page.evaluate("window.__shown")
    assert len(frames) >= 10
    for frame in frames + moves:
        threshold = assert_exact(cv_index, frame)
        assert threshold in cv_index.thresholds  # snapped to a real score
    assert len({m["threshold"] for m in moves}) >= 20  # it moved with the pointer
    released = float(moves[-1]["threshold"])

    page.mouse.up()
    page.wait_for_function(
        """(t) => [...document.querySelectorAll('code')].map(c => c.innerText)
            .some(s => s.includes('threshold=') && parseFloat(s.split('threshold=')[1]) === t)""",
        arg=released,
        timeout=30_000,
    )
    wait_for_idle(page)
    assert len(sent) > before  # one release, then the server ran
    assert link_threshold(page) == released
    # The link is a real link, and the same address is in a box with a copy button.
    href = page.get_by_role("link", name="Link to this view").get_attribute("href")
    box = page.locator("[data-testid=stCode]").filter(has_text="threshold=").first
    assert box.inner_text().strip() == href and href.startswith("http")
    assert box.locator("button[aria-label='Copy to clipboard']").count() == 1  # shown on hover
    assert gallery_before == 1
    changed = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="Changed side")
    assert "(flagged now)" in changed.first.inner_text()
    assert page.get_by_text("None: the threshold has not moved yet.").count() == 0
    # The address bar holds the exact threshold too once the next interaction happens
    # (Streamlit 1.67 shows a fragment run's URL change only then).
    page.locator(".tx-slider").first.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => !location.search.includes('3370.0194991439557')", timeout=30_000)
    context.close()


def test_arrow_keys_reach_the_next_and_previous_distinct_score(page, app_url, cv_index):
    open_explorer(page, app_url, threshold=NOTEBOOK_THRESHOLD)
    distinct = cv_index.thresholds
    at = int(distinct.searchsorted(float(NOTEBOOK_THRESHOLD)))
    assert distinct[at] == float(NOTEBOOK_THRESHOLD)
    slider = page.get_by_role("slider", name="Decision threshold of the 5-detector")
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert float(shown(page)["threshold"]) == distinct[at + 1]
    assert slider.get_attribute("aria-valuenow") == shown(page)["threshold"]
    assert "precision" in slider.get_attribute("aria-valuetext")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert float(shown(page)["threshold"]) == distinct[at + 1]
    page.keyboard.press("ArrowLeft")
    assert float(shown(page)["threshold"]) == distinct[at]
    page.keyboard.press("PageUp")  # one percent of the 60,000 scores
    up = float(shown(page)["threshold"])
    start = int(cv_index.sorted_scores.searchsorted(distinct[at]))
    assert cv_index.sorted_scores[start + 600] == up
    page.keyboard.press("End")
    assert float(shown(page)["threshold"]) == distinct[-1]
    assert_exact(cv_index, shown(page))
    page.keyboard.press("Home")
    assert float(shown(page)["threshold"]) == distinct[0]
    # After a short pause the server hears the key burst once, and the link follows.
    page.wait_for_function(
        f"() => [...document.querySelectorAll('code')].some(c => c.innerText.includes("
        f"'threshold={float(distinct[0])!r}'))",
        timeout=30_000,
    )


def test_a_click_on_the_roc_curve_moves_the_threshold_to_that_point(page, app_url, cv_index):
    open_explorer(page, app_url, threshold="0")
    # A point of the drawn ROC curve a third of the way along it, in page pixels.
    x, y = page.locator(".tx-roc .tx-main").first.evaluate(
        """path => {
            const p = path.getPointAtLength(path.getTotalLength() * 0.3);
            const m = path.getScreenCTM();
            return [m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f];
        }"""
    )
    page.mouse.move(x, y)
    tip = page.locator(".tx-tip").first
    tip.wait_for()
    assert "Threshold" in tip.inner_text() and "TP" in tip.inner_text()
    page.mouse.click(x, y)
    frame = shown(page)
    picked = assert_exact(cv_index, frame)
    assert picked != 0.0 and picked in cv_index.thresholds
    page.wait_for_function(
        f"() => [...document.querySelectorAll('code')].some(c => c.innerText.includes("
        f"'threshold={picked!r}'))",
        timeout=30_000,
    )
    wait_for_idle(page)


def test_a_goal_picker_moves_the_explorer(page, app_url, cv_index):
    from core.pickers import threshold_for_precision

    open_explorer(page, app_url, threshold="0")
    page.get_by_role("button", name="Lowest threshold reaching it").click()
    expected = threshold_for_precision(cv_index, target=0.9).threshold
    page.wait_for_function(
        "(t) => { const r = [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]"
        ".map(h => h.shadowRoot && h.shadowRoot.querySelector('.tx')).find(r => r && r.dataset.tp);"
        " return r && parseFloat(r.dataset.threshold) === t; }",
        arg=expected,
        timeout=30_000,
    )
    assert_exact(cv_index, shown(page))


def test_the_prevalence_moves_precision_and_the_pr_curve_while_recall_stays(
    page, app_url, cv_index, mnist_dir, shared_cache_dir, tmp_path
):
    from core.counting import metrics_at
    from core.detector import train_detector
    from core.estimates import at_prevalence
    from core.idx import load_idx_dataset
    from core.tradeoff import tradeoff_data

    open_explorer(page, app_url, threshold=NOTEBOOK_THRESHOLD)
    threshold = float(NOTEBOOK_THRESHOLD)
    m = metrics_at(cv_index, threshold=threshold)
    before = shown(page)
    assert float(before["precision"]) == m.precision and float(before["recall"]) == m.recall
    explorer = page.locator(EXPLORER).first
    assert "95%: 88.9–91.0%" in explorer.locator(".tx-precision .tx-ci").inner_text()
    assert "training share" in explorer.locator(".tx-basis").inner_text()
    # Each fold alone, at the same threshold, as core counts it.
    data = tradeoff_data(
        train_detector(load_idx_dataset(mnist_dir), digit=5, cache_dir=shared_cache_dir)
    )
    rows = explorer.locator(".tx-fold-table tbody tr").all_inner_texts()
    for row, fold in zip(rows, data.folds, strict=True):
        f = metrics_at(fold, threshold=threshold)
        assert f"{f.precision:.1%}" in row and f"{f.recall:.1%}" in row, row
    pr_before = explorer.locator(".tx-pr .tx-main").first.get_attribute("d")

    share = page.get_by_role("spinbutton", name="Share of 5s where the 5-detector will be used")
    share.fill("50")
    share.press("Enter")
    page.wait_for_function(
        "(p) => { const r = [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]"
        ".map(h => h.shadowRoot && h.shadowRoot.querySelector('.tx')).find(r => r && r.dataset.tp);"
        " return r && r.dataset.precision !== p; }",
        arg=before["precision"],
        timeout=30_000,
    )
    after = shown(page)
    expected = at_prevalence(
        recall=m.recall, false_positive_rate=m.false_positive_rate, prevalence=0.5
    )
    assert float(after["precision"]) == pytest.approx(expected.precision, rel=1e-12)
    assert after["recall"] == before["recall"] and after["threshold"] == before["threshold"]
    assert (after["tp"], after["fp"]) == (before["tp"], before["fp"])  # the counts are the sample's
    assert f"{expected.precision:.1%}" == explorer.locator(".tx-precision .tx-figure").inner_text()
    assert f"{m.recall:.1%}" == explorer.locator(".tx-recall .tx-figure").inner_text()
    assert "50.00%" in explorer.locator(".tx-basis").inner_text()
    assert "do not change" in explorer.locator(".tx-basis").inner_text()
    assert explorer.locator(".tx-pr .tx-main").first.get_attribute("d") != pr_before
    # The PR curve's average precision follows the share, as core computes it.
    from core.curves import average_precision_at_prevalence

    ap = average_precision_at_prevalence(cv_index, prevalence=0.5)
    title = explorer.locator(".tx-pr .tx-plot-title").inner_text()
    assert title == f"Precision vs recall (AP {ap:.3f} where 5s are 50.00%)", title
    assert "5s at 50.00%" in explorer.locator(".tx-cost .tx-plot-title").inner_text()
    page.wait_for_function(
        "() => [...document.querySelectorAll('code')]"
        ".some(c => c.innerText.includes('prevalence=0.5'))",
        timeout=30_000,
    )
    screenshot(page, "tradeoff-prevalence-50")
    # The downloaded detector's card carries the share the page assumed.
    from core.export import load_model

    with page.expect_download(timeout=60_000) as event:
        page.get_by_role("button", name="Download this detector").click()
    saved = tmp_path / "detector.zip"
    event.value.save_as(saved)
    estimates = load_model(saved).card["estimates"]
    assert estimates["prevalence"] == 0.5
    assert estimates["precision_at_prevalence"] == pytest.approx(expected.precision, rel=1e-12)


@pytest.fixture(params=["light", "dark"])
def themed_app_url(request, mnist_dir, shared_cache_dir, app_url):
    """The app in a theme: the light one is the shared server, the dark one a server of its own."""
    if request.param == "light":
        yield request.param, app_url
        return
    process, url = start_app(
        env={
            "MNIST_DATA": str(mnist_dir),
            "THRESHOLD_EXPLORER_CACHE": str(shared_cache_dir),
            "STREAMLIT_THEME_BASE": "dark",
        },
        log_name="app-server-dark",
    )
    yield request.param, url
    stop_app(process)


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_the_explorer_fits_and_works_on_a_laptop_and_a_phone(
    browser, themed_app_url, cv_index, width, height
):
    theme, url = themed_app_url
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    open_explorer(page, url, threshold=NOTEBOOK_THRESHOLD)
    root = page.locator(EXPLORER).first.bounding_box()
    if width >= 1000:  # control, three curves and the numbers in one screen; cost and folds below
        numbers = page.locator(".tx-readout").first.bounding_box()
        assert root["y"] >= 0 and numbers["y"] + numbers["height"] <= height, numbers
    else:  # stacked: the threshold plot, its numbers, then the two curves side by side
        pr = page.locator(".tx-pr").first.bounding_box()
        numbers = page.locator(".tx-readout").first.bounding_box()
        assert numbers["y"] < pr["y"] and root["width"] <= width
    page.screenshot(path=str(screenshot_dir() / f"explorer-{width}x{height}-{theme}.png"))
    # It still works there: a drag with a touch-sized gesture, exact at its end.
    box = page.locator(".tx-slider").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.9, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, y, steps=5)
    page.mouse.up()
    assert_exact(cv_index, shown(page))
    wait_for_idle(page)
    wait_for_images(page)
    screenshot(page, f"tradeoff-{width}x{height}-{theme}")
    context.close()


def screenshot_dir():
    from harness import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
