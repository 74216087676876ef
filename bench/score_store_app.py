"""One score file of the server's directory (``BENCH_SCORE_FILE``, a name listed in
``THRESHOLD_EXPLORER_SCORES``) read and counted as /scores does, through the server's store,
without the explorer: what the store keeps per session is what the benchmark measures. Run:
``streamlit run bench/score_store_app.py``."""

from __future__ import annotations

import os

import common  # noqa: F401 - puts the project's root on sys.path (bench/ is the script's folder)
import streamlit as st

from core.score_directory import scores_directory
from core.score_files import guess_columns
from ui.scores import load_table, score_store, scores_view, server_file_source, summary_line

source = server_file_source(scores_directory(), os.environ["BENCH_SCORE_FILE"])
table = None if source is None else load_table(source)
view = None if table is None else scores_view(table, guess_columns(table.columns))
if view is not None:
    st.markdown(f"Read: {summary_line(view)}")
    st.markdown(f"The store holds {score_store().nbytes:,} bytes.")
