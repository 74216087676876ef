"""What the benchmarks share: the --json option, statistics, child processes, MNIST's raw files,
and driving a page in the browser (the server and Chromium come from the harness package).

Importing it puts the project's root on ``sys.path``: the one place the benchmarks do so.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for harness/ and core/

from harness import ROOT  # noqa: E402 - after the path set-up above
from harness.browser import APP_IDLE  # noqa: E402
from harness.server import MAKE_RUN_ENV  # noqa: E402

# Nothing but loopback: every other host name fails to resolve inside the browser.
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
SERVER_ENV = {
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "THRESHOLD_EXPLORER_OFFLINE": "1",
    **MAKE_RUN_ENV,
}
VIEWPORT = {"width": 1400, "height": 1000}


# --- figures ------------------------------------------------------------------------------------
def add_json_option(parser) -> None:
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH", help="write the figures")


def emit(args, figures: dict, text: str) -> int:
    """``--json PATH`` writes the figures there; ``--json`` alone prints them instead of text."""
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    print(json.dumps(figures, indent=2, default=str) if args.json == "-" else text)
    return 0


def ratio(a, b) -> float | None:
    return None if a is None or not b else a / b


def summary(values) -> dict:
    """Median, 90th percentile (nearest rank), min and max of the values that are not None."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return {"median": None, "p90": None, "min": None, "max": None, "n": 0}
    p90 = v[min(len(v) - 1, round(0.9 * (len(v) - 1)))]
    return {"median": statistics.median(v), "p90": p90, "min": v[0], "max": v[-1], "n": len(v)}


def digest(array) -> str:
    """A short SHA-256 of an array's bytes: equal results, equal digests."""
    return hashlib.sha256(array.tobytes()).hexdigest()[:16]


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def run_process(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Run ``command`` from the project's root; its exit status, wall time, peak RSS, output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        return {
            "returncode": child.returncode,
            "seconds": seconds,
            "peak_rss_mb": usage.ru_maxrss * 1024 / 1e6,
            "stdout": out.read(),
            "stderr": err.read()[-3000:],
        }


def mnist_dir() -> Path:
    value = os.environ.get("MNIST_DATA")
    if not value:
        sys.exit("error: set MNIST_DATA to a directory of the four MNIST IDX files")
    return Path(value)


def read_idx(path: Path):
    """The plainest read of one IDX file: gunzip (if .gz), then view the bytes as uint8."""
    import numpy as np

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return np.frombuffer(handle.read(), dtype=np.uint8)


# --- a page in the browser ----------------------------------------------------------------------
@dataclass(frozen=True)
class App:
    name: str
    script: str
    path: str
    numbers: str  # JS expression: the text that shows the page's numbers ('' until shown)
    settled: str = "true"  # JS expression: the server has caught up with what is shown


# The trade-off page's numbers are its explorer's (drawn in the browser, in a shadow root);
# the server catches up when the explorer's threshold is released (after a pause of the keys).
EXPLORER = """[...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
    .map((h) => h.shadowRoot && h.shadowRoot.querySelector('.tx')).find((r) => r && r.dataset.tp)"""
LINK = """(([...document.querySelectorAll('a')]
    .find((a) => a.innerText.trim() === 'Link to this view') || {href: ''}).href)"""
TRADEOFF = App(
    "tradeoff",
    "app.py",
    "/tradeoff?digit=5&threshold=3370.0194991439557",
    f"""(() => {{ const r = {EXPLORER};
        return r ? `${{r.dataset.threshold}} ${{r.dataset.tp}} ${{r.dataset.fp}}` : ''; }})()""",
    f"""(() => {{ const r = {EXPLORER};
        return !!r && parseFloat({LINK}.split('threshold=')[1]) === Number(r.dataset.threshold);
    }})()""",
)
HELLO = App(
    "hello",
    "bench/hello_slider.py",
    "/",
    """[...document.querySelectorAll('[data-testid=stMarkdown]')].map((m) => m.innerText)
        .find((t) => t.startsWith('Value:')) || ''""",
)
# Armed before a key press: stamps (performance.now()) the keydown, the first sight of new
# numbers, the animation frame after it (when they are painted) and the page idle again with
# the server caught up. Components' shadow roots are watched too.
ARM = """(() => {
  const numbers = () => (NUMBERS), settled = () => (SETTLED), before = numbers();
  const s = window.__step = {key: null, numbers: null, painted: null, idle: null};
  addEventListener('keydown', () => { s.key = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (s.key === null) return;
    if (s.numbers === null && numbers() !== before) {
      s.numbers = performance.now();
      requestAnimationFrame(() => { s.painted = performance.now(); });
    }
    if (s.numbers !== null && document.querySelector('IDLE') && settled()) {
      s.idle = performance.now();
      observer.disconnect();
    }
  });
  const roots = [document.documentElement, ...[...document.querySelectorAll(
    '[data-testid=stBidiComponentIsolated]')].map((h) => h.shadowRoot).filter(Boolean)];
  for (const root of roots) {
    observer.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
  }
})()"""


class Traffic:
    """Bytes the page receives: websocket frames and /media/ response bodies."""

    def __init__(self, page) -> None:
        self.ws = self.media = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("response", self._response)

    def _frame(self, payload) -> None:
        self.ws += len(payload)

    def _response(self, response) -> None:
        if "/media/" in response.url:
            try:
                self.media += len(response.body())
            except Exception:  # noqa: BLE001 - a body gone with its page: count nothing
                pass

    def take(self) -> float:
        """KB (1000 bytes) since the last take."""
        kb, self.ws, self.media = (self.ws + self.media) / 1000, 0, 0
        return kb


def open_app(context, url: str, app: App, *, timeout_ms: int):
    """A tab on the app, waited for until its numbers show and then until it is idle.

    Returns the page, its :class:`Traffic` and the ``time.perf_counter()`` when the numbers
    showed.
    """
    page = context.new_page()
    traffic = Traffic(page)
    page.goto(url + app.path, wait_until="commit")
    page.wait_for_function(app.numbers, timeout=timeout_ms, polling=10)
    shown = time.perf_counter()
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
    return page, traffic, shown


def step(page, app: App, *, timeout_ms: int = 30_000) -> dict:
    """Press ArrowRight on the page's first slider (focused); ms from the key press.

    On /tradeoff the slider is the explorer's: its numbers change in the browser at once, and
    "idle" waits for the server's rerun after the key pause as well.
    """
    armed = ARM.replace("NUMBERS", app.numbers).replace("SETTLED", app.settled)
    page.evaluate(armed.replace("IDLE", APP_IDLE))
    page.keyboard.press("ArrowRight")
    page.wait_for_function("window.__step.painted && window.__step.idle", timeout=timeout_ms)
    page.wait_for_function("[...document.images].every((i) => i.complete)", timeout=timeout_ms)
    page.wait_for_timeout(150)  # stragglers belong to this step, not the next
    s = page.evaluate("window.__step")
    return {key: s[key] - s["key"] for key in ("numbers", "painted", "idle")}
