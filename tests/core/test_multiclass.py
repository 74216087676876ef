"""The chapter's multiclass SGD on the small digits, checked against scikit-learn's own calls.

Every figure is compared for exact equality with ``cross_val_score``, ``cross_val_predict``,
``confusion_matrix`` and a fit on all training digits run here; then the cache (round trip,
damage, a killed training), the queue, the scored set of one digit and the command line.
"""

from __future__ import annotations

import json
import os
import signal
import threading

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import cross_val_predict, cross_val_score
from sklearn.preprocessing import StandardScaler

from core import cli
from core.data import load_fallback_dataset
from core.jobs import JobRegistry
from core.multiclass import (
    FINAL,
    MAX_ITER,
    MULTICLASS,
    SCALED,
    STAGE_WORK,
    UNSCALED,
    MulticlassProgress,
    MulticlassResult,
    book_figures,
    book_scaler,
    load_multiclass,
    multiclass_summary,
    per_digit_metrics,
    train_multiclass,
)
from core.scored_set import scored_set_of_multiclass
from harness import ROOT
from harness.commands import python_json, run_python
from tests.core.test_detector import make_dataset

N_FITS = 70  # (3 raw folds + 3 scaled folds + the final fit) x 10 digits


@pytest.fixture(scope="module")
def digits():
    return load_fallback_dataset()


@pytest.fixture(scope="module")
def small(digits):
    """A smaller set for the tests that train more than once."""
    return make_dataset(digits.images[:600], digits.labels[:600], n_train=450)


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("multiclass")


@pytest.fixture(scope="module")
def updates():
    return []


@pytest.fixture(scope="module")
def trained(digits, trained_dir, updates) -> MulticlassResult:
    return train_multiclass(digits, cache_dir=trained_dir, progress=updates.append)


@pytest.fixture(scope="module")
def notebook(digits):
    """The chapter's cells, as written, with scikit-learn's own calls."""
    X_train, y_train = digits.train_images, digits.train_labels
    sgd_clf = SGDClassifier(random_state=42)
    X_train_scaled = StandardScaler().fit_transform(X_train.astype(np.float64))
    final = SGDClassifier(random_state=42).fit(X_train, y_train)
    return {
        "accuracy": cross_val_score(sgd_clf, X_train, y_train, cv=3, scoring="accuracy"),
        "accuracy_scaled": cross_val_score(
            sgd_clf, X_train_scaled, y_train, cv=3, scoring="accuracy"
        ),
        "pred": cross_val_predict(sgd_clf, X_train, y_train, cv=3),
        "pred_scaled": cross_val_predict(sgd_clf, X_train_scaled, y_train, cv=3),
        "scores": cross_val_predict(sgd_clf, X_train, y_train, cv=3, method="decision_function"),
        "scores_scaled": cross_val_predict(
            sgd_clf, X_train_scaled, y_train, cv=3, method="decision_function"
        ),
        "some_digit_prediction": final.predict(X_train[:1])[0],
        "some_digit_scores": final.decision_function(X_train[:1])[0],
    }


@pytest.fixture
def fit_calls(monkeypatch):
    """Counts SGDClassifier.fit calls from any thread."""
    calls = []
    lock = threading.Lock()
    original = SGDClassifier.fit

    def counting_fit(self, X, y, **kwargs):
        with lock:
            calls.append(X.shape)
        return original(self, X, y, **kwargs)

    monkeypatch.setattr(SGDClassifier, "fit", counting_fit)
    return calls


# --------------------------------------------------------------------------- against sklearn


def test_accuracies_are_cross_val_score_exactly(trained, notebook):
    assert trained.cv_accuracy == tuple(notebook["accuracy"])
    assert trained.cv_accuracy_scaled == tuple(notebook["accuracy_scaled"])


def test_predictions_and_error_analysis_are_cross_val_predict_exactly(trained, notebook, digits):
    y_train = digits.train_labels
    np.testing.assert_array_equal(trained.predictions, notebook["pred"])
    np.testing.assert_array_equal(trained.predictions_scaled, notebook["pred_scaled"])
    np.testing.assert_array_equal(
        trained.confusion_scaled, confusion_matrix(y_train, notebook["pred_scaled"])
    )
    np.testing.assert_array_equal(trained.confusion, confusion_matrix(y_train, notebook["pred"]))
    assert trained.confusion.dtype == np.int64 and trained.confusion.shape == (10, 10)


def test_decision_scores_are_cross_val_predicts_bit_for_bit(trained, notebook):
    assert trained.decision_scores.dtype == np.float64
    np.testing.assert_array_equal(trained.decision_scores, notebook["scores"])
    np.testing.assert_array_equal(trained.decision_scores_scaled, notebook["scores_scaled"])


def test_some_digit_is_the_fit_on_all_training_digits(trained, notebook):
    assert trained.some_digit_prediction == notebook["some_digit_prediction"]
    np.testing.assert_array_equal(trained.some_digit_scores, notebook["some_digit_scores"])


def assert_the_issues_figures(figures: dict, trained) -> None:
    """The JSON keys the issue names, each equal to the engine's figure."""
    assert figures["cv_accuracy"] == list(trained.cv_accuracy)
    assert figures["cv_accuracy_scaled"] == list(trained.cv_accuracy_scaled)
    assert figures["confusion"] == trained.confusion.tolist()
    assert figures["confusion_scaled"] == trained.confusion_scaled.tolist()
    assert figures["some_digit_prediction"] == trained.some_digit_prediction
    assert figures["some_digit_scores"] == trained.some_digit_scores.tolist()


def test_the_golden_script_s_fast_way_gives_the_same_figures(trained):
    env = {**os.environ, "THRESHOLD_EXPLORER_OFFLINE": "1"}
    env.pop("MNIST_DATA", None)  # the small digits, as `trained`
    figures = python_json(
        [str(ROOT / "scripts" / "multiclass_golden.py"), "--fast", "--json"], env=env
    )
    assert_the_issues_figures(figures, trained)


def test_baseline_is_the_most_frequent_dummy_under_cv3(trained, digits):
    dummy = DummyClassifier(strategy="most_frequent")
    expected = cross_val_score(dummy, digits.train_images, digits.train_labels, cv=3)
    assert trained.baseline_accuracy == tuple(expected)


def test_folds_labels_and_classes(trained, digits):
    np.testing.assert_array_equal(trained.classes, np.arange(10))
    np.testing.assert_array_equal(trained.y_train, digits.train_labels)
    assert sorted(np.unique(trained.fold_ids).tolist()) == [0, 1, 2]
    for name in ("classes", "y_train", "fold_ids", "decision_scores", "confusion_scaled"):
        assert not getattr(trained, name).flags.writeable, name
    assert trained.n_iter.shape == (7, 10) and (trained.n_iter >= 1).all()
    assert trained.n_iter.max() <= MAX_ITER == SGDClassifier().max_iter


def test_the_scaler_fitted_by_column_blocks_is_the_whole_fit(digits):
    images = digits.train_images
    whole = StandardScaler().fit(images.astype(np.float64))
    mean, scale = book_scaler(images)
    np.testing.assert_array_equal(mean, whole.mean_)
    np.testing.assert_array_equal(scale, whole.scale_)
    assert (scale == 1.0).any()  # a constant column (always blank) keeps scale 1, as sklearn's


def test_each_fold_is_fitted_once_per_model(digits, tmp_path, fit_calls):
    train_multiclass(digits, cache_dir=tmp_path)
    n = digits.n_train
    assert len(fit_calls) == N_FITS
    # 60 fold fits on two thirds of the digits, 10 final fits on all of them
    assert sum(rows == n for rows, _ in fit_calls) == 10
    assert all(rows < n for rows, _ in fit_calls if rows != n)


# --------------------------------------------------------------------------- progress


def test_progress_counts_each_stage_s_fits_by_their_work():
    def at(fits_done: int) -> float:
        return MulticlassProgress(UNSCALED, 0, None, fits_done, N_FITS, 0.0).fraction

    total = 30 * STAGE_WORK[UNSCALED] + 30 * STAGE_WORK[SCALED] + 10 * STAGE_WORK[FINAL]
    assert at(0) == 0.0 and at(N_FITS) == 1.0
    assert at(30) == pytest.approx(30 * STAGE_WORK[UNSCALED] / total)  # the raw pixels' folds
    assert at(60) == pytest.approx(1 - 10 * STAGE_WORK[FINAL] / total)
    steps = np.diff([at(k) for k in range(N_FITS + 1)])
    assert np.all(steps > 0)
    # a scaled fit counts for more than a raw one, so the raw folds are well under half
    assert steps[30] > steps[0] and at(30) < 0.25


def test_progress_by_stage_fold_and_digit(trained, updates):
    assert updates and all(isinstance(u, MulticlassProgress) for u in updates)
    done = [u.fits_done for u in updates]
    assert done == sorted(done) and done[0] == 0 and done[-1] == N_FITS
    assert updates[-1].done and updates[-1].fraction == 1.0 and updates[-1].n_fits == N_FITS
    stages = [u.stage for u in updates]
    assert stages.index(UNSCALED) < stages.index(SCALED) < stages.index(FINAL)
    folds = {(u.stage, u.fold) for u in updates}
    assert {(UNSCALED, k) for k in range(3)} | {(SCALED, k) for k in range(3)} <= folds
    assert (FINAL, None) in folds
    assert {u.digit for u in updates} - {None} <= set(range(10))
    assert all(u.model == MULTICLASS and u.n_folds == 3 for u in updates)


# --------------------------------------------------------------------------- metrics


def test_per_digit_metrics_are_sklearns(trained, digits):
    metrics = per_digit_metrics(trained.confusion_scaled)
    p, r, f, support = precision_recall_fscore_support(
        digits.train_labels, trained.predictions_scaled, average=None, zero_division=np.nan
    )
    np.testing.assert_array_equal(metrics.precision, p)
    np.testing.assert_array_equal(metrics.recall, r)
    np.testing.assert_allclose(metrics.f1, f, rtol=1e-15)
    np.testing.assert_array_equal(metrics.support, support)


def test_per_digit_metrics_are_nan_for_zero_over_zero():
    confusion = np.array([[3, 0, 0], [2, 0, 0], [0, 0, 0]])
    metrics = per_digit_metrics(confusion, classes=[4, 7, 9])
    assert np.isnan(metrics.precision[1])  # digit 7 never predicted
    assert metrics.recall[1] == 0.0 and metrics.f1[1] == 0.0
    assert np.isnan(metrics.recall[2]) and np.isnan(metrics.precision[2])  # no 9 at all
    assert np.isnan(metrics.f1[2])
    assert metrics.precision[0] == 3 / 5 and metrics.recall[0] == 1.0
    assert metrics.classes.tolist() == [4, 7, 9]


@pytest.mark.parametrize(
    ("confusion", "classes", "message"),
    [
        (np.zeros((2, 3), dtype=int), None, "square"),
        (np.array([[1, -1], [0, 2]]), None, "non-negative"),
        (np.array([[1.5, 0], [0, 2]]), None, "integers"),
        (np.eye(3, dtype=int), [1, 2], "3 entries"),
    ],
)
def test_per_digit_metrics_names_a_bad_matrix(confusion, classes, message):
    with pytest.raises(ValueError, match=message):
        per_digit_metrics(confusion, classes=classes)


def test_a_digit_too_rare_to_cross_validate_is_named(digits, tmp_path):
    labels = digits.labels.copy()
    sevens = np.flatnonzero(labels[: digits.n_train] == 7)
    labels[sevens[2:]] = 1  # two sevens left among the training digits
    rare = make_dataset(digits.images, labels, n_train=digits.n_train)
    with pytest.raises(ValueError, match="digit 7 occurs 2 times"):
        train_multiclass(rare, cache_dir=tmp_path)


# --------------------------------------------------------------------------- cache


def test_cache_round_trip(digits, trained, trained_dir, fit_calls):
    warm = train_multiclass(digits, cache_dir=trained_dir)
    loaded = load_multiclass(digits, cache_dir=trained_dir)
    assert fit_calls == [] and warm.from_cache and loaded.from_cache and not trained.from_cache
    for name in (
        "classes", "y_train", "fold_ids", "predictions", "predictions_scaled", "decision_scores",
        "decision_scores_scaled", "confusion", "confusion_scaled", "some_digit_scores", "n_iter",
    ):  # fmt: skip
        np.testing.assert_array_equal(getattr(warm, name), getattr(trained, name), err_msg=name)
        assert not getattr(warm, name).flags.writeable, name
    for name in (
        "cv_accuracy", "cv_accuracy_scaled", "baseline_accuracy", "some_digit_prediction",
        "seconds", "fingerprint",
    ):  # fmt: skip
        assert getattr(warm, name) == getattr(trained, name), name


def test_nothing_cached_is_none_and_the_cache_is_keyed_by_data(small, digits, tmp_path):
    assert load_multiclass(small, cache_dir=tmp_path) is None
    train_multiclass(small, cache_dir=tmp_path)
    assert load_multiclass(small, cache_dir=tmp_path) is not None
    assert load_multiclass(digits, cache_dir=tmp_path) is None


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_cache_file_is_detected_and_retrained(small, tmp_path, damage):
    cold = train_multiclass(small, cache_dir=tmp_path)
    [path] = tmp_path.glob("multiclass-*.npz")
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    else:
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(data)
    assert load_multiclass(small, cache_dir=tmp_path) is None  # the checksum says so
    rebuilt = train_multiclass(small, cache_dir=tmp_path)
    assert not rebuilt.from_cache
    np.testing.assert_array_equal(rebuilt.decision_scores, cold.decision_scores)
    assert train_multiclass(small, cache_dir=tmp_path).from_cache


KILLED_CHILD = """
import os, signal, sys
from core.data import load_fallback_dataset
from core.multiclass import train_multiclass
from tests.core.test_detector import make_dataset

digits = load_fallback_dataset()
small = make_dataset(digits.images[:600], digits.labels[:600], n_train=450)

def progress(update):
    if update.stage == "final":  # the cross-validations are done, the file not yet written
        print("killing", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

train_multiclass(small, cache_dir=sys.argv[1], progress=progress)
"""


def test_a_killed_training_leaves_no_cache_and_retrains_cleanly(small, tmp_path):
    done = run_python(["-c", KILLED_CHILD, str(tmp_path)])
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "killing" in done.stdout
    assert not list(tmp_path.glob("multiclass-*.npz"))
    assert load_multiclass(small, cache_dir=tmp_path) is None
    result = train_multiclass(small, cache_dir=tmp_path)  # the dead child's lock is free
    assert not result.from_cache and load_multiclass(small, cache_dir=tmp_path) is not None


# --------------------------------------------------------------------------- the queue


def test_the_queue_trains_it_in_line_with_the_detectors(small, tmp_path):
    registry = JobRegistry(cache_dir=tmp_path)
    assert registry.multiclass_ready(small) is None and registry.existing_multiclass(small) is None
    detector = registry.job(small, digit=3)
    job = registry.multiclass_job(small)
    later = registry.job(small, digit=4)
    assert registry.multiclass_job(small) is job and registry.existing_multiclass(small) is job
    result = job.result(timeout=300)
    assert detector.done  # it was asked for first
    assert isinstance(result, MulticlassResult) and job.model == MULTICLASS
    assert isinstance(job.progress, MulticlassProgress) and job.progress.done
    assert job.status.fraction == 1.0
    later.result(timeout=300)
    assert detector.ended_at <= job.started_at and job.ended_at <= later.started_at
    assert registry.multiclass_ready(small) is result
    fresh = JobRegistry(cache_dir=tmp_path)  # as after a restart: read from the disk
    assert fresh.multiclass_ready(small).from_cache
    assert fresh.multiclass_job(small).done


# --------------------------------------------------------------------------- scored set


def test_one_digit_as_a_scored_set(trained):
    scored = scored_set_of_multiclass(trained, digit=8, scaled=True)
    np.testing.assert_array_equal(scored.scores, trained.decision_scores_scaled[:, 8])
    np.testing.assert_array_equal(scored.y_true, trained.y_train == 8)
    np.testing.assert_array_equal(scored.fold_ids, trained.fold_ids)
    np.testing.assert_array_equal(scored.other_columns["predicted"], trained.predictions_scaled)
    assert scored.positive_label == "8" and not scored.has_test and scored.has_folds
    raw = scored_set_of_multiclass(trained, digit=8, scaled=False)
    np.testing.assert_array_equal(raw.scores, trained.decision_scores[:, 8])
    assert raw.fingerprint != scored.fingerprint


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"digit": 10, "scaled": True}, "digit"), ({"digit": 3, "scaled": "yes"}, "scaled")],
)
def test_scored_set_names_a_bad_argument(trained, kwargs, message):
    with pytest.raises(ValueError, match=message):
        scored_set_of_multiclass(trained, **kwargs)


# --------------------------------------------------------------------------- command line


def test_command_line_json_has_every_figure(trained, trained_dir, monkeypatch, capsys):
    monkeypatch.setenv("THRESHOLD_EXPLORER_CACHE", str(trained_dir))
    monkeypatch.delenv("MNIST_DATA", raising=False)
    assert cli.main(["multiclass", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == json.loads(json.dumps(multiclass_summary(load_multiclass_from(trained_dir))))
    assert_the_issues_figures(out, trained)
    assert out["baseline_accuracy"] == list(trained.baseline_accuracy)
    assert out["book"]["cv_accuracy"] == list(book_figures()["cv_accuracy"])
    assert len(out["per_digit_scaled"]) == 10 and out["from_cache"] is True
    assert set(out["per_digit_scaled"][0]) == {"digit", "precision", "recall", "f1", "support"}


def load_multiclass_from(directory):
    return load_multiclass(load_fallback_dataset(), cache_dir=directory)


def test_command_line_text_says_every_figure(trained, trained_dir, monkeypatch, capsys):
    monkeypatch.setenv("THRESHOLD_EXPLORER_CACHE", str(trained_dir))
    monkeypatch.delenv("MNIST_DATA", raising=False)
    assert cli.main(["multiclass"]) == 0
    text = capsys.readouterr().out
    assert repr(list(trained.cv_accuracy_scaled)).replace(" ", "") in text.replace(" ", "")
    assert "the book prints (MNIST):" in text and "0.8983" in text
    assert "rows are true digits" in text
    assert f"predict: {trained.some_digit_prediction}" in text
    assert "read from the cache" in text


def test_command_line_says_in_one_line_what_is_not_kept_and_warns_nothing_else(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    env = {**os.environ, "THRESHOLD_EXPLORER_CACHE": str(blocker / "cache")}
    env.pop("MNIST_DATA", None)
    env["THRESHOLD_EXPLORER_OFFLINE"] = "1"
    done = run_python(["-m", "core", "multiclass"], env=env)
    assert done.returncode == 0, done.stderr
    # no ConvergenceWarning of the small set's fits: they are counted in the output instead
    notes = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(notes) == 1 and "multiclass model is not kept" in notes[0], done.stderr
    assert "one-versus-rest fits stopped at max_iter" in done.stdout
    assert "read from the cache" not in done.stdout
