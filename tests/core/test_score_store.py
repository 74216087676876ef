"""The server's store of score sets: shared by key, within a budget, reloaded, thread-safe."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pyarrow as pa
import pytest

from core.score_files import load_score_table, scored_set_from_table
from core.score_store import (
    DEFAULT_BUDGET_MB,
    ENV_BUDGET_MB,
    MB,
    SPILL_KEEP_SECONDS,
    ScoreStore,
    budget_from_env,
    held_bytes,
)


def block(n_bytes: int, fill: float = 0.0) -> np.ndarray:
    return np.full(n_bytes // 8, fill)


def test_held_bytes_counts_each_buffer_once():
    a = np.zeros(1000)
    assert held_bytes(a) == 8000
    assert held_bytes((a, a, a[10:20], {"x": a.reshape(10, 100)})) == 8000
    table = pa.table({"x": pa.array(np.arange(1000, dtype=np.int64))})
    assert held_bytes(table) == 8000
    assert held_bytes([table, table.column("x")]) == 8000
    assert held_bytes(None) == 0 and held_bytes(3.5) == 0
    assert held_bytes("one line") == len("one line")


def test_held_bytes_walks_dataclasses_a_scored_set_and_a_table(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("label,score\n" + "".join(f"{k % 2},{k / 10}\n" for k in range(100)))
    table = load_score_table(path, name="s.csv")
    scored = scored_set_from_table(table, label="label", score="score")
    assert held_bytes(scored) >= scored.scores.nbytes + scored.y_true.nbytes
    assert held_bytes(table) >= 2 * 100 * 3  # two text columns of 100 cells, 3+ bytes each


def test_a_held_value_is_shared_and_loaded_once():
    store = ScoreStore(budget_bytes=10 * MB)
    calls = []

    def load():
        calls.append(1)
        return block(1000)

    first = store.get("a", load)
    assert store.get("a", load) is first
    assert len(calls) == 1 and store.loads("a") == 1
    assert store.state("a") == "held" and store.state("b") == "new"
    assert store.nbytes == 1000


def test_least_recently_used_falls_out_first():
    store = ScoreStore(budget_bytes=3000)
    for key in "abc":
        store.get(key, lambda: block(1000))
    store.get("a", lambda: pytest.fail("a is held"))  # a is now the most recent
    store.get("d", lambda: block(1000))  # over budget: b, the least recent, falls out
    assert store.keys() == ("c", "a", "d")
    assert store.state("b") == "evicted"
    assert store.nbytes == 3000
    store.get("e", lambda: block(2000))  # c and a fall out, in that order
    assert store.keys() == ("d", "e")
    assert [store.state(k) for k in "ca"] == ["evicted", "evicted"]


def test_what_fell_out_is_reloaded_equal_from_its_source(tmp_path):
    path = tmp_path / "scores.csv"
    rng = np.random.default_rng(0)
    labels, scores = rng.random(500) < 0.3, rng.normal(size=500)
    rows = "".join(f"{int(y)},{s:.6f}\n" for y, s in zip(labels, scores, strict=True))
    path.write_text("label,score\n" + rows)

    def load():
        table = load_score_table(path, name=path.name)
        return scored_set_from_table(table, label="label", score="score")

    store = ScoreStore(budget_bytes=held_bytes(load()) + 100)
    first = store.get("set", load)
    store.get("other", lambda: block(held_bytes(first)))  # pushes the set out
    assert store.state("set") == "evicted"
    again = store.get("set", load)
    assert again is not first and store.loads("set") == 2
    assert again.fingerprint == first.fingerprint
    np.testing.assert_array_equal(again.scores, first.scores)
    np.testing.assert_array_equal(again.y_true, first.y_true)


def test_concurrent_gets_of_one_key_load_once():
    store = ScoreStore(budget_bytes=10 * MB)
    started, release = threading.Event(), threading.Event()
    calls = []

    def load():
        calls.append(threading.get_ident())
        started.set()
        release.wait(5)
        return block(800)

    results = []
    threads = [threading.Thread(target=lambda: results.append(store.get("k", load)))
               for _ in range(6)]  # fmt: skip
    threads[0].start()
    assert started.wait(5)
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.1)
    assert store.state("k") == "loading"
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(calls) == 1 and len(results) == 6
    assert all(r is results[0] for r in results)


def test_other_keys_load_while_one_is_loading():
    store = ScoreStore(budget_bytes=10 * MB)
    release = threading.Event()
    slow = threading.Thread(target=store.get, args=("slow", lambda: release.wait(5) and block(8)))
    slow.start()
    try:
        assert store.get("fast", lambda: block(8)).size == 1  # not stuck behind "slow"
    finally:
        release.set()
        slow.join(5)


def test_a_failed_load_reaches_every_waiter_and_holds_nothing():
    store = ScoreStore(budget_bytes=10 * MB)
    started, release = threading.Event(), threading.Event()

    def load():
        started.set()
        release.wait(5)
        raise OSError("gone")

    errors = []

    def ask():
        try:
            store.get("k", load)
        except OSError as error:
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    threads[0].start()
    started.wait(5)
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(errors) == 3 and store.state("k") == "new" and store.nbytes == 0
    assert store.get("k", lambda: block(8)).size == 1  # a later get loads afresh


def test_a_value_bigger_than_the_budget_loads_and_is_kept_alone():
    store = ScoreStore(budget_bytes=1000)
    store.get("small", lambda: block(400))
    big = store.get("big", lambda: block(5000))
    assert big.nbytes == 5000
    assert store.keys() == ("big",) and store.nbytes == 5000
    store.get("small", lambda: block(400))  # the big one falls out in turn
    assert store.keys() == ("small",)


def test_remeasure_counts_growth_and_evicts_others():
    store = ScoreStore(budget_bytes=3000)
    store.get("a", lambda: block(1000))
    grows = store.get("b", lambda: {"x": block(1000)})
    grows["y"] = block(1504)
    store.remeasure("b")
    assert store.keys() == ("b",) and store.nbytes == 2504


def test_uploads_spill_to_a_file_and_come_back(tmp_path):
    store = ScoreStore(budget_bytes=MB, spill_dir=tmp_path / "spill")
    content = b"label,score\n0,0.1\n1,0.9\n"
    path = store.spill(content)
    assert path.parent == tmp_path / "spill" and store.spill(content) == path
    assert store.unspill(path) == content
    path.write_bytes(b"damaged")
    assert store.unspill(path) is None
    assert store.unspill(tmp_path / "missing") is None
    with pytest.raises(OSError):
        ScoreStore(budget_bytes=MB).spill(content)


def test_spilled_uploads_untouched_for_a_day_are_removed(tmp_path):
    store = ScoreStore(budget_bytes=MB, spill_dir=tmp_path)
    old, kept = store.spill(b"label,score\n0,0.1\n"), store.spill(b"label,score\n1,0.2\n")
    long_ago = time.time() - SPILL_KEEP_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    os.utime(kept, (long_ago, long_ago))
    assert store.spill(b"label,score\n1,0.2\n") == kept  # used again: touched, kept
    store.spill(b"label,score\n0,0.3\n")
    assert not old.exists() and kept.exists()


def test_budget_from_env():
    assert budget_from_env({}) == DEFAULT_BUDGET_MB * MB
    assert budget_from_env({ENV_BUDGET_MB: "0.5"}) == MB // 2
    for bad in ("0", "-1", "lots", "inf"):
        with pytest.raises(ValueError, match=ENV_BUDGET_MB):
            budget_from_env({ENV_BUDGET_MB: bad})


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "10"])
def test_budget_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="budget_bytes"):
        ScoreStore(budget_bytes=bad)


def test_key_must_be_a_nonempty_text():
    with pytest.raises(ValueError, match="key"):
        ScoreStore(budget_bytes=10).get("", lambda: None)
