"""Make every page run inside app.py's navigation, and keep pages' errors plain."""

from __future__ import annotations

import functools
import logging
import types
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st

_ENTERED = "_entered_through_app"
log = logging.getLogger("threshold_explorer")

P = ParamSpec("P")
R = TypeVar("R")

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

    For code Streamlit runs outside app.py's guard: a fragment's own reruns and widget
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
            # A fragment's own reruns never reach the end of app.py, which checks this too;
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


def mark_entered(entered: bool) -> None:
    """app.py: say whether the page now running was reached through its navigation."""
    st.session_state[_ENTERED] = entered


def ensure_entry_point() -> None:
    """Pages, first: when Streamlit ran this page file on its own, run app.py in its place.

    Streamlit 1.67 treats a ``pages/`` folder beside the entry script as a legacy multipage
    app until a run calls ``st.navigation`` (``PagesManager.__init__`` sets
    ``uses_pages_directory``; ``ScriptRunner`` then runs ``_mpa_v1``), and nothing of the app
    runs before a server's first session. So the first request after a server start that
    opens ``/digits`` runs ``pages/digits.py`` alone: no page config, no error guard. App.py
    runs here instead, within the same script run, as that legacy mode runs it for ``/`` (an
    ``st.rerun()`` would show the browser the script finishing, then starting again); its
    ``st.navigation`` switches the legacy mode off for every later run, and this page file's
    own run stops. AppTest starts each test in the legacy mode, so page tests take this path.
    """
    if st.session_state.get(_ENTERED):
        return
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    pages = ctx.pages_manager
    app = types.ModuleType("__main__")
    app.__file__ = pages.main_script_path
    with ctx.run_with_active_hash(pages.main_script_hash):
        exec(pages.get_page_script_byte_code(pages.main_script_path), app.__dict__)  # noqa: S102
    st.stop()


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
