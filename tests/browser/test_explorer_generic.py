"""The live explorer on any classifier's scores, in Chromium: a generated scored set with
groups and neither folds nor test rows (tests/browser/explorer_scored_app.py). Nothing on it
speaks of digits or folds, the group table is exact at every step of a drag and a key, and
axe finds nothing serious in it."""

from __future__ import annotations

import re

import pytest

from harness.browser import screenshot, wait_for_idle
from harness.server import app_server
from tests.browser.explorer_scored_app import GROUP_NAMES, START_THRESHOLD, generated_scored_set
from tests.browser.test_accessibility import FAILING_IMPACTS, RUN_AXE

pytestmark = pytest.mark.browser

EXPLORER = ".tx[data-tp]"
READ_GROUPS = """root => [...root.querySelectorAll('.tx-group-table tbody tr')].map(row => ({
  name: row.querySelector('th').textContent,
  rows: row.querySelector('td').textContent,
  rates: ['precision', 'recall', 'falsePositiveRate'].map(name => [
    row.querySelector(`.tx-group-${name} .tx-group-rate`).textContent,
    row.querySelector(`.tx-group-${name} .tx-ci`).textContent,
  ]),
}))"""


@pytest.fixture(scope="module")
def scored_url():
    with app_server(
        script="tests/browser/explorer_scored_app.py", env={}, log_name="explorer-scored"
    ) as (_, url):
        yield url


@pytest.fixture(scope="module")
def groups():
    from core.groups import group_indexes

    return group_indexes(generated_scored_set())


def percent_of(text: str) -> float | None:
    return None if text == "—" else float(text.rstrip("%").replace(",", ""))


def assert_groups_exact(groups, threshold: float, table: list[dict]) -> None:
    """Each group's shown rates and intervals are core's at ``threshold``, to their decimals."""
    import math

    from core.counting import metrics_at
    from core.estimates import intervals_at

    assert [row["name"] for row in table] == [name for name, _ in groups]
    for (name, index), row in zip(groups, table, strict=True):
        assert int(row["rows"].replace(",", "")) == index.n_samples
        m = metrics_at(index, threshold=threshold)
        ci = intervals_at(index, threshold=threshold)
        for (shown, interval), value, pair in zip(
            row["rates"],
            (m.precision, m.recall, m.false_positive_rate),
            (ci.precision, ci.recall, ci.false_positive_rate),
            strict=True,
        ):
            if math.isnan(value):
                assert shown == "—" and interval == "", (name, threshold, row)
                continue
            assert abs(percent_of(shown) - value * 100) <= 0.05 + 1e-9, (name, threshold, row)
            low, high = (float(v) for v in re.findall(r"[\d.]+", interval))
            decimals = 2 if pair[1] < 0.05 else 1
            for got, want in ((low, pair[0]), (high, pair[1])):
                assert abs(got - want * 100) <= 0.5 * 10**-decimals + 1e-9, (name, row)


def read(page) -> tuple[float, list[dict]]:
    root = page.locator(EXPLORER).first
    return float(root.get_attribute("data-threshold")), root.evaluate(READ_GROUPS)


def test_a_scored_set_without_folds_or_test_shows_live_exact_group_figures(
    browser, scored_url, groups
):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(scored_url)
    page.wait_for_selector(EXPLORER, state="attached", timeout=60_000)
    wait_for_idle(page)
    root = page.locator(EXPLORER).first
    assert float(root.get_attribute("data-threshold")) == START_THRESHOLD
    # No folds, no test rows: neither panel, no faint fold curves, no word of digits or folds.
    assert root.locator(".tx-folds, .tx-test, .tx-fold:not(.tx-fold-table)").count() == 0
    text = root.evaluate("r => r.textContent")
    assert not re.search(r"digit|fold|cross-validated", text, re.IGNORECASE), text
    assert "Scores of 5,000 rows, as the file gives them." in text
    assert root.locator(".tx-slider").get_attribute("aria-label") == (
        "Decision threshold of the classifier"
    )
    assert root.locator(".tx-counts tbody th").all_text_contents() == [
        "rows labelled fraud",
        "other rows",
        "all",
    ]
    threshold, table = read(page)
    assert [row["name"] for row in table] == list(GROUP_NAMES)
    assert_groups_exact(groups, threshold, table)

    # Keys: every press moves to the next score, and the table follows at once.
    root.locator(".tx-slider").focus()
    seen = [threshold]
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        threshold, table = read(page)
        assert threshold > seen[-1]
        assert_groups_exact(groups, threshold, table)
        seen.append(threshold)
    page.wait_for_function(
        "(t) => document.body.innerText.includes('Released: ' + t)",
        arg=repr(seen[-1]),
        timeout=30_000,
    )

    # A drag: every step's table is the new threshold's, before any release.
    box = page.locator(".tx-slider").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    thresholds = set()
    for i in range(1, 16):
        page.mouse.move(box["x"] + box["width"] * (0.3 + i * 0.03), y)
        threshold, table = read(page)
        assert_groups_exact(groups, threshold, table)
        thresholds.add(threshold)
    page.mouse.up()
    assert len(thresholds) >= 10  # it moved with the pointer
    wait_for_idle(page)
    screenshot(page, "explorer-scored-set")
    context.close()


def test_axe_finds_nothing_serious_in_the_group_table(browser, scored_url, axe_script):
    context = browser.new_context(viewport={"width": 1366, "height": 1100})
    page = context.new_page()
    page.goto(scored_url)
    page.wait_for_selector(EXPLORER, state="attached", timeout=60_000)
    wait_for_idle(page)
    page.add_script_tag(path=str(axe_script))
    findings = page.evaluate(RUN_AXE, [])
    context.close()
    failing = [v for v in findings["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not failing, failing
    assert findings["explorerChecked"] >= 50  # axe looked inside the explorer's shadow root
