"""A page of the explorer alone on a generated scored set: groups, no folds, no test rows.

Served by ``tests/browser/test_explorer_generic.py`` (``streamlit run`` runs it as
``__main__``); the test imports :func:`generated_scored_set` to count what the page must show.
"""

from __future__ import annotations

import numpy as np

GROUP_NAMES = ("north", "east", "south")
START_THRESHOLD = 0.5


def generated_scored_set():
    """Probabilities of a classifier that finds about one row in five, rounded (ties), three
    groups and rows in none; seeded, no folds, no test rows."""
    from core.scored_set import NO_GROUP, scored_set

    rng = np.random.default_rng(7)
    n = 5000
    y = rng.random(n) < 0.2
    logits = rng.normal(0, 1.3, n) + 2.2 * y - 1.2
    scores = np.round(1 / (1 + np.exp(-logits)), 3)
    return scored_set(
        name="generated.csv",
        y_true=y,
        scores=scores,
        positive_label="fraud",
        negative_label="ok",
        group_ids=rng.integers(NO_GROUP, len(GROUP_NAMES), n),
        group_names=GROUP_NAMES,
        fingerprint="generated-groups",
    )


def page() -> None:
    import streamlit as st

    from core.explorer import scored_set_nouns
    from core.groups import group_indexes
    from core.tradeoff import scored_tradeoff_data
    from ui.explorer import explorer_section, note_release

    @st.cache_resource
    def prepared():
        scored = generated_scored_set()
        return scored, scored_tradeoff_data(scored), group_indexes(scored)

    st.set_page_config(page_title="Explorer on a scored set", layout="wide")
    scored, data, groups = prepared()
    st.session_state.setdefault("threshold", START_THRESHOLD)

    def released() -> None:
        value = note_release("explorer")
        if value is not None:
            st.session_state.threshold = value

    explorer_section(
        data,
        fingerprint=scored.fingerprint,
        nouns=scored_set_nouns(scored),
        groups=groups,
        threshold=st.session_state.threshold,
        settings={"prevalence": None, "fpCost": 1.0, "fnCost": 5.0},
        key="explorer",
        on_release=released,
    )
    st.markdown(f"Released: `{st.session_state.threshold!r}`")


if __name__ == "__main__":
    page()
