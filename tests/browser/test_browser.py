"""End-to-end tests in Debian's Chromium, driven by Playwright, against `streamlit run app.py`."""

from __future__ import annotations

import pytest

from harness.browser import TRAINING_TIMEOUT_MS, screenshot, wait_for_idle, wait_for_images
from harness.commands import run_python

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


def test_a_gallery_thumbnail_opens_its_digit_large(page, app_url):
    page.goto(f"{app_url}/digits?label=3&split=test")
    wait_for_idle(page)
    thumbnails = page.locator(".digit-gallery figure")
    thumbnails.first.wait_for()
    assert thumbnails.count() == 40
    chosen = thumbnails.nth(6)
    index = int(chosen.get_attribute("data-index"))
    image = chosen.locator("img")
    assert image.get_attribute("alt") == f"handwritten 3, #{index}"
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0  # drawn, not blocked
    # Label and index on lines of their own, not one run-on line of the row.
    assert chosen.locator("figcaption").inner_text().splitlines() == [f"#{index}", "label 3"]
    # By the keyboard: the thumbnail is a link; Enter on it opens the digit large.
    chosen.locator("a").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/digits?index={index}&label=3&split=test&page=1")
    wait_for_idle(page)
    page.get_by_text(f"#{index} · label 3").first.wait_for()
    label = page.locator("[data-testid=stMetric]").filter(has_text="Label")
    assert label.locator("[data-testid=stMetricValue]").inner_text().strip() == "3"
    big = page.locator("[data-testid=stImage] img").first
    assert big.evaluate("img => img.complete && img.naturalWidth") >= 280
    # And by the mouse, from the gallery's second page of all digits.
    page.goto(f"{app_url}/digits?page=2")
    wait_for_idle(page)
    thumbnail = page.locator(".digit-gallery figure").nth(3)
    index = int(thumbnail.get_attribute("data-index"))
    assert index == 43  # the second page of all digits starts at #40
    thumbnail.locator("img").click()
    page.wait_for_url(f"**/digits?index={index}&label=all&split=all&page=2")
    page.get_by_text(f"#{index} · label ").first.wait_for()
    wait_for_idle(page)
    assert page.get_by_role("spinbutton", name="Digit index").input_value() == str(index)


def open_tradeoff(page, app_url: str, *, threshold: str) -> None:
    """Open the 5-detector's trade-off page at a threshold (training it first if need be)."""
    page.goto(f"{app_url}/tradeoff?digit=5&threshold={threshold}")
    page.get_by_text("The digits at the cut").wait_for(timeout=TRAINING_TIMEOUT_MS)
    wait_for_idle(page, timeout_ms=TRAINING_TIMEOUT_MS)


def test_tradeoff_link_shows_the_notebooks_numbers_in_the_explorer(page, app_url):
    """The drag, keys and clicks of the explorer: tests/browser/test_explorer.py."""
    open_tradeoff(page, app_url, threshold="3370.0194991439557")
    explorer = page.locator(".tx[data-tp]").first
    assert explorer.get_attribute("data-threshold") == "3370.0194991439557"
    text = explorer.inner_text()
    assert "90.0%" in text and "48.0%" in text  # the notebook's precision and recall
    wait_for_images(page)
    screenshot(page, "tradeoff-notebook-threshold")


def test_upload_a_digit_and_download_the_tuned_detector(
    page, app_url, mnist_dir, shared_cache_dir, tmp_path
):
    import io
    import json

    import numpy as np
    from PIL import Image

    from core.detector import train_detector
    from core.export import load_model
    from core.idx import load_idx_dataset

    threshold = "3370.0194991439557"
    open_tradeoff(page, app_url, threshold=threshold)  # the server has the detector now
    dataset = load_idx_dataset(mnist_dir)
    result = train_detector(dataset, digit=5, cache_dir=shared_cache_dir)  # from its cache
    # A test 5 the detector finds with a wide margin, so its photo-like picture is a 5 too.
    five = dataset.n_train + int(np.argmax(np.where(result.y_test, result.test_scores, -np.inf)))
    # The test digit as a photo would show it: dark ink on white paper, enlarged, off centre.
    ink = Image.fromarray(255 - dataset.images[five].reshape(28, 28)).resize((224, 224))
    paper = Image.new("L", (400, 320), 255)
    paper.paste(ink, (40, 60))
    picture = tmp_path / "my-five.png"
    buffer = io.BytesIO()
    paper.save(buffer, format="PNG")
    picture.write_bytes(buffer.getvalue())

    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(picture))
    line = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="Your digit").first
    line.wait_for(timeout=TRAINING_TIMEOUT_MS)  # a rerun of the whole page, as open_tradeoff allows
    wait_for_idle(page)
    text = line.inner_text()
    assert "my-five.png" in text and "not flagged" not in text and "flagged as a 5" in text, text
    shown_score = float(text.split("score ")[1].split(", ")[0].replace(",", ""))
    wait_for_images(page)
    page.get_by_text("What the detector sees").scroll_into_view_if_needed()
    screenshot(page, "tradeoff-own-digit")

    with page.expect_download(timeout=60_000) as event:
        page.get_by_role("button", name="Download this detector").click()
    download = event.value
    assert download.suggested_filename == "detector-digit5-threshold3370.02.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    model = load_model(saved)
    assert model.digit == 5 and model.threshold == float(threshold)
    assert model.card["cross_validated"]["precision"] == pytest.approx(0.9000345901072293)
    estimates = model.card["estimates"]  # what the page assumed: the training share, costs 1 and 5
    assert "prevalence" not in estimates and estimates["false_negative_cost"] == 5.0
    assert estimates["precision_ci"][0] < 0.9000345901072293 < estimates["precision_ci"][1]

    # The command line scores the same picture as the page did, with the downloaded file.
    done = run_python(
        ["-m", "core", "predict", "--json", "--model", str(saved), str(picture)], timeout=120
    )
    assert done.returncode == 0, done.stderr
    [scored] = json.loads(done.stdout)["images"]
    assert scored["is_digit"] is True and scored["answer"] == "is a 5"
    assert scored["score"] == pytest.approx(shown_score, abs=0.01)  # the page shows 2 decimals
