"""The explorer alone on synthetic scores (``EXPLORER_SCORES``, default 60,000): the benchmark's
scale test and a scratch page. Run: ``streamlit run bench/explorer_app.py``; the benchmark
imports :func:`synthetic_result` to know the scores the page shows."""

from __future__ import annotations

import os
from types import SimpleNamespace

import common  # noqa: F401 - puts the project's root on sys.path (bench/ is the script's folder)
import numpy as np


def synthetic_result(n: int) -> SimpleNamespace:
    """Scores of a detector that finds about one in ten, with ties like real scores have
    (rounded to a hundredth, over a range of tens of thousands), three folds, a sixth of the
    rows again as test rows."""
    rng = np.random.default_rng(0)
    y = rng.random(n) < 0.1
    scores = np.round(rng.normal(0, 4000, n) + 6000 * y, 2)
    test = max(1, n // 6)
    return SimpleNamespace(
        digit=5,
        fingerprint=f"synthetic-{n}",
        y_train=y,
        cv_scores=scores,
        fold_ids=np.arange(n) % 3,
        y_test=y[:test],
        test_scores=scores[:test],
    )


def page() -> None:
    import streamlit as st

    from core.explorer import detector_nouns
    from core.tradeoff import tradeoff_data
    from ui.explorer import explorer_section, note_release

    @st.cache_resource
    def synthetic(n: int):
        result = synthetic_result(n)
        return result.fingerprint, tradeoff_data(result), float(np.median(result.cv_scores))

    st.set_page_config(page_title="Explorer", layout="wide")
    fingerprint, data, middle = synthetic(int(os.environ.get("EXPLORER_SCORES", "60000")))
    st.session_state.setdefault("threshold", middle)

    def released() -> None:
        value = note_release("explorer")
        if value is not None:
            st.session_state.threshold = value

    def move(to: float) -> None:
        st.session_state.threshold = to

    explorer_section(
        data,
        fingerprint=fingerprint,
        nouns=detector_nouns(5),
        threshold=st.session_state.threshold,
        settings={"prevalence": None, "fpCost": 1.0, "fnCost": 5.0},
        key="explorer",
        on_release=released,
    )
    st.button("Move to 0", on_click=move, args=(0.0,), key="to_zero")
    st.markdown(f"Released: `{st.session_state.threshold!r}`")


if __name__ == "__main__":
    page()
