"""What the tests share: the project's paths, the real MNIST's files, AppTest helpers, and the
harness that starts the app in a server and drives it in Chromium (the benchmarks use it too).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.idx import IDX_FILES

ROOT = Path(__file__).resolve().parents[1]


def missing_idx_files(directory: Path) -> list[str]:
    """The standard IDX files (gzipped or not) that ``directory`` lacks."""
    return [
        name
        for name in IDX_FILES
        if not (directory / name).is_file() and not (directory / f"{name}.gz").is_file()
    ]


# --- AppTest ---------------------------------------------------------------------------------


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


def metric_values(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


# --- a server and a browser ------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(*, script: str = "app.py", env: dict[str, str], log_name: str):
    """Start ``streamlit run script`` on a free loopback port; return (process, base_url)."""
    import subprocess
    import sys
    import time
    import urllib.request

    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    log = open(ARTIFACTS / f"{log_name}.log", "wb")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"streamlit did not answer on {url} within 60 s; see {log.name}")


def stop_app(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except Exception:  # noqa: BLE001 - a stuck server must not hang the run
        process.kill()


@contextmanager
def app_server(*, script: str = "app.py", env: dict[str, str], log_name: str):
    """``streamlit run script`` for the ``with`` block, stopped whatever happens; yields
    (process, base_url)."""
    process, url = start_app(script=script, env=env, log_name=log_name)
    try:
        yield process, url
    finally:
        stop_app(process)


def chromium_executable() -> str:
    """Debian's Chromium, or the binary named by ``CHROMIUM``."""
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


@contextmanager
def chromium(executable: str | None = None, *, extra_args: tuple[str, ...] = ()):
    """Headless Chromium driven by Playwright for the ``with`` block; yields the browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable or chromium_executable(),
            args=[*CHROMIUM_FLAGS, *extra_args],
        )
        try:
            yield browser
        finally:
            browser.close()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(child) for child in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
    return found


def status_kb(pid: int, field: str = "VmRSS") -> int:
    """One ``/proc/<pid>/status`` figure (VmRSS, VmHWM, ...) in kB (KiB); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(
                (int(line.split()[1]) for line in status if line[: len(field) + 1] == f"{field}:"),
                0,
            )
    except OSError:
        return 0


def tree_mb(pid: int, field: str = "VmRSS") -> float:
    """``field`` summed over ``pid`` and its descendants, in MB (10^6 bytes)."""
    return sum(status_kb(p, field) for p in process_tree(pid)) * 1024 / 1e6


def wait_for_idle(page, *, timeout_ms: int = 60_000) -> None:
    """Wait until the script has run and Streamlit is idle."""
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)


def wait_for_images(page, *, timeout_ms: int = 30_000) -> None:
    """Wait until every image on the page has loaded (galleries load lazily)."""
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
    page.wait_for_function(
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
        timeout=timeout_ms,
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # Streamlit scrolls inside its main section, so grow the window to the content instead.
    viewport = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')]"
        ".map(e => e.scrollHeight), document.body.scrollHeight)"
    )
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height), 6000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)
    return path


# --- imports by thread -----------------------------------------------------------------------

# Run in a fresh interpreter (``python -c``) before the code under test: records which thread
# first imports each scikit-learn module, and prints it as JSON on stderr at exit.
RECORD_SKLEARN_IMPORTS = """
import atexit, json, sys, threading

first_imports = {}

class Recorder:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "sklearn" and name not in first_imports:
            first_imports[name] = threading.current_thread().name
        return None

sys.meta_path.insert(0, Recorder())
atexit.register(lambda: print("SKLEARN_IMPORTS " + json.dumps(first_imports), file=sys.stderr))
"""


def sklearn_import_threads(stderr: str) -> dict[str, str]:
    """The ``{module: thread name}`` that :data:`RECORD_SKLEARN_IMPORTS` printed."""
    import json

    for line in stderr.splitlines():
        if line.startswith("SKLEARN_IMPORTS "):
            return json.loads(line.removeprefix("SKLEARN_IMPORTS "))
    raise AssertionError(f"no import record in the process's stderr:\n{stderr[-2000:]}")


# --- hostile files, built on the fly (none is committed) -------------------------------------


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, body, CRC."""
    import struct
    import zlib

    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def wide_bilevel_png(width: int = 40_000_000) -> bytes:
    """A 1-bit white PNG of ``width`` x 1 pixels: a few KB that decode to ``width`` bytes.

    Written chunk by chunk, so building it costs neither the pixels nor Pillow's encoder.
    """
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, 1, 1, 0, 0, 0, 0)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter type 0, then white bits
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(row, 9))
        + png_chunk(b"IEND", b"")
    )


def jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """``(start, end, marker)`` of each segment of a well-formed JPEG, a scan's entropy-coded
    data included in its SOS segment, up to and with EOI."""
    import re

    marker_at = re.compile(rb"\xff+([^\x00\xd0-\xd7\xff])")
    found, position = [], 2
    while position < len(data):
        marker = data[position + 1]
        if marker == 0xD9:
            found.append((position, position + 2, marker))
            break
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:
            end = marker_at.search(data, end).start(1) - 1
        found.append((position, end, marker))
        position = end
    return found


def many_scan_jpeg(n_scans: int = 20_000, *, side: int = 2048) -> bytes:
    """A progressive JPEG of a white ``side`` x ``side`` page with ``n_scans`` scans.

    Pillow's own progressive JPEG (6 scans for grey) with its last scan, an AC refinement of
    a few dozen bytes (and the Huffman table before it), repeated: libjpeg decodes each repeat
    over the whole picture, so a few hundred KB cost minutes (``bench/bench_hostile.py``).
    """
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (side, side), 255).save(buffer, "JPEG", progressive=True, quality=75)
    data = buffer.getvalue()
    segments = jpeg_segments(data)
    scans = [s for s in segments if s[2] == 0xDA]
    last = segments.index(scans[-1])
    start = segments[last - 1][0] if segments[last - 1][2] == 0xC4 else scans[-1][0]
    repeat = data[start : scans[-1][1]]
    end = scans[-1][1]
    return data[:end] + repeat * (n_scans - len(scans)) + data[end:]


def phone_photo_jpeg(*, width: int = 4000, height: int = 3000) -> bytes:
    """A 12-megapixel JPEG of a dark '4' on light, slightly noisy paper, as a phone takes it."""
    import io

    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(12)
    paper = rng.normal(215, 6, (height // 8, width // 8)).clip(0, 255).astype(np.uint8)
    page = Image.fromarray(paper).resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(page)
    stroke = height // 25
    left, top = width // 3, height // 5
    draw.line([(left + 300, top), (left, top + 1200), (left + 1100, top + 1200)], 40, stroke)
    draw.line([(left + 800, top + 500), (left + 800, top + 1900)], 40, stroke)
    buffer = io.BytesIO()
    page.convert("RGB").save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


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
