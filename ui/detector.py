"""The trained detector as the pages see it: one training per digit per server, shared by all.

The process-wide :class:`~core.jobs.JobRegistry` (kept in ``st.cache_resource``) runs each
training in a background thread, so two sessions asking for the same digit (or model) get one
training; a page polls the job's progress and shows it in ``st.status``
(:func:`show_training`, for the detector and the compared models alike).
"""

from __future__ import annotations

import time

import streamlit as st

from core.data import Dataset
from core.detector import DetectorResult
from core.engine import TrainingProgress
from core.jobs import JobRegistry, TrainingJob
from core.params import Parsed, parse_choice
from core.tradeoff import TradeoffData, tradeoff_data
from ui.params import adopt, publish, raw_param

POLL_SECONDS = 0.25
DIGITS = tuple(str(d) for d in range(10))


@st.cache_resource
def training_registry() -> JobRegistry:
    """The one registry of this server process: fitted models live here."""
    return JobRegistry()


def choose_digit(*, page: str, container=st) -> tuple[int, str | None]:
    """The digit to detect: from ``?digit=`` on a fresh link, else the session's last choice.

    Returns the digit and a note when the link's value had to be corrected. The choice is
    shared by all pages and written back to the URL.
    """
    # A bad digit keeps the current one rather than clamping: ?digit=12 must not quietly
    # start training a 9-detector.
    default = st.session_state.get("chosen_digit", 5)
    parsed = parse_choice(raw_param("digit"), name="digit", default=str(default), choices=DIGITS)
    note = adopt("chosen_digit", "digit", Parsed(int(parsed.value), parsed.note))
    widget_key = f"{page}_digit"
    # Only when it differs (a link or another page changed the choice): writing a widget's
    # state on every run races with what the browser is sending.
    if st.session_state.get(widget_key) != st.session_state["chosen_digit"]:
        st.session_state[widget_key] = st.session_state["chosen_digit"]

    def _changed() -> None:
        st.session_state.chosen_digit = st.session_state[widget_key]

    digit = container.selectbox(
        "Digit to detect",
        range(10),
        key=widget_key,
        on_change=_changed,
        help="The detector answers one question: is this digit the one chosen here?",
    )
    publish("chosen_digit", "digit", digit)
    return int(digit), note


def describe_progress(progress: TrainingProgress | None) -> str:
    """One line for ``st.status``: folds done, the final model (if any), time so far."""
    if progress is None:
        return "Starting…"
    text = f"Cross-validation folds done: {progress.folds_done} of {progress.n_folds}"
    if progress.final_done is not None:
        text += f"; final model: {'done' if progress.final_done else 'running'}"
    return f"{text}; elapsed {progress.elapsed:.1f} s"


def ready_detector(dataset: Dataset, digit: int) -> DetectorResult | None:
    """The trained detector if it is in memory or in the disk cache; never trains."""
    return training_registry().ready(dataset, digit=digit)


def finished_job_result(job, status, line, *, label: str):
    """A finished training job's result, or None with the failure shown in ``status``.

    A ``ValueError`` says why the data cannot train the model, for a user; any other error's
    text is not for users (the job has logged it in full).
    """
    try:
        return job.result()
    except ValueError as exc:
        status.update(label=label, state="error")
        line.markdown(f"The training failed: {exc}")
    except Exception:  # noqa: BLE001 - see above
        status.update(label=label, state="error")
        line.markdown("The training failed; the details are in the server's log.")
    return None


def show_training(job: TrainingJob, *, label: str, ready_label: str):
    """Show ``job``'s progress in ``st.status`` until it is done; its result, or None with the
    reason shown when it failed."""
    with st.status(f"Training {label}…", expanded=True) as status:
        line = st.empty()
        bar = st.progress(0.0)
        started = time.monotonic()
        while not job.done:
            update = job.progress
            line.markdown(describe_progress(update))
            bar.progress(0.0 if update is None else update.fraction)
            time.sleep(POLL_SECONDS)
        result = finished_job_result(job, status, line, label=f"Training {label} failed")
        if result is None:
            return None
        waited = time.monotonic() - started
        line.markdown(describe_progress(job.progress))
        bar.progress(1.0)
        trained = f" (trained in {result.seconds:.1f} s)" if waited > POLL_SECONDS else ""
        status.update(label=f"{ready_label}{trained}", state="complete", expanded=False)
    return result


def train_with_progress(dataset: Dataset, digit: int) -> DetectorResult | None:
    """Train the detector (or join the training already running) and show its progress.

    Returns None, with the reason shown, when the training failed.
    """
    job = training_registry().job(dataset, digit=digit)
    return show_training(job, label=f"the {digit}-detector", ready_label=f"{digit}-detector ready")


def detector_for_page(dataset: Dataset, digit: int) -> DetectorResult | None:
    """For pages that show results: the detector, training it (with progress) if needed."""
    return ready_detector(dataset, digit) or train_with_progress(dataset, digit)


@st.cache_resource(max_entries=20, show_spinner=False)
def tradeoff_for(fingerprint: str, digit: int, _result: DetectorResult) -> TradeoffData:
    """Curves and indexes of one detector, kept per server (keyed on data and digit).

    Kept in ``cache_resource`` rather than ``cache_data``: the curves keep the points they draw
    as cached properties, and ``cache_data`` would hand out a fresh copy each rerun.
    """
    return tradeoff_data(_result)
