"""The model comparison on small data, checked against scikit-learn itself."""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import cross_val_predict

from core import cache, engine
from core.charts import precision_recall_overlay_figure, roc_overlay_figure
from core.compare import (
    ModelResult,
    compare_table,
    load_model,
    model_curves,
    train_model,
)
from core.data import load_fallback_dataset
from core.detector import train_detector
from core.jobs import JobRegistry
from core.models import MODEL_KEYS, MODELS
from ui.wording import choice_sentence

DIGIT = 5


@pytest.fixture(scope="module")
def digits():
    return load_fallback_dataset()


@pytest.fixture(scope="module")
def trained(digits, tmp_path_factory):
    """Every model trained once on the small set, into one cache directory."""
    directory = tmp_path_factory.mktemp("compare")
    results = {
        m: train_model(digits, digit=DIGIT, model=m, cache_dir=directory) for m in MODEL_KEYS
    }
    return directory, results


@pytest.fixture
def fit_counter(monkeypatch):
    """Counts fits of every estimator of the comparison, from any thread."""
    calls = {"n": 0}
    lock = threading.Lock()
    for cls in (SGDClassifier, LogisticRegression, RandomForestClassifier):
        original = cls.fit

        def counting(self, X, y, *args, _original=original, **kwargs):
            with lock:
                calls["n"] += 1
            return _original(self, X, y, *args, **kwargs)

        monkeypatch.setattr(cls, "fit", counting)
    return calls


def scikit_learn_scores(dataset, model: str) -> np.ndarray:
    """What cross_val_predict(cv=3) gives on the notebook's float64 pixels."""
    spec = MODELS[model]
    X = dataset.train_images.astype(np.float64) / spec.pixel_divisor
    y = dataset.train_labels == DIGIT
    scores = cross_val_predict(spec.build(), X, y, cv=3, method=spec.method)
    return scores[:, 1] if spec.method == "predict_proba" else scores


def synthetic(key: str, scores, y_true, **overrides) -> ModelResult:
    fields = dict(
        key=key,
        label=key.upper(),
        score_label="score",
        digit=DIGIT,
        fingerprint="synthetic",
        cv_scores=np.asarray(scores, dtype=np.float64),
        y_true=np.asarray(y_true, dtype=bool),
        seconds=1.5,
    )
    fields.update(overrides)
    return ModelResult(**fields)


# --------------------------------------------------------------------------- the models


@pytest.mark.parametrize("model", MODEL_KEYS)
def test_scores_are_cross_val_predicts_bit_for_bit(digits, trained, model):
    result = trained[1][model]
    np.testing.assert_array_equal(result.cv_scores, scikit_learn_scores(digits, model))
    np.testing.assert_array_equal(result.y_true, digits.train_labels == DIGIT)
    assert result.key == model and result.label == MODELS[model].label
    assert result.score_label == MODELS[model].score_label
    assert not result.cv_scores.flags.writeable and not result.y_true.flags.writeable
    assert result.seconds > 0 and not result.from_cache


def test_the_scaler_learned_block_by_block_matches_the_whole_fold_fit(digits, monkeypatch):
    # On MNIST each fold has ~40,000 rows, ten blocks; here blocks of 100 rows do the same.
    monkeypatch.setattr(engine, "BLOCK_ROWS", 100)
    result = engine.cross_validate(digits, digit=DIGIT, spec=MODELS["sgd_scaled"])
    expected = scikit_learn_scores(digits, "sgd_scaled")
    assert not np.array_equal(result.cv_scores, expected)  # the blocks were used...
    spread = expected.max() - expected.min()
    assert np.abs(result.cv_scores - expected).max() < 1e-9 * spread  # ... to the same effect


def test_each_model_says_what_scale_its_thresholds_are_on(trained):
    results = trained[1]
    assert results["sgd"].score_label == results["sgd_scaled"].score_label == "decision score"
    assert results["logistic"].score_label == "log-odds"
    forest = results["forest"]
    assert forest.score_label == "probability"
    assert forest.cv_scores.min() >= 0 and forest.cv_scores.max() <= 1
    assert (results["sgd"].cv_scores > 1).any()  # unbounded: not a probability


def test_forest_has_the_issue_s_parameters_and_the_logistic_regression_converges(digits):
    forest = MODELS["forest"].build()
    assert forest.get_params() == RandomForestClassifier(random_state=42).get_params()
    logistic = MODELS["logistic"].build()
    X = digits.train_images.astype(np.float64) / 255
    logistic.fit(X, digits.train_labels == DIGIT)
    assert logistic.n_iter_[0] < logistic.max_iter


def test_the_sgd_model_is_the_detector_not_a_second_training(digits, tmp_path, fit_counter):
    detector = train_detector(digits, digit=DIGIT, cache_dir=tmp_path)
    assert fit_counter["n"] == 4  # its folds and its final model
    result = train_model(digits, digit=DIGIT, model="sgd", cache_dir=tmp_path)
    assert fit_counter["n"] == 4
    assert result.from_cache
    np.testing.assert_array_equal(result.cv_scores, detector.cv_scores)
    assert result.seconds == detector.seconds
    assert load_model(digits, digit=DIGIT, model="sgd", cache_dir=tmp_path) is not None


def test_progress_reports_every_fold(digits, tmp_path):
    seen = []
    train_model(digits, digit=DIGIT, model="logistic", cache_dir=tmp_path, progress=seen.append)
    assert seen[0].folds_done == 0 and seen[-1].folds_done == 3
    assert {u.folds_done for u in seen} == {0, 1, 2, 3}
    assert all(u.final_done is None and u.model == "logistic" for u in seen)
    assert seen[-1].fraction == 1.0
    detector_updates = []
    train_model(digits, digit=3, model="sgd", cache_dir=tmp_path, progress=detector_updates.append)
    assert detector_updates[-1].final_done is True and detector_updates[-1].fraction == 1.0


# --------------------------------------------------------------------------- the cache


@pytest.mark.parametrize("model", ["sgd_scaled", "logistic", "forest"])
def test_second_call_loads_and_does_not_refit(digits, trained, fit_counter, model):
    directory, results = trained
    again = train_model(digits, digit=DIGIT, model=model, cache_dir=directory)
    assert fit_counter["n"] == 0
    assert again.from_cache
    np.testing.assert_array_equal(again.cv_scores, results[model].cv_scores)
    assert again.seconds == results[model].seconds
    assert not again.cv_scores.flags.writeable


def test_cache_is_keyed_by_digit_and_model(digits, tmp_path, fit_counter):
    train_model(digits, digit=DIGIT, model="logistic", cache_dir=tmp_path)
    assert fit_counter["n"] == 3
    assert not train_model(digits, digit=3, model="logistic", cache_dir=tmp_path).from_cache
    assert not train_model(digits, digit=DIGIT, model="sgd_scaled", cache_dir=tmp_path).from_cache
    assert fit_counter["n"] == 9
    assert len(list(tmp_path.glob("compare-*.npz"))) == 3


@pytest.mark.parametrize("damage", ["truncate", "foreign"])
def test_a_damaged_cache_file_is_rebuilt(digits, tmp_path, fit_counter, damage):
    first = train_model(digits, digit=DIGIT, model="logistic", cache_dir=tmp_path)
    [path] = tmp_path.glob("compare-logistic-*.npz")
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    else:  # a valid file holding the wrong arrays
        cache.save_arrays(path, key=np.array("someone else's"), cv_scores=np.zeros(3))
    assert load_model(digits, digit=DIGIT, model="logistic", cache_dir=tmp_path) is None
    rebuilt = train_model(digits, digit=DIGIT, model="logistic", cache_dir=tmp_path)
    assert not rebuilt.from_cache and fit_counter["n"] == 6
    np.testing.assert_array_equal(rebuilt.cv_scores, first.cv_scores)


def test_use_cache_false_retrains(digits, trained, fit_counter):
    directory, _ = trained
    fresh = train_model(digits, digit=DIGIT, model="logistic", cache_dir=directory, use_cache=False)
    assert not fresh.from_cache and fit_counter["n"] == 3


def test_load_model_never_trains(digits, tmp_path, fit_counter):
    for model in MODEL_KEYS:
        assert load_model(digits, digit=DIGIT, model=model, cache_dir=tmp_path) is None
    assert fit_counter["n"] == 0


def test_concurrent_callers_share_one_training(digits, tmp_path, fit_counter):
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                train_model(digits, digit=DIGIT, model="sgd_scaled", cache_dir=tmp_path)
            )
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fit_counter["n"] == 3
    np.testing.assert_array_equal(results[0].cv_scores, results[1].cv_scores)


# --------------------------------------------------------------------------- the registry


def test_registry_sgd_job_is_the_detector_s_job(digits, tmp_path, fit_counter):
    registry = JobRegistry(cache_dir=tmp_path)
    assert registry.ready(digits, digit=DIGIT, model="sgd") is None
    job = registry.job(digits, digit=DIGIT, model="sgd")
    assert registry.job(digits, digit=DIGIT) is job  # the detector's job of the other pages
    result = job.result(timeout=60)
    assert job.progress.folds_done == 3 and job.progress.final_done
    assert job.progress.model == "sgd"
    assert fit_counter["n"] == 4
    assert registry.ready(digits, digit=DIGIT) is result


def test_registry_trains_once_and_a_new_one_reads_the_disk(digits, tmp_path, fit_counter):
    registry = JobRegistry(cache_dir=tmp_path)
    assert registry.ready(digits, digit=DIGIT, model="forest") is None
    assert fit_counter["n"] == 0
    result = registry.job(digits, digit=DIGIT, model="forest").result(timeout=120)
    assert registry.ready(digits, digit=DIGIT, model="forest") is result
    restarted = JobRegistry(cache_dir=tmp_path)
    loaded = restarted.ready(digits, digit=DIGIT, model="forest")
    assert loaded is not None and loaded.from_cache
    np.testing.assert_array_equal(loaded.cv_scores, result.cv_scores)
    assert restarted.job(digits, digit=DIGIT, model="forest").result() is loaded
    assert fit_counter["n"] == 3


@pytest.mark.parametrize("model", ["tree", "", None, 3, "SGD"])
def test_an_unknown_model_is_a_value_error_naming_it(digits, tmp_path, model):
    with pytest.raises(ValueError, match=f"got {model!r}"):
        train_model(digits, digit=DIGIT, model=model, cache_dir=tmp_path)
    with pytest.raises(ValueError, match="model must be one of"):
        JobRegistry(cache_dir=tmp_path).job(digits, digit=DIGIT, model=model)


@pytest.mark.parametrize("digit", [10, -1, 2.0, "5"])
def test_a_bad_digit_is_a_value_error(digits, tmp_path, digit):
    with pytest.raises(ValueError, match="digit"):
        train_model(digits, digit=digit, model="logistic", cache_dir=tmp_path)


# --------------------------------------------------------------------------- the table


def expected_row(result: ModelResult, target_precision: float, target_recall: float) -> dict:
    """The table's numbers computed independently with scikit-learn's own functions."""
    y, scores = result.y_true, result.cv_scores
    precisions, recalls, thresholds = precision_recall_curve(y, scores)
    meets = precisions[:-1] >= target_precision
    first = int(np.argmax(meets))  # the notebook's expression, cell [14]
    last = int(np.flatnonzero(recalls[:-1] >= target_recall)[-1])
    p, r = precisions[:-1], recalls[:-1]
    with np.errstate(invalid="ignore"):
        f1 = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
    best = int(np.flatnonzero(f1 == f1.max())[-1])
    return {
        "roc_auc": roc_auc_score(y, scores),
        "average_precision": average_precision_score(y, scores),
        "precision_reached": bool(meets.any()),
        "recall_at_precision": recalls[first] if meets.any() else math.nan,
        "threshold_for_precision": thresholds[first] if meets.any() else math.nan,
        "max_precision": p.max(),
        "precision_at_recall": precisions[last],
        "threshold_for_recall": thresholds[last],
        "best_f1": f1[best],
        "best_f1_threshold": thresholds[best],
    }


@pytest.mark.parametrize(("target_precision", "target_recall"), [(0.9, 0.9), (0.97, 0.5)])
def test_table_agrees_with_scikit_learn(trained, target_precision, target_recall):
    results = [trained[1][m] for m in MODEL_KEYS]
    rows = compare_table(results, target_precision=target_precision, target_recall=target_recall)
    assert [row.key for row in rows] == list(MODEL_KEYS)
    for row, result in zip(rows, results, strict=True):
        expected = expected_row(result, target_precision, target_recall)
        for name, value in expected.items():
            actual = getattr(row, name)
            if isinstance(value, bool) or not math.isnan(value):
                assert actual == pytest.approx(value, rel=1e-12, abs=1e-15), (row.key, name)
            else:
                assert math.isnan(actual), (row.key, name)
        assert row.target_precision == target_precision and row.target_recall == target_recall
        assert row.score_label == result.score_label and row.label == result.label
        assert row.seconds == result.seconds and row.from_cache == result.from_cache
        assert row.recall_reached and (row.unreached == ()) == row.precision_reached


def test_table_defaults_are_ninety_percent(trained):
    [row] = compare_table([trained[1]["logistic"]])
    assert row.target_precision == 0.9 and row.target_recall == 0.9


def test_an_unreachable_precision_is_reported_not_replaced():
    # The highest score is a negative: no threshold reaches precision 1.
    result = synthetic("m", [0.9, 0.8, 0.7, 0.1], [0, 1, 1, 0])
    [row] = compare_table([result], target_precision=1.0, target_recall=0.5)
    precisions, _, _ = precision_recall_curve(result.y_true, result.cv_scores)
    assert not row.precision_reached
    assert math.isnan(row.recall_at_precision) and math.isnan(row.threshold_for_precision)
    assert row.max_precision == precisions[:-1].max() == 2 / 3
    [unreached] = row.unreached
    assert unreached.goal == "precision" and unreached.value == 2 / 3
    assert "No threshold reaches precision >= 100.0%" in choice_sentence(unreached)
    assert row.recall_reached and row.precision_at_recall == 1 / 2  # threshold 0.8
    assert row.threshold_for_recall == 0.8


def test_a_reachable_precision_of_one(trained):
    result = synthetic("m", [0.9, 0.8, 0.7, 0.1], [1, 1, 0, 0])
    [row] = compare_table([result], target_precision=1.0)
    assert row.precision_reached and row.recall_at_precision == 1.0
    assert row.threshold_for_precision == 0.8 and row.unreached == ()


def test_model_curves_are_reused_not_recomputed(trained):
    curves = model_curves(trained[1]["forest"])
    [row] = compare_table([curves])
    assert row.roc_auc == curves.roc_curve.auc
    assert compare_table([]) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("target_precision", 0),
        ("target_precision", 1.5),
        ("target_precision", math.nan),
        ("target_precision", True),
        ("target_precision", "0.9"),
        ("target_recall", -0.1),
        ("target_recall", None),
    ],
)
def test_bad_targets_are_value_errors_naming_them(trained, name, value):
    with pytest.raises(ValueError, match=name):
        compare_table([trained[1]["logistic"]], **{name: value})


def test_bad_results_are_value_errors(trained):
    logistic = trained[1]["logistic"]
    with pytest.raises(ValueError, match=r"results\[1\].*appears twice"):
        compare_table([logistic, logistic])
    with pytest.raises(ValueError, match=r"results\[0\] must be a ModelResult.*dict"):
        compare_table([{"key": "x"}])
    with pytest.raises(ValueError, match="sequence"):
        compare_table(logistic)
    other_digit = synthetic("m", logistic.cv_scores, ~logistic.y_true)
    with pytest.raises(ValueError, match=r"results\[1\] \(model 'm'\) was scored on other"):
        compare_table([logistic, other_digit])
    with pytest.raises(ValueError, match="model 'bad'.*finite"):
        compare_table([synthetic("bad", [0.1, math.nan], [0, 1])])
    with pytest.raises(ValueError, match="model 'short'.*same shape"):
        compare_table([synthetic("short", [0.1, 0.2], [0, 1, 1])])


# --------------------------------------------------------------------------- the charts


def figure_json(figure) -> dict:
    return json.loads(figure.to_json())


def test_overlay_charts_name_each_model_with_its_auc_and_ap(trained):
    curves = {MODELS[m].label: model_curves(trained[1][m]) for m in ("sgd", "forest")}
    roc = figure_json(
        roc_overlay_figure(
            {name: c.roc_curve for name, c in curves.items()},
            score_labels={name: c.result.score_label for name, c in curves.items()},
            marks={"Random forest": 0.5},
        )
    )
    names = [trace["name"] for trace in roc["data"]]
    for name, c in curves.items():
        assert f"{name} (AUC {roc_auc_score(c.result.y_true, c.result.cv_scores):.3f})" in names
    assert "Random forest: operating point" in names
    forest_trace = next(t for t in roc["data"] if t["name"].startswith("Random forest (AUC"))
    assert "(probability)" in forest_trace["hovertemplate"]
    pr = figure_json(
        precision_recall_overlay_figure(
            {name: c.pr_curve for name, c in curves.items()}, target_precision=0.9
        )
    )
    names = [trace["name"] for trace in pr["data"]]
    for name, c in curves.items():
        ap = average_precision_score(c.result.y_true, c.result.cv_scores)
        assert f"{name} (AP {ap:.3f})" in names
    assert "Precision 90%" in names


def test_overlay_charts_mark_the_operating_point_on_each_curve(trained):
    c = model_curves(trained[1]["logistic"])
    [row] = compare_table([c])
    pr = precision_recall_overlay_figure(
        {"L": c.pr_curve}, marks={"L": row.threshold_for_precision}
    )
    mark = next(t for t in pr.data if t.name == "L: operating point")
    assert mark.x[0] == pytest.approx(row.recall_at_precision, rel=1e-6)
    assert mark.y[0] >= 0.9 - 1e-6


def test_overlay_charts_reject_bad_input(trained):
    c = model_curves(trained[1]["logistic"])
    with pytest.raises(ValueError, match=r"curves\['L'\] must be a RocCurve"):
        roc_overlay_figure({"L": c.pr_curve})
    with pytest.raises(ValueError, match="curves must map"):
        precision_recall_overlay_figure([c.pr_curve])
    with pytest.raises(ValueError, match="without a curve"):
        roc_overlay_figure({"L": c.roc_curve}, marks={"M": 0.0})
    with pytest.raises(ValueError, match="NaN"):
        roc_overlay_figure({"L": c.roc_curve}, marks={"L": math.nan})
    with pytest.raises(ValueError, match="target_precision"):
        precision_recall_overlay_figure({"L": c.pr_curve}, target_precision=1.2)
