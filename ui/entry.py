"""Make every page run inside app.py's navigation.

Streamlit (checked on 1.67) treats a ``pages/`` folder beside the entry script as the
legacy auto-discovered multipage app until some run calls ``st.navigation``. So the first
request after a server start that opens ``/digits`` directly would run ``pages/digits.py``
alone: no page config, no error guard, file names in the sidebar. Each page calls
:func:`ensure_entry_point` first; in that case it switches the legacy mode off and reruns,
and the rerun goes through app.py like every later one. AppTest starts each run in the
legacy mode too, so page tests take the same path as a real browser.
"""

from __future__ import annotations

import streamlit as st

_ENTERED = "_entered_through_app"


def mark_entered(entered: bool) -> None:
    """app.py: say whether the page now running was reached through its navigation."""
    st.session_state[_ENTERED] = entered


def ensure_entry_point() -> None:
    """Pages: rerun through app.py when Streamlit ran this page file on its own."""
    if st.session_state.get(_ENTERED):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


_frozen = False


def freeze_long_lived_objects() -> None:
    """Once per process: import what every page needs, then ``gc.freeze()``.

    Streamlit runs ``gc.collect()`` after every script run, fragment runs included. With
    scikit-learn, Plotly and pandas loaded that scans about 175,000 long-lived objects and
    took about 100 ms of each slider step (measured by bench/bench_tradeoff.py --profile).
    Freezing moves the objects that exist now (modules, classes, constants) out of the
    collector's way; objects made later are collected as usual. Only once: freezing on every
    run would keep each run's garbage forever.
    """
    global _frozen
    if _frozen:
        return
    import gc

    import core.charts  # noqa: F401 - heavy imports every page uses, loaded before freezing
    import core.detector  # noqa: F401
    import core.tradeoff  # noqa: F401

    gc.freeze()
    _frozen = True
