"""The project is installed from this checkout, so Streamlit serves the explorer's files."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

from harness import ROOT
from ui.explorer import COMPONENT

COMPONENTS = ROOT / "ui" / "components"


def test_the_installed_distribution_is_this_checkout():
    # Streamlit reads the asset_dir of installed distributions only, through the package named
    # after each one; an install from another checkout would serve that checkout's files.
    spec = importlib.util.find_spec("threshold_explorer")
    assert spec is not None, "the project is not installed: run `pip install -e .`"
    assert Path(spec.origin).parent == COMPONENTS, (
        f"installed from another checkout ({spec.origin}): run `pip install -e .` here"
    )


def test_the_manifest_declares_the_component_the_explorer_mounts():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    manifest = tomllib.loads((COMPONENTS / "pyproject.toml").read_text())
    assert manifest["project"]["name"] == project  # Streamlit checks it against the install
    (component,) = manifest["tool"]["streamlit"]["component"]["components"]
    assert COMPONENT == f"{project}.{component['name']}"
    assets = COMPONENTS / component["asset_dir"]
    assert (assets / "explorer.js").is_file()
    assert (assets / "explorer.css").is_file()
