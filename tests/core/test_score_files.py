"""core.score_files on generated files: figures against scikit-learn and scipy, every bad input
refused with its problem, column and row, the limits, the isolated reader, and a fuzz test."""

from __future__ import annotations

import io
import math
import os
import tempfile

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from core.formatting import score_file_problem_text
from core.groups import group_figures, group_indexes, group_thresholds
from core.score_files import (
    MB,
    PROBLEMS,
    ReadLimits,
    ScoreFileError,
    default_positive,
    guess_columns,
    label_values,
    limits_from_env,
    load_score_table,
    read_scored_set,
    scored_set_from_table,
)
from core.scored_set import NO_FOLD, NO_GROUP
from core.tradeoff import scored_tradeoff_data, tradeoff_summary
from harness.hostile_files import (
    duplicate_column_parquet,
    nested_parquet,
    parquet_claiming,
    scores_parquet,
    wide_csv,
)


def _frame(seed: int = 0, n: int = 3000) -> pd.DataFrame:
    """Labels "fraud"/"ok", scores with heavy ties (two decimals), folds, a split, groups."""
    rng = np.random.default_rng(seed)
    fraud = rng.random(n) < 0.3
    return pd.DataFrame(
        {
            "id": np.arange(n) + 1000,
            "target": np.where(fraud, "fraud", "ok"),
            "proba": np.round(np.clip(rng.normal(0.35 + 0.3 * fraud, 0.2), 0, 1), 2),
            "fold": rng.integers(1, 4, n),
            "split": rng.choice(["train", "Test", "HOLDOUT"], n, p=[0.7, 0.2, 0.1]),
            "region": rng.choice(["north", "south", "west", ""], n),
            "note": rng.choice(["a", "b"], n),
        }
    )


def _csv(frame: pd.DataFrame, *, sep: str = ",", bom: bool = False) -> bytes:
    text = frame.to_csv(index=False, sep=sep)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def _parquet(frame: pd.DataFrame) -> bytes:
    sink = io.BytesIO()
    frame.to_parquet(sink, index=False)
    return sink.getvalue()


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return ci.low, ci.high


COLUMNS = {"label": "target", "score": "proba", "positive": "fraud"}
ALL = {**COLUMNS, "fold": "fold", "split": "split", "group": "region", "id": "id"}


@pytest.mark.parametrize("kind", ["csv-comma", "csv-semicolon-bom", "csv-tab", "parquet"], ids=str)
def test_figures_agree_with_sklearn_and_scipy(kind, tmp_path):
    frame = _frame(1)
    data = {
        "csv-comma": lambda: _csv(frame),
        "csv-semicolon-bom": lambda: _csv(frame, sep=";", bom=True),
        "csv-tab": lambda: _csv(frame, sep="\t"),
        "parquet": lambda: _parquet(frame),
    }[kind]()
    path = tmp_path / ("scores.parquet" if kind == "parquet" else "scores.csv")
    path.write_bytes(data)
    scored = read_scored_set(path, **ALL)
    assert scored.name == path.name and scored.positive_label == "fraud"
    assert scored.negative_label == "ok"
    test = frame["split"].str.lower().isin(["test", "holdout"]).to_numpy()
    np.testing.assert_array_equal(scored.is_test, test)
    curve = ~test
    y = (frame["target"] == "fraud").to_numpy()[curve]
    s = frame["proba"].to_numpy()[curve]
    data_ = scored_tradeoff_data(scored)
    pr = data_.pr_curve
    precision, recall, thresholds = precision_recall_curve(y, s)
    np.testing.assert_array_equal(pr.thresholds, thresholds)
    np.testing.assert_array_equal(pr.precision, precision[:-1])
    np.testing.assert_array_equal(pr.recall, recall[:-1])
    assert pr.average_precision == average_precision_score(y, s)
    roc = data_.roc_curve
    fpr, tpr, roc_thresholds = roc_curve(y, s, drop_intermediate=False)
    np.testing.assert_array_equal(roc.thresholds, roc_thresholds)
    np.testing.assert_array_equal(roc.fpr, fpr)
    np.testing.assert_array_equal(roc.tpr, tpr)
    assert roc.auc == pytest.approx(roc_auc_score(y, s), rel=1e-12)
    # Thresholds at tied scores, between them, and beyond both ends.
    for threshold in (*np.unique(s)[::7], 0.455, -1.0, 2.0):
        summary = tradeoff_summary(data_, threshold=float(threshold))
        (tn, fp), (fn, tp) = confusion_matrix(y, s >= threshold, labels=[False, True])
        assert (summary["tp"], summary["fp"], summary["fn"], summary["tn"]) == (tp, fp, fn, tn)
        if tp + fp:
            assert summary["precision_ci"] == pytest.approx(_wilson(tp, tp + fp), abs=1e-12)
        assert summary["recall_ci"] == pytest.approx(_wilson(tp, tp + fn), abs=1e-12)
        assert summary["false_positive_rate_ci"] == pytest.approx(_wilson(fp, fp + tn), abs=1e-12)
        y_test = (frame["target"] == "fraud").to_numpy()[test]
        s_test = frame["proba"].to_numpy()[test]
        (_, _), (fn_t, tp_t) = confusion_matrix(y_test, s_test >= threshold, labels=[0, 1])
        assert summary["test_recall"] == tp_t / (tp_t + fn_t)
    # Folds numbered in the sorted order of their values; test rows have none.
    assert scored.fold_names == ("1", "2", "3")
    expected_folds = np.where(test, NO_FOLD, frame["fold"].to_numpy() - 1)
    np.testing.assert_array_equal(scored.fold_ids, expected_folds)
    # Groups: an empty cell is no group; the rest sorted.
    assert scored.group_names == ("north", "south", "west")
    np.testing.assert_array_equal(scored.group_ids == NO_GROUP, (frame["region"] == "").to_numpy())
    assert list(scored.ids) == [str(v) for v in frame["id"]] or list(scored.ids) == list(
        frame["id"]
    )
    assert set(scored.other_columns) == {"note"}


def test_group_figures_agree_with_sklearn_and_scipy():
    frame = _frame(2)
    table = load_score_table(_csv(frame), name="scores.csv")
    scored = scored_set_from_table(table, **COLUMNS, split="split", group="region")
    indexes = group_indexes(scored)
    curve = ~frame["split"].str.lower().isin(["test", "holdout"]).to_numpy()
    for threshold in (0.3, 0.42, 0.6):
        figures = group_figures(indexes, threshold=threshold)
        assert [f.name for f in figures] == ["north", "south", "west"]
        for f in figures:
            rows = curve & (frame["region"] == f.name).to_numpy()
            y = (frame["target"] == "fraud").to_numpy()[rows]
            flagged = frame["proba"].to_numpy()[rows] >= threshold
            (tn, fp), (fn, tp) = confusion_matrix(y, flagged, labels=[False, True])
            assert (f.tp, f.fp, f.fn, f.tn, f.n, f.n_pos) == (tp, fp, fn, tn, rows.sum(), y.sum())
            assert f.precision == tp / (tp + fp) and f.recall == tp / (tp + fn)
            assert f.precision_ci == pytest.approx(_wilson(tp, tp + fp), abs=1e-12)
            assert f.recall_ci == pytest.approx(_wilson(tp, tp + fn), abs=1e-12)
            assert f.false_positive_rate_ci == pytest.approx(_wilson(fp, fp + tn), abs=1e-12)
    # Each group's own threshold for a recall goal: the highest with recall >= the target.
    for kind, target in (("recall", 0.8), ("precision", 0.7), ("precision", 0.999)):
        thresholds = group_thresholds(indexes, kind=kind, target=target)
        for (name, _), threshold in zip(indexes, thresholds, strict=True):
            rows = curve & (frame["region"] == name).to_numpy()
            y = (frame["target"] == "fraud").to_numpy()[rows]
            precision, recall, at = precision_recall_curve(y, frame["proba"].to_numpy()[rows])
            if kind == "recall":
                assert threshold == at[recall[:-1] >= target].max()
            elif (precision[:-1] >= target).any():
                assert threshold == at[precision[:-1] >= target].min()
            else:
                assert math.isnan(threshold)


def test_the_shared_line_names_file_column_row_and_value():
    frame = pd.DataFrame({"label": [0, 1] * 6, "score": ["0.5"] * 12})
    frame.loc[11, "score"] = "12,5"
    table = load_score_table(_csv(frame), name="scores.csv")
    with pytest.raises(ScoreFileError) as caught:
        scored_set_from_table(table, label="label", score="score")
    error = caught.value
    assert (error.problem, error.column, error.row, error.value) == (
        "not_a_number",
        "score",
        13,
        "12,5",
    )
    assert score_file_problem_text(error) == (
        'scores.csv: column "score", line 13 holds "12,5", which is not a number.'
    )
    assert "\n" not in str(error)


def _lines(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


# (file content, column choices, problem, column, row, value)
BAD_CSV = [
    (b"", {}, "empty", None, None, None),
    (b"  \n\n", {}, "empty", None, None, None),
    (_lines("label,score"), {}, "empty", None, None, None),
    (_lines("0,0.5", "1,0.7"), {}, "no_header", None, 1, None),
    (_lines("label,label", "0,1"), {}, "duplicate_column", "label", 1, None),
    (_lines("label,score", "0,0.5", "1,0.7,3"), {}, "not_a_table", None, 3, "1,0.7,3"),
    (_lines("label,score", "0,0.5", "1"), {}, "not_a_table", None, 3, "1"),
    (b"label,score\n0,0.5\n\xe9,0.7\n", {}, "not_utf8", None, 3, None),
    (_lines("label,score", "0,0.5", "1,0.7"), {"score": "proba"}, "missing_column", "proba",
     None, None),
    (_lines("label,score", "0,0.5", "1,high"), {}, "not_a_number", "score", 3, "high"),
    (_lines("label,score", "0,0.5", "1,"), {}, "not_a_number", "score", 3, ""),
    (_lines("label,score", "0,0.5", "1,nan", "0,inf", "1,-inf"), {}, "not_finite", "score", 3,
     "nan"),
    (_lines("label,score", "1,0.5", "1,0.7"), {}, "one_label", "label", None, "1"),
    (_lines("label,score", "0,0.5", "1,0.7", "2,0.1"), {}, "too_many_labels", "label", None,
     None),
    (_lines("label,score", "cat,0.5", "dog,0.7"), {}, "positive_needed", "label", None, None),
    (_lines("label,score", "0,0.5", "1,0.7"), {"positive": "yes"}, "positive_absent", "label",
     None, "yes"),
    (_lines("label,score", "0,0.5", ",0.7"), {}, "missing_label", "label", 3, None),
    (_lines("label,score,fold", "0,0.5,a", "1,0.7,"), {"fold": "fold"}, "missing_fold", "fold",
     3, None),
    (_lines("label,score,split", "0,0.5,test", "1,0.7,Holdout"), {"split": "split"},
     "no_curve_rows", "split", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("data", "chosen", "problem", "column", "row", "value"), BAD_CSV)
def test_every_bad_csv_is_refused_with_its_problem_column_and_row(
    data, chosen, problem, column, row, value
):
    chosen = {"label": "label", "score": "score", **chosen}
    with pytest.raises(ScoreFileError) as caught:
        table = load_score_table(data, name="bad.csv")
        scored_set_from_table(table, **chosen)
    error = caught.value
    assert error.problem == problem
    assert (error.column, error.row) == (column, row)
    if value is not None:
        assert error.value == value
    text = score_file_problem_text(error)
    assert text.startswith("bad.csv: ") and "\n" not in text
    if column is not None:
        assert f'"{column}"' in text
    if row is not None and row > 1:  # line 1 is "the first line" or the header
        assert f"line {row}" in text


def test_refusals_carry_their_counts_and_choices():
    data = _lines("label,score", "0,0.5", "1,nan", "0,inf", "1,0.2")
    with pytest.raises(ScoreFileError) as caught:
        scored_set_from_table(load_score_table(data, name="s.csv"), label="label", score="score")
    assert caught.value.count == 2
    assert "2 scores that are not finite" in score_file_problem_text(caught.value)
    data = _lines("label,score", "cat,0.5", "dog,0.7", "cat,0.1")
    with pytest.raises(ScoreFileError) as caught:
        scored_set_from_table(load_score_table(data, name="s.csv"), label="label", score="score")
    assert caught.value.choices == ("cat", "dog")
    assert '"cat" or "dog"' in score_file_problem_text(caught.value)
    data = _lines("label,score", *(f"{k},0.5" for k in range(40)))
    with pytest.raises(ScoreFileError) as caught:
        scored_set_from_table(load_score_table(data, name="s.csv"), label="label", score="score")
    assert caught.value.count == 40 and len(caught.value.choices) == 20


def test_limits_are_checked_before_the_file_is_read_whole(tmp_path):
    data = _csv(_frame(3, n=500))
    limits = ReadLimits(max_bytes=len(data) - 1)
    for source in (data, tmp_path / "s.csv"):
        (tmp_path / "s.csv").write_bytes(data)
        with pytest.raises(ScoreFileError) as caught:
            load_score_table(source, name="s.csv", limits=limits)
        assert (caught.value.problem, caught.value.count) == ("too_big", len(data))
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(data, name="s.csv", limits=ReadLimits(max_rows=499))
    assert (caught.value.problem, caught.value.count, caught.value.limit) == (
        "too_many_rows",
        500,
        499,
    )
    load_score_table(data, name="s.csv", limits=ReadLimits(max_rows=500))
    parquet = _parquet(_frame(3, n=500))
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(parquet, name="s.parquet", limits=ReadLimits(max_rows=499))
    assert caught.value.problem == "too_many_rows" and caught.value.count == 500
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(data, name="s.csv", limits=ReadLimits(max_columns=6))
    assert caught.value.problem == "too_many_columns"


def test_a_line_of_millions_of_columns_is_refused_at_its_first_line():
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(wide_csv(2_000_000), name="wide.csv")
    assert (caught.value.problem, caught.value.row) == ("line_too_long", 1)
    long_row = _lines("label,score", "0,0.5", "1," + "9" * 200_000, "0,0.1")
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(long_row, name="s.csv", limits=ReadLimits(max_line_bytes=100_000))
    assert (caught.value.problem, caught.value.row) == ("line_too_long", 3)


@pytest.mark.parametrize(
    ("data", "problem", "column"),
    [
        (nested_parquet(), "nested_column", "items"),
        (duplicate_column_parquet(), "duplicate_column", "score"),
        (parquet_claiming(8 * 2**30), "claims_too_much", None),
        (scores_parquet()[:-100], "damaged", None),
        (scores_parquet()[: len(scores_parquet()) // 2], "damaged", None),
        (b"PAR1" + b"\0" * 100, "damaged", None),
    ],
    ids=["nested", "duplicate", "claims-gigabytes", "truncated-footer", "half", "magic-only"],
)
def test_bad_parquet_is_refused_before_its_pages_are_decoded(data, problem, column):
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(data, name="s.parquet")
    assert (caught.value.problem, caught.value.column) == (problem, column)
    assert caught.value.format in ("parquet", None)
    if problem == "claims_too_much":
        assert caught.value.count >= 8 * 2**30


def test_a_file_that_claims_less_than_the_budget_is_read():
    # The same crafted footer, under a budget it fits in, is read: the claim is what refused it.
    data = parquet_claiming(3 * MB)
    table = load_score_table(data, name="s.parquet", limits=ReadLimits(memory_bytes=4 * MB))
    assert table.n_rows == 1000
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(data, name="s.parquet", limits=ReadLimits(memory_bytes=2 * MB))
    assert caught.value.problem == "claims_too_much"


def test_parquet_types_give_label_texts_and_scores():
    frame = pd.DataFrame(
        {
            "y_true": [True, False, True, False],
            "y_score": np.array([3, 1, 2, 2], dtype=np.int32),
            "label": pd.Categorical(["b", "a", "b", "a"]),
        }
    )
    table = load_score_table(_parquet(frame), name="s.parquet")
    assert table.format == "parquet" and table.columns == ("y_true", "y_score", "label")
    assert label_values(table, "y_true") == ("False", "True")
    scored = scored_set_from_table(table, label="y_true", score="y_score")
    assert scored.positive_label == "True"
    np.testing.assert_array_equal(scored.y_true, [True, False, True, False])
    np.testing.assert_array_equal(scored.scores, [3.0, 1.0, 2.0, 2.0])
    assert label_values(table, "label") == ("a", "b")
    with pytest.raises(ScoreFileError) as caught:
        scored_set_from_table(table, label="label", score="y_score")
    assert caught.value.problem == "positive_needed"
    frame = pd.DataFrame({"label": [1.0, 0.0, np.nan], "score": [0.1, 0.2, 0.3]})
    with pytest.raises(ScoreFileError) as caught:
        label_values(load_score_table(_parquet(frame), name="s.parquet"), "label")
    assert (caught.value.problem, caught.value.row) == ("missing_label", 3)
    frame = pd.DataFrame({"label": [1, 0, 1], "score": [0.1, None, 0.3]})
    with pytest.raises(ScoreFileError) as caught:
        read_scored_set(_parquet(frame), name="s.parquet")
    assert (caught.value.problem, caught.value.row, caught.value.value) == ("not_a_number", 2, "")
    assert "row 2" in score_file_problem_text(caught.value)


def test_guessing_and_the_positive_class():
    assert guess_columns(["ID", "Y_True", "Probability", "Fold", "split", "Group"]) == {
        "label": "Y_True",
        "score": "Probability",
        "fold": "Fold",
        "split": "split",
        "group": "Group",
        "id": "ID",
        "positives": None,
        "negatives": None,
    }
    assert guess_columns(["a", "b"]) == dict.fromkeys(
        ("label", "score", "fold", "split", "group", "id", "positives", "negatives")
    )
    assert guess_columns(["Score", "N Positives", "negatives"])["negatives"] == "negatives"
    assert guess_columns(["target", "pred"])["score"] == "pred"
    assert default_positive(["0", "1"]) == "1"
    assert default_positive(["0.0", "1.0"]) == "1.0"
    assert default_positive(["FALSE", "TRUE"]) == "TRUE"
    assert default_positive(["False", "True"]) == "True"
    for values in (["cat", "dog"], ["1", "2"], ["-1", "1"], ["0", "1", "2"], ["yes", "no"]):
        assert default_positive(values) is None
    with pytest.raises(ScoreFileError) as caught:
        read_scored_set(_lines("a,b", "0,0.5", "1,0.2"), name="s.csv")
    assert (caught.value.problem, caught.value.role, caught.value.choices) == (
        "missing_column",
        "label",
        ("a", "b"),
    )
    scored = read_scored_set(_lines("a,b", "0,0.5", "1,0.2"), name="s.csv", label="a", score="b")
    assert scored.positive_label == "1" and scored.y_true.tolist() == [False, True]


def test_the_fingerprint_follows_the_bytes_and_the_choices():
    data = _csv(_frame(4, n=200))
    one = read_scored_set(data, **COLUMNS)
    assert read_scored_set(data, **COLUMNS).fingerprint == one.fingerprint
    # The fold column is guessed from its name; "" leaves it out.
    assert one.fold_names and read_scored_set(data, **COLUMNS, fold="fold").fingerprint == (
        one.fingerprint
    )
    assert read_scored_set(data, **COLUMNS, fold="").fingerprint != one.fingerprint
    assert read_scored_set(data, **{**COLUMNS, "positive": "ok"}).fingerprint != one.fingerprint
    assert read_scored_set(data + b"", **COLUMNS).fingerprint == one.fingerprint
    frame = _frame(4, n=200)
    frame.loc[7, "proba"] += 0.01
    assert read_scored_set(_csv(frame), **COLUMNS).fingerprint != one.fingerprint


def test_limits_from_env():
    limits = limits_from_env(
        {"THRESHOLD_EXPLORER_MAX_SCORE_MB": "5", "THRESHOLD_EXPLORER_MAX_SCORE_ROWS": "10"}
    )
    assert (limits.max_bytes, limits.max_rows) == (5 * MB, 10)
    assert limits.max_columns == ReadLimits().max_columns
    assert limits_from_env({}) == ReadLimits()
    assert ReadLimits().max_rows == 20_000_000
    with pytest.raises(ValueError, match="THRESHOLD_EXPLORER_SCORE_SECONDS"):
        limits_from_env({"THRESHOLD_EXPLORER_SCORE_SECONDS": "-1"})
    with pytest.raises(ValueError, match="THRESHOLD_EXPLORER_MAX_SCORE_ROWS"):
        limits_from_env({"THRESHOLD_EXPLORER_MAX_SCORE_ROWS": "many"})


def test_the_error_codes_are_one_list():
    for problem in PROBLEMS:
        error = ScoreFileError(problem, file="f.csv", format="csv", column="c", row=2, value="v",
                               count=3, limit=4, choices=("a", "b"))  # fmt: skip
        text = score_file_problem_text(error)
        assert text.startswith("f.csv: ") and "\n" not in text and text != f"f.csv: {problem}"
        assert ScoreFileError.from_dict(error.as_dict()).as_dict() == error.as_dict()
    with pytest.raises(ValueError, match="problem must be one of"):
        ScoreFileError("bad", file="f")


# --- the isolated reader ----------------------------------------------------------------------


@pytest.fixture
def own_tempdir(tmp_path, monkeypatch):
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def test_the_isolated_reader_gives_the_same_table_and_leaves_nothing(own_tempdir, tmp_path):
    frame = _frame(5, n=500)
    for data in (_csv(frame), _parquet(frame)):
        mine = load_score_table(data, name="s", isolated=True)
        theirs = load_score_table(data, name="s")
        assert (mine.format, mine.columns, mine.n_rows, mine.fingerprint) == (
            theirs.format,
            theirs.columns,
            theirs.n_rows,
            theirs.fingerprint,
        )
        for column in mine.columns:
            np.testing.assert_array_equal(mine.column(column), theirs.column(column))
    path = tmp_path / "s.csv"
    path.write_bytes(_csv(frame))
    assert load_score_table(path, name="s.csv", isolated=True).n_rows == 500
    with pytest.raises(ScoreFileError) as caught:  # the child's refusals come back whole
        load_score_table(_lines("0,1", "1,2"), name="s.csv", isolated=True)
    assert (caught.value.problem, caught.value.row, caught.value.format) == ("no_header", 1, "csv")
    assert list(own_tempdir.iterdir()) == []


def test_the_isolated_readers_memory_limit_and_timeout_trigger(own_tempdir):
    data = _csv(_frame(6, n=200_000))  # some MB of text: more than a 1 MB budget decodes
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(data, name="big.csv", isolated=True, limits=ReadLimits(memory_bytes=MB))
    assert caught.value.problem == "out_of_memory" and caught.value.limit == MB
    assert "memory" in score_file_problem_text(caught.value)
    with pytest.raises(ScoreFileError) as caught:
        load_score_table(data, name="big.csv", isolated=True, limits=ReadLimits(seconds=0.01))
    assert caught.value.problem == "took_too_long"
    assert list(own_tempdir.iterdir()) == []
    # The same file, within the default budget.
    assert load_score_table(data, name="big.csv", isolated=True).n_rows == 200_000


# --- fuzz -------------------------------------------------------------------------------------


def _flipped(data: bytes, rng: np.random.Generator) -> bytes:
    damaged = bytearray(data)
    for _ in range(int(rng.integers(1, 4))):
        at = int(rng.integers(len(damaged)))
        damaged[at] = int(rng.integers(256))
    return bytes(damaged)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_no_byte_flip_lets_another_exception_escape(kind):
    frame = _frame(7, n=300)[["target", "proba", "fold", "region"]]
    data = _csv(frame) if kind == "csv" else _parquet(frame)
    rng = np.random.default_rng(20)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(400 if kind == "csv" else 600):
        damaged = _flipped(data, rng)
        try:
            table = load_score_table(damaged, name="f")
            scored_set_from_table(table, **COLUMNS, fold="fold", group="region")
        except ScoreFileError as exc:
            assert exc.problem in PROBLEMS
            assert "\n" not in score_file_problem_text(exc)
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1
    # Both outcomes happen: the flips reach the parser, and some files survive them.
    assert outcomes["read"] > 0 and outcomes["refused"] > 0, outcomes


def test_env_limits_reach_read_scored_set(monkeypatch):
    monkeypatch.setenv("THRESHOLD_EXPLORER_MAX_SCORE_ROWS", "3")
    with pytest.raises(ScoreFileError) as caught:
        read_scored_set(_lines("label,score", *(["0,0.1", "1,0.2"] * 2)), name="s.csv")
    assert (caught.value.problem, caught.value.limit) == ("too_many_rows", 3)
    assert os.environ["THRESHOLD_EXPLORER_MAX_SCORE_ROWS"] == "3"


def test_optional_columns_are_guessed_by_name_as_the_page_preselects_them():
    data = _csv(_frame(4, n=200))
    guessed = read_scored_set(data, **COLUMNS)
    named = read_scored_set(data, **COLUMNS, fold="fold", split="split", id="id")
    assert guessed.fold_names == named.fold_names and guessed.has_test
    np.testing.assert_array_equal(guessed.is_test, named.is_test)
    np.testing.assert_array_equal(guessed.ids, named.ids)
    bare = read_scored_set(data, **COLUMNS, fold="", split="", id="", group="")
    assert not bare.has_folds and not bare.has_test and bare.ids is None
