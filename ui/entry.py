"""The frame every page runs in (page config, navigation, a guard for errors), and plain errors.

``app.py`` runs :func:`run_app`; every page file starts with :func:`start_page`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import ParamSpec, TypeVar

import streamlit as st

from ui.dataset import prefetch_dataset

log = logging.getLogger("threshold_explorer")

P = ParamSpec("P")
R = TypeVar("R")

HOME = "pages/home.py"
PAGES_IN_ORDER = (
    (
        "pages/digits.py",
        "Digits",
        "digits",
        ":material/grid_view:",
        "browse the images, one large or a whole gallery, by label and split",
    ),
    (
        "pages/train.py",
        "Train",
        "train",
        ":material/model_training:",
        "train the digit detector and see why accuracy is not enough",
    ),
    (
        "pages/confusion.py",
        "Confusion",
        "confusion",
        ":material/table:",
        "read its confusion matrix and look at the digits it gets wrong",
    ),
    (
        "pages/tradeoff.py",
        "Trade-off",
        "tradeoff",
        ":material/tune:",
        "drag the threshold and watch precision, recall and the digits at the cut move",
    ),
    (
        "pages/compare.py",
        "Compare",
        "compare",
        ":material/compare_arrows:",
        "four detectors side by side: ROC, precision-recall, one table",
    ),
    (
        "pages/multiclass.py",
        "All digits",
        "multiclass",
        ":material/dialpad:",
        "one model for all ten digits: accuracy, errors cell by cell, one digit's trade-off",
    ),
    (
        "pages/scores.py",
        "Your scores",
        "scores",
        ":material/upload_file:",
        "any classifier's labels and scores from a file, in the same live explorer",
    ),
)
"""After the home page, in the navigation's order: (file, title, URL path, icon, what it is for)."""

FAVICON = Path(__file__).resolve().parent / "favicon.svg"
"""The page's icon, a file of the app's (Streamlit inlines an SVG as a data URL): a Material
icon there would be fetched from Google's fonts server by every visitor's browser, failing
offline and telling a third party who uses the app."""

_in_frame: ContextVar[bool] = ContextVar("in_app_frame", default=False)


def _navigation_pages() -> list:
    pages = [st.Page(HOME, title="Home", icon=":material/home:", default=True)]
    pages += [
        st.Page(path, title=title, url_path=url, icon=icon)
        for path, title, url, icon, _ in PAGES_IN_ORDER
    ]
    return pages


def run_app() -> None:
    """app.py: run the page the URL names inside the app's frame.

    The frame sets the page config and the navigation, runs the page, turns an exception in it
    into :func:`show_failure` (no traceback reaches a reader) and then
    :func:`freeze_long_lived_objects`. Streamlit's control flow (``st.stop``, ``st.rerun``)
    passes through.
    """
    prefetch_dataset()  # first run of the process only: reads the data while the page imports
    st.set_page_config(page_title="Threshold Explorer", page_icon=FAVICON, layout="wide")
    page = st.navigation(_navigation_pages())
    inside = _in_frame.set(True)
    try:
        page.run()
    except Exception:  # noqa: BLE001 - last line of defence: no traceback reaches a user
        show_failure(f"page {page.title}")
    finally:
        _in_frame.reset(inside)
        freeze_long_lived_objects()


def start_page() -> None:
    """Every page file, first: when Streamlit runs the file on its own, run the frame instead.

    A page file runs from :func:`run_app`'s navigation, and this returns at once, except on a
    fresh server: a ``pages/`` folder beside app.py makes Streamlit treat the app as a legacy
    multipage app until a run calls ``st.navigation``, so the first request that opens
    ``/digits`` runs ``pages/digits.py`` alone (no page config, no error guard, a navigation
    of file names). :func:`run_app` then runs here, within the same script run: its
    ``st.navigation`` ends the legacy mode for every session, as Streamlit documents, and runs
    this page file again inside the frame; this outer run of the file stops there. One run
    draws the page once (an ``st.rerun()`` would show the browser the script finishing, then
    starting again). AppTest starts every test in the legacy mode, so page tests take this
    path too.
    """
    if _in_frame.get():
        return
    run_app()
    st.stop()


PLAIN_ERROR = (
    "Something went wrong on this page. The details are in the server's log; "
    "reloading the page or going back to the previous step usually helps."
)


def show_failure(where: str) -> None:
    """Inside an ``except`` block: log the exception with its traceback, show a plain message.

    The page shows :data:`PLAIN_ERROR` only; the exception's text and traceback go to the
    server's log, never to the reader.
    """
    log.exception("%s failed", where)
    st.error(PLAIN_ERROR, icon=":material/error:")


def guarded(function: Callable[P, R]) -> Callable[P, R | None]:
    """Run ``function`` so that an exception in it becomes :func:`show_failure`, not a crash.

    For code Streamlit runs outside :func:`run_app`'s guard: a fragment's own reruns and widget
    callbacks. Put it under ``@st.fragment``::

        @st.fragment
        @guarded
        def panel(): ...

    Streamlit's control flow (``st.rerun``, ``st.stop``) is not an ``Exception`` and passes.
    """

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return function(*args, **kwargs)
        except Exception:  # noqa: BLE001 - shown plainly, logged in full
            show_failure(function.__qualname__)
            return None
        finally:
            # A fragment's own reruns never reach the end of run_app, which checks this too;
            # a page that only polls a training would otherwise never freeze what the
            # training thread imported.
            freeze_long_lived_objects()

    return wrapper


_FAILED_CALLBACK = "_failed_callback"


def guarded_callback(function: Callable[P, R]) -> Callable[P, R | None]:
    """A widget callback whose exception is logged and reported on the next run.

    What a callback writes to the page is not shown on a fragment's rerun, so the failure is
    kept in the session and :func:`show_callback_failure` shows :data:`PLAIN_ERROR` there.
    """

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return function(*args, **kwargs)
        except Exception:  # noqa: BLE001 - shown plainly on the next run, logged in full
            log.exception("%s failed", function.__qualname__)
            st.session_state[_FAILED_CALLBACK] = True
            return None

    return wrapper


def show_callback_failure() -> None:
    """Where the callbacks' widgets are drawn: say (once) that the last callback failed."""
    if st.session_state.pop(_FAILED_CALLBACK, False):
        st.error(PLAIN_ERROR, icon=":material/error:")


_modules_when_frozen = 0
_FREEZE_AFTER_NEW_MODULES = 25


def freeze_long_lived_objects() -> None:
    """After a full run: ``gc.freeze()`` whenever many modules were imported since the last time.

    Streamlit runs ``gc.collect()`` after every script run, fragment runs included. With
    scikit-learn, Plotly and pandas loaded, that scans every long-lived object on each slider
    step, a large share of the step's server time. Freezing moves the objects that exist now
    (modules, classes, constants) out of the collector's way; objects made later are collected
    as usual. Heavy modules are imported lazily (scikit-learn only once a page needs it, so a
    warm start shows its numbers sooner), hence the check after each full run rather than one
    freeze up front. Collecting first keeps this run's garbage out of the frozen set; that
    costs once what Streamlit's own collection would have cost right after.
    """
    global _modules_when_frozen
    import sys

    if len(sys.modules) - _modules_when_frozen < _FREEZE_AFTER_NEW_MODULES:
        return
    import gc

    gc.collect()
    gc.freeze()
    _modules_when_frozen = len(sys.modules)
