"""Trainings in background threads for the app: one job per (data, digit, model), shared by all.

A page asks the process's :class:`JobRegistry` for a job and polls its :attr:`TrainingJob.progress`
(a worker thread cannot talk to Streamlit). The ``"sgd"`` model is the notebook's detector
(:func:`core.detector.train_detector`, a :class:`~core.detector.DetectorResult`); the others
are :func:`core.compare.train_model`'s (a :class:`~core.compare.ModelResult`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from core.compare import load_model, train_model
from core.data import Dataset
from core.detector import load_detector, train_detector
from core.engine import TrainingProgress
from core.models import SGD, model_spec
from core.validation import check_digit

log = logging.getLogger(__name__)


class TrainingJob:
    """One training running (or finished) in a daemon thread.

    Parameters
    ----------
    name : str
        The thread's name.
    train : callable ``progress -> result``
        The training; it calls ``progress(update)`` as it goes.
    """

    def __init__(self, name: str, train: Callable[[Callable], object] | None = None) -> None:
        self.name = name
        self._finished = threading.Event()
        self._result = None
        self._error: BaseException | None = None
        self._progress: TrainingProgress | None = None
        if train is not None:
            threading.Thread(target=self._run, args=(train,), name=name, daemon=True).start()

    @classmethod
    def finished(cls, name: str, result) -> TrainingJob:
        """A job that is already done with ``result`` (read from the cache)."""
        job = cls(name)
        job._result = result
        job._finished.set()
        return job

    def _run(self, train: Callable[[Callable], object]) -> None:
        try:
            self._result = train(self._record)
        except BaseException as exc:  # noqa: BLE001 - kept for result() to raise
            log.exception("training %s failed", self.name)
            self._error = exc
        finally:
            self._finished.set()

    def _record(self, update: TrainingProgress) -> None:
        self._progress = update

    @property
    def progress(self) -> TrainingProgress | None:
        """The latest progress reported, or None before the first (and on a cache hit)."""
        return self._progress

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


class JobRegistry:
    """Process-wide, thread-safe trainings: one job per (dataset, digit, model).

    Parameters
    ----------
    cache_dir : path-like, optional
        Passed on to the trainings (default: :func:`core.cache.default_cache_dir`).

    Notes
    -----
    A job stays registered after it finished, so every page asking for the same key sees the
    same result; a failed one is replaced by a new job when asked again (a retry).
    """

    def __init__(self, *, cache_dir=None) -> None:
        self._cache_dir = cache_dir
        self._jobs: dict[tuple, TrainingJob] = {}
        self._lock = threading.Lock()

    def _train(self, dataset: Dataset, digit: int, model: str, progress):
        if model == SGD:
            return train_detector(
                dataset, digit=digit, cache_dir=self._cache_dir, progress=progress
            )
        return train_model(
            dataset, digit=digit, model=model, cache_dir=self._cache_dir, progress=progress
        )

    def _load(self, dataset: Dataset, digit: int, model: str):
        if model == SGD:
            return load_detector(dataset, digit=digit, cache_dir=self._cache_dir)
        return load_model(dataset, digit=digit, model=model, cache_dir=self._cache_dir)

    def job(self, dataset: Dataset, *, digit: int, model: str = SGD) -> TrainingJob:
        """The job training ``model`` for ``digit``, started in a daemon thread if new (or if
        the last one failed)."""
        digit = check_digit(digit)
        model = model_spec(model).key
        key = (dataset.fingerprint, digit, model)
        with self._lock:
            job = self._jobs.get(key)
            if job is None or (job.done and job.error is not None):
                job = self._jobs[key] = TrainingJob(
                    f"train-{model}-digit-{digit}",
                    lambda progress: self._train(dataset, digit, model, progress),
                )
        return job

    def ready(self, dataset: Dataset, *, digit: int, model: str = SGD):
        """The finished result, from memory or the disk cache; None otherwise. Never trains."""
        digit = check_digit(digit)
        model = model_spec(model).key
        key = (dataset.fingerprint, digit, model)
        with self._lock:
            job = self._jobs.get(key)
        if job is None:
            result = self._load(dataset, digit, model)
            if result is None:
                return None
            with self._lock:
                job = self._jobs.setdefault(
                    key, TrainingJob.finished(f"cached-{model}-digit-{digit}", result)
                )
        return job.result() if job.succeeded else None
