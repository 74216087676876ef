"""Four browser sessions upload a 40,000,000 x 1 picture to one server at once: each gets one
plain line, and the server's memory grows by under 150 MB.

The picture is built on the fly (a 4.9 KB 1-bit PNG that would decode to 40 MB; what Pillow
alone costs on it is in ``bench/bench_hostile.py``). The server runs on the small fallback set
(the upload path is the same; its detector trains in a second), with a fresh cache. Its RSS
(the process and any child, from /proc) is sampled every 50 ms from before the uploads until
every session shows its message; the growth is the highest sample over the median before.
"""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from harness.browser import screenshot, wait_for_idle
from harness.hostile_files import wide_bilevel_png
from harness.memory import tree_mb
from harness.server import app_server

pytestmark = pytest.mark.browser

N_SESSIONS = 4
MAX_GROWTH_MB = 150.0
ERRORS = "[data-testid=stException], [data-testid=stAlertContentError]"


def test_four_sessions_upload_the_40_megapixel_strip_at_once(browser, tmp_path):
    picture = {"name": "strip.png", "mimeType": "image/png", "buffer": wide_bilevel_png()}
    env = {
        "MNIST_DATA": "",
        "THRESHOLD_EXPLORER_OFFLINE": "1",
        "THRESHOLD_EXPLORER_CACHE": str(tmp_path / "cache"),
    }
    with app_server(env=env, log_name="hostile-uploads-server") as (process, url):
        contexts = [
            browser.new_context(viewport={"width": 1366, "height": 768}) for _ in range(N_SESSIONS)
        ]
        try:
            pages = [context.new_page() for context in contexts]
            for page in pages:
                page.goto(f"{url}/tradeoff?digit=5")
            inputs = []
            for page in pages:
                dropzone = page.locator("[data-testid=stFileUploaderDropzoneInput]")
                dropzone.wait_for(state="attached", timeout=120_000)
                wait_for_idle(page, timeout_ms=120_000)
                inputs.append(dropzone)
            before = []
            for _ in range(10):
                before.append(tree_mb(process.pid))
                time.sleep(0.1)

            samples: list[float] = []
            sampling = threading.Event()

            def sample() -> None:
                while not sampling.is_set():
                    samples.append(tree_mb(process.pid))
                    time.sleep(0.05)

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                for dropzone in inputs:  # one after another at once: the calls do not wait
                    dropzone.set_input_files(picture)
                for page in pages:
                    message = page.get_by_text("40000000x1 pixels")
                    message.first.wait_for(timeout=60_000)
                    wait_for_idle(page)
            finally:
                sampling.set()
                sampler.join()
            for page in pages:
                assert page.locator(ERRORS).count() == 0
                alert = page.locator("[data-testid=stAlert]").filter(has_text="strip.png")
                text = alert.first.inner_text()
                assert "at most 16,800,000 pixels allowed" in text, text
                assert "Traceback" not in page.content()
            alert.first.scroll_into_view_if_needed()
            screenshot(pages[-1], "hostile-upload-strip")
        finally:
            for context in contexts:
                context.close()
    growth = max(samples) - statistics.median(before)
    print(f"server RSS before {statistics.median(before):.0f} MB, growth {growth:.1f} MB")
    assert len(samples) >= 5, "the uploads ended before RSS could be sampled"
    assert growth < MAX_GROWTH_MB, f"the server grew by {growth:.0f} MB"
