"""AppTest tests without MNIST: the plain notice, and the whole flow on the small digits set."""

from __future__ import annotations

import pytest

from core.explorer import decode_payload
from tests.support import (
    explorer_mounts,
    forget_app_caches,
    metric_values,
    open_page,
    texts,
    until_trained,
)


@pytest.fixture(autouse=True)
def no_mnist(monkeypatch, cache_dir):
    monkeypatch.delenv("MNIST_DATA", raising=False)
    monkeypatch.setenv("THRESHOLD_EXPLORER_OFFLINE", "1")
    forget_app_caches()
    yield
    forget_app_caches()


def test_home_says_plainly_that_this_is_the_fallback_set():
    app = open_page()
    notice = " ".join(w.value for w in app.warning)
    assert "8x8" in notice or "8×8" in notice
    assert "MNIST_DATA" in notice
    assert "1,797 digits of 8×8 pixels, 1,540 for training and 257 for testing" in texts(app)


def test_a_broken_mnist_data_directory_is_named_and_the_app_goes_on(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_DATA", str(tmp_path / "nowhere"))
    app = open_page("pages/digits.py")
    assert any("nowhere" in e.value for e in app.error), [e.value for e in app.error]
    assert app.warning  # and the fallback notice
    assert metric_values(app)["Label"] == "0"  # load_digits()[0] is a 0


def test_the_whole_flow_works_on_the_small_set():
    app = open_page("pages/train.py")
    next(b for b in app.button if b.label.startswith("Train the 5")).click().run()
    until_trained(app)
    assert "Fold 1" in metric_values(app)
    app = open_page("pages/tradeoff.py", query={"threshold": "0"})
    position, blob, _ = explorer_mounts(app)
    header, _ = decode_payload(blob)
    assert position["threshold"] == 0.0
    assert sum(header["totals"]["test"]) == 257  # held out
    assert "The digits at the cut" in texts(app)


def test_the_prefetched_dataset_is_used_once_then_loads_are_fresh():
    import threading

    from core.data import load_fallback_dataset
    from ui.dataset import DatasetPrefetch

    calls = []
    release = threading.Event()

    def counting_load():
        calls.append(threading.current_thread().name)
        release.wait(5)
        return load_fallback_dataset()

    prefetch = DatasetPrefetch(counting_load)
    prefetch.start()
    prefetch.start()  # once per process
    release.set()
    first = prefetch.take()
    assert calls == ["dataset-prefetch"] and first.is_fallback
    prefetch.take()  # after that: read again, in the caller's thread
    assert calls == ["dataset-prefetch", threading.current_thread().name]
