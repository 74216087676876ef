"""The explorer's payload (core.explorer): its layout, its numbers and its curves."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from core.counting import build_score_index, metrics_at
from core.curves import average_precision_at_prevalence
from core.drawing import PATH_POINTS
from core.explorer import (
    ACTION_MARGIN,
    COLUMNS,
    CURVE_ARRAYS,
    NEIGHBOURS,
    PAYLOAD_BUDGET,
    QUANTILES,
    ExplorerNouns,
    block_names,
    decode_payload,
    detector_nouns,
    encode_payload,
    encode_window,
    explorer_blocks,
    explorer_payload,
    explorer_window,
    ladder_counts,
    ladder_names,
    opening_domain,
    recall_band,
    scored_set_nouns,
    settings_figures,
    threshold_domain,
)
from core.groups import group_indexes
from core.pickers import threshold_for_least_cost
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


def counts_at(arrays, header, block, threshold):
    """The browser's rule, in numpy: the counts at the first ladder score at or above."""
    return ladder_counts(header, arrays, threshold=threshold, block=block)


def test_the_payload_round_trips_and_counts_like_metrics_at():
    data = tradeoff_data(detector())
    payload = explorer_payload(data, nouns=FIVE)
    blob = encode_payload(payload)
    header, arrays = decode_payload(blob)
    blocks = block_names(3, has_test=True)
    assert header["kind"] == "payload" and header["blocks"] == list(blocks)
    assert header["nouns"]["positive"] == "5s" and header["nouns"]["subject"] == "the 5-detector"
    assert header["has_folds"] and header["has_test"] and header["groups"] == []
    names = [*ladder_names(blocks), *CURVE_ARRAYS]
    assert [a["name"] for a in header["arrays"]] == names
    assert header["folds"] == 3 and header["z"] == pytest.approx(1.959964, abs=1e-6)
    assert all(a["offset"] % 8 == 0 for a in header["arrays"])  # Float64Array views need it
    for name in names:
        np.testing.assert_array_equal(arrays[name], payload.arrays[name])
    # Few distinct scores: every one of them is on the ladder, with its rank.
    np.testing.assert_array_equal(arrays["threshold"], data.cv_index.thresholds)
    np.testing.assert_array_equal(arrays["rank"], np.arange(data.cv_index.thresholds.size))
    assert header["distinct"] == data.cv_index.thresholds.size
    assert payload.n_scores == data.cv_index.n_samples
    assert header["totals"]["test"] == [data.test_index.n_pos, data.test_index.n_neg]
    probes = [*data.cv_index.thresholds[::97], -math.inf, math.inf, 1e9, -1e9, 3.25]
    for threshold in probes:
        m = metrics_at(data.cv_index, threshold=threshold)
        assert counts_at(arrays, header, None, threshold) == (m.tp, m.fp, m.fn, m.tn)
        if threshold in arrays["threshold"]:  # the test rows' own scores are not the ladder's
            t = metrics_at(data.test_index, threshold=threshold)
            assert counts_at(arrays, header, "test", threshold) == (t.tp, t.fp, t.fn, t.tn)
        for k, fold in enumerate(data.folds):
            f = metrics_at(fold, threshold=threshold)
            assert counts_at(arrays, header, f"fold{k}", threshold) == (f.tp, f.fp, f.fn, f.tn)


def many_scores(n: int, *, seed: int = 0, folds: int = 3):
    """A detector-like result of ``n`` rows whose scores are almost all distinct."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.1
    scores = rng.normal(0, 1, n) + 2.0 * y
    return SimpleNamespace(
        digit=5,
        fingerprint=f"many{n}",
        y_train=y,
        cv_scores=scores,
        fold_ids=np.arange(n) % folds,
        y_test=y[: n // 10],
        test_scores=scores[: n // 10] + 0.01,
    )


def test_the_ladder_is_real_scores_with_exact_counts_and_does_not_grow_with_the_rows():
    sizes = {}
    for n in (100_000, 1_000_000):
        data = tradeoff_data(many_scores(n))
        payload = explorer_payload(data, nouns=FIVE)
        blob = encode_payload(payload)
        sizes[n] = len(blob)
        header, arrays = decode_payload(blob)
        thresholds, ranks = arrays["threshold"], arrays["rank"].astype(np.int64)
        assert thresholds.size < data.cv_index.thresholds.size
        # Each is a real distinct score, at its rank.
        np.testing.assert_array_equal(data.cv_index.thresholds[ranks], thresholds)
        assert np.all(np.diff(thresholds) > 0)
        assert ranks[0] == 0 and ranks[-1] == header["distinct"] - 1  # both ends
        # At least one score per column across the opening view.
        low, high = header["opening"]
        inside = thresholds[(thresholds >= low) & (thresholds <= high)]
        assert inside.size >= COLUMNS * 0.9
        rng = np.random.default_rng(1)
        for at in rng.choice(thresholds.size, 25, replace=False):
            t = float(thresholds[at])
            m = metrics_at(data.cv_index, threshold=t)
            assert counts_at(arrays, header, None, t) == (m.tp, m.fp, m.fn, m.tn)
            m = metrics_at(data.test_index, threshold=t)
            assert counts_at(arrays, header, "test", t) == (m.tp, m.fp, m.fn, m.tn)
        # Between two ladder scores that are not neighbours, no count is guessed.
        gaps = np.flatnonzero(np.diff(ranks) > 1)
        middle = (thresholds[gaps[0]] + thresholds[gaps[0] + 1]) / 2
        with pytest.raises(ValueError, match="does not fix the counts"):
            counts_at(arrays, header, None, middle)
    # Ten times the rows: about the same bytes (fewer columns fall on one score), within the
    # bound of the design: both ends, the columns, the quantiles, the curves' thresholds.
    per_threshold = 8 * (2 + 2 * 4)  # threshold, rank; tp and fp of 3 folds and the test rows
    bound = per_threshold * (2 + COLUMNS + COLUMNS // 2 + QUANTILES + 3 * PATH_POINTS)
    bound += 8 * 9 * PATH_POINTS + 4096  # the drawn curves, the header
    assert sizes[1_000_000] <= bound and sizes[100_000] <= bound
    assert sizes[1_000_000] == pytest.approx(sizes[100_000], rel=0.1)


def test_a_payload_at_ten_million_rows_stays_within_its_budget():
    data = tradeoff_data(many_scores(10_000_000, folds=5))
    blob = encode_payload(explorer_payload(data, nouns=FIVE))
    assert len(blob) <= PAYLOAD_BUDGET + 100_000  # the ladder's budget, the curves and header
    header, arrays = decode_payload(blob)
    t = float(arrays["threshold"][arrays["threshold"].size // 2])
    m = metrics_at(data.cv_index, threshold=t)
    assert counts_at(arrays, header, None, t) == (m.tp, m.fp, m.fn, m.tn)


def test_many_groups_mean_fewer_columns_not_more_bytes():
    scored = generated_set(60_000, many_groups=40)
    data = scored_tradeoff_data(scored)
    groups = group_indexes(scored)
    payload = explorer_payload(data, nouns=scored_set_nouns(scored), groups=groups, budget=400_000)
    ladder_bytes = sum(payload.arrays[n].nbytes for n in ladder_names(payload.blocks))
    assert ladder_bytes <= 400_000
    header, arrays = decode_payload(encode_payload(payload))
    for g, (_, index) in enumerate(groups):
        t = float(arrays["threshold"][g * 7])
        m = metrics_at(index, threshold=t)
        assert counts_at(arrays, header, f"group{g}", t) == (m.tp, m.fp, m.fn, m.tn)


def test_a_window_has_every_neighbouring_score_and_one_per_column_of_its_view():
    data = tradeoff_data(many_scores(300_000))
    payload = explorer_payload(data, nouns=FIVE)
    header, _ = decode_payload(encode_payload(payload))
    everything = data.cv_index.thresholds
    t = float(everything[123_456]) + 1e-12  # between two scores
    window = explorer_window(
        explorer_blocks(data), view=(0.5, 0.5001), columns=300, threshold=t, neighbours=40
    )
    blob = encode_window(window, payload_id=header["id"], seq=7, blocks=header["blocks"])
    whead, arrays = decode_payload(blob)
    assert whead["kind"] == "window" and whead["id"] == header["id"] and whead["seq"] == 7
    ranks = arrays["rank"].astype(np.int64)
    np.testing.assert_array_equal(everything[ranks], arrays["threshold"])
    at = int(everything.searchsorted(t))
    assert set(range(at - 40, at + 41)) <= set(ranks.tolist())  # every neighbour, both sides
    m = metrics_at(data.cv_index, threshold=t)
    assert counts_at(arrays, header, None, t) == (m.tp, m.fp, m.fn, m.tn)  # bracketed: exact
    # The test rows' scores are not the curve rows': between two of those only the window's
    # own counts at t are theirs.
    with pytest.raises(ValueError, match="does not fix"):
        counts_at(arrays, header, "test", t)
    m = metrics_at(data.test_index, threshold=t)
    at = {"threshold": t, **window.at}
    assert ladder_counts(header, arrays, threshold=t, block="test", at=at) == (
        m.tp,
        m.fp,
        m.fn,
        m.tn,
    )
    assert whead["at"] == window.at
    inside = (everything >= 0.5) & (everything <= 0.5001)
    shown = arrays["threshold"][(arrays["threshold"] >= 0.5) & (arrays["threshold"] <= 0.5001)]
    assert shown.size >= min(int(inside.sum()), 300) * 0.6
    for block, index in (("fold1", data.folds[1]), ("test", data.test_index)):
        for k in (0, ranks.size - 1):
            s = float(arrays["threshold"][k])
            m = metrics_at(index, threshold=s)
            assert counts_at(arrays, header, block, s) == (m.tp, m.fp, m.fn, m.tn)
    # Its size is bounded whatever the rows: the columns are clipped.
    big = explorer_window(explorer_blocks(data), view=(-5.0, 5.0), columns=10**6, threshold=0.0)
    assert big.arrays["threshold"].size <= COLUMNS + 2 * NEIGHBOURS + 3


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"view": (2.0, 1.0)}, "view"),
        ({"view": (0.0, math.inf)}, "view"),
        ({"view": "ab"}, "view"),
        ({"columns": 0}, "columns"),
        ({"threshold": math.nan}, "threshold"),
        ({"neighbours": -1}, "neighbours"),
    ],
)
def test_a_bad_window_request_is_named(arguments, match):
    with pytest.raises(ValueError, match=match):
        explorer_window(explorer_blocks(tradeoff_data(detector())), **arguments)


def test_the_axis_opens_where_the_recall_runs_from_99_to_1_percent():
    positives = np.arange(1000, 2000.0)
    negatives = np.sort(np.arange(-9000, 0.0) + np.where(np.arange(9000) > 8990, 1500, 0))
    scores = np.concatenate((positives, negatives))
    y = np.arange(scores.size) < positives.size
    index = build_score_index(y_true=y, scores=scores)
    assert recall_band(index) == (1010.0, 1990.0)
    full = threshold_domain(-9000.0, 1999.0)
    pad = 980 * ACTION_MARGIN
    assert opening_domain(index, full) == (1010 - pad, min(1990 + pad, full[1]))
    # Without a band (fewer than two positives, or one score) the axis shows every score.
    one = build_score_index(y_true=np.array([True, False]), scores=np.array([3.0, 0.0]))
    assert opening_domain(one, (0.0, 10.0)) == (0.0, 10.0)
    tied = build_score_index(y_true=np.array([True] * 3), scores=np.full(3, 3.0))
    assert opening_domain(tied, (0.0, 10.0)) == (0.0, 10.0)
    # A fiftieth of the range either side, or one unit when every score is the same.
    assert threshold_domain(-100.0, 100.0) == (-104.0, 104.0)
    assert threshold_domain(3.0, 3.0) == (2.0, 4.0)


def test_on_the_fallback_set_every_digits_axis_opens_where_recall_is_1_to_99_percent():
    """Most of the opening view's pixel columns (300, 441, 900 of them) fall where the recall
    runs from 99% to 1%, and more than across every score (tests/js/fixtures/
    fallback_scores.json: each digit's cross-validated positive scores on the fallback set)."""
    path = Path(__file__).resolve().parents[1] / "js" / "fixtures" / "fallback_scores.json"
    fixture = json.loads(path.read_text())
    assert len(fixture["digits"]) == 10

    def share(domain, positives, columns):
        middles = domain[0] + (np.arange(columns) + 0.5) / columns * (domain[1] - domain[0])
        recall = (positives.size - positives.searchsorted(middles, side="left")) / positives.size
        return float(np.mean((recall >= 0.01) & (recall <= 0.99)))

    for digit in fixture["digits"]:
        positives = np.sort(np.asarray(digit["positive"], dtype=float))
        index = build_score_index(y_true=np.ones(positives.size, bool), scores=positives)
        full = threshold_domain(digit["low"], digit["high"])
        opening = opening_domain(index, full)
        for columns in (300, 441, 900):
            assert share(opening, positives, columns) >= 0.8, (digit["digit"], columns)
            assert share(opening, positives, columns) > share(full, positives, columns)


def test_the_settings_figures_are_the_pickers_and_the_curves():
    data = tradeoff_data(detector())
    plain = settings_figures(data)
    assert plain.average_precision == data.pr_curve.average_precision
    assert plain.least_cost_threshold is None and plain.least_cost is None
    shifted = settings_figures(data, prevalence=0.05, fp_cost=1.0, fn_cost=5.0)
    assert shifted.average_precision == average_precision_at_prevalence(
        data.cv_index, prevalence=0.05
    )
    choice = threshold_for_least_cost(
        data.cv_index, false_positive_cost=1.0, false_negative_cost=5.0, prevalence=0.05
    )
    assert shifted.least_cost_threshold == choice.threshold
    assert shifted.least_cost == choice.value * 1000
    sample = settings_figures(data, fp_cost=2.0, fn_cost=1.0)
    choice = threshold_for_least_cost(
        data.cv_index, false_positive_cost=2.0, false_negative_cost=1.0
    )
    assert sample.least_cost == choice.value * (1000 / data.cv_index.n_samples)
    assert settings_figures(data, fp_cost=0.0, fn_cost=0.0).least_cost is None
    none = tradeoff_data(detector(positives=False))
    assert math.isnan(settings_figures(none, prevalence=0.1).average_precision)


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
    missing = 0 if which == "negatives" else 1
    assert header["totals"]["fold0"][missing] == 0
    assert not np.any(arrays[f"fold0_{'tp' if missing == 0 else 'fp'}"])
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
    with pytest.raises(ValueError, match="TXP2"):
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


def generated_set(
    n: int = 2000, *, seed: int = 4, folds: bool = False, test: bool = False, many_groups: int = 0
):
    """A seeded scored set with ties, four groups (rows outside every group too)."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    scores = np.round(rng.normal(0, 1, n) + 1.1 * y, 2 if not many_groups else 6)
    n_groups = many_groups or 4
    groups = rng.integers(NO_GROUP, n_groups, n)
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
        group_names=tuple(f"g{g}" for g in range(n_groups))
        if many_groups
        else ("w", "x", "y", "z"),
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
    assert header["blocks"] == ["fold0", "group0", "group1", "group2", "group3"]
    assert [a["name"] for a in header["arrays"]][:4] == [
        "threshold",
        "rank",
        "fold0_tp",
        "fold0_fp",
    ]
    probes = [*data.cv_index.thresholds[::37], -math.inf, math.inf, 0.005]
    for g in range(4):
        rows = scored.group_ids == g
        index = build_score_index(y_true=scored.y_true[rows], scores=scored.scores[rows])
        assert header["totals"][f"group{g}"] == [index.n_pos, index.n_neg]
        for threshold in probes:
            m = metrics_at(index, threshold=threshold)
            assert counts_at(arrays, header, f"group{g}", threshold) == (m.tp, m.fp, m.fn, m.tn)
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
    assert sum(header["totals"]["test"]) == scored.test_rows.size
    t = metrics_at(data.test_index, threshold=0.5)
    assert counts_at(arrays, header, "test", 0.5) == (t.tp, t.fp, t.fn, t.tn)


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


def test_a_window_needs_the_blocks_of_its_set():
    with pytest.raises(ValueError, match="blocks must be an ExplorerBlocks"):
        explorer_window(tradeoff_data(detector()), threshold=0.0)


def test_a_payload_from_blocks_already_built_is_the_same():
    data = tradeoff_data(detector())
    built = encode_payload(explorer_payload(data, nouns=FIVE, blocks=explorer_blocks(data)))
    assert built == encode_payload(explorer_payload(data, nouns=FIVE))
    with pytest.raises(ValueError, match="blocks must be an ExplorerBlocks"):
        explorer_payload(data, nouns=FIVE, blocks=[("fold0", data.cv_index)])
