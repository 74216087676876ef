"""Trainings in the background for the app: one job per (data, digit, model), one queue per
process, first come first served.

A page asks the process's :class:`JobRegistry` for a job and polls its :attr:`TrainingJob.status`
(a worker thread cannot talk to Streamlit). The ``"sgd"`` model is the notebook's detector
(:func:`core.detector.train_detector`, a :class:`~core.detector.DetectorResult`); the others
are :func:`core.compare.train_model`'s (a :class:`~core.compare.ModelResult`). The chapter's
multiclass SGD (:func:`core.multiclass.train_multiclass`, one job per data) waits in the same
line: :meth:`JobRegistry.multiclass_job`.

One training runs at a time, with the fit slots of :mod:`core.engine` (both cores): six
trainings side by side would each take about as long as all six in a row, and hold more memory
at once; in a queue the first answer comes after one training, the k-th after k. A waiting job
knows its place in line and, once this process has seen a training of the models ahead (or
read one from the disk cache), an estimate of when it starts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from core.compare import load_model, train_model
from core.data import Dataset
from core.detector import load_detector, train_detector
from core.engine import TrainingProgress
from core.models import SGD, model_spec
from core.multiclass import (
    MULTICLASS,
    MulticlassProgress,
    expected_multiclass_seconds,
    load_multiclass,
    train_multiclass,
)
from core.validation import check_digit

log = logging.getLogger(__name__)

QUEUED = "queued"  # in line behind other trainings
WAITING = "waiting"  # its turn came, but another process is training the same model
TRAINING = "training"
DONE = "done"
FAILED = "failed"
# The share of a running fit the progress bar may show from time alone: only its end completes it.
RUNNING_CAP = 0.95


@dataclass(frozen=True)
class JobStatus:
    """Where a job stands, for a page to show.

    Attributes
    ----------
    state : str
        :data:`QUEUED`, :data:`WAITING` (another process trains the same model and holds the
        cache's lock), :data:`TRAINING`, :data:`DONE` or :data:`FAILED`.
    place : int
        Among the waiting jobs: 1 for the next training to start, 2 for the one after it...;
        0 once started. The running training is not counted, so while one runs ``ahead`` is
        ``place``.
    ahead : int
        Trainings that will run before this one starts, the running one included: what a
        page shows.
    starts_in : float or None
        Estimated seconds until it starts; None when not queued or not known yet.
    ready_in : float or None
        Estimated seconds until its result; None when done or not known yet.
    waited : float
        Seconds since it was asked for (queued), or since the other process was found
        holding the lock (waiting), or its wall time so far (training or done).
    progress : TrainingProgress or MulticlassProgress or None
        The latest progress its training reported.
    fraction : float
        How far along, 0 to 1, for a progress bar: the share of its fits done, or more while
        a fit runs, from the time it has run against the time the training is expected to
        take. It never goes back, nor does ``ready_in`` ever grow, from one status of a job to
        the next.
    """

    state: str
    place: int
    ahead: int
    starts_in: float | None
    ready_in: float | None
    waited: float
    progress: TrainingProgress | MulticlassProgress | None
    fraction: float = 0.0


class TrainingJob:
    """One training: queued, running in the queue's worker thread, or finished.

    Parameters
    ----------
    name : str
        For the log and the worker thread.
    train : callable ``(progress, waiting) -> result``, optional
        The training; it calls ``progress(update)`` as it goes and ``waiting(seconds)`` while
        another process holds the cache's lock. None for a job made by :meth:`finished`.
    model : str, default "sgd"
        The model's key (or :data:`~core.multiclass.MULTICLASS`), for estimates.
    expected_seconds : float, optional
        How long the training should take, roughly, before any training of this model was
        timed: it moves the progress bar while the first fits run.
    """

    def __init__(
        self,
        name: str,
        train: Callable[[Callable, Callable], object] | None = None,
        *,
        model: str = SGD,
        expected_seconds: float | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self.expected_seconds = expected_seconds
        self._train = train
        self._finished = threading.Event()
        self._result = None
        self._error: BaseException | None = None
        self._progress: TrainingProgress | None = None
        self._asked = time.monotonic()
        self._started: float | None = None
        self._ended: float | None = None
        self._waiting_since: float | None = None
        self._waited_other: float | None = None
        self._queue: TrainingQueue | None = None
        # What its statuses said last, so that the next never says less done or later.
        self._shown = threading.Lock()
        self._deadline: float | None = None  # time.monotonic() at which it was said to end
        self._shown_fraction = 0.0
        self._fits_elapsed: float | None = None  # elapsed when its last fit ended

    @classmethod
    def finished(cls, name: str, result, *, model: str = SGD) -> TrainingJob:
        """A job that is already done with ``result`` (read from the cache)."""
        job = cls(name, model=model)
        job._result = result
        job._started = job._ended = job._asked
        job._finished.set()
        return job

    def run(self) -> None:
        """Run the training in the calling thread (the queue's worker) and record its end."""
        threading.current_thread().name = self.name  # the log and the import check name it
        self._started = time.monotonic()
        try:
            self._result = self._train(self._record, self._wait)
        except BaseException as exc:  # noqa: BLE001 - kept for result() to raise
            log.exception("training %s failed", self.name)
            self._error = exc
        finally:
            self._ended = time.monotonic()
            self._finished.set()

    def _record(self, update: TrainingProgress) -> None:
        self._waiting_since = None
        before = self._progress
        if update.fraction > (0.0 if before is None else before.fraction):
            self._fits_elapsed = update.elapsed
        self._progress = update

    def extrapolated_seconds(self) -> float | None:
        """The training's whole time as the fits done so far suggest: the time at which the
        last of them ended over their share (not the time of the latest report, which grows
        while the next fit runs). None before a fit has ended."""
        progress = self._progress
        if progress is None or progress.fraction <= 0 or self._fits_elapsed is None:
            return None
        return self._fits_elapsed / progress.fraction

    def settled_remaining(self, estimate: float | None, now: float) -> float | None:
        """``estimate`` (seconds left, or None) made never to grow from one status to the
        next: the earliest end said so far is kept."""
        with self._shown:
            if estimate is None and self._deadline is None:
                return None
            deadline = now + estimate if estimate is not None else self._deadline
            if self._deadline is not None:
                deadline = min(deadline, self._deadline)
            self._deadline = deadline
            return max(deadline - now, 0.0)

    def settled_fraction(self, expected: float | None, now: float) -> float:
        """The progress bar's share, never less than before: the fits done, plus part of the
        next fit's share by the time since the last fit ended against ``expected`` seconds for
        the whole training. That part never reaches the next fit's end (the bar slows down
        rather than claim a fit that has not ended), however wrong ``expected`` is."""
        progress = self._progress
        fraction = 0.0 if progress is None else progress.fraction
        if self._started is not None and expected and fraction < 1:
            n_fits = 4 if progress is None else progress.n_fits
            step = 1 / n_fits
            since = now - self._started - (self._fits_elapsed or 0.0)
            ratio = max(since, 0.0) / (expected * step)
            # Half the share when the fit has run its expected time, then ever slower: a bar on
            # a machine busier than expected keeps moving, and never reaches the fit's end.
            fraction += step * min(ratio / (1 + ratio), RUNNING_CAP)
        with self._shown:
            self._shown_fraction = max(self._shown_fraction, min(fraction, 1.0))
            return self._shown_fraction

    def _wait(self, seconds: float) -> None:
        self._waiting_since = time.monotonic() - seconds
        self._waited_other = seconds

    @property
    def progress(self) -> TrainingProgress | None:
        """The latest progress reported, or None before the first (and on a cache hit)."""
        return self._progress

    @property
    def started_at(self) -> float | None:
        """``time.monotonic()`` when its training started, or None before."""
        return self._started

    @property
    def ended_at(self) -> float | None:
        """``time.monotonic()`` when its training ended, or None before."""
        return self._ended

    @property
    def waited_for_other_process(self) -> float | None:
        """Seconds it waited for another process training the same model (the last poll's
        count), or None when it never did."""
        return self._waited_other

    @property
    def status(self) -> JobStatus:
        """Its state, place in line and estimates (see :class:`JobStatus`)."""
        if self._queue is not None and not self.done:
            return self._queue.status_of(self)
        return self._own_status()

    def _own_status(self) -> JobStatus:
        now = time.monotonic()
        if self.done:
            state = DONE if self._error is None else FAILED
            return JobStatus(
                state,
                0,
                0,
                None,
                None,
                self._ended - self._started,
                self._progress,
                1.0 if state == DONE else self._shown_fraction,
            )
        if self._started is None:
            return JobStatus(QUEUED, 1, 0, None, None, now - self._asked, self._progress)
        if self._waiting_since is not None:
            return JobStatus(WAITING, 0, 0, None, None, now - self._waiting_since, None)
        expected = self.extrapolated_seconds() or self.expected_seconds
        return JobStatus(
            TRAINING,
            0,
            0,
            None,
            None,
            now - self._started,
            self._progress,
            self.settled_fraction(expected, now),
        )

    @property
    def done(self) -> bool:
        """Whether the training has finished, successfully or not."""
        return self._finished.is_set()

    @property
    def error(self) -> BaseException | None:
        """The exception the training raised, or None."""
        return self._error

    @property
    def succeeded(self) -> bool:
        """Whether the training has finished without an error."""
        return self.done and self._error is None

    def result(self, timeout: float | None = None):
        """Wait up to ``timeout`` seconds (None: for ever) and return the result.

        Raises
        ------
        TimeoutError
            When the training is still running after ``timeout`` seconds.
        Exception
            The training's own exception, when it failed.
        """
        if not self._finished.wait(timeout):
            raise TimeoutError(f"training {self.name} still running after {timeout} s")
        if self._error is not None:
            raise self._error
        return self._result


class TrainingQueue:
    """First come, first served: one training at a time in one worker thread.

    The worker starts when a job is added to an empty queue and ends when the queue is empty.
    Estimates come from the seconds of trainings of the same model that this queue has seen
    (:meth:`observe`): the last one, by model.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[TrainingJob] = deque()
        self._running: TrainingJob | None = None
        self._seconds: dict[str, float] = {}

    def add(self, job: TrainingJob) -> None:
        """Put ``job`` at the end of the line."""
        with self._lock:
            job._queue = self
            self._waiting.append(job)
            if self._running is None and len(self._waiting) == 1:
                self._running = self._waiting.popleft()
                threading.Thread(target=self._work, name="training-queue", daemon=True).start()

    def observe(self, model: str, seconds: float) -> None:
        """Remember that a training of ``model`` took ``seconds`` (for the estimates)."""
        if seconds > 0:
            with self._lock:
                self._seconds[model] = float(seconds)

    def _work(self) -> None:
        while True:
            job = self._running
            job.run()
            if job.succeeded:
                self.observe(job.model, getattr(job.result(), "seconds", 0.0))
            with self._lock:
                self._running = self._waiting.popleft() if self._waiting else None
                if self._running is None:
                    return

    def _expected(self, job: TrainingJob) -> float | None:
        """The running ``job``'s whole time: as the last training of its model took, else as
        its fits done so far suggest."""
        known = self._seconds.get(job.model)
        return known if known is not None else job.extrapolated_seconds()

    def _remaining(self, job: TrainingJob, now: float) -> float | None:
        """Estimated seconds until the running ``job`` ends (never more than said before)."""
        known = self._expected(job)
        elapsed = 0.0 if job.started_at is None else now - job.started_at
        estimate = None if known is None else max(known - elapsed, 0.0)
        return job.settled_remaining(estimate, now)

    def status_of(self, job: TrainingJob) -> JobStatus:
        """``job``'s status with its place in this line and the estimates."""
        now = time.monotonic()
        with self._lock:
            running = self._running
            waiting = list(self._waiting)
            seconds = dict(self._seconds)
        if job not in waiting:
            own = job._own_status()
            if own.state in (QUEUED, DONE, FAILED):  # between two steps of the worker
                return own
            if own.state != TRAINING:
                return own
            remaining = self._remaining(job, now)
            fraction = job.settled_fraction(self._expected(job) or job.expected_seconds, now)
            return JobStatus(TRAINING, 0, 0, None, remaining, own.waited, own.progress, fraction)
        place = waiting.index(job) + 1
        ahead = waiting[: place - 1]
        starts_in = 0.0 if running is None else self._remaining(running, now)
        for other in ahead:
            if starts_in is None or other.model not in seconds:
                starts_in = None
                break
            starts_in += seconds[other.model]
        own_seconds = seconds.get(job.model)
        ready_in = None if starts_in is None or own_seconds is None else starts_in + own_seconds
        ready_in = job.settled_remaining(ready_in, now)
        return JobStatus(
            QUEUED,
            place,
            len(ahead) + (running is not None),
            starts_in,
            ready_in,
            now - job._asked,
            None,
        )


class JobRegistry:
    """Process-wide, thread-safe trainings: one job per (dataset, digit, model), one queue.

    Parameters
    ----------
    cache_dir : path-like, optional
        Passed on to the trainings (default: :func:`core.cache.default_cache_dir`).

    Notes
    -----
    A job stays registered after it finished, so every page asking for the same key sees the
    same result; a failed one is replaced by a new job, at the end of the line, when asked
    again (a retry).
    """

    def __init__(self, *, cache_dir=None) -> None:
        self._cache_dir = cache_dir
        self._jobs: dict[tuple, TrainingJob] = {}
        self._lock = threading.Lock()
        self._queue = TrainingQueue()

    def _train(self, dataset: Dataset, digit: int, model: str, progress, waiting):
        if model == SGD:
            return train_detector(
                dataset, digit=digit, cache_dir=self._cache_dir, progress=progress, waiting=waiting
            )
        return train_model(
            dataset,
            digit=digit,
            model=model,
            cache_dir=self._cache_dir,
            progress=progress,
            waiting=waiting,
        )

    def _load(self, dataset: Dataset, digit: int, model: str):
        result = (
            load_detector(dataset, digit=digit, cache_dir=self._cache_dir)
            if model == SGD
            else load_model(dataset, digit=digit, model=model, cache_dir=self._cache_dir)
        )
        if result is not None:  # its cold training time is the best estimate of the next
            self._queue.observe(model, result.seconds)
        return result

    def _key(self, dataset: Dataset, digit, model) -> tuple:
        return (dataset.fingerprint, check_digit(digit), model_spec(model).key)

    def job(self, dataset: Dataset, *, digit: int, model: str = SGD) -> TrainingJob:
        """The job of ``model`` for ``digit``: the one asked for before, a finished one when the
        disk cache has the result, else a new one at the end of the line (also when the last
        one failed)."""
        key = self._key(dataset, digit, model)
        _, digit, model = key
        return self._job_of(
            key,
            name=f"{model}-digit-{digit}",
            model=model,
            load=lambda: self._load(dataset, digit, model),
            train=lambda progress, waiting: self._train(dataset, digit, model, progress, waiting),
            expected_seconds=model_spec(model).expected_seconds(
                n_train=dataset.n_train, n_features=dataset.n_features
            ),
        )

    def _job_of(self, key: tuple, *, name: str, model: str, load, train, expected_seconds):
        with self._lock:
            job = self._jobs.get(key)
        if job is not None and not (job.done and job.error is not None):
            return job
        cached = load()
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and current is not job:  # another caller was quicker
                return current
            if cached is not None:
                job = TrainingJob.finished(f"cached-{name}", cached, model=model)
                self._jobs[key] = job
                return job
            job = self._jobs[key] = TrainingJob(
                f"train-{name}", train, model=model, expected_seconds=expected_seconds
            )
            self._queue.add(job)
        return job

    def _ready_of(self, key: tuple, *, name: str, model: str, load):
        with self._lock:
            job = self._jobs.get(key)
        if job is None:
            result = load()
            if result is None:
                return None
            with self._lock:
                job = self._jobs.setdefault(
                    key, TrainingJob.finished(f"cached-{name}", result, model=model)
                )
        return job.result() if job.succeeded else None

    def existing(self, dataset: Dataset, *, digit: int, model: str = SGD) -> TrainingJob | None:
        """The job asked for before (running, queued, finished or failed), or None. Never
        trains, never reads the disk."""
        key = self._key(dataset, digit, model)
        with self._lock:
            return self._jobs.get(key)

    def ready(self, dataset: Dataset, *, digit: int, model: str = SGD):
        """The finished result, from memory or the disk cache; None otherwise. Never trains."""
        key = self._key(dataset, digit, model)
        _, digit, model = key
        return self._ready_of(
            key,
            name=f"{model}-digit-{digit}",
            model=model,
            load=lambda: self._load(dataset, digit, model),
        )

    # --- the chapter's multiclass SGD: one job per data, in the same line --------------------

    def _load_multiclass(self, dataset: Dataset):
        result = load_multiclass(dataset, cache_dir=self._cache_dir)
        if result is not None:
            self._queue.observe(MULTICLASS, result.seconds)
        return result

    def multiclass_job(self, dataset: Dataset) -> TrainingJob:
        """The job of the multiclass training (:func:`core.multiclass.train_multiclass`): the
        one asked for before, a finished one when the disk cache has it, else a new one at the
        end of the line, behind the detectors asked for before it (also when the last failed).
        Its progress is a :class:`~core.multiclass.MulticlassProgress`."""
        return self._job_of(
            (dataset.fingerprint, None, MULTICLASS),
            name=MULTICLASS,
            model=MULTICLASS,
            load=lambda: self._load_multiclass(dataset),
            train=lambda progress, waiting: train_multiclass(
                dataset, cache_dir=self._cache_dir, progress=progress, waiting=waiting
            ),
            expected_seconds=expected_multiclass_seconds(
                n_train=dataset.n_train, n_features=dataset.n_features
            ),
        )

    def existing_multiclass(self, dataset: Dataset) -> TrainingJob | None:
        """The multiclass job asked for before, or None. Never trains, never reads the disk."""
        with self._lock:
            return self._jobs.get((dataset.fingerprint, None, MULTICLASS))

    def multiclass_ready(self, dataset: Dataset):
        """The finished :class:`~core.multiclass.MulticlassResult`, from memory or the disk
        cache; None otherwise. Never trains."""
        return self._ready_of(
            (dataset.fingerprint, None, MULTICLASS),
            name=MULTICLASS,
            model=MULTICLASS,
            load=lambda: self._load_multiclass(dataset),
        )
