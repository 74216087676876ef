"""Accessibility in Chromium: axe-core finds nothing critical or serious on any page, the
explorer included; and a visit of every page asks nothing of any server but the app's."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from harness.browser import TRAINING_TIMEOUT_MS, wait_for_idle, wait_for_images

pytestmark = pytest.mark.browser

# Each page as a link, and a text that is there once its content is (the detector trained).
# The trade-off page comes first: it trains the 5-detector if no earlier test did.
PAGES = {
    "tradeoff": ("/tradeoff?digit=5&threshold=3370.0194991439557", "The digits at the cut"),
    "home": ("/", "The way through"),
    "digits": ("/digits?index=0", "Gallery"),
    "train": ("/train?digit=5", "Accuracy, fold by fold"),
    "confusion": ("/confusion?digit=5", "What the errors look like"),
    "compare": ("/compare?digit=5", "At the same operating point"),
    "scores": ("/scores", "Up to 10 MB"),
    # Trains only when asked, and the cold training on the real MNIST is longer than the suite:
    # here the offer is checked; the trained page, on the small digits below.
    "multiclass": ("/multiclass?view=errors&cell=3-5&digit=5", "Train the ten-class models"),
}
EXPLORER_HOST = "[data-testid=stBidiComponentIsolated]"
FAILING_IMPACTS = ("critical", "serious")
# Violations inside Streamlit's own markup that its public API cannot change, by rule and a
# CSS selector of the element, each with the upstream issue. None is needed today.
STREAMLIT_OWN: tuple[tuple[str, str, str], ...] = ()

# axe on the whole document: it walks open shadow roots, so the explorer (a components-v2
# shadow root) is checked with the rest. What comes back: each violation with the elements
# it concerns, and how many elements inside the explorer axe checked at all.
RUN_AXE = """async (exclude) => {
  const results = await axe.run(document);
  const excluded = (id, node) => exclude.some(([rule, selector]) => rule === id
      && node.target.some(t => [].concat(t).some(s => s.includes(selector))));
  const insideExplorer = (node) => node.target.some(t => Array.isArray(t) && t.length > 1);
  return {
    violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.filter(n => !excluded(v.id, n))
        .map(n => ({target: JSON.stringify(n.target), html: n.html.slice(0, 160),
                    why: n.failureSummary.split("\\n").slice(1, 2).join("").trim()})),
    })).filter(v => v.nodes.length),
    explorerChecked: results.passes.concat(results.violations, results.incomplete)
      .flatMap(v => v.nodes).filter(insideExplorer).length,
  };
}"""


def _full_height(page) -> None:
    """Grow the window to the whole page: Streamlit scrolls inside its main section, and axe
    judges the contrast of text only where it is on screen."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": 1366, "height": min(int(height), 8000)})
    page.wait_for_timeout(300)


@pytest.fixture(scope="module")
def visits(browser, app_url, axe_script):
    """Every page visited once, in one tab: axe's findings on each, and every request made."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda socket: requests.append(socket.url))
    findings = {}
    for name, (link, marker) in PAGES.items():
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{app_url}{link}")
        content = page.get_by_text(marker).first
        content.wait_for(timeout=TRAINING_TIMEOUT_MS)  # may train the detector
        wait_for_idle(page, timeout_ms=120_000)
        if name == "tradeoff":
            page.wait_for_selector(".tx[data-tp]", state="attached", timeout=60_000)
        closed = page.locator("[data-testid=stExpander] details:not([open]) > summary")
        for _ in range(closed.count()):
            closed.first.click()  # what is folded away is checked too
        wait_for_images(page)
        _full_height(page)
        page.add_script_tag(path=str(axe_script))
        findings[name] = page.evaluate(RUN_AXE, [list(rule) for rule in STREAMLIT_OWN])
    context.close()
    return findings, requests


def _failing_report(findings) -> tuple[list, str]:
    failing = [v for v in findings["violations"] if v["impact"] in FAILING_IMPACTS]
    report = "\n".join(
        f"{v['impact']} {v['id']} ({v['help']}), {len(v['nodes'])} elements:\n"
        + "\n".join(f"    {n['target']} {n['html']} -- {n['why']}" for n in v["nodes"][:5])
        for v in failing
    )
    return failing, report


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_critical_or_serious_violation(visits, name):
    failing, report = _failing_report(visits[0][name])
    assert not failing, f"axe on {PAGES[name][0]}:\n{report}"


@pytest.fixture(scope="module")
def trained_multiclass_url(tmp_path_factory):
    """The app on the small digits, its cache holding the ten-class models (trained here)."""
    from core.data import load_fallback_dataset
    from core.multiclass import train_multiclass
    from harness.server import start_app, stop_app

    cache = tmp_path_factory.mktemp("multiclass-cache")
    train_multiclass(load_fallback_dataset(), cache_dir=cache)
    env = {
        "THRESHOLD_EXPLORER_OFFLINE": "1",
        "MNIST_DATA": "",
        "THRESHOLD_EXPLORER_CACHE": str(cache),
    }
    process, url = start_app(env=env, log_name="multiclass-axe-server")
    try:
        yield url
    finally:
        stop_app(process)


def test_axe_on_the_trained_all_digits_page(browser, trained_multiclass_url, axe_script):
    """The trained /multiclass (heatmaps, a cell's digits, the explorer), on the small digits."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{trained_multiclass_url}/multiclass?view=errors&cell=3-5&digit=5")
    page.get_by_text("Precision, recall and F1 of each digit").first.wait_for(timeout=300_000)
    wait_for_idle(page, timeout_ms=120_000)
    page.wait_for_selector(".tx[data-tp]", state="attached", timeout=60_000)
    wait_for_images(page)
    _full_height(page)
    page.add_script_tag(path=str(axe_script))
    findings = page.evaluate(RUN_AXE, [list(rule) for rule in STREAMLIT_OWN])
    context.close()
    failing, report = _failing_report(findings)
    assert not failing, f"axe on the trained /multiclass:\n{report}"
    assert findings["explorerChecked"] >= 50


def test_axe_looked_inside_the_explorer(visits):
    """The explorer lives in a shadow root: axe must have checked its elements, or a pass on
    the trade-off page would say nothing about it."""
    assert visits[0]["tradeoff"]["explorerChecked"] >= 50


def test_a_visit_of_every_page_asks_only_the_app(visits, app_url):
    """No font, icon or script comes from anywhere else: offline the pages are whole, and
    online no third party learns who uses the app."""
    requests = visits[1]
    app_host = urlsplit(app_url).hostname
    assert len(requests) > 20  # the visits were recorded
    outside = sorted(
        {
            url
            for url in requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != app_host
        }
    )
    assert not outside, f"requests that left the machine: {outside}"
