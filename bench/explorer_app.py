"""The explorer alone on synthetic scores (``EXPLORER_SCORES``, default 60,000): the benchmark's
scale test and a scratch page. Run: ``streamlit run bench/explorer_app.py``."""

from __future__ import annotations

import os
from types import SimpleNamespace

import common  # noqa: F401 - puts the project's root on sys.path (bench/ is the script's folder)
import numpy as np
import streamlit as st

from core.explorer import decode_payload, detector_nouns, encode_payload, explorer_payload
from core.tradeoff import tradeoff_data
from ui.explorer import release_value, threshold_explorer


@st.cache_resource
def synthetic(n: int) -> tuple[bytes, str, float]:
    """Scores of a detector that finds about one in ten, with ties like real scores have."""
    rng = np.random.default_rng(0)
    y = rng.random(n) < 0.1
    scores = np.round(rng.normal(0, 4000, n) + 6000 * y, 2)
    test = max(1, n // 6)
    result = SimpleNamespace(
        digit=5,
        fingerprint="synthetic",
        y_train=y,
        cv_scores=scores,
        fold_ids=np.arange(n) % 3,
        y_test=y[:test],
        test_scores=scores[:test],
    )
    data = tradeoff_data(result)
    blob = encode_payload(explorer_payload(data, nouns=detector_nouns(5)))
    return blob, decode_payload(blob)[0]["id"], float(np.median(scores))


st.set_page_config(page_title="Explorer", layout="wide")
blob, payload_id, middle = synthetic(int(os.environ.get("EXPLORER_SCORES", "60000")))
st.session_state.setdefault("threshold", middle)
st.session_state.setdefault("position", 1)


def released() -> None:
    value = release_value("explorer")
    if value is not None:
        st.session_state.threshold = value


def move(to: float) -> None:
    st.session_state.threshold = to
    st.session_state.position += 1


threshold_explorer(
    payload=blob,
    payload_id=payload_id,
    threshold=st.session_state.threshold,
    position=st.session_state.position,
    settings={"prevalence": None, "fpCost": 1.0, "fnCost": 5.0},
    key="explorer",
    on_release=released,
)
st.button("Move to 0", on_click=move, args=(0.0,), key="to_zero")
st.markdown(f"Released: `{st.session_state.threshold!r}` · payload {len(blob):,} bytes")
