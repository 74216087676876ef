"""AppTest tests of /compare on the small fallback digits (no MNIST, fresh cache per test)."""

from __future__ import annotations

import json
import threading
import time

import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from tests.support import forget_app_caches, open_page, texts

PAGE = "pages/compare.py"


@pytest.fixture(autouse=True)
def no_mnist(monkeypatch, cache_dir):
    monkeypatch.delenv("MNIST_DATA", raising=False)
    monkeypatch.setenv("THRESHOLD_EXPLORER_OFFLINE", "1")
    forget_app_caches()  # no training of an earlier test is remembered in memory
    yield
    forget_app_caches()


@pytest.fixture
def digits():
    from core.data import load_fallback_dataset

    return load_fallback_dataset()


def table(app):
    assert len(app.table) == 1
    return app.table[0].value


def chart_traces(app) -> list[list[str]]:
    charts = app.get("plotly_chart")
    return [[trace.get("name") for trace in json.loads(c.proto.spec)["data"]] for c in charts]


def test_nothing_trains_until_asked(cache_dir):
    app = open_page(PAGE)
    labels = [button.label for button in app.button]
    assert labels == [
        "Train SGD, raw pixels",
        "Train SGD, standardised pixels",
        "Train Logistic regression",
        "Train Random forest",
    ]
    assert not app.table and not app.get("plotly_chart")
    assert "No model is trained yet for the digit 5" in texts(app)
    assert not list(cache_dir.glob("*.npz")) and not list(cache_dir.glob("*.pkl"))


def test_the_fallback_set_gets_its_own_note():
    app = open_page(PAGE)
    notes = " ".join(info.value for info in app.info)
    assert "8×8 fallback digits (1,540 training digits" in notes


def trained(app, digits, *models: str) -> None:
    """Wait for the trainings of ``models`` the page started, then run the page again (the
    browser's card does so by itself when its training ends)."""
    from ui.detector import training_registry

    for model in models:
        job = training_registry().existing(digits, digit=5, model=model)
        assert job is not None, f"no training of {model} was started"
        deadline = time.monotonic() + 120
        while not job.done:
            assert time.monotonic() < deadline, f"the training of {model} did not end"
            time.sleep(0.02)
    app.run()
    assert not app.exception


def test_training_a_model_by_its_button_adds_it_to_the_table_and_charts(digits, cache_dir):
    app = open_page(PAGE)
    app.button(key="compare_train_logistic").click().run()
    assert not app.exception
    assert [b.key for b in app.button] == [
        "compare_train_sgd",
        "compare_train_sgd_scaled",
        "compare_train_forest",
    ]  # the card shows its training, not its button
    trained(app, digits, "logistic")
    assert "Ready: trained in" in texts(app)
    frame = table(app)
    assert frame["Model"].tolist() == ["Logistic regression"]
    assert list(cache_dir.glob("compare-logistic-digit5-*.npz"))

    from core.compare import load_model

    result = load_model(digits, digit=5, model="logistic", cache_dir=cache_dir)
    y, scores = result.y_true, result.cv_scores
    assert frame["ROC AUC"][0] == pytest.approx(roc_auc_score(y, scores), rel=1e-12)
    assert frame["Average precision"][0] == pytest.approx(
        average_precision_score(y, scores), rel=1e-12
    )
    assert frame["Threshold for precision ≥ 90%"][0].endswith("(log-odds)")
    roc, pr = chart_traces(app)
    assert f"Logistic regression (AUC {roc_auc_score(y, scores):.3f})" in roc
    assert f"Logistic regression (AP {average_precision_score(y, scores):.3f})" in pr

    # A second model joins the first; the first is not trained again.
    app.button(key="compare_train_forest").click().run()
    trained(app, digits, "forest")
    frame = table(app)
    assert frame["Model"].tolist() == ["Logistic regression", "Random forest"]
    assert frame["Threshold for best F1"][1].endswith("(probability)")
    assert [b.key for b in app.button] == ["compare_train_sgd", "compare_train_sgd_scaled"]


def test_cached_models_show_straight_away_and_the_sgd_one_is_the_detector(digits, cache_dir):
    from core.compare import train_model
    from core.detector import train_detector

    train_model(digits, digit=5, model="sgd_scaled", cache_dir=cache_dir)
    detector = train_detector(digits, digit=5, cache_dir=cache_dir)
    app = open_page(PAGE)
    frame = table(app)
    assert frame["Model"].tolist() == ["SGD, raw pixels", "SGD, standardised pixels"]
    assert frame["ROC AUC"][0] == pytest.approx(
        roc_auc_score(detector.y_train, detector.cv_scores), rel=1e-12
    )
    assert "read from the disk cache" in frame["Time covers"][0]
    assert [b.key for b in app.button] == ["compare_train_logistic", "compare_train_forest"]


def test_the_targets_come_from_the_link_and_drive_the_table(digits, cache_dir):
    from core.compare import compare_table, train_model

    result = train_model(digits, digit=5, model="logistic", cache_dir=cache_dir)
    app = open_page(PAGE, query={"precision": "0.99", "recall": "0.5"})
    [expected] = compare_table([result], target_precision=0.99, target_recall=0.5)
    frame = table(app)
    assert frame["Recall at precision ≥ 99%"][0] == pytest.approx(
        expected.recall_at_precision * 100, rel=1e-12
    )
    assert frame["Precision at recall ≥ 50%"][0] == pytest.approx(
        expected.precision_at_recall * 100, rel=1e-12
    )
    assert app.number_input(key="compare_precision").value == 99.0  # in percent, as /tradeoff
    app.number_input(key="compare_precision").set_value(80.0).run()
    assert "Recall at precision ≥ 80%" in table(app).columns
    assert app.query_params["precision"] == "0.8"  # the link follows the widget, as a share


def test_an_unreachable_target_is_said_so(digits, cache_dir):
    from core.compare import compare_table, train_model

    result = train_model(digits, digit=1, model="sgd_scaled", cache_dir=cache_dir)
    [row] = compare_table([result], target_precision=1.0)
    assert not row.precision_reached  # a negative among its highest scores, on this set
    app = open_page(PAGE, query={"digit": "1", "precision": "1"})
    frame = table(app)
    assert pd.isna(frame["Recall at precision ≥ 100%"][0])
    assert frame["Threshold for precision ≥ 100%"][0] == (
        f"not reachable: at most {row.max_precision:.1%}"
    )
    assert any("No threshold reaches precision" in w.value for w in app.warning)


@pytest.mark.parametrize(
    ("query", "note", "value"),
    [
        # The link holds shares (its notes say so); the inputs show percentages.
        ({"precision": "abc"}, "precision='abc' is not a number; showing 0.9.", 90.0),
        ({"precision": "1.5"}, "precision='1.5' is outside 0.01 to 1; showing 1.", 100.0),
        ({"recall": "-2"}, "recall='-2' is outside 0.01 to 1; showing 0.01.", 1.0),
    ],
)
def test_a_bad_query_value_gets_a_note(query, note, value):
    app = open_page(PAGE, query=query)
    assert note in [info.value for info in app.info]
    key = "compare_precision" if "precision" in query else "compare_recall"
    assert app.number_input(key=key).value == value


def test_a_bad_digit_and_an_unknown_parameter_get_notes():
    app = open_page(PAGE, query={"digit": "12", "colour": "red"})
    notes = [info.value for info in app.info]
    assert any("digit='12'" in n for n in notes)
    assert any("'colour'" in n for n in notes)
    assert app.selectbox(key="compare_digit").value == 5


def test_a_failed_training_says_so_without_the_errors_own_text(monkeypatch, caplog):
    import core.engine

    secret = "internal detail of the fit"

    def fail(*args, **kwargs):
        raise RuntimeError(secret)

    monkeypatch.setattr(core.engine, "cross_validate", fail)
    app = open_page(PAGE)
    app.button(key="compare_train_logistic").click().run()
    assert not app.exception
    from core.data import load_fallback_dataset

    trained(app, load_fallback_dataset(), "logistic")
    shown = texts(app)
    assert "The training failed; the details are in the server's log." in shown
    assert "Train again Logistic regression" in [b.label for b in app.button]
    assert secret not in shown
    assert any(r.exc_info and str(r.exc_info[1]) == secret for r in caplog.records)


@pytest.fixture
def gate(monkeypatch):
    """Holds every logistic regression's fit until ``gate.set()``."""
    from sklearn.linear_model import LogisticRegression

    opened = threading.Event()
    fit = LogisticRegression.fit

    def gated_fit(self, X, y, **kwargs):
        assert opened.wait(60), "the test never opened the gate"
        return fit(self, X, y, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", gated_fit)
    yield opened
    opened.set()


def card_lines(app) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith(":material/")]


def test_each_card_shows_its_own_state_whatever_else_trains(digits, gate):
    from core.jobs import TRAINING
    from ui.detector import training_registry

    app = open_page(PAGE)
    app.button(key="compare_train_logistic").click().run()
    logistic = training_registry().existing(digits, digit=5, model="logistic")
    deadline = time.monotonic() + 30
    while logistic.status.state != TRAINING or logistic.progress is None:  # its first report
        assert time.monotonic() < deadline
        time.sleep(0.01)
    app.run()
    [line] = card_lines(app)
    assert line.startswith(":material/hourglass_top: Cross-validation folds done: 0 of 3")

    # Train a second model while the first trains: the first card keeps its own state (no
    # Train button again), the second says where it stands in line.
    app.button(key="compare_train_forest").click().run()
    assert not app.exception
    assert [b.key for b in app.button] == ["compare_train_sgd", "compare_train_sgd_scaled"]
    first, second = card_lines(app)
    assert first.startswith(":material/hourglass_top: Cross-validation folds done: 0 of 3")
    queued = ":material/hourglass_top: Waiting: 1 training ahead of this one"
    assert second.startswith(queued), second
    assert second[len(queued) :].startswith((" (waited ", "; it starts in about ")), second
    assert len(app.get("progress")) == 2
    assert not app.table  # nothing ready yet

    gate.set()
    trained(app, digits, "logistic", "forest")
    lines = card_lines(app)
    assert len(lines) == 2 and all(":material/check_circle: Ready" in line for line in lines)
    assert table(app)["Model"].tolist() == ["Logistic regression", "Random forest"]
