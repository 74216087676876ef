"""The detector's training and evaluation on small data, checked against scikit-learn itself."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
)
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score

from core import cache, cli, engine
from core.cli_text import format_report
from core.data import SOURCE_FALLBACK, Dataset
from core.detector import (
    DetectorResult,
    digit_score,
    notebook_decision,
    notebook_predictions,
    train_detector,
)
from core.engine import TrainingProgress, binary_target
from core.jobs import JobRegistry
from core.models import notebook_classifier
from core.report import manual_cv_accuracy, notebook_report

# The small set does not always converge within max_iter; that is expected, not a fault.

N_TRAIN = 1500
REPORT_KEYS = {
    "digit",
    "cv_accuracy",
    "manual_cv_accuracy",
    "confusion_matrix",
    "perfect_confusion_matrix",
    "precision",
    "recall",
    "f1",
    "some_digit_index",
    "some_digit_score",
    "threshold_90_precision",
    "precision_at_threshold_90",
    "recall_at_threshold_90",
    "dummy_accuracy",
    "seconds",
}


def make_dataset(images: np.ndarray, labels: np.ndarray, *, n_train: int) -> Dataset:
    images = np.ascontiguousarray(images, dtype=np.uint8)
    labels = np.ascontiguousarray(labels, dtype=np.uint8)
    digest = hashlib.sha256(f"{n_train};".encode() + images.tobytes() + labels.tobytes())
    return Dataset(
        images=images,
        labels=labels,
        image_shape=(8, 8),
        n_train=n_train,
        source=SOURCE_FALLBACK,
        location="sklearn.datasets.load_digits",
        fingerprint=digest.hexdigest(),
        name="digits",
        description="scikit-learn's 8x8 digits, scaled to 0-255",
        url="",
        feature_names=tuple(f"pixel{i}" for i in range(1, 65)),
        target_names=("class",),
    )


@pytest.fixture(scope="module")
def digits() -> Dataset:
    bunch = load_digits()
    images = np.round(bunch.data * 255 / 16).astype(np.uint8)
    return make_dataset(images, bunch.target, n_train=N_TRAIN)


@pytest.fixture(scope="module")
def float_train(digits):
    """The notebook's view of the small data: float64 X_train and the 3-detector target."""
    return digits.train_images.astype(np.float64), digits.train_labels == 3


@pytest.fixture(scope="module")
def trained(digits, tmp_path_factory) -> DetectorResult:
    return train_detector(digits, digit=3, cache_dir=tmp_path_factory.mktemp("trained"))


@pytest.fixture
def fit_counter(monkeypatch):
    """Counts SGDClassifier.fit calls (from any thread); ``delay`` slows each fit down."""

    class Counter:
        calls = 0
        active = 0
        most_active = 0
        delay = 0.0
        lock = threading.Lock()

    original = SGDClassifier.fit

    def counting_fit(self, X, y, **kwargs):
        with Counter.lock:
            Counter.calls += 1
            Counter.active += 1
            Counter.most_active = max(Counter.most_active, Counter.active)
        try:
            time.sleep(Counter.delay)
            return original(self, X, y, **kwargs)
        finally:
            with Counter.lock:
                Counter.active -= 1

    monkeypatch.setattr(SGDClassifier, "fit", counting_fit)
    return Counter


# --------------------------------------------------------------------------- targets, model


def test_binary_target_marks_the_digit():
    labels = np.array([5, 0, 5, 9], dtype=np.uint8)
    target = binary_target(labels, digit=5)
    assert target.dtype == bool
    assert target.tolist() == [True, False, True, False]


@pytest.mark.parametrize("digit", [-1, 10, 5.0, True, "5", None])
def test_bad_digit_is_a_value_error_naming_it(digit, digits):
    with pytest.raises(ValueError, match=repr(digit).replace(".", r"\.")):
        binary_target(np.zeros(3, dtype=np.uint8), digit=digit)
    with pytest.raises(ValueError, match="digit"):
        train_detector(digits, digit=digit, cache_dir=None, use_cache=False)
    with pytest.raises(ValueError, match="digit"):
        JobRegistry().job(digits, digit=digit)


def test_binary_target_rejects_two_dimensional_labels():
    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        binary_target(np.zeros((2, 2)), digit=1)


def test_notebook_classifier_is_sgd_with_seed_42():
    model = notebook_classifier()
    assert isinstance(model, SGDClassifier)
    assert model.get_params() == SGDClassifier(random_state=42).get_params()
    assert not hasattr(model, "coef_")


def test_a_digit_too_rare_to_cross_validate_is_named(digits, tmp_path):
    labels = digits.labels.copy()
    labels[labels == 7] = 1
    labels[[0, 1]] = 7  # two sevens: fewer than three folds
    rare = make_dataset(digits.images, labels, n_train=N_TRAIN)
    with pytest.raises(ValueError, match="the digit 7 occur 2 times"):
        train_detector(rare, digit=7, cache_dir=tmp_path)


# --------------------------------------------------------------------------- against sklearn


def test_cv_scores_are_cross_val_predict_decision_function(trained, float_train):
    X, y = float_train
    expected = cross_val_predict(notebook_classifier(), X, y, cv=3, method="decision_function")
    assert trained.cv_scores.dtype == np.float64
    np.testing.assert_array_equal(trained.cv_scores, expected)


def test_cv_predictions_are_cross_val_predict(trained, float_train):
    X, y = float_train
    np.testing.assert_array_equal(
        trained.cv_predictions, cross_val_predict(notebook_classifier(), X, y, cv=3)
    )


def test_fold_accuracy_is_cross_val_score(trained, float_train):
    X, y = float_train
    expected = cross_val_score(notebook_classifier(), X, y, cv=3, scoring="accuracy")
    assert trained.fold_accuracy == tuple(expected)


def test_fold_ids_are_the_stratified_held_out_folds(trained, float_train):
    _, y = float_train
    assert trained.fold_ids.dtype == np.int8
    for fold, (_, held_out) in enumerate(StratifiedKFold(n_splits=3).split(y, y)):
        assert np.flatnonzero(trained.fold_ids == fold).tolist() == held_out.tolist()


def test_confusion_precision_recall_f1_match_sklearn(trained, float_train):
    _, y = float_train
    predictions = trained.cv_predictions
    np.testing.assert_array_equal(trained.confusion_matrix, confusion_matrix(y, predictions))
    assert trained.precision == precision_score(y, predictions)
    assert trained.recall == recall_score(y, predictions)
    p, r = trained.precision, trained.recall
    assert trained.f1 == 2 * p * r / (p + r)
    assert trained.f1 == pytest.approx(f1_score(y, predictions), rel=1e-12)


def test_final_model_is_the_notebook_fit_on_all_training_digits(trained, digits, float_train):
    X, y = float_train
    expected = notebook_classifier().fit(X, y)
    np.testing.assert_array_equal(trained.model.coef_, expected.coef_)
    np.testing.assert_array_equal(trained.model.intercept_, expected.intercept_)
    np.testing.assert_array_equal(
        trained.test_scores, expected.decision_function(digits.test_images.astype(np.float64))
    )
    np.testing.assert_array_equal(trained.y_test, digits.test_labels == 3)
    np.testing.assert_array_equal(trained.y_train, y)


class NeverDigitClassifier(BaseEstimator):
    """The book's Never5Classifier."""

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros((len(X), 1), dtype=bool)


def test_dummy_accuracy_is_the_never_classifier_under_cv3(trained, float_train):
    X, y = float_train
    expected = cross_val_score(NeverDigitClassifier(), X, y, cv=3, scoring="accuracy")
    assert trained.dummy_fold_accuracy == tuple(expected)
    assert trained.dummy_accuracy == np.count_nonzero(~y) / y.size


def test_result_keeps_no_image_sized_float_arrays_and_is_read_only(trained):
    for name, value in vars(trained).items():
        if isinstance(value, np.ndarray):
            assert value.ndim == 1, name
            assert not value.flags.writeable, name
    assert trained.model.coef_.shape == (1, 64)


def test_manual_cv_accuracy_is_the_notebook_s_hand_written_loop(trained, float_train):
    # Cell [9] as the notebook writes it, fitting three more models: our figures come from
    # the cross-validation pass's own fits instead, and must be the same.
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    X, y = float_train
    expected = []
    for train_index, test_index in StratifiedKFold(n_splits=3).split(X, y):
        clone_clf = clone(notebook_classifier())
        clone_clf.fit(X[train_index], y[train_index])
        y_pred = clone_clf.predict(X[test_index])
        expected.append(sum(y_pred == y[test_index]) / len(y_pred))
    assert manual_cv_accuracy(trained) == tuple(expected)
    assert manual_cv_accuracy(trained) == trained.fold_accuracy


def test_digit_score_is_the_final_models_decision_function(trained, digits):
    image = digits.images[0]
    expected = trained.model.decision_function(image.astype(np.float64).reshape(1, -1))[0]
    assert digit_score(trained, image) == expected
    assert digit_score(trained, image.astype(np.float32)) == expected
    assert digit_score(trained, digits.image(0)) == expected
    assert isinstance(digit_score(trained, image), float)
    with pytest.raises(ValueError, match="64 pixels.*63"):
        digit_score(trained, image[:63])


def test_the_notebook_s_rules_are_strictly_greater():
    assert notebook_decision(2.0, threshold=0) is True
    assert notebook_decision(0.0, threshold=0) is False
    assert notebook_decision(2164.2, threshold=8000) is False
    np.testing.assert_array_equal(
        notebook_predictions(np.array([-1.0, 0.0, 0.5])), [False, False, True]
    )


def test_undefined_ratios_of_the_notebook_predictions_are_nan(digits, tmp_path):
    result = train_detector(digits, digit=3, cache_dir=tmp_path)
    never = dataclasses.replace(result, cv_scores=np.full_like(result.cv_scores, -1.0))
    assert np.isnan(never.precision) and never.recall == 0.0 and np.isnan(never.f1)


def test_threshold_for_90_precision_is_the_lowest_reaching_it(digits, tmp_path, trained):
    report = notebook_report(digits, digit=3, cache_dir=tmp_path)
    y, scores = trained.y_train, trained.cv_scores
    threshold = report["threshold_90_precision"]
    # Brute force over every distinct score: the lowest whose predictions reach 90%.
    _, _, candidates = precision_recall_curve(y, scores)
    predicted = scores[np.newaxis, :] >= candidates[:, np.newaxis]
    precisions = (predicted & y).sum(axis=1) / predicted.sum(axis=1)
    assert threshold == candidates[precisions >= 0.9].min()
    assert report["precision_at_threshold_90"] == precision_score(y, scores >= threshold)
    assert report["recall_at_threshold_90"] == recall_score(y, scores >= threshold)


# --------------------------------------------------------------------------- progress, threads


def test_progress_comes_from_the_calling_thread_at_every_fit(digits, tmp_path):
    calls = []

    def progress(update: TrainingProgress) -> None:
        calls.append((threading.get_ident(), update))

    train_detector(digits, digit=3, cache_dir=tmp_path, progress=progress)
    assert {ident for ident, _ in calls} == {threading.get_ident()}
    states = [(u.folds_done, u.final_done) for _, u in calls]
    assert states[0] == (0, False)
    assert states[-1] == (3, True)
    assert len(set(states)) == 5  # the start, then each of the four fits
    assert all(u.n_folds == 3 for _, u in calls)
    assert calls[-1][1].done
    assert calls[-1][1].fraction == 1.0
    assert [u.elapsed for _, u in calls] == sorted(u.elapsed for _, u in calls)


def test_fits_run_in_parallel(digits, tmp_path, fit_counter):
    fit_counter.delay = 0.2
    train_detector(digits, digit=3, cache_dir=tmp_path)
    assert fit_counter.calls == 4
    assert fit_counter.most_active == engine.MAX_PARALLEL_FITS


def test_two_threads_asking_at_once_get_one_training(digits, tmp_path, fit_counter):
    fit_counter.delay = 0.1
    barrier = threading.Barrier(2)
    results = [None, None]
    heard = [[], []]

    def ask(i: int) -> None:
        barrier.wait()
        results[i] = train_detector(
            digits,
            digit=4,
            cache_dir=tmp_path,
            progress=lambda update: heard[i].append((threading.get_ident(), update)),
        )

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fit_counter.calls == 4
    assert results[0] is results[1]
    # The waiting caller hears the leader's progress too, to the end, in its own thread.
    for thread, updates in zip(threads, heard, strict=True):
        assert {ident for ident, _ in updates} == {thread.ident}
        assert updates[-1][1].done


def test_one_training_without_a_writable_cache(digits, tmp_path, fit_counter):
    (tmp_path / "a-file").write_text("not a directory")
    unwritable = tmp_path / "a-file" / "cache"
    fit_counter.delay = 0.1
    barrier = threading.Barrier(2)
    results = []

    def ask() -> None:
        barrier.wait()
        results.append(train_detector(digits, digit=4, cache_dir=unwritable))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fit_counter.calls == 4
    assert results[0] is results[1]


def test_waits_for_another_process_then_reads_its_cache(digits, tmp_path, fit_counter):
    first = train_detector(digits, digit=6, cache_dir=tmp_path)
    [cache_file] = tmp_path.glob("detector-digit6-*.pkl")
    [lock_file] = tmp_path.glob("detector-digit6-*.lock")
    written = cache_file.read_bytes()
    cache_file.unlink()
    fit_counter.calls = 0
    outcome = []
    with cache.file_lock(lock_file):  # "another process" is training
        waiting = threading.Thread(
            target=lambda: outcome.append(train_detector(digits, digit=6, cache_dir=tmp_path))
        )
        waiting.start()
        time.sleep(0.5)  # time to find no cache file and block on the lock
        assert waiting.is_alive() and fit_counter.calls == 0, "it did not wait for the lock"
        cache_file.write_bytes(written)  # ... and writes its result
    waiting.join()
    assert fit_counter.calls == 0
    assert outcome[0].from_cache
    np.testing.assert_array_equal(outcome[0].cv_scores, first.cv_scores)


# --------------------------------------------------------------------------- disk cache


def test_cache_round_trip(digits, tmp_path, fit_counter):
    cold = train_detector(digits, digit=2, cache_dir=tmp_path)
    assert fit_counter.calls == 4 and not cold.from_cache
    warm = train_detector(digits, digit=2, cache_dir=tmp_path)
    assert fit_counter.calls == 4 and warm.from_cache
    for name in ("y_train", "cv_scores", "fold_ids", "test_scores", "y_test"):
        np.testing.assert_array_equal(getattr(warm, name), getattr(cold, name), err_msg=name)
        assert not getattr(warm, name).flags.writeable
    for name in ("fold_accuracy", "dummy_accuracy", "dummy_fold_accuracy", "seconds", "digit"):
        assert getattr(warm, name) == getattr(cold, name), name
    np.testing.assert_array_equal(warm.model.coef_, cold.model.coef_)
    assert warm.fingerprint == digits.fingerprint


def test_cache_is_keyed_by_digit_and_data(digits, tmp_path, fit_counter):
    train_detector(digits, digit=2, cache_dir=tmp_path)
    assert not train_detector(digits, digit=8, cache_dir=tmp_path).from_cache
    other = make_dataset(digits.images, digits.labels, n_train=N_TRAIN - 3)
    assert not train_detector(other, digit=2, cache_dir=tmp_path).from_cache
    assert fit_counter.calls == 12


def test_use_cache_false_recomputes_and_rewrites(digits, tmp_path, fit_counter):
    train_detector(digits, digit=2, cache_dir=tmp_path)
    [cache_file] = tmp_path.glob("detector-digit2-*.pkl")
    before = cache_file.read_bytes()
    fresh = train_detector(digits, digit=2, cache_dir=tmp_path, use_cache=False)
    assert fit_counter.calls == 8 and not fresh.from_cache
    assert cache_file.read_bytes() != before  # the new run's seconds are in it
    assert train_detector(digits, digit=2, cache_dir=tmp_path).seconds == fresh.seconds


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign"])
def test_damaged_cache_file_is_rebuilt(digits, tmp_path, fit_counter, damage):
    cold = train_detector(digits, digit=2, cache_dir=tmp_path)
    [cache_file] = tmp_path.glob("detector-digit2-*.pkl")
    data = bytearray(cache_file.read_bytes())
    if damage == "truncate":
        cache_file.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        data[-10] ^= 0xFF
        cache_file.write_bytes(data)
    else:  # checksum fine, payload not ours
        cache.write_checked(cache_file, b"not a pickle")
    rebuilt = train_detector(digits, digit=2, cache_dir=tmp_path)
    assert fit_counter.calls == 8 and not rebuilt.from_cache
    np.testing.assert_array_equal(rebuilt.cv_scores, cold.cv_scores)
    assert train_detector(digits, digit=2, cache_dir=tmp_path).from_cache


def test_unwritable_cache_dir_still_trains(digits, tmp_path, fit_counter):
    (tmp_path / "a-file").write_text("not a directory")
    unwritable = tmp_path / "a-file" / "cache"
    first = train_detector(digits, digit=2, cache_dir=unwritable)
    second = train_detector(digits, digit=2, cache_dir=unwritable)
    assert not first.from_cache and not second.from_cache
    assert fit_counter.calls == 8
    np.testing.assert_array_equal(first.cv_scores, second.cv_scores)


def test_default_cache_dir_comes_from_the_environment(digits, cache_dir, fit_counter):
    train_detector(digits, digit=2)
    assert list(cache_dir.glob("detector-digit2-*.pkl"))
    assert train_detector(digits, digit=2).from_cache
    assert fit_counter.calls == 4


# --------------------------------------------------------------------------- registry


def test_registry_runs_one_job_per_dataset_and_digit(digits, tmp_path, fit_counter):
    registry = JobRegistry(cache_dir=tmp_path)
    job = registry.job(digits, digit=1)
    assert registry.job(digits, digit=1) is job
    assert registry.job(digits, digit=0) is not job
    result = job.result(timeout=60)
    assert job.done and job.error is None
    assert job.progress.done
    assert registry.job(digits, digit=1) is job  # after it finished too
    assert registry.ready(digits, digit=1) is result
    registry.job(digits, digit=0).result(timeout=60)
    assert fit_counter.calls == 8


def test_registry_ready_never_trains_and_reads_the_disk_cache(digits, tmp_path, fit_counter):
    assert JobRegistry(cache_dir=tmp_path).ready(digits, digit=1) is None
    assert fit_counter.calls == 0
    trained = train_detector(digits, digit=1, cache_dir=tmp_path)
    registry = JobRegistry(cache_dir=tmp_path)  # as after a restart
    ready = registry.ready(digits, digit=1)
    assert ready is not None and ready.from_cache
    np.testing.assert_array_equal(ready.cv_scores, trained.cv_scores)
    job = registry.job(digits, digit=1)
    assert job.done and job.result() is ready
    assert fit_counter.calls == 4


def test_registry_ready_is_none_while_the_job_runs(digits, tmp_path, fit_counter):
    fit_counter.delay = 0.3
    registry = JobRegistry(cache_dir=tmp_path)
    job = registry.job(digits, digit=1)
    assert registry.ready(digits, digit=1) is None
    with pytest.raises(TimeoutError):
        job.result(timeout=0.01)
    job.result(timeout=60)
    assert registry.ready(digits, digit=1) is job.result()


def test_failed_job_raises_its_error(digits, tmp_path):
    labels = digits.labels.copy()
    labels[labels == 7] = 1
    no_sevens = make_dataset(digits.images, labels, n_train=N_TRAIN)
    job = JobRegistry(cache_dir=tmp_path).job(no_sevens, digit=7)
    with pytest.raises(ValueError, match="digit 7"):
        job.result(timeout=60)
    assert job.done and isinstance(job.error, ValueError)


# --------------------------------------------------------------------------- report and CLI


def test_notebook_report_has_every_number(digits, tmp_path, float_train):
    report = notebook_report(digits, digit=3, cache_dir=tmp_path)
    assert set(report) == REPORT_KEYS
    X, y = float_train
    expected_cv = cross_val_score(notebook_classifier(), X, y, cv=3).tolist()
    assert report["cv_accuracy"] == expected_cv
    assert report["manual_cv_accuracy"] == expected_cv
    predictions = cross_val_predict(notebook_classifier(), X, y, cv=3)
    assert report["confusion_matrix"] == confusion_matrix(y, predictions).tolist()
    assert report["perfect_confusion_matrix"] == confusion_matrix(y, y).tolist()
    assert report["precision"] == precision_score(y, predictions)
    assert report["recall"] == recall_score(y, predictions)
    assert report["some_digit_index"] == 0
    final = notebook_classifier().fit(X, y)
    assert report["some_digit_score"] == final.decision_function(X[:1])[0]
    scores = cross_val_predict(notebook_classifier(), X, y, cv=3, method="decision_function")
    assert precision_score(y, scores >= report["threshold_90_precision"]) >= 0.9
    assert report["precision_at_threshold_90"] == precision_score(
        y, scores >= report["threshold_90_precision"]
    )
    assert report["dummy_accuracy"] == np.count_nonzero(~y) / y.size
    assert report["seconds"] > 0
    json.dumps(report, allow_nan=False)  # JSON-ready


def test_notebook_report_from_cache_does_no_fits(digits, tmp_path, fit_counter):
    first = notebook_report(digits, digit=3, cache_dir=tmp_path)
    assert fit_counter.calls == 4  # 3 folds + final: the manual loop of cell [9] reuses them
    second = notebook_report(digits, digit=3, cache_dir=tmp_path)
    assert fit_counter.calls == 4
    assert {k: v for k, v in first.items() if k != "seconds"} == {
        k: v for k, v in second.items() if k != "seconds"
    }
    notebook_report(digits, digit=3, cache_dir=tmp_path, use_cache=False)
    assert fit_counter.calls == 8


def test_format_report_prints_every_number_in_full(digits, tmp_path):
    report = notebook_report(digits, digit=3, cache_dir=tmp_path)
    text = format_report(report)
    for key in REPORT_KEYS - {"seconds"}:
        value = report[key]
        flat = np.ravel(value).tolist() if isinstance(value, list) else [value]
        for number in flat:
            assert repr(number) in text, key


def test_cli_report_json(digits, cache_dir, monkeypatch, capsys):
    monkeypatch.setattr("core.data.load_dataset", lambda **_: digits)
    assert cli.main(["report", "--digit", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == REPORT_KEYS
    assert report["digit"] == 3
    assert list(cache_dir.glob("detector-digit3-*.pkl"))  # THRESHOLD_EXPLORER_CACHE used
    assert cli.main(["report", "--digit", "3"]) == 0
    assert repr(report["precision"]) in capsys.readouterr().out


@pytest.mark.parametrize("digit", ["12", "-1"])
def test_cli_report_bad_digit_exits_2(digit, digits, cache_dir, monkeypatch, capsys):
    monkeypatch.setattr("core.data.load_dataset", lambda **_: digits)
    assert cli.main(["report", f"--digit={digit}"]) == 2
    error = capsys.readouterr().err
    assert digit in error and error.count("\n") == 1


def test_registry_retries_a_failed_training(digits, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk")

    registry = JobRegistry(cache_dir=tmp_path)
    monkeypatch.setattr(SGDClassifier, "fit", broken)
    failed = registry.job(digits, digit=5)
    with pytest.raises(OSError, match="disk"):
        failed.result(timeout=60)
    assert registry.ready(digits, digit=5) is None

    monkeypatch.undo()
    retry = registry.job(digits, digit=5)
    assert retry is not failed
    assert retry.result(timeout=60).digit == 5
    assert registry.ready(digits, digit=5) is not None
