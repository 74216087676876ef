"""Hostile input and heavy load: memory and time of each hostile case, and the training queue.

Every figure comes from a fresh process (its peak RSS from ``wait4``, its wall time from the
parent), beside a reference measured in the same run:

- ``pictures``: ``python -m core predict`` of each crafted picture (built on the fly by
  ``harness/hostile_files.py``; none is stored) against an ordinary digit photo: the 40,000,000 x 1
  1-bit PNG, a progressive JPEG of 20,000 scans, a 12 MP phone photo, the largest picture the
  limits let through (a 16.8 MP RGBA PNG). For the two refused ones, what Pillow alone costs
  on them (the decoding we no longer do; the JPEG's on 1,000 of its scans, as 20,000 take
  minutes). Then four threads preparing the largest picture at once against one alone: one
  decode at a time, so the peak should barely grow.
- ``models``: ``predict`` with a valid export against one whose ``coef.npy`` header claims
  shape (1, 10^12), and 300 seeded one-byte flips of the export in one process (how many are
  refused, whether any escaped ``main``).
- ``queue`` (needs ``MNIST_DATA``): one lone training of the detector, then six digits asked
  at once of one :class:`core.jobs.JobRegistry`, as six sessions of one server would: each
  one's answer time, its place in line when asked, the process's peak RSS (goal under 1 GB),
  the first answer against the lone training (goal at most 1.3x), and whether anyone waited
  longer than the trainings before them.
- ``server`` (needs ``MNIST_DATA`` and Chromium): six browser sessions open ``/tradeoff`` for
  six digits at once on one fresh server: each one's answer, the server's peak RSS (goal under
  1 GB); then the digit answered first alone on another fresh server (goal: the first answer
  at most 1.3x that).

Usage::

    MNIST_DATA=/path/to/mnist python bench/bench_hostile.py
        [--only pictures|models|queue|server] [--json PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import LOOPBACK_ONLY, SERVER_ENV  # bench/ is the script's folder

from harness import ROOT
from harness.hostile_files import many_scan_jpeg, phone_photo_jpeg, wide_bilevel_png

MAKE_RUN_ARENAS = SERVER_ENV["MALLOC_ARENA_MAX"]
QUEUE_DIGITS = (0, 1, 2, 3, 4, 6)
LONE_DIGIT = 5
PEAK_GOAL_MB = 1000.0
FIRST_ANSWER_GOAL = 1.3


def run_process(args: list[str], *, env: dict | None = None, timeout: float = 900) -> dict:
    """Run ``args`` from the project's root: exit status, wall seconds, peak RSS (MB), output.

    The peak is GNU time's (``/usr/bin/time -f %M``): a child forked from this process would
    inherit this process's high-water mark in its own ``ru_maxrss``.
    """
    with tempfile.NamedTemporaryFile(suffix=".time") as peak:
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M", "-o", peak.name, *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        seconds = time.perf_counter() - start
        kib = int(Path(peak.name).read_text().split()[-1])
    return {
        "status": done.returncode,
        "seconds": seconds,
        "peak_mb": kib * 1024 / 1e6,
        "stdout": done.stdout,
        "stderr": done.stderr,
    }


def python(code: str, *args: str, env: dict | None = None, timeout: float = 900) -> dict:
    return run_process([sys.executable, "-c", code, *args], env=env, timeout=timeout)


# --------------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------------


def largest_allowed_png() -> bytes:
    """A 4096 x 4096 RGBA PNG (16.8 MP, the most pixels the limit lets through) of a digit."""
    from PIL import Image, ImageDraw

    page = Image.new("RGBA", (4096, 4096), (255, 255, 255, 0))
    draw = ImageDraw.Draw(page)
    draw.line([(1500, 800), (1200, 2600), (2900, 2600)], (20, 20, 20, 255), 160)
    draw.line([(2500, 1400), (2500, 3400)], (20, 20, 20, 255), 160)
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    return buffer.getvalue()


def ordinary_photo() -> bytes:
    return phone_photo_jpeg(width=1200, height=900)


def model_file(directory: Path) -> Path:
    """An export of the fallback set's 5-detector (trained into a throwaway cache)."""
    import numpy as np

    from core.data import load_fallback_dataset
    from core.detector import train_detector
    from core.export import export_model

    digits = load_fallback_dataset()
    result = train_detector(digits, digit=5, cache_dir=directory / "cache")
    path = directory / "detector.zip"
    threshold = float(np.sort(result.cv_scores)[-200])
    path.write_bytes(export_model(result, threshold=threshold, dataset=digits))
    return path


PILLOW_ALONE = """
import sys
from PIL import Image
picture = Image.open(sys.argv[1])
picture.draft("L", (1024, 1024))
picture.load()
grey = picture.convert("L")
scale = 1024 / max(grey.size)
size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
grey.resize(size, Image.Resampling.BOX)
"""

FOUR_AT_ONCE = """
import sys, threading
from core.digit_image import prepare_digit_image
data = open(sys.argv[1], "rb").read()
count = int(sys.argv[2])
threads = [threading.Thread(target=prepare_digit_image, args=(data,)) for _ in range(count)]
for thread in threads: thread.start()
for thread in threads: thread.join()
"""


def bench_pictures(directory: Path) -> dict:
    model = model_file(directory)
    files = {
        "ordinary photo (1200x900 JPEG, reference)": ("ordinary.jpg", ordinary_photo()),
        "12 MP phone photo (4000x3000 JPEG)": ("phone.jpg", phone_photo_jpeg()),
        "largest allowed (4096x4096 RGBA PNG)": ("largest.png", largest_allowed_png()),
        "40,000,000 x 1 1-bit PNG": ("wide.png", wide_bilevel_png(40_000_000)),
        "progressive JPEG of 20,000 scans": ("scans.jpg", many_scan_jpeg(20_000)),
    }
    figures = {}
    for label, (name, data) in files.items():
        path = directory / name
        path.write_bytes(data)
        run = run_process(
            [sys.executable, "-m", "core", "predict", "--model", str(model), str(path)]
        )
        line = (run["stdout"].splitlines()[1:] or run["stderr"].splitlines() or [""])[0]
        figures[label] = {
            "bytes": len(data),
            "seconds": run["seconds"],
            "peak_mb": run["peak_mb"],
            "status": run["status"],
            "line": line,
        }
    # What the two refused pictures cost Pillow alone: the decoding we no longer do.
    (directory / "scans1000.jpg").write_bytes(many_scan_jpeg(1_000))
    pillow = {}
    for label, name in (
        ("40,000,000 x 1 1-bit PNG", "wide.png"),
        ("progressive JPEG, 1,000 of those scans", "scans1000.jpg"),
    ):
        run = python(PILLOW_ALONE, str(directory / name))
        pillow[label] = {
            "seconds": run["seconds"],
            "peak_mb": run["peak_mb"],
            "ok": not run["status"],
        }
    bare = python("import PIL.Image, numpy, scipy.ndimage")
    at_once = {}
    for threads in (1, 4):
        run = python(FOUR_AT_ONCE, str(directory / "largest.png"), str(threads))
        at_once[threads] = {
            "seconds": run["seconds"],
            "peak_mb": run["peak_mb"],
            "ok": not run["status"],
        }
    return {
        "predict": figures,
        "pillow_alone": pillow,
        "imports_only_peak_mb": bare["peak_mb"],
        "largest_at_once": at_once,
    }


# --------------------------------------------------------------------------------------------
# Model files
# --------------------------------------------------------------------------------------------

FUZZ = """
import contextlib, io, json, sys
import numpy as np
from core.cli import main
model, image = sys.argv[1], sys.argv[2]
data = open(model, "rb").read()
rng = np.random.default_rng(13)
statuses, escaped = [], 0
for position in rng.integers(0, len(data), size=300):
    flipped = bytearray(data)
    flipped[position] ^= int(rng.integers(1, 256))
    open(model + ".flipped", "wb").write(bytes(flipped))
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            statuses.append(main(["predict", "--model", model + ".flipped", image]))
    except BaseException:
        escaped += 1
    if "Traceback" in err.getvalue() or "unexpected failure" in err.getvalue():
        escaped += 1
print(json.dumps({"refused": statuses.count(2), "scored": statuses.count(0), "escaped": escaped}))
"""


def bench_models(directory: Path) -> dict:
    import hashlib
    import struct
    import zipfile

    model = model_file(directory)
    image = directory / "ordinary.jpg"
    image.write_bytes(ordinary_photo())
    with zipfile.ZipFile(model) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1000000000000), }"
    header = header.ljust(117) + "\n"
    members["coef.npy"] = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
    card = json.loads(members["model_card.json"])
    card["files"]["coef.npy"] = hashlib.sha256(members["coef.npy"]).hexdigest()
    members["model_card.json"] = json.dumps(card).encode()
    terabyte = directory / "terabyte.zip"
    with zipfile.ZipFile(terabyte, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    figures = {}
    for label, path in (
        ("valid export (reference)", model),
        ("coef.npy claims (1, 10^12)", terabyte),
    ):
        run = run_process(
            [sys.executable, "-m", "core", "predict", "--model", str(path), str(image)]
        )
        line = (run["stderr"].splitlines() or run["stdout"].splitlines()[1:] or [""])[0]
        figures[label] = {
            "seconds": run["seconds"],
            "peak_mb": run["peak_mb"],
            "status": run["status"],
            "line": line,
        }
    fuzz = python(FUZZ, str(model), str(image))
    flips = json.loads(fuzz["stdout"]) if fuzz["status"] == 0 else {"error": fuzz["stderr"][-500:]}
    flips["seconds"] = fuzz["seconds"]
    return {"predict": figures, "flips": flips}


# --------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------

QUEUE = """
import json, sys, threading, time
from core.data import load_dataset
from core.jobs import JobRegistry, QUEUED
digits = [int(d) for d in sys.argv[1].split(",")]
dataset = load_dataset(allow_download=False)
registry = JobRegistry()
import core.imports
core.imports.import_sklearn()  # as a server's first training would have done: not timed
asked = time.monotonic()
jobs = [registry.job(dataset, digit=d) for d in digits]
first = [job.status for job in jobs]
estimates = {}
while not all(job.done for job in jobs):
    for d, job in zip(digits, jobs):
        status = job.status
        if status.state == QUEUED and status.starts_in is not None and d not in estimates:
            estimates[d] = {"starts_in": status.starts_in, "at": time.monotonic() - asked}
    time.sleep(0.25)
print(json.dumps({
    "source": dataset.source,
    "jobs": [
        {
            "digit": d,
            "failed": job.error is not None,
            "place_when_asked": s.place,
            "ahead_when_asked": s.ahead,
            "started": job.started_at - asked,
            "answered": job.ended_at - asked,
            "trained": job.ended_at - job.started_at,
            "estimate": estimates.get(d),
        }
        for d, job, s in zip(digits, jobs, first)
    ],
}))
"""


def bench_queue() -> dict:
    if not os.environ.get("MNIST_DATA"):
        return {"skipped": "MNIST_DATA is not set"}
    figures = {}
    # A lone training before and after the six: the machine's load drifts over minutes.
    for label, digits in (("lone", (LONE_DIGIT,)), ("six", QUEUE_DIGITS), ("lone_after", (7,))):
        with tempfile.TemporaryDirectory(prefix="bench-queue-") as cache:
            run = python(
                QUEUE,
                ",".join(map(str, digits)),
                env={"THRESHOLD_EXPLORER_CACHE": cache},
                timeout=1800,
            )
        if run["status"]:
            return {"error": run["stderr"][-2000:]}
        figures[label] = {**json.loads(run["stdout"]), "peak_mb": run["peak_mb"]}
    lone = (
        figures["lone"]["jobs"][0]["answered"] + figures["lone_after"]["jobs"][0]["answered"]
    ) / 2
    six = figures["six"]["jobs"]
    in_line = sorted(job["trained"] for job in six)
    median_in_line = (in_line[2] + in_line[3]) / 2
    trained_before = 0.0
    fair = True
    for job in six:
        # Nobody waits longer than the trainings before them (and their own), give or take
        # the 0.25 s polls between two trainings.
        fair &= job["answered"] <= trained_before + job["trained"] + 1.0
        trained_before += job["trained"]
    figures["summary"] = {
        "lone_seconds": lone,
        "first_answer_seconds": six[0]["answered"],
        "first_answer_ratio": six[0]["answered"] / lone,
        "lone_before_after_seconds": [
            figures["lone"]["jobs"][0]["answered"],
            figures["lone_after"]["jobs"][0]["answered"],
        ],
        "median_training_in_line_seconds": median_in_line,
        "first_answer_to_median_in_line": six[0]["answered"] / median_in_line,
        "last_answer_seconds": six[-1]["answered"],
        "peak_mb": figures["six"]["peak_mb"],
        "lone_peak_mb": max(figures["lone"]["peak_mb"], figures["lone_after"]["peak_mb"]),
        "first_in_first_out": [job["digit"] for job in sorted(six, key=lambda j: j["started"])]
        == list(QUEUE_DIGITS),
        "nobody_waits_longer_than_the_trainings_before": fair,
        "any_failed": any(job["failed"] for job in six),
    }
    return figures


# --------------------------------------------------------------------------------------------
# The queue through a real server
# --------------------------------------------------------------------------------------------

# Kept in each page (one check every 250 ms in the browser), read by the bench every second:
# asking six pages over Playwright four times a second took cores the server needed
# (bench/RESULTS.md).
ANSWER_WATCH = """if (window.top === window) {
  const timer = setInterval(() => {
    const shown = [...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]
      .map((h) => h.shadowRoot && h.shadowRoot.querySelector('.tx'))
      .some((r) => r && r.dataset.tp);
    if (shown) {
      window.answeredAt = Date.now();
      clearInterval(timer);
    }
  }, 250);
}"""
TRAINED_IN = re.compile(r"detector ready \(trained in ([0-9.]+) s\)")


def sessions_on_a_fresh_server(
    browser, digits, *, cache: str | None, arena_max: str, interval: float = 0.5
) -> dict:
    """One fresh server; one browser session per digit opens /tradeoff for it, all at once.

    Returns each digit's answer (seconds from the asking until its numbers showed, the
    training time its status reads, the server's RSS then), the server's RSS before and after,
    its peak (sampled every ``interval`` seconds, and the kernel's VmHWM), the errors shown and
    the digits never answered.
    """
    import threading

    from harness.memory import tree_mb
    from harness.server import app_server

    with tempfile.TemporaryDirectory(prefix="bench-server-") as empty:
        env = {**SERVER_ENV, "THRESHOLD_EXPLORER_CACHE": cache or empty}
        if arena_max:
            env["MALLOC_ARENA_MAX"] = arena_max
        else:
            del env["MALLOC_ARENA_MAX"]
        with app_server(env=env, log_name="bench-hostile-server") as (process, url):
            samples: list[tuple[float, float]] = []
            hwm = [0.0]
            stop = threading.Event()
            start = time.monotonic()

            def sample() -> None:
                while not stop.wait(interval):
                    samples.append((time.monotonic() - start, tree_mb(process.pid)))
                    hwm[0] = max(hwm[0], tree_mb(process.pid, "VmHWM"))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            idle_mb = tree_mb(process.pid)
            contexts = [browser.new_context() for _ in digits]
            try:
                pages = [context.new_page() for context in contexts]
                for page in pages:
                    page.add_init_script(ANSWER_WATCH)
                asked = time.time()
                for page, digit in zip(pages, digits, strict=True):
                    page.goto(f"{url}/tradeoff?digit={digit}", wait_until="commit")
                pending = dict(zip(digits, pages, strict=True))
                answers = {}
                deadline = asked + 1800
                while pending and time.time() < deadline:
                    time.sleep(1.0)
                    for digit, page in list(pending.items()):
                        answered_at = page.evaluate("window.answeredAt || null")
                        if answered_at is None:
                            continue
                        trained = TRAINED_IN.search(page.inner_text("body"))
                        answers[digit] = {
                            "answered": answered_at / 1000 - asked,
                            "trained": float(trained.group(1)) if trained else None,
                            "rss_mb": tree_mb(process.pid),  # within a second of the answer
                        }
                        del pending[digit]
                errors = sum(
                    page.locator(
                        "[data-testid=stException], [data-testid=stAlertContentError]"
                    ).count()
                    for page in pages
                )
                time.sleep(3)
                settled_mb = tree_mb(process.pid)
            finally:
                stop.set()
                sampler.join()
                for context in contexts:
                    context.close()
    return {
        "idle_before_mb": idle_mb,
        "answers": {str(d): a for d, a in answers.items()},
        "unanswered": sorted(pending),
        "errors": errors,
        "settled_after_mb": settled_mb,
        "peak_mb": max(hwm[0], *(mb for _, mb in samples)),
        "samples": samples,
    }


def bench_server(*, cache: str | None = None, arena_max: str = "1", browser_nice: int = 0) -> dict:
    """Six browser sessions open /tradeoff for six digits at once on one server (empty cache:
    it trains all six, one after another); then, on another fresh server, one session alone
    for the digit answered first (the reference: digits train at different speeds).
    ``cache``: a directory of trained detectors instead (no training: what each answered
    session adds; no reference). ``arena_max``: the server's ``MALLOC_ARENA_MAX``, as
    ``make run`` sets it ("" for glibc's default).

    The browsers run on the same cores as the server, as a real user's would not;
    ``browser_nice`` above 0 runs them at that lower CPU priority, so that the server's
    trainings come first, as if the browsers ran on their users' own machines.
    """
    if not os.environ.get("MNIST_DATA"):
        return {"skipped": "MNIST_DATA is not set"}
    from harness.browser import chromium
    from harness.memory import process_tree

    with chromium(extra_args=(LOOPBACK_ONLY,)) as browser:
        if browser_nice:
            # Every Chromium process now (its renderers fork from the zygote, so inherit it).
            for pid in process_tree(os.getpid()):
                with contextlib.suppress(OSError):
                    if "chrom" in Path(f"/proc/{pid}/comm").read_text():
                        os.setpriority(os.PRIO_PROCESS, pid, browser_nice)
        six = sessions_on_a_fresh_server(browser, QUEUE_DIGITS, cache=cache, arena_max=arena_max)
        result = {
            "pretrained": cache is not None,
            "malloc_arena_max": arena_max or "glibc's default",
            "browser_nice": browser_nice,
            **six,
        }
        if cache is None and six["answers"]:
            first = min(six["answers"], key=lambda d: six["answers"][d]["answered"])
            lone = sessions_on_a_fresh_server(
                browser, (int(first),), cache=None, arena_max=arena_max
            )
            result["lone"] = {"digit": int(first), **lone}
            if lone["answers"]:
                result["first_answer_ratio"] = (
                    six["answers"][first]["answered"] / lone["answers"][first]["answered"]
                )
    return result


# --------------------------------------------------------------------------------------------


def report_server(server: dict) -> None:
    what = "trained detectors in the cache" if server.get("pretrained") else "empty cache"
    what += f", MALLOC_ARENA_MAX {server.get('malloc_arena_max')}"
    if server.get("browser_nice"):
        what += f", browsers at nice {server['browser_nice']}"
    print(f"Six browser sessions on /tradeoff for six digits at once, one server ({what})")
    if "answers" not in server:
        print(f"  {server}")
        return
    print(f"  server idle before: {server['idle_before_mb']:.0f} MB")
    for digit, answer in sorted(server["answers"].items(), key=lambda a: a[1]["answered"]):
        print(f"  digit {digit}: {describe_answer(answer)}")
    print(
        f"  peak RSS {server['peak_mb']:.0f} MB (goal < {PEAK_GOAL_MB:.0f} MB); "
        f"settled after: {server['settled_after_mb']:.0f} MB; errors shown: {server['errors']}; "
        f"unanswered: {server['unanswered']}"
    )
    lone = server.get("lone")
    if lone and lone["answers"]:
        [answer] = lone["answers"].values()
        print(
            f"  the same digit ({lone['digit']}) alone on a fresh server: {describe_answer(answer)}"
            f"; peak RSS {lone['peak_mb']:.0f} MB"
        )
        print(
            f"  first answer {server['first_answer_ratio']:.2f}x a lone one "
            f"(goal <= {FIRST_ANSWER_GOAL}x; the six browsers share the server's cores)"
        )


def describe_answer(answer: dict) -> str:
    trained = answer.get("trained")
    said = f" (its status: trained in {trained:.1f} s)" if trained is not None else ""
    return (
        f"numbers shown at {answer['answered']:.1f} s{said}, "
        f"server RSS then {answer['rss_mb']:.0f} MB"
    )


def report(results: dict) -> None:
    pictures = results.get("pictures")
    if pictures:
        print("Pictures: `python -m core predict` in a fresh process each")
        reference = pictures["predict"]["ordinary photo (1200x900 JPEG, reference)"]
        for label, f in pictures["predict"].items():
            print(
                f"  {label}: {f['bytes'] / 1e3:,.1f} KB, {f['seconds']:.2f} s "
                f"({f['seconds'] / reference['seconds']:.2f}x), peak {f['peak_mb']:.0f} MB "
                f"({f['peak_mb'] / reference['peak_mb']:.2f}x), exit {f['status']}: {f['line']}"
            )
        for label, f in pictures["pillow_alone"].items():
            print(f"  Pillow alone, {label}: {f['seconds']:.2f} s, peak {f['peak_mb']:.0f} MB")
        bare = pictures["imports_only_peak_mb"]
        print(f"  (a process importing Pillow, NumPy and SciPy only: {bare:.0f} MB)")
        one, four = pictures["largest_at_once"][1], pictures["largest_at_once"][4]
        print(
            f"  largest allowed picture, 4 threads at once: peak {four['peak_mb']:.0f} MB, "
            f"{four['seconds']:.2f} s; 1 alone: {one['peak_mb']:.0f} MB, {one['seconds']:.2f} s "
            f"(peak ratio {four['peak_mb'] / one['peak_mb']:.2f}x)"
        )
    models = results.get("models")
    if models:
        print("Model files: `python -m core predict` in a fresh process each")
        for label, f in models["predict"].items():
            print(
                f"  {label}: {f['seconds']:.2f} s, peak {f['peak_mb']:.0f} MB, exit {f['status']}: "
                f"{f['line']}"
            )
        flips = models["flips"]
        print(f"  300 seeded one-byte flips in one process: {json.dumps(flips)}")
    if results.get("server"):
        report_server(results["server"])
    queue = results.get("queue")
    if queue:
        print("Queue on MNIST: six digits asked at once of one registry")
        if "summary" not in queue:
            print(f"  {queue}")
            return
        s = queue["summary"]
        before, after = s["lone_before_after_seconds"]
        print(
            f"  lone training (mean of one before and one after the six): {s['lone_seconds']:.1f} s"
            f" ({before:.1f} s, {after:.1f} s), peak {s['lone_peak_mb']:.0f} MB"
        )
        for job in queue["six"]["jobs"]:
            estimate = job["estimate"]
            said = (
                f", estimate at {estimate['at']:.1f} s: starts in {estimate['starts_in']:.0f} s"
                if estimate
                else ""
            )
            print(
                f"  digit {job['digit']}: place {job['place_when_asked']} "
                f"({job['ahead_when_asked']} ahead) when asked, started {job['started']:.1f} s, "
                f"answered {job['answered']:.1f} s (trained {job['trained']:.1f} s){said}"
            )
        print(
            f"  first answer {s['first_answer_seconds']:.1f} s = {s['first_answer_ratio']:.2f}x "
            f"the lone training (goal <= {FIRST_ANSWER_GOAL}x), "
            f"{s['first_answer_to_median_in_line']:.2f}x the median training in line; "
            f"last {s['last_answer_seconds']:.1f} s; "
            f"peak RSS {s['peak_mb']:.0f} MB (goal < {PEAK_GOAL_MB:.0f} MB); first in first out: "
            f"{s['first_in_first_out']}; nobody waits longer than the trainings before: "
            f"{s['nobody_waits_longer_than_the_trainings_before']}; any failed: {s['any_failed']}"
        )


PARTS = ("pictures", "models", "queue", "server")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", metavar="PART[,PART]", help=f"some of {', '.join(PARTS)} (default: all)"
    )
    parser.add_argument(
        "--server-cache",
        metavar="DIR",
        help="server: a cache of trained detectors, so the sessions train nothing",
    )
    parser.add_argument(
        "--malloc-arena-max",
        default=MAKE_RUN_ARENAS,
        metavar="N",
        help=f"server: its MALLOC_ARENA_MAX, default {MAKE_RUN_ARENAS} as `make run` sets it; "
        "'' for glibc's",
    )
    parser.add_argument(
        "--browser-nice",
        type=int,
        default=0,
        metavar="N",
        help="server: run the browsers at nice N (as if on their users' machines); default 0",
    )
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="also write the figures as JSON"
    )
    args = parser.parse_args(argv)
    parts = PARTS if not args.only else [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    results = {"load_average_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as temporary:
        directory = Path(temporary)
        if "pictures" in parts:
            results["pictures"] = bench_pictures(directory)
        if "models" in parts:
            results["models"] = bench_models(directory)
    if "queue" in parts:
        results["queue"] = bench_queue()
    if "server" in parts:
        results["server"] = bench_server(
            cache=args.server_cache,
            arena_max=args.malloc_arena_max,
            browser_nice=args.browser_nice,
        )
    results["machine"] = {"cpus": os.cpu_count(), "load_average": os.getloadavg()}
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(results, indent=2))
    report(results)
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
