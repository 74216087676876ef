"""``streamlit run`` of a script on a free loopback port, stopped whatever happens."""

from __future__ import annotations

import os
from contextlib import contextmanager

from harness import ARTIFACTS, ROOT

MAKE_RUN_ENV = {"MALLOC_ARENA_MAX": "1"}
"""What ``make run`` sets before ``streamlit run app.py`` (the Makefile's ``run:`` recipe; a
test checks that they agree). A server meant to behave as a user's adds it to its ``env``."""


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


@contextmanager
def app_server(*, script: str = "app.py", env: dict[str, str], log_name: str):
    """``streamlit run script`` for the ``with`` block, stopped whatever happens; yields
    (process, base_url)."""
    process, url = start_app(script=script, env=env, log_name=log_name)
    try:
        yield process, url
    finally:
        stop_app(process)
