"""The trained detector as the pages see it: one training per digit per server, shared by all.

The process-wide :class:`~core.jobs.JobRegistry` (kept in ``st.cache_resource``) runs the
trainings one at a time, first come first served, in a background thread, so two sessions
asking for the same digit (or model) get one training; a page polls the job's status (its
place in line, the other process it waits for, its progress) and shows it in ``st.status``
(:func:`show_training`) or in a model's card (:func:`describe_status`).
"""

from __future__ import annotations

import time

import streamlit as st

from core.data import Dataset
from core.detector import DetectorResult
from core.engine import TrainingProgress
from core.jobs import DONE, FAILED, QUEUED, TRAINING, WAITING, JobRegistry, JobStatus, TrainingJob
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


def about(seconds: float) -> str:
    """How long, roughly, for a person: "about 40 s", "about 3 min"."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    return f"about {round(seconds / 60)} min"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def describe_status(status: JobStatus, *, brief: bool = False) -> str:
    """One line for a training's state: its place in line and the estimate, the other process
    it waits for, its progress, or its end. ``brief`` leaves out the explanations (for a
    model's narrow card)."""
    if status.state == QUEUED:
        before = "1 training" if status.ahead == 1 else f"{status.ahead} trainings"
        text = f"Queued, {_ordinal(status.place)} in line: {before} before it"
        if status.starts_in is None:
            if not brief:
                text += " (an estimate comes once this server has timed a training)"
        else:
            text += f"; starts in {about(status.starts_in)}"
            if status.ready_in is not None and not brief:
                text += f", ready in {about(status.ready_in)}"
        if brief:
            return f"{text} (waiting {status.waited:.0f} s)."
        return (
            f"{text}. Waiting {status.waited:.0f} s so far: this server trains one model at "
            "a time, first come first served."
        )
    if status.state == WAITING and brief:
        return f"Another process trains it: waiting for its result ({status.waited:.0f} s)."
    if status.state == WAITING:
        return (
            "Another process on this machine is training this model: waiting for its result "
            f"({status.waited:.0f} s so far). It shows here as soon as that process saves it."
        )
    if status.state == DONE:
        return "Done."
    if status.state == FAILED:
        return "The training failed."
    text = describe_progress(status.progress)
    if status.ready_in is not None and status.progress is not None:
        text += f"; {about(status.ready_in)} left"
    return text


def status_fraction(status: JobStatus) -> float:
    """How far along, 0 to 1, for a progress bar."""
    if status.state == DONE:
        return 1.0
    if status.state != TRAINING or status.progress is None:
        return 0.0
    return status.progress.fraction


def ready_label_of(job: TrainingJob, result, *, ready_label: str) -> str:
    """The finished status's label: who trained it and how long that took."""
    other = job.waited_for_other_process
    if result.from_cache and other is not None:
        return f"{ready_label} (trained by another process on this machine; waited {other:.0f} s)"
    # Read from the disk cache: ready, no training to speak of.
    return (
        ready_label if result.from_cache else f"{ready_label} (trained in {result.seconds:.1f} s)"
    )


def ready_detector(dataset: Dataset, digit: int) -> DetectorResult | None:
    """The trained detector if it is in memory or in the disk cache; never trains."""
    return training_registry().ready(dataset, digit=digit)


def failure_text(error: BaseException) -> str:
    """What a reader is told of a failed training.

    A ``ValueError`` says why the data cannot train the model, for a user; any other error's
    text is not for users (the job has logged it in full).
    """
    if isinstance(error, ValueError):
        return f"The training failed: {error}"
    return "The training failed; the details are in the server's log."


def finished_job_result(job, status, line, *, label: str):
    """A finished training job's result, or None with the failure shown in ``status``."""
    if job.error is None:
        return job.result()
    status.update(label=label, state="error")
    line.markdown(failure_text(job.error))
    return None


def show_training(job: TrainingJob, *, label: str, ready_label: str):
    """Show ``job``'s progress in ``st.status`` until it is done; its result, or None with the
    reason shown when it failed."""
    with st.status(f"Training {label}…", expanded=True) as status:
        line = st.empty()
        bar = st.progress(0.0)
        while not job.done:
            current = job.status
            line.markdown(describe_status(current))
            bar.progress(status_fraction(current))
            time.sleep(POLL_SECONDS)
        result = finished_job_result(job, status, line, label=f"Training {label} failed")
        if result is None:
            return None
        if job.progress is not None:
            line.markdown(describe_progress(job.progress))
        elif job.waited_for_other_process is not None:
            line.markdown("Read from the cache file the other process wrote.")
        bar.progress(1.0)
        status.update(
            label=ready_label_of(job, result, ready_label=ready_label),
            state="complete",
            expanded=False,
        )
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
