"""core.score_export: the Parquet file of "Download these scores", and reading it back."""

from __future__ import annotations

import io

import numpy as np
import pyarrow.parquet as pq
import pytest

from core.score_export import detector_scores_table, scores_file_name, scores_table
from core.scored_set import NO_FOLD, NO_GROUP, scored_set
from core.tradeoff import scored_tradeoff_data, tradeoff_summary

NOTEBOOK_THRESHOLD = 3370.0194991439557  # cell [14]'s threshold for 90% precision on the 5s


def generated(seed: int = 0, n: int = 600):
    rng = np.random.default_rng(seed)
    is_test = rng.random(n) < 0.25
    fold_ids = np.where(is_test, NO_FOLD, rng.integers(0, 3, n)).astype(np.int32)
    group_ids = rng.integers(-1, 2, n).astype(np.int32)  # -1: a row without a group
    return scored_set(
        name="generated",
        y_true=rng.random(n) < 0.3,
        scores=np.round(rng.normal(size=n), 1),  # ties
        positive_label="fraud",
        negative_label="ok",
        is_test=is_test,
        fold_ids=fold_ids,
        fold_names=("a", "b", "c"),
        group_ids=group_ids,
        group_names=("north", "south"),
        ids=np.array([f"row{k}" for k in range(n)]),
    )


def read(blob: bytes) -> dict:
    return pq.read_table(io.BytesIO(blob)).to_pydict()


def test_the_file_holds_one_row_per_row_with_its_label_score_fold_split_and_group():
    scored = generated()
    table = read(scores_table(scored))
    assert list(table) == ["id", "label", "score", "fold", "split", "group"]
    assert table["id"] == list(scored.ids)
    assert table["label"] == scored.y_true.tolist()
    assert table["score"] == scored.scores.tolist()  # exactly, not rounded
    folds = [None if f == NO_FOLD else "abc"[f] for f in scored.fold_ids]
    assert table["fold"] == folds
    assert table["split"] == ["test" if t else "train" for t in scored.is_test]
    groups = [None if g == NO_GROUP else ("north", "south")[g] for g in scored.group_ids]
    assert table["group"] == groups


def test_without_ids_folds_test_rows_or_groups_the_columns_are_still_there():
    scored = scored_set(
        name="plain",
        y_true=np.array([True, False, True]),
        scores=np.array([0.9, 0.1, 0.4]),
        positive_label="1",
        negative_label="0",
    )
    table = read(scores_table(scored))
    assert table == {
        "id": [0, 1, 2],
        "label": [True, False, True],
        "score": [0.9, 0.1, 0.4],
        "fold": [None, None, None],
        "split": ["train", "train", "train"],
    }


def test_integer_fold_names_are_written_as_integers():
    scored = scored_set(
        name="folds",
        y_true=np.array([True, False, True, False]),
        scores=np.array([0.9, 0.1, 0.4, 0.3]),
        positive_label="1",
        negative_label="0",
        fold_ids=np.array([0, 1, 1, 0]),
        fold_names=("0", "1"),
    )
    assert read(scores_table(scored))["fold"] == [0, 1, 1, 0]


def test_a_scored_set_is_required():
    with pytest.raises(ValueError, match="ScoredSet"):
        scores_table({"scores": [1.0]})


def test_the_file_name_names_the_digit():
    assert scores_file_name(digit=5) == "scores-digit5.parquet"
    with pytest.raises(ValueError, match="digit"):
        scores_file_name(digit=11)


def test_a_generated_file_reads_back_as_the_same_figures(tmp_path):
    from core.score_files import read_scored_set

    scored = generated(1, 2_000)
    path = tmp_path / "generated.parquet"
    path.write_bytes(scores_table(scored))
    back = read_scored_set(
        path, label="label", score="score", positive="True", fold="fold", split="split"
    )
    np.testing.assert_array_equal(back.y_true, scored.y_true)
    np.testing.assert_array_equal(back.scores, scored.scores)
    np.testing.assert_array_equal(back.is_test, scored.is_test)
    ours, theirs = scored_tradeoff_data(scored), scored_tradeoff_data(back)
    for threshold in (-1.0, 0.0, 0.3, 1.5):
        assert tradeoff_summary(theirs, threshold=threshold) == tradeoff_summary(
            ours, threshold=threshold
        )


@pytest.mark.mnist
def test_the_mnist_pages_scores_read_back_give_the_pages_own_figures(
    mnist_dir, shared_cache_dir, tmp_path
):
    from core.data import load_dataset
    from core.detector import train_detector
    from core.score_files import read_scored_set
    from core.tradeoff import tradeoff_data

    mnist = load_dataset(data_dir=mnist_dir)
    result = train_detector(mnist, digit=5, cache_dir=shared_cache_dir)
    path = tmp_path / scores_file_name(digit=5)
    path.write_bytes(detector_scores_table(result))
    # Nothing named: every column and the positive class (True) come from the file, as
    # `tradeoff --scores FILE` and /scores read it.
    back = read_scored_set(path)
    assert back.positive_label == "True" and back.fold_names == ("0", "1", "2")
    assert back.n_rows == 70_000 and back.test_rows.size == 10_000
    np.testing.assert_array_equal(back.ids, np.arange(70_000))
    page, read_back = tradeoff_data(result), scored_tradeoff_data(back)
    assert (read_back.slider_min, read_back.slider_max, read_back.slider_step) == (
        page.slider_min,
        page.slider_max,
        page.slider_step,
    )
    for threshold in (NOTEBOOK_THRESHOLD, 0.0, -20_000.0, 8_000.0, page.slider_min):
        for costs in ({}, {"false_positive_cost": 1.0, "false_negative_cost": 5.0}):
            theirs = tradeoff_summary(read_back, threshold=threshold, prevalence=0.01, **costs)
            ours = tradeoff_summary(page, threshold=threshold, prevalence=0.01, **costs)
            assert theirs == ours
            assert len(theirs["fold_precision"]) == 3
            assert theirs["test_precision"] is not None
    # The notebook's cell [14]: 90% precision at its threshold, on the file's figures too.
    at_notebook = tradeoff_summary(read_back, threshold=NOTEBOOK_THRESHOLD)
    assert at_notebook["precision"] == pytest.approx(0.9, abs=1e-3)
