"""Query parameters <-> widget state, so that a link reproduces a view.

The URL is read into a widget's session-state key only when the URL's text changed from
outside (a pasted link, first load); afterwards the widget is the truth and is written
back to the URL. Corrections of bad values are shown as a note, once.

A URL text this session wrote itself is never read back: Streamlit (1.67) shows a
fragment run's URL change in the address bar only at the next interaction, so the browser
can send an earlier value of ours with a rerun; adopting it would undo the user's move.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from core.params import Parsed, unknown_params
from ui.entry import PAGES_IN_ORDER

_REMEMBERED = 64  # URL texts of ours remembered per key: more than any lag in flight
# The pages' addresses, as the navigation names them.
PAGE_PATHS = tuple(url for _, _, url, _, _ in PAGES_IN_ORDER)


def raw_param(name: str) -> str | None:
    """The URL's text for ``name`` (the last value when repeated), or None."""
    values = st.query_params.get_all(name)
    return values[-1] if values else None


def changed_from_outside(key: str, name: str) -> bool:
    """Whether :func:`adopt` would take the URL's ``name`` into ``key`` now: the key is not set
    yet, or the URL's text changed since the key last saw it and is not one this session
    wrote."""
    raw = raw_param(name)
    ours = st.session_state.get(f"_url_ours_{key}", ())
    seen = st.session_state.get(f"_url_seen_{key}") == raw or raw in ours
    return key not in st.session_state or not seen


def adopt(key: str, name: str, parsed: Parsed) -> str | None:
    """Put the URL's parsed value into ``st.session_state[key]`` when the URL changed.

    Returns the correction note when the URL's value was adopted and had to be corrected.
    """
    if not changed_from_outside(key, name):
        return None
    st.session_state[key] = parsed.value
    st.session_state[f"_url_seen_{key}"] = raw_param(name)
    return parsed.note


def publish(key: str, name: str, value: object) -> None:
    """Write a widget's value to the URL (and remember it as ours, not an outside change)."""
    text = str(value)
    if raw_param(name) != text:
        st.query_params[name] = text
    st.session_state[f"_url_seen_{key}"] = text
    ours = st.session_state.setdefault(f"_url_ours_{key}", [])
    if text not in ours:
        ours.append(text)
        del ours[:-_REMEMBERED]


def unpublish(key: str, name: str) -> None:
    """Take ``name`` out of the URL (its widget is at its default), as a change of ours."""
    if name in st.query_params:
        del st.query_params[name]
    st.session_state[f"_url_seen_{key}"] = None


def show_notes(notes: Sequence[str | None], *, known: Sequence[str]) -> None:
    """Show correction notes, and a note for link parameters the page does not use."""
    extra = unknown_params(list(st.query_params.keys()), known=known)
    for note in [*notes, extra]:
        if note:
            st.info(note, icon=":material/link:")


def app_root() -> str:
    """The app's address in the reader's browser, ending in "/" (the path alone when unknown)."""
    return app_root_of(st.context.url)


def app_root_of(url: str | None) -> str:
    """The app's address, ending in "/", from the address of any of its pages (or None).

    ``http://host:8501/tradeoff`` -> ``http://host:8501/``; under a path prefix,
    ``https://host/te/digits`` -> ``https://host/te/``; None or "" -> ``/``.
    """
    from urllib.parse import urlsplit

    if not url:
        return "/"
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in PAGE_PATHS:  # the address of a page: its parent is the app's
        path = head
    return f"{parts.scheme}://{parts.netloc}{path}/"


def view_link(page: str, params: dict[str, object]) -> str:
    """The full link to ``page`` (one of :data:`PAGE_PATHS`) with ``params``, as a reader would
    paste it."""
    from urllib.parse import urlencode

    if page not in PAGE_PATHS:
        raise ValueError(f"page must be one of {', '.join(PAGE_PATHS)}; got {page!r}")
    query = urlencode({name: str(value) for name, value in params.items()})
    return f"{app_root()}{page}?{query}"


def link_to_this_view(page: str, params: dict[str, object]) -> str:
    """A real link to this view and the same address in a box with a copy button; the link.

    Streamlit shows a fragment's change of the address bar only at the next interaction, so
    the address bar can trail by one move; this link is always exact.
    """
    url = view_link(page, params)
    st.markdown(f"[Link to this view]({url})")
    st.code(url, language=None, wrap_lines=True)
    return url
