"""Runs the app from outside, for the tests and the benchmarks alike; neither imports the other.

- ``server``: ``streamlit run`` on a free loopback port, as ``make run`` starts it;
- ``browser``: headless Chromium with the project's flags, waits on the page, screenshots;
- ``memory``: a process tree's resident memory, read from ``/proc``;
- ``hostile_files``: crafted pictures built on the fly (none is stored);
- ``mnist``: which of the standard MNIST files a directory lacks;
- ``sklearn_imports``: which thread first imports each scikit-learn module of a child process.

Nothing here imports pytest; Streamlit and Playwright are imported only where they are used.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The project's root: the folder of ``app.py`` and the ``Makefile``."""
ARTIFACTS = ROOT / "test-artifacts"
"""Where servers' logs and screenshots land."""
