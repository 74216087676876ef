"""The "All digits" page's sections: the ten-class model, its accuracy, its error analysis and
one digit's trade-off inside it.

The result (:class:`core.multiclass.MulticlassResult`) holds both models' cross-validated
predictions and decision scores, the unscaled one and the chapter's ``StandardScaler`` one;
the error analysis and the explorer read the scaled one, as the chapter does. The link carries
``view`` (the confusion matrix's view), ``cell`` (``true-predicted``, the cell whose digits are
shown) and ``digit`` (the column that goes into the explorer), with the explorer's own
``threshold``, ``prevalence`` and costs. Core's functions are called through their modules, so
they are looked up at each run.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from core import error_analysis, pickers
from core.charts import class_scores_figure, multiclass_confusion_figure
from core.error_analysis import COUNTS, ERRORS, ROWS, VIEWS
from core.explorer import multiclass_nouns
from core.formatting import percent, threshold_text
from core.multiclass import TYPICAL_SECONDS
from core.params import Parsed, parse_cell, parse_choice, parse_float
from core.tradeoff import TradeoffData, scored_tradeoff_data
from ui import tradeoff
from ui.detector import (
    DIGITS,
    WATCHED_KEY,
    about,
    ready_detector,
    show_training,
    tradeoff_for,
    training_registry,
)
from ui.digits import show_digit, show_gallery
from ui.entry import guarded_callback
from ui.explorer import explorer_section
from ui.params import adopt, link_to_this_view, publish, raw_param, unpublish
from ui.wording import WHY_THE_BOOK_DIFFERS

if TYPE_CHECKING:
    from core.data import Dataset

EXPLORER = "multiclass_explorer"
VIEW_KEY = "mc_view"
CELL_KEY = "mc_cell"  # (true, predicted) or None
CELL_PICK_KEY = "mc_cell_pick"  # the keyboard's way: the cell's selectbox
SHOWN_KEY = "mc_shown_threshold"  # (column's fingerprint, threshold) this page showed last
DIGIT_KEY = "mc_digit"
PER_CELL = 20
DEFAULT_THRESHOLD = 0.0  # one versus the rest: a positive score says "this class"
VIEW_LABELS = {
    COUNTS: "Counts",
    ROWS: "Share of each true digit",
    ERRORS: "Errors only",
}
PANEL_TITLES = {
    "counts": "Counts (cv=3, scaled)",
    "rows": "Normalised by row",
    "errors_rows": "Errors normalised by row",
    "errors_columns": "Errors normalised by column",
}
KNOWN_PARAMS = ("digit", "view", "cell", "threshold", "prevalence", "fp_cost", "fn_cost")
_NO_CELL = None


# --------------------------------------------------------------------------------------------
# The link
# --------------------------------------------------------------------------------------------


def view_from_link() -> str | None:
    """Put ``?view=`` into the view's state; the correction note when it had one."""
    return adopt(
        VIEW_KEY,
        "view",
        parse_choice(raw_param("view"), name="view", default=COUNTS, choices=VIEWS),
    )


def cell_from_link() -> str | None:
    """Put ``?cell=`` (``3-5``: true 3, predicted 5) into the cell's state; the note. Read
    before the models are trained too, so that a wrong cell is said at once."""
    parsed = parse_cell(raw_param("cell"), name="cell", n_classes=len(DIGITS))
    return adopt(CELL_KEY, "cell", parsed)


def digit_from_link() -> str | None:
    """Put ``?digit=`` into the explorer's digit; the correction note when it had one."""
    default = str(st.session_state.get(DIGIT_KEY, st.session_state.get("chosen_digit", 5)))
    parsed = parse_choice(raw_param("digit"), name="digit", default=default, choices=DIGITS)
    return adopt(DIGIT_KEY, "digit", Parsed(int(parsed.value), parsed.note))


def threshold_from_link(data: TradeoffData, *, fingerprint: str) -> str | None:
    """Put the explorer's threshold into the session's ``threshold`` (which the trade-off
    pages share): the link's, else the one this page showed last for this same column, else
    :data:`DEFAULT_THRESHOLD`; the link's correction note."""
    mine = st.session_state.get(SHOWN_KEY)
    if mine is None or mine[0] != fingerprint:
        st.session_state.threshold = min(max(DEFAULT_THRESHOLD, data.slider_min), data.slider_max)
    elif st.session_state.get("shown_threshold") != mine[1]:
        # Another page showed its own threshold since (a callback of this page's explorer
        # or goals moves the threshold, but not what was shown last).
        st.session_state.threshold = mine[1]
    return adopt(
        "threshold",
        "threshold",
        parse_float(
            raw_param("threshold"),
            name="threshold",
            default=st.session_state.threshold,
            minimum=data.slider_min,
            maximum=data.slider_max,
        ),
    )


def current_threshold(data: TradeoffData, *, fingerprint: str) -> float:
    """The threshold now (:func:`ui.tradeoff.current_threshold`), remembered as this page's
    for this column."""
    threshold, _ = tradeoff.current_threshold(data)
    st.session_state[SHOWN_KEY] = (fingerprint, threshold)
    return threshold


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------

TRAINING_LABEL = "the ten-class models"
READY_LABEL = "Ten-class models ready"


def _in_view(job) -> bool:
    """Whether the page shows ``job`` rather than its result or an offer: queued or running,
    or ended since this session showed it running (once, to say how it ended)."""
    return job is not None and (not job.done or id(job) in st.session_state.get(WATCHED_KEY, ()))


def trained_or_offer(dataset: Dataset):
    """Both models when trained; their training while it waits or runs (whoever asked for
    it); else a Train button, and the training once pressed (None until it has ended)."""
    registry = training_registry()
    job = registry.existing_multiclass(dataset)
    if _in_view(job):
        return show_training(job, label=TRAINING_LABEL, ready_label=READY_LABEL)
    result = registry.multiclass_ready(dataset)
    if result is not None:
        return result
    offer = st.empty()  # the button and its note go once training starts
    with offer.container():
        start = st.button(
            "Train the ten-class models", type="primary", icon=":material/play_arrow:"
        )
        st.info(
            "Not trained yet. Training fits ten one-versus-rest detectors for each of the three "
            "cross-validation folds, for both models, and the raw-pixel model once more on all "
            f"the training digits; on full MNIST that takes {about(TYPICAL_SECONDS)} with two "
            "cores, once: the result is kept on disk.",
            icon=":material/schedule:",
        )
    if not start:
        return None
    offer.empty()
    job = registry.multiclass_job(dataset)
    return show_training(job, label=TRAINING_LABEL, ready_label=READY_LABEL)


# --------------------------------------------------------------------------------------------
# Accuracy
# --------------------------------------------------------------------------------------------


def fold_accuracy(result, *, mnist: bool) -> None:
    """Both models' accuracy fold by fold beside the baseline that always says the commonest
    digit, what scaling changed, and (on ``mnist``, the book's data) the book's printed
    figures beside today's."""
    import pandas as pd

    st.subheader("Accuracy, fold by fold")
    rows = (
        ("SGD, raw pixels", result.cv_accuracy),
        ("SGD, standardised pixels", result.cv_accuracy_scaled),
        ("Always the commonest digit", result.baseline_accuracy),
    )
    n_folds = len(result.cv_accuracy)
    table = pd.DataFrame(
        [
            {
                "Model": name,
                **{f"Fold {k}": f"{a:.3%}" for k, a in enumerate(accuracies, 1)},
                "Mean": f"{float(np.mean(accuracies)):.3%}",
            }
            for name, accuracies in rows
        ]
    )
    st.dataframe(table, hide_index=True, key="mc_fold_accuracy")
    raw, scaled = float(np.mean(result.cv_accuracy)), float(np.mean(result.cv_accuracy_scaled))
    baseline = float(np.mean(result.baseline_accuracy))
    st.markdown(
        f"A model that always answers the commonest digit of its {n_folds - 1} training folds is "
        f"right {percent(baseline)} of the time on the held-out fold: with ten classes of "
        f"about the same size the baseline is low, and both models are far above it. "
        f"Standardising the pixels (`StandardScaler`) moved the mean accuracy from "
        f"{percent(raw, decimals=2)} to {percent(scaled, decimals=2)}."
    )
    if mnist:
        from core.multiclass import book_figures

        book_vs_today(result, book=book_figures())


def book_vs_today(result, *, book) -> None:
    """The book's printed accuracies beside today's, and why they differ. ``book`` maps
    ``cv_accuracy`` and ``cv_accuracy_scaled`` to the book's printed figures per fold."""
    import pandas as pd

    def folds(values) -> str:
        return " · ".join(f"{float(a):.5g}" for a in values)

    table = pd.DataFrame(
        {
            "Model": ["SGD, raw pixels", "SGD, standardised pixels"],
            "The book printed": [folds(book["cv_accuracy"]), folds(book["cv_accuracy_scaled"])],
            "Today, here": [folds(result.cv_accuracy), folds(result.cv_accuracy_scaled)],
        }
    )
    st.markdown("**The book's figures beside today's**")
    st.dataframe(table, hide_index=True, key="mc_book_table")
    st.caption(WHY_THE_BOOK_DIFFERS)


# --------------------------------------------------------------------------------------------
# The chapter's first example: some_digit
# --------------------------------------------------------------------------------------------


def some_digit(dataset: Dataset, result) -> None:
    """Training digit 0: the SGD's answer and its ten decision scores (on MNIST, beside the
    book's)."""
    st.subheader("The first digit, read by the ten-class model")
    classes = [str(c) for c in result.classes]
    predicted = str(result.some_digit_prediction)
    picture, scores = st.columns([1, 3], gap="large")
    with picture:
        show_digit(dataset, 0, pixels=140, caption=f"#0 · label {dataset.labels[0]}")
    with scores:
        st.markdown(
            f"`sgd_clf.predict([some_digit])` says **{predicted}**: the class with the highest "
            "of its ten decision scores (one per class, each from the model's one-versus-rest "
            "detector of that class)."
        )
        st.plotly_chart(
            class_scores_figure(
                result.some_digit_scores,
                classes=classes,
                predicted=classes.index(predicted),
                title="The ten decision scores of digit #0 (raw pixels, final model)",
            ),
            theme=None,
            key="mc_some_digit_scores",
            config={"displaylogo": False, "displayModeBar": False},
        )
        some_digit_in_numbers(result, mnist=not dataset.is_fallback)


def some_digit_in_numbers(result, *, mnist: bool) -> None:
    """The ten scores as numbers (the chart's table, too, for a reader who cannot see it);
    on ``mnist``, beside the book's printed ones."""
    import pandas as pd

    columns = {
        "Class": [str(c) for c in result.classes],
        "Score": [f"{float(v):,.2f}" for v in result.some_digit_scores],
    }
    title = "The ten scores in numbers"
    if mnist:
        from core.multiclass import book_figures

        book = book_figures()
        columns["The book printed"] = [f"{float(v):,.0f}" for v in book["some_digit_scores"]]
        title += (
            f", beside the book's (its model said {book['some_digit_prediction']}, today's "
            f"says {result.some_digit_prediction})"
        )
    with st.expander(title, icon=":material/menu_book:"):
        st.dataframe(pd.DataFrame(columns), hide_index=True, key="mc_some_digit_table")


# --------------------------------------------------------------------------------------------
# Error analysis
# --------------------------------------------------------------------------------------------


def cell_label(cell, *, counts) -> str:
    """How the cell's selectbox names a cell: "true 3, predicted 5 (71 digits)"."""
    if cell is _NO_CELL:
        return "None"
    row, column = cell
    return f"true {row}, predicted {column} ({int(counts[row, column]):,} digits)"


@guarded_callback
def _from_chart(key: str) -> None:
    """A click on a cell of the heatmap ``key``: that cell becomes the page's."""
    event = st.session_state.get(key)
    points = event.selection.points if event is not None else []
    if points:
        st.session_state[CELL_KEY] = clicked_cell(points[0])


def clicked_cell(point) -> tuple[int, int]:
    """The ``(true, predicted)`` of a clicked cell's marker: its ``customdata``, which the
    browser sends as a list or as an object keyed "0", "1"."""
    data = point["customdata"]
    if isinstance(data, dict):
        data = [data["0"], data["1"]]
    return int(data[0]), int(data[1])


@guarded_callback
def _from_pick() -> None:
    st.session_state[CELL_KEY] = st.session_state[CELL_PICK_KEY]


def confusion_section(dataset: Dataset, result) -> None:
    """The scaled model's confusion matrix in the chosen view, clickable, and the digits of the
    chosen cell (and of its mirror), borderline first."""
    st.subheader("Error analysis: the confusion matrix")
    st.caption(
        "The standardised model's cross-validated predictions (cv=3): rows are what the digit "
        "is, columns what the model said. Click a cell, or choose it below, to see its digits."
    )
    st.session_state.setdefault(VIEW_KEY, COUNTS)
    view = st.segmented_control(
        "View",
        VIEWS,
        format_func=VIEW_LABELS.get,
        key=VIEW_KEY,
        required=True,
    )
    publish(VIEW_KEY, "view", view)
    confusion = result.confusion_scaled
    classes = [str(c) for c in result.classes]
    cell = st.session_state.get(CELL_KEY)
    panels = error_analysis.confusion_view(confusion, view=view)
    places = st.columns(len(panels), gap="medium")
    for place, panel in zip(places, panels, strict=True):
        with place:
            key = f"mc_chart_{panel.kind}"
            st.plotly_chart(
                multiclass_confusion_figure(
                    panel, classes=classes, title=PANEL_TITLES[panel.kind], selected=cell
                ),
                theme=None,
                key=key,
                on_select=partial(_from_chart, key),
                selection_mode="points",
                config={"displaylogo": False, "displayModeBar": False},
            )
    if view == ERRORS:
        st.caption(
            "The diagonal is left out: each share is of the errors in its row (by row: what "
            "the misread digits of that class were taken for) or in its column (by column: "
            "what the digits wrongly called that class really were)."
        )
    elif view == ROWS:
        st.caption("Each row divided by its total: classes of different sizes read alike.")
    cells = [_NO_CELL, *((r, c) for r in range(len(classes)) for c in range(len(classes)))]
    if st.session_state.get(CELL_PICK_KEY) != cell:  # a click or a link chose another
        st.session_state[CELL_PICK_KEY] = cell
    st.selectbox(
        "Cell to show",
        cells,
        format_func=partial(cell_label, counts=confusion),
        key=CELL_PICK_KEY,
        on_change=_from_pick,
        help="The same as a click on the matrix: a true digit and what the model said.",
    )
    if cell is None:
        unpublish(CELL_KEY, "cell")
        st.caption(
            "No cell chosen yet: the chapter looks at the 3s read as 5s (choose true 3, "
            "predicted 5)."
        )
        return
    publish(CELL_KEY, "cell", f"{cell[0]}-{cell[1]}")
    cell_galleries(dataset, result, cell=cell)


def cell_grid(cell: tuple[int, int]) -> list[list[tuple[int, int]]]:
    """The cells whose digits are shown for ``cell``, in rows: the cell alone when it is on
    the diagonal; else, as the chapter's 3-versus-5 figure, both classes' right answers and
    both confusions (for 3-5: 3-3 and 3-5, then 5-3 and 5-5)."""
    row, column = cell
    if row == column:
        return [[cell]]
    return [[(row, row), (row, column)], [(column, row), (column, column)]]


def cell_galleries(dataset: Dataset, result, *, cell: tuple[int, int]) -> None:
    """The digits of ``cell`` (and, off the diagonal, of the chapter's grid around it),
    borderline first (:func:`core.error_analysis.cell_members`)."""
    classes = [str(c) for c in result.classes]
    for line in cell_grid(cell):
        places = st.columns(2, gap="large")
        for place, (true, predicted) in zip(places, line, strict=False):
            members = error_analysis.cell_members(
                y_true=result.y_train,
                y_pred=result.predictions_scaled,
                decision_scores=result.decision_scores_scaled,
                true_class=true,
                predicted_class=predicted,
                limit=PER_CELL,
            )
            with place:
                right = true == predicted
                what = "read rightly" if right else f"read as {classes[predicted]}s"
                st.markdown(f"**{classes[true]}s {what}** ({members.n_total:,})")
                order = (
                    "Those nearest to another answer first"
                    if right
                    else f"Those the {classes[true]} nearly won first"
                )
                more = members.n_total > members.indices.size
                st.caption(order + (f"; the first {members.indices.size}." if more else "."))
                show_gallery(dataset, members.indices, pixels=56, empty="None: no digit here.")


def per_digit_table(result) -> None:
    """Per-digit precision, recall and F1 of the scaled model (from the confusion matrix)."""
    import pandas as pd

    from core.multiclass import per_digit_metrics

    metrics = per_digit_metrics(result.confusion_scaled)
    st.subheader("Precision, recall and F1 of each digit")
    table = pd.DataFrame(
        {
            "Digit": [str(c) for c in result.classes],
            "Precision": [percent(v, missing="n/a") for v in metrics.precision],
            "Recall": [percent(v, missing="n/a") for v in metrics.recall],
            "F1": [percent(v, missing="n/a") for v in metrics.f1],
        }
    )
    st.dataframe(table, hide_index=True, key="mc_per_digit")
    st.caption(
        "Each digit against the nine others, from the standardised model's confusion matrix: "
        "precision is the share of the digits called this class that are; recall the share of "
        "this class that was called so."
    )


# --------------------------------------------------------------------------------------------
# One digit's trade-off inside the ten-class model
# --------------------------------------------------------------------------------------------


def column_digit() -> int:
    """The digit whose column goes into the explorer: the link's, else the session's last
    choice on this page, else the one the detector pages show."""
    st.session_state.setdefault(DIGIT_KEY, st.session_state.get("chosen_digit", 5))
    return int(st.session_state[DIGIT_KEY])


def choose_column_digit() -> int:
    """The digit whose column of decision scores goes into the explorer (its selectbox)."""
    digit = st.selectbox(
        "Digit whose scores to explore",
        range(10),
        key=DIGIT_KEY,
        help="Its column of the standardised model's cross-validated decision scores: how "
        "strongly the model's one-versus-rest part for this digit says so, for every training "
        "digit.",
    )
    publish(DIGIT_KEY, "digit", digit)
    return int(digit)


def explorer(data: TradeoffData, *, fingerprint: str, digit: int, threshold: float) -> None:
    """The trade-off page's live explorer on one column of the ten-class model's scores."""
    explorer_section(
        data,
        fingerprint=fingerprint,
        nouns=multiclass_nouns(digit),
        threshold=threshold,
        settings=tradeoff.explorer_settings(data),
        key=EXPLORER,
        on_release=tradeoff.release_handler(data, key=EXPLORER),
    )


def controls(data: TradeoffData, *, digit: int, threshold: float) -> None:
    """The exact number, the prevalence, the goals and the link to this view."""
    nouns = multiclass_nouns(digit)
    params = tradeoff.threshold_controls(data, nouns=nouns, threshold=threshold)
    tradeoff.goal_pickers(data, spread_key=f"multiclass:{digit}", nouns=nouns)
    link = {"digit": digit, "view": st.session_state.get(VIEW_KEY, COUNTS)}
    cell = st.session_state.get(CELL_KEY)
    if cell is not None:
        link["cell"] = f"{cell[0]}-{cell[1]}"
    link_to_this_view("multiclass", {**link, **params})


def beside_the_detector(dataset: Dataset, data: TradeoffData, *, digit: int) -> None:
    """The goals' thresholds inside the ten-class model beside the digit's own detector's,
    when that detector is trained (never trains it)."""
    precision_target = st.session_state.get("pick_precision", 90.0) / 100
    recall_target = st.session_state.get("pick_recall", 90.0) / 100
    detector = ready_detector(dataset, digit)
    rows = [("The ten-class model's column", data)]
    if detector is not None:
        rows.append(
            (
                f"The {digit}-detector (Train page)",
                tradeoff_for(detector.fingerprint, digit, detector),
            )
        )
    import pandas as pd

    lines = []
    for name, one in rows:
        by_precision = pickers.threshold_for_precision(one.cv_index, target=precision_target)
        by_recall = pickers.threshold_for_recall(one.cv_index, target=recall_target)
        lines.append(
            {
                "Scores": name,
                f"Threshold for precision ≥ {percent(precision_target)}": threshold_text(
                    by_precision.threshold
                )
                if by_precision.reached
                else "not reached",
                "Its recall": percent(by_precision.metrics.recall, missing="n/a"),
                f"Threshold for recall ≥ {percent(recall_target)}": threshold_text(
                    by_recall.threshold
                ),
                "Its precision": percent(by_recall.metrics.precision, missing="n/a"),
            }
        )
    st.markdown(f"**The same goals, inside the ten-class model and for the {digit}-detector**")
    st.dataframe(pd.DataFrame(lines), hide_index=True, key="mc_beside_detector")
    if detector is None:
        st.caption(
            f"The {digit}-detector is not trained on this server yet; train it on the Train "
            "page to see its thresholds here."
        )
    else:
        st.caption(
            "The two columns of scores live on different scales (the ten-class model's are of "
            "standardised pixels), so compare precision and recall, not the thresholds."
        )


@st.cache_resource(max_entries=20, show_spinner=False)
def _column_data(fingerprint: str, _scored) -> TradeoffData:
    """One column's indexes, once per server (keyed on the scored set's fingerprint)."""
    return scored_tradeoff_data(_scored)


def column_tradeoff(result, *, digit: int):
    """One digit's column of the scaled model's cross-validated scores as a scored set, and
    its indexes."""
    from core.scored_set import scored_set_of_multiclass

    scored = scored_set_of_multiclass(result, digit=digit, scaled=True)
    return scored, _column_data(scored.fingerprint, scored)
