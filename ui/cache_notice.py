"""The notice that trained detectors cannot be kept: the cache directory cannot be written.

Without it a server restart silently costs a training per digit again, with only a line in the
server's log. The home page and the page that trains say so, plainly, in one warning each.
"""

from __future__ import annotations

import streamlit as st

from core.cache import CacheStatus, cache_status
from core.formatting import unwritable_cache

_STATUS_KEY = "cache_status"  # session state: the cache's status, checked once per session


def cache_notice_text(status: CacheStatus) -> str:
    """Where the cache is, why it cannot be written and what that costs, in one sentence."""
    where_and_why = unwritable_cache(status)
    return (
        f"{where_and_why[:1].upper()}{where_and_why[1:]}: trained detectors are not kept, so "
        "each server restart trains again (about half a minute per digit on full MNIST)."
    )


def show_cache_notice() -> None:
    """A warning when the cache cannot be written; nothing when it can.

    The directory is probed once per session (a small file written and removed).
    """
    status = st.session_state.get(_STATUS_KEY)
    if status is None:
        status = st.session_state[_STATUS_KEY] = cache_status()
    if not status.writable:
        st.warning(cache_notice_text(status), icon=":material/warning:")
