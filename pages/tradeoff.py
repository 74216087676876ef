"""Trade-off: one threshold drives the live explorer (curves, numbers) and the digits at the cut."""

from __future__ import annotations

import streamlit as st

from core.explorer import detector_nouns
from ui import tradeoff
from ui.dataset import get_dataset
from ui.detector import choose_digit, detector_for_page, tradeoff_for
from ui.entry import guarded, show_callback_failure, start_page
from ui.notebook import notebook_cells, notebook_quotes
from ui.own_digit import own_digit_section, own_digit_view
from ui.params import show_notes
from ui.refit import export_rule_from_link, refit_section

KNOWN_PARAMS = ("digit", "threshold", "prevalence", "fp_cost", "fn_cost", "export")

start_page()
st.title("Precision/recall trade-off")
notebook_cells("tradeoff")
dataset = get_dataset()
digit, digit_note = choose_digit(page="tradeoff")
result = detector_for_page(dataset, digit)
if result is None:
    show_notes([digit_note], known=KNOWN_PARAMS)
    st.stop()
data = tradeoff_for(result.fingerprint, digit, result)
show_notes(
    [
        digit_note,
        tradeoff.threshold_from_link(data),
        tradeoff.prevalence_from_link(data),
        *tradeoff.costs_from_link(),
        export_rule_from_link(),
    ],
    known=KNOWN_PARAMS,
)


@st.fragment
@guarded
def threshold_panel() -> None:
    """Everything that depends on the threshold: reruns alone when it moves, never refits."""
    show_callback_failure()
    threshold, previous = tradeoff.current_threshold(data)
    tradeoff.explorer(data, fingerprint=result.fingerprint, digit=digit, threshold=threshold)
    refit_section(result, dataset, data, digit=digit, threshold=threshold)
    tradeoff.controls(data, digit=digit, threshold=threshold)
    tradeoff.goal_pickers(
        data, spread_key=f"{result.fingerprint}:{digit}", nouns=detector_nouns(digit)
    )
    tradeoff.export_button(result, dataset, data, digit=digit, threshold=threshold)
    tradeoff.scores_download(result, digit=digit)
    tradeoff.digits_at_the_cut(dataset, result, data, digit=digit, threshold=threshold)
    tradeoff.changed_side(
        dataset, result, data, digit=digit, previous=previous, threshold=threshold
    )
    own_digit_view(digit=digit, threshold=threshold)


# The upload runs first (its score is then current in the panel) but is drawn below it, outside
# the fragment, right under the panel's last section, its picture and verdict: a release of the
# threshold never decodes the picture again.
panel_area = st.container()
own_digit_section(dataset, result)
with panel_area:
    threshold_panel()
notebook_quotes("tradeoff")
