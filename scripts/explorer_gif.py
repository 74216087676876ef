"""Make docs/explorer.gif, the README's picture of the explorer in motion, from the real app.

    MNIST_DATA=../shared/mnist .venv/bin/python scripts/explorer_gif.py [--out docs/explorer.gif]

Starts the app (``THRESHOLD_EXPLORER_CACHE`` decides whether the 5-detector is trained first),
opens ``/tradeoff`` in Chromium at 1366x768, drags the threshold down and back up with the
mouse, screenshots the explorer at every step and writes the frames as one looping GIF.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.browser import APP_IDLE, CHROMIUM_FLAGS  # noqa: E402
from harness.server import start_app, stop_app  # noqa: E402


def frames(url: str, *, steps: int, chromium: str) -> list[bytes]:
    """PNG screenshots of the explorer along a drag: right to left, then back."""
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{url}/tradeoff?digit=5&threshold=3370.0194991439557")
        page.wait_for_selector(".tx[data-tp]", state="attached", timeout=300_000)
        page.wait_for_selector(APP_IDLE, timeout=300_000)
        page.wait_for_timeout(500)
        explorer = page.locator(".tx").first
        box = page.locator(".tx-slider").first.bounding_box()
        y = box["y"] + box["height"] * 0.6
        # Across the scores where precision and recall change, from high to low and back.
        right, left = box["x"] + box["width"] * 0.93, box["x"] + box["width"] * 0.62
        path = [right + (left - right) * i / steps for i in range(steps + 1)]
        path += path[-2::-1]
        page.mouse.move(path[0], y)
        page.mouse.down()
        for x in path:
            page.mouse.move(x, y)
            shots.append(explorer.screenshot())
        page.mouse.up()
        browser.close()
    return shots


def write_gif(shots: list[bytes], out: Path, *, width: int, frame_ms: int) -> None:
    from PIL import Image

    images = [Image.open(io.BytesIO(shot)).convert("RGB") for shot in shots]
    height = round(images[0].height * width / images[0].width)
    images = [image.resize((width, height), Image.LANCZOS) for image in images]
    palette = images[0].quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    frames = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    out.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(
        out, save_all=True, append_images=frames[1:], duration=frame_ms, loop=0, optimize=True
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "explorer.gif")
    parser.add_argument("--steps", type=int, default=18, help="frames each way")
    parser.add_argument("--width", type=int, default=760, help="pixels")
    parser.add_argument("--frame-ms", type=int, default=90)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if not os.environ.get("MNIST_DATA"):
        print("explorer_gif: set MNIST_DATA to a directory of the MNIST IDX files", file=sys.stderr)
        return 2
    env = {"THRESHOLD_EXPLORER_CACHE": os.environ.get("THRESHOLD_EXPLORER_CACHE", "")}
    env["THRESHOLD_EXPLORER_CACHE"] = env["THRESHOLD_EXPLORER_CACHE"] or tempfile.mkdtemp()
    process, url = start_app(env=env, log_name="explorer-gif")
    try:
        shots = frames(url, steps=args.steps, chromium=args.chromium)
    finally:
        stop_app(process)
    write_gif(shots, args.out, width=args.width, frame_ms=args.frame_ms)
    print(f"{args.out}: {len(shots)} frames, {args.out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
