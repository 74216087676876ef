"""A server's very first request opening a page directly: drawn once, in the app's frame.

Streamlit treats the ``pages/`` folder beside app.py as a legacy multipage app until a run calls
``st.navigation``, so the first request after a server start that opens ``/digits`` runs the page
file on its own. The page must still be drawn as app.py draws it (its page config, navigation and
error guard) and by one script run: a browser waiting for the script to finish must not see it
finish and then start again.
"""

from __future__ import annotations

import pytest

from harness import ARTIFACTS
from harness.browser import wait_for_idle
from harness.server import start_app, stop_app

pytestmark = pytest.mark.browser

# Every value the stApp element's script-state attribute takes, in order, from the first paint.
RECORD_SCRIPT_STATES = """
window.__scriptStates = [];
const remember = (value) => {
    const states = window.__scriptStates;
    if (value !== null && states[states.length - 1] !== value) states.push(value);
};
new MutationObserver((records) => {
    for (const record of records) {
        const app = record.type === 'attributes' ? record.target
            : document.querySelector('[data-testid=stApp]');
        if (app && app.matches && app.matches('[data-testid=stApp]')) {
            remember(app.getAttribute('data-test-script-state'));
        }
    }
}).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-test-script-state'],
});
"""
SETTLE_MS = 2_000  # long enough for a second run to start after the first one finished
# app.py's navigation, in its order; the legacy mode would list the pages folder's file names.
NAVIGATION = [
    "Home",
    "Digits",
    "Train",
    "Confusion",
    "Trade-off",
    "Compare",
    "All digits",
    "Your scores",
]
SERVER_LOG = "first-request-server"


@pytest.fixture
def fresh_fallback_server(monkeypatch, tmp_path):
    """A server just started on the small fallback set: nothing has run. Its cache holds the
    5-detector, so /tradeoff trains nothing (a page waiting for a training reruns by design,
    once the training ends, and its waiting line redraws itself meanwhile)."""
    from core.data import load_fallback_dataset
    from core.detector import train_detector

    monkeypatch.delenv("MNIST_DATA", raising=False)
    cache = tmp_path / "cache"
    train_detector(load_fallback_dataset(), digit=5, cache_dir=cache)
    env = {"THRESHOLD_EXPLORER_OFFLINE": "1", "THRESHOLD_EXPLORER_CACHE": str(cache)}
    process, url = start_app(env=env, log_name=SERVER_LOG)
    yield url
    stop_app(process)


@pytest.mark.parametrize(
    ("path", "title"),
    [("/digits?index=0", "Digits"), ("/tradeoff?digit=5", "Precision/recall trade-off")],
)
def test_a_first_request_for_a_page_runs_the_script_once(
    browser, fresh_fallback_server, path, title
):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.add_init_script(RECORD_SCRIPT_STATES)
        page.goto(f"{fresh_fallback_server}{path}")
        page.locator("h1").filter(has_text=title).wait_for(timeout=120_000)
        wait_for_idle(page, timeout_ms=120_000)
        page.wait_for_timeout(SETTLE_MS)
        states = page.evaluate("window.__scriptStates")

        # Once running, finished once: no "notRunning", "running" flash before the end.
        assert "running" in states, states
        assert states[states.index("running") :] == ["running", "notRunning"], states
        assert page.locator("h1").filter(has_text=title).is_visible()
        # Drawn through the app's frame: its navigation, not the pages folder's file names ...
        links = page.locator("[data-testid=stSidebarNav] [data-testid=stSidebarNavLink]")
        # (a link's text is its icon's name, then its title)
        titles = [text.split(maxsplit=1)[-1] for text in links.all_inner_texts()]
        assert titles == NAVIGATION
        assert page.get_by_role("link", name="Trade-off").first.is_visible()
        # ... its page config (wide layout, the app's name in the tab) ...
        view = page.locator("[data-testid=stAppViewContainer]")
        assert view.get_attribute("data-layout") == "wide"
        assert "Threshold Explorer" in page.title()
        # ... and no failure: no exception, no plain error, no "page not found".
        assert page.locator("[data-testid=stException]").count() == 0
        assert page.get_by_text("Something went wrong").count() == 0
        assert page.get_by_text("Page not found").count() == 0
        assert "Traceback" not in (ARTIFACTS / f"{SERVER_LOG}.log").read_text()
    finally:
        context.close()
