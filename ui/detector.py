"""The trained detector as the pages see it: one training per digit per server, shared by all.

The process-wide :class:`~core.jobs.JobRegistry` (kept in ``st.cache_resource``) runs the
trainings one at a time, first come first served, in a background thread, so two sessions
asking for the same digit (or model) get one training; a page polls the job's status (its
trainings ahead of it, the other process it waits for, its progress) and shows it in a
still box while it waits and in ``st.status`` while it trains (:func:`show_training`, fragments
that redraw themselves, so the page is never blocked), or in a model's card
(:func:`describe_status`).
"""

from __future__ import annotations

import streamlit as st

from core.data import Dataset
from core.detector import DetectorResult
from core.engine import TrainingProgress
from core.jobs import DONE, FAILED, QUEUED, TRAINING, WAITING, JobRegistry, JobStatus, TrainingJob
from core.multiclass import FINAL, SCALED, UNSCALED, MulticlassProgress
from core.params import Parsed, parse_choice
from core.tradeoff import TradeoffData, tradeoff_data
from ui.entry import guarded
from ui.params import adopt, publish, raw_param

POLL_SECONDS = 0.5  # how often a running training's line is redrawn
WAIT_POLL_SECONDS = 2.0  # how often a waiting one's line is (it changes slowly)
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


STAGE_WORDS = {
    UNSCALED: "raw pixels",
    SCALED: "standardised pixels",
    FINAL: "raw pixels, all training digits",
}


def describe_multiclass_progress(progress: MulticlassProgress) -> str:
    """One line for the ten-class models' ``st.status``: the model, the fold and the digit
    being fitted, the binary fits done, time so far."""
    where = STAGE_WORDS.get(progress.stage, progress.stage)
    if progress.fold is not None:
        where += f", fold {progress.fold + 1} of {progress.n_folds}"
    if progress.digit is not None:
        where += f", digit {progress.digit}"
    return (
        f"Fitting {where}; one-versus-rest fits done: {progress.fits_done} of "
        f"{progress.n_fits}; elapsed {progress.elapsed:.1f} s"
    )


def describe_progress(progress: TrainingProgress | MulticlassProgress | None) -> str:
    """One line for ``st.status``: folds done, the final model (if any), time so far (for the
    ten-class models: :func:`describe_multiclass_progress`)."""
    if progress is None:
        return "Starting…"
    if isinstance(progress, MulticlassProgress):
        return describe_multiclass_progress(progress)
    text = f"Cross-validation folds done: {progress.folds_done} of {progress.n_folds}"
    if progress.final_done is not None:
        text += f"; final model: {'done' if progress.final_done else 'running'}"
    return f"{text}; elapsed {progress.elapsed:.1f} s"


def about(seconds: float) -> str:
    """How long, roughly, for a person: "about 40 s", "about 1 min 20 s", "about 12 min"."""
    if seconds < 59.5:
        return f"about {max(1, round(seconds))} s"
    if seconds < 595:
        minutes, rest = divmod(round(seconds / 10) * 10, 60)
        return f"about {minutes} min {rest} s" if rest else f"about {minutes} min"
    return f"about {round(seconds / 60)} min"


def describe_queue(status: JobStatus, *, brief: bool = False) -> str:
    """A queued training's line: how many trainings run before it and, once known, when it
    starts and is ready."""
    # Only the number ahead is shown (the running one included): a place in line beside it
    # reads as a contradiction ("3rd in line: 3 trainings before it").
    if status.ahead == 0:
        text = "Waiting: this training is next"
    else:
        trainings = "1 training" if status.ahead == 1 else f"{status.ahead} trainings"
        text = f"Waiting: {trainings} ahead of this one"
    if status.starts_in is None:
        if not brief:
            text += " (an estimate comes once this server has timed a training)"
    else:
        text += f"; it starts in {about(status.starts_in)}"
        if status.ready_in is not None and not brief:
            text += f" and is ready in {about(status.ready_in)}"
    if brief:
        return f"{text} (waited {status.waited:.0f} s)."
    return (
        f"{text}. This server trains one model at a time, first come first served "
        f"(waited {status.waited:.0f} s so far)."
    )


def describe_status(status: JobStatus, *, brief: bool = False) -> str:
    """One line for a training's state: the trainings ahead of it and the estimate, the other
    process it waits for, its progress, or its end. ``brief`` leaves out the explanations (for
    a model's narrow card)."""
    if status.state == QUEUED:
        return describe_queue(status, brief=brief)
    if status.state == WAITING and brief:
        return f"Another process trains it: waiting for its result ({status.waited:.0f} s)."
    if status.state == WAITING:
        return (
            "Another process on this machine is training this model: waiting for its result "
            f"({status.waited:.0f} s so far). It shows here moments after that process saves it."
        )
    if status.state == DONE:
        return "Done."
    if status.state == FAILED:
        return "The training failed."
    text = describe_progress(status.progress)
    if status.ready_in is not None and status.progress is not None:
        # The estimate never grows (see JobStatus): past it, say so rather than count up.
        text += "; almost done" if status.ready_in < 0.5 else f"; {about(status.ready_in)} left"
    return text


def status_fraction(status: JobStatus) -> float:
    """How far along, 0 to 1, for a progress bar: moving while the first fits run, never back."""
    if status.state == DONE:
        return 1.0
    if status.state != TRAINING:
        return 0.0
    return status.fraction


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


WATCHED_KEY = "watched_trainings"  # session state: ids of the jobs this session showed running


def _watched() -> set[int]:
    return st.session_state.setdefault(WATCHED_KEY, set())


def show_training(job: TrainingJob, *, label: str, ready_label: str):
    """Show ``job``: while it waits, its line in a still box; while it trains, its line and bar
    in ``st.status``; each redrawn by a fragment that reruns the page when the job moves on
    (nothing here waits for it); once ended, how.

    Returns the result once it has ended well; None while it runs, or with the reason shown
    when it failed.
    """
    if not job.done:
        _watched().add(id(job))
        if job.status.state in (QUEUED, WAITING):
            # Still, with no spinner: nothing runs for it yet, and a page kept animated in
            # each waiting browser costs those machines (and this one, in a test) real work.
            with st.container(border=True):
                st.markdown(f"**Waiting to train {label}**")
                _waiting_line(job)
            return None
        running = st.status(f"Training {label}…", expanded=True)
        # Not ``with running:``, whose exit would mark it complete.
        with running.container():
            _training_line(job)
        return None
    _watched().discard(id(job))
    with st.status(f"Training {label}…", expanded=True) as status:
        if job.error is not None:
            status.update(label=f"Training {label} failed", state="error")
            st.markdown(failure_text(job.error))
            return None
        result = job.result()
        if job.progress is not None:
            st.markdown(describe_progress(job.progress))
        elif job.waited_for_other_process is not None:
            st.markdown("Read from the cache file the other process wrote.")
        st.progress(1.0)
        status.update(
            label=ready_label_of(job, result, ready_label=ready_label),
            state="complete",
            expanded=False,
        )
    return result


@st.fragment(run_every=POLL_SECONDS)
@guarded
def _training_line(job: TrainingJob) -> None:
    """A running job's line and bar; the whole page reruns once it has ended, or when it
    waits for another process after all."""
    current = job.status
    if job.done or current.state == WAITING:
        st.rerun()  # the page shows how it ended, then the result; or the still box
    st.markdown(describe_status(current))
    st.progress(status_fraction(current))


@st.fragment(run_every=WAIT_POLL_SECONDS)
@guarded
def _waiting_line(job: TrainingJob) -> None:
    """A waiting job's line; the whole page reruns once its training starts or it has ended."""
    current = job.status
    if job.done or current.state not in (QUEUED, WAITING):
        st.rerun()
    st.markdown(describe_status(current))


def training_in_view(dataset: Dataset, digit: int) -> TrainingJob | None:
    """The detector's job when a page should show it rather than its result or an offer: still
    queued or running (asked by this session or another), or ended since this session showed
    it running (once, to say how it ended)."""
    job = training_registry().existing(dataset, digit=digit)
    if job is None or (job.done and id(job) not in _watched()):
        return None
    return job


def show_detector_training(job: TrainingJob, digit: int) -> DetectorResult | None:
    """:func:`show_training` with the detector's labels."""
    return show_training(job, label=f"the {digit}-detector", ready_label=f"{digit}-detector ready")


def train_with_progress(dataset: Dataset, digit: int) -> DetectorResult | None:
    """Train the detector (or join the training already running) and show its progress.

    Returns None while it trains (the page reruns when it has ended), or with the reason
    shown when it failed.
    """
    return show_detector_training(training_registry().job(dataset, digit=digit), digit)


def detector_for_page(dataset: Dataset, digit: int) -> DetectorResult | None:
    """For pages that show results: the detector, training it (with progress) if needed;
    None while it trains or when it failed (the page stops there)."""
    job = training_in_view(dataset, digit)
    if job is not None:
        return show_detector_training(job, digit)
    return ready_detector(dataset, digit) or train_with_progress(dataset, digit)


@st.cache_resource(max_entries=20, show_spinner=False)
def tradeoff_for(fingerprint: str, digit: int, _result: DetectorResult) -> TradeoffData:
    """Curves and indexes of one detector, kept per server (keyed on data and digit).

    Kept in ``cache_resource`` rather than ``cache_data``: the curves keep the points they draw
    as cached properties, and ``cache_data`` would hand out a fresh copy each rerun.
    """
    return tradeoff_data(_result)
