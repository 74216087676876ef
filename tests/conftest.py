"""Shared fixtures: the real MNIST (through MNIST_DATA) and an isolated cache directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


# Tests never wait on the network: a test that wants the OpenML path fakes fetch_openml.
os.environ.setdefault("THRESHOLD_EXPLORER_OFFLINE", "1")


def _missing_resource(message: str) -> None:
    """Fail under CI (a missing resource there is a broken set-up), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is a failure, not a skip)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The directory named by MNIST_DATA, holding the four IDX files."""
    value = os.environ.get("MNIST_DATA")
    if not value:
        _missing_resource("MNIST_DATA is not set; point it at a directory of MNIST IDX files")
    path = Path(value)
    missing = [name for name in IDX_FILES if not (path / name).is_file()]
    if missing:
        _missing_resource(f"MNIST_DATA={value} lacks {', '.join(missing)}")
    return path


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """A fresh, empty cache directory for one test (THRESHOLD_EXPLORER_CACHE points at it)."""
    path = tmp_path / "cache"
    monkeypatch.setenv("THRESHOLD_EXPLORER_CACHE", str(path))
    return path


@pytest.fixture
def fallback_app(monkeypatch, cache_dir):
    """App tests on the small bundled set: no MNIST, downloads off, a fresh cache, and
    nothing remembered by the app's caches."""
    monkeypatch.delenv("MNIST_DATA", raising=False)
    monkeypatch.setenv("THRESHOLD_EXPLORER_OFFLINE", "1")
    from ui.dataset import _load
    from ui.detector import training_registry

    _load.clear()
    training_registry.clear()
    yield
    _load.clear()
    training_registry.clear()


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory) -> Path:
    """One cache directory for the whole run, so the real detector is trained once."""
    return tmp_path_factory.mktemp("shared-cache")


# --- browser tests -------------------------------------------------------------------------

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


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        _missing_resource(f"no Chromium at {path} (apt-get install -y chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _missing_resource("Python Playwright is not installed (pip install playwright)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def app_url(mnist_dir, shared_cache_dir):
    """The real app on the real MNIST, one server for the whole run."""
    process, url = start_app(
        env={"MNIST_DATA": str(mnist_dir), "THRESHOLD_EXPLORER_CACHE": str(shared_cache_dir)},
        log_name="app-server",
    )
    yield url
    stop_app(process)


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
