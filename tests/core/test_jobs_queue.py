"""core.jobs: one queue per process, first come first served, one training at a time; each
waiting job knows its place in line and an estimate; a job whose training another process
holds says so, and takes that process's result as soon as its cache file lands.

Trainings use the small fallback set (fast); scikit-learn's ``SGDClassifier.fit`` is gated
where a test must see the line while it stands still.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from sklearn.linear_model import SGDClassifier

from core import cache
from core.data import load_fallback_dataset
from core.detector import train_detector
from core.jobs import (
    DONE,
    QUEUED,
    TRAINING,
    WAITING,
    JobRegistry,
    TrainingJob,
    TrainingQueue,
)

DIGITS = (3, 1, 4, 0, 5, 9)  # six digits asked at once, in this order


@pytest.fixture(scope="module")
def digits():
    return load_fallback_dataset()


@pytest.fixture
def gate(monkeypatch):
    """Holds every ``SGDClassifier.fit`` until ``gate.set()``."""
    opened = threading.Event()
    fit = SGDClassifier.fit

    def gated_fit(self, X, y, **kwargs):
        assert opened.wait(60), "the test never opened the gate"
        return fit(self, X, y, **kwargs)

    monkeypatch.setattr(SGDClassifier, "fit", gated_fit)
    yield opened
    opened.set()


def wait_until(condition, *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_six_digits_at_once_train_one_after_another_in_order(digits, tmp_path, gate):
    registry = JobRegistry(cache_dir=tmp_path)
    jobs = [registry.job(digits, digit=digit) for digit in DIGITS]
    wait_until(lambda: jobs[0].status.state == TRAINING)
    statuses = [job.status for job in jobs]
    assert statuses[0].place == 0 and statuses[0].ahead == 0
    for k, status in enumerate(statuses[1:], 1):
        assert status.state == QUEUED
        assert (status.place, status.ahead) == (k, k)  # the running one is ahead too
        assert status.starts_in is None  # nothing measured yet: no estimate is made up
    gate.set()
    results = [job.result(timeout=120) for job in jobs]
    assert [job.status.state for job in jobs] == [DONE] * len(DIGITS)
    assert [result.digit for result in results] == list(DIGITS)
    assert all(job.error is None for job in jobs)
    for before, after in zip(jobs, jobs[1:], strict=False):  # first come first served, alone
        assert before.ended_at <= after.started_at
    assert len(list(tmp_path.glob("detector-digit*.pkl"))) == len(DIGITS)


def test_the_line_moves_up_as_trainings_end(digits, tmp_path, gate):
    registry = JobRegistry(cache_dir=tmp_path)
    jobs = [registry.job(digits, digit=digit) for digit in DIGITS[:3]]
    seen = {id(job): [] for job in jobs}

    def watch() -> None:
        while not all(job.done for job in jobs):
            for job in jobs:
                status = job.status
                if status.state == QUEUED:
                    seen[id(job)].append(status.place)
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    gate.set()
    for job in jobs:
        job.result(timeout=120)
    watcher.join(30)
    last = seen[id(jobs[2])]
    assert last[0] == 2 and last == sorted(last, reverse=True)  # 2, then 1: never back
    assert set(seen[id(jobs[1])]) == {1}


def test_estimates_come_from_the_trainings_seen():
    gates = [threading.Event() for _ in range(3)]
    queue = TrainingQueue()
    queue.observe("sgd", 20.0)
    queue.observe("forest", 30.0)
    jobs = [
        TrainingJob(f"job{k}", lambda progress, waiting, k=k: gates[k].wait(30), model=model)
        for k, model in enumerate(("sgd", "forest", "sgd"))
    ]
    for job in jobs:
        queue.add(job)
    wait_until(lambda: jobs[0].status.state == TRAINING)
    running, second, third = (job.status for job in jobs)
    assert running.ready_in == pytest.approx(20.0, abs=1.0)
    assert (second.place, second.ahead) == (1, 1)
    assert second.starts_in == pytest.approx(20.0, abs=1.0)
    assert second.ready_in == pytest.approx(50.0, abs=1.0)
    assert (third.place, third.ahead) == (2, 2)
    assert third.starts_in == pytest.approx(50.0, abs=1.0)
    assert third.ready_in == pytest.approx(70.0, abs=1.0)
    for event in gates:
        event.set()
    wait_until(lambda: all(job.done for job in jobs))
    assert [job.status.state for job in jobs] == [DONE] * 3


def test_a_cached_result_seeds_the_estimate(digits, tmp_path, gate):
    gate.set()
    trained = train_detector(digits, digit=2, cache_dir=tmp_path)
    gate.clear()
    registry = JobRegistry(cache_dir=tmp_path)
    assert registry.ready(digits, digit=2).seconds == trained.seconds  # read from disk
    jobs = [registry.job(digits, digit=digit) for digit in (7, 8)]
    wait_until(lambda: jobs[0].status.state == TRAINING)
    status = jobs[1].status
    assert status.state == QUEUED and status.starts_in is not None
    assert status.starts_in <= trained.seconds
    assert status.ready_in == pytest.approx(status.starts_in + trained.seconds)
    gate.set()
    for job in jobs:
        job.result(timeout=120)


def test_a_job_cached_on_disk_is_not_queued(digits, tmp_path, gate):
    gate.set()
    train_detector(digits, digit=6, cache_dir=tmp_path)
    gate.clear()
    registry = JobRegistry(cache_dir=tmp_path)
    busy = registry.job(digits, digit=1)  # holds the line
    wait_until(lambda: busy.status.state == TRAINING)
    cached = registry.job(digits, digit=6)
    assert busy.waited_for_other_process is None
    assert cached.done and cached.status.state == DONE and cached.result().from_cache
    assert registry.existing(digits, digit=6) is cached
    assert registry.existing(digits, digit=8) is None
    gate.set()
    busy.result(timeout=120)


def test_waiting_for_another_process_says_so_and_takes_its_file_when_it_lands(
    digits, tmp_path, gate
):
    gate.set()
    first = train_detector(digits, digit=6, cache_dir=tmp_path)
    [cache_file] = tmp_path.glob("detector-digit6-*.pkl")
    [lock_file] = tmp_path.glob("detector-digit6-*.lock")
    written = cache_file.read_bytes()
    cache_file.unlink()
    gate.clear()  # this process must not train it
    registry = JobRegistry(cache_dir=tmp_path)
    with cache.file_lock(lock_file):  # "another process" is training the 6-detector
        job = registry.job(digits, digit=6)
        wait_until(lambda: job.status.state == WAITING)
        time.sleep(0.6)
        status = job.status
        assert status.state == WAITING and status.waited >= 0.5
        assert status.progress is None
        cache_file.write_bytes(written)  # ... its result lands, the lock still held
        job.result(timeout=30)
    assert job.result().from_cache and job.waited_for_other_process >= 0.5
    assert job.status.state == DONE
    np.testing.assert_array_equal(job.result().cv_scores, first.cv_scores)


def test_the_estimate_never_grows_and_the_bar_moves_before_the_first_fit_ends():
    from core.engine import TrainingProgress

    first_fit, rest = threading.Event(), threading.Event()

    def train(progress, waiting):
        start = time.monotonic()
        progress(TrainingProgress("sgd", 0, 3, 0.0, False))
        first_fit.wait(30)
        progress(TrainingProgress("sgd", 1, 3, time.monotonic() - start, False))
        while not rest.wait(0.02):  # the engine reports again while the next fits run
            progress(TrainingProgress("sgd", 1, 3, time.monotonic() - start, False))
        return "trained"

    queue = TrainingQueue()
    job = TrainingJob("estimates", train, expected_seconds=2.0)
    queue.add(job)
    wait_until(lambda: job.status.state == TRAINING)
    before_any_fit = []
    for _ in range(10):
        time.sleep(0.05)
        before_any_fit.append(job.status)
    assert all(s.progress.fraction == 0 for s in before_any_fit)  # no fit has ended yet
    fractions = [s.fraction for s in before_any_fit]
    assert fractions == sorted(fractions) and fractions[-1] > fractions[0] > 0  # it moves
    assert fractions[-1] < 0.25  # never past the end of a fit that has not ended
    first_fit.set()
    wait_until(lambda: job.status.progress.fraction > 0)
    after = []
    for _ in range(15):
        time.sleep(0.05)
        after.append(job.status)
    remaining = [s.ready_in for s in after]
    assert all(r is not None for r in remaining)
    assert remaining == sorted(remaining, reverse=True) and remaining[-1] < remaining[0]
    shown = fractions + [s.fraction for s in after]
    assert shown == sorted(shown)  # the bar never goes back
    rest.set()
    assert job.result(timeout=30) == "trained"
    assert job.status.fraction == 1.0


def test_a_first_training_has_an_expected_time_from_its_size(digits, tmp_path, gate):
    from core.models import MODELS

    job = JobRegistry(cache_dir=tmp_path).job(digits, digit=6)
    expected = MODELS["sgd"].expected_seconds(n_train=digits.n_train, n_features=digits.n_features)
    assert job.expected_seconds == pytest.approx(expected) and 0 < expected < 1
    gate.set()
    job.result(timeout=120)
