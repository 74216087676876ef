"""End-to-end tests in Debian's Chromium, driven by Playwright, against `streamlit run app.py`."""

from __future__ import annotations

import pytest

from tests.conftest import screenshot, wait_for_idle, wait_for_images

pytestmark = pytest.mark.browser


def test_digits_page_shows_digit_0_large_with_its_label_5(page, app_url):
    page.goto(f"{app_url}/digits?index=0")
    wait_for_idle(page)
    page.get_by_text("Gallery").wait_for()
    label = page.locator("[data-testid=stMetric]").filter(has_text="Label")
    assert label.locator("[data-testid=stMetricValue]").inner_text().strip() == "5"
    big = page.locator("[data-testid=stImage] img").first
    big.wait_for()
    assert big.evaluate("img => img.complete && img.naturalWidth") >= 280  # drawn large
    assert page.get_by_text("#0 · label 5").first.is_visible()
    wait_for_images(page)
    screenshot(page, "digits-index-0")
