"""Threshold Explorer: the entry point; every page runs in the frame :func:`ui.entry.run_app` draws.

Run with ``streamlit run app.py``.
"""

from ui.entry import run_app

run_app()
