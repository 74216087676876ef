"""Headless Chromium driven by Playwright with the project's flags, and waits on a page."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from harness import ARTIFACTS

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
# How long a page may wait for a cold training of a real MNIST detector in its server: four
# SGD fits at background priority (core/engine.py), on a machine the other test processes share.
TRAINING_TIMEOUT_MS = 600_000
# An init script: while ``window.__recording``, every animation frame pushes what the explorer
# shows (its root's data attributes) onto ``window.__shown``, from before the page's scripts run.
FRAME_RECORDER = """
window.__shown = []; window.__recording = false;
(function tick() {
  if (window.__recording) {
    const root = [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
      .map(h => h.shadowRoot && h.shadowRoot.querySelector('.tx')).find(r => r && r.dataset.tp);
    if (root) window.__shown.push({...root.dataset});
  }
  requestAnimationFrame(tick);
})();
"""


def chromium_executable() -> str:
    """Debian's Chromium, or the binary named by ``CHROMIUM``."""
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


@contextmanager
def chromium(executable: str | None = None, *, extra_args: tuple[str, ...] = ()):
    """Headless Chromium driven by Playwright for the ``with`` block; yields the browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable or chromium_executable(),
            args=[*CHROMIUM_FLAGS, *extra_args],
        )
        try:
            yield browser
        finally:
            browser.close()


# How long the app must stay idle to count as settled: a rerun that an action asks for may
# start a moment after the idle state was first seen.
SETTLED_MS = 300


def wait_for_idle(page, *, timeout_ms: int = 60_000, stay_ms: int = SETTLED_MS) -> None:
    """Wait until the script has run and Streamlit has stayed idle for ``stay_ms``."""
    page.evaluate("window.__busyAt = performance.now()")
    page.wait_for_function(
        """([selector, stay]) => {
            const now = performance.now();
            // undefined: a navigation since the reset
            if (window.__busyAt === undefined || !document.querySelector(selector)) {
                window.__busyAt = now;
            }
            return now - window.__busyAt >= stay;
        }""",
        arg=[APP_IDLE, stay_ms],
        timeout=timeout_ms,
        polling=50,
    )


def metric_value(page, label: str) -> str:
    """The value a Streamlit metric shows, found by its label (the first such metric)."""
    metric = (
        page.locator("[data-testid=stMetric]")
        .filter(has=page.locator("[data-testid=stMetricLabel]", has_text=label))
        .first
    )
    return metric.locator("[data-testid=stMetricValue]").inner_text().strip()


def wait_for_images(page, *, timeout_ms: int = 30_000) -> None:
    """Wait until every image on the page has loaded (galleries load lazily).

    An image that a rerun replaced while this walked the page is skipped: its successor is in
    the page, and the final check waits for it."""
    from playwright.sync_api import Error

    for image in page.locator("img").all():
        try:
            image.scroll_into_view_if_needed(timeout=timeout_ms)
        except Error as error:
            if "not attached" not in str(error):
                raise
    page.wait_for_function(
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
        timeout=timeout_ms,
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # Streamlit scrolls inside its main section, so grow the window to the content instead.
    viewport = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height), 6000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)
    return path
