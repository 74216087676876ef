"""The trade-off page's sections: one threshold drives the explorer, the numbers and the digits.

The explorer (:mod:`ui.explorer`) counts and draws in the browser while the threshold moves;
the server hears of it only on release. Every way of setting the threshold on the server (a
release, the exact number, a goal) is a callback that ends in :func:`_move_to`; only callbacks
write the session's key ``threshold``. Core's functions are called through their modules
(``counting.borderline_indices``), so they are looked up at each run.
"""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING

import streamlit as st

from core import counting, pickers, tradeoff
from core.estimates import BOOTSTRAP_MAX_SAMPLES
from core.explorer import ExplorerNouns, detector_nouns
from core.formatting import percent, threshold_text
from core.params import Parsed, parse_float
from core.refit import CROSS_VALIDATED
from ui import refit as refit_ui
from ui.digits import show_gallery
from ui.entry import guarded_callback
from ui.explorer import explorer_section, note_release
from ui.params import adopt, link_to_this_view, publish, raw_param, unpublish
from ui.wording import choice_sentence

if TYPE_CHECKING:
    from core.data import Dataset
    from core.detector import DetectorResult
    from core.tradeoff import TradeoffData

PER_GALLERY = 12
EXPLORER = "tradeoff_explorer"
DEFAULT_FP_COST = 1.0
DEFAULT_FN_COST = 5.0
PREVALENCE_KEY = "prevalence_percent"  # the widget holds a percentage; links and core a share
LOWEST_PREVALENCE, HIGHEST_PREVALENCE = 0.0001, 0.9999
HIGHEST_COST = 1e6
# The costs of an error: (session key, link parameter, default). They draw the explorer's cost
# curve and the least-cost goal, so a link carries them when they are not the defaults.
COSTS = (
    ("pick_fp_cost", "fp_cost", DEFAULT_FP_COST),
    ("pick_fn_cost", "fn_cost", DEFAULT_FN_COST),
)


def threshold_from_link(data: TradeoffData, *, default: float = 0.0) -> str | None:
    """Put ``?threshold=`` into the session's threshold (``default`` without one); the
    correction note when it had one."""
    return adopt(
        "threshold",
        "threshold",
        parse_float(
            raw_param("threshold"),
            name="threshold",
            default=default,
            minimum=data.slider_min,
            maximum=data.slider_max,
        ),
    )


def costs_from_link() -> list[str | None]:
    """Put ``?fp_cost=`` and ``?fn_cost=`` into the cost inputs; their correction notes."""
    return [
        adopt(
            key,
            name,
            parse_float(
                raw_param(name), name=name, default=default, minimum=0.0, maximum=HIGHEST_COST
            ),
        )
        for key, name, default in COSTS
    ]


def _training_percent(data: TradeoffData) -> float:
    """The training share as the prevalence input shows it (two decimals)."""
    share = data.training_prevalence
    return round(100 * share, 2) if 0 < share < 1 else 50.0


def prevalence_from_link(data: TradeoffData) -> str | None:
    """Put ``?prevalence=`` (a share in (0, 1)) into the prevalence input; the correction note."""
    share = parse_float(
        raw_param("prevalence"),
        name="prevalence",
        default=_training_percent(data) / 100,
        minimum=LOWEST_PREVALENCE,
        maximum=HIGHEST_PREVALENCE,
    )
    return adopt(PREVALENCE_KEY, "prevalence", Parsed(100 * share.value, share.note))


def chosen_prevalence(data: TradeoffData) -> float | None:
    """The share the user chose for the digit, or None for the training share (the default)."""
    shown = st.session_state.get(PREVALENCE_KEY)
    share = data.training_prevalence
    if shown is None or not 0 < share < 1 or shown == _training_percent(data):
        return None
    return min(max(shown / 100, LOWEST_PREVALENCE), HIGHEST_PREVALENCE)


def explorer_settings(data: TradeoffData) -> dict:
    """What the explorer's figures rest on: the chosen prevalence and the two costs."""
    fp_cost = st.session_state.get("pick_fp_cost", DEFAULT_FP_COST)
    fn_cost = st.session_state.get("pick_fn_cost", DEFAULT_FN_COST)
    return {"prevalence": chosen_prevalence(data), "fpCost": fp_cost, "fnCost": fn_cost}


def _clamped(data: TradeoffData, threshold: float) -> float:
    return min(max(threshold, data.slider_min), data.slider_max)


def current_threshold(data: TradeoffData) -> tuple[float, float]:
    """The threshold now and the one shown before it (whatever moved it)."""
    if not data.slider_min <= st.session_state.threshold <= data.slider_max:
        st.session_state.threshold = _clamped(data, st.session_state.threshold)  # another digit
    threshold = float(st.session_state.threshold)
    if st.session_state.get("shown_threshold", threshold) != threshold:
        st.session_state.previous_threshold = st.session_state.shown_threshold
    st.session_state.shown_threshold = threshold
    return threshold, st.session_state.get("previous_threshold", threshold)


def _explain(reason: str | None) -> None:
    """Say why the threshold is where it is; shown only while it stays there."""
    st.session_state.picker_reason = reason
    st.session_state.picker_reason_for = st.session_state.threshold


def _move_to(data: TradeoffData, threshold: float, reason: str | None = None) -> None:
    if not math.isfinite(threshold):  # e.g. the ROC's "flag nothing" end point
        _explain("That point flags nothing; pick another one.")
        return
    st.session_state.threshold = _clamped(data, float(threshold))
    _explain(reason)


@guarded_callback  # callbacks run outside app.py's guard
def _from_number(data: TradeoffData, key: str) -> None:
    _move_to(data, float(st.session_state[key]))


@guarded_callback
def _from_explorer(data: TradeoffData, key: str = EXPLORER) -> None:
    released = note_release(key)
    if released is not None:
        _move_to(data, released)


def release_handler(data: TradeoffData, *, key: str):
    """The explorer ``key``'s ``on_release``: the released threshold becomes the session's."""
    return partial(_from_explorer, data, key)


def _from_picker(data: TradeoffData, picker, *, items: str, **goal) -> None:
    try:
        choice = picker(data.cv_index, **goal)
    except ValueError as exc:  # e.g. both costs zero: say so instead of moving
        _explain(f"Not moved: {exc}")
        return
    _move_to(data, choice.threshold, choice_sentence(choice, items=items))


@guarded_callback
def _pick_precision(data: TradeoffData, items: str) -> None:
    target = st.session_state.pick_precision / 100
    st.session_state.picked_precision = (target, chosen_prevalence(data))
    _from_picker(
        data,
        pickers.threshold_for_precision,
        items=items,
        target=target,
        prevalence=chosen_prevalence(data),
    )


@guarded_callback
def _pick_recall(data: TradeoffData, items: str) -> None:
    target = st.session_state.pick_recall / 100
    st.session_state.picked_recall = (target, None)  # recall does not depend on prevalence
    _from_picker(data, pickers.threshold_for_recall, items=items, target=target)


@guarded_callback
def _pick_fbeta(data: TradeoffData, items: str) -> None:
    _from_picker(
        data,
        pickers.threshold_for_best_fbeta,
        items=items,
        beta=st.session_state.pick_beta,
        prevalence=chosen_prevalence(data),
    )


@guarded_callback
def _pick_cost(data: TradeoffData, items: str) -> None:
    _from_picker(
        data,
        pickers.threshold_for_least_cost,
        items=items,
        false_positive_cost=st.session_state.pick_fp_cost,
        false_negative_cost=st.session_state.pick_fn_cost,
        prevalence=chosen_prevalence(data),
    )


def explorer(data: TradeoffData, *, fingerprint: str, digit: int, threshold: float) -> None:
    """The live explorer: the threshold plot, the PR, ROC and cost curves, every rate and count,
    each fold's and the test set's figures."""
    explorer_section(
        data,
        fingerprint=fingerprint,
        nouns=detector_nouns(digit),
        threshold=threshold,
        settings=explorer_settings(data),
        key=EXPLORER,
        on_release=partial(_from_explorer, data),
    )


def controls(data: TradeoffData, *, digit: int, threshold: float) -> None:
    """The exact number, the prevalence where the detector will be used, and the link."""
    params = {
        "digit": digit,
        **threshold_controls(data, nouns=detector_nouns(digit), threshold=threshold),
    }
    # The export's choice is drawn further down (it publishes itself); the link carries it too.
    rule = st.session_state.get(refit_ui.EXPORT_RULE_KEY, CROSS_VALIDATED)
    if rule != CROSS_VALIDATED:
        params[refit_ui.EXPORT_PARAM] = rule
    link_to_this_view("tradeoff", params)


def threshold_controls(data: TradeoffData, *, nouns: ExplorerNouns, threshold: float) -> dict:
    """The exact number and the prevalence where the classifier will be used, both written to
    the URL; the link's parameters for the threshold, the prevalence and the costs."""
    number, where = st.columns([1, 2], gap="large")
    # A form, so only "Set" moves the threshold: an input with on_change, replaced as the
    # threshold moves, committed stale values in the browser and undid key presses.
    with number.form("exact_threshold", border=False):
        number_key = f"tradeoff_number:{threshold!r}"  # shows the current threshold
        st.number_input(
            "Exact threshold", value=threshold, step=data.slider_step, format="%.4f", key=number_key
        )
        st.form_submit_button("Set", on_click=_from_number, args=(data, number_key))
    with where:
        prevalence = prevalence_input(data, nouns=nouns)
    reason = st.session_state.get("picker_reason")
    if reason and st.session_state.get("picker_reason_for") == threshold:
        st.caption(reason)
    # Streamlit 1.67 shows a fragment run's URL change only at the next interaction, so the
    # address bar can trail by one move; the link below is always exact.
    publish("threshold", "threshold", repr(threshold))
    params = {"threshold": repr(threshold)}
    if prevalence is None:
        unpublish(PREVALENCE_KEY, "prevalence")
    else:
        publish(PREVALENCE_KEY, "prevalence", repr(prevalence))
        params["prevalence"] = repr(prevalence)
    for key, name, default in COSTS:
        cost = float(st.session_state.get(key, default))
        if cost == default:
            unpublish(key, name)
        else:
            publish(key, name, repr(cost))
            params[name] = repr(cost)
    return params


def prevalence_input(data: TradeoffData, *, nouns: ExplorerNouns) -> float | None:
    """The positives' share where the classifier will be used; None when it is the sample's."""
    training = _training_percent(data)
    st.session_state.setdefault(PREVALENCE_KEY, training)
    st.number_input(
        f"Share of {nouns.positive} where {nouns.subject} will be used (%)",
        min_value=100 * LOWEST_PREVALENCE,
        max_value=100 * HIGHEST_PREVALENCE,
        step=0.5,
        format="%.2f",
        key=PREVALENCE_KEY,
        help=f"{training:.2f}% {nouns.in_sample}. Precision, F1, accuracy, the PR curve and the "
        "expected cost follow it; recall and the false-positive rate are shares within one "
        "class, so they do not change.",
    )
    prevalence = chosen_prevalence(data)
    if prevalence is None:
        share = f"{nouns.sample_share[:1].upper()}{nouns.sample_share[1:]}"
        st.caption(f"{share}: {nouns.positive} are {training:.2f}% of the {nouns.curve_items}.")
    else:
        st.caption(
            f"Precision, F1, accuracy, the PR curve and the cost are where {nouns.positive} are "
            f"{percent(prevalence, decimals=2)} of all {nouns.items}; recall and the "
            "false-positive rate do not depend on it."
        )
    return prevalence


@st.cache_data(max_entries=64, show_spinner=False)
def _goal_spread_for(spread_key: str, kind: str, target: float, prevalence: float | None, _data):
    """:func:`core.tradeoff.goal_spread`, once per scored set (``spread_key``), goal and share."""
    return tradeoff.goal_spread(_data, kind=kind, target=target, prevalence=prevalence)


def goal_spread_caption(
    data: TradeoffData, *, spread_key: str, kind: str, nouns: ExplorerNouns
) -> None:
    """Under a goal's button, once it was used: each fold's pick and the bootstrap spread."""
    target = st.session_state.get(f"pick_{kind}", 0) / 100
    prevalence = chosen_prevalence(data) if kind == "precision" else None
    if st.session_state.get(f"picked_{kind}") != (target, prevalence):
        return
    with st.spinner("Resampling the scores 1,000 times…"):
        spread = _goal_spread_for(spread_key, kind, target, prevalence, data)
    st.caption(goal_spread_text(spread, sample_share=nouns.sample_share))


def goal_spread_text(spread, *, sample_share: str = "the training share") -> str:
    """One paragraph: each fold's threshold, and the bootstrap's 95% ranges."""
    other = "recall" if spread.kind == "precision" else "precision"
    folds = " · ".join(
        threshold_text(t) if math.isfinite(t) else "not reached" for t in spread.fold_thresholds
    )
    boot = spread.bootstrap
    text = f"Each fold alone would pick {folds}." if folds else ""
    if boot is None and spread.no_bootstrap == "size":
        return (
            text + f" No bootstrap range: it resamples at most {BOOTSTRAP_MAX_SAMPLES:,} scores, "
            "and these are more; the folds' picks show the spread where there are folds."
        ).strip()
    if boot is None:
        return (
            text + f" No bootstrap range at a chosen share: it is drawn at {sample_share}."
        ).strip()
    if boot.reached > 0:
        low, high = boot.threshold
        text += (
            f" Over {boot.n_resamples:,} resamples of the scores (seed {boot.seed}), 95% of the "
            f"picks lie in {threshold_text(low)} to {threshold_text(high)}, with {other} "
            f"{percent(boot.other[0])} to {percent(boot.other[1])} there."
        )
    if boot.reached < 1:
        text += f" {percent(1 - boot.reached)} of the resamples never reach the target."
    return text.strip()


def goal_pickers(data: TradeoffData, *, spread_key: str, nouns: ExplorerNouns) -> None:
    """Set the threshold by a goal: a precision, a recall, the best F-β or the least cost.

    ``spread_key`` names the scored set (and the goal's spread is kept per key)."""
    with st.expander("Pick the threshold by a goal", expanded=True, icon=":material/target:"):
        goals = st.columns(4)
        with goals[0]:
            st.number_input("Target precision (%)", 1.0, 100.0, 90.0, 1.0, key="pick_precision")
            st.button(
                "Lowest threshold reaching it",
                on_click=_pick_precision,
                args=(data, nouns.items),
                key="go_precision",
            )
            goal_spread_caption(data, spread_key=spread_key, kind="precision", nouns=nouns)
        with goals[1]:
            st.number_input("Target recall (%)", 1.0, 100.0, 90.0, 1.0, key="pick_recall")
            st.button(
                "Highest threshold reaching it",
                on_click=_pick_recall,
                args=(data, nouns.items),
                key="go_recall",
            )
            goal_spread_caption(data, spread_key=spread_key, kind="recall", nouns=nouns)
        with goals[2]:
            st.number_input(
                "β (recall counts β times as much)", 0.1, 10.0, 1.0, 0.1, key="pick_beta"
            )
            st.button("Best F-β", on_click=_pick_fbeta, args=(data, nouns.items), key="go_fbeta")
        with goals[3]:
            cost = st.columns(2)
            for column, (key, _, default), label in zip(
                cost, COSTS, ("Cost of a FP", "Cost of a FN"), strict=True
            ):
                st.session_state.setdefault(key, default)  # or the link's, adopted before
                column.number_input(label, 0.0, HIGHEST_COST, step=1.0, key=key)
            st.button("Least cost", on_click=_pick_cost, args=(data, nouns.items), key="go_cost")
            st.caption("These costs draw the explorer's cost curve too.")
        if chosen_prevalence(data) is not None:
            st.caption(
                f"Precision, F-β and the cost are taken where {nouns.positive} have the share "
                "chosen above; recall does not depend on it."
            )


def export_button(
    result: DetectorResult, dataset: Dataset, data: TradeoffData, *, digit: int, threshold: float
) -> None:
    """Download the detector, carrying the threshold as chosen or the same share flagged on the
    final model (:func:`ui.refit.export_choice`), with the prevalence and costs the page assumes
    in its card; the file is built only when clicked."""
    from core.export import export_file_name, export_model  # scikit-learn: after the numbers

    rule, final_train, comparison = refit_ui.export_choice(
        result, dataset, data, digit=digit, threshold=threshold
    )
    settings = explorer_settings(data)
    st.download_button(
        "Download this detector (.zip)",
        data=partial(
            export_model,
            result,
            threshold=threshold,
            dataset=dataset,
            rule=rule,
            final_train_scores=final_train,
            prevalence=settings["prevalence"],
            false_positive_cost=settings["fpCost"],
            false_negative_cost=settings["fnCost"],
        ),
        file_name=export_file_name(digit=digit, threshold=comparison.carried(rule).threshold),
        mime="application/zip",
        on_click="ignore",
        key="export_detector",
        icon=":material/download:",
        help="scikit-learn's FixedThresholdClassifier around the fitted model at the threshold "
        "named below, its plain parameters, and model_card.json (which threshold it carries "
        "and why, cross-validated and test precision/recall with 95% intervals, each fold, the "
        "prevalence and costs assumed, data fingerprint, library versions). On the command "
        "line: python -m core predict --model FILE IMAGE...",
    )
    st.caption(refit_ui.export_caption(comparison, rule=rule))


def scores_download(result: DetectorResult, *, digit: int) -> None:
    """Download the detector's scores as a Parquet score file (:mod:`core.score_export`), which
    the /scores page and ``python -m core tradeoff --scores`` read back to the same figures;
    the file is built only when clicked."""
    from core.score_export import detector_scores_table, scores_file_name

    st.download_button(
        "Download these scores (.parquet)",
        data=partial(detector_scores_table, result),
        file_name=scores_file_name(digit=digit),
        mime="application/vnd.apache.parquet",
        on_click="ignore",
        key="export_scores",
        icon=":material/download:",
        help=f"One row per digit: id, label (True for a {digit}), score, fold, split. The "
        "training digits' cross-validated scores with their fold, then the test digits' "
        "scores from the final model (fold empty, split test). Open it on the Your scores "
        "page to explore it as any classifier's scores.",
    )


def digits_at_the_cut(
    dataset: Dataset, result: DetectorResult, data: TradeoffData, *, digit: int, threshold: float
) -> None:
    """The false positives and false negatives closest to the threshold."""
    st.subheader("The digits at the cut")
    st.caption("Closest to the threshold first: the cases a small move would flip.")
    errors = st.columns(2, gap="large")
    for column, kind, title in (
        (errors[0], "false_positive", f"False positives: flagged, but not {digit}s"),
        (errors[1], "false_negative", f"False negatives: {digit}s left out"),
    ):
        shown = counting.borderline_indices(
            data.cv_index, threshold=threshold, kind=kind, limit=PER_GALLERY
        )
        with column:
            st.markdown(f"**{title}**")
            show_gallery(
                dataset,
                shown,
                pixels=56,
                empty="None at this threshold.",
                scores=result.cv_scores[shown],
            )


def changed_side_text(changes: counting.SideChanges, *, digit: int) -> str:
    """The totals of a move in each direction: "312 digits newly flagged (287 were 5s), 0 no
    longer flagged"."""

    def part(count: int, positives: int, what: str) -> str:
        noun = "digit" if count == 1 else "digits"
        text = f"{count:,} {noun} {what}"
        if count:
            text += f" (1 was a {digit})" if positives == 1 else f" ({positives:,} were {digit}s)"
        return text

    return (
        part(changes.newly_flagged, changes.newly_flagged_positives, "newly flagged")
        + ", "
        + part(changes.no_longer_flagged, changes.no_longer_flagged_positives, "no longer flagged")
        + "."
    )


def changed_side(
    dataset: Dataset,
    result: DetectorResult,
    data: TradeoffData,
    *,
    digit: int,
    previous: float,
    threshold: float,
) -> None:
    """The digits the last move of the threshold flagged or let go: the totals, then the
    ones nearest the new threshold."""
    direction = {True: " (flagged now)", False: " (no longer flagged)"}.get(
        threshold < previous if threshold != previous else None, ""
    )
    st.markdown(f"**Changed side since the last threshold**{direction}")
    if threshold == previous:
        st.caption("None: the threshold has not moved yet.")
        return
    changes = counting.side_changes(data.cv_index, old_threshold=previous, new_threshold=threshold)
    moved = changes.newly_flagged + changes.no_longer_flagged
    text = changed_side_text(changes, digit=digit)
    if moved > PER_GALLERY:
        text += f" The {PER_GALLERY} nearest the new threshold:"
    st.markdown(text)
    flipped = counting.changed_side(
        data.cv_index, old_threshold=previous, new_threshold=threshold, limit=PER_GALLERY
    )
    show_gallery(
        dataset,
        flipped,
        scores=result.cv_scores[flipped],
        pixels=56,
        empty="None: no digit has a score between the two thresholds.",
    )
