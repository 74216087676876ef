"""core.scored_set and core.tradeoff on a scored set: optional folds and test rows."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from core.scored_set import NO_FOLD, scored_set, scored_set_of_detector
from core.tradeoff import scored_tradeoff_data, tradeoff_data, tradeoff_summary


def _set(**extra):
    rng = np.random.default_rng(3)
    n = 400
    y = rng.random(n) < 0.3
    scores = np.round(rng.normal(0, 1, n) + 1.5 * y, 1)  # heavy ties
    return scored_set(
        name="t", y_true=y, scores=scores, positive_label="yes", negative_label="no", **extra
    )


def test_a_set_without_folds_or_test_rows_has_curves_and_no_held_out_figures():
    scored = _set()
    data = scored_tradeoff_data(scored)
    assert data.test_index is None and data.folds == ()
    summary = tradeoff_summary(data, threshold=0.5)
    flagged = scored.scores >= 0.5
    assert summary["precision"] == precision_score(scored.y_true, flagged)
    assert summary["recall"] == recall_score(scored.y_true, flagged)
    assert summary["fold_precision"] == [] and summary["fold_recall"] == []
    assert summary["test_precision"] is None and summary["test_recall_ci"] == [None, None]


def test_test_rows_feed_the_held_out_figures_and_folds_their_own():
    n = 400
    is_test = np.arange(n) >= 300
    folds = np.where(is_test, NO_FOLD, np.arange(n) % 2)
    scored = _set(is_test=is_test, fold_ids=folds, fold_names=("a", "b"))
    summary = tradeoff_summary(scored_tradeoff_data(scored), threshold=0.5)
    y, s = scored.y_true, scored.scores
    assert summary["test_recall"] == recall_score(y[is_test], s[is_test] >= 0.5)
    assert summary["tp"] + summary["fn"] == int(y[~is_test].sum())
    for k in (0, 1):
        rows = folds == k
        assert summary["fold_precision"][k] == precision_score(y[rows], s[rows] >= 0.5)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"is_test": np.ones(400, bool)}, "no rows are left"),
        ({"fold_ids": np.full(400, NO_FOLD), "fold_names": ("a",)}, "needs a fold"),
        ({"fold_ids": np.full(400, 2), "fold_names": ("a",)}, "fold_ids must lie in"),
        ({"group_ids": np.zeros(399, int), "group_names": ("g",)}, "shape"),
        ({"ids": np.arange(3)}, "ids must have shape"),
    ],
)
def test_a_bad_argument_is_named(extra, message):
    with pytest.raises(ValueError, match=message):
        _set(**extra)


def test_scores_must_be_finite_and_labels_bool():
    with pytest.raises(ValueError, match=r"scores\[1\] = inf"):
        scored_set(
            name="t",
            y_true=np.array([True, False]),
            scores=[0.0, np.inf],
            positive_label="1",
            negative_label="0",
        )
    with pytest.raises(ValueError, match="y_true must be bool"):
        scored_set(
            name="t", y_true=[1, 0], scores=[0.0, 1.0], positive_label="1", negative_label="0"
        )


def test_a_detector_is_a_scored_set_whose_indexes_are_the_detectors_own():
    rng = np.random.default_rng(5)
    y = rng.random(300) < 0.2
    result = SimpleNamespace(
        digit=5,
        fingerprint="f",
        y_train=y,
        cv_scores=rng.normal(size=300),
        fold_ids=(np.arange(300) % 3).astype(np.int8),
        y_test=y[:50],
        test_scores=rng.normal(size=50),
    )
    scored = scored_set_of_detector(result)
    assert scored.positive_label == "5" and scored.fold_names == ("0", "1", "2")
    assert scored.ids.tolist() == list(range(350))
    data = tradeoff_data(result)
    np.testing.assert_array_equal(data.cv_index.sorted_scores, np.sort(result.cv_scores))
    np.testing.assert_array_equal(data.test_index.sorted_scores, np.sort(result.test_scores))
    np.testing.assert_array_equal(data.fold_ids, result.fold_ids)


def test_each_group_is_counted_on_its_own_curve_rows():
    from core.counting import metrics_at
    from core.groups import group_indexes

    n = 400
    groups = np.arange(n) % 3 - 1  # -1: no group
    is_test = np.arange(n) >= 350
    scored = _set(group_ids=groups, group_names=("a", "b"), is_test=is_test)
    indexes = dict(group_indexes(scored))
    assert list(indexes) == ["a", "b"]
    for k, name in enumerate(("a", "b")):
        rows = (groups == k) & ~is_test
        flagged = scored.scores[rows] >= 0.2
        m = metrics_at(indexes[name], threshold=0.2)
        assert m.recall == recall_score(scored.y_true[rows], flagged)
        assert indexes[name].n_samples == int(rows.sum())
    assert group_indexes(_set()) == ()
