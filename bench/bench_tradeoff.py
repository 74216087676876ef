"""Benchmark: the trade-off page in a real browser, against a hello-world slider app.

    MNIST_DATA=/work/shared/mnist python bench/bench_tradeoff.py [--json [PATH]] [--steps N]

Measured in one run, each figure beside the same figure for ``bench/hello_slider.py`` (one
slider in an ``st.fragment`` and an ``st.write`` of its value), served and driven the same way:

1. Slider step latency. The slider thumb is focused and ArrowRight pressed, ``--steps`` times
   (after ``--warmup`` unmeasured steps). Timed in the page with ``performance.now()``: from the
   keydown (a capturing listener) until a MutationObserver, armed before the press, sees the
   page idle (``[data-test-script-state=notRunning]``) with its numbers changed (the trade-off
   page's "Flagged" metric and its "Link to this view" line; the hello app's written value).
   Median and p90; the goal is trade-off <= 1.5 x hello. Also timed: the next animation frame
   after that moment (requestAnimationFrame), i.e. when the new numbers are painted, which a
   busy main thread (Plotly drawing) can delay. The in-page websocket timestamps split a step
   into: key -> rerun request sent (the widget), request -> last message received (server run
   and transfer, as the page's main thread sees it: late when it is busy drawing), last
   message -> numbers shown; and the page's long tasks (> 50 ms) during the step are summed.
2. Bytes per step: websocket frames the page received (Playwright ``framereceived``) plus the
   bodies of HTTP responses fetched during the step (``/media/`` images), each step waiting for
   its images to load. Median and max in KB (1 KB = 1000 bytes); goal < 200 KB. The frames are
   also decoded as Streamlit ``ForwardMsg`` protobufs to split the bytes by element type.
3. Warm start: from launching ``streamlit run`` (detector cache warm) until the page shows its
   numbers in an already running browser; goal < 3 s. The server is polled by
   ``tests.conftest.start_app`` (0.2 s between health checks), the same for both apps.

With ``--profile`` a further trade-off server runs with a ``sitecustomize`` hook (written to a
temporary directory, nothing in the project changes) that times every script run on the server
(and Streamlit's post-run ``gc.collect``) and profiles every other fragment run with cProfile,
while Chromium's sampling profiler records the page's main thread; the table then shows where a
step's time goes on either side.

The detector cache is ``--cache-dir`` (default /tmp/threshold-explorer-bench-cache, kept between
runs); when it is cold, the first server trains the detector (about 25 s, reported, not timed)
and the warm start is measured on a second server. Servers are stopped even on failure; their
logs are in test-artifacts/bench-*.log. Results also go to bench/results/tradeoff.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM_FLAGS, start_app, stop_app  # noqa: E402

TRADEOFF_PATH = "/tradeoff?digit=5&threshold=3370.0194991439557"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "threshold-explorer-bench-cache"
RESULTS = ROOT / "bench" / "results" / "tradeoff.json"
GOAL_STEP_RATIO = 1.5
GOAL_STEP_KB = 200.0
GOAL_WARM_START_S = 3.0
VIEWPORT = {"width": 1400, "height": 1000}
# Nothing but loopback: every other host name fails to resolve inside the browser.
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
SERVER_ENV = {"STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "THRESHOLD_EXPLORER_OFFLINE": "1"}

# Installed before any page script runs: counts and timestamps websocket traffic in the page,
# records key presses, and arms a MutationObserver that stamps the moment a step is shown.
PAGE_PROBE = """
(() => {
  const bench = window.__bench = {sends: [], recvs: [], armed: null, signature: () => ''};
  const size = (data) => data == null ? 0 : (data.byteLength ?? data.size ?? data.length ?? 0);
  const Native = window.WebSocket;
  class Counted extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        bench.recvs.push([performance.now(), size(event.data)]);
      });
    }
    send(data) {
      bench.sends.push([performance.now(), size(data)]);
      return super.send(data);
    }
  }
  window.WebSocket = Counted;
  // Main-thread tasks over 50 ms (React renders, Plotly drawing): how busy the page was.
  bench.longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longtasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask'});
  } catch (error) { /* not supported: no figure */ }
  window.addEventListener('keydown', () => {
    if (bench.armed && bench.armed.key === null) bench.armed.key = performance.now();
  }, true);
  bench.idle = () =>
    document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]') !== null;
  bench.arm = () => {
    const before = bench.signature();
    const state = bench.armed = {key: null, before, after: null, done: null, frame: null,
                                   numbers: null, numbers_frame: null};
    const check = () => {
      if (state.done !== null || state.key === null) return;
      const now = bench.signature();
      // First sight of the new numbers, before the run (charts, galleries) has finished.
      if (now !== before && state.numbers === null) {
        state.numbers = performance.now();
        // The frame that paints them: what a user sees (a busy main thread delays it).
        requestAnimationFrame(() => { state.numbers_frame = performance.now(); });
      }
      if (now !== before && bench.idle()) {
        state.done = performance.now();
        state.after = now;
        observer.disconnect();
        requestAnimationFrame(() => { state.frame = performance.now(); });
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.documentElement,
                     {subtree: true, childList: true, attributes: true, characterData: true});
    return before;
  };
  bench.step = () => {
    const s = bench.armed;
    const sends = bench.sends.filter(([t]) => t >= s.key && t <= s.done);
    const recvs = bench.recvs.filter(([t]) => t >= s.key && t <= s.done);
    const busy = bench.longtasks.filter(([t, d]) => t + d >= s.key && t <= s.done)
      .reduce((sum, [t, d]) => sum + Math.min(t + d, s.done) - Math.max(t, s.key), 0);
    return {key: s.key, done: s.done, frame: s.frame, numbers: s.numbers,
            numbers_frame: s.numbers_frame,
            before: s.before, after: s.after,
            first_send: sends.length ? sends[0][0] : null,
            first_recv: recvs.length ? recvs[0][0] : null,
            last_recv: recvs.length ? recvs[recvs.length - 1][0] : null,
            n_recv: recvs.length, long_task_ms: busy};
  };
})();
"""

METRIC_TEXT = """(label) => {
  const metric = [...document.querySelectorAll('[data-testid=stMetric]')].find((m) => {
    const l = m.querySelector('[data-testid=stMetricLabel]');
    return l && l.innerText.trim() === label;
  });
  return metric ? metric.innerText : null;
}"""


@dataclass(frozen=True)
class App:
    """One app under test: how to start it, open it and tell that a step has been shown."""

    name: str
    script: str
    path: str
    # JS expression: a text that changes when the page shows a step's new numbers.
    signature: str
    # JS expression: true when the page shows its numbers (first render).
    ready: str
    # JS expression: true when the page's first run has finished (charts, galleries and all).
    idle: str = (
        "document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]') !== null"
    )


TRADEOFF = App(
    name="tradeoff",
    script="app.py",
    path=TRADEOFF_PATH,
    signature=f"""(() => {{
        const flagged = ({METRIC_TEXT})('Flagged');
        const link = [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
            .map((c) => c.innerText).find((t) => t.includes('Link to this view'));
        return flagged === null ? '' : flagged + ' | ' + (link || '');
    }})()""",
    ready=f"""({METRIC_TEXT})('Flagged') !== null""",
)
HELLO = App(
    name="hello",
    script="bench/hello_slider.py",
    path="/",
    signature="""(() => {
        const line = [...document.querySelectorAll('[data-testid=stMarkdown]')]
            .map((m) => m.innerText).find((t) => t.startsWith('Value:'));
        return line || '';
    })()""",
    ready="""[...document.querySelectorAll('[data-testid=stMarkdown]')]
        .some((m) => m.innerText.startsWith('Value:'))""",
)
IMAGES_LOADED = "() => Array.from(document.images).every((i) => i.complete)"


# --- statistics --------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(values: list[float]) -> dict:
    finite = [v for v in values if v is not None]
    if not finite:
        return {"median": None, "p90": None, "min": None, "max": None, "n": 0}
    return {
        "median": statistics.median(finite),
        "p90": percentile(finite, 90),
        "min": min(finite),
        "max": max(finite),
        "n": len(finite),
    }


# --- websocket frames as Streamlit messages -----------------------------------------------------
def message_kind(payload: bytes) -> str:
    """What a server frame carries: the element type for new elements, else the message type."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg()
    try:
        message.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - a frame we cannot read is still counted
        return "unparsed"
    kind = message.WhichOneof("type") or "empty"
    if kind != "delta":
        return kind
    delta = message.delta
    delta_kind = delta.WhichOneof("type") or "delta"
    if delta_kind == "new_element":
        return f"element:{delta.new_element.WhichOneof('type')}"
    return f"delta:{delta_kind}"


class Traffic:
    """What the server sends the page: websocket frames and HTTP response bodies."""

    def __init__(self, page) -> None:
        self.frames: list[bytes] = []
        self.sent: list[int] = []
        self.responses: list = []
        page.on("websocket", self._on_websocket)
        page.on("response", self._on_response)

    def _on_websocket(self, websocket) -> None:
        websocket.on("framereceived", self._on_frame)
        websocket.on("framesent", lambda p: self.sent.append(len(p)))

    def _on_response(self, response) -> None:
        self.responses.append(response)

    def _on_frame(self, payload) -> None:
        self.frames.append(payload.encode() if isinstance(payload, str) else payload)

    def reset(self) -> None:
        self.frames.clear()
        self.sent.clear()
        self.responses.clear()

    def take(self) -> dict:
        """Bytes since the last reset, by channel and by kind of message."""
        by_kind: dict[str, int] = defaultdict(int)
        for frame in self.frames:
            by_kind[message_kind(frame)] += len(frame)
        media = other = n_media = 0
        for response in self.responses:
            size = _body_size(response)
            if "/media/" in response.url:
                media += size
                n_media += 1
            else:
                other += size
        ws = sum(len(f) for f in self.frames)
        return {
            "ws_bytes": ws,
            "ws_frames": len(self.frames),
            "ws_sent_bytes": sum(self.sent),
            "media_bytes": media,
            "media_files": n_media,
            "other_http_bytes": other,
            "total_bytes": ws + media + other,
            "ws_bytes_by_kind": dict(by_kind),
        }


def _body_size(response) -> int:
    try:
        return len(response.body())
    except Exception:  # noqa: BLE001 - e.g. a redirect: fall back on the header
        return int(response.headers.get("content-length", 0) or 0)


# --- one app: warm start, then steps -------------------------------------------------------------
class Server:
    """A ``streamlit run`` of one app, stopped on exit whatever happened."""

    def __init__(self, app: App, env: dict[str, str], log_name: str) -> None:
        self.app, self.env, self.log_name = app, env, log_name
        self.process = None
        self.url = ""

    def __enter__(self) -> Server:
        self.process, self.url = start_app(
            script=self.app.script, env=self.env, log_name=self.log_name
        )
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            stop_app(self.process)


def open_page(browser, url: str, app: App, *, timeout_ms: int):
    """A new tab on ``url``, waiting until the page shows its numbers.

    Returns the context, the page and its :class:`Traffic`, counting from the first request.
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PAGE_PROBE)
    page = context.new_page()
    traffic = Traffic(page)
    try:
        page.goto(url, wait_until="commit")
        shown = page.wait_for_function(
            f"({app.ready}) ? performance.now() : 0", timeout=timeout_ms, polling=10
        ).json_value()
        # Then the rest of the first run (charts, galleries): steps start from an idle page.
        idle = page.wait_for_function(
            f"({app.idle}) ? performance.now() : 0", timeout=timeout_ms, polling=10
        ).json_value()
    except BaseException:
        context.close()
        raise
    return context, page, traffic, shown, idle


def warm_start(browser, app: App, env: dict[str, str], *, timeout_ms: int) -> dict:
    """Seconds from launching the server to the page showing its numbers, and the parts.

    In the page (ms from the navigation's start): when its websocket sent its first message
    (the frontend has loaded and asks for a run), when the numbers were shown and when the
    first run had finished (the page idle). The page's clock is tied to the launch through
    ``performance.timeOrigin`` (both on this machine's wall clock).
    """
    launched = time.time()
    with Server(app, env, f"bench-{app.name}-start") as server:
        healthy = time.time() - launched
        context, page, _, shown_ms, idle_ms = open_page(
            browser, server.url + app.path, app, timeout_ms=timeout_ms
        )
        origin = page.evaluate("performance.timeOrigin") / 1000 - launched
        first_send_ms = page.evaluate("window.__bench.sends.length && window.__bench.sends[0][0]")
        trained = page.get_by_text("trained in").count() > 0
        context.close()
    return {
        "seconds": origin + shown_ms / 1000,
        "idle_seconds": origin + idle_ms / 1000,
        "health_seconds": healthy,
        "page_to_request_s": first_send_ms / 1000,
        "request_to_shown_s": (shown_ms - first_send_ms) / 1000,
        "trained": trained,
    }


def run_steps(
    browser,
    app: App,
    env: dict[str, str],
    *,
    steps: int,
    warmup: int,
    step_timeout_ms: int,
    profile_page: bool = False,
) -> dict:
    """Press ArrowRight on the slider ``warmup + steps`` times; time and weigh each step.

    With ``profile_page``, Chromium's JS sampling profiler runs over the measured steps.
    """
    with Server(app, env, f"bench-{app.name}-steps") as server:
        context, page, traffic, _, _ = open_page(
            browser, server.url + app.path, app, timeout_ms=120_000
        )
        profiler = None
        try:
            page.evaluate(f"window.__bench.signature = () => {app.signature}")
            page.wait_for_function(IMAGES_LOADED, timeout=30_000)
            page.wait_for_timeout(300)  # late messages of the first render are not a step's
            thumb = page.get_by_role("slider").first
            thumb.focus()
            records = []
            for number in range(warmup + steps):
                if profile_page and number == warmup:
                    profiler = context.new_cdp_session(page)
                    profiler.send("Profiler.enable")
                    profiler.send("Profiler.setSamplingInterval", {"interval": 200})
                    profiler.send("Profiler.start")
                traffic.reset()
                page.evaluate("window.__bench.arm()")
                page.keyboard.press("ArrowRight")
                page.wait_for_function(
                    "window.__bench.armed.frame !== null", timeout=step_timeout_ms, polling=20
                )
                page.wait_for_function(IMAGES_LOADED, timeout=step_timeout_ms, polling=20)
                page.wait_for_timeout(150)  # stragglers belong to this step, not the next
                step = page.evaluate("window.__bench.step()")
                weight = traffic.take()
                if number >= warmup:
                    records.append(_step_record(step, weight))
            thumb_value = page.locator("[data-testid=stSliderThumbValue]").first.inner_text()
            js_profile = profiler.send("Profiler.stop")["profile"] if profiler else None
        finally:
            context.close()
    result = {"steps": records, "final_thumb_value": thumb_value}
    if js_profile is not None:
        result["page_profile"] = page_self_time(js_profile, steps=steps)
    return result


def page_self_time(profile: dict, *, steps: int) -> dict:
    """Sampled main-thread self time per step, by script file and by function (ms)."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    by_node: dict[int, float] = defaultdict(float)
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        by_node[node_id] += delta / 1000  # microseconds -> ms
    by_script: dict[str, float] = defaultdict(float)
    by_function: dict[str, float] = defaultdict(float)
    for node_id, ms in by_node.items():
        frame = nodes[node_id]["callFrame"]
        script = frame["url"].rsplit("/", 1)[-1] or frame["functionName"] or "(anonymous)"
        by_script[script] += ms / steps
        function = frame["functionName"] or "(anonymous)"
        by_function[f"{script}:{frame['lineNumber'] + 1}:{function}"] += ms / steps
    idle = by_script.pop("(idle)", 0.0)
    by_function = {k: v for k, v in by_function.items() if not k.startswith("(idle)")}
    return {
        # A step cycle: the step, its images loading and the pause before the next key press.
        "busy_ms_per_step": sum(by_script.values()),
        "idle_ms_per_step": idle,
        "by_script_ms": _top(by_script, 15),
        "by_function_ms": _top(by_function, 25),
    }


def _step_record(step: dict, weight: dict) -> dict:
    def between(start, end):
        return None if start is None or end is None else end - start

    return {
        "latency_ms": step["done"] - step["key"],
        "to_numbers_ms": between(step["key"], step["numbers"]),
        "to_numbers_painted_ms": between(step["key"], step["numbers_frame"]),
        "to_frame_ms": between(step["key"], step["frame"]),
        "key_to_send_ms": between(step["key"], step["first_send"]),
        "send_to_last_message_ms": between(step["first_send"], step["last_recv"]),
        "last_message_to_shown_ms": between(step["last_recv"], step["done"]),
        "long_task_ms": step["long_task_ms"],
        "messages": step["n_recv"],
        "changed": step["before"] != step["after"],
        "shown": step["after"],
        **weight,
    }


def step_summary(records: list[dict]) -> dict:
    kinds = sorted({k for r in records for k in r["ws_bytes_by_kind"]})
    by_kind = {
        kind: statistics.median(r["ws_bytes_by_kind"].get(kind, 0) for r in records) / 1000
        for kind in kinds
    }
    return {
        "latency_ms": summarize([r["latency_ms"] for r in records]),
        "to_numbers_ms": summarize([r["to_numbers_ms"] for r in records]),
        "to_numbers_painted_ms": summarize([r["to_numbers_painted_ms"] for r in records]),
        "to_frame_ms": summarize([r["to_frame_ms"] for r in records]),
        "key_to_send_ms": summarize([r["key_to_send_ms"] for r in records]),
        "send_to_last_message_ms": summarize([r["send_to_last_message_ms"] for r in records]),
        "last_message_to_shown_ms": summarize([r["last_message_to_shown_ms"] for r in records]),
        "long_task_ms": summarize([r["long_task_ms"] for r in records]),
        "kb": summarize([r["total_bytes"] / 1000 for r in records]),
        "ws_kb": summarize([r["ws_bytes"] / 1000 for r in records]),
        "media_kb": summarize([r["media_bytes"] / 1000 for r in records]),
        "media_files": summarize([r["media_files"] for r in records]),
        "ws_frames": summarize([r["ws_frames"] for r in records]),
        "ws_kb_by_kind_median": dict(sorted(by_kind.items(), key=lambda kv: -kv[1])),
    }


# --- optional: where the server's fragment run goes ----------------------------------------------
SITECUSTOMIZE = '''
"""Bench hook (bench_tradeoff.py): time Streamlit script runs; cProfile full runs and every
other fragment run."""
import cProfile
import json
import os
import pstats
import time

OUT = os.environ["BENCH_SERVER_TIMING"]


def _install():
    import gc
    import threading

    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script
    counter = [0]
    gc_time = threading.local()
    collect = gc.collect

    def timed_collect(*args, **kwargs):
        start = time.perf_counter()
        try:
            return collect(*args, **kwargs)
        finally:
            gc_time.seconds = getattr(gc_time, "seconds", 0.0) + time.perf_counter() - start

    gc.collect = timed_collect  # Streamlit's post-run gc.collect(2) (runner.postScriptGC)

    def timed(self, rerun_data):
        fragment = bool(rerun_data.fragment_id_queue)
        counter[0] += fragment
        profiled = not fragment or counter[0] % 2 == 0
        profiler = cProfile.Profile() if profiled else None
        gc_time.seconds = 0.0
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        try:
            return original(self, rerun_data)
        finally:
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - start
            record = {"seconds": seconds, "gc_seconds": gc_time.seconds, "profiled": profiled,
                      "fragment": fragment}
            if profiler:
                stats = pstats.Stats(profiler)
                record["functions"] = [
                    [f"{os.path.basename(f)}:{line}:{name}", cc, tt, ct]
                    for (f, line, name), (cc, nc, tt, ct, _) in stats.stats.items()
                ]
            with open(OUT, "a") as out:
                out.write(json.dumps(record) + "\\n")

    script_runner.ScriptRunner._run_script = timed


_install()
'''


def profile_server(browser, env: dict[str, str], *, steps: int, step_timeout_ms: int) -> dict:
    """Fragment run times on the server (unprofiled runs) and a cProfile of the profiled ones."""
    with tempfile.TemporaryDirectory() as hook_dir:
        Path(hook_dir, "sitecustomize.py").write_text(SITECUSTOMIZE)
        timing = Path(hook_dir, "timing.jsonl")
        python_path = os.pathsep.join(filter(None, [hook_dir, os.environ.get("PYTHONPATH")]))
        hooked = {**env, "PYTHONPATH": python_path, "BENCH_SERVER_TIMING": str(timing)}
        profiled_steps = run_steps(
            browser,
            TRADEOFF,
            hooked,
            steps=steps,
            warmup=2,
            step_timeout_ms=step_timeout_ms,
            profile_page=True,
        )
        runs = [json.loads(line) for line in timing.read_text().splitlines()]
    fragment_runs = [r for r in runs if r["fragment"]][2:]  # skip the warm-up steps
    plain = [r["seconds"] * 1000 for r in fragment_runs if not r["profiled"]]
    plain_gc = [r["gc_seconds"] * 1000 for r in fragment_runs if not r["profiled"]]
    profiled = [r for r in fragment_runs if r["profiled"]]
    cumulative, own = _mean_profile(profiled)
    # The server's first full run (the page's first render) is what a warm start waits for.
    first_full = next(r for r in runs if not r["fragment"])
    first_cumulative, _ = _mean_profile([first_full])
    return {
        "fragment_run_ms": summarize(plain),
        "fragment_post_run_gc_ms": summarize(plain_gc),
        "profiled_fragment_run_ms": summarize([r["seconds"] * 1000 for r in profiled]),
        "top_cumulative_ms": _top(cumulative, 40),
        "top_own_ms": _top(own, 20),
        "first_full_run_ms_profiled": first_full["seconds"] * 1000,
        "first_full_run_top_cumulative_ms": _top(first_cumulative, 40),
        "step_latency_ms_while_profiled": summarize(
            [r["latency_ms"] for r in profiled_steps["steps"]]
        ),
        "page": profiled_steps["page_profile"],
    }


def _mean_profile(runs: list[dict]) -> tuple[dict[str, float], dict[str, float]]:
    """Cumulative and own milliseconds per function, averaged over profiled runs."""
    cumulative: dict[str, float] = defaultdict(float)
    own: dict[str, float] = defaultdict(float)
    for run in runs:
        for name, _calls, tottime, cumtime in run["functions"]:
            cumulative[name] += cumtime * 1000 / len(runs)
            own[name] += tottime * 1000 / len(runs)
    return cumulative, own


def _top(times: dict[str, float], n: int) -> list[list]:
    return [[name, round(ms, 2)] for name, ms in sorted(times.items(), key=lambda kv: -kv[1])[:n]]


# --- the run ------------------------------------------------------------------------------------
def measure(args) -> dict:
    from playwright.sync_api import sync_playwright

    mnist = os.environ.get("MNIST_DATA")
    if not mnist:
        raise SystemExit("MNIST_DATA is not set; point it at the directory of MNIST IDX files")
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    env = {**SERVER_ENV, "MNIST_DATA": mnist, "THRESHOLD_EXPLORER_CACHE": str(args.cache_dir)}
    timeout = args.step_timeout * 1000
    results: dict = {
        "config": {
            "steps": args.steps,
            "warmup": args.warmup,
            "starts": args.starts,
            "cache_dir": str(args.cache_dir),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "viewport": VIEWPORT,
            # Other work on the machine skews every figure: the 1-minute load, before and after.
            "load_average_before": os.getloadavg()[0],
        }
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=[*CHROMIUM_FLAGS, LOOPBACK_ONLY]
        )
        results["config"]["chromium"] = browser.version
        try:
            # The trade-off page trains its detector when the cache lacks it: do that untimed.
            first = warm_start(browser, TRADEOFF, env, timeout_ms=240_000)
            results["cache_was_cold"] = first["trained"]
            starts = {"hello": [], "tradeoff": [] if first["trained"] else [first]}
            for _ in range(args.starts):
                starts["hello"].append(warm_start(browser, HELLO, env, timeout_ms=60_000))
                if len(starts["tradeoff"]) < args.starts:
                    starts["tradeoff"].append(warm_start(browser, TRADEOFF, env, timeout_ms=60_000))
            results["warm_start"] = {
                name: {
                    "seconds": summarize([s["seconds"] for s in runs]),
                    "idle_seconds": summarize([s["idle_seconds"] for s in runs]),
                    "health_seconds": summarize([s["health_seconds"] for s in runs]),
                    "page_to_request_s": summarize([s["page_to_request_s"] for s in runs]),
                    "request_to_shown_s": summarize([s["request_to_shown_s"] for s in runs]),
                    "runs": runs,
                }
                for name, runs in starts.items()
            }
            for app in (HELLO, TRADEOFF):
                raw = run_steps(
                    browser, app, env, steps=args.steps, warmup=args.warmup, step_timeout_ms=timeout
                )
                results[app.name] = {**step_summary(raw["steps"]), "raw": raw}
            if args.profile:
                results["server_profile"] = profile_server(
                    browser, env, steps=args.steps, step_timeout_ms=timeout
                )
        finally:
            browser.close()
    results["config"]["load_average_after"] = os.getloadavg()[0]
    results["ratios"] = ratios(results)
    results["goals"] = goals(results)
    return results


def _ratio(a, b):
    return None if a is None or not b else a / b


def ratios(results: dict) -> dict:
    hello, tradeoff = results["hello"], results["tradeoff"]
    starts = results["warm_start"]
    return {
        "step_median": _ratio(tradeoff["latency_ms"]["median"], hello["latency_ms"]["median"]),
        "numbers_median": _ratio(
            tradeoff["to_numbers_ms"]["median"], hello["to_numbers_ms"]["median"]
        ),
        "numbers_painted_median": _ratio(
            tradeoff["to_numbers_painted_ms"]["median"], hello["to_numbers_painted_ms"]["median"]
        ),
        "step_p90": _ratio(tradeoff["latency_ms"]["p90"], hello["latency_ms"]["p90"]),
        "step_to_frame_median": _ratio(
            tradeoff["to_frame_ms"]["median"], hello["to_frame_ms"]["median"]
        ),
        "kb_median": _ratio(tradeoff["kb"]["median"], hello["kb"]["median"]),
        "warm_start": _ratio(
            starts["tradeoff"]["seconds"]["median"], starts["hello"]["seconds"]["median"]
        ),
    }


def goals(results: dict) -> dict:
    step = results["ratios"]["step_median"]
    painted = results["ratios"]["step_to_frame_median"]
    numbers = results["ratios"]["numbers_median"]
    numbers_painted = results["ratios"]["numbers_painted_median"]
    kb = results["tradeoff"]["kb"]["max"]
    start = results["warm_start"]["tradeoff"]["seconds"]["median"]
    return {
        # The issue's goal: a step "shows its new numbers"; painted is what a user sees.
        "numbers_painted_ratio_le_1_5": {
            "value": numbers_painted,
            "goal": GOAL_STEP_RATIO,
            "met": numbers_painted is not None and numbers_painted <= GOAL_STEP_RATIO,
        },
        "numbers_ratio_le_1_5": {
            "value": numbers,
            "goal": GOAL_STEP_RATIO,
            "met": numbers is not None and numbers <= GOAL_STEP_RATIO,
        },
        "step_ratio_le_1_5": {
            "value": step,
            "goal": GOAL_STEP_RATIO,
            "met": step is not None and step <= GOAL_STEP_RATIO,
        },
        "step_ratio_to_frame_le_1_5": {
            "value": painted,
            "goal": GOAL_STEP_RATIO,
            "met": painted is not None and painted <= GOAL_STEP_RATIO,
        },
        "kb_per_step_lt_200": {"value": kb, "goal": GOAL_STEP_KB, "met": kb < GOAL_STEP_KB},
        "warm_start_lt_3s": {
            "value": start,
            "goal": GOAL_WARM_START_S,
            "met": start < GOAL_WARM_START_S,
        },
    }


# --- the table ----------------------------------------------------------------------------------
def _f(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(results: dict) -> str:
    hello, tradeoff = results["hello"], results["tradeoff"]
    starts, g = results["warm_start"], results["goals"]
    c = results["config"]
    lines = [
        f"Trade-off page vs hello slider: {c['steps']} steps each (+{c['warmup']} warm-up), "
        f"{c['starts']} warm starts each; Chromium {c['chromium']}, {c['cpus']} CPUs, "
        f"load average {c['load_average_before']:.2f} -> {c['load_average_after']:.2f}"
        + (
            " [cache was cold: the detector was trained first, untimed]"
            if results["cache_was_cold"]
            else ""
        ),
        "",
        f"{'':38}{'trade-off':>12}{'hello':>12}{'ratio':>9}",
    ]

    def row(label, a, b, digits=1, ratio=True):
        ratio_text = _f(_ratio(a, b), 2) + "x" if ratio and a is not None and b else ""
        lines.append(f"{label:38}{_f(a, digits):>12}{_f(b, digits):>12}{ratio_text:>9}")

    lines.append("Step latency (key -> new numbers shown and the page idle), ms")
    for stat in ("median", "p90", "min", "max"):
        row(f"  {stat}", tradeoff["latency_ms"][stat], hello["latency_ms"][stat])
    row(
        "  median, to the new numbers' first sight",
        tradeoff["to_numbers_ms"]["median"],
        hello["to_numbers_ms"]["median"],
    )
    row(
        "  median, to the frame painting them",
        tradeoff["to_numbers_painted_ms"]["median"],
        hello["to_numbers_painted_ms"]["median"],
    )
    row(
        "  median, to the next frame",
        tradeoff["to_frame_ms"]["median"],
        hello["to_frame_ms"]["median"],
    )
    lines.append("  where a step goes (medians), ms")
    row(
        "    key -> rerun request sent",
        tradeoff["key_to_send_ms"]["median"],
        hello["key_to_send_ms"]["median"],
        ratio=False,
    )
    row(
        "    request -> last message received",
        tradeoff["send_to_last_message_ms"]["median"],
        hello["send_to_last_message_ms"]["median"],
    )
    row(
        "    last message -> numbers shown",
        tradeoff["last_message_to_shown_ms"]["median"],
        hello["last_message_to_shown_ms"]["median"],
    )
    row(
        "    page main thread in tasks > 50 ms",
        tradeoff["long_task_ms"]["median"],
        hello["long_task_ms"]["median"],
        ratio=False,
    )
    lines.append("Bytes sent by the server per step, KB")
    row("  total, median", tradeoff["kb"]["median"], hello["kb"]["median"])
    row("  total, max", tradeoff["kb"]["max"], hello["kb"]["max"])
    row("  websocket, median", tradeoff["ws_kb"]["median"], hello["ws_kb"]["median"])
    row(
        "  /media/ images, median",
        tradeoff["media_kb"]["median"],
        hello["media_kb"]["median"],
        ratio=False,
    )
    row(
        "  websocket frames, median",
        tradeoff["ws_frames"]["median"],
        hello["ws_frames"]["median"],
        digits=0,
    )
    row(
        "  image files fetched, median",
        tradeoff["media_files"]["median"],
        hello["media_files"]["median"],
        digits=0,
        ratio=False,
    )
    lines.append("Warm start (launch -> numbers shown), s")
    row(
        "  median",
        starts["tradeoff"]["seconds"]["median"],
        starts["hello"]["seconds"]["median"],
        digits=2,
    )
    row("  max", starts["tradeoff"]["seconds"]["max"], starts["hello"]["seconds"]["max"], digits=2)
    row(
        "  median, launch -> first run finished",
        starts["tradeoff"]["idle_seconds"]["median"],
        starts["hello"]["idle_seconds"]["median"],
        digits=2,
    )
    row(
        "  of which: launch -> /_stcore/health ok",
        starts["tradeoff"]["health_seconds"]["median"],
        starts["hello"]["health_seconds"]["median"],
        digits=2,
    )
    row(
        "  page: navigation -> first ws request",
        starts["tradeoff"]["page_to_request_s"]["median"],
        starts["hello"]["page_to_request_s"]["median"],
        digits=2,
    )
    row(
        "  page: first ws request -> shown",
        starts["tradeoff"]["request_to_shown_s"]["median"],
        starts["hello"]["request_to_shown_s"]["median"],
        digits=2,
    )
    lines += ["", "Trade-off websocket KB per step by message (median):"]
    for kind, kb in tradeoff["ws_kb_by_kind_median"].items():
        if kb >= 0.05:
            lines.append(f"  {kind:36}{kb:>10.1f}")
    if "server_profile" in results:
        p = results["server_profile"]
        lines += [
            "",
            "Server: trade-off fragment run (sitecustomize timer), ms: "
            f"median {_f(p['fragment_run_ms']['median'])}, p90 {_f(p['fragment_run_ms']['p90'])}"
            f" (under cProfile: median {_f(p['profiled_fragment_run_ms']['median'])});"
            f" of which Streamlit's post-run gc.collect: median"
            f" {_f(p['fragment_post_run_gc_ms']['median'])}",
            "  cumulative ms per fragment run under cProfile (top):",
        ]
        for name, ms in p["top_cumulative_ms"][:25]:
            lines.append(f"    {ms:>8.1f}  {name}")
        lines.append(
            "  first full run of a fresh server (the warm start's page run), under cProfile: "
            f"{_f(p['first_full_run_ms_profiled'])} ms; cumulative ms (top):"
        )
        for name, ms in p["first_full_run_top_cumulative_ms"][:25]:
            lines.append(f"    {ms:>8.1f}  {name}")
        page = p["page"]
        lines += [
            "Page: main-thread JS profile over the same steps (step latency while profiled: median"
            f" {_f(p['step_latency_ms_while_profiled']['median'])} ms): busy"
            f" {_f(page['busy_ms_per_step'])} ms per step cycle (step, images, pause);"
            " self ms per step cycle by script ('(program)': native work, e.g. style and layout):",
        ]
        for name, ms in page["by_script_ms"][:12]:
            lines.append(f"    {ms:>8.1f}  {name}")
        lines.append("  by function (top):")
        for name, ms in page["by_function_ms"][:15]:
            lines.append(f"    {ms:>8.1f}  {name}")
    lines += ["", "Goals:"]
    labels = {
        "numbers_painted_ratio_le_1_5": ("new numbers painted, trade-off / hello", "x", "<="),
        "numbers_ratio_le_1_5": ("  the same, first in the page (DOM)", "x", "<="),
        "step_ratio_le_1_5": ("page idle after a step, trade-off / hello", "x", "<="),
        "step_ratio_to_frame_le_1_5": ("  the same, to the next frame", "x", "<="),
        "kb_per_step_lt_200": ("KB per step (max)", " KB", "<"),
        "warm_start_lt_3s": ("warm start (median)", " s", "<"),
    }
    for key, (label, unit, op) in labels.items():
        goal = g[key]
        verdict = "met" if goal["met"] else "MISSED"
        lines.append(
            f"  {label:42}{_f(goal['value'], 2)}{unit} (goal {op} {goal['goal']}{unit.strip()}): "
            f"{verdict}"
        )
    return "\n".join(lines)


def without_raw(results: dict) -> dict:
    """The results without the per-step records (those stay in the JSON file)."""
    return {
        key: {k: v for k, v in value.items() if k != "raw"} if isinstance(value, dict) else value
        for key, value in results.items()
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="PATH",
        help="write the results as JSON to PATH too (no PATH: print them after the table)",
    )
    parser.add_argument("--steps", type=int, default=20, help="measured steps per app")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured steps first")
    parser.add_argument("--starts", type=int, default=2, help="warm starts per app")
    parser.add_argument("--step-timeout", type=float, default=30.0, help="seconds per step")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile the trade-off steps: fragment runs on the server, JS in the page",
    )
    args = parser.parse_args(argv)
    if args.steps < 1 or args.warmup < 0 or args.starts < 1:
        parser.error("--steps and --starts must be >= 1, --warmup >= 0")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    results = measure(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(results, indent=2))
    print(table(results))
    if args.json == "-":
        print(json.dumps(without_raw(results), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
