"""The harness that tests and benchmarks share starts its servers as ``make run`` does."""

from __future__ import annotations

from harness import ROOT
from harness.server import MAKE_RUN_ENV


def test_the_harness_starts_servers_as_make_run_does():
    [recipe] = [
        line.strip()
        for line in (ROOT / "Makefile").read_text().splitlines()
        if "-m streamlit run app.py" in line
    ]
    prefix = " ".join(f"{name}={value}" for name, value in MAKE_RUN_ENV.items())
    assert MAKE_RUN_ENV and recipe.startswith(prefix + " "), recipe
