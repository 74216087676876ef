"""The explorer's payload (core.explorer): its layout, its numbers and its curves."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from core.counting import metrics_at
from core.explorer import array_names, decode_payload, encode_payload, explorer_payload
from core.tradeoff import tradeoff_data


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
    payload = explorer_payload(data, digit=5)
    blob = encode_payload(payload)
    header, arrays = decode_payload(blob)
    names = array_names(3)
    assert header["digit"] == 5 and [a["name"] for a in header["arrays"]] == list(names)
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
    blob = encode_payload(explorer_payload(data, digit=5))
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
    arrays = explorer_payload(data, digit=3, max_points=300).arrays
    for kind in ("vt", "pr", "roc"):
        assert 2 <= arrays[f"{kind}_threshold"].size <= 300
    pr = data.pr_curve
    at = pr.thresholds.searchsorted(arrays["pr_threshold"])
    np.testing.assert_array_equal(pr.thresholds[at], arrays["pr_threshold"])
    np.testing.assert_array_equal(pr.precision[at], arrays["pr_precision"])
    assert arrays["roc_threshold"][0] == math.inf  # the ROC starts at "flag nothing"


def test_the_same_detector_gives_the_same_bytes_and_another_a_new_id():
    first = encode_payload(explorer_payload(tradeoff_data(detector()), digit=5))
    again = encode_payload(explorer_payload(tradeoff_data(detector()), digit=5))
    other = encode_payload(explorer_payload(tradeoff_data(detector(seed=1)), digit=5))
    assert first == again  # Streamlit's message cache then serves every rerun
    assert decode_payload(first)[0]["id"] != decode_payload(other)[0]["id"]


@pytest.mark.parametrize("which", ["positives", "negatives"])
def test_one_class_only_gives_empty_arrays_and_null_areas(which):
    result = detector(positives=which == "positives", negatives=which == "negatives")
    header, arrays = decode_payload(
        encode_payload(explorer_payload(tradeoff_data(result), digit=1))
    )
    missing = "positive" if which == "negatives" else "negative"
    assert arrays[f"cv_{missing}"].size == 0
    assert header["auc"] is None  # NaN travels as null


@pytest.mark.parametrize("digit", [-1, 10, 2.0, True, "5"])
def test_a_bad_digit_is_named(digit):
    with pytest.raises(ValueError, match="digit"):
        explorer_payload(tradeoff_data(detector()), digit=digit)


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
    payload = explorer_payload(data, digit=5, max_points=10**6)
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
