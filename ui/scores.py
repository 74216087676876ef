"""The /scores page's sections: any classifier's scores from a file, in the trade-off explorer.

Where the file comes from (an upload, or a file of the server's score directory by name), which
columns hold what, and which label value is the positive class come first, outside the
threshold's fragment; the explorer and the panels under it reuse the trade-off page's pieces
(:mod:`ui.tradeoff`), worded by the scored set's nouns.

Every step that reads the file or the choices keeps its result in the server's one
:class:`core.score_store.ScoreStore`, by content: the table by the file's key, the scored set
and its view by the table's fingerprint and the choices, so sessions looking at the same file
share one copy within the store's memory budget, and a bad file's one line is kept as well.
What fell out of the budget is read again from its source (an upload's bytes were spilled to
the cache directory), with a short "Reloading…".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from core.cache import resolve_cache_dir
from core.calibration import calibration_or_none
from core.charts import reliability_figure
from core.counting import score_at_rank
from core.explorer import ExplorerNouns, scored_set_nouns
from core.formatting import percent, score_file_problem_text
from core.groups import group_figures, group_indexes, group_thresholds
from core.params import Parsed
from core.score_directory import score_file_names, score_file_path, scores_directory
from core.score_files import (
    ROLES,
    ScoreFileError,
    ScoreTable,
    count_columns,
    default_positive,
    guess_columns,
    label_values,
    limits_from_env,
    load_score_table,
    scored_set_from_table,
    start_isolated_reader,
)
from core.score_rows import ROW_KINDS, rows_at_cut
from core.score_store import ScoreStore, budget_from_env
from core.scored_set import ScoredSet
from core.tradeoff import TradeoffData, scored_tradeoff_data
from ui import tradeoff
from ui.explorer import explorer_section
from ui.params import (
    adopt,
    changed_from_outside,
    link_to_this_view,
    publish,
    raw_param,
    unpublish,
)

EXPLORER = "scores_explorer"
SOURCE_KEY = "scores_source"
FILE_KEY = "scores_file"
UPLOAD_KEY = "scores_upload"
POSITIVE_KEY = "scores_positive"
ROWS_KIND_KEY = "scores_rows_kind"
UPLOAD, SERVER = "Upload a file", "A file on the server"
ROWS_SHOWN = 50
OPTIONAL_ROLES = ("fold", "split", "group", "id")
KNOWN_PARAMS = ("file", *ROLES, "positive", "threshold", "prevalence", "fp_cost", "fn_cost")
ROLE_LABELS = {
    "label": "Label column (the true class)",
    "score": "Score column (higher: more likely positive)",
    "fold": "Fold column (optional)",
    "split": "Split column (optional: test or holdout rows are held out)",
    "group": "Group column (optional: figures per subgroup)",
    "id": "Id column (optional: names the rows at the cut)",
}
CELL_WORDS = {
    "true_positive": "true positive",
    "false_positive": "false positive",
    "false_negative": "false negative",
    "true_negative": "true negative",
}
ROWS_KIND_WORDS = {
    "nearest": "All, nearest the threshold first",
    "false_positive": "False positives",
    "false_negative": "False negatives",
    "true_positive": "True positives",
    "true_negative": "True negatives",
}


def _role_key(role: str) -> str:
    return f"scores_column_{role}"


@dataclass(frozen=True)
class Source:
    """Where the page's file comes from.

    ``key`` names the content (a hash of the upload's bytes, or the listed file's name, size
    and time of change), ``content`` is the bytes or the path, ``linkable`` whether a link can
    name it (only the server's files can), ``spilled`` where the store keeps an upload's bytes
    (None for a server file, or when the cache directory cannot be written).
    """

    name: str
    key: str
    content: bytes | Path
    linkable: bool
    spilled: Path | None = None


@dataclass(frozen=True, eq=False)
class ScoresView:
    """One scored set and what the page draws from it, kept per server by fingerprint."""

    scored: ScoredSet
    data: TradeoffData
    groups: tuple
    nouns: ExplorerNouns


# --------------------------------------------------------------------------------------------
# Reading, kept per server
# --------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def score_store() -> ScoreStore:
    """The server's one store of tables and score views (:mod:`core.score_store`): shared by
    every session, within ``THRESHOLD_EXPLORER_SCORE_STORE_MB``; uploads spill to the cache
    directory so that what falls out is read again."""
    start_isolated_reader()  # the first file read need not wait for its process either
    directory = resolve_cache_dir()
    return ScoreStore(
        budget_bytes=budget_from_env(),
        spill_dir=None if directory is None else directory / "score_uploads",
    )


def _kept(key: str, load, *, first_words: str):
    """The store's value of ``key``; while it is loaded, ``first_words`` the first time and
    "Reloading…" when it fell out of the store's budget since."""
    store = score_store()
    state = store.state(key)
    if state == "held":
        return store.get(key, load)
    with st.spinner("Reloading…" if state == "evicted" else first_words):
        value = store.get(key, load)
    store.remeasure()  # what the others made on demand meanwhile (a table's text columns)
    return value


def _read_table(source: Source) -> ScoreTable | str:
    """The file's table, or the one line that says why it cannot be one (kept as well, so a
    bad file is read once)."""
    content = source.content
    if source.spilled is not None:  # an upload: its bytes as the store kept them
        content = ScoreStore.unspill(source.spilled) or content
    try:
        limits = limits_from_env()
        return load_score_table(content, name=source.name, limits=limits, isolated=True)
    except ScoreFileError as error:
        return score_file_problem_text(error)
    except OSError as error:
        return f"{source.name}: the file cannot be read ({error.strerror or 'unknown error'})."


def _make_view(table: ScoreTable, choices: tuple) -> ScoresView | str:
    """The scored set the choices make of the table, with its indexes, groups and nouns; or
    the one line that says why there is none."""
    try:
        scored = scored_set_from_table(table, **dict(choices))
    except ScoreFileError as error:
        return score_file_problem_text(error)
    return ScoresView(
        scored=scored,
        data=scored_tradeoff_data(scored),
        groups=group_indexes(scored),
        nouns=scored_set_nouns(scored),
    )


@st.cache_resource(max_entries=12, show_spinner=False)
def _calibration(fingerprint: str, _scored: ScoredSet):
    return calibration_or_none(_scored)


# --------------------------------------------------------------------------------------------
# Where from
# --------------------------------------------------------------------------------------------


def file_from_link(names: tuple[str, ...]) -> str | None:
    """Put ``?file=`` into the server-file choice when it is one of ``names``; else a note."""
    raw = raw_param("file")
    if raw is None or raw == "":
        return None
    if raw in names:
        if changed_from_outside(FILE_KEY, "file"):  # a link: open its file
            st.session_state[SOURCE_KEY] = SERVER
        return adopt(FILE_KEY, "file", Parsed(raw))
    shown = raw if len(raw) <= 60 else raw[:57] + "…"
    if names:
        return f"file={shown} is not one of the server's score files; choose one below."
    return f"file={shown}: this server offers no score files; upload one below."


def upload_limit_mb() -> int:
    """The upload's limit in MB: the server's ``server.maxUploadSize``.

    Streamlit's server refuses any upload past that option, whatever an uploader's own
    ``max_upload_size`` says (which can only lower it), so this uploader cannot have more than
    the picture's. Bigger files go in the server's score directory.
    """
    return int(st.get_option("server.maxUploadSize"))


def choose_source() -> tuple[Source | None, str | None]:
    """The upload or the server's file the reader chose (None before there is one), and the
    note about the link's ``file=``."""
    directory = scores_directory()
    names = score_file_names(directory)
    note = file_from_link(names)
    if names:
        st.session_state.setdefault(SOURCE_KEY, UPLOAD)
        where = st.segmented_control(
            "Where the scores come from", (UPLOAD, SERVER), key=SOURCE_KEY, required=True
        )
    else:
        where = UPLOAD
    if where == SERVER:
        if st.session_state.get(FILE_KEY) not in names:
            st.session_state[FILE_KEY] = names[0]
        name = st.selectbox(
            "Score file on the server",
            names,
            key=FILE_KEY,
            help="The files of the directory the server was started with "
            "(THRESHOLD_EXPLORER_SCORES), by name.",
        )
        publish(FILE_KEY, "file", name)
        return server_file_source(directory, name), note
    unpublish(FILE_KEY, "file")
    upload = st.file_uploader(
        "Score file: CSV or Parquet",
        type=["csv", "tsv", "txt", "parquet", "pq"],
        key=UPLOAD_KEY,
        help="A header row, one column of true labels and one of scores (higher means more "
        "likely positive); optional fold, split, group and id columns.",
    )
    st.caption(
        f"Up to {upload_limit_mb()} MB. "
        + (
            "Bigger files: ask whoever runs this server to put them in its score directory."
            if not names
            else "Bigger files: choose one of the server's files above."
        )
    )
    if upload is None:
        return None, note
    content = upload.getvalue()
    key = hashlib.sha256(content).hexdigest()
    try:
        spilled = score_store().spill(content)
    except OSError:  # no cache directory: the session's own bytes are read again instead
        spilled = None
    source = Source(name=upload.name, key=key, content=content, linkable=False, spilled=spilled)
    return source, note


def server_file_source(directory: Path | None, name: str) -> Source | None:
    """The listed file ``name`` of the server's directory as a source, keyed by its path, size
    and time of change; None when it is gone since it was listed."""
    path = score_file_path(directory, name)
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    key = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
    return Source(name=name, key=key, content=path, linkable=True)


def load_table(source: Source) -> ScoreTable | None:
    """The source's table; one plain line (and None) when it cannot be read."""
    table = _kept(
        f"table:{source.key}", lambda: _read_table(source), first_words="Reading the file…"
    )
    if isinstance(table, str):
        st.error(table, icon=":material/error:")
        return None
    return table


# --------------------------------------------------------------------------------------------
# Which columns, which class
# --------------------------------------------------------------------------------------------


def _column_from_link(role: str, columns: tuple[str, ...], guess: str | None) -> str | None:
    raw = raw_param(role)
    if raw is not None and raw != "" and raw not in columns:
        shown = raw if len(raw) <= 40 else raw[:37] + "…"
        fallback = guess or "none"
        parsed = Parsed(guess, f"{role}={shown} is not a column of this file; showing {fallback}.")
    else:
        parsed = Parsed(raw or guess if raw != "" else None)
    return adopt(_role_key(role), role, parsed)


def choose_columns(table: ScoreTable) -> tuple[dict, list[str | None]]:
    """Which column plays each role (label, score, fold, split, group, id): guessed from the
    names, or the link's, changeable; the choices and the link's notes."""
    columns = table.columns
    guess = guess_columns(columns)
    notes = []
    fresh = st.session_state.get("scores_table_seen") != table.fingerprint
    for role in ROLES:
        key = _role_key(role)
        note = _column_from_link(role, columns, guess[role])
        notes.append(note)
        if (fresh and note is None and raw_param(role) is None) or (
            st.session_state.get(key) not in (None, *columns)
        ):
            st.session_state[key] = guess[role]  # a new file: its own guesses
    st.session_state["scores_table_seen"] = table.fingerprint
    options = (None, *columns)
    chosen = {}
    required = st.columns(2, gap="large")
    # The optional columns fold away, so that the explorer starts higher on the page; the
    # expander's title says which are in use.
    in_use = [f"{role}: {st.session_state[_role_key(role)]}" for role in OPTIONAL_ROLES
              if st.session_state.get(_role_key(role)) is not None]  # fmt: skip
    optional = st.expander(
        "Optional columns — " + (" · ".join(in_use) if in_use else "none chosen"),
        icon=":material/view_column:",
    ).columns(2, gap="large")
    for role in ROLES:
        if role in OPTIONAL_ROLES:
            where = optional[OPTIONAL_ROLES.index(role) % 2]
        else:
            where = required[("label", "score").index(role)]
        chosen[role] = where.selectbox(
            ROLE_LABELS[role],
            options,
            key=_role_key(role),
            format_func=lambda c, role=role: (
                ("(choose)" if role in ("label", "score") else "(none)") if c is None else c
            ),
        )
        if chosen[role] is None:
            unpublish(_role_key(role), role)
        else:
            publish(_role_key(role), role, chosen[role])
    return chosen, notes


def positive_from_link() -> str | None:
    raw = raw_param("positive")
    return adopt(POSITIVE_KEY, "positive", Parsed(raw if raw else None))


def choose_positive(table: ScoreTable, label: str) -> tuple[str | None, bool]:
    """The label value that is the positive class, always shown; None until it is chosen.

    Returns the choice and whether the page can go on: False after an error line, and while
    the reader has still to choose (one line says so); True with None when the label column
    does not hold two values (the scored set then says what is wrong).
    """
    try:
        values = label_values(table, label)
    except ScoreFileError as error:
        st.error(score_file_problem_text(error), icon=":material/error:")
        return None, False
    if len(values) != 2:
        return None, True
    default = default_positive(values)
    current = st.session_state.get(POSITIVE_KEY)
    if current not in values:
        matches = [v for v in values if current and v.strip().lower() == current.strip().lower()]
        st.session_state[POSITIVE_KEY] = matches[0] if matches else default
    positive = st.selectbox(
        "Positive class: the label value the classifier should flag",
        values,
        key=POSITIVE_KEY,
        placeholder="Choose the positive class",
        help="Flagged means score >= threshold; precision and recall are of this class.",
    )
    if positive is None:
        unpublish(POSITIVE_KEY, "positive")
        st.info(
            f'Which label value is the positive class, "{values[0]}" or "{values[1]}"? '
            "Choose it above: nothing is guessed.",
            icon=":material/help:",
        )
        return None, False
    publish(POSITIVE_KEY, "positive", positive)
    return positive, True


def scores_view(table: ScoreTable, chosen: dict) -> ScoresView | None:
    """The positive class, then the scored set of the choices, kept per server; a line that
    says what to choose, or one plain line of what is wrong, and None, when there is none."""
    # An aggregated table (score, positives, negatives) has no label column to choose.
    counted = count_columns(table) if chosen["label"] is None else None
    missing = [role for role in ("label", "score") if chosen[role] is None]
    if counted:
        missing.remove("label")
    if missing:
        st.info(f"Choose the {' and the '.join(missing)} column above.", icon=":material/help:")
        return None
    if counted:
        choices = tuple(sorted({**chosen, "id": None, **counted}.items()))
    else:
        positive, go_on = choose_positive(table, chosen["label"])
        if not go_on:
            return None
        choices = tuple(sorted({**chosen, "positive": positive}.items()))
    view = _kept(
        f"view:{table.fingerprint}:{choices!r}",
        lambda: _make_view(table, choices),
        first_words="Counting…",
    )
    if isinstance(view, str):
        st.error(view, icon=":material/error:")
        return None
    return view


def default_threshold(data: TradeoffData) -> float:
    """0.5 for scores that reach across it (probabilities), else the middle curve score."""
    if data.slider_min <= 0.5 <= data.slider_max:
        return 0.5
    index = data.cv_index
    return score_at_rank(index, index.n_samples // 2)


def new_set_resets_threshold(view: ScoresView) -> None:
    """Another scored set than before in this session: its own default threshold, unless a
    link named one just now."""
    seen = st.session_state.get("scores_set_seen")
    st.session_state["scores_set_seen"] = view.scored.fingerprint
    if seen is not None and seen != view.scored.fingerprint:
        st.session_state.threshold = default_threshold(view.data)


def summary_line(view: ScoresView) -> str:
    """What was read: rows, positives, test rows, folds, groups."""
    scored, data = view.scored, view.data
    read = f"{scored.n_rows:,} rows of {scored.name}"
    if not scored.has_rows:
        read = f"{scored.n_samples:,} scores counted by the aggregated table {scored.name}"
    parts = [
        read,
        f"{data.cv_index.n_pos:,} labelled {scored.positive_label} among the "
        f"{data.cv_index.n_samples:,} the curves rest on "
        f"({percent(data.training_prevalence, decimals=2)})",
    ]
    if scored.has_test and data.test_index is not None:
        parts.append(f"{data.test_index.n_samples:,} test rows held out")
    if scored.has_folds:
        parts.append(f"{len(scored.fold_names)} folds")
    if scored.has_groups:
        parts.append(f"{len(scored.group_names)} groups")
    return "; ".join(parts) + "."


# --------------------------------------------------------------------------------------------
# Under the explorer
# --------------------------------------------------------------------------------------------


def explorer(view: ScoresView, *, threshold: float) -> None:
    """The trade-off page's live explorer, on this scored set, with its groups' table."""
    explorer_section(
        view.data,
        fingerprint=view.scored.fingerprint,
        nouns=view.nouns,
        groups=view.groups,
        threshold=threshold,
        settings=tradeoff.explorer_settings(view.data),
        key=EXPLORER,
        on_release=tradeoff.release_handler(view.data, key=EXPLORER),
    )


def group_goal_table(view: ScoresView, *, threshold: float) -> None:
    """Each group at the threshold, and the threshold each group alone would need for the
    goals of the pickers below (their target precision and recall)."""
    if not view.groups:
        return
    import pandas as pd

    precision_target = st.session_state.get("pick_precision", 90.0) / 100
    recall_target = st.session_state.get("pick_recall", 90.0) / 100
    prevalence = tradeoff.chosen_prevalence(view.data)
    for_precision = group_thresholds(
        view.groups, kind="precision", target=precision_target, prevalence=prevalence
    )
    for_recall = group_thresholds(view.groups, kind="recall", target=recall_target)
    figures = group_figures(view.groups, threshold=threshold)
    precision_head = f"Threshold for precision ≥ {percent(precision_target, decimals=0)}"
    recall_head = f"Threshold for recall ≥ {percent(recall_target, decimals=0)}"
    table = pd.DataFrame(
        {
            "Group": [g.name for g in figures],
            "Rows": [g.n for g in figures],
            f"Labelled {view.scored.positive_label}": [g.n_pos for g in figures],
            "Precision here": [percent(g.precision) for g in figures],
            "Recall here": [percent(g.recall) for g in figures],
            precision_head: [_threshold_cell(t) for t in for_precision],
            recall_head: [_threshold_cell(t) for t in for_recall],
        }
    )
    st.markdown("**Each group's own threshold for the goals below**")
    st.dataframe(table, hide_index=True, key="scores_group_goals")
    where = "" if prevalence is None else " (precision where the positives have the chosen share)"
    st.caption(
        "What each group alone would need to reach the target precision or recall set in "
        f'"Pick the threshold by a goal"{where}; the explorer\'s group table shows each group '
        "live at the current threshold."
    )


def _threshold_cell(threshold: float) -> str:
    return "not reached" if np.isnan(threshold) else f"{threshold:,.6g}"


def link_or_why_not(source: Source, params: dict) -> None:
    """The link to this view for a server file; for an upload, why there is none."""
    if not source.linkable:
        st.caption(
            "No link to this view: an uploaded file stays in this browser session. A file in "
            "the server's score directory can be linked."
        )
        return
    link = {"file": source.name}
    for role in ROLES:
        column = st.session_state.get(_role_key(role))
        if column is not None:
            link[role] = column
    positive = st.session_state.get(POSITIVE_KEY)
    if positive is not None:
        link["positive"] = positive
    link_to_this_view("scores", {**link, **params})


def rows_table(view: ScoresView, *, threshold: float) -> None:
    """The rows nearest the threshold (or of one cell), with every column of the file."""
    import pandas as pd

    scored = view.scored
    st.subheader("The rows at the cut")
    if not scored.has_rows:
        st.caption(
            "Not available for an aggregated table: its rows count scores (positives and "
            "negatives per score), so there are no single rows to show."
        )
        return
    st.session_state.setdefault(ROWS_KIND_KEY, "nearest")
    kind = st.selectbox(
        "Which rows",
        ROW_KINDS,
        key=ROWS_KIND_KEY,
        format_func=ROWS_KIND_WORDS.get,
    )
    cut = rows_at_cut(scored, view.data.cv_index, threshold=threshold, kind=kind, limit=ROWS_SHOWN)
    st.caption(
        f"The {ROWS_SHOWN} rows (at most) whose scores lie nearest {threshold:.6g}: "
        "the ones a small move would flip. Flagged means score ≥ threshold; test rows are left "
        "out."
    )
    if cut.rows.size == 0:
        st.caption("None at this threshold.")
        return
    columns = {
        "id": cut.ids,
        "score": cut.scores,
        "label": list(cut.labels),
        "flagged": cut.flagged,
        "outcome": [CELL_WORDS[c] for c in cut.cells],
    }
    for name, values in cut.other_columns.items():
        columns.setdefault(name, values)
    st.dataframe(
        pd.DataFrame(columns),
        hide_index=True,
        key="scores_rows_at_cut",
        column_config={"score": st.column_config.NumberColumn(format="%.6g")},
    )


def calibration_panel(view: ScoresView) -> None:
    """When every score lies in [0, 1]: the reliability curve and the Brier score."""
    result = _calibration(view.scored.fingerprint, view.scored)
    if result is None:
        return
    st.subheader("Calibration: do the scores read as probabilities?")
    brier = f"Brier score {result.curve.brier:.4f} over the {result.curve.n_rows:,} curve rows"
    if result.test is not None:
        brier += f", {result.test.brier:.4f} over the {result.test.n_rows:,} test rows"
    st.markdown(
        f"{brier}: the mean squared difference between score and label (0 is perfect, 0.25 is "
        "a constant 0.5)."
    )
    names = {"curve": "Curve rows", "test": "Test rows"}
    chart, words = st.columns([3, 2], gap="large")
    with chart:
        st.plotly_chart(
            reliability_figure(result, names=names, uirevision=view.scored.fingerprint),
            theme=None,
            key="scores_reliability",
            config={"displaylogo": False, "displayModeBar": False},
        )
    words.caption(
        f"Each point is one of {result.n_bins} bins holding about as many rows each (quantile "
        "bins, scikit-learn's calibration_curve): its mean score against the share of its rows "
        "labelled positive. On the dashed diagonal, a score of 0.8 means 80% are positive; "
        "below it, the scores promise more than the labels give."
    )
