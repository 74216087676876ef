"""Memory of the server through the whole flow: load, train, trade-off page.

    MNIST_DATA=/work/shared/mnist python bench/bench_memory.py [--json [PATH]] [--steps 5]

Starts the real server (``streamlit run app.py --server.headless true``) with a fresh, empty
``THRESHOLD_EXPLORER_CACHE``, so it really trains, and drives Chromium through the flow:

1. load: ``/digits`` (the first page run imports the app and loads MNIST);
2. train: ``/train``, press "Train the 5-detector", wait until the fold accuracies show;
3. trade-off: ``/tradeoff``, then ``--steps`` slider steps (ArrowRight, each until idle);
4. idle: ``--idle`` seconds with the page still open;
5. gc: ``gc.collect()`` in the server (see below), then a few seconds more: the steady figure;
6. malloc_trim: glibc's ``malloc_trim(0)`` in the server, to show how much of the steady
   figure is freed memory that the allocator kept (a diagnostic, not part of the flow).

A sampler reads ``VmRSS`` of the server and of any child process from ``/proc/<pid>/status``
every ``--interval`` seconds (0.1) and ``VmHWM`` (the kernel's own peak RSS, which catches a
spike between two samples), and how the RSS splits into anonymous memory (``RssAnon``: the
heap, arrays) and mapped files (``RssFile``: mostly the code of the imported libraries, which
the kernel may drop and read again). Reported: the peak (the larger of the highest sample and
VmHWM), the steady RSS (median over the "gc" stage) and, per stage, RSS at its start and end,
its highest sample and the split at its end.

The gc and malloc_trim stages need a hook in the server: a ``sitecustomize`` module, written
to a temporary directory put on the server's ``PYTHONPATH`` (nothing in the project changes),
runs them on SIGUSR1 and SIGUSR2 and writes the RSS before and after to a file.

The reference, measured in the same run the same way: ``bench/hello_slider.py`` (a one-slider
Streamlit app) opened in the browser, stepped once and left idle: what Streamlit alone costs.
Goals: peak under 1 GB, steady under 500 MB (1 MB = 10^6 bytes here; /proc's kB are KiB).
Server logs land in test-artifacts/bench-memory-*.log.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM_FLAGS, start_app, stop_app, wait_for_idle  # noqa: E402

GOAL_PEAK_MB = 1000.0
GOAL_STEADY_MB = 500.0
# The notebook's X_train: 60,000 x 784 float64.
FLOAT64_TRAIN_MB = 60_000 * 784 * 8 / 1e6
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
SERVER_ENV = {"STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "THRESHOLD_EXPLORER_OFFLINE": "1"}
VIEWPORT = {"width": 1400, "height": 1000}
TRADEOFF_PATH = "/tradeoff?digit=5&threshold=3370.0194991439557"

HOOK = '''
"""bench_memory.py hook: SIGUSR1 runs gc.collect(), SIGUSR2 glibc's malloc_trim(0)."""
import os
import signal

OUT = os.environ["BENCH_MEMORY_HOOK"]


def _rss_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def _record(what, before):
    with open(OUT, "a") as out:
        out.write(f"{what} {before} {_rss_kb()}\\n")


def _collect(signum, frame):
    import gc

    before = _rss_kb()
    gc.collect()
    _record("gc", before)


def _trim(signum, frame):
    import ctypes

    before = _rss_kb()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    _record("malloc_trim", before)


signal.signal(signal.SIGUSR1, _collect)
signal.signal(signal.SIGUSR2, _trim)
'''


# --- reading /proc ------------------------------------------------------------------------------
def _status_kb(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon and RssFile of one process in kB (KiB); empty when it is gone."""
    figures = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
                    figures[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        return {}
    return figures


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


def _mb(kb: float) -> float:
    return kb * 1024 / 1e6


class Sampler:
    """Samples the RSS of a process tree in a thread; stages are marked by name."""

    def __init__(self, pid: int, interval: float) -> None:
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self.split: list[tuple[float, float, float]] = []  # (seconds, anonymous MB, file MB)
        self.hwm_mb = 0.0
        self.n_processes = 1
        self.stages: list[tuple[str, float]] = []
        self._start = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def now(self) -> float:
        return time.perf_counter() - self._start

    def sample(self) -> float:
        tree = process_tree(self.pid)
        figures = [_status_kb(pid) for pid in tree]
        rss = _mb(sum(f.get("VmRSS", 0) for f in figures))
        # Each process's own peak; summed over processes it is an upper bound of the tree's.
        self.hwm_mb = max(self.hwm_mb, _mb(sum(f.get("VmHWM", 0) for f in figures)))
        self.n_processes = max(self.n_processes, len(tree))
        now = self.now()
        self.samples.append((now, rss))
        anon = _mb(sum(f.get("RssAnon", 0) for f in figures))
        self.split.append((now, anon, _mb(sum(f.get("RssFile", 0) for f in figures))))
        return rss

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def mark(self, stage: str) -> None:
        """A new stage starts now (and the previous one ends)."""
        self.stages.append((stage, self.now()))

    def breakdown(self) -> list[dict]:
        ends = [t for _, t in self.stages[1:]] + [self.now()]
        rows = []
        for (stage, start), end in zip(self.stages, ends, strict=True):
            inside = [mb for t, mb in self.samples if start <= t <= end]
            before = [mb for t, mb in self.samples if t <= start]
            split = [(anon, file) for t, anon, file in self.split if start <= t <= end]
            rows.append(
                {
                    "stage": stage,
                    "seconds": end - start,
                    "start_mb": before[-1] if before else (inside[0] if inside else None),
                    "end_mb": inside[-1] if inside else None,
                    "peak_mb": max(inside) if inside else None,
                    "median_mb": statistics.median(inside) if inside else None,
                    "n_samples": len(inside),
                    "end_anon_mb": split[-1][0] if split else None,
                    "end_file_mb": split[-1][1] if split else None,
                }
            )
        return rows


# --- the server hook ----------------------------------------------------------------------------
class Hook:
    """Ask the server for gc.collect() or malloc_trim(0) and wait for its answer."""

    def __init__(self, directory: str) -> None:
        Path(directory, "sitecustomize.py").write_text(HOOK)
        self.out = Path(directory, "hook.txt")
        self.env = {
            "PYTHONPATH": os.pathsep.join(filter(None, [directory, os.environ.get("PYTHONPATH")])),
            "BENCH_MEMORY_HOOK": str(self.out),
        }

    def _lines(self) -> list[str]:
        return self.out.read_text().splitlines() if self.out.exists() else []

    def run(self, pid: int, signum: int, *, timeout: float = 30.0) -> dict:
        seen = len(self._lines())
        os.kill(pid, signum)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self._lines()
            if len(lines) > seen:
                what, before, after = lines[seen].split()
                return {"what": what, "before_mb": _mb(int(before)), "after_mb": _mb(int(after))}
            time.sleep(0.05)
        raise RuntimeError(f"the server did not answer signal {signum} within {timeout} s")


# --- the flow -----------------------------------------------------------------------------------
def slider_steps(page, steps: int, *, timeout_ms: int) -> None:
    """Press ArrowRight on the threshold slider ``steps`` times, each until the page is idle."""
    thumb = page.get_by_role("slider").first
    thumb.focus()
    for _ in range(steps):
        before = page.get_by_text("Link to this view").inner_text()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            """(before) => {
                const link = [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
                    .map((c) => c.innerText).find((t) => t.includes('Link to this view'));
                return link && link !== before && document.querySelector(
                    '[data-testid=stApp][data-test-script-state=notRunning]') !== null;
            }""",
            arg=before,
            timeout=timeout_ms,
        )


def app_flow(browser, env: dict, args) -> dict:
    """The real app: load, train, trade-off, idle, gc, malloc_trim; RSS sampled throughout."""
    timeout = int(args.timeout * 1000)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        hook = Hook(scratch)
        cache = Path(scratch, "cache")  # empty: the server trains
        server_env = {**env, **hook.env, "THRESHOLD_EXPLORER_CACHE": str(cache)}
        launched = time.perf_counter()
        process, url = start_app(env=server_env, log_name="bench-memory-app")
        health_seconds = time.perf_counter() - launched
        context = browser.new_context(viewport=VIEWPORT)
        hook_runs = []
        try:
            page = context.new_page()
            with Sampler(process.pid, args.interval) as sampler:
                sampler.mark("started (idle)")
                time.sleep(1.0)

                sampler.mark("load (/digits)")
                page.goto(f"{url}/digits?index=0")
                page.get_by_text("Gallery").wait_for(timeout=timeout)
                wait_for_idle(page, timeout_ms=timeout)

                sampler.mark("train (/train)")
                page.goto(f"{url}/train?digit=5")
                wait_for_idle(page, timeout_ms=timeout)
                page.get_by_role("button", name="Train the 5-detector").click()
                page.get_by_text("fold by fold").wait_for(timeout=timeout)
                wait_for_idle(page, timeout_ms=timeout)

                sampler.mark("trade-off (/tradeoff)")
                page.goto(url + TRADEOFF_PATH)
                page.get_by_text("The digits at the cut").wait_for(timeout=timeout)
                wait_for_idle(page, timeout_ms=timeout)
                sampler.mark(f"trade-off: {args.steps} slider steps")
                slider_steps(page, args.steps, timeout_ms=timeout)

                sampler.mark(f"idle {args.idle:g} s")
                time.sleep(args.idle)
                sampler.mark("after gc.collect()")
                hook_runs.append(hook.run(process.pid, signal.SIGUSR1))
                time.sleep(args.after)
                sampler.mark("after malloc_trim(0)")
                hook_runs.append(hook.run(process.pid, signal.SIGUSR2))
                time.sleep(args.after)
            trained = page.get_by_text("fold by fold").count() == 0  # still on /tradeoff
            errors = page.locator("[data-testid=stException], [data-testid=stAlertContentError]")
            n_errors = errors.count()
        finally:
            context.close()
            stop_app(process)
        cache_files = sorted(p.name for p in cache.glob("detector-*.pkl"))
    stages = sampler.breakdown()
    steady_stage = next(s for s in stages if s["stage"] == "after gc.collect()")
    trimmed_stage = next(s for s in stages if s["stage"] == "after malloc_trim(0)")
    peak = max(max(mb for _, mb in sampler.samples), sampler.hwm_mb)
    return {
        "health_seconds": health_seconds,
        "peak_mb": peak,
        "peak_sampled_mb": max(mb for _, mb in sampler.samples),
        "vm_hwm_mb": sampler.hwm_mb,
        "steady_mb": steady_stage["median_mb"],
        "after_malloc_trim_mb": trimmed_stage["median_mb"],
        "stages": stages,
        "hook": hook_runs,
        "processes": sampler.n_processes,
        "error_elements": n_errors,
        "on_tradeoff_page": trained,
        "detector_cache_files": cache_files,
        "samples": sampler.samples,
    }


def hello_flow(browser, env: dict, args) -> dict:
    """The reference: the one-slider app, opened, stepped once, left idle."""
    with tempfile.TemporaryDirectory(prefix="bench-memory-hello-") as scratch:
        hook = Hook(scratch)
        process, url = start_app(
            script="bench/hello_slider.py", env={**env, **hook.env}, log_name="bench-memory-hello"
        )
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            with Sampler(process.pid, args.interval) as sampler:
                sampler.mark("page open, one step")
                page.goto(url)
                page.get_by_text("Value:").wait_for(timeout=60_000)
                wait_for_idle(page)
                page.get_by_role("slider").first.focus()
                page.keyboard.press("ArrowRight")
                page.get_by_text("Value: 1").wait_for(timeout=60_000)
                time.sleep(args.idle)
                sampler.mark("after gc.collect()")
                hook.run(process.pid, signal.SIGUSR1)
                time.sleep(args.after)
        finally:
            context.close()
            stop_app(process)
    stages = sampler.breakdown()
    return {
        "peak_mb": max(max(mb for _, mb in sampler.samples), sampler.hwm_mb),
        "steady_mb": stages[-1]["median_mb"],
        "stages": stages,
    }


def measure(args) -> dict:
    from playwright.sync_api import sync_playwright

    mnist = os.environ.get("MNIST_DATA")
    if not mnist:
        raise SystemExit("error: set MNIST_DATA to a directory of the MNIST IDX files")
    env = {**SERVER_ENV, "MNIST_DATA": mnist}
    results = {
        "config": {
            "steps": args.steps,
            "idle_seconds": args.idle,
            "interval_seconds": args.interval,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "parallel_fits_env": os.environ.get("THRESHOLD_EXPLORER_PARALLEL_FITS"),
            "load_average_before": os.getloadavg()[0],
        },
        "float64_train_mb": FLOAT64_TRAIN_MB,
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=[*CHROMIUM_FLAGS, LOOPBACK_ONLY]
        )
        try:
            results["hello"] = hello_flow(browser, env, args)
            results["app"] = app_flow(browser, env, args)
        finally:
            browser.close()
    results["config"]["load_average_after"] = os.getloadavg()[0]
    app, hello = results["app"], results["hello"]
    results["ratios"] = {
        "peak_over_hello": app["peak_mb"] / hello["peak_mb"],
        "steady_over_hello": app["steady_mb"] / hello["steady_mb"],
    }
    results["goals"] = {
        "peak_lt_1gb": {
            "value": app["peak_mb"],
            "goal": GOAL_PEAK_MB,
            "met": app["peak_mb"] < GOAL_PEAK_MB,
        },
        "steady_lt_500mb": {
            "value": app["steady_mb"],
            "goal": GOAL_STEADY_MB,
            "met": app["steady_mb"] < GOAL_STEADY_MB,
        },
    }
    return results


def table(results: dict) -> str:
    app, hello, config = results["app"], results["hello"], results["config"]
    lines = [
        f"Server memory through load, train and trade-off (RSS, 1 MB = 10^6 bytes; "
        f"{config['cpus']} CPUs, load average {config['load_average_before']:.2f} -> "
        f"{config['load_average_after']:.2f}; {app['processes']} process(es))",
        "",
        f"{'stage':34}{'seconds':>9}{'start':>9}{'end':>9}{'peak':>9}{'end: anon':>11}{'file':>7}",
    ]
    for stage in app["stages"]:
        cells = [stage[k] for k in ("start_mb", "end_mb", "peak_mb")]
        anon, file = stage["end_anon_mb"], stage["end_file_mb"]
        lines.append(
            f"{stage['stage']:34}{stage['seconds']:>9.1f}"
            + "".join(f"{'-' if c is None else f'{c:,.0f}':>9}" for c in cells)
            + (f"{anon:>11,.0f}{file:>7,.0f}" if anon is not None else "")
        )
    for run in app["hook"]:
        lines.append(
            f"  {run['what']}: {run['before_mb']:,.0f} -> {run['after_mb']:,.0f} MB "
            f"in the server's own measure"
        )
    ratios, goals = results["ratios"], results["goals"]
    lines += [
        "",
        f"{'':34}{'app':>10}{'hello':>10}{'ratio':>9}",
        f"{'peak (max of samples and VmHWM)':34}{app['peak_mb']:>10,.0f}"
        f"{hello['peak_mb']:>10,.0f}{ratios['peak_over_hello']:>8.2f}x",
        f"{'steady (idle, after gc)':34}{app['steady_mb']:>10,.0f}"
        f"{hello['steady_mb']:>10,.0f}{ratios['steady_over_hello']:>8.2f}x",
        f"{'  after malloc_trim(0) too':34}{app['after_malloc_trim_mb']:>10,.0f}",
        f"(the notebook's X_train as float64 alone: {results['float64_train_mb']:.0f} MB)",
        "",
        "Goals:",
    ]
    for label, key, op in (
        ("peak", "peak_lt_1gb", "<"),
        ("steady", "steady_lt_500mb", "<"),
    ):
        goal = goals[key]
        verdict = "met" if goal["met"] else "MISSED"
        lines.append(
            f"  {label:8}{goal['value']:8,.0f} MB (goal {op} {goal['goal']:,.0f} MB): {verdict}"
        )
    if app["error_elements"]:
        lines.append(f"WARNING: {app['error_elements']} error element(s) on the trade-off page")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="PATH",
        help="write the figures as JSON to PATH (no PATH: print them instead of the table)",
    )
    parser.add_argument("--steps", type=int, default=5, help="slider steps on /tradeoff")
    parser.add_argument("--idle", type=float, default=5.0, help="idle seconds after the flow")
    parser.add_argument("--after", type=float, default=3.0, help="seconds sampled after gc/trim")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between samples")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per page wait")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if args.steps < 0 or args.idle < 0 or args.after <= 0 or args.interval <= 0:
        parser.error("--steps and --idle must be >= 0, --after and --interval > 0")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if not os.environ.get("MNIST_DATA"):
        print("error: set MNIST_DATA to a directory of the MNIST IDX files", file=sys.stderr)
        return 2
    results = measure(args)
    if args.json == "-":
        print(json.dumps({**results, "app": {**results["app"], "samples": "..."}}, indent=2))
        return 0
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
