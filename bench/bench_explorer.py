"""The live explorer of /tradeoff in Chromium: frames during a drag, JavaScript time per move,
bytes, release and load, each against a reference measured in the same run.

    MNIST_DATA=../shared/mnist .venv/bin/python bench/bench_explorer.py [--json [PATH]]

- frame intervals (requestAnimationFrame) during a drag of ``--moves`` pointer moves on the
  threshold plot, against the same drag over an empty page; long animation frames (> 50 ms);
- JavaScript time per move (the explorer's own handler: snap, count, redraw) at the real
  60,000 scores and at ``--big`` synthetic scores (``bench/explorer_app.py``, ten million by
  default), where also: the bytes that reach the page for the explorer at its load (goal at
  most 2 MB whatever the rows), the frame interval during a drag against an empty page's (goal
  at most 1.25x), and ``--steps`` ArrowRight presses, each of which must land on the next
  distinct score (checked against the scores themselves), with the bytes of the windows the
  explorer asked for on the way;
- bytes from the server during the drag (none expected until release), after the release,
  and the one-time payload per detector;
- release to the galleries updated (the fragment's rerun, idle again), against one step of
  ``bench/hello_slider.py``; the page's load to the explorer drawn, against the hello app's
  load to its slider.

Each figure is the median of ``--repeat`` runs where it says so; the machine is shared, so
read ratios rather than milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import add_json_option, emit

from harness.browser import APP_IDLE, CHROMIUM_FLAGS
from harness.server import start_app, stop_app

VIEWPORT = {"width": 1366, "height": 768}
EXPLORER = ".tx[data-tp]"
# Every frame's time and every long animation frame, from before the page's own scripts.
PROBE = """
window.__frames = []; window.__longFrames = []; window.__recording = false;
(function tick(t) {
  if (window.__recording) window.__frames.push(t);
  requestAnimationFrame(tick);
})(0);
try {
  new PerformanceObserver((list) => {
    if (!window.__recording) return;
    for (const e of list.getEntries()) {
      const scripts = (e.scripts || []).map((s) => [s.sourceURL.split("/").pop(), s.duration]);
      window.__longFrames.push({ duration: e.duration, scripts });
    }
  }).observe({ type: "long-animation-frame" });
} catch (e) { window.__longFrames = null; }
"""
# Each drag move's work (snap, count, redraw) as the explorer measures it with the User Timing
# API (MOVE_MEASURE in ui/components/threshold_explorer/view.js); it keeps the last drag's.
MOVE_MEASURE = json.dumps("threshold-explorer: move")
MOVE_TIMES = f"performance.getEntriesByName({MOVE_MEASURE}).map(e => e.duration)"
CLEAR_MOVES = f"performance.clearMeasures({MOVE_MEASURE})"
DRAWN = """() => {
  const root = [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
    .map(h => h.shadowRoot && h.shadowRoot.querySelector('.tx')).find(r => r && r.dataset.tp);
  const path = root && root.querySelector('.tx-precision');
  return path && path.getAttribute('d') ? performance.now() : 0;
}"""


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")
    )


class Frames:
    """Websocket frames the page receives and sends."""

    def __init__(self, page) -> None:
        self.received: list[int] = []
        self.sent: list[int] = []
        page.on("websocket", self._on)

    def _on(self, ws) -> None:
        ws.on("framereceived", lambda p: self.received.append(len(p)))
        ws.on("framesent", lambda p: self.sent.append(len(p)))

    def mark(self) -> tuple[int, int]:
        return len(self.received), len(self.sent)

    def since(self, mark) -> dict:
        got, sent = self.received[mark[0] :], self.sent[mark[1] :]
        return {"received_bytes": sum(got), "received_frames": len(got), "sent_frames": len(sent)}


def drag(page, box, moves: int) -> list[float]:
    """Press on the left of ``box``, move right in ``moves`` steps, release; the frame times."""
    y = box["y"] + box["height"] * 0.5
    left, width = box["x"] + 0.1 * box["width"], 0.8 * box["width"]
    page.mouse.move(left, y)
    page.evaluate(
        "window.__frames = []; window.__longFrames = window.__longFrames && [];"
        " window.__recording = true"
    )
    page.mouse.down()
    for i in range(1, moves + 1):
        page.mouse.move(left + width * i / moves, y)
    frames = page.evaluate("window.__frames")
    return frames


def intervals(frames: list[float]) -> dict:
    gaps = [b - a for a, b in zip(frames, frames[1:], strict=False)]
    return {
        "frames": len(frames),
        "mean_ms": statistics.fmean(gaps) if gaps else float("nan"),
        "p95_ms": percentile(gaps, 0.95),
        "max_ms": max(gaps, default=float("nan")),
    }


def slider_box(page) -> dict:
    return page.locator(".tx-slider").first.bounding_box()


def explorer_run(browser, url: str, *, moves: int) -> dict:
    """One load of /tradeoff, one drag, one release; everything measured on the way."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    page = context.new_page()
    frames = Frames(page)
    try:
        page.goto(f"{url}/tradeoff?digit=5&threshold=0", wait_until="commit")
        drawn = page.wait_for_function(DRAWN, timeout=180_000, polling=10).json_value()
        page.wait_for_selector(APP_IDLE, timeout=180_000)
        load_bytes = sum(frames.received)
        page.wait_for_timeout(500)
        page.evaluate(CLEAR_MOVES)
        before = frames.mark()
        times = drag(page, slider_box(page), moves)
        during = frames.since(before)
        long_frames = page.evaluate("window.__longFrames")
        released = float(page.locator(EXPLORER).first.get_attribute("data-threshold"))
        after = frames.mark()
        start = page.evaluate("performance.now()")
        page.mouse.up()
        page.evaluate("window.__recording = false")
        done = page.wait_for_function(
            """(t) => {
                const link = [...document.querySelectorAll('code')].map(c => c.innerText)
                    .find(s => s.includes('threshold='));
                const idle = document.querySelector(idleSelector);
                return link && parseFloat(link.split('threshold=')[1]) === t && idle
                    ? performance.now() : 0;
            }""".replace("idleSelector", json.dumps(APP_IDLE)),
            arg=released,
            timeout=60_000,
            polling=10,
        ).json_value()
        page.wait_for_timeout(300)
        return {
            "load_to_drawn_ms": drawn,
            "load_ws_bytes": load_bytes,
            "frames": intervals(times),
            "long_frames": long_frames,
            "js_ms": page.evaluate(MOVE_TIMES),
            "during_drag": during,
            "after_release": frames.since(after),
            "release_to_galleries_ms": done - start,
        }
    finally:
        context.close()


def empty_run(browser, *, moves: int) -> dict:
    """The same drag over an empty page: what frames cost with nothing to do."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    page = context.new_page()
    try:
        page.goto("data:text/html,<body style='margin:0;height:100vh'></body>")
        page.wait_for_timeout(300)
        times = drag(page, {"x": 300, "y": 200, "width": 600, "height": 260}, moves)
        page.mouse.up()
        return intervals(times)
    finally:
        context.close()


def hello_run(browser, url: str) -> dict:
    """The one-slider app: its load to the slider, and one keyboard step to its new value."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        shown = page.wait_for_function(
            "() => document.querySelector('[data-testid=stSlider]') && "
            "document.body.innerText.includes('Value: 0') ? performance.now() : 0",
            timeout=60_000,
            polling=10,
        ).json_value()
        page.wait_for_selector(APP_IDLE)
        page.get_by_role("slider").first.focus()
        start = page.evaluate("performance.now()")
        page.keyboard.press("ArrowRight")
        done = page.wait_for_function(
            "() => document.body.innerText.includes('Value: 1') && document.querySelector("
            + json.dumps(APP_IDLE)
            + ") ? performance.now() : 0",
            timeout=60_000,
            polling=10,
        ).json_value()
        return {"load_ms": shown, "step_ms": done - start}
    finally:
        context.close()


SHOWN = """() => {
  const root = [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
    .map(h => h.shadowRoot && h.shadowRoot.querySelector('.tx')).find(r => r && r.dataset.tp);
  return root ? root.dataset.threshold : null;
}"""


def big_run(browser, url: str, *, moves: int, steps: int) -> dict:
    """The explorer at ``--big`` scores: load bytes, one drag (JS per move, frames), then
    ``steps`` ArrowRight presses (the thresholds shown after each, the bytes that came)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    page = context.new_page()
    frames = Frames(page)
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function(DRAWN, timeout=600_000, polling=50)
        page.wait_for_selector(APP_IDLE, timeout=600_000)
        page.wait_for_timeout(1000)
        load_bytes = sum(frames.received)
        page.evaluate(CLEAR_MOVES)
        before = frames.mark()
        times = drag(page, slider_box(page), moves)
        during = frames.since(before)
        js = page.evaluate(MOVE_TIMES)
        page.mouse.up()
        page.evaluate("window.__recording = false")
        page.wait_for_selector(APP_IDLE, timeout=120_000)
        page.wait_for_timeout(1000)
        start = float(page.evaluate(SHOWN))
        page.locator(".tx-slider").first.focus()
        keys = frames.mark()
        began = time.monotonic()
        shown = []
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
            shown.append(float(page.evaluate(SHOWN)))
        # Steps past the ladder wait for a window, then land: wait for the last to settle.
        settled, last = time.monotonic(), shown[-1]
        while time.monotonic() - settled < 3:
            now = float(page.evaluate(SHOWN))
            if now != last:
                settled, last = time.monotonic(), now
            page.wait_for_timeout(100)
        shown.append(last)
        return {
            "load_ws_bytes": load_bytes,
            "frames": intervals(times),
            "js_ms": js,
            "during_drag": during,
            "start": start,
            "shown": shown,
            "keys": frames.since(keys),
            "keys_seconds": settled - began,
        }
    finally:
        context.close()


def key_steps(n: int, start: float, shown: list[float], steps: int) -> dict:
    """How the presses landed, against the scores of ``bench/explorer_app.py`` themselves:
    the last one ``steps`` distinct scores above ``start``, every one shown a real score, and
    none skipped on the way."""
    import numpy as np
    from explorer_app import synthetic_result

    distinct = np.unique(synthetic_result(n).cv_scores)
    ranks = distinct.searchsorted(np.array([start, *shown]))
    real = bool(np.all(distinct[np.minimum(ranks, distinct.size - 1)] == [start, *shown]))
    gaps = np.diff(ranks)
    return {
        "steps": steps,
        "landed": int(ranks[-1] - ranks[0]),
        "all_real_scores": real,
        "none_skipped": bool(np.all((gaps >= 0) & (gaps <= 1))),
        "distinct_scores": int(distinct.size),
    }


def payload_bytes(env: dict[str, str]) -> int:
    """The one-time payload of the 5-detector, as the page sends it (from the warm cache)."""
    os.environ.update(env)
    from core.data import load_dataset
    from core.detector import train_detector
    from core.explorer import detector_nouns, encode_payload, explorer_payload
    from core.tradeoff import tradeoff_data

    dataset = load_dataset()
    result = train_detector(dataset, digit=5, cache_dir=Path(env["THRESHOLD_EXPLORER_CACHE"]))
    return len(encode_payload(explorer_payload(tradeoff_data(result), nouns=detector_nouns(5))))


def measure(args) -> dict:
    from playwright.sync_api import sync_playwright

    args.cache_dir.mkdir(parents=True, exist_ok=True)
    env = {"THRESHOLD_EXPLORER_CACHE": str(args.cache_dir)}
    servers = []
    try:
        servers.append(
            start_app(
                script="bench/explorer_app.py",
                env={"EXPLORER_SCORES": str(args.big)},
                log_name="bench-explorer-big",
            )
        )
        if not args.only_big:
            servers.append(start_app(env=env, log_name="bench-explorer-app"))
            servers.append(
                start_app(script="bench/hello_slider.py", env={}, log_name="bench-hello")
            )
        big_url = servers[0][1]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
            big = big_run(browser, big_url, moves=args.moves, steps=args.steps)
            empties = [empty_run(browser, moves=args.moves) for _ in range(args.repeat)]
            if not args.only_big:
                (_, app_url), (_, hello_url) = servers[1:]
                explorer_run(browser, app_url, moves=10)  # trains (cold cache) and warms up
                runs = [
                    explorer_run(browser, app_url, moves=args.moves) for _ in range(args.repeat)
                ]
                hellos = [hello_run(browser, hello_url) for _ in range(args.repeat)]
            browser.close()
    finally:
        for process, _ in servers:
            stop_app(process)
    median = statistics.median
    results = {
        "moves": args.moves,
        "repeat": args.repeat,
        "empty_frame_mean_ms": median(e["mean_ms"] for e in empties),
        "empty_frame_p95_ms": median(e["p95_ms"] for e in empties),
        "big_scores": args.big,
        "big_js_p95_ms": percentile(big["js_ms"], 0.95),
        "big_js_max_ms": max(big["js_ms"], default=float("nan")),
        "big_load_ws_bytes": big["load_ws_bytes"],
        "big_frame_mean_ms": big["frames"]["mean_ms"],
        "big_frame_p95_ms": big["frames"]["p95_ms"],
        "big_drag_bytes_received": big["during_drag"]["received_bytes"],
        "big_drag_frames_sent": big["during_drag"]["sent_frames"],
        "big_keys": key_steps(args.big, big["start"], big["shown"], args.steps),
        "big_keys_bytes_received": big["keys"]["received_bytes"],
        "big_keys_seconds": big["keys_seconds"],
        "load_average": os.getloadavg()[0],
    }
    if args.only_big:
        return results
    js = [t for run in runs for t in run["js_ms"]]
    return results | {
        "moves": args.moves,
        "repeat": args.repeat,
        "frame_mean_ms": median(r["frames"]["mean_ms"] for r in runs),
        "frame_p95_ms": median(r["frames"]["p95_ms"] for r in runs),
        "long_frames_over_50ms": [r["long_frames"] for r in runs],
        "js_p50_ms": percentile(js, 0.5),
        "js_p95_ms": percentile(js, 0.95),
        "js_max_ms": max(js, default=float("nan")),
        "js_moves": len(js),
        "drag_bytes_received": [r["during_drag"]["received_bytes"] for r in runs],
        "drag_frames_sent": [r["during_drag"]["sent_frames"] for r in runs],
        "release_bytes_received": [r["after_release"]["received_bytes"] for r in runs],
        "payload_bytes": payload_bytes(env),
        "load_ws_bytes": median(r["load_ws_bytes"] for r in runs),
        "release_to_galleries_ms": median(r["release_to_galleries_ms"] for r in runs),
        "hello_step_ms": median(h["step_ms"] for h in hellos),
        "load_to_drawn_ms": median(r["load_to_drawn_ms"] for r in runs),
        "hello_load_ms": median(h["load_ms"] for h in hellos),
    }


def report(r: dict) -> str:
    def ratio(a, b):
        return f"{a / b:.2f}x" if b else "n/a"

    keys = r["big_keys"]
    big = [
        f"explorer benchmark ({r['moves']} moves, median of {r['repeat']}, "
        f"load average {r['load_average']:.1f})",
        f"at {r['big_scores']:,} synthetic scores ({keys['distinct_scores']:,} distinct): "
        f"bytes reaching the page at load {r['big_load_ws_bytes']:,} (goal <= 2,000,000)",
        f"  JS per move p95 {r['big_js_p95_ms']:.2f} ms, max {r['big_js_max_ms']:.2f} ms "
        "(goal p95 < 4 ms)",
        f"  frame interval during drag: mean {r['big_frame_mean_ms']:.1f} ms, p95 "
        f"{r['big_frame_p95_ms']:.1f} ms; empty page {r['empty_frame_mean_ms']:.1f} / "
        f"{r['empty_frame_p95_ms']:.1f} ms: "
        f"{ratio(r['big_frame_mean_ms'], r['empty_frame_mean_ms'])} (goal <= 1.25x)",
        f"  bytes from the server during the drag: {r['big_drag_bytes_received']}, messages "
        f"sent: {r['big_drag_frames_sent']} (goal none until release)",
        f"  {keys['steps']} ArrowRight presses: landed {keys['landed']} distinct scores up, "
        f"every one shown a real score: {keys['all_real_scores']}, none skipped: "
        f"{keys['none_skipped']}; windows asked for on the way: "
        f"{r['big_keys_bytes_received']:,} bytes; {r['big_keys_seconds']:.1f} s to settle",
    ]
    if "js_moves" not in r:
        return "\n".join(big)
    longest = [
        max(f["duration"] for f in x) if x else 0
        for x in r["long_frames_over_50ms"]
        if x is not None
    ]
    return "\n".join(
        [
            *big,
            f"frame interval during drag: mean {r['frame_mean_ms']:.1f} ms, p95 "
            f"{r['frame_p95_ms']:.1f} ms; empty page {r['empty_frame_mean_ms']:.1f} / "
            f"{r['empty_frame_p95_ms']:.1f} ms: "
            f"{ratio(r['frame_mean_ms'], r['empty_frame_mean_ms'])} (goal <= 1.25x)",
            f"long animation frames (> 50 ms) during drags: "
            f"{[len(x) if x is not None else 'n/a' for x in r['long_frames_over_50ms']]}"
            f" (longest {max(longest, default=0):.0f} ms; goal none)",
            f"JS per move at 60,000 scores: p50 {r['js_p50_ms']:.2f} ms, "
            f"p95 {r['js_p95_ms']:.2f} ms, max {r['js_max_ms']:.2f} ms over {r['js_moves']} moves"
            " (goal p95 < 2 ms)",
            f"bytes from the server during each drag: {r['drag_bytes_received']}, messages sent: "
            f"{r['drag_frames_sent']} (goal none until release)",
            f"bytes from the server after each release (rerun, payload from cache): "
            f"{r['release_bytes_received']}",
            f"one-time payload per detector: {r['payload_bytes']:,} bytes; whole first load over "
            f"the websocket: {r['load_ws_bytes']:,} bytes",
            f"release to galleries updated: {r['release_to_galleries_ms']:.0f} ms; hello slider "
            f"step: {r['hello_step_ms']:.0f} ms: "
            f"{ratio(r['release_to_galleries_ms'], r['hello_step_ms'])}",
            f"load to explorer drawn: {r['load_to_drawn_ms']:.0f} ms; hello load to slider: "
            f"{r['hello_load_ms']:.0f} ms: {ratio(r['load_to_drawn_ms'], r['hello_load_ms'])}",
        ]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_json_option(parser)
    parser.add_argument("--moves", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big", type=int, default=10_000_000, help="synthetic scores")
    parser.add_argument("--steps", type=int, default=300, help="ArrowRight presses at --big")
    parser.add_argument(
        "--only-big", action="store_true", help="only the --big figures (no MNIST, no hello app)"
    )
    default_cache = Path(tempfile.gettempdir()) / "threshold-explorer-bench-cache"
    parser.add_argument("--cache-dir", type=Path, default=default_cache)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if args.moves < 2 or args.repeat < 1 or args.big < 2:
        parser.error("--moves and --big must be >= 2, --repeat >= 1")
    if not args.only_big and not os.environ.get("MNIST_DATA"):
        sys.exit("error: set MNIST_DATA to a directory of the four MNIST IDX files")
    started = time.monotonic()
    results = measure(args)
    results["seconds"] = time.monotonic() - started
    return emit(args, results, report(results))


if __name__ == "__main__":
    sys.exit(main())
