"""The dataset as the app sees it: loaded once per server process, with a plain notice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
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


class DatasetPrefetch:
    """Reads the data once, in a thread started early; the first :meth:`take` gets that read.

    Gunzipping and hashing MNIST release the GIL while importing Plotly and the pages holds
    it, so on a server's first page the two overlap. Later takes (after the app's cache of the
    dataset was cleared) read afresh in the caller's thread.

    Parameters
    ----------
    load : callable, default :func:`core.data.load_dataset`
    """

    def __init__(self, load: Callable[[], Dataset] = load_dataset) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._future: Future | None = None
        self._started = False

    def start(self) -> None:
        """Start the read in a daemon thread; only the first call does anything."""
        with self._lock:
            if self._started:
                return
            self._started = True
            future: Future = Future()
            self._future = future

        def read() -> None:
            try:
                future.set_result(self._load())
            except BaseException as exc:  # noqa: BLE001 - handed to take(), which raises it
                future.set_exception(exc)

        threading.Thread(target=read, name="dataset-prefetch", daemon=True).start()

    def take(self) -> Dataset:
        """The prefetched dataset the first time (waiting for it), else a fresh read."""
        with self._lock:
            future, self._future = self._future, None
        return future.result() if future is not None else self._load()


_PREFETCH = DatasetPrefetch()


def prefetch_dataset() -> None:
    """Once per process: start reading the data in a thread, to overlap the pages' imports."""
    _PREFETCH.start()


@st.cache_resource(show_spinner="Loading the digits…")
def _load() -> LoadedDataset:
    try:
        return LoadedDataset(_PREFETCH.take(), None)
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


def show_description(dataset: Dataset) -> None:
    """The dataset's description as text to read: OpenML's (markdown) rendered, scikit-learn's
    small set's (reStructuredText) as its plain lines, without the reST label."""
    if dataset.is_fallback:
        lines = [line for line in dataset.description.splitlines() if not line.startswith(".. _")]
        st.text("\n".join(lines).strip())
    else:
        st.markdown(dataset.description)


def dataset_details(dataset: Dataset) -> None:
    """What the notebook prints in cell [3], in an expander: source, sizes, names, description."""
    with st.expander("About this dataset (what the notebook prints in cell [3])"):
        height, width = dataset.image_shape
        st.markdown(
            f"**{dataset.name}**, from {dataset.location} (source: {dataset.source})  \n"
            f"data: {dataset.n_samples:,} × {dataset.n_features} · target: {dataset.n_samples:,} "
            f"labels · images {height}×{width}  \n"
            f"url: {dataset.url}"
        )
        names = dataset.feature_names
        st.markdown(
            f"**Feature names** ({len(names)}): `{names[0]}`, `{names[1]}`, … `{names[-1]}`"
        )
        st.markdown(f"**Target names**: {', '.join(f'`{n}`' for n in dataset.target_names)}")
        st.markdown("**First labels**: " + " ".join(str(v) for v in dataset.labels[:10]) + " …")
        st.markdown("**Description**")
        show_description(dataset)
        st.markdown("**Details**")
        if dataset.details:
            st.json(dataset.details, expanded=False)
        else:
            st.caption("Not known for this source (OpenML's details come with an OpenML download).")
