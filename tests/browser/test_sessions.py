"""A fresh server on the real MNIST: a new user trains the detector from the Train page, then
ten browser sessions on /tradeoff share that one training, each with its own threshold, in
little memory.

One server with an empty cache on the real MNIST (the memory claim is about MNIST-sized data),
one Chromium with ten contexts, i.e. ten independent Streamlit sessions (ten tabs of one
context were tried: the same test took 179 s instead of 104 s, mostly in screenshots):

1. Session 1 opens /train: nothing is trained yet. It presses "Train the 5-detector" and reads
   the notebook's figures there and on /confusion, then opens /tradeoff. When its numbers show,
   the server's RSS is read: one session open.
2. Sessions 2-10 open /tradeoff at the same time and all show numbers.
3. Each session sets its own threshold with the exact-number form; each keeps it (its link
   line, its explorer's threshold and flagged count) after all the others have set theirs.
4. The server's RSS with ten sessions open is read again: it grew by less than 100 MB.

"Trained once" is proven from inside the server: a ``sitecustomize`` module (written to a
temporary directory on the server's PYTHONPATH; nothing in the project changes) appends the
row count of every ``SGDClassifier.fit`` call to a file. One training is exactly four fits:
three cross-validation folds of 40,000 digits and the final model on all 60,000. The cache
directory also holds exactly one trained detector.

RSS is the server process's VmRSS (and any child's) from /proc, the median of a few samples
taken after the pages went idle.
"""

from __future__ import annotations

import os
import statistics
import time
from itertools import pairwise

import pytest

from harness import ARTIFACTS
from harness.browser import (
    APP_IDLE,
    TRAINING_TIMEOUT_MS,
    metric_value,
    screenshot,
    wait_for_idle,
    wait_for_images,
)
from harness.memory import tree_mb
from harness.server import app_server

pytestmark = [pytest.mark.browser, pytest.mark.mnist]

N_SESSIONS = 10
N_TRAIN = 60_000
MAX_GROWTH_MB = 100.0
PAGE_TIMEOUT_MS = 120_000
# Ten thresholds, one per session, well inside the 5-detector's score range.
THRESHOLDS = [-16_000.0 + 3_500.0 * k for k in range(N_SESSIONS)]

FIT_COUNTER = '''
"""test_sessions.py hook: log the row count of every SGDClassifier.fit in this process."""
import os

from sklearn.linear_model import SGDClassifier

_OUT = os.environ["TEST_SESSIONS_FIT_LOG"]
_fit = SGDClassifier.fit


def _counted_fit(self, X, *args, **kwargs):
    with open(_OUT, "a") as out:
        out.write(f"{X.shape[0]}\\n")
    return _fit(self, X, *args, **kwargs)


SGDClassifier.fit = _counted_fit
'''

ERRORS = "[data-testid=stException], [data-testid=stAlertContentError]"
EXPLORER = ".tx[data-tp]"


def settled_rss_mb(pid: int, *, wait_s: float = 1.5, samples: int = 7) -> float:
    time.sleep(wait_s)
    values = []
    for _ in range(samples):
        values.append(tree_mb(pid))
        time.sleep(0.1)
    return statistics.median(values)


def server_log() -> str:
    """The end of the server's log (app errors are logged there with their traceback)."""
    path = ARTIFACTS / "sessions-server.log"
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def shows_numbers(page, *, timeout_ms: int) -> None:
    page.get_by_text("The digits at the cut").wait_for(timeout=timeout_ms)
    page.wait_for_selector(EXPLORER, state="attached", timeout=timeout_ms)
    wait_for_idle(page, timeout_ms=timeout_ms)


def train_from_the_train_page_then_read_the_confusion_matrix(page, url: str) -> None:
    page.goto(f"{url}/train?digit=5")
    wait_for_idle(page)
    page.get_by_role("button", name="Train the 5-detector").click()
    # The section's heading: the notebook's line under the title names "fold by fold" too.
    page.get_by_role("heading", name="Accuracy, fold by fold").wait_for(timeout=TRAINING_TIMEOUT_MS)
    wait_for_idle(page, timeout_ms=PAGE_TIMEOUT_MS)
    assert [metric_value(page, f"Fold {k}") for k in (1, 2, 3)] == ["95.035%", "96.035%", "96.040%"]
    assert metric_value(page, "Decision score") == "2,164.22030239"
    wait_for_images(page)
    screenshot(page, "train-after-training")

    page.get_by_role("link", name="Confusion").first.click()
    page.wait_for_url("**/confusion**")
    page.get_by_role("heading", name="Precision, recall and F1").wait_for(timeout=PAGE_TIMEOUT_MS)
    wait_for_idle(page)
    assert metric_value(page, "Precision") == "83.71%"
    assert metric_value(page, "Recall") == "65.12%"
    assert page.get_by_text("**False positives**").count() == 0  # markdown rendered, not raw
    wait_for_images(page)
    screenshot(page, "confusion")


def link_threshold(page) -> float:
    """The threshold of the page's "Link to this view" line."""
    href = page.get_by_role("link", name="Link to this view").get_attribute("href")
    return float(href.split("threshold=")[1].split("&")[0])


def explorer_shows(page) -> dict:
    """The explorer's threshold and counts, as its root element carries them."""
    return page.locator(EXPLORER).first.evaluate("root => ({...root.dataset})")


def set_threshold(page, value: float) -> None:
    """Type ``value`` into the exact-number form and press Set (does not wait)."""
    field = page.get_by_label("Exact threshold")
    field.fill(f"{value:.4f}")
    page.get_by_role("button", name="Set", exact=True).click()


def wait_for_threshold(page, value: float) -> None:
    page.wait_for_function(
        """([value, idle]) => {
            const link = ([...document.querySelectorAll('a')]
                .find((a) => a.innerText.trim() === 'Link to this view') || {}).href;
            return link && parseFloat(link.split('threshold=')[1]) === value
                && document.querySelector(idle) !== null;
        }""",
        arg=[value, APP_IDLE],
        timeout=PAGE_TIMEOUT_MS,
    )


@pytest.fixture
def server(mnist_dir, tmp_path):
    """The app on MNIST with an empty cache and the fit counter; yields (process, url, dirs)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FIT_COUNTER)
    fit_log = tmp_path / "fits.txt"
    cache = tmp_path / "cache"
    env = {
        "MNIST_DATA": str(mnist_dir),
        "THRESHOLD_EXPLORER_CACHE": str(cache),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])),
        "TEST_SESSIONS_FIT_LOG": str(fit_log),
    }
    with app_server(env=env, log_name="sessions-server") as (process, url):
        yield process, url, fit_log, cache


def test_one_training_from_the_train_page_serves_ten_sessions_with_their_own_thresholds(
    browser, server
):
    process, url, fit_log, cache = server
    started = time.perf_counter()
    phases = {}  # seconds at the end of each phase, printed with the memory figures

    def phase(name: str) -> None:
        phases[name] = round(time.perf_counter() - started, 1)

    contexts = [
        browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(N_SESSIONS)
    ]
    try:
        pages = [context.new_page() for context in contexts]
        # One session, a new user: nothing is trained yet, so the Train page's button trains.
        train_from_the_train_page_then_read_the_confusion_matrix(pages[0], url)
        phase("trained from the Train page, confusion read")
        pages[0].goto(f"{url}/tradeoff?digit=5")
        shows_numbers(pages[0], timeout_ms=PAGE_TIMEOUT_MS)
        phase("one session shown")
        one_session_mb = settled_rss_mb(process.pid)

        # Nine more at the same time: navigations start together, then each is waited for.
        for page in pages[1:]:
            page.goto(f"{url}/tradeoff?digit=5", wait_until="commit")
        for page in pages[1:]:
            shows_numbers(page, timeout_ms=PAGE_TIMEOUT_MS)
        phase("ten sessions shown")

        # Each its own threshold: all forms submitted first, then each waited for.
        for page, threshold in zip(pages, THRESHOLDS, strict=True):
            set_threshold(page, threshold)
        for page, threshold in zip(pages, THRESHOLDS, strict=True):
            wait_for_threshold(page, threshold)
        phase("ten thresholds set")
        ten_sessions_mb = settled_rss_mb(process.pid)

        # Every session still shows its own threshold now that all have moved theirs.
        shown = [link_threshold(page) for page in pages]
        assert shown == THRESHOLDS
        explorers = [explorer_shows(page) for page in pages]
        assert [float(e["threshold"]) for e in explorers] == THRESHOLDS
        # A higher threshold flags fewer digits: each session's count follows its own threshold.
        flagged = [int(e["tp"]) + int(e["fp"]) for e in explorers]
        assert all(a > b for a, b in pairwise(flagged)), flagged

        for k, page in enumerate(pages, 1):
            errors = page.locator(ERRORS).all_inner_texts()
            if errors or page.get_by_text("Training failed").count():
                screenshot(page, f"sessions-{k}-of-{N_SESSIONS}-error")
            assert errors == [], f"session {k} shows {errors}; server log:\n{server_log()}"
            assert page.get_by_text("Training failed").count() == 0, f"session {k}"
        for k in (1, N_SESSIONS):
            wait_for_images(pages[k - 1])
            screenshot(pages[k - 1], f"sessions-{k}-of-{N_SESSIONS}")
        phase("checked, screenshots taken")
    finally:
        for context in contexts:
            context.close()

    # Trained once: four fits in the server (three folds and the final model), one cache file.
    fits = sorted(int(line) for line in fit_log.read_text().split())
    assert fits == [N_TRAIN * 2 // 3] * 3 + [N_TRAIN], fits
    assert len(list(cache.glob("detector-digit5-*.pkl"))) == 1

    growth = ten_sessions_mb - one_session_mb
    print(
        f"server RSS: one session {one_session_mb:.0f} MB, ten sessions {ten_sessions_mb:.0f} MB"
        f" (+{growth:.1f} MB); seconds since the server answered: {phases}"
    )
    assert growth < MAX_GROWTH_MB, (one_session_mb, ten_sessions_mb)
