"""The threshold axis of /tradeoff in Chromium: it opens where the trade-off happens (most of
its pixels where the cross-validated recall lies between 99% and 1%), zooms in and out with the
keys still stepping to the next distinct score, a click on the cost curve moves the threshold,
and a legend says what each line is."""

from __future__ import annotations

import numpy as np
import pytest

from harness.browser import wait_for_idle

pytestmark = pytest.mark.browser

EXPLORER = ".tx[data-tp]"
NOTEBOOK_THRESHOLD = "3370.0194991439557"
# The drawn threshold axis: its ticks (exact values and pixels) and the plot area's ends.
READ_AXIS = """svg => {
  const ticks = [...svg.querySelectorAll('.tx-tick-x')]
    .map(t => ({x: +t.getAttribute('x'), value: +t.dataset.value}));
  const line = [...svg.querySelectorAll('.tx-gridline')]
    .find(l => l.getAttribute('y1') === l.getAttribute('y2'));
  return {ticks, left: +line.getAttribute('x1'), right: +line.getAttribute('x2')};
}"""


@pytest.fixture(scope="module")
def cv_indexes(mnist_dir, shared_cache_dir):
    """The cross-validated index of a digit's detector, by digit, from the shared cache."""
    from core.detector import train_detector
    from core.idx import load_idx_dataset
    from core.tradeoff import tradeoff_data

    indexes = {}

    def index(digit: int):
        if digit not in indexes:
            result = train_detector(
                load_idx_dataset(mnist_dir), digit=digit, cache_dir=shared_cache_dir
            )
            indexes[digit] = tradeoff_data(result).cv_index
        return indexes[digit]

    return index


def open_explorer(page, app_url: str, *, digit: int, threshold: str | None = None) -> None:
    query = f"digit={digit}" + (f"&threshold={threshold}" if threshold else "")
    page.goto(f"{app_url}/tradeoff?{query}")
    page.get_by_text("The digits at the cut").wait_for(timeout=600_000)
    page.wait_for_selector(EXPLORER, state="attached", timeout=60_000)
    wait_for_idle(page, timeout_ms=60_000)


def shown(page) -> dict:
    return page.locator(EXPLORER).first.evaluate("root => ({...root.dataset})")


def axis(page) -> dict:
    return page.locator(".tx-vt .tx-svg").first.evaluate(READ_AXIS)


def visible_domain(drawn: dict) -> tuple[float, float]:
    """The scores at the plot area's two ends, from two drawn ticks."""
    first, last = drawn["ticks"][0], drawn["ticks"][-1]
    per_pixel = (last["value"] - first["value"]) / (last["x"] - first["x"])
    return (
        first["value"] + (drawn["left"] - first["x"]) * per_pixel,
        first["value"] + (drawn["right"] - first["x"]) * per_pixel,
    )


def band_share(drawn: dict, index) -> float:
    """The share of the plot's pixel columns where the cross-validated recall is 1% to 99%."""
    low, high = visible_domain(drawn)
    columns = int(round(drawn["right"] - drawn["left"]))
    thresholds = low + (np.arange(columns) + 0.5) / columns * (high - low)
    positives = np.sort(index.sorted_scores[index.positive_ranks])
    recall = (index.n_pos - np.searchsorted(positives, thresholds, side="left")) / index.n_pos
    return float(np.mean((recall >= 0.01) & (recall <= 0.99)))


@pytest.mark.parametrize("digit", [5, 1])
@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_the_axis_opens_where_recall_runs_from_99_to_1_percent(
    browser, app_url, cv_indexes, digit, width, height
):
    index = cv_indexes(digit)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    open_explorer(page, app_url, digit=digit)
    drawn = axis(page)
    assert len(drawn["ticks"]) >= 3, drawn  # labelled where the action is
    share = band_share(drawn, index)
    assert share >= 0.5, share
    # Every score's range would give the band about a quarter of the pixels or less.
    everything = (float(index.sorted_scores[0]), float(index.sorted_scores[-1]))
    low, high = visible_domain(drawn)
    assert everything[0] < low and high < everything[1]
    # No tick label is drawn under the handle's label.
    labels = page.locator(".tx-vt").first.evaluate(
        """figure => {
          const box = e => e.getBoundingClientRect();
          const handle = box(figure.querySelector('.tx-handle-label'));
          return [...figure.querySelectorAll('.tx-tick-x')]
            .filter(t => t.getAttribute('visibility') !== 'hidden')
            .map(t => box(t))
            .filter(b => b.right > handle.left && b.left < handle.right).length;
        }"""
    )
    assert labels == 0
    context.close()


def test_zooming_in_and_out_keeps_the_keys_on_the_next_distinct_score(browser, app_url, cv_indexes):
    index = cv_indexes(5)
    distinct = index.thresholds
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    open_explorer(page, app_url, digit=5, threshold=NOTEBOOK_THRESHOLD)
    opening = visible_domain(axis(page))
    box = page.locator(".tx-slider").first.bounding_box()
    cursor = page.locator(".tx-vt .tx-cursor").first.bounding_box()
    x, y = cursor["x"] + cursor["width"] / 2, box["y"] + box["height"] / 3
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    for _ in range(6):
        page.mouse.wheel(0, -300)  # ctrl + wheel up: zoom in around the pointer
    page.keyboard.up("Control")
    zoomed = visible_domain(axis(page))
    assert zoomed[1] - zoomed[0] < (opening[1] - opening[0]) / 20, (zoomed, opening)
    assert zoomed[0] < float(NOTEBOOK_THRESHOLD) < zoomed[1]  # around the pointer
    assert float(shown(page)["threshold"]) == float(NOTEBOOK_THRESHOLD)  # the view only
    # The keys step to the next and the previous distinct score, as before the zoom.
    at = int(distinct.searchsorted(float(NOTEBOOK_THRESHOLD)))
    slider = page.get_by_role("slider", name="Decision threshold of the 5-detector")
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert float(shown(page)["threshold"]) == distinct[at + 1]
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert float(shown(page)["threshold"]) == distinct[at - 1]
    # Shift with an arrow: a tenth of the visible scores, to a distinct score beyond.
    page.keyboard.press("Shift+ArrowRight")
    now = visible_domain(axis(page))
    target = distinct[at - 1] + (now[1] - now[0]) * 0.1
    expected = distinct[distinct >= target][0]
    assert float(shown(page)["threshold"]) == max(expected, distinct[at])
    # Zoom out with the wheel, then the reset key: back to the opening view.
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    page.mouse.wheel(0, 600)
    page.keyboard.up("Control")
    wider = visible_domain(axis(page))
    assert wider[1] - wider[0] > 2 * (zoomed[1] - zoomed[0])
    slider.focus()
    page.keyboard.press("0")
    reset = visible_domain(axis(page))
    assert reset == pytest.approx(opening, rel=1e-9, abs=1e-6)
    # The key step after the zoom reached the server as one release.
    threshold = float(shown(page)["threshold"])
    page.wait_for_function(
        f"() => [...document.querySelectorAll('code')].some(c => c.innerText.includes("
        f"'threshold={threshold!r}'))",
        timeout=30_000,
    )
    context.close()


def test_a_brush_zooms_to_the_range_and_the_button_resets(browser, app_url, cv_indexes):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    open_explorer(page, app_url, digit=5, threshold=NOTEBOOK_THRESHOLD)
    opening = visible_domain(axis(page))
    before = shown(page)["threshold"]
    box = page.locator(".tx-slider").first.bounding_box()
    y = box["y"] + box["height"] / 3
    page.keyboard.down("Shift")
    page.mouse.move(box["x"] + box["width"] * 0.4, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=4)
    page.mouse.up()
    page.keyboard.up("Shift")
    brushed = visible_domain(axis(page))
    span = opening[1] - opening[0]
    assert brushed[1] - brushed[0] < span / 3, (brushed, opening)
    assert shown(page)["threshold"] == before  # a brush does not move the threshold
    page.get_by_role("button", name="Reset the zoom", exact=False).click()
    assert visible_domain(axis(page)) == pytest.approx(opening, rel=1e-9, abs=1e-6)
    context.close()


def test_a_click_on_the_cost_curve_moves_the_threshold(browser, app_url, cv_indexes):
    from core.counting import metrics_at

    index = cv_indexes(5)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    open_explorer(page, app_url, digit=5, threshold="0")
    curve = page.locator(".tx-cost .tx-cost-curve").first
    curve.scroll_into_view_if_needed()
    x, y = curve.evaluate(
        """path => {
            const p = path.getPointAtLength(path.getTotalLength() * 0.25);
            const m = path.getScreenCTM();
            return [m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f];
        }"""
    )
    page.mouse.move(x, y)
    tip = page.locator(".tx-tip").first
    tip.wait_for()
    assert "Threshold" in tip.inner_text()
    page.mouse.click(x, y)
    frame = shown(page)
    picked = float(frame["threshold"])
    assert picked != 0.0 and picked in index.thresholds
    m = metrics_at(index, threshold=picked)
    assert tuple(int(frame[k]) for k in ("tp", "fp", "fn", "tn")) == (m.tp, m.fp, m.fn, m.tn)
    page.wait_for_function(
        f"() => [...document.querySelectorAll('code')].some(c => c.innerText.includes("
        f"'threshold={picked!r}'))",
        timeout=30_000,
    )
    context.close()


def test_a_legend_names_each_line(page, app_url):
    open_explorer(page, app_url, digit=5)
    legend = page.locator(".tx-vt .tx-legend").first
    assert legend.locator("li").all_inner_texts() == ["precision", "recall", "each fold (faint)"]
    # Each entry's swatch is drawn as its line is.
    classes = legend.locator("line").evaluate_all("ls => ls.map(l => l.getAttribute('class'))")
    assert "tx-precision" in classes[0] and "tx-recall" in classes[1] and "tx-fold" in classes[2]
    cost = page.locator(".tx-cost .tx-legend").first
    assert "expected cost" in cost.inner_text() and "least cost" in cost.inner_text()
