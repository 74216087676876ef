"""What the AppTest tests share: opening a page as a reader would, reading what it shows, and
releasing the trade-off page's explorer (whose JavaScript AppTest cannot run).

The server, the browser and the rest that the benchmarks share too are in ``harness/``.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from harness import ROOT


def open_page(
    script: str | None = None, *, timeout: float = 120, query: dict[str, str] | None = None
) -> AppTest:
    """Run app.py (the entry point) and, when ``script`` is given, switch to that page.

    ``query`` holds the URL's query parameters, as a link would carry them. A training the page
    starts is waited for, as a reader would (see :func:`until_trained`).
    """
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for name, value in (query or {}).items():
        app.query_params[name] = value
    if script is not None:
        app.switch_page(script)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return until_trained(app, timeout_s=timeout)


def training_shown(app: AppTest) -> bool:
    """Whether the page shows a training waiting (a still box) or running (a status)."""
    running = any(status.state == "running" for status in app.get("status"))
    return running or any(m.value.startswith("**Waiting to train ") for m in app.markdown)


def until_trained(app: AppTest, *, timeout_s: float = 120.0) -> AppTest:
    """Run the page again until no training shows as waiting or running; the app.

    In a browser the page reruns by itself when its training ends (a fragment polls it);
    AppTest runs no fragment by itself, so this reruns the page instead.
    """
    import time

    deadline = time.monotonic() + timeout_s
    while training_shown(app):
        assert time.monotonic() < deadline, "a training still shows as waiting or running"
        time.sleep(0.05)
        app.run()
        assert not app.exception, [e.value for e in app.exception]
    return app


def forget_app_caches() -> None:
    """Clear every ``st.cache_data`` and ``st.cache_resource`` of the app: the data read, the
    job registry, the curves. A test then starts as a fresh server would."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def texts(app: AppTest) -> str:
    """All markdown, captions, notes and alerts of the page, as one string to search."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "text",
    ):
        parts += [str(element.value) for element in getattr(app, kind)]
    return "\n".join(parts)


def galleries(app: AppTest) -> list[list[dict]]:
    """The page's digit galleries in order, each a list of thumbnails as
    ``{"index", "caption" (its lines), "alt", "href"}``."""
    import html
    import re

    figure = re.compile(
        r'<figure data-index="(\d+)".*?<a href="([^"]*)".*?<img [^>]*alt="([^"]*)".*?'
        r"<figcaption[^>]*>(.*?)</figcaption>",
        re.S,
    )
    shown = []
    for element in app.get("html"):
        body = element.proto.body
        if 'class="digit-gallery"' not in body:
            continue
        shown.append(
            [
                {
                    "index": int(index),
                    "href": html.unescape(href),
                    "alt": html.unescape(alt),
                    "caption": [html.unescape(line) for line in caption.split("<br>")],
                }
                for index, href, alt, caption in figure.findall(body)
            ]
        )
    return shown


def view_link(app: AppTest) -> str:
    """The page's "Link to this view": the link's address, checked to be the one in the box
    with the copy button beside it."""
    import re

    [link] = [
        match.group(1)
        for m in app.markdown
        for match in [re.fullmatch(r"\[Link to this view\]\((.*)\)", m.value)]
        if match
    ]
    assert link in [code.value for code in app.code], "the link has no copy box"
    return link


def metric_values(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


# --- the trade-off page's explorer (a components-v2 element: AppTest cannot run its JS) -------

EXPLORER_KEY = "tradeoff_explorer"


def explorer_mounts(app: AppTest, key: str = EXPLORER_KEY) -> tuple[dict, bytes, str]:
    """The explorer's position (the server's threshold), its payload and the payload's
    element id, as mounted on the page."""
    import json

    position = payload = None
    for element in app.get("bidi_component"):
        if element.proto.id.endswith(f"-{key}_position"):
            position = element
        elif element.proto.id.endswith(f"-{key}"):
            payload = element
    assert position is not None and payload is not None, "the explorer is not mounted"
    return json.loads(position.proto.json)["position"], payload.proto.bytes, payload.proto.id


def explorer_counts(
    app: AppTest,
    threshold: float | None = None,
    *,
    block: str | None = None,
    key: str = EXPLORER_KEY,
) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) the explorer shows at ``threshold`` (None: the server's position) for
    ``block`` (None: the curve rows pooled), read as its JavaScript reads them: from the
    position's window of the ladder when it fixes the threshold, else from the payload's."""
    import numpy as np

    from core.explorer import decode_payload, ladder_counts

    position, blob, _ = explorer_mounts(app, key)
    header, arrays = decode_payload(blob)
    t = position["threshold"] if threshold is None else threshold
    at = position["window"]["at"]
    window = {
        name: np.asarray(values, dtype=float)
        for name, values in position["window"].items()
        if name != "at"
    }
    try:
        return ladder_counts(header, window, threshold=t, block=block, at=at)
    except ValueError:
        return ladder_counts(header, arrays, threshold=t, block=block)


def ladder_scores(blob: bytes, block: str | None = None) -> tuple:
    """The sorted scores of the positives and of the negatives of ``block`` (None: the curve
    rows pooled), rebuilt from a payload whose ladder holds every distinct score (a small set's):
    each score repeated as many times as the counts drop past it."""
    import numpy as np

    from core.explorer import decode_payload

    header, arrays = decode_payload(blob)
    assert arrays["threshold"].size == header["distinct"], "the ladder is not complete"
    names = [b for b in header["blocks"] if b.startswith("fold")] if block is None else [block]
    tp = sum(arrays[f"{name}_tp"] for name in names)
    fp = sum(arrays[f"{name}_fp"] for name in names)
    drop = lambda flagged: (flagged - np.append(flagged[1:], 0)).astype(int)  # noqa: E731
    return np.repeat(arrays["threshold"], drop(tp)), np.repeat(arrays["threshold"], drop(fp))


def release_explorer(app: AppTest, threshold: float, key: str = EXPLORER_KEY) -> AppTest:
    """Run the page as the browser does when the user lets go of the explorer at ``threshold``.

    AppTest has no driver for components-v2 elements, so this sends the component's trigger
    the way its JavaScript does (``setTriggerValue("release", threshold)``), with the other
    widgets' states, through AppTest's own run.
    """
    import json

    from streamlit.proto.WidgetStates_pb2 import WidgetState
    from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

    _, _, element_id = explorer_mounts(app, key)
    states = app._tree.get_widget_states()
    trigger = WidgetState(id=f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{element_id}__events")
    trigger.json_trigger_value = json.dumps([{"event": "release", "value": threshold}])
    states.widgets.append(trigger)
    app._run(states)
    assert not app.exception, [e.value for e in app.exception]
    return app


# --- score files for the /scores page (generated, seeded; never committed) -------------------


def spam_scores(seed: int = 0, n: int = 400, *, probabilities: bool = True) -> dict[str, list]:
    """A seeded table of a spam filter's scores: ``id``, ``label`` ("spam" / "ham"), ``score``
    (in [0, 1], or log-odds with ``probabilities=False``), ``fold`` (a to c), ``split`` (a
    fifth "test"), ``group`` ("mobile" / "desktop") and ``sender``. Scores have ties."""
    import numpy as np

    rng = np.random.default_rng(seed)
    spam = rng.random(n) < 0.3
    odds = np.round(rng.normal(np.where(spam, 1.2, -1.0), 1.0), 2)
    score = np.round(1 / (1 + np.exp(-odds)), 3) if probabilities else odds
    test = rng.random(n) < 0.2
    return {
        "id": [f"msg{k:04d}" for k in range(n)],
        "label": ["spam" if s else "ham" for s in spam],
        "score": [float(v) for v in score],
        "fold": ["" if t else "abc"[k % 3] for k, t in enumerate(test)],
        "split": ["test" if t else "train" for t in test],
        "group": [("mobile", "desktop")[int(v)] for v in rng.random(n) < 0.4],
        "sender": [f"sender{int(v)}" for v in rng.integers(0, 9, n)],
    }


def csv_bytes(columns: dict[str, list]) -> bytes:
    """A comma-separated file with a header row, from equal-length columns."""
    names = list(columns)
    lines = [",".join(names)]
    for row in zip(*columns.values(), strict=True):
        lines.append(",".join(str(v) for v in row))
    return ("\n".join(lines) + "\n").encode()
