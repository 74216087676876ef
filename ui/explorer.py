"""The live threshold explorer: one ``st.components.v2`` component, counted in the browser.

Its JavaScript and CSS are the files of ``ui/components/threshold_explorer/`` (plain ES
modules, no build step). Streamlit serves a component's files from the ``asset_dir`` that an
installed package declares in a ``pyproject.toml``; the project is installed (``pip install -e
.``) and ``ui/components/pyproject.toml`` declares that folder.

A page mounts it with :func:`explorer_section`: the scored set's payload once (bytes that
never change, so Streamlit's message cache serves every rerun after the first: a ladder of
scores with their counts, :mod:`core.explorer`, whose size does not grow with the rows), the
server's threshold with the ladder's scores around it and the settings the figures rest on
(prevalence, costs, and what the server computes over every score at them) in a second, small
mount, and a third mount in a fragment of its own that answers the explorer's requests for more
of the ladder (a zoomed view, the neighbours of a threshold the keys step past): only that
fragment reruns for them. The component calls ``on_release`` only when a drag, a key burst or a
click ends; the value is then in ``st.session_state[key]["release"]``.
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
    window: dict | None = None,
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
    window : dict or None
        The ladder's scores around ``threshold`` (:func:`position_window`), so that the
        explorer counts there exactly at once.

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
                    **({"window": window} if window is not None else {}),
                }
            },
        )
        mount(key=key, data=payload, on_release_change=on_release)


#: Neighbouring scores sent with the server's position, either side.
POSITION_NEIGHBOURS = 64


@st.cache_resource(max_entries=20, show_spinner=False)
def explorer_payload_for(
    fingerprint: str, nouns, group_names: tuple[str, ...], _data, _groups=()
) -> tuple[bytes, dict]:
    """The explorer's bytes for one scored set and their header, built once per server.

    Keyed on the set's fingerprint (which names its content and how it was read), its nouns
    and its groups' names; the same bytes on every rerun, so Streamlit sends them once per
    browser and its cache after that.
    """
    from core.explorer import decode_payload, encode_payload, explorer_payload

    blocks = explorer_blocks_for(fingerprint, group_names, _data, _groups)
    blob = encode_payload(explorer_payload(_data, nouns=nouns, groups=_groups, blocks=blocks))
    return blob, decode_payload(blob)[0]


@st.cache_resource(max_entries=64, show_spinner=False)
def _settings_figures(fingerprint: str, group_names, prevalence, fp_cost, fn_cost, _data):
    from core.explorer import settings_figures

    return settings_figures(_data, prevalence=prevalence, fp_cost=fp_cost, fn_cost=fn_cost)


def _with_figures(settings: dict, fingerprint: str, group_names, data) -> dict:
    """The settings with what the server computes over every score at them."""
    from core.formatting import json_number

    figures = _settings_figures(
        fingerprint,
        group_names,
        settings.get("prevalence"),
        settings.get("fpCost"),
        settings.get("fnCost"),
        data,
    )
    least = None
    if figures.least_cost is not None:
        threshold = figures.least_cost_threshold
        least = {
            "threshold": threshold if math.isfinite(threshold) else None,  # None: flag nothing
            "cost": json_number(figures.least_cost),
        }
    return {
        **settings,
        "averagePrecision": json_number(figures.average_precision),
        "leastCost": least,
    }


def _ladder_json(window) -> dict:
    """A window's ladder as plain lists (exact: JSON writes each float's shortest repr)."""
    return {name: array.tolist() for name, array in window.arrays.items()}


@st.cache_resource(max_entries=20, show_spinner=False)
def explorer_blocks_for(fingerprint: str, group_names: tuple[str, ...], _data, _groups=()):
    """The score indexes windows are counted from (:func:`core.explorer.explorer_blocks`),
    built once per server and scored set."""
    from core.explorer import explorer_blocks

    return explorer_blocks(_data, groups=_groups)


def position_window(blocks, threshold: float) -> dict:
    """The ladder's scores around ``threshold`` (:data:`POSITION_NEIGHBOURS` either side) with
    their counts, and each block's counts at ``threshold`` itself (``at``), as the position
    mount carries them."""
    from core.explorer import explorer_window

    window = explorer_window(blocks, threshold=threshold, neighbours=POSITION_NEIGHBOURS)
    return {**_ladder_json(window), "at": {"threshold": threshold, **window.at}}


def window_request(value, payload_id: str) -> dict | None:
    """A request of the explorer for more of the ladder, checked: {seq, threshold, view,
    columns}, or None when ``value`` is none (another payload's, or malformed)."""
    if not isinstance(value, dict) or value.get("id") != payload_id:
        return None
    seq, columns = value.get("seq"), value.get("columns")
    threshold, view = value.get("threshold"), value.get("view")

    def number(v):
        return not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v)

    if not (isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0):
        return None
    if not (isinstance(columns, int) and not isinstance(columns, bool) and columns >= 1):
        return None
    if threshold is not None and not number(threshold):
        return None
    if view is not None and not (
        isinstance(view, list) and len(view) == 2 and all(map(number, view)) and view[0] <= view[1]
    ):
        return None
    return {"seq": seq, "columns": columns, "threshold": threshold, "view": view}


@st.fragment
def _window_channel(key: str, header: dict, blocks) -> None:
    """The window mount: answers the explorer's last request with a window of the ladder.

    In a fragment, so a request reruns only this; the answer stays in the session, so a rerun
    of the page mounts the same bytes (which the explorer has already taken)."""
    from core.explorer import encode_window, explorer_window

    channel, kept = f"{key}_windows", f"{key}_window"
    state = st.session_state.get(channel)
    request = window_request(state.get("need") if state is not None else None, header["id"])
    if request is not None:
        window = explorer_window(
            blocks,
            view=request["view"],
            columns=request["columns"],
            threshold=request["threshold"],
        )
        blob = encode_window(
            window, payload_id=header["id"], seq=request["seq"], blocks=header["blocks"]
        )
        st.session_state[kept] = (header["id"], blob)
    answer = st.session_state.get(kept)
    if answer is not None and answer[0] == header["id"]:
        _mount_function()(key=channel, data=answer[1])
    else:
        _mount_function()(key=channel, data={"windows": header["id"]})


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
    blob, header = explorer_payload_for(fingerprint, nouns, group_names, data, groups)
    blocks = explorer_blocks_for(fingerprint, group_names, data, groups)
    payload_id = header["id"]
    shown, position = f"{key}_shown", f"{key}_position"
    if st.session_state.get(shown) != (payload_id, threshold):
        st.session_state[shown] = (payload_id, threshold)
        st.session_state[position] = st.session_state.get(position, 0) + 1
    threshold_explorer(
        payload=blob,
        payload_id=payload_id,
        threshold=threshold,
        position=st.session_state[position],
        settings=_with_figures(settings, fingerprint, group_names, data),
        key=key,
        on_release=on_release,
        window=position_window(blocks, threshold),
    )
    _window_channel(key, header, blocks)


def note_release(key: str, payload_id: str | None = None) -> float | None:
    """In the release callback: the released threshold, recorded as shown by the explorer."""
    value = release_value(key)
    if value is not None:
        previous = st.session_state.get(f"{key}_shown")
        ident = payload_id or (previous[0] if previous else None)
        st.session_state[f"{key}_shown"] = (ident, value)
    return value
