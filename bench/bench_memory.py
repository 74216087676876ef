"""Benchmark: the server's memory through load, train and trade-off, against the hello app's.

    MNIST_DATA=/work/shared/mnist python bench/bench_memory.py [--steps 5] [--json [PATH]]

Starts ``streamlit run app.py`` with a fresh, empty cache (so it really trains) and drives
Chromium through /digits (the data loads), /train (press "Train the 5-detector"), /tradeoff and
``--steps`` slider steps, then leaves the page open ``--idle`` seconds. A thread reads the
server's RSS (VmRSS of it and any child, from /proc) every ``--interval`` seconds, and VmHWM,
the kernel's own peak, which catches a spike between two samples. Peak: the larger of the two;
steady: the median RSS over the idle stage. The reference, measured the same way in the same
run: bench/hello_slider.py opened, stepped once and left idle. Goals: peak under 1 GB, steady
under 500 MB (1 MB = 10^6 bytes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
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
)

from harness.browser import chromium, wait_for_idle
from harness.memory import tree_mb
from harness.server import app_server

GOALS_MB = {"peak": 1000.0, "steady": 500.0}


class Sampler(threading.Thread):
    """RSS samples of a process tree, (stage, MB), until stopped."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.stage = pid, interval, "started"
        self.samples: list[tuple[str, float]] = []
        self.hwm_mb = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.samples.append((self.stage, tree_mb(self.pid)))
            self.hwm_mb = max(self.hwm_mb, tree_mb(self.pid, "VmHWM"))

    def figures(self) -> dict:
        self.stopped.set()
        self.join()
        stages = {}
        for stage, mb in self.samples:
            stages.setdefault(stage, []).append(mb)
        return {
            "peak_mb": max(self.hwm_mb, *(mb for _, mb in self.samples)),
            "steady_mb": statistics.median(stages["idle"]),
            "stages": {s: {"end_mb": v[-1], "peak_mb": max(v)} for s, v in stages.items()},
        }


def flow(browser, app, env: dict, args) -> dict:
    with app_server(script=app.script, env=env, log_name=f"bench-memory-{app.name}") as server:
        process, url = server
        sampler = Sampler(process.pid, args.interval)
        sampler.start()
        context = browser.new_context(viewport=VIEWPORT)
        timeout = 300_000
        try:
            page = context.new_page()
            if app is TRADEOFF:
                sampler.stage = "load (/digits)"
                page.goto(f"{url}/digits?index=0")
                page.get_by_text("Gallery").wait_for(timeout=timeout)
                wait_for_idle(page, timeout_ms=timeout)
                sampler.stage = "train (/train)"
                page.goto(f"{url}/train?digit=5")
                wait_for_idle(page, timeout_ms=timeout)
                page.get_by_role("button", name="Train the 5-detector").click()
                page.get_by_role("heading", name="Accuracy, fold by fold").wait_for(timeout=timeout)
                wait_for_idle(page, timeout_ms=timeout)
                page.close()
            steps = args.steps if app is TRADEOFF else 1
            sampler.stage = f"{app.name} page and {steps} step(s)"
            page, _, _ = open_app(context, url, app, timeout_ms=timeout)
            page.get_by_role("slider").first.focus()
            for _ in range(steps):
                step(page, app)
            sampler.stage = "idle"
            time.sleep(args.idle)
        finally:
            context.close()
        return sampler.figures()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_json_option(parser)
    parser.add_argument("--steps", type=int, default=5, help="slider steps on /tradeoff")
    parser.add_argument("--idle", type=float, default=5.0, help="idle seconds after the flow")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between samples")
    parser.add_argument("--chromium", default=None, help="default: $CHROMIUM or Debian's")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.idle <= 0 or args.interval <= 0:
        parser.error("--steps must be >= 1, --idle and --interval > 0")
    results = {"config": {**vars(args), "load_average_before": os.getloadavg()[0]}}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as cache:  # empty: the app trains
        env = {**SERVER_ENV, "MNIST_DATA": str(mnist_dir()), "THRESHOLD_EXPLORER_CACHE": cache}
        with chromium(args.chromium, extra_args=(LOOPBACK_ONLY,)) as browser:
            for app in (HELLO, TRADEOFF):
                results[app.name] = flow(browser, app, env, args)
        trained = sorted(p.name for p in Path(cache).glob("*"))
    results["config"]["load_average_after"] = os.getloadavg()[0]
    ours, hello = results["tradeoff"], results["hello"]
    results["cache_files"] = trained
    results["ratios"] = {k: ratio(ours[f"{k}_mb"], hello[f"{k}_mb"]) for k in GOALS_MB}
    results["goals_met"] = {k: ours[f"{k}_mb"] < goal for k, goal in GOALS_MB.items()}
    lines = [f"server RSS (MB): {'stage':34}{'end':>8}{'peak':>8}"]
    for name in ("hello", "tradeoff"):
        for stage, f in results[name]["stages"].items():
            lines.append(f"  {name:14}{stage:34}{f['end_mb']:>8.0f}{f['peak_mb']:>8.0f}")
    for k, goal in GOALS_MB.items():
        lines.append(
            f"{k}: {ours[f'{k}_mb']:.0f} MB vs hello {hello[f'{k}_mb']:.0f} MB "
            f"({results['ratios'][k]:.1f}x); goal < {goal:.0f} MB: "
            f"{'met' if results['goals_met'][k] else 'MISSED'}"
        )
    return emit(args, results, "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
