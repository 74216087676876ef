"""The dataset as the app sees it: loaded once per server process, with a plain notice."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass

import streamlit as st

from core.data import Dataset, load_dataset, load_fallback_dataset

log = logging.getLogger(__name__)

UNEXPECTED_PROBLEM = "an unexpected error (the details are in the server's log)"


@dataclass(frozen=True)
class LoadedDataset:
    """The dataset to use, plus why it is not MNIST when it is not."""

    dataset: Dataset
    problem: str | None  # MNIST_DATA was set but could not be read


_prefetch_lock = threading.Lock()
_prefetch: Future | None = None
_prefetch_started = False


def prefetch_dataset() -> None:
    """Once per process: start reading the data in a thread, to overlap the pages' imports.

    Gunzipping and hashing MNIST release the GIL while importing Plotly and the pages holds
    it, so on a server's first page the two overlap (about 0.2 s of a warm start). The first
    :func:`_load` takes the result; later loads (after ``_load.clear()``) read afresh.
    """
    global _prefetch, _prefetch_started
    with _prefetch_lock:
        if _prefetch_started:
            return
        _prefetch_started = True
        future: Future = Future()
        _prefetch = future

    def read() -> None:
        try:
            future.set_result(load_dataset())
        except BaseException as exc:  # noqa: BLE001 - handed to _load, which reports it
            future.set_exception(exc)

    threading.Thread(target=read, name="dataset-prefetch", daemon=True).start()


def _prefetched_or_load() -> Dataset:
    global _prefetch
    with _prefetch_lock:
        future, _prefetch = _prefetch, None
    return future.result() if future is not None else load_dataset()


@st.cache_resource(show_spinner="Loading the digits…")
def _load() -> LoadedDataset:
    try:
        return LoadedDataset(_prefetched_or_load(), None)
    except ValueError as exc:
        # A broken MNIST_DATA must not take the app down: say what is wrong, use the small set.
        log.warning("MNIST could not be loaded: %s", exc)
        return LoadedDataset(load_fallback_dataset(), str(exc))
    except Exception:  # noqa: BLE001 - nor may an unforeseen failure (logged in full)
        log.exception("MNIST could not be loaded")
        return LoadedDataset(load_fallback_dataset(), UNEXPECTED_PROBLEM)


def get_dataset() -> Dataset:
    """The app's dataset (cached for the server's life), showing a notice when it is not MNIST."""
    loaded = _load()
    if loaded.problem:
        st.error(f"MNIST could not be read: {loaded.problem}", icon=":material/error:")
    if loaded.dataset.notice:
        st.warning(loaded.dataset.notice, icon=":material/info:")
    return loaded.dataset


def dataset_status_line(dataset: Dataset) -> str:
    """One line for the home page: where the digits come from and how many there are."""
    where = {
        "idx": "MNIST from local IDX files",
        "cache": "MNIST from the local cache of an OpenML download",
        "openml": "MNIST, downloaded from OpenML",
        "fallback": "scikit-learn's small 8×8 digits (fallback)",
    }.get(dataset.source, dataset.source)
    height, width = dataset.image_shape
    return (
        f"{where}: {dataset.n_samples:,} digits of {height}×{width} pixels, "
        f"{dataset.n_train:,} for training and {dataset.n_test:,} for testing."
    )
