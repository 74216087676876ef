"""Trade-off: one threshold drives the curves, the numbers and the digits at the cut."""

from __future__ import annotations

import math
from functools import partial

import streamlit as st

from core.params import parse_float
from core.thresholds import (
    borderline_indices,
    changed_side,
    threshold_for_best_fbeta,
    threshold_for_least_cost,
    threshold_for_precision,
    threshold_for_recall,
)
from core.tradeoff import TradeoffData
from ui.dataset import get_dataset
from ui.detector import choose_digit, detector_for_page, tradeoff_for
from ui.digits import show_gallery
from ui.entry import ensure_entry_point, guarded, guarded_callback, show_callback_failure
from ui.explorer import explorer_section, note_release
from ui.own_digit import own_digit_line, own_digit_section
from ui.params import adopt, publish, raw_param, show_notes

PER_GALLERY = 12
EXPLORER = "tradeoff_explorer"

ensure_entry_point()
st.title("Precision/recall trade-off")
dataset = get_dataset()
digit, digit_note = choose_digit(page="tradeoff")
result = detector_for_page(dataset, digit)
if result is None:
    show_notes([digit_note], known=("digit", "threshold"))
    st.stop()
data: TradeoffData = tradeoff_for(result.fingerprint, digit, result)

threshold_note = adopt(
    "threshold",
    "threshold",
    parse_float(
        raw_param("threshold"),
        name="threshold",
        default=0.0,
        minimum=data.slider_min,
        maximum=data.slider_max,
    ),
)
show_notes([digit_note, threshold_note], known=("digit", "threshold"))


def _clamped(threshold: float) -> float:
    return min(max(threshold, data.slider_min), data.slider_max)


def _explain(reason: str | None) -> None:
    """Say why the threshold is where it is; shown only while it stays there."""
    st.session_state.picker_reason = reason
    st.session_state.picker_reason_for = st.session_state.threshold


# --- every way of setting the threshold ends in _move_to -----------------------------------
def _move_to(threshold: float, reason: str | None = None) -> None:
    if not math.isfinite(threshold):  # e.g. the ROC's "flag nothing" end point
        _explain("That point flags nothing; pick another one.")
        return
    st.session_state.threshold = _clamped(float(threshold))
    _explain(reason)


@guarded_callback  # callbacks run outside app.py's guard
def _from_number(key: str) -> None:
    _move_to(float(st.session_state[key]))


@guarded_callback
def _from_explorer() -> None:
    released = note_release(EXPLORER)
    if released is not None:
        _move_to(released)


def _from_picker(picker, **goal) -> None:
    try:
        choice = picker(data.cv_index, **goal)
    except ValueError as exc:  # e.g. both costs zero: say so instead of moving
        _explain(f"Not moved: {exc}")
        return
    _move_to(choice.threshold, choice.reason)


@guarded_callback
def _pick_precision() -> None:
    _from_picker(threshold_for_precision, target=st.session_state.pick_precision / 100)


@guarded_callback
def _pick_recall() -> None:
    _from_picker(threshold_for_recall, target=st.session_state.pick_recall / 100)


@guarded_callback
def _pick_fbeta() -> None:
    _from_picker(threshold_for_best_fbeta, beta=st.session_state.pick_beta)


@guarded_callback
def _pick_cost() -> None:
    _from_picker(
        threshold_for_least_cost,
        false_positive_cost=st.session_state.pick_fp_cost,
        false_negative_cost=st.session_state.pick_fn_cost,
    )


def _percent(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def _export_button(threshold: float) -> None:
    """Download the detector at this exact threshold; the file is built only when clicked."""
    from core.export import export_file_name, export_model  # scikit-learn: after the numbers

    st.download_button(
        "Download this detector (.zip)",
        data=partial(export_model, result, threshold=threshold, dataset=dataset),
        file_name=export_file_name(digit=digit, threshold=threshold),
        mime="application/zip",
        on_click="ignore",
        key="export_detector",
        icon=":material/download:",
        help="scikit-learn's FixedThresholdClassifier around the fitted model at this exact "
        "threshold, its plain parameters, and model_card.json (cross-validated and test "
        "precision/recall, data fingerprint, library versions). On the command line: "
        "python -m core predict --model FILE IMAGE...",
    )


def _controls(threshold: float) -> None:
    """The exact number and the link to this view."""
    number, _ = st.columns([1, 3])
    with number.form("exact_threshold", border=False):
        number_key = f"tradeoff_number:{threshold!r}"  # shows the current threshold
        st.number_input(
            "Exact threshold", value=threshold, step=data.slider_step, format="%.4f", key=number_key
        )
        st.form_submit_button("Set", on_click=_from_number, args=(number_key,))
    reason = st.session_state.get("picker_reason")
    if reason and st.session_state.get("picker_reason_for") == threshold:
        st.caption(reason)
    # Streamlit 1.67 shows a fragment run's URL change only at the next interaction, so the
    # address bar can trail by one move; this line is always exact.
    publish("threshold", "threshold", repr(threshold))
    st.caption(f"Link to this view: `/tradeoff?digit={digit}&threshold={threshold!r}`")


@st.fragment
@guarded
def threshold_panel() -> None:
    """Everything that depends on the threshold: reruns alone when it moves, never refits."""
    show_callback_failure()
    # Only callbacks write the threshold (key "threshold"): a release of the explorer, the
    # exact number, a goal picker.
    if not data.slider_min <= st.session_state.threshold <= data.slider_max:
        st.session_state.threshold = _clamped(st.session_state.threshold)  # another digit
    threshold = float(st.session_state.threshold)
    # "Since the last threshold": whatever moved it (explorer, number, picker).
    if st.session_state.get("shown_threshold", threshold) != threshold:
        st.session_state.previous_threshold = st.session_state.shown_threshold
    st.session_state.shown_threshold = threshold
    previous = st.session_state.get("previous_threshold", threshold)

    explorer_section(
        data,
        fingerprint=result.fingerprint,
        digit=digit,
        threshold=threshold,
        key=EXPLORER,
        on_release=_from_explorer,
    )
    _controls(threshold)
    with st.expander("Pick the threshold by a goal", expanded=True, icon=":material/target:"):
        goals = st.columns(4)
        with goals[0]:
            st.number_input("Target precision (%)", 1.0, 100.0, 90.0, 1.0, key="pick_precision")
            st.button("Lowest threshold reaching it", on_click=_pick_precision, key="go_precision")
        with goals[1]:
            st.number_input("Target recall (%)", 1.0, 100.0, 90.0, 1.0, key="pick_recall")
            st.button("Highest threshold reaching it", on_click=_pick_recall, key="go_recall")
        with goals[2]:
            st.number_input(
                "β (recall counts β times as much)", 0.1, 10.0, 1.0, 0.1, key="pick_beta"
            )
            st.button("Best F-β", on_click=_pick_fbeta, key="go_fbeta")
        with goals[3]:
            cost = st.columns(2)
            cost[0].number_input("Cost of a FP", 0.0, 1e6, 1.0, 1.0, key="pick_fp_cost")
            cost[1].number_input("Cost of a FN", 0.0, 1e6, 5.0, 1.0, key="pick_fn_cost")
            st.button("Least total cost", on_click=_pick_cost, key="go_cost")
    own_digit_line(digit=digit, threshold=threshold)
    _export_button(threshold)

    st.subheader("The digits at the cut")
    st.caption("Closest to the threshold first: the cases a small move would flip.")
    errors = st.columns(2, gap="large")
    for column, kind, title in (
        (errors[0], "false_positive", f"False positives: flagged, but not {digit}s"),
        (errors[1], "false_negative", f"False negatives: {digit}s left out"),
    ):
        shown = borderline_indices(data.cv_index, threshold=threshold, kind=kind, limit=PER_GALLERY)
        with column:
            st.markdown(f"**{title}**")
            show_gallery(
                dataset,
                shown,
                pixels=56,
                empty="None at this threshold.",
                captions=[f"#{i} · {result.cv_scores[i]:,.0f}" for i in shown],
            )
    flipped = changed_side(
        data.cv_index, old_threshold=previous, new_threshold=threshold, limit=PER_GALLERY
    )
    direction = {True: " (flagged now)", False: " (no longer flagged)"}.get(
        threshold < previous if threshold != previous else None, ""
    )
    st.markdown(f"**Changed side since the last threshold**{direction}")
    show_gallery(
        dataset,
        flipped,
        pixels=56,
        empty="None: the threshold has not moved yet.",
        captions=[f"#{i} · {dataset.labels[i]}" for i in flipped],
    )


# The upload runs first (its score is then current in the panel) but is drawn below it, outside
# the fragment: a slider step never resends the pictures.
panel_area = st.container()
own_digit_section(dataset, result)
with panel_area:
    threshold_panel()
