"""Reference app for bench/bench_tradeoff.py: the smallest slider-in-a-fragment page.

One ``st.slider`` inside an ``st.fragment`` and an ``st.write`` of its value, so a step
of the slider costs what Streamlit itself costs: the browser's widget handling, one
fragment rerun, one websocket round trip and the redraw of one line.

    streamlit run bench/hello_slider.py
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Hello slider")


@st.fragment
def panel() -> None:
    value = st.slider("Value", min_value=0, max_value=100_000, value=0, step=1, key="value")
    st.write(f"Value: {value}")


panel()
