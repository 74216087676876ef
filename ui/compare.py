"""The model comparison as the pages see it: one training per model per server, shared by all.

The process-wide :class:`~core.jobs.JobRegistry` of the other pages (in ``st.cache_resource``)
runs each model's cross-validation in its queue, one training at a time; its ``"sgd"`` model is
the detector of the other pages, the same job, so it is never trained twice. Each model's card
shows its own job's state (:func:`model_cards`). Below the table: the compare page's other
sections.
"""

from __future__ import annotations

import math

import streamlit as st

from core.charts import OVERLAY_COLORS, precision_recall_overlay_figure, roc_overlay_figure
from core.compare import (
    DEFAULT_TARGET_PRECISION,
    DEFAULT_TARGET_RECALL,
    ComparisonRow,
    ModelCurves,
    ModelResult,
    model_curves,
    result_from_detector,
)
from core.data import Dataset
from core.formatting import scaled_threshold_text, target_percent
from core.models import MODEL_KEYS, MODELS
from core.params import Parsed, parse_float
from ui.detector import describe_status, failure_text, status_fraction, training_registry
from ui.entry import guarded
from ui.params import adopt, publish, raw_param
from ui.wording import choice_sentence


def _as_model_result(result) -> ModelResult | None:
    # The registry's "sgd" job is the detector's own; the comparison sees it as a model.
    if result is None or isinstance(result, ModelResult):
        return result
    return result_from_detector(result)


def ready_model(dataset: Dataset, digit: int, model: str) -> ModelResult | None:
    """The model's result if it is in memory or in the disk cache; never trains."""
    return _as_model_result(training_registry().ready(dataset, digit=digit, model=model))


def curves_for(result: ModelResult) -> ModelCurves:
    """Index and curves of one model's scores, computed once per result and kept per server.

    In ``cache_resource``: the curves keep the points they draw as cached properties.
    """
    run = (result.seconds, result.from_cache)  # tells two results of one model apart
    return _curves(result.fingerprint, result.digit, result.key, run, result)


@st.cache_resource(max_entries=40, show_spinner=False)
def _curves(fingerprint: str, digit: int, model: str, run: tuple, _result: ModelResult):
    return model_curves(_result)


def _percent_points(value: float) -> float | None:
    return None if math.isnan(value) else value * 100


def table_columns(*, target_precision: float, target_recall: float) -> dict[str, str]:
    """The comparison table's column names, by :func:`table_records` field."""
    precision = target_percent(target_precision, min_decimals=0)
    recall = target_percent(target_recall, min_decimals=0)
    return {
        "model": "Model",
        "auc": "ROC AUC",
        "ap": "Average precision",
        "recall_at_precision": f"Recall at precision ≥ {precision}",
        "threshold_for_precision": f"Threshold for precision ≥ {precision}",
        "precision_at_recall": f"Precision at recall ≥ {recall}",
        "threshold_for_recall": f"Threshold for recall ≥ {recall}",
        "best_f1": "Best F1",
        "best_f1_threshold": "Threshold for best F1",
        "seconds": "Training time (s)",
        "covers": "Time covers",
    }


def table_records(rows: list[ComparisonRow]) -> list[dict]:
    """The table as records for the table: numbers stay numbers, thresholds are text.

    Thresholds are text because each is on its own model's scale (named beside it): one
    numeric column mixing decision scores and probabilities would invite comparing them.
    Percentages are in points (48.0 for 48 %); unreachable targets are None with the reason
    in the threshold column.
    """
    records = []
    for row in rows:
        unreachable_precision = f"not reachable: at most {row.max_precision:.1%}"
        covers = MODELS[row.key].time_covers if row.key in MODELS else ""
        records.append(
            {
                "model": row.label,
                "auc": row.roc_auc,
                "ap": row.average_precision,
                "recall_at_precision": _percent_points(row.recall_at_precision),
                "threshold_for_precision": (
                    scaled_threshold_text(row.threshold_for_precision, row.score_label)
                    if row.precision_reached
                    else unreachable_precision
                ),
                "precision_at_recall": _percent_points(row.precision_at_recall),
                "threshold_for_recall": (
                    scaled_threshold_text(row.threshold_for_recall, row.score_label)
                    if row.recall_reached
                    else "not reachable"
                ),
                "best_f1": row.best_f1,
                "best_f1_threshold": (
                    "n/a"
                    if math.isnan(row.best_f1)
                    else scaled_threshold_text(row.best_f1_threshold, row.score_label)
                ),
                "seconds": row.seconds,
                "covers": covers + (" (read from the disk cache)" if row.from_cache else ""),
            }
        )
    return records


def show_table(rows: list[ComparisonRow], *, target_precision: float, target_recall: float):
    """Render the comparison table as a static table whose headings and cells wrap, so that
    all its columns fit the page with their names whole (numbers stay numbers underneath)."""
    import pandas as pd

    names = table_columns(target_precision=target_precision, target_recall=target_recall)
    records = [{names[field]: value for field, value in r.items()} for r in table_records(rows)]
    frame = pd.DataFrame(records, columns=list(names.values()))
    formats = {
        names["auc"]: "{:.4f}",
        names["ap"]: "{:.4f}",
        names["recall_at_precision"]: "{:.1f}%",
        names["precision_at_recall"]: "{:.1f}%",
        names["best_f1"]: "{:.4f}",
        names["seconds"]: "{:.1f}",
    }
    st.table(frame.style.format(formats, na_rep="–"), hide_index=True)


# --- the compare page's sections -----------------------------------------------------------

LOWEST_TARGET = 0.01
# Cold training on full MNIST with 2 cores (bench/bench_compare.py measures it; other work on
# the machine can make it vary by about 2x).
MNIST_SECONDS = {
    "sgd": "about 25 s",
    "sgd_scaled": "about 2–3 min",
    "logistic": "15–25 s",
    "forest": "about 30 s",
}


def targets_from_link() -> list[str | None]:
    """Put ``?precision=`` and ``?recall=`` into the inputs' state; their correction notes.

    The inputs show percentages, as /tradeoff's do; the link keeps a share (``precision=0.9``),
    as links made before did, so an old link opens the same view.
    """
    notes = []
    for key, name, default in (
        ("compare_precision", "precision", DEFAULT_TARGET_PRECISION),
        ("compare_recall", "recall", DEFAULT_TARGET_RECALL),
    ):
        parsed = parse_float(
            raw_param(name), name=name, default=default, minimum=LOWEST_TARGET, maximum=1.0
        )
        notes.append(adopt(key, name, Parsed(_as_percent(parsed.value), parsed.note)))
    return notes


def _as_percent(share: float) -> float:
    return round(100 * share, 6)  # 0.9 is 90.0, not 90.00000000000001


def share_text(percent: float) -> str:
    """A percentage as the link writes it: the share, shortest (80.0 -> "0.8")."""
    return f"{percent / 100:.10g}"


def fallback_note(dataset: Dataset) -> None:
    """On the small fallback set, say that its comparison says little about MNIST."""
    if dataset.is_fallback:
        st.info(
            f"These models are compared on the small 8×8 fallback digits ({dataset.n_train:,} "
            "training digits of 64 pixels), not on MNIST: their curves, their ranking and above "
            "all their training times say little about MNIST.",
            icon=":material/science:",
        )


CARD_POLL_SECONDS = 0.5  # how often a training card's line is redrawn


def model_cards(dataset: Dataset, digit: int) -> dict[str, ModelResult]:
    """One card per model, each with its own state: ready, queued (the trainings ahead of it),
    waiting for another process, training (folds done), failed, or a Train button.

    A card whose model trains redraws its own line (a fragment, every
    :data:`CARD_POLL_SECONDS`) and reruns the page when the training ends, so the rest of the
    page never waits for it, and pressing another card's button leaves this one as it is.
    """
    registry = training_registry()
    results = {}
    # Two cards a row: wide enough that no estimator's name is broken across lines.
    places = [column for _ in range(0, len(MODEL_KEYS), 2) for column in st.columns(2)]
    for column, key in zip(places, MODEL_KEYS, strict=True):
        spec = MODELS[key]
        with column.container(border=True):
            st.markdown(f"**{spec.label}**")
            st.caption(f"{spec.description} Thresholds: its {spec.score_label}.")
            result = ready_model(dataset, digit, key)
            job = None if result is not None else registry.existing(dataset, digit=digit, model=key)
            if job is not None and job.done and job.error is None:
                result = _as_model_result(job.result())
            if result is not None:
                results[key] = result
                st.markdown(
                    f":material/check_circle: Ready: trained in {result.seconds:.1f} s "
                    f"({spec.time_covers})."
                )
                continue
            if job is not None and job.done:
                st.markdown(f":material/error: {failure_text(job.error)}")
            if job is None or job.done:
                offer = st.empty()
                again = job is not None
                pressed = offer.button(
                    f"{'Train again' if again else 'Train'} {spec.label}",
                    key=f"compare_train_{key}",
                    icon=":material/play_arrow:",
                    help=f"Fits {spec.time_covers}: {MNIST_SECONDS[key]} on full MNIST with "
                    "2 cores, once the trainings asked before it have run.",
                )
                if not pressed:
                    continue
                offer.empty()
                registry.job(dataset, digit=digit, model=key)
            _training_card(dataset, digit, key)
    return results


@st.fragment(run_every=CARD_POLL_SECONDS)
@guarded
def _training_card(dataset: Dataset, digit: int, key: str) -> None:
    """A training model's line and bar; the whole page reruns once it has ended."""
    job = training_registry().existing(dataset, digit=digit, model=key)
    if job is None or job.done:
        st.rerun()  # the card shows the result (or the failure), the table and charts follow
    status = job.status
    st.markdown(f":material/hourglass_top: {describe_status(status, brief=True)}")
    st.progress(status_fraction(status))


def target_inputs() -> tuple[float, float]:
    """The precision and the recall to reach, in percent as on /tradeoff, side by side; both
    written to the link as shares. Returns them as shares."""
    left, right = st.columns(2)
    target_precision = left.number_input(
        "Precision to reach (%)",
        min_value=100 * LOWEST_TARGET,
        max_value=100.0,
        step=1.0,
        format="%.1f",
        key="compare_precision",
        help="90 asks that 90% of the flagged digits be right.",
    )
    target_recall = right.number_input(
        "Recall to reach (%)",
        min_value=100 * LOWEST_TARGET,
        max_value=100.0,
        step=1.0,
        format="%.1f",
        key="compare_recall",
        help="90 asks that 90% of the digits be found.",
    )
    publish("compare_precision", "precision", share_text(target_precision))
    publish("compare_recall", "recall", share_text(target_recall))
    return target_precision / 100, target_recall / 100


def overlay_charts(
    curves: dict[str, ModelCurves], rows: list[ComparisonRow], *, target_precision: float
) -> None:
    """The models' ROC and precision-recall curves overlaid, each with its operating point."""
    labels = {key: MODELS[key].label for key in curves}
    score_labels = {labels[key]: MODELS[key].score_label for key in curves}
    colors = {labels[key]: OVERLAY_COLORS[MODEL_KEYS.index(key)] for key in curves}
    marks = {labels[row.key]: row.threshold_for_precision for row in rows if row.precision_reached}
    target = target_percent(target_precision, min_decimals=0)
    roc_place, pr_place = st.columns(2)
    with roc_place:
        st.plotly_chart(
            roc_overlay_figure(
                {labels[key]: c.roc_curve for key, c in curves.items()},
                score_labels=score_labels,
                colors=colors,
                marks=marks,
                mark_label=f"precision ≥ {target}",
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
                mark_label=f"precision ≥ {target}",
                target_precision=target_precision,
            ),
            theme=None,
            key="compare_pr",
            config={"displaylogo": False},
        )
    st.caption(
        f"A dot marks each model's operating point at precision ≥ {target}: its lowest "
        "threshold that reaches it, which finds the most digits at that precision."
    )


def table_notes(rows: list[ComparisonRow], *, n_trained: int) -> None:
    """Under the table: why a target was not reached, the thresholds' scales, what is missing."""
    for row in rows:
        for choice in row.unreached:
            st.warning(f"{row.label}: {choice_sentence(choice)}", icon=":material/block:")
    st.caption(
        "Each model's threshold is on its own scale: the SGD models' decision scores are "
        "unbounded, logistic regression's log-odds are the logarithm of p / (1 − p), the "
        "forest's probability is the share of its trees voting yes. A threshold of one model "
        "means nothing for another, so models are compared by precision and recall, which "
        "share one scale. The SGD time on raw pixels also covers the final model the other "
        "pages use."
    )
    if n_trained < len(MODEL_KEYS):
        st.caption("Train the other models above to add them to the charts and the table.")
