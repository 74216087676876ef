"""The model comparison as the pages see it: one training per model per server, shared by all.

The process-wide :class:`~core.compare.ComparisonRegistry` (in ``st.cache_resource``) runs each
model's cross-validation in a background thread; its ``"sgd"`` model is the detector of the
other pages, followed through their own registry so it is never trained twice. A page polls
a job's progress and shows it in ``st.status``.
"""

from __future__ import annotations

import math
import time

import streamlit as st

from core.compare import (
    MODELS,
    ComparisonRegistry,
    ComparisonRow,
    ModelCurves,
    ModelProgress,
    ModelResult,
    model_curves,
)
from core.data import Dataset
from ui.detector import POLL_SECONDS, finished_job_result, training_registry


@st.cache_resource
def comparison_registry() -> ComparisonRegistry:
    """The one comparison registry of this server process, sharing the detector's registry."""
    return ComparisonRegistry(detectors=training_registry())


def ready_model(dataset: Dataset, digit: int, model: str) -> ModelResult | None:
    """The model's result if it is in memory or in the disk cache; never trains."""
    return comparison_registry().ready(dataset, digit=digit, model=model)


def describe_progress(progress: ModelProgress | None) -> str:
    """One line for ``st.status``: folds done, the final model (SGD only), time so far."""
    if progress is None:
        return "Starting…"
    text = f"Cross-validation folds done: {progress.folds_done} of {progress.n_folds}"
    if progress.final_done is not None:
        text += f"; final model: {'done' if progress.final_done else 'running'}"
    return f"{text}; elapsed {progress.elapsed:.1f} s"


def train_model_with_progress(dataset: Dataset, digit: int, model: str) -> ModelResult | None:
    """Train ``model`` (or join its training) and show its progress until done.

    Returns None, with the reason shown, when the training failed.
    """
    label = MODELS[model].label
    job = comparison_registry().job(dataset, digit=digit, model=model)
    with st.status(f"Training {label}…", expanded=True) as status:
        line = st.empty()
        bar = st.progress(0.0)
        while not job.done:
            update = job.progress
            line.markdown(describe_progress(update))
            bar.progress(0.0 if update is None else update.fraction)
            time.sleep(POLL_SECONDS)
        result = finished_job_result(job, status, line, label=f"Training {label} failed")
        if result is None:
            return None
        line.markdown(describe_progress(job.progress))
        bar.progress(1.0)
        status.update(
            label=f"{label} ready (trained in {result.seconds:.1f} s)",
            state="complete",
            expanded=False,
        )
    return result


def curves_for(result: ModelResult) -> ModelCurves:
    """Index and curves of one model's scores, computed once per result and kept per server.

    In ``cache_resource``: the charts remember which points they draw per curve object.
    """
    run = (result.seconds, result.from_cache)  # tells two results of one model apart
    return _curves(result.fingerprint, result.digit, result.key, run, result)


@st.cache_resource(max_entries=40, show_spinner=False)
def _curves(fingerprint: str, digit: int, model: str, run: tuple, _result: ModelResult):
    return model_curves(_result)


def _threshold_text(value: float, scale: str) -> str:
    return f"{value:,.6g} ({scale})"


def _percent_points(value: float) -> float | None:
    return None if math.isnan(value) else value * 100


def _target_text(target: float) -> str:
    return f"{target:.1%}".replace(".0%", "%")


def table_columns(*, target_precision: float, target_recall: float) -> dict[str, str]:
    """The comparison table's column names, by :func:`table_records` field."""
    precision, recall = _target_text(target_precision), _target_text(target_recall)
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
    """The table as records for ``st.dataframe``: numbers stay numbers, thresholds are text.

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
                    _threshold_text(row.threshold_for_precision, row.score_label)
                    if row.precision_reached
                    else unreachable_precision
                ),
                "precision_at_recall": _percent_points(row.precision_at_recall),
                "threshold_for_recall": (
                    _threshold_text(row.threshold_for_recall, row.score_label)
                    if row.recall_reached
                    else "not reachable"
                ),
                "best_f1": row.best_f1,
                "best_f1_threshold": (
                    "n/a"
                    if math.isnan(row.best_f1)
                    else _threshold_text(row.best_f1_threshold, row.score_label)
                ),
                "seconds": row.seconds,
                "covers": covers + (" (read from the disk cache)" if row.from_cache else ""),
            }
        )
    return records


def show_table(rows: list[ComparisonRow], *, target_precision: float, target_recall: float):
    """Render the comparison table with ``st.dataframe``."""
    names = table_columns(target_precision=target_precision, target_recall=target_recall)
    records = [{names[field]: value for field, value in r.items()} for r in table_records(rows)]
    percent = st.column_config.NumberColumn(format="%.1f%%")
    st.dataframe(
        records,
        hide_index=True,
        column_config={
            names["auc"]: st.column_config.NumberColumn(format="%.4f"),
            names["ap"]: st.column_config.NumberColumn(format="%.4f"),
            names["recall_at_precision"]: percent,
            names["precision_at_recall"]: percent,
            names["best_f1"]: st.column_config.NumberColumn(format="%.4f"),
            names["seconds"]: st.column_config.NumberColumn(format="%.1f"),
        },
    )
