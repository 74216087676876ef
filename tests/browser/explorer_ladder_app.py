"""A page of the explorer alone on a generated scored set with more distinct scores than its
payload's ladder holds: 200,000 rows, almost every score distinct, three folds, test rows.

Served by ``tests/browser/test_explorer_ladder.py`` (``streamlit run`` runs it as
``__main__``); the test imports :func:`ladder_scored_set` to count what the page must show.
"""

from __future__ import annotations

import numpy as np

ROWS = 200_000
START_THRESHOLD = 0.5


def ladder_scored_set():
    """Seeded scores of 200,000 rows, about one in ten positive, rounded to 6 decimals (a few
    ties), three folds and a fifth of the rows held out as test rows."""
    from core.scored_set import scored_set

    rng = np.random.default_rng(21)
    y = rng.random(ROWS) < 0.1
    scores = np.round(rng.normal(0.0, 1.0, ROWS) + 1.8 * y, 6)
    is_test = rng.random(ROWS) < 0.2
    fold_ids = rng.integers(0, 3, ROWS)
    fold_ids[is_test] = -1
    return scored_set(
        name="ladder.parquet",
        y_true=y,
        scores=scores,
        positive_label="fraud",
        negative_label="ok",
        is_test=is_test,
        fold_ids=fold_ids,
        fold_names=("a", "b", "c"),
        fingerprint="generated-ladder",
    )


def page() -> None:
    import streamlit as st

    from core.explorer import scored_set_nouns
    from core.tradeoff import scored_tradeoff_data
    from ui.explorer import explorer_section, note_release

    @st.cache_resource
    def prepared():
        scored = ladder_scored_set()
        return scored, scored_tradeoff_data(scored)

    st.set_page_config(page_title="Explorer on many distinct scores", layout="wide")
    scored, data = prepared()
    st.session_state.setdefault("threshold", START_THRESHOLD)

    def released() -> None:
        value = note_release("explorer")
        if value is not None:
            st.session_state.threshold = value

    explorer_section(
        data,
        fingerprint=scored.fingerprint,
        nouns=scored_set_nouns(scored),
        threshold=st.session_state.threshold,
        settings={"prevalence": None, "fpCost": 1.0, "fnCost": 5.0},
        key="explorer",
        on_release=released,
    )
    st.markdown(f"Released: `{st.session_state.threshold!r}`")


if __name__ == "__main__":
    page()
