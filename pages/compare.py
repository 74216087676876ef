"""Compare: four detectors of one digit, cross-validated alike, at the same operating point."""

from __future__ import annotations

import streamlit as st

from core.charts import OVERLAY_COLORS, precision_recall_overlay_figure, roc_overlay_figure
from core.compare import (
    DEFAULT_TARGET_PRECISION,
    DEFAULT_TARGET_RECALL,
    MODEL_KEYS,
    MODELS,
    compare_table,
)
from core.params import parse_float
from ui.compare import curves_for, ready_model, show_table, train_model_with_progress
from ui.dataset import get_dataset
from ui.detector import choose_digit
from ui.entry import ensure_entry_point
from ui.params import adopt, publish, raw_param, show_notes

KNOWN_PARAMS = ("digit", "precision", "recall")
LOWEST_TARGET = 0.01
# Cold training on full MNIST, 2 cores (bench/bench_compare.py, 2026-11-25; other work on the
# machine made the figures vary by up to about 2x).
MNIST_SECONDS = {
    "sgd": "about 25 s",
    "sgd_scaled": "about 2–3 min",
    "logistic": "15–25 s",
    "forest": "about 30 s",
}


def _target(name: str, default: float):
    return parse_float(
        raw_param(name), name=name, default=default, minimum=LOWEST_TARGET, maximum=1.0
    )


def _percent(value: float) -> str:
    return f"{value:.1%}".replace(".0%", "%")


ensure_entry_point()
st.title("Compare detectors")
dataset = get_dataset()
digit, digit_note = choose_digit(page="compare")
precision_note = adopt(
    "compare_precision", "precision", _target("precision", DEFAULT_TARGET_PRECISION)
)
recall_note = adopt("compare_recall", "recall", _target("recall", DEFAULT_TARGET_RECALL))
show_notes([digit_note, precision_note, recall_note], known=KNOWN_PARAMS)
if dataset.is_fallback:
    st.info(
        f"These models are compared on the small 8×8 fallback digits ({dataset.n_train:,} "
        "training digits of 64 pixels), not on MNIST: their curves, their ranking and above "
        "all their training times say little about MNIST.",
        icon=":material/science:",
    )

st.markdown(
    f"Four detectors answer the same question, *is this a {digit}?*, and are judged the same "
    "way: 3-fold cross-validation on the training digits (unshuffled, stratified folds: what "
    "`cross_val_predict(cv=3)` does), every digit scored by a model that never saw it. "
    "Nothing trains until you press its button; a trained model is kept on disk."
)

st.subheader("The models")
results = {}
for column, key in zip(st.columns(len(MODEL_KEYS)), MODEL_KEYS, strict=True):
    spec = MODELS[key]
    with column.container(border=True):
        st.markdown(f"**{spec.label}**")
        st.caption(f"{spec.description} Thresholds: its {spec.score_label}.")
        result = ready_model(dataset, digit, key)
        if result is None:
            offer = st.empty()
            pressed = offer.button(
                f"Train {spec.label}",
                key=f"compare_train_{key}",
                icon=":material/play_arrow:",
                help=f"Fits {spec.time_covers}: {MNIST_SECONDS[key]} on full MNIST with 2 cores.",
            )
            if pressed:
                offer.empty()
                result = train_model_with_progress(dataset, digit, key)
        if result is not None:
            results[key] = result
            st.markdown(
                f":material/check_circle: Ready: trained in {result.seconds:.1f} s "
                f"({spec.time_covers})."
            )

st.subheader("At the same operating point")
left, right = st.columns(2)
target_precision = left.number_input(
    "Precision to reach",
    min_value=LOWEST_TARGET,
    max_value=1.0,
    step=0.01,
    format="%.3f",
    key="compare_precision",
    help="A share between 0 and 1: 0.9 asks that 90% of the flagged digits be right.",
)
target_recall = right.number_input(
    "Recall to reach",
    min_value=LOWEST_TARGET,
    max_value=1.0,
    step=0.01,
    format="%.3f",
    key="compare_recall",
    help="A share between 0 and 1: 0.9 asks that 90% of the digits be found.",
)
publish("compare_precision", "precision", target_precision)
publish("compare_recall", "recall", target_recall)

if not results:
    st.info(
        f"No model is trained yet for the digit {digit}: press a model's Train button above. "
        "Its curves and numbers appear here as soon as it is ready.",
        icon=":material/schedule:",
    )
    st.stop()

curves = {key: curves_for(result) for key, result in results.items()}
rows = compare_table(
    list(curves.values()), target_precision=target_precision, target_recall=target_recall
)
labels = {key: MODELS[key].label for key in curves}
score_labels = {labels[key]: MODELS[key].score_label for key in curves}
colors = {labels[key]: OVERLAY_COLORS[MODEL_KEYS.index(key)] for key in curves}
marks = {labels[row.key]: row.threshold_for_precision for row in rows if row.precision_reached}
mark_label = f"precision ≥ {_percent(target_precision)}"

roc_place, pr_place = st.columns(2)
with roc_place:
    st.plotly_chart(
        roc_overlay_figure(
            {labels[key]: c.roc_curve for key, c in curves.items()},
            score_labels=score_labels,
            colors=colors,
            marks=marks,
            mark_label=mark_label,
        ),
        theme=None,
        key="compare_roc",
        config={"displaylogo": False},
    )
with pr_place:
    st.plotly_chart(
        precision_recall_overlay_figure(
            {labels[key]: c.pr_curve for key, c in curves.items()},
            score_labels=score_labels,
            colors=colors,
            marks=marks,
            mark_label=mark_label,
            target_precision=target_precision,
        ),
        theme=None,
        key="compare_pr",
        config={"displaylogo": False},
    )
st.caption(
    f"A dot marks each model's operating point at precision ≥ {_percent(target_precision)}: "
    "its lowest threshold that reaches it, which finds the most digits at that precision."
)

show_table(rows, target_precision=target_precision, target_recall=target_recall)
for row in rows:
    for note in row.notes:
        st.warning(f"{row.label}: {note}", icon=":material/block:")
st.caption(
    "Each model's threshold is on its own scale: the SGD models' decision scores are "
    "unbounded, logistic regression's log-odds are the logarithm of p / (1 − p), the forest's "
    "probability is the share of its trees voting yes. A threshold of one model means nothing "
    "for another, so models are compared by precision and recall, which share one scale. "
    "The SGD time on raw pixels also covers the final model the other pages use."
)
if len(results) < len(MODEL_KEYS):
    st.caption("Train the other models above to add them to the charts and the table.")
