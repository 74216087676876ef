"""AppTest tests for the train, confusion and trade-off pages on the real MNIST.

The 5-detector is trained once per test run into the session's shared cache; every page
then loads it from there, as a restarted server would.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score

from core.explorer import decode_payload
from tests.support import (
    explorer_counts,
    explorer_mounts,
    forget_app_caches,
    metric_values,
    open_page,
    release_explorer,
    texts,
    view_link,
)

NOTEBOOK_THRESHOLD = "3370.0194991439557"


@pytest.fixture(scope="module")
def detector(mnist_dir, shared_cache_dir):
    from core.data import load_dataset
    from core.detector import train_detector

    return train_detector(load_dataset(data_dir=mnist_dir), digit=5, cache_dir=shared_cache_dir)


@pytest.fixture(autouse=True)
def environment(mnist_dir, shared_cache_dir, detector, monkeypatch):
    monkeypatch.setenv("MNIST_DATA", str(mnist_dir))
    monkeypatch.setenv("THRESHOLD_EXPLORER_CACHE", str(shared_cache_dir))
    forget_app_caches()
    yield
    forget_app_caches()


def expected_rates(detector, threshold: float) -> dict[str, str]:
    """What the page must show, computed independently with scikit-learn."""
    flagged = detector.cv_scores >= threshold
    y = detector.y_train
    return {
        "Precision": f"{precision_score(y, flagged, zero_division=np.nan):.1%}",
        "Recall": f"{recall_score(y, flagged):.1%}",
        "F1": f"{f1_score(y, flagged):.1%}",
        "Flagged": f"{int(flagged.sum()):,}",
        "False positives": f"{int((flagged & ~y).sum()):,}",
    }


# --- train --------------------------------------------------------------------------------
def test_train_page_shows_fold_accuracy_beside_the_baseline(detector):
    app = open_page("pages/train.py")
    shown = metric_values(app)
    assert [shown[f"Fold {k}"] for k in (1, 2, 3)] == ["95.035%", "96.035%", "96.040%"]
    assert shown["Never says 5"] == f"{detector.dummy_accuracy:.3%}"
    assert "accuracy says little when one class is rare" in texts(app)


def test_train_page_scores_a_digit_and_decides_at_two_thresholds():
    app = open_page("pages/train.py")
    assert metric_values(app)["Decision score"] == "2,164.22030239"
    page = texts(app)
    assert "at threshold **0** (what `predict` does): flagged as a 5" in page
    assert "at threshold **8,000.00**: not flagged as a 5" in page
    app.number_input(key="train_threshold").set_value(1000.0).run()
    assert "at threshold **1,000.00**: flagged as a 5" in texts(app)


def test_train_page_corrects_a_bad_digit_without_training_another():
    app = open_page("pages/train.py", query={"digit": "12"})
    assert any("digit='12'" in note.value for note in app.info)
    assert app.selectbox(key="train_digit").value == 5


# --- confusion ----------------------------------------------------------------------------
def test_confusion_page_shows_the_notebook_numbers():
    app = open_page("pages/confusion.py", query={"digit": "5"})
    shown = metric_values(app)
    assert shown["Precision"] == "83.71%" and shown["Recall"] == "65.12%"
    assert shown["F1"] == "0.7325"
    page = texts(app)
    assert "precision 0.8370879772350012, recall 0.6511713705958311, F1 0.7325171197343846" in page
    assert "**False positives** (687)" in page and "**False negatives** (1,891)" in page


# --- trade-off ----------------------------------------------------------------------------
def explorer_shows(app) -> dict[str, str]:
    """What the explorer draws for the server's threshold, counted as its JavaScript counts
    (score >= threshold, on the ladder of scores with counts the page mounted)."""
    tp, fp, fn, _ = explorer_counts(app)
    precision = tp / (tp + fp) if tp + fp else np.nan
    recall = tp / (tp + fn)
    return {
        "Precision": f"{precision:.1%}",
        "Recall": f"{recall:.1%}",
        "F1": f"{2 * precision * recall / (precision + recall):.1%}",
        "Flagged": f"{tp + fp:,}",
        "False positives": f"{fp:,}",
    }


def assert_tradeoff_at(app, detector, threshold: float) -> None:
    """The server holds ``threshold`` and the explorer counts exactly what scikit-learn says."""
    assert app.session_state["threshold"] == threshold
    assert explorer_mounts(app)[0]["threshold"] == threshold
    shown = explorer_shows(app)
    for label, value in expected_rates(detector, threshold).items():
        assert shown[label] == value, (label, shown[label], value)


def test_tradeoff_link_opens_at_the_notebook_threshold(detector):
    app = open_page("pages/tradeoff.py", query={"digit": "5", "threshold": NOTEBOOK_THRESHOLD})
    assert explorer_shows(app)["Precision"] == "90.0%" and explorer_shows(app)["Recall"] == "48.0%"
    assert_tradeoff_at(app, detector, float(NOTEBOOK_THRESHOLD))


def test_tradeoff_release_moves_the_threshold_and_the_link(detector):
    app = open_page("pages/tradeoff.py")
    release_explorer(app, -2000.0)
    assert app.session_state["threshold"] == -2000.0
    assert float(app.query_params["threshold"]) == -2000.0  # the link follows the release
    assert view_link(app).endswith("threshold=-2000.0")


def test_tradeoff_number_input_sets_an_exact_threshold(detector):
    app = open_page("pages/tradeoff.py")
    exact = next(n for n in app.number_input if n.label == "Exact threshold")
    exact.set_value(1234.5678)
    next(b for b in app.button if b.label == "Set").click().run()
    assert_tradeoff_at(app, detector, 1234.5678)


def test_precision_picker_finds_the_notebook_threshold(detector):
    app = open_page("pages/tradeoff.py")
    app.number_input(key="pick_precision").set_value(90.0)
    app.button(key="go_precision").click().run()
    assert app.session_state["threshold"] == float(NOTEBOOK_THRESHOLD)
    assert explorer_shows(app)["Precision"] == "90.0%"


def test_recall_picker_takes_the_highest_threshold_reaching_the_target(detector):
    app = open_page("pages/tradeoff.py")
    app.number_input(key="pick_recall").set_value(80.0)
    app.button(key="go_recall").click().run()
    scores, y = detector.cv_scores, detector.y_train
    positives = np.sort(scores[y])[::-1]
    expected = positives[int(np.ceil(0.8 * y.sum())) - 1]  # keep 80% of the 5s above it
    assert_tradeoff_at(app, detector, expected)


def counts_at_every_score(scores, y):
    """Brute force: TP and FP when flagging scores >= each distinct score (numpy only)."""
    order = np.argsort(-scores, kind="stable")
    ranked, positives = scores[order], y[order]
    tp, fp = np.cumsum(positives), np.cumsum(~positives)
    last = np.r_[ranked[1:] != ranked[:-1], True]  # the last row of each tied group
    return ranked[last], tp[last], fp[last]


def test_fbeta_picker_matches_brute_force(detector):
    scores, y = detector.cv_scores, detector.y_train
    thresholds, tp, fp = counts_at_every_score(scores, y)
    f1 = 2 * tp / (2 * tp + fp + (y.sum() - tp))
    app = open_page("pages/tradeoff.py")
    app.number_input(key="pick_beta").set_value(1.0)
    app.button(key="go_fbeta").click().run()
    chosen = app.session_state["threshold"]
    assert f1_score(y, scores >= chosen) == pytest.approx(f1.max(), abs=1e-12)
    assert chosen in set(thresholds[np.isclose(f1, f1.max(), rtol=0, atol=1e-12)])


def test_cost_picker_matches_brute_force(detector):
    scores, y = detector.cv_scores, detector.y_train
    thresholds, tp, fp = counts_at_every_score(scores, y)
    cost = fp * 1.0 + (y.sum() - tp) * 5.0
    nothing_flagged_cost = 5.0 * y.sum()
    app = open_page("pages/tradeoff.py")
    app.number_input(key="pick_fp_cost").set_value(1.0)
    app.number_input(key="pick_fn_cost").set_value(5.0)
    app.button(key="go_cost").click().run()
    chosen = app.session_state["threshold"]
    flagged = scores >= chosen
    chosen_cost = (flagged & ~y).sum() * 1.0 + (~flagged & y).sum() * 5.0
    assert chosen_cost == min(cost.min(), nothing_flagged_cost)


def test_cost_picker_with_zero_costs_explains_instead_of_failing():
    app = open_page("pages/tradeoff.py")
    app.number_input(key="pick_fp_cost").set_value(0.0)
    app.number_input(key="pick_fn_cost").set_value(0.0)
    app.button(key="go_cost").click().run()
    assert not app.exception
    assert "Not moved" in texts(app)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("nan", "not a finite number"),
        ("abc", "not a number"),
        ("-inf", "not a finite number"),
        ("1e308", "is outside"),
    ],
)
def test_tradeoff_bad_threshold_is_corrected_with_a_note(raw, fragment):
    app = open_page("pages/tradeoff.py", query={"threshold": raw})
    assert any(fragment in note.value for note in app.info), [n.value for n in app.info]
    assert np.isfinite(app.session_state["threshold"])


def test_tradeoff_mounts_the_held_out_scores_for_the_check(detector):
    app = open_page("pages/tradeoff.py", query={"threshold": "0"})
    header, arrays = decode_payload(explorer_mounts(app)[1])
    scores, y = detector.test_scores, detector.y_test
    assert header["totals"]["test"] == [int(y.sum()), int((~y).sum())]
    for t in (*arrays["threshold"][::97], 0.0):
        flagged = scores >= t
        expected = (int((flagged & y).sum()), int((flagged & ~y).sum()))
        assert explorer_counts(app, float(t), block="test")[:2] == expected


def test_moving_the_threshold_never_trains(detector, monkeypatch):
    import core.engine

    app = open_page("pages/tradeoff.py")

    def no_training(*args, **kwargs):
        raise AssertionError("the page trained while the threshold moved")

    monkeypatch.setattr(core.engine, "cross_validate", no_training)
    for value in (-5000.0, 0.0, 7000.0):
        release_explorer(app, value)
        assert app.session_state["threshold"] == value


def test_a_pickers_explanation_goes_when_the_threshold_moves_on():
    app = open_page("pages/tradeoff.py")
    app.button(key="go_precision").click().run()
    assert "Lowest threshold with precision" in texts(app)
    release_explorer(app, -1000.0)
    assert "Lowest threshold with precision" not in texts(app)
