"""When the detector's float64 copies of the images live, and how many fits run at once.

On MNIST a fold's float64 rows are 251 MB and the final model's 376 MB, so the server's peak
memory is set by how many of them are alive together (bench/bench_memory.py measures it).
Here, on scikit-learn's small digits: the copies equal ``images[rows].astype(float64)``, exist
only while a fit holds its slot, never more than ``MAX_PARALLEL_FITS`` at once, and none
survives the training.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import weakref

import numpy as np
import pytest

from core import engine
from core.data import load_fallback_dataset
from core.detector import train_detector


@pytest.fixture(scope="module")
def small_digits():
    return load_fallback_dataset()


@pytest.mark.parametrize("block", [1, 7, 4096])
def test_fold_pixels_gathers_the_rows_in_blocks(block, monkeypatch):
    monkeypatch.setattr(engine, "GATHER_ROWS", block)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(50, 12), dtype=np.uint8)
    rows = np.sort(rng.choice(50, size=23, replace=False))
    for selection in (rows, rows.tolist(), np.isin(np.arange(50), rows), slice(5, 40)):
        out = engine.fold_pixels(images, selection)
        expected = images[selection].astype(np.float64)
        assert out.dtype == np.float64 and out.flags.c_contiguous
        np.testing.assert_array_equal(out, expected)
    empty = engine.fold_pixels(images, np.array([], dtype=np.intp))
    assert empty.shape == (0, 12) and empty.dtype == np.float64


def test_fold_pixels_keeps_float_pixels_exactly():
    images = np.random.default_rng(1).random((9, 4)).astype(np.float32)
    np.testing.assert_array_equal(
        engine.fold_pixels(images, [8, 0, 3]), images[[8, 0, 3]].astype(np.float64)
    )


@pytest.mark.parametrize(("value", "expected"), [("1", 1), (" 3 ", 3), ("4", 4)])
def test_parallel_fits_from_the_environment(value, expected, monkeypatch):
    assert engine.parallel_fits(value) == expected
    monkeypatch.setenv(engine.PARALLEL_FITS_ENV, value)
    assert engine.parallel_fits() == expected


@pytest.mark.parametrize("value", ["0", "5", "-1", "two", "1.5"])
def test_bad_parallel_fits_is_logged_and_the_default_used(value, monkeypatch, caplog):
    monkeypatch.delenv(engine.PARALLEL_FITS_ENV, raising=False)
    default = engine.parallel_fits()
    assert default == max(1, min(2, engine.available_cores()))
    monkeypatch.setenv(engine.PARALLEL_FITS_ENV, value)
    with caplog.at_level(logging.WARNING, logger="core.engine"):
        assert engine.parallel_fits() == default
    assert engine.PARALLEL_FITS_ENV in caplog.text and repr(value) in caplog.text


def test_float_copies_live_only_inside_the_fits(small_digits, tmp_path, monkeypatch):
    alive: list[weakref.ref] = []
    most_alive = [0]
    lock = threading.Lock()
    original = engine.fold_pixels

    def tracked(images, rows, **kwargs):
        out = original(images, rows, **kwargs)
        with lock:
            alive.append(weakref.ref(out))
            most_alive[0] = max(most_alive[0], sum(r() is not None for r in alive))
        return out

    monkeypatch.setattr(engine, "fold_pixels", tracked)
    result = train_detector(small_digits, digit=5, cache_dir=tmp_path, use_cache=False)
    gc.collect()
    # Each fold: its training rows, then its held-out rows; the final fit: train, then test.
    assert len(alive) == 2 * engine.N_FOLDS + 2
    assert 1 <= most_alive[0] <= engine.MAX_PARALLEL_FITS
    assert [r for r in alive if r() is not None] == []
    assert result.cv_scores.shape == (small_digits.n_train,)


# --------------------------------------------------------------------------- thread priority


def _niceness_in_a_fit_slot() -> tuple[int, int, int]:
    """In a fresh thread: its niceness before, inside and after a second fit slot."""
    import os

    tid = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, tid)
    with engine.fit_slot():
        inside = os.getpriority(os.PRIO_PROCESS, tid)
    with engine.fit_slot():  # a thread reused for another fit is lowered once, not twice
        again = os.getpriority(os.PRIO_PROCESS, tid)
    return before, inside, again


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
def test_a_fit_thread_gives_way_to_the_rest_of_the_process():
    import os

    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen = []
    worker = threading.Thread(target=lambda: seen.append(_niceness_in_a_fit_slot()))
    worker.start()
    worker.join()
    before, inside, again = seen[0]
    assert inside == again == min(19, before + engine.FIT_NICENESS) > before
    # the main thread, where a command-line fit runs, keeps its priority
    with engine.fit_slot():
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before
