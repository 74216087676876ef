"""AppTest on the small fallback set: hostile uploads on /tradeoff get one plain line each, and
/train says when it waits for another process's training, then shows that result.

Each crafted file is built on the fly (``harness/hostile_files.py``).
"""

from __future__ import annotations

import threading

import pytest

from core import cache
from core.data import load_fallback_dataset
from core.detector import train_detector
from harness import ROOT
from harness.hostile_files import many_scan_jpeg, wide_bilevel_png
from tests.support import explorer_mounts, open_page, until_trained

pytestmark = pytest.mark.usefixtures("fallback_app")


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        (
            "strip.png",
            wide_bilevel_png(40_000_000),
            "strip.png: the image is 40000000x1 pixels; at most 16,800,000 pixels allowed",
        ),
        (
            "scans.jpg",
            many_scan_jpeg(20_000),
            "scans.jpg: the JPEG has more than 100 scans; a photo has about 10 (re-save it as an "
            "ordinary JPEG or a PNG)",
        ),
    ],
    ids=["40-megapixel-strip", "20000-scans"],
)
def test_a_hostile_upload_gets_one_plain_line(name, data, line):
    app = open_page("pages/tradeoff.py")
    mime = "image/png" if name.endswith(".png") else "image/jpeg"
    app.file_uploader(key="own_digit_file").set_value((name, data, mime)).run()
    assert not app.exception
    assert [w.value for w in app.warning if name in w.value] == [line]
    assert not any(m.value.startswith("**Your digit**") for m in app.markdown)


def test_train_waits_for_another_process_and_shows_its_result(cache_dir):
    digits = load_fallback_dataset()
    trained = train_detector(digits, digit=5)  # what "the other process" will write
    [cache_file] = cache_dir.glob("detector-digit5-*.pkl")
    [lock_file] = cache_dir.glob("detector-digit5-*.lock")
    written = cache_file.read_bytes()
    cache_file.unlink()

    app = open_page("pages/train.py")
    with cache.file_lock(lock_file):  # another process is training the 5-detector
        lands = threading.Timer(1.5, cache_file.write_bytes, args=(written,))
        lands.start()  # ... and its cache file lands while it still holds the lock
        app.button[0].click().run()
        until_trained(app)
        lands.join()
    assert not app.exception
    [status] = app.get("status")
    assert status.label.startswith(
        "5-detector ready (trained by another process on this machine; waited "
    ), status.label
    assert status.children[0].value == "Read from the cache file the other process wrote."
    accuracies = [m.value for m in app.metric][: len(trained.fold_accuracy)]
    assert accuracies == [f"{a:.3%}" for a in trained.fold_accuracy]


def test_the_lines_a_waiting_session_reads():
    from core.engine import TrainingProgress
    from core.jobs import QUEUED, TRAINING, WAITING, JobStatus
    from ui.detector import describe_status

    # Third of the waiting ones, behind a running training: three trainings ahead of it.
    queued = JobStatus(QUEUED, 3, 3, 80.0, 121.4, 12.3, None)
    assert describe_status(queued) == (
        "Waiting: 3 trainings ahead of this one; it starts in about 1 min 20 s and is ready in "
        "about 2 min. This server trains one model at a time, first come first served (waited "
        "12 s so far)."
    )
    unknown = JobStatus(QUEUED, 1, 1, None, None, 0.4, None)
    assert describe_status(unknown).startswith(
        "Waiting: 1 training ahead of this one (an estimate comes once this server has timed "
        "a training). "
    )
    # Between two trainings nothing runs yet: none ahead.
    next_one = JobStatus(QUEUED, 1, 0, 0.0, 30.0, 2.0, None)
    assert describe_status(next_one).startswith(
        "Waiting: this training is next; it starts in about 1 s and is ready in about 30 s."
    )
    waiting = JobStatus(WAITING, 0, 0, None, None, 42.0, None)
    assert describe_status(waiting) == (
        "Another process on this machine is training this model: waiting for its result (42 s "
        "so far). It shows here moments after that process saves it."
    )
    progress = TrainingProgress("sgd", 1, 3, 10.0, False)
    training = JobStatus(TRAINING, 0, 0, None, 14.6, 10.0, progress)
    assert describe_status(training) == (
        "Cross-validation folds done: 1 of 3; final model: running; elapsed 10.0 s; about 15 s left"
    )


def test_a_card_reads_the_brief_line():
    from core.jobs import QUEUED, WAITING, JobStatus
    from ui.detector import describe_status

    queued = JobStatus(QUEUED, 3, 3, 20.0, 50.0, 7.2, None)
    assert describe_status(queued, brief=True) == (
        "Waiting: 3 trainings ahead of this one; it starts in about 20 s (waited 7 s)."
    )
    unknown = JobStatus(QUEUED, 1, 1, None, None, 3.0, None)
    assert describe_status(unknown, brief=True) == (
        "Waiting: 1 training ahead of this one (waited 3 s)."
    )
    waiting = JobStatus(WAITING, 0, 0, None, None, 9.0, None)
    assert describe_status(waiting, brief=True) == (
        "Another process trains it: waiting for its result (9 s)."
    )


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0.2, "about 1 s"),
        (42.4, "about 42 s"),
        (59.4, "about 59 s"),
        (59.6, "about 1 min"),
        (80.0, "about 1 min 20 s"),
        (124.0, "about 2 min"),
        (594.0, "about 9 min 50 s"),
        (600.0, "about 10 min"),
        (1500.0, "about 25 min"),
    ],
)
def test_an_estimate_reads_as_minutes_and_seconds(seconds, said):
    from ui.detector import about

    assert about(seconds) == said


def _page_now(script: str, query: dict[str, str]):
    """One run of a page, not waiting for any training it starts (unlike ``open_page``)."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for name, value in query.items():
        app.query_params[name] = value
    app.switch_page(script)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _line(app) -> str:
    [status] = app.get("status")
    assert status.state == "running", status.label
    return " ".join(m.value for m in status.markdown)


def _waiting_line(app, digit: int) -> str:
    """A waiting training's line: in a still box under its heading, no status (no spinner)."""
    assert not app.get("status")
    texts = [m.value for m in app.markdown]
    return texts[texts.index(f"**Waiting to train the {digit}-detector**") + 1]


def test_a_page_waiting_for_a_training_is_not_blocked_and_shows_it_once_done(monkeypatch):
    from sklearn.linear_model import SGDClassifier

    opened = threading.Event()
    fit = SGDClassifier.fit

    def held_fit(self, *args, **kwargs):
        assert opened.wait(60), "the test never let the fits go"
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(SGDClassifier, "fit", held_fit)
    try:
        # Each run returns while the fits are held: the page draws its line and stops there.
        five = _page_now("pages/tradeoff.py", {"digit": "5"})
        assert five.get("status")[0].label == "Training the 5-detector…"
        assert _line(five).startswith(("Starting…", "Cross-validation folds done: 0 of 3"))
        assert five.selectbox(key="tradeoff_digit").value == 5  # the rest of the page is there
        with pytest.raises(AssertionError, match="not mounted"):
            explorer_mounts(five)
        three = _page_now("pages/tradeoff.py", {"digit": "3"})
        waiting = _waiting_line(three, 3)
        assert waiting.startswith("Waiting: 1 training ahead of this one"), waiting
        # /train, opened while another session's training runs, shows it (no Train button).
        train = _page_now("pages/train.py", {"digit": "5"})
        assert _line(train).startswith(("Starting…", "Cross-validation folds done: 0 of 3"))
        assert not [b for b in train.button if b.label.startswith("Train the")]
    finally:
        opened.set()
    for app, digit in ((five, 5), (three, 3)):
        until_trained(app)
        [status] = app.get("status")
        assert status.state == "complete"
        assert status.label.startswith(f"{digit}-detector ready (trained in "), status.label
        explorer_mounts(app)
    until_trained(train)
    assert "Fold 1" in [m.label for m in train.metric]
