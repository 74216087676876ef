"""The explorer's payload (core.explorer): its layout, its numbers and its curves."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from core.counting import build_score_index, metrics_at
from core.explorer import (
    ExplorerNouns,
    array_names,
    decode_payload,
    detector_nouns,
    encode_payload,
    explorer_payload,
    scored_set_nouns,
)
from core.groups import group_indexes
from core.scored_set import NO_GROUP, scored_set
from core.tradeoff import scored_tradeoff_data, tradeoff_data

FIVE = detector_nouns(5)


def detector(n: int = 3000, *, seed: int = 0, positives: bool = True, negatives: bool = True):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.2
    if not positives:
        y[:] = False
    if not negatives:
        y[:] = True
    scores = np.round(rng.normal(0, 1000, n) + 1500 * y, 1)  # ties, as real scores have
    return SimpleNamespace(
        digit=5,
        fingerprint="synthetic",
        y_train=y,
        cv_scores=scores,
        fold_ids=np.arange(n) % 3,
        y_test=y[: n // 3],
        test_scores=scores[: n // 3] + 7,
    )


def counts_from_payload(arrays, prefix: str, threshold: float) -> tuple[int, int, int, int]:
    """The browser's rule, in numpy: flagged when score >= threshold, by binary search."""
    positive, negative = arrays[f"{prefix}_positive"], arrays[f"{prefix}_negative"]
    fn = int(positive.searchsorted(threshold, side="left"))
    tn = int(negative.searchsorted(threshold, side="left"))
    return positive.size - fn, negative.size - tn, fn, tn


def test_the_payload_round_trips_and_counts_like_metrics_at():
    data = tradeoff_data(detector())
    payload = explorer_payload(data, nouns=FIVE)
    blob = encode_payload(payload)
    header, arrays = decode_payload(blob)
    names = array_names(3)
    assert header["nouns"]["positive"] == "5s" and header["nouns"]["subject"] == "the 5-detector"
    assert header["has_folds"] and header["has_test"] and header["groups"] == []
    assert [a["name"] for a in header["arrays"]] == list(names)
    assert header["folds"] == 3 and header["z"] == pytest.approx(1.959964, abs=1e-6)
    assert all(a["offset"] % 8 == 0 for a in header["arrays"])  # Float64Array views need it
    for name in names:
        np.testing.assert_array_equal(arrays[name], payload.arrays[name])
    for prefix in ("cv", "test", "fold0", "fold1", "fold2"):
        for kind in ("positive", "negative"):
            assert np.all(np.diff(arrays[f"{prefix}_{kind}"]) >= 0)  # sorted
    assert payload.n_scores == data.cv_index.n_samples
    probes = [*data.cv_index.thresholds[::97], -math.inf, math.inf, 1e9, -1e9, 3.25]
    for threshold in probes:
        m = metrics_at(data.cv_index, threshold=threshold)
        assert counts_from_payload(arrays, "cv", threshold) == (m.tp, m.fp, m.fn, m.tn)
        t = metrics_at(data.test_index, threshold=threshold)
        assert counts_from_payload(arrays, "test", threshold) == (t.tp, t.fp, t.fn, t.tn)
        for k, fold in enumerate(data.folds):
            f = metrics_at(fold, threshold=threshold)
            assert counts_from_payload(arrays, f"fold{k}", threshold) == (f.tp, f.fp, f.fn, f.tn)


def test_the_folds_travel_once_and_pool_to_the_cross_validated_scores():
    data = tradeoff_data(detector())
    blob = encode_payload(explorer_payload(data, nouns=FIVE))
    _, arrays = decode_payload(blob)
    scores = data.cv_index.sorted_scores
    np.testing.assert_array_equal(arrays["cv_positive"], scores[data.cv_index.positive_ranks])
    np.testing.assert_array_equal(arrays["cv_negative"], scores[data.cv_index.negative_ranks])
    # The pooled scores are not in the bytes a second time: about 8 bytes per score, once.
    arrays_bytes = sum(a.nbytes for name, a in arrays.items() if not name.startswith("cv_"))
    assert len(blob) < arrays_bytes + 2000
    assert sum(arrays[f"fold{k}_positive"].size for k in range(3)) == data.cv_index.n_pos


def test_curves_are_thinned_for_drawing_but_keep_their_exact_thresholds():
    data = tradeoff_data(detector(20_000))
    arrays = explorer_payload(data, nouns=detector_nouns(3), max_points=300).arrays
    for kind in ("vt", "pr", "roc"):
        assert 2 <= arrays[f"{kind}_threshold"].size <= 300
    pr = data.pr_curve
    at = pr.thresholds.searchsorted(arrays["pr_threshold"])
    np.testing.assert_array_equal(pr.thresholds[at], arrays["pr_threshold"])
    np.testing.assert_array_equal(pr.precision[at], arrays["pr_precision"])
    assert arrays["roc_threshold"][0] == math.inf  # the ROC starts at "flag nothing"


def test_the_same_detector_gives_the_same_bytes_and_another_a_new_id():
    first = encode_payload(explorer_payload(tradeoff_data(detector()), nouns=FIVE))
    again = encode_payload(explorer_payload(tradeoff_data(detector()), nouns=FIVE))
    other = encode_payload(explorer_payload(tradeoff_data(detector(seed=1)), nouns=FIVE))
    assert first == again  # Streamlit's message cache then serves every rerun
    assert decode_payload(first)[0]["id"] != decode_payload(other)[0]["id"]


@pytest.mark.parametrize("which", ["positives", "negatives"])
def test_one_class_only_gives_empty_arrays_and_null_areas(which):
    result = detector(positives=which == "positives", negatives=which == "negatives")
    header, arrays = decode_payload(
        encode_payload(explorer_payload(tradeoff_data(result), nouns=detector_nouns(1)))
    )
    missing = "positive" if which == "negatives" else "negative"
    assert arrays[f"cv_{missing}"].size == 0
    assert header["auc"] is None  # NaN travels as null


@pytest.mark.parametrize("digit", [-1, 10, 2.0, True, "5"])
def test_a_bad_digit_is_named(digit):
    with pytest.raises(ValueError, match="digit"):
        detector_nouns(digit)


def test_nouns_are_required_and_checked():
    with pytest.raises(ValueError, match="nouns must be an ExplorerNouns"):
        explorer_payload(tradeoff_data(detector()), nouns={"positive": "5s"})
    fields = {**FIVE.__dict__, "positive": " "}
    with pytest.raises(ValueError, match="positive must be a non-empty string"):
        ExplorerNouns(**fields)
    with pytest.raises(ValueError, match="fold_labels"):
        ExplorerNouns(**{**FIVE.__dict__, "fold_labels": ["fold 1"]})
    two_labels = ExplorerNouns(**{**FIVE.__dict__, "fold_labels": ("fold a", "fold b")})
    with pytest.raises(ValueError, match="fold_labels must name each of the 3 folds"):
        explorer_payload(tradeoff_data(detector()), nouns=two_labels)


def test_the_id_changes_with_the_nouns_not_only_with_the_scores():
    data = tradeoff_data(detector())
    five = decode_payload(encode_payload(explorer_payload(data, nouns=FIVE)))[0]
    three = decode_payload(encode_payload(explorer_payload(data, nouns=detector_nouns(3))))[0]
    assert five["id"] != three["id"]  # the browser builds a new explorer, with the new words


def test_decode_rejects_what_is_not_a_payload():
    with pytest.raises(ValueError, match="TXP1"):
        decode_payload(b"hello world")


@pytest.mark.parametrize(
    "kind", ["mixed", "positives only", "negatives only", "all tied", "one score each"]
)
def test_the_curves_are_the_exact_ones_without_scikit_learn(kind):
    """Unthinned, the payload's curves are precision_recall_curve_exact's and roc_curve_exact's,
    bit for bit, and so are average precision and AUC."""
    result = {
        "mixed": detector(5000),
        "positives only": detector(positives=True, negatives=False),
        "negatives only": detector(positives=False, negatives=True),
        "one score each": detector(50, seed=3),
    }.get(kind)
    if kind == "all tied":
        result = detector(40)
        result.cv_scores = np.full(40, 2.5)
    data = tradeoff_data(result)
    payload = explorer_payload(data, nouns=FIVE, max_points=10**6)
    arrays, pr, roc = payload.arrays, data.pr_curve, data.roc_curve
    for mine, theirs in (
        ("pr_threshold", pr.thresholds),
        ("pr_precision", pr.precision),
        ("pr_recall", pr.recall),
        ("vt_precision", pr.precision),
        ("roc_threshold", roc.thresholds),
        ("roc_fpr", roc.fpr),
        ("roc_tpr", roc.tpr),
    ):
        np.testing.assert_array_equal(arrays[mine], theirs, err_msg=mine)
    same = lambda a, b: (math.isnan(a) and math.isnan(b)) or a == b  # noqa: E731
    assert same(payload.average_precision, pr.average_precision)
    assert same(payload.auc, roc.auc)


# --- any scored set: no folds, no test rows, groups ------------------------------------------


def generated_set(n: int = 2000, *, seed: int = 4, folds: bool = False, test: bool = False):
    """A seeded scored set with ties, four groups (rows outside every group too)."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    scores = np.round(rng.normal(0, 1, n) + 1.1 * y, 2)
    groups = rng.integers(NO_GROUP, 4, n)
    is_test = rng.random(n) < 0.25 if test else None
    fold_ids = None
    if folds:
        fold_ids = rng.integers(0, 4, n)
        if is_test is not None:
            fold_ids[is_test] = -1
    return scored_set(
        name="scores.csv",
        y_true=y,
        scores=scores,
        positive_label="fraud",
        negative_label="ok",
        is_test=is_test,
        fold_ids=fold_ids,
        fold_names=("A", "B", "C", "D") if folds else (),
        group_ids=groups,
        group_names=("w", "x", "y", "z"),
    )


def test_a_set_without_folds_or_test_travels_as_one_block_with_its_groups():
    scored = generated_set()
    data = scored_tradeoff_data(scored)
    assert data.test_index is None and data.folds == ()
    groups = group_indexes(scored)
    payload = explorer_payload(data, nouns=scored_set_nouns(scored), groups=groups)
    header, arrays = decode_payload(encode_payload(payload))
    assert header["has_folds"] is False and header["has_test"] is False
    assert header["folds"] == 1 and payload.n_scores == scored.n_rows
    assert header["groups"] == ["w", "x", "y", "z"]
    assert [a["name"] for a in header["arrays"]] == list(array_names(1, 4))
    assert arrays["test_positive"].size == arrays["test_negative"].size == 0
    np.testing.assert_array_equal(
        arrays["cv_positive"], np.sort(scored.scores[scored.y_true], kind="stable")
    )
    np.testing.assert_array_equal(
        arrays["cv_negative"], np.sort(scored.scores[~scored.y_true], kind="stable")
    )
    probes = [*data.cv_index.thresholds[::37], -math.inf, math.inf, 0.005]
    for g in range(4):
        rows = scored.group_ids == g
        index = build_score_index(y_true=scored.y_true[rows], scores=scored.scores[rows])
        for kind, label in (("positive", True), ("negative", False)):
            mine = arrays[f"group{g}_{kind}"]
            np.testing.assert_array_equal(
                mine, np.sort(scored.scores[rows & (scored.y_true == label)])
            )
        for threshold in probes:
            m = metrics_at(index, threshold=threshold)
            assert counts_from_payload(arrays, f"group{g}", threshold) == (m.tp, m.fp, m.fn, m.tn)
    nouns = header["nouns"]
    assert nouns["positive"] == "rows labelled fraud" and nouns["items"] == "rows"
    assert nouns["curve_figures"] == "other rows'" and nouns["fold_labels"] == []
    assert "fold" not in nouns["curve_basis"]


def test_a_set_with_test_rows_and_folds_from_a_file_keeps_them_and_names_its_folds():
    scored = generated_set(folds=True, test=True)
    data = scored_tradeoff_data(scored)
    nouns = scored_set_nouns(scored)
    assert nouns.fold_labels == ("fold A", "fold B", "fold C", "fold D")
    assert nouns.curve_items == "rows outside the test set"
    assert nouns.curve_figures == "cross-validated"
    header, arrays = decode_payload(encode_payload(explorer_payload(data, nouns=nouns)))
    assert header["has_folds"] and header["has_test"] and header["folds"] == 4
    assert header["groups"] == [] and not any(n.startswith("group") for n in arrays)
    test_rows = scored.test_rows
    assert arrays["test_positive"].size + arrays["test_negative"].size == test_rows.size
    t = metrics_at(data.test_index, threshold=0.5)
    assert counts_from_payload(arrays, "test", 0.5) == (t.tp, t.fp, t.fn, t.tn)


def test_groups_are_checked():
    data = scored_tradeoff_data(generated_set())
    nouns = scored_set_nouns(generated_set())
    index = data.cv_index
    with pytest.raises(ValueError, match="group names must differ"):
        explorer_payload(data, nouns=nouns, groups=(("a", index), ("a", index)))
    with pytest.raises(ValueError, match="groups must be"):
        explorer_payload(data, nouns=nouns, groups=(("a", "not an index"),))
    with pytest.raises(ValueError, match="groups must be"):
        explorer_payload(data, nouns=nouns, groups=5)
