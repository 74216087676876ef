"""AppTest tests of /multiclass ("All digits") on the small fallback digits (no MNIST, fresh
cache per test): the offer to train, the training, every section, the link's parameters."""

from __future__ import annotations

import base64
import json
import time

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support

from core.error_analysis import cell_members
from tests.support import (
    explorer_mounts,
    forget_app_caches,
    galleries,
    open_page,
    release_explorer,
    texts,
    view_link,
)

PAGE = "pages/multiclass.py"
EXPLORER = "multiclass_explorer"


@pytest.fixture(autouse=True)
def no_mnist(monkeypatch, cache_dir):
    monkeypatch.delenv("MNIST_DATA", raising=False)
    monkeypatch.setenv("THRESHOLD_EXPLORER_OFFLINE", "1")
    forget_app_caches()
    yield
    forget_app_caches()


@pytest.fixture
def digits():
    from core.data import load_fallback_dataset

    return load_fallback_dataset()


@pytest.fixture(scope="module")
def trained_once(tmp_path_factory):
    """The ten-class models of the fallback digits, trained once for the module, and the
    cache directory that holds them."""
    from core.data import load_fallback_dataset
    from core.multiclass import train_multiclass

    directory = tmp_path_factory.mktemp("multiclass-cache")
    return train_multiclass(load_fallback_dataset(), cache_dir=directory), directory


@pytest.fixture
def trained(trained_once, cache_dir):
    """Those models in this test's own disk cache, which the page reads."""
    import shutil

    result, directory = trained_once
    shutil.copytree(directory, cache_dir, dirs_exist_ok=True)
    return result


def wait_for_training(app, digits):
    """Wait for the training the page started, then run the page again (the browser's
    fragment does so by itself when it ends)."""
    from ui.detector import training_registry

    job = training_registry().existing_multiclass(digits)
    assert job is not None, "no training was started"
    deadline = time.monotonic() + 120
    while not job.done:
        assert time.monotonic() < deadline, "the training did not end"
        time.sleep(0.02)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def charts(app) -> list[dict]:
    """The page's Plotly figures, in order."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def dataframe(app, column: str):
    """The one table of the page with ``column``."""
    [frame] = [d.value for d in app.dataframe if column in d.value.columns]
    return frame


def test_nothing_trains_until_asked(cache_dir):
    app = open_page(PAGE)
    assert [b.label for b in app.button] == ["Train the ten-class models"]
    assert "Not trained yet" in texts(app)
    assert not app.get("plotly_chart") and not app.dataframe
    assert not any(cache_dir.glob("*"))


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"cell": "12-3"}, "cell='12-3' is not a cell written true-predicted"),
        ({"view": "pie"}, "view='pie' is not one of counts, rows, errors"),
        ({"digit": "12"}, "digit='12' is not one of"),
    ],
)
def test_a_bad_link_gets_its_note_before_anything_is_trained(cache_dir, query, note):
    app = open_page(PAGE, query=query)
    assert [b.label for b in app.button] == ["Train the ten-class models"]
    shown = [info.value for info in app.info]
    assert sum(note in line for line in shown) == 1, shown


def test_training_by_the_button_shows_every_section(digits):
    app = open_page(PAGE)
    app.button[0].click().run()
    app = wait_for_training(app, digits)
    from ui.detector import training_registry

    result = training_registry().multiclass_ready(digits)
    assert result is not None
    page = texts(app)
    for heading in (
        "Accuracy, fold by fold",
        "The first digit, read by the ten-class model",
        "Error analysis: the confusion matrix",
        "Precision, recall and F1 of each digit",
        "One digit's trade-off inside the ten-class model",
    ):
        assert heading in page, heading
    # The accuracies as the result holds them, beside the baseline.
    folds = dataframe(app, "Fold 1")
    assert folds["Fold 1"].tolist() == [
        f"{result.cv_accuracy[0]:.3%}",
        f"{result.cv_accuracy_scaled[0]:.3%}",
        f"{result.baseline_accuracy[0]:.3%}",
    ]
    # Per-digit figures: scikit-learn's on the scaled model's held-out predictions.
    precision, recall, f1, _ = precision_recall_fscore_support(
        result.y_train, result.predictions_scaled, labels=result.classes, zero_division=np.nan
    )
    table = dataframe(app, "Digit")
    assert table["Precision"].tolist() == [f"{v:.1%}" for v in precision]
    assert table["Recall"].tolist() == [f"{v:.1%}" for v in recall]
    assert table["F1"].tolist() == [f"{v:.1%}" for v in f1]
    # The explorer holds the 5's column of the scaled model's scores, every training digit.
    position, _, _ = explorer_mounts(app, EXPLORER)
    assert position["threshold"] == 0.0
    assert app.session_state["threshold"] == 0.0


def test_the_first_digit_s_ten_scores(trained):
    app = open_page(PAGE)
    titles = {c["layout"]["title"]["text"]: c for c in charts(app)}
    [figure] = [c for title, c in titles.items() if "decision scores" in title]
    bars = figure["data"][0]
    assert bars["x"] == [str(c) for c in trained.classes]
    sent = bars["customdata"]  # plotly sends float64 arrays as base64 bytes
    scores = np.frombuffer(base64.b64decode(sent["bdata"]), dtype=sent["dtype"])
    np.testing.assert_array_equal(scores, trained.some_digit_scores)
    assert f"says **{trained.some_digit_prediction}**" in texts(app)


def test_a_link_opens_the_errors_view_on_a_cell_with_its_digits(trained, digits):
    app = open_page(PAGE, query={"view": "errors", "cell": "3-5", "digit": "3"})
    titles = [figure["layout"]["title"]["text"] for figure in charts(app)]
    assert "Errors normalised by row" in titles and "Errors normalised by column" in titles
    assert app.selectbox(key="mc_cell_pick").value == (3, 5)
    assert app.selectbox(key="mc_digit").value == 3
    shown = galleries(app)
    expected = [
        cell_members(
            y_true=trained.y_train,
            y_pred=trained.predictions_scaled,
            decision_scores=trained.decision_scores_scaled,
            true_class=true,
            predicted_class=predicted,
            limit=20,
        )
        for true, predicted in ((3, 3), (3, 5), (5, 3), (5, 5))
    ]
    nonempty = [cell.indices.tolist() for cell in expected if cell.indices.size]
    assert [[thumb["index"] for thumb in gallery] for gallery in shown] == nonempty
    page = texts(app)
    assert f"**3s read as 5s** ({expected[1].n_total:,})" in page
    assert f"**5s read as 3s** ({expected[2].n_total:,})" in page
    assert f"**3s read rightly** ({expected[0].n_total:,})" in page
    link = view_link(app)
    assert "view=errors" in link and "cell=3-5" in link and "digit=3" in link


def test_choosing_a_cell_by_the_keyboard_way_shows_its_digits(trained):
    app = open_page(PAGE)
    assert not galleries(app)
    app.selectbox(key="mc_cell_pick").set_value((7, 7)).run()
    assert app.session_state["mc_cell"] == (7, 7)
    assert app.query_params["cell"] == "7-7"
    assert "**7s read rightly**" in texts(app)
    app.segmented_control(key="mc_view").set_value("rows").run()
    assert app.query_params["view"] == "rows"
    assert [f["layout"]["title"]["text"] for f in charts(app)].count("Normalised by row") == 1


@pytest.mark.parametrize(
    ("query", "notes"),
    [
        ({"view": "pie"}, ["view='pie' is not one of counts, rows, errors"]),
        ({"cell": "12-3"}, ["cell='12-3' is not a cell written true-predicted"]),
        ({"cell": "3-x"}, ["cell='3-x' is not a cell"]),
        ({"digit": "12"}, ["digit='12' is not one of"]),
        ({"threshold": "nan"}, ["threshold='nan' is not a finite number"]),
        ({"threshold": "1e400"}, ["threshold='1e400' is outside"]),
        ({"colour": "red"}, ["Ignored unknown link parameter(s): 'colour'"]),
    ],
)
def test_a_bad_link_gets_one_note_and_the_page(trained, query, notes):
    app = open_page(PAGE, query=query)
    shown = [info.value for info in app.info]
    for note in notes:
        assert sum(note in line for line in shown) == 1, (note, shown)
    assert "Precision, recall and F1 of each digit" in texts(app)


def test_the_explorer_s_threshold_follows_a_release_and_the_link(trained):
    app = open_page(PAGE, query={"digit": "5"})
    release_explorer(app, 1.25, key=EXPLORER)
    assert app.session_state["threshold"] == 1.25
    assert float(app.query_params["threshold"]) == 1.25
    assert "threshold=1.25" in view_link(app)
    # Another digit opens at its own default, not at the 5's threshold.
    app.selectbox(key="mc_digit").set_value(8).run()
    assert app.session_state["threshold"] == 0.0


def test_the_detector_s_goal_is_shown_beside_only_when_it_is_trained(trained, digits, cache_dir):
    app = open_page(PAGE, query={"digit": "5"})
    beside = dataframe(app, "Its recall")
    assert len(beside) == 1
    assert "The 5-detector is not trained on this server yet" in texts(app)
    from ui.detector import training_registry

    assert training_registry().existing(digits, digit=5) is None  # never trained unasked

    from core.detector import train_detector

    train_detector(digits, digit=5, cache_dir=cache_dir)
    forget_app_caches()
    app = open_page(PAGE, query={"digit": "5"})
    beside = dataframe(app, "Its recall")
    assert beside["Scores"].tolist() == [
        "The ten-class model's column",
        "The 5-detector (Train page)",
    ]


@pytest.fixture
def gate(monkeypatch):
    """Holds every SGD fit (the detectors' and the ten-class models') until ``gate.set()``."""
    import threading

    from sklearn.linear_model import SGDClassifier

    opened = threading.Event()
    fit = SGDClassifier.fit

    def gated_fit(self, X, y, **kwargs):
        assert opened.wait(60), "the test never opened the gate"
        return fit(self, X, y, **kwargs)

    monkeypatch.setattr(SGDClassifier, "fit", gated_fit)
    yield opened
    opened.set()


def test_a_training_behind_another_shows_its_place_then_its_progress(digits, gate):
    from ui.detector import training_registry

    detector = training_registry().job(digits, digit=5)  # another session's, in line first
    app = open_page(PAGE)
    app.button[0].click().run()
    assert not app.exception
    page = texts(app)
    assert "**Waiting to train the ten-class models**" in page
    assert "Waiting: 1 training ahead of this one" in page
    assert not app.dataframe  # nothing shown before its result

    gate.set()
    detector.result(timeout=120)
    app = wait_for_training(app, digits)
    [status] = app.get("status")
    assert status.proto.label.startswith("Ten-class models ready (trained in ")
    assert "Accuracy, fold by fold" in texts(app)


def test_the_progress_line_names_the_model_the_fold_and_the_digit():
    from core.multiclass import FINAL, SCALED, MulticlassProgress
    from ui.detector import describe_progress

    line = describe_progress(
        MulticlassProgress(stage=SCALED, fold=1, digit=7, fits_done=37, n_fits=70, elapsed=12.34)
    )
    assert line == (
        "Fitting standardised pixels, fold 2 of 3, digit 7; one-versus-rest fits done: 37 of "
        "70; elapsed 12.3 s"
    )
    final = describe_progress(
        MulticlassProgress(stage=FINAL, fold=None, digit=0, fits_done=60, n_fits=70, elapsed=1.0)
    )
    assert final.startswith("Fitting raw pixels, all training digits, digit 0;")


def test_the_book_s_figures_are_left_out_on_the_fallback_digits(trained):
    """The book's figures are MNIST's: beside the small digits' they would mislead."""
    app = open_page(PAGE)
    assert "The book printed" not in " ".join(" ".join(d.value.columns) for d in app.dataframe)
    assert "beside today's" not in texts(app)
    [table] = [d.value for d in app.dataframe if "Score" in d.value.columns]
    assert table["Score"].tolist() == [f"{float(v):,.2f}" for v in trained.some_digit_scores]


def _book_section():
    from types import SimpleNamespace

    import numpy as np

    from ui.multiclass import fold_accuracy

    result = SimpleNamespace(
        cv_accuracy=(0.87745, 0.85835, 0.8698),
        cv_accuracy_scaled=(0.8983, 0.891, 0.9018),
        baseline_accuracy=(0.1124, 0.1124, 0.1123),
        y_train=np.arange(10),
    )
    fold_accuracy(result, mnist=True)


def test_on_mnist_the_book_s_accuracies_stand_beside_today_s():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(_book_section).run()
    assert not app.exception
    [table] = [d.value for d in app.dataframe if "The book printed" in d.value.columns]
    assert table["The book printed"].tolist() == [
        "0.87365 · 0.85835 · 0.8689",
        "0.8983 · 0.891 · 0.9018",
    ]
    assert table["Today, here"].tolist()[0] == "0.87745 · 0.85835 · 0.8698"
    from ui.wording import WHY_THE_BOOK_DIFFERS

    assert WHY_THE_BOOK_DIFFERS in [c.value for c in app.caption]
