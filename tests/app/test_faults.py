"""Faults: broken data, damaged or unwritable caches, a killed writer, no network, failing code.

Each fault must end in a clear message (or none, when nothing is lost), never a traceback on
a page, and the app must go on. Page tests run on scikit-learn's small digits set (no
MNIST_DATA), where the detector trains in well under a second.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets

from core import cache
from core.data import (
    FALLBACK_NOTICE,
    SOURCE_CACHE,
    SOURCE_FALLBACK,
    SOURCE_OPENML,
    load_dataset,
    load_fallback_dataset,
)
from core.detector import train_detector
from core.openml_cache import dataset_cache_path, read_dataset_cache, write_dataset_cache
from harness import ROOT
from tests.app.test_query_params import page_dump
from tests.core.test_data import MALFORMED, FakeFetch, fake_openml_bunch, make_idx_dir
from tests.support import explorer_mounts, metric_values, open_page, release_explorer, until_trained

PAGES = ["home", "pages/digits.py", "pages/train.py", "pages/confusion.py", "pages/tradeoff.py"]
GUARD_MESSAGE = "Something went wrong on this page"


@pytest.fixture(autouse=True)
def small_set(fallback_app):
    """Every test here runs on the small bundled set (see tests/conftest.py)."""


@pytest.fixture
def offline(monkeypatch):
    """Downloads allowed, but fetch_openml fails the way it does on a machine without network."""
    monkeypatch.delenv("THRESHOLD_EXPLORER_OFFLINE", raising=False)
    fetch = FakeFetch(
        urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))
    )
    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fetch)
    return fetch


def visit(page: str, query: dict[str, str] | None = None):
    """Open a page the way a reader would; on /train, also press the Train button."""
    app = open_page(None if page == "home" else page, query=query)
    if page == "pages/train.py":
        button = next((b for b in app.button if b.label.startswith("Train the 5")), None)
        if button is not None:
            button.click().run()
    return until_trained(app)


def assert_no_traceback(app) -> None:
    assert not app.exception, [e.value for e in app.exception]
    dump = page_dump(app)
    assert "Traceback" not in dump and 'File "' not in dump


def assert_page_works(app, page: str) -> None:
    """No traceback, no error, and the page's own content is there."""
    assert_no_traceback(app)
    assert not app.error, [e.value for e in app.error]
    shown = metric_values(app)
    expected = {
        "home": None,
        "pages/digits.py": "Label",
        "pages/train.py": "Fold 1",
        "pages/confusion.py": "Precision",
        "pages/tradeoff.py": "explorer",
    }[page]
    if expected == "explorer":
        explorer_mounts(app)
    elif expected is None:
        assert any("1,797 digits" in m.value for m in app.markdown)
    else:
        assert expected in shown, shown


def problems(caplog, level=logging.ERROR) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= level]


# --------------------------------------------------------------------------- bad data on a page

PAGE_LEVEL_MALFORMED = ["not gzip nor IDX", "empty directory", "truncated gzip", "count mismatch"]


@pytest.mark.parametrize("case", PAGE_LEVEL_MALFORMED)
def test_a_malformed_mnist_directory_is_named_on_the_page_and_the_app_goes_on(
    case, tmp_path, monkeypatch, caplog
):
    damage, culprit, message = MALFORMED[case]
    directory = tmp_path / "mnist"
    damage(directory, make_idx_dir(directory))
    monkeypatch.setenv("MNIST_DATA", str(directory))

    app = open_page("pages/digits.py")

    assert_no_traceback(app)
    [error] = app.error
    assert str(directory) in error.value and culprit in error.value
    assert re.search(message, error.value), error.value  # the same words as load_dataset's
    assert any(FALLBACK_NOTICE == w.value for w in app.warning)
    assert metric_values(app)["Label"] == str(load_fallback_dataset().labels[0])
    assert any(str(directory) in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- damaged caches


def flip_payload_byte(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[len(damaged) * 2 // 3] ^= 0x01
    return bytes(damaged)


def flip_checksum_byte(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[len(cache.MAGIC) + 3] ^= 0x80
    return bytes(damaged)


DAMAGE = {
    "payload byte flipped": flip_payload_byte,
    "checksum byte flipped": flip_checksum_byte,
    "truncated": lambda data: data[: len(data) - 1000],
}  # cut to the header or to nothing: see test_params_images_cache::test_damaged_file_is_discarded


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_dataset_cache_is_detected_discarded_and_rebuilt(damage, cache_dir, caplog):
    fetch = FakeFetch(fake_openml_bunch(n_samples=20))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sklearn.datasets, "fetch_openml", fetch)
        patch.delenv("THRESHOLD_EXPLORER_OFFLINE")
        original = load_dataset()
        path = dataset_cache_path()
        intact = path.read_bytes()
        path.write_bytes(damage(intact))

        rebuilt = load_dataset()

    assert len(fetch.calls) == 2 and rebuilt.source == SOURCE_OPENML
    assert any(str(path) in r.getMessage() for r in problems(caplog, logging.WARNING))
    reread = read_dataset_cache(path)  # rebuilt on disk, intact, and the same data
    assert reread is not None and reread.source == SOURCE_CACHE
    for loaded in (rebuilt, reread):
        assert loaded.fingerprint == original.fingerprint
        np.testing.assert_array_equal(loaded.images, original.images)
        np.testing.assert_array_equal(loaded.labels, original.labels)
        assert (loaded.n_train, loaded.details, loaded.description) == (
            original.n_train,
            original.details,
            original.description,
        )


def test_damaged_dataset_cache_while_offline_means_the_fallback_not_a_failure(cache_dir, caplog):
    path = dataset_cache_path()
    assert write_dataset_cache(load_fallback_dataset(), path)
    path.write_bytes(flip_payload_byte(path.read_bytes()))

    dataset = load_dataset()  # downloads are off (THRESHOLD_EXPLORER_OFFLINE=1)

    assert dataset.source == SOURCE_FALLBACK and dataset.notice == FALLBACK_NOTICE
    assert not path.exists()  # discarded, so an online run rebuilds it
    assert not problems(caplog)


def assert_same_detector(rebuilt, original) -> None:
    for name in ("y_train", "cv_scores", "fold_ids", "test_scores", "y_test"):
        np.testing.assert_array_equal(getattr(rebuilt, name), getattr(original, name), name)
    for name in ("fold_accuracy", "dummy_accuracy", "dummy_fold_accuracy", "digit"):
        assert getattr(rebuilt, name) == getattr(original, name), name
    np.testing.assert_array_equal(rebuilt.model.coef_, original.model.coef_)
    np.testing.assert_array_equal(rebuilt.model.intercept_, original.model.intercept_)


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_detector_cache_is_detected_discarded_and_rebuilt(damage, cache_dir, caplog):
    small = load_fallback_dataset()
    original = train_detector(small, digit=5)
    [path] = cache_dir.glob("detector-digit5-*.pkl")
    path.write_bytes(damage(path.read_bytes()))

    rebuilt = train_detector(small, digit=5)

    assert not rebuilt.from_cache  # it was recomputed, not read from the damaged file
    assert any(str(path) in r.getMessage() for r in problems(caplog, logging.WARNING))
    assert_same_detector(rebuilt, original)
    again = train_detector(small, digit=5)
    assert again.from_cache  # and the rebuilt file is intact
    assert_same_detector(again, original)


# --------------------------------------------------------------------------- unwritable caches


@pytest.fixture
def unwritable_cache(tmp_path, monkeypatch) -> Path:
    """THRESHOLD_EXPLORER_CACHE below a regular file: no write can succeed, even as root."""
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache directory should be")
    path = blocker / "cache"
    monkeypatch.setenv("THRESHOLD_EXPLORER_CACHE", str(path))
    return path


def test_unwritable_cache_core_still_loads_and_trains(unwritable_cache, monkeypatch, caplog):
    monkeypatch.delenv("THRESHOLD_EXPLORER_OFFLINE")
    fetch = FakeFetch(fake_openml_bunch(n_samples=20))
    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fetch)
    first, second = load_dataset(), load_dataset()
    assert first.source == second.source == SOURCE_OPENML  # fetched each time, not lost
    assert first.fingerprint == second.fingerprint
    small = load_fallback_dataset()
    trained, again = train_detector(small, digit=5), train_detector(small, digit=5)
    assert not trained.from_cache and not again.from_cache
    np.testing.assert_array_equal(trained.cv_scores, again.cv_scores)
    assert not problems(caplog)  # warnings only
    assert problems(caplog, logging.WARNING)


@pytest.mark.parametrize("page", PAGES)
def test_unwritable_cache_pages_still_render(page, unwritable_cache, caplog):
    app = visit(page)
    assert_page_works(app, page)
    assert not problems(caplog)
    assert not unwritable_cache.exists()


def test_unwritable_default_cache_pages_still_render(tmp_path, monkeypatch, caplog):
    """No THRESHOLD_EXPLORER_CACHE, and scikit-learn's data home cannot be created."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.delenv("THRESHOLD_EXPLORER_CACHE")
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(blocker / "scikit_learn_data"))
    for page in ("pages/tradeoff.py", "pages/train.py"):
        assert_page_works(visit(page), page)
    assert not problems(caplog)


def test_a_directory_in_place_of_the_cache_file_is_no_failure(cache_dir, caplog):
    dataset_cache_path().mkdir(parents=True)
    small = load_fallback_dataset()
    assert load_dataset().source == SOURCE_FALLBACK
    assert not write_dataset_cache(small, dataset_cache_path())
    assert train_detector(small, digit=5).cv_scores.size == small.n_train
    assert not problems(caplog)


# --------------------------------------------------------------------------- a killed writer

# The child starts writing a large cache file and stops at a chosen moment, saying so on
# stdout; the test then kills it with SIGKILL, as an out-of-memory killer or a power cut would.
CHILD = r"""
import os, sys, time
from pathlib import Path
from core import cache

path, moment = Path(sys.argv[1]), sys.argv[2]
payload = bytes(range(256)) * (32 * 1024 * 1024 // 256)  # 32 MB

def stop_here():
    print("inside", flush=True)
    time.sleep(120)

if moment == "fsync":  # everything written, not yet renamed into place
    os.fsync = lambda fd: stop_here()
else:  # half the payload written
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, file):
            self.file = file
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.file.__exit__(*exc)
        def __getattr__(self, name):
            return getattr(self.file, name)
        def write(self, data):
            if len(data) == len(payload):
                self.file.write(data[: len(data) // 2])
                self.file.flush()
                stop_here()
            return self.file.write(data)

    os.fdopen = lambda *args, **kwargs: HalfWriter(real_fdopen(*args, **kwargs))

cache.write_checked(path, payload)
print("finished", flush=True)
"""


def kill_while_writing(path: Path, moment: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), moment],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(60, child.kill)
    watchdog.start()
    try:
        assert child.stdout.readline().strip() == "inside", "the child never stopped mid-write"
        temporary = list(path.parent.glob(f".{path.name}.*.tmp"))
        assert temporary and temporary[0].stat().st_size > 16 * 1024 * 1024
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        watchdog.cancel()
        child.kill()
        child.stdout.close()


@pytest.mark.parametrize("moment", ["half-written", "fsync"])
def test_a_writer_killed_mid_write_leaves_nothing_read_as_valid(moment, tmp_path):
    path = tmp_path / "big.cache"

    kill_while_writing(path, moment)

    assert cache.read_checked(path) is None
    assert not path.exists()
    assert cache.write_checked(path, b"written later")  # and a later write works
    assert cache.read_checked(path) == b"written later"


@pytest.mark.parametrize("moment", ["half-written", "fsync"])
def test_a_writer_killed_mid_write_keeps_the_previous_file(moment, tmp_path):
    path = tmp_path / "big.cache"
    assert cache.write_checked(path, b"the previous version")

    kill_while_writing(path, moment)

    assert cache.read_checked(path) == b"the previous version"


def test_leftovers_of_a_killed_writer_are_cleared_by_the_next_write(tmp_path):
    path = tmp_path / "big.cache"
    kill_while_writing(path, "fsync")
    [leftover] = tmp_path.glob(".big.cache.*.tmp")
    an_hour_ago = time.time() - 3700
    os.utime(leftover, (an_hour_ago, an_hour_ago))
    fresh = tmp_path / ".big.cache.in-progress.tmp"  # another writer's, still being written
    fresh.write_bytes(b"partial")
    other = tmp_path / ".other.cache.x.tmp"  # another file's
    other.write_bytes(b"x")
    os.utime(other, (an_hour_ago, an_hour_ago))

    assert cache.write_checked(path, b"new")

    assert not leftover.exists()
    assert fresh.exists() and other.exists()
    assert cache.read_checked(path) == b"new"


def test_dataset_cache_killed_mid_write_is_rebuilt(cache_dir, monkeypatch):
    path = dataset_cache_path()
    kill_while_writing(path, "fsync")  # 32 MB of something under the cache's own name
    monkeypatch.delenv("THRESHOLD_EXPLORER_OFFLINE")
    fetch = FakeFetch(fake_openml_bunch(n_samples=20))
    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fetch)
    assert load_dataset().source == SOURCE_OPENML
    assert load_dataset().source == SOURCE_CACHE
    assert len(fetch.calls) == 1


# --------------------------------------------------------------------------- no network


@pytest.mark.parametrize("page", PAGES)
def test_no_network_and_nothing_cached_shows_the_fallback_notice(page, offline, caplog):
    app = visit(page)

    assert_page_works(app, page)
    assert [w.value for w in app.warning] == [FALLBACK_NOTICE]
    assert len(offline.calls) == 1  # OpenML was asked, once, and its failure was handled
    assert any("OpenML failed" in r.getMessage() for r in caplog.records)
    assert not problems(caplog)


def test_a_download_failing_in_an_unexpected_way_still_leaves_a_working_app(monkeypatch, caplog):
    """Not a network error: e.g. a truncated gzip download inside fetch_openml (EOFError)."""
    monkeypatch.delenv("THRESHOLD_EXPLORER_OFFLINE")
    failure = EOFError("Compressed file ended before the end-of-stream marker was reached")
    monkeypatch.setattr(sklearn.datasets, "fetch_openml", FakeFetch(failure))

    for page in ("home", "pages/tradeoff.py"):
        app = visit(page)
        assert_no_traceback(app)
        assert FALLBACK_NOTICE in [w.value for w in app.warning]
        [error] = app.error
        assert "MNIST could not be" in error.value and "log" in error.value
        assert "end-of-stream" not in page_dump(app)
    explorer_mounts(app)  # the trade-off page went on with the small set
    logged = [r for r in problems(caplog) if r.exc_info]
    assert logged and "EOFError" in logging.Formatter().formatException(logged[0].exc_info)


# --------------------------------------------------------------------------- no traceback

# For each page, a function it calls raises; the page imports it at run time (or through a
# module attribute), so patching the module before the run reaches the page.
FAILURES = {
    "home": ("ui.dataset", "dataset_status_line"),
    "pages/digits.py": ("core.images", "page_slice"),
    "pages/train.py": ("core.detector", "digit_score"),
    "pages/confusion.py": ("core.counting", "borderline_indices"),
    "pages/tradeoff.py": ("core.counting", "borderline_indices"),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_failure_inside_a_page_is_a_plain_message_and_a_logged_traceback(
    page, monkeypatch, caplog
):
    import importlib

    module_name, function = FAILURES[page]
    secret = f"internal detail of {function}"

    def fail(*args, **kwargs):
        raise RuntimeError(secret)

    # Train first (on /train, the button) so that the failing call is reached.
    train_detector(load_fallback_dataset(), digit=5)
    monkeypatch.setattr(importlib.import_module(module_name), function, fail)

    app = visit(page)

    assert not app.exception, [e.value for e in app.exception]
    dump = page_dump(app)
    assert "Traceback" not in dump and secret not in dump
    assert any(GUARD_MESSAGE in e.value for e in app.error), [e.value for e in app.error]
    [record] = [r for r in problems(caplog) if r.exc_info]
    assert record.exc_info[0] is RuntimeError and str(record.exc_info[1]) == secret
    assert function in logging.Formatter().formatException(record.exc_info)


def test_a_failed_training_is_a_plain_message_and_a_logged_traceback(monkeypatch, caplog):
    import core.engine

    secret = "internal detail of the fit"

    def fail(*args, **kwargs):
        raise RuntimeError(secret)

    monkeypatch.setattr(core.engine, "cross_validate", fail)
    app = visit("pages/confusion.py")

    assert not app.exception
    dump = page_dump(app)
    assert "Traceback" not in dump
    assert "The training failed" in dump
    assert secret not in dump  # an unexpected error's own text stays in the log
    [record] = [r for r in problems(caplog) if r.exc_info]
    logged = logging.Formatter().formatException(record.exc_info)
    assert secret in logged and "core/detector.py" in logged


def test_a_failure_when_the_threshold_moves_is_a_plain_message(monkeypatch, caplog):
    import core.counting

    app = visit("pages/tradeoff.py")
    assert_page_works(app, "pages/tradeoff.py")
    secret = "internal detail of borderline_indices"

    def fail(*args, **kwargs):
        raise RuntimeError(secret)

    monkeypatch.setattr(core.counting, "borderline_indices", fail)
    release_explorer(app, 1.0)

    assert not app.exception, [e.value for e in app.exception]
    dump = page_dump(app)
    assert "Traceback" not in dump and secret not in dump
    assert any(GUARD_MESSAGE in e.value for e in app.error)
    assert [r for r in problems(caplog) if r.exc_info]


def test_a_failing_picker_callback_is_a_plain_message(monkeypatch, caplog):
    import core.pickers

    secret = "internal detail of threshold_for_precision"

    def fail(*args, **kwargs):
        raise RuntimeError(secret)

    # Before the first run: the callback keeps the names of the run that drew its button.
    monkeypatch.setattr(core.pickers, "threshold_for_precision", fail)
    app = visit("pages/tradeoff.py")
    assert_page_works(app, "pages/tradeoff.py")
    threshold_before = app.session_state["threshold"]
    app.button(key="go_precision").click().run()

    assert not app.exception, [e.value for e in app.exception]
    dump = page_dump(app)
    assert "Traceback" not in dump and secret not in dump
    assert any(GUARD_MESSAGE in e.value for e in app.error)
    assert app.session_state["threshold"] == threshold_before  # nothing lost
    assert [r for r in problems(caplog) if r.exc_info]


def fragment_script():
    import streamlit as st

    from ui.entry import guarded

    @st.fragment
    @guarded
    def panel():
        if st.button("Fail"):
            raise RuntimeError("internal detail of the panel")
        st.caption("panel drawn")

    panel()


def test_guarded_makes_a_failing_fragment_a_plain_message_and_a_logged_traceback(caplog):
    from streamlit.testing.v1 import AppTest

    from ui.entry import PLAIN_ERROR

    app = AppTest.from_function(fragment_script, default_timeout=30).run()
    assert [c.value for c in app.caption] == ["panel drawn"]
    app.button[0].click().run()

    assert not app.exception, [e.value for e in app.exception]
    assert [e.value for e in app.error] == [PLAIN_ERROR]
    assert "internal detail" not in page_dump(app) and "Traceback" not in page_dump(app)
    [record] = [r for r in problems(caplog) if r.exc_info]
    assert "internal detail of the panel" in logging.Formatter().formatException(record.exc_info)
