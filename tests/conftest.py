"""Shared fixtures: the real MNIST (through MNIST_DATA) and an isolated cache directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.cache import file_lock
from harness.browser import chromium, chromium_executable
from harness.commands import run_python
from harness.mnist import missing_idx_files
from harness.server import app_server
from harness.sklearn_imports import REPORT_RECORDING_IMPORTS
from tests.support import forget_app_caches

# Tests never wait on the network: a test that wants the OpenML path fakes fetch_openml.
os.environ.setdefault("THRESHOLD_EXPLORER_OFFLINE", "1")


# The run's one training of the real 5-detector, a cold command line (shared_cache_dir): where
# what it printed is kept, and how long it may take on a shared machine.
COLD_REPORT_RECORD = "shared-cache-cold-report.json"
COLD_REPORT_TIMEOUT_S = 900


# Test files by kind, the longest kinds first: pytest-xdist (--dist loadfile) hands out whole
# files in collection order, so a long browser file collected last runs alone at the end.
FIRST_KINDS = ("browser", "app")


def pytest_collection_modifyitems(config, items):
    def kind_rank(item) -> int:
        parts = item.path.parts
        kind = parts[parts.index("tests") + 1] if "tests" in parts else ""
        return FIRST_KINDS.index(kind) if kind in FIRST_KINDS else len(FIRST_KINDS)

    items.sort(key=kind_rank)  # stable: the order within a kind is pytest's own


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
    missing = missing_idx_files(path)
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
    forget_app_caches()
    yield
    forget_app_caches()


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory, mnist_dir) -> Path:
    """One cache directory for the whole run, where the real 5-detector is trained once.

    It is trained the way a new user's first command trains it: ``python -m core report
    --json`` in a fresh process on the empty directory (what that process printed is kept for
    :func:`cold_report`). Under pytest-xdist every worker gets the same directory (beside the
    workers' own base directories); a lock lets the first worker run the command while the
    others wait for it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    path = base / "shared-cache"
    record = base / COLD_REPORT_RECORD
    with file_lock(base / "shared-cache.lock"):
        if not record.exists():
            path.mkdir(exist_ok=True)
            done = run_python(
                ["-c", REPORT_RECORDING_IMPORTS],
                extra_env={"MNIST_DATA": str(mnist_dir), "THRESHOLD_EXPLORER_CACHE": str(path)},
                timeout=COLD_REPORT_TIMEOUT_S,
            )
            printed = {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
            record.write_text(json.dumps(printed))
    return path


@pytest.fixture(scope="session")
def cold_report(shared_cache_dir) -> dict:
    """What the run's cold ``python -m core report --json`` printed (:func:`shared_cache_dir`):
    ``returncode``, ``stdout`` and ``stderr``, the last with its scikit-learn import record."""
    return json.loads((shared_cache_dir.parent / COLD_REPORT_RECORD).read_text())


# --- browser tests -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_executable()
    if not os.access(path, os.X_OK):
        _missing_resource(f"no Chromium at {path} (apt-get install -y chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _missing_resource("Python Playwright is not installed (pip install playwright)")
    return path


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's browser script, as ``make test`` installs it from package-lock.json."""
    path = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        _missing_resource(f"no {path.name} under node_modules/ (make test, or: npm ci)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    with chromium(chromium_path) as instance:
        yield instance


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def app_url(mnist_dir, shared_cache_dir):
    """The real app on the real MNIST, one server for the whole run."""
    env = {"MNIST_DATA": str(mnist_dir), "THRESHOLD_EXPLORER_CACHE": str(shared_cache_dir)}
    with app_server(env=env, log_name="app-server") as (_, url):
        yield url
