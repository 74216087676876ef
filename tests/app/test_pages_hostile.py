"""AppTest on the small fallback set: hostile uploads on /tradeoff get one plain line each, and
/train says when it waits for another process's training, then shows that result.

Each crafted file is built on the fly (``tests/support.py``).
"""

from __future__ import annotations

import threading

import pytest

from core import cache
from core.data import load_fallback_dataset
from core.detector import train_detector
from tests.support import many_scan_jpeg, open_page, wide_bilevel_png

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

    queued = JobStatus(QUEUED, 2, 3, 95.0, 121.4, 12.3, None)
    assert describe_status(queued) == (
        "Queued, 2nd in line: 3 trainings before it; starts in about 2 min, ready in about "
        "2 min. Waiting 12 s so far: this server trains one model at a time, first come first "
        "served."
    )
    unknown = JobStatus(QUEUED, 1, 1, None, None, 0.4, None)
    assert describe_status(unknown).startswith(
        "Queued, 1st in line: 1 training before it (an estimate comes once this server has "
        "timed a training)."
    )
    waiting = JobStatus(WAITING, 0, 0, None, None, 42.0, None)
    assert describe_status(waiting) == (
        "Another process on this machine is training this model: waiting for its result (42 s "
        "so far). It shows here as soon as that process saves it."
    )
    progress = TrainingProgress("sgd", 1, 3, 10.0, False)
    training = JobStatus(TRAINING, 0, 0, None, 14.6, 10.0, progress)
    assert describe_status(training) == (
        "Cross-validation folds done: 1 of 3; final model: running; elapsed 10.0 s; about 15 s left"
    )


def test_a_card_reads_the_brief_line():
    from core.jobs import QUEUED, WAITING, JobStatus
    from ui.detector import describe_status

    queued = JobStatus(QUEUED, 2, 3, 20.0, 50.0, 7.2, None)
    assert describe_status(queued, brief=True) == (
        "Queued, 2nd in line: 3 trainings before it; starts in about 20 s (waiting 7 s)."
    )
    unknown = JobStatus(QUEUED, 1, 1, None, None, 3.0, None)
    assert describe_status(unknown, brief=True) == (
        "Queued, 1st in line: 1 training before it (waiting 3 s)."
    )
    waiting = JobStatus(WAITING, 0, 0, None, None, 9.0, None)
    assert describe_status(waiting, brief=True) == (
        "Another process trains it: waiting for its result (9 s)."
    )
