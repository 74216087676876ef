"""The live threshold explorer: one ``st.components.v2`` component, counted in the browser.

Its JavaScript and CSS are the files of ``ui/components/threshold_explorer/`` (plain ES
modules, no build step). Streamlit serves a component's files from the ``asset_dir`` that an
installed package declares in a ``pyproject.toml``; the project is installed (``pip install -e
.``) and ``ui/components/pyproject.toml`` declares that folder.

A page mounts it with :func:`threshold_explorer`: the detector's payload once (bytes that never
change, so Streamlit's message cache serves every rerun after the first), and the server's
threshold and the settings the figures rest on (prevalence, costs) beside it in a second, tiny
mount. The component calls ``on_release`` only when a
drag, a key burst or a click ends; the value is then in ``st.session_state[key]["release"]``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import streamlit as st

# "<project name>.<component name>", as ui/components/pyproject.toml declares them.
COMPONENT = "threshold-explorer.explorer"


@functools.cache
def _mount_function():
    """The explorer's mount function, declared once per process, at its first mount.

    Declared within a script run, so that its files are looked up in the ``asset_dir`` Streamlit
    found when its server started; Streamlit declares it again on a runtime that lacks it
    (AppTest starts one per test). A second declaration racing the first is the same.
    """
    return st.components.v2.component(COMPONENT, js="explorer.js", css="explorer.css")


def release_value(key: str) -> float | None:
    """The threshold the explorer ``key`` was released at in this run, or None."""
    state = st.session_state.get(key)
    value = state.get("release") if state is not None else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def threshold_explorer(
    *,
    payload: bytes,
    payload_id: str,
    threshold: float,
    position: int,
    settings: dict,
    key: str,
    on_release: Callable[[], None],
) -> None:
    """Mount the explorer of one detector.

    Parameters
    ----------
    payload : bytes
        :func:`core.explorer.encode_payload` of the detector; the same bytes on every rerun.
    payload_id : str
        The payload header's ``id``.
    threshold : float
        The server's threshold; finite.
    position : int
        Raised whenever the server moves the threshold itself (picker, number, link, digit);
        a rerun with the same ``position`` never moves the explorer, so a release answered
        late cannot pull back a threshold the user is already dragging elsewhere.
    settings : dict
        ``prevalence`` (the digit's share where the detector will be used, or None for the
        training share), ``fpCost`` and ``fnCost`` (None: no cost curve). Applied whenever
        they change, without moving the threshold.
    key : str
        The component's key; the position's mount uses ``key + "_position"``.
    on_release : callable
        Called (as a widget callback) when the user releases the threshold.

    Raises
    ------
    ValueError
        When ``threshold`` is not finite or ``payload`` is not bytes.
    """
    if not isinstance(payload, bytes):
        raise ValueError(f"payload must be bytes, got {type(payload).__name__}")
    if not math.isfinite(threshold):
        raise ValueError(f"threshold must be finite, got {threshold!r}")
    mount = _mount_function()
    with st.container(gap=None):
        mount(
            key=f"{key}_position",
            data={
                "position": {
                    "id": payload_id,
                    "threshold": threshold,
                    "seq": position,
                    "settings": settings,
                }
            },
        )
        mount(key=key, data=payload, on_release_change=on_release)


@st.cache_resource(max_entries=20, show_spinner=False)
def explorer_payload_for(
    fingerprint: str, nouns, group_names: tuple[str, ...], _data, _groups=()
) -> tuple[bytes, str]:
    """The explorer's bytes for one scored set and their id, built once per server.

    Keyed on the set's fingerprint (which names its content and how it was read), its nouns
    and its groups' names; the same bytes on every rerun, so Streamlit sends them once per
    browser and its cache after that.
    """
    from core.explorer import decode_payload, encode_payload, explorer_payload

    blob = encode_payload(explorer_payload(_data, nouns=nouns, groups=_groups))
    return blob, decode_payload(blob)[0]["id"]


def explorer_section(
    data,
    *,
    fingerprint: str,
    nouns,
    groups=(),
    threshold: float,
    settings: dict,
    key: str,
    on_release,
) -> None:
    """Mount the explorer at ``threshold``, telling it only when the server moved it.

    ``nouns`` (:class:`core.explorer.ExplorerNouns`) name the rows; ``groups``
    (:func:`core.groups.group_indexes`) add the live per-group table.

    ``st.session_state[key + "_shown"]`` is what the explorer shows as far as the server
    knows: a release sets it (the explorer is already there), anything else that changes the
    threshold (a picker, the exact number, a link, another digit) raises the position, which
    moves the explorer.
    """
    group_names = tuple(name for name, _ in groups)
    blob, payload_id = explorer_payload_for(fingerprint, nouns, group_names, data, groups)
    shown, position = f"{key}_shown", f"{key}_position"
    if st.session_state.get(shown) != (payload_id, threshold):
        st.session_state[shown] = (payload_id, threshold)
        st.session_state[position] = st.session_state.get(position, 0) + 1
    threshold_explorer(
        payload=blob,
        payload_id=payload_id,
        threshold=threshold,
        position=st.session_state[position],
        settings=settings,
        key=key,
        on_release=on_release,
    )


def note_release(key: str, payload_id: str | None = None) -> float | None:
    """In the release callback: the released threshold, recorded as shown by the explorer."""
    value = release_value(key)
    if value is not None:
        previous = st.session_state.get(f"{key}_shown")
        ident = payload_id or (previous[0] if previous else None)
        st.session_state[f"{key}_shown"] = (ident, value)
    return value
