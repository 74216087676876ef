"""End-to-end tests in Debian's Chromium, driven by Playwright, against `streamlit run app.py`."""

from __future__ import annotations

import pytest

from tests.support import screenshot, wait_for_idle, wait_for_images

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


def metric_value(page, label: str) -> str:
    metric = (
        page.locator("[data-testid=stMetric]")
        .filter(has=page.locator("[data-testid=stMetricLabel]", has_text=label))
        .first
    )
    return metric.locator("[data-testid=stMetricValue]").inner_text().strip()


@pytest.fixture
def fresh_app_url(mnist_dir, tmp_path):
    """A server of its own with an empty cache, so the detector really trains here."""
    from tests.support import app_server

    env = {"MNIST_DATA": str(mnist_dir), "THRESHOLD_EXPLORER_CACHE": str(tmp_path / "cache")}
    with app_server(env=env, log_name="fresh-app-server") as (_, url):
        yield url


def test_train_from_the_train_page_then_read_the_confusion_matrix(page, fresh_app_url):
    page.goto(f"{fresh_app_url}/train?digit=5")
    wait_for_idle(page)
    page.get_by_role("button", name="Train the 5-detector").click()
    page.get_by_text("fold by fold").wait_for(timeout=180_000)  # substring, any case
    wait_for_idle(page, timeout_ms=180_000)
    assert [metric_value(page, f"Fold {k}") for k in (1, 2, 3)] == ["95.035%", "96.035%", "96.040%"]
    assert metric_value(page, "Decision score") == "2,164.22030239"
    wait_for_images(page)
    screenshot(page, "train-after-training")

    page.get_by_role("link", name="Confusion").first.click()
    page.wait_for_url("**/confusion**")
    page.get_by_text("Precision, recall and F1").wait_for(timeout=60_000)
    wait_for_idle(page)
    assert metric_value(page, "Precision") == "83.71%"
    assert metric_value(page, "Recall") == "65.12%"
    assert page.get_by_text("**False positives**").count() == 0  # markdown rendered, not raw
    wait_for_images(page)
    screenshot(page, "confusion")


def open_tradeoff(page, app_url: str, *, threshold: str) -> None:
    """Open the 5-detector's trade-off page at a threshold (training it first if need be)."""
    page.goto(f"{app_url}/tradeoff?digit=5&threshold={threshold}")
    page.get_by_text("The digits at the cut").wait_for(timeout=180_000)
    wait_for_idle(page, timeout_ms=180_000)


def test_tradeoff_link_then_keyboard_moves_the_threshold(page, app_url):
    open_tradeoff(page, app_url, threshold="3370.0194991439557")
    page.locator("[data-testid=stMetric]").first.wait_for()
    assert metric_value(page, "Precision") == "90.0%"
    assert metric_value(page, "Recall") == "48.0%"
    flagged_before = metric_value(page, "Flagged")
    wait_for_images(page)
    screenshot(page, "tradeoff-notebook-threshold")

    thumb = page.get_by_role("slider").first
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # Settle: the numbers and the exact link both show a threshold five steps up.
    page.wait_for_function(
        """() => {
            const link = [...document.querySelectorAll('code')].map(c => c.innerText)
                .find(t => t.includes('threshold='));
            const recall = [...document.querySelectorAll('[data-testid=stMetric]')]
                .find(m => m.innerText.startsWith('Recall'));
            return link && parseFloat(link.split('threshold=')[1]) > 3800
                && recall && !recall.innerText.includes('48.0%');
        }""",
        timeout=30_000,
    )
    wait_for_idle(page)
    assert metric_value(page, "Flagged") != flagged_before
    thumb_value = page.locator("[data-testid=stSliderThumbValue]").first.inner_text()
    assert float(thumb_value.replace(",", "")) > 3800
    # Streamlit 1.67 puts a fragment run's URL change in the address bar only at the next
    # interaction: after one more, the address bar holds a threshold past the start too.
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => !location.search.includes('3370.0194991439557')", timeout=30_000)
    wait_for_images(page)
    screenshot(page, "tradeoff-after-keyboard")


def test_clicking_a_point_of_the_precision_recall_curve_moves_the_threshold(page, app_url):
    open_tradeoff(page, app_url, threshold="0")
    plot = page.locator(".js-plotly-plot").nth(1)  # the precision-recall curve
    plot.scroll_into_view_if_needed()
    # Where the drawn curve passes recall 0.8, in page pixels.
    x, y = plot.evaluate(
        """gd => {
            const t = gd._fullData[0], L = gd._fullLayout, r = gd.getBoundingClientRect();
            let best = 0;
            t.x.forEach((v, k) => { if (Math.abs(v - 0.8) < Math.abs(t.x[best] - 0.8)) best = k; });
            return [r.left + L._size.l + L.xaxis.l2p(t.x[best]),
                    r.top + L._size.t + L.yaxis.l2p(t.y[best])];
        }"""
    )
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.get_by_text("Picked on the curve").wait_for(timeout=30_000)
    wait_for_idle(page)
    link = page.get_by_text("Link to this view").inner_text()
    picked = float(link.split("threshold=")[1].strip("` "))
    assert picked != 0.0
    recall = float(metric_value(page, "Recall").rstrip("%"))
    assert 75 <= recall <= 85  # the point clicked, near recall 0.8
    screenshot(page, "tradeoff-after-click")


def test_upload_a_digit_and_download_the_tuned_detector(
    page, app_url, mnist_dir, shared_cache_dir, tmp_path
):
    import io
    import json
    import subprocess
    import sys

    import numpy as np
    from PIL import Image

    from core.data import load_idx_dataset
    from core.detector import train_detector
    from core.export import load_model

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
    line.wait_for(timeout=60_000)
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

    # The command line scores the same picture as the page did, with the downloaded file.
    done = subprocess.run(
        [sys.executable, "-m", "core", "predict", "--json", "--model", str(saved), str(picture)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [scored] = json.loads(done.stdout)["images"]
    assert scored["is_digit"] is True and scored["answer"] == "is a 5"
    assert scored["score"] == pytest.approx(shown_score, abs=0.01)  # the page shows 2 decimals
