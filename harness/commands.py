"""The project's commands in fresh Python processes, as a user runs them from its root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence

from harness import ROOT


def run_python(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 300.0,
) -> subprocess.CompletedProcess:
    """``python ARGS...`` in a fresh interpreter (this one's executable) from the project's root.

    ``env`` is the whole environment (``None``: this process's); ``extra_env`` is laid over it.
    Output is captured as text; the exit status is left to the caller."""
    environment = dict(os.environ if env is None else env)
    environment.update(extra_env or {})
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def python_json(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 300.0,
):
    """:func:`run_python`, which must exit 0 (its stderr is the failure's message); what it
    printed on stdout, read as JSON."""
    done = run_python(args, env=env, extra_env=extra_env, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stderr}"
    return json.loads(done.stdout)
