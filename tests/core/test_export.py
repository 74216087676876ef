"""core.export: the model file (zip of a card, plain parameters and a pickle) and its loader.

Unit tests use the detector trained on scikit-learn's small digits (the fallback set: fast);
the round trip on the real MNIST 5-detector shares the session's training.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import os
import pickle
import zipfile

import numpy as np
import pytest
import sklearn
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.utils.validation import check_is_fitted

from core import export
from core.data import load_fallback_dataset
from core.detector import notebook_decision, train_detector
from core.export import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ModelFileError,
    build_classifier,
    export_file_name,
    export_model,
    load_model,
    model_card,
)

CREATED = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def digits():
    return load_fallback_dataset()


@pytest.fixture(scope="module")
def detector(digits, tmp_path_factory):
    return train_detector(digits, digit=5, cache_dir=tmp_path_factory.mktemp("export-cache"))


@pytest.fixture(scope="module")
def threshold(detector):
    # One of the cross-validated scores, as the trade-off page's pickers choose them.
    return float(np.sort(detector.cv_scores)[-150])


@pytest.fixture(scope="module")
def model_file(detector, digits, threshold):
    return export_model(detector, threshold=threshold, dataset=digits, created=CREATED)


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_card(members: dict[str, bytes], **changes) -> dict[str, bytes]:
    card = json.loads(members["model_card.json"])
    card.update(changes)
    return {**members, "model_card.json": json.dumps(card).encode()}


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def replace_member(members, name: str, data: bytes, *, fix_checksum: bool) -> dict[str, bytes]:
    members = {**members, name: data}
    if fix_checksum:
        card = json.loads(members["model_card.json"])
        card["files"][name] = hashlib.sha256(data).hexdigest()
        members["model_card.json"] = json.dumps(card).encode()
    return members


# --------------------------------------------------------------------------------------------
# The scikit-learn classifier
# --------------------------------------------------------------------------------------------


def test_classifier_wraps_the_fitted_model_without_refitting(detector, threshold):
    coef = detector.model.coef_.copy()
    classifier = build_classifier(detector, threshold=threshold)
    assert isinstance(classifier, FixedThresholdClassifier)
    check_is_fitted(classifier)
    assert classifier.estimator_.estimator is detector.model
    np.testing.assert_array_equal(detector.model.coef_, coef)
    assert classifier.classes_.tolist() == [False, True]
    assert classifier.threshold == threshold


def test_classifier_predicts_score_at_or_above_threshold(detector, digits):
    X = digits.images.astype(np.float64)
    scores = detector.model.decision_function(X)
    threshold = float(np.sort(scores)[-150])  # one of the scores, to test equality
    classifier = build_classifier(detector, threshold=threshold)
    np.testing.assert_array_equal(classifier.decision_function(X), scores)
    np.testing.assert_array_equal(classifier.predict(X), scores >= threshold)
    # Where a score equals the threshold the notebook's cell [12] (score > threshold) says no:
    # the export follows core.counting and scikit-learn (>=), the trade-off page's counts.
    at = np.flatnonzero(scores == threshold)
    assert at.size >= 1
    # Rows scored in the same batch as ``scores``: BLAS may round a sub-batch's last bit apart.
    predicted = classifier.predict(X)
    assert predicted[at].all()
    assert not notebook_decision(float(scores[at[0]]), threshold=threshold)
    away = scores != threshold
    expected = [notebook_decision(float(s), threshold=threshold) for s in scores[away]]
    np.testing.assert_array_equal(predicted[away], expected)


def test_nan_threshold_is_refused(detector, digits):
    with pytest.raises(ValueError, match="threshold must not be NaN"):
        build_classifier(detector, threshold=math.nan)
    with pytest.raises(ValueError, match="threshold must be a real number"):
        export_model(detector, threshold="3370", dataset=digits)


# --------------------------------------------------------------------------------------------
# The card
# --------------------------------------------------------------------------------------------


def test_card_numbers_match_an_independent_computation(detector, digits, threshold):
    card = model_card(detector, threshold=threshold, dataset=digits, created=CREATED)
    cv_pred = detector.cv_scores >= threshold
    cv = card["cross_validated"]
    assert cv["folds"] == 3
    assert cv["precision"] == precision_score(detector.y_train, cv_pred)
    assert cv["recall"] == recall_score(detector.y_train, cv_pred)
    assert cv["f1"] == pytest.approx(f1_score(detector.y_train, cv_pred), abs=1e-12)
    assert cv["tp"] == np.count_nonzero(cv_pred & detector.y_train)
    assert cv["n_samples"] == digits.n_train
    test_pred = detector.test_scores >= threshold
    assert card["test"]["precision"] == precision_score(detector.y_test, test_pred)
    assert card["test"]["recall"] == recall_score(detector.y_test, test_pred)
    assert card["test"]["n_samples"] == digits.n_test
    assert card["digit"] == 5 and card["decision_rule"] == "score >= threshold"
    assert card["data"]["fingerprint"] == digits.fingerprint
    assert card["data"]["source"] == digits.source
    assert card["input"]["image_shape"] == [8, 8]
    assert card["versions"]["scikit-learn"] == sklearn.__version__
    assert card["versions"]["numpy"] == np.__version__
    assert card["format"] == FORMAT_NAME and card["format_version"] == FORMAT_VERSION
    assert card["created"] == "2026-11-25T12:00:00+00:00"


def test_card_carries_intervals_folds_prevalence_and_cost(detector, digits, threshold):
    from core.tradeoff import tradeoff_data, tradeoff_summary

    assumptions = dict(prevalence=0.02, false_positive_cost=1.0, false_negative_cost=4.0)
    data = export_model(
        detector, threshold=threshold, dataset=digits, created=CREATED, **assumptions
    )
    card = json.loads(members_of(data)["model_card.json"])
    expected = tradeoff_summary(tradeoff_data(detector), threshold=threshold, **assumptions)
    assert card["estimates"] == expected
    assert card["estimates"]["prevalence"] == 0.02 and len(card["estimates"]["fold_recall"]) == 3
    low, high = card["estimates"]["precision_ci"]
    assert low <= card["cross_validated"]["precision"] <= high
    assert card["estimates"]["expected_cost_per_1000"] is not None


def test_card_threshold_round_trips_exactly_through_json(detector, digits):
    for value in (0.1 + 0.2, 3370.0194991439557, -1234.000000000001, 5e-324):
        card = model_card(detector, threshold=value, dataset=digits)
        assert json.loads(json.dumps(card, allow_nan=False))["threshold"] == value


def test_undefined_ratios_are_null_not_nan(detector, digits):
    above_all = float(max(detector.cv_scores.max(), detector.test_scores.max())) + 1
    card = model_card(detector, threshold=above_all, dataset=digits)
    assert card["cross_validated"]["precision"] is None  # nothing flagged: 0/0
    assert card["cross_validated"]["recall"] == 0.0
    json.dumps(card, allow_nan=False)


def same_share_by_hand(result, dataset, threshold):
    """The threshold flagging as many training digits on the final model as ``threshold``
    flags of the cross-validated scores, from scikit-learn's own decision_function."""
    final = result.model.decision_function(dataset.images[: dataset.n_train].astype(np.float64))
    k = int(np.count_nonzero(result.cv_scores >= threshold))
    return float(np.sort(final)[-k]), final


def test_the_card_says_where_the_threshold_was_chosen_and_what_to_expect(
    detector, digits, threshold
):
    card = model_card(detector, threshold=threshold, dataset=digits, created=CREATED)
    choice = card["threshold_choice"]
    assert choice["rule"] == "cross_validated" and choice["chosen_on"] == "cross-validated scores"
    assert choice["chosen_threshold"] == threshold == card["threshold"]
    assert card["cross_validated"]["threshold"] == threshold
    assert choice["expected_precision"] == card["test"]["precision"]
    assert choice["expected_recall"] == card["test"]["recall"]
    assert "chosen on cross-validated scores" in choice["note"]
    assert f"Expect precision {card['test']['precision']:.1%}" in choice["note"]
    mapped, final = same_share_by_hand(detector, digits, threshold)
    same = choice["choices"]["same_share"]
    assert same["threshold"] == pytest.approx(mapped, rel=1e-12)
    assert same["share_flagged_final_model_training"] == np.mean(final >= same["threshold"])
    flagged = detector.test_scores >= same["threshold"]
    assert same["test"]["precision"] == precision_score(detector.y_test, flagged)
    assert same["test"]["recall"] == recall_score(detector.y_test, flagged)
    assert choice["choices"]["cross_validated"]["test"] == card["test"]
    assert choice["median_score"]["cross_validated"] == np.median(detector.cv_scores)
    assert choice["median_score"]["final_model_test"] == np.median(detector.test_scores)


def test_a_same_share_export_carries_the_mapped_threshold(detector, digits, threshold):
    data = export_model(
        detector, threshold=threshold, dataset=digits, created=CREATED, rule="same_share"
    )
    card = json.loads(members_of(data)["model_card.json"])
    mapped = card["threshold_choice"]["choices"]["same_share"]["threshold"]
    assert mapped == pytest.approx(same_share_by_hand(detector, digits, threshold)[0], rel=1e-12)
    assert mapped != threshold and card["threshold"] == mapped
    assert card["threshold_choice"]["rule"] == "same_share"
    assert "same share of the training digits" in card["threshold_choice"]["note"]
    # The test figures are the carried threshold's; the cross-validated ones the chosen one's.
    flagged = detector.test_scores >= mapped
    assert card["test"]["precision"] == precision_score(detector.y_test, flagged)
    assert card["test"]["recall"] == recall_score(detector.y_test, flagged)
    assert card["threshold_choice"]["expected_recall"] == card["test"]["recall"]
    assert card["cross_validated"]["threshold"] == threshold
    cv_flagged = detector.cv_scores >= threshold
    assert card["cross_validated"]["recall"] == recall_score(detector.y_train, cv_flagged)
    assert card["estimates"]["threshold"] == threshold
    assert load_model(data).threshold == mapped
    assert pickle.loads(members_of(data)["detector.pkl"]).threshold == mapped
    default = json.loads(
        members_of(export_model(detector, threshold=threshold, dataset=digits, created=CREATED))[
            "model_card.json"
        ]
    )
    assert default["threshold"] == threshold and default["test"] != card["test"]


def test_an_unknown_rule_is_refused(detector, digits, threshold):
    with pytest.raises(ValueError, match="rule must be one of"):
        model_card(detector, threshold=threshold, dataset=digits, rule="median")


def test_card_refuses_a_detector_of_other_data(detector, digits):
    from dataclasses import replace

    other = replace(digits, fingerprint="0" * 64)
    with pytest.raises(ValueError, match="trained on other data than this dataset"):
        model_card(detector, threshold=0.0, dataset=other)


# --------------------------------------------------------------------------------------------
# The file and the round trip
# --------------------------------------------------------------------------------------------


def test_model_file_members_and_checksums(model_file):
    members = members_of(model_file)
    assert sorted(members) == sorted(export.MEMBERS)
    card = json.loads(members["model_card.json"])
    for name, digest in card["files"].items():
        assert hashlib.sha256(members[name]).hexdigest() == digest
    assert b"Unpickling" in members["README.txt"]


def test_same_inputs_give_the_same_bytes(detector, digits, threshold, model_file):
    again = export_model(detector, threshold=threshold, dataset=digits, created=CREATED)
    assert again == model_file


def test_round_trip_gives_the_same_scores_and_decisions(model_file, detector, digits, threshold):
    loaded = load_model(model_file)
    assert (loaded.digit, loaded.threshold, loaded.image_shape) == (5, threshold, (8, 8))
    X = digits.images
    scores = detector.model.decision_function(X.astype(np.float64))
    np.testing.assert_array_equal(loaded.decision_function(X), scores)
    np.testing.assert_array_equal(loaded.predict(X), scores >= threshold)
    # The test may unpickle its own export: the Python-side classifier agrees too.
    classifier = pickle.loads(members_of(model_file)["detector.pkl"])
    np.testing.assert_array_equal(classifier.decision_function(X.astype(np.float64)), scores)
    np.testing.assert_array_equal(classifier.predict(X.astype(np.float64)), loaded.predict(X))
    assert not loaded.coef.flags.writeable


def test_loaded_model_flags_a_score_equal_to_the_threshold(detector, digits):
    scores = detector.model.decision_function(digits.images.astype(np.float64))
    at = int(np.argsort(scores)[-100])
    loaded = load_model(export_model(detector, threshold=float(scores[at]), dataset=digits))
    assert loaded.predict(digits.images[at : at + 1]).tolist() == [True]
    assert np.count_nonzero(loaded.predict(digits.images)) == np.count_nonzero(scores >= scores[at])


def test_load_from_a_path(model_file, tmp_path):
    path = tmp_path / "detector.zip"
    path.write_bytes(model_file)
    assert load_model(path).card == load_model(model_file).card
    assert load_model(str(path)).digit == 5


def test_infinite_threshold_round_trips(detector, digits):
    data = export_model(detector, threshold=math.inf, dataset=digits)
    assert json.loads(members_of(data)["model_card.json"])["threshold"] == "inf"
    loaded = load_model(data)
    assert loaded.threshold == math.inf
    assert not loaded.predict(digits.images).any()
    assert export_file_name(digit=5, threshold=math.inf) == "detector-digit5-thresholdinf.zip"


def test_file_name():
    name = export_file_name(digit=5, threshold=3370.0194991439557)
    assert name == "detector-digit5-threshold3370.02.zip"
    assert export_file_name(digit=3, threshold=-12.5) == "detector-digit3-threshold-12.50.zip"


def test_loaded_model_checks_its_input(model_file):
    loaded = load_model(model_file)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 64\), got \(3, 784\)"):
        loaded.decision_function(np.zeros((3, 784)))


# --------------------------------------------------------------------------------------------
# Files that are not ours, or damaged
# --------------------------------------------------------------------------------------------


def test_random_bytes_are_not_a_model_file():
    with pytest.raises(ModelFileError, match="^not a Threshold Explorer model file: not a zip"):
        load_model(b"\x89PNG\r\n\x1a\n not a model")


def test_zip_without_card(model_file):
    members = members_of(model_file)
    del members["model_card.json"]
    with pytest.raises(ModelFileError, match="not a Threshold Explorer model file: it has no"):
        load_model(rezip(members))


def test_card_of_another_format(model_file):
    members = with_card(members_of(model_file), format="some-other-tool")
    with pytest.raises(ModelFileError, match="does not name the format"):
        load_model(rezip(members))
    for card in (b"\xff not json", b"[" * 100_000 + b"]" * 100_000):
        members = {**members_of(model_file), "model_card.json": card}
        with pytest.raises(ModelFileError, match="model_card.json is not JSON"):
            load_model(rezip(members))


def test_newer_format_version(model_file):
    with pytest.raises(ModelFileError, match="format version 2; this Threshold Explorer reads"):
        load_model(rezip(with_card(members_of(model_file), format_version=2)))


def test_unexpected_member(model_file):
    members = {**members_of(model_file), "payload.pkl": b"anything"}
    with pytest.raises(ModelFileError, match="unexpected member 'payload.pkl'"):
        load_model(rezip(members))


def test_tampered_parameters_fail_the_checksum(model_file):
    members = members_of(model_file)
    coef = np.load(io.BytesIO(members["coef.npy"]))
    members = replace_member(members, "coef.npy", npy(coef * 2), fix_checksum=False)
    with pytest.raises(ModelFileError, match="^damaged: checksum of coef.npy does not match$"):
        load_model(rezip(members))


def test_wrong_shape_or_dtype_is_damaged_even_with_a_matching_checksum(model_file):
    members = members_of(model_file)
    wrong = replace_member(members, "coef.npy", npy(np.zeros((1, 784))), fix_checksum=True)
    with pytest.raises(ModelFileError, match=r"damaged: coef.npy should be float64 \(1, 64\)"):
        load_model(rezip(wrong))
    wrong = replace_member(
        members, "intercept.npy", npy(np.zeros(1, np.float32)), fix_checksum=True
    )
    with pytest.raises(ModelFileError, match="damaged: intercept.npy should be float64"):
        load_model(rezip(wrong))
    wrong = replace_member(members, "classes.npy", npy(np.array([True, False])), fix_checksum=True)
    with pytest.raises(ModelFileError, match="damaged: classes are"):
        load_model(rezip(wrong))


def test_bad_card_fields_are_damaged(model_file):
    members = members_of(model_file)
    for changes, message in [
        ({"digit": 11}, "digit is 11"),
        ({"digit": True}, "digit is True"),
        ({"threshold": "NaN"}, "threshold is 'NaN'"),
        ({"threshold": 10**400}, "threshold is 1000"),
        ({"input": {"image_shape": [8, -8]}}, "input.image_shape"),
        ({"input": "28x28"}, "input.image_shape"),
        ({"files": {}}, "the card's list of files"),
    ]:
        with pytest.raises(ModelFileError, match=f"^damaged: {message}"):
            load_model(rezip(with_card(members, **changes)))


def test_loading_never_unpickles(model_file, tmp_path):
    """Pickles inside the archive (as a member or inside an .npy) are never executed."""
    marker = tmp_path / "unpickled"

    class Trap:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    members = members_of(model_file)
    trapped = replace_member(members, "detector.pkl", pickle.dumps(Trap()), fix_checksum=True)
    assert load_model(rezip(trapped)).digit == 5  # the pickle member is only checksummed
    object_array = np.array([Trap()], dtype=object)
    trapped = replace_member(members, "coef.npy", npy(object_array), fix_checksum=True)
    with pytest.raises(ModelFileError, match="damaged: coef.npy should be float64 .*is object"):
        load_model(rezip(trapped))
    assert not marker.exists()
    pickle.loads(pickle.dumps(Trap()))  # the trap does spring when unpickled
    assert marker.exists()


def test_oversized_file_and_members_are_refused_unread(model_file, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(ModelFileError, match="not a Threshold Explorer model file: .* far too"):
        load_model(model_file)
    monkeypatch.setattr(export, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.zip"
    path.write_bytes(model_file)
    with pytest.raises(ModelFileError, match="far more than a model file"):
        load_model(path)


# --------------------------------------------------------------------------------------------
# The real detector
# --------------------------------------------------------------------------------------------

THRESHOLD_90 = 3370.0194991439557  # the notebook's cell [14]
PRECISION_90 = 0.9000345901072293
RECALL_90 = 0.4799852425751706


@pytest.mark.mnist
def test_mnist_round_trip(mnist_dir, shared_cache_dir):
    from core.data import load_dataset

    mnist = load_dataset(data_dir=mnist_dir)
    result = train_detector(mnist, digit=5, cache_dir=shared_cache_dir)
    data = export_model(result, threshold=THRESHOLD_90, dataset=mnist)
    card = json.loads(members_of(data)["model_card.json"])
    assert card["threshold"] == THRESHOLD_90
    assert card["cross_validated"]["precision"] == PRECISION_90
    assert card["cross_validated"]["recall"] == RECALL_90
    loaded = load_model(data)
    test_images = mnist.images[mnist.n_train :]
    np.testing.assert_array_equal(loaded.decision_function(test_images), result.test_scores)
    decisions = loaded.predict(test_images)
    np.testing.assert_array_equal(decisions, result.test_scores >= THRESHOLD_90)
    assert card["test"]["tp"] == np.count_nonzero(decisions & result.y_test)
    classifier = pickle.loads(members_of(data)["detector.pkl"])
    np.testing.assert_array_equal(classifier.predict(test_images.astype(np.float64)), decisions)


@pytest.mark.mnist
def test_mnist_same_share_export(mnist_dir, shared_cache_dir):
    from core.data import load_dataset

    mnist = load_dataset(data_dir=mnist_dir)
    result = train_detector(mnist, digit=5, cache_dir=shared_cache_dir)
    data = export_model(result, threshold=THRESHOLD_90, dataset=mnist, rule="same_share")
    card = json.loads(members_of(data)["model_card.json"])
    final = result.model.decision_function(mnist.images[: mnist.n_train])
    k = int(np.count_nonzero(result.cv_scores >= THRESHOLD_90))
    mapped = float(np.sort(final)[-k])
    assert card["threshold"] == mapped
    flagged = result.test_scores >= mapped
    assert card["test"]["precision"] == precision_score(result.y_test, flagged)
    assert card["test"]["recall"] == recall_score(result.y_test, flagged)
    assert card["cross_validated"]["precision"] == PRECISION_90
    assert card["cross_validated"]["recall"] == RECALL_90
    np.testing.assert_array_equal(load_model(data).predict(mnist.images[mnist.n_train :]), flagged)
