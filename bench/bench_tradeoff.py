"""Benchmark: the trade-off page in Chromium against bench/hello_slider.py, served alike.

    MNIST_DATA=/work/shared/mnist python bench/bench_tradeoff.py [--steps 20] [--json [PATH]]

For each app, in the same run:

- warm start: seconds from launching ``streamlit run`` until a new tab shows the numbers
  (median of ``--starts``; one untimed start first, which trains the detector if the cache
  ``--cache-dir`` is cold and warms the OS's file cache);
- slider step: ArrowRight on the focused slider (the hello app's ``st.slider``, the explorer's
  on /tradeoff), ``--steps`` times after ``--warmup``; timed in the page from the keydown to the
  new numbers in the DOM, to the animation frame that paints them, and to the page idle again
  with the server caught up (on /tradeoff: after the explorer's key pause, the galleries
  redrawn);
- bytes per step: websocket frames received plus /media/ response bodies (1 KB = 1000 bytes).

Goals: painted and DOM step at most 1.5x the hello app's, at most 200 KB per step, warm start
under 3 s. Server logs land in test-artifacts/bench-*.log.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from common import (
    HELLO,
    LOOPBACK_ONLY,
    SERVER_ENV,
    TRADEOFF,
    VIEWPORT,
    add_json_option,
    emit,
    mnist_dir,
    open_app,
    ratio,
    step,
    summary,
)

from harness.browser import chromium
from harness.server import app_server

GOALS = {"step_ratio": 1.5, "kb": 200.0, "warm_start_s": 3.0}
STEP_FIGURES = ("numbers", "painted", "idle")


def measure_app(browser, app, env: dict, args) -> dict:
    """Warm starts of ``app``, then slider steps on the last server started."""
    starts, steps = [], []
    for number in range(args.starts + 1):
        launched = time.perf_counter()
        with app_server(script=app.script, env=env, log_name=f"bench-{app.name}") as (_, url):
            context = browser.new_context(viewport=VIEWPORT)
            try:
                page, traffic, shown = open_app(context, url, app, timeout_ms=300_000)
                if number:  # the first start is untimed
                    starts.append(shown - launched)
                if number == args.starts:
                    page.wait_for_function("[...document.images].every((i) => i.complete)")
                    page.wait_for_timeout(300)  # late messages of the first run are no step's
                    page.get_by_role("slider").first.focus()
                    for k in range(args.warmup + args.steps):
                        traffic.take()
                        timings = step(page, app)
                        if k >= args.warmup:
                            steps.append({**timings, "kb": traffic.take()})
            finally:
                context.close()
    figures = {f"{key}_ms": summary(s[key] for s in steps) for key in STEP_FIGURES}
    return {"warm_start_s": summary(starts), **figures, "kb": summary(s["kb"] for s in steps)}


def measure(args) -> dict:
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **SERVER_ENV,
        "MNIST_DATA": str(mnist_dir()),
        "THRESHOLD_EXPLORER_CACHE": str(args.cache_dir),
    }
    results = {"config": {**vars(args), "load_average_before": os.getloadavg()[0]}}
    with chromium(args.chromium, extra_args=(LOOPBACK_ONLY,)) as browser:
        results["config"]["chromium"] = browser.version
        for app in (HELLO, TRADEOFF):
            results[app.name] = measure_app(browser, app, env, args)
    results["config"]["load_average_after"] = os.getloadavg()[0]
    ours, hello = results["tradeoff"], results["hello"]
    results["ratios"] = {
        key: ratio(ours[key]["median"], hello[key]["median"])
        for key in ("warm_start_s", *(f"{k}_ms" for k in STEP_FIGURES), "kb")
    }
    r = results["ratios"]
    results["goals_met"] = {
        "painted_ms": r["painted_ms"] is not None and r["painted_ms"] <= GOALS["step_ratio"],
        "numbers_ms": r["numbers_ms"] is not None and r["numbers_ms"] <= GOALS["step_ratio"],
        "kb": ours["kb"]["max"] < GOALS["kb"],
        "warm_start_s": ours["warm_start_s"]["median"] < GOALS["warm_start_s"],
    }
    return results


def table(results: dict) -> str:
    ours, hello, c = results["tradeoff"], results["hello"], results["config"]
    lines = [
        f"/tradeoff vs hello slider: {c['steps']} steps (+{c['warmup']} warm-up), {c['starts']} "
        f"warm start(s) each; load average {c['load_average_before']:.2f} -> "
        f"{c['load_average_after']:.2f}",
        f"{'':50}{'tradeoff':>10}{'hello':>10}{'ratio':>8}",
    ]
    for key, label in (
        ("warm_start_s", "warm start, launch -> numbers (s)"),
        ("numbers_ms", "step: key -> new numbers in the DOM (ms)"),
        ("painted_ms", "step: key -> new numbers painted (ms)"),
        ("idle_ms", "step: key -> page idle again (ms)"),
        ("kb", "bytes per step (KB)"),
    ):
        for stat in ("median", "max") if key == "kb" else ("median", "p90"):
            a, b = ours[key][stat], hello[key][stat]
            r = ratio(a, b)
            lines.append(
                f"{label + ', ' + stat:50}{a or 0:>10.2f}{b or 0:>10.2f}"
                + (f"{r:>7.2f}x" if r else "")
            )
    met = ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in results["goals_met"].items())
    return "\n".join([*lines, f"goals: {met}"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_json_option(parser)
    parser.add_argument("--steps", type=int, default=20, help="measured steps per app")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured steps first")
    parser.add_argument("--starts", type=int, default=2, help="timed warm starts per app")
    default_cache = Path(tempfile.gettempdir()) / "threshold-explorer-bench-cache"
    parser.add_argument("--cache-dir", type=Path, default=default_cache)
    parser.add_argument("--chromium", default=None, help="default: $CHROMIUM or Debian's")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.warmup < 0 or args.starts < 1:
        parser.error("--steps and --starts must be >= 1, --warmup >= 0")
    results = measure(args)
    return emit(args, results, table(results))


if __name__ == "__main__":
    sys.exit(main())
