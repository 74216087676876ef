"""Your scores: any classifier's labels and scores from a file, in the same live explorer."""

from __future__ import annotations

import streamlit as st

from ui import scores, tradeoff
from ui.entry import guarded, show_callback_failure, start_page
from ui.notebook import notebook_cells
from ui.params import show_notes

start_page()
st.title("Your scores")
notebook_cells("scores")
source, file_note = scores.choose_source()
if source is None:
    show_notes([file_note], known=scores.KNOWN_PARAMS)
    st.stop()
table = scores.load_table(source)
if table is None:
    show_notes([file_note], known=scores.KNOWN_PARAMS)
    st.stop()
chosen, column_notes = scores.choose_columns(table)
positive_note = scores.positive_from_link()
view = scores.scores_view(table, chosen)
if view is None:
    show_notes([file_note, *column_notes, positive_note], known=scores.KNOWN_PARAMS)
    st.stop()
data = view.data
threshold_note = tradeoff.threshold_from_link(data, default=scores.default_threshold(data))
scores.new_set_resets_threshold(view)
show_notes(
    [
        file_note,
        *column_notes,
        positive_note,
        threshold_note,
        tradeoff.prevalence_from_link(data),
        *tradeoff.costs_from_link(),
    ],
    known=scores.KNOWN_PARAMS,
)
st.caption(scores.summary_line(view))


@st.fragment
@guarded
def threshold_panel() -> None:
    """Everything that depends on the threshold: reruns alone when it moves."""
    show_callback_failure()
    threshold, _ = tradeoff.current_threshold(data)
    scores.explorer(view, threshold=threshold)
    scores.group_goal_table(view, threshold=threshold)
    params = tradeoff.threshold_controls(data, nouns=view.nouns, threshold=threshold)
    scores.link_or_why_not(source, params)
    tradeoff.goal_pickers(data, spread_key=view.scored.fingerprint, nouns=view.nouns)
    scores.rows_table(view, threshold=threshold)
    scores.calibration_panel(view)


threshold_panel()
