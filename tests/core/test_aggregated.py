"""An aggregated table (``score, positives, negatives``, one row per distinct score within each
fold, split and group: what one SQL ``GROUP BY`` gives) reads as the raw rows it counts, figure
for figure: the GROUP BY runs in an embedded DuckDB on a generated Parquet of raw rows."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core import cli
from core.calibration import calibration
from core.counting import build_score_index, counts_at, score_at_rank
from core.curves import average_precision, precision_recall_curve_exact, roc_curve_exact
from core.formatting import score_file_problem_text
from core.groups import group_figures, group_indexes
from core.pickers import (
    threshold_for_best_fbeta,
    threshold_for_least_cost,
    threshold_for_precision,
    threshold_for_recall,
)
from core.score_files import ScoreFileError, load_score_table, read_scored_set
from core.score_rows import rows_at_cut
from core.tradeoff import goal_spread, scored_tradeoff_data

# The README's query, for DuckDB (Spark SQL reads the same with its own file source).
GROUP_BY = """
COPY (
    SELECT score, fold, split, "group",
           SUM(CASE WHEN label = 1 THEN 1 ELSE 0 END) AS positives,
           SUM(CASE WHEN label = 1 THEN 0 ELSE 1 END) AS negatives
    FROM read_parquet('{raw}')
    GROUP BY score, fold, split, "group"
) TO '{aggregated}' (FORMAT parquet)
"""


def _raw_rows(seed: int = 7, n: int = 6000) -> pa.Table:
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < 0.3).astype(np.int64)
    # Rounded, so that scores repeat within and across classes, folds and groups.
    score = np.clip(np.round(rng.normal(0.35 + 0.3 * label, 0.2), 2), 0.0, 1.0)
    return pa.table(
        {
            "label": label,
            "score": score,
            "fold": rng.integers(0, 3, n),
            "split": rng.choice(["train", "test"], n, p=[0.8, 0.2]),
            "group": rng.choice(["north", "south"], n),
        }
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("aggregated")
    raw, aggregated = folder / "raw.parquet", folder / "aggregated.parquet"
    pq.write_table(_raw_rows(), raw)
    duckdb.connect().execute(GROUP_BY.format(raw=raw, aggregated=aggregated))
    return raw, aggregated


def _cli_json(path, capsys, *extra) -> dict:
    status = cli.main(["tradeoff", "--scores", str(path), "--json", *extra])
    out, err = capsys.readouterr()
    assert status == 0, err
    return json.loads(out)


def test_the_group_by_really_aggregates(files):
    raw, aggregated = (load_score_table(path, name=path.name) for path in files)
    assert "positives" in aggregated.columns and "label" not in aggregated.columns
    assert aggregated.n_rows < raw.n_rows / 5


@pytest.mark.parametrize(
    "extra",
    [
        ("--threshold", "0.5"),
        ("--threshold", "0.37", "--prevalence", "0.1", "--fp-cost", "1", "--fn-cost", "7"),
        ("--threshold=-inf", "--group", "group"),
        ("--threshold", "0.9", "--fold", "", "--split", ""),
    ],
)
def test_the_command_line_gives_the_raw_rows_figures(files, capsys, extra):
    raw, aggregated = files
    from_rows = _cli_json(raw, capsys, *extra)
    from_counts = _cli_json(aggregated, capsys, *extra)
    rows_source, counts_source = from_rows.pop("source"), from_counts.pop("source")
    assert from_counts == from_rows
    assert counts_source["aggregated"] and not rows_source["aggregated"]
    assert counts_source["samples"] == rows_source["samples"] == rows_source["rows"]
    assert counts_source["rows"] < rows_source["rows"]


def test_curves_pickers_folds_groups_and_calibration_are_the_raw_rows(files):
    raw, aggregated = (read_scored_set(path) for path in files)
    assert raw.has_rows and not aggregated.has_rows
    assert aggregated.n_samples == raw.n_rows
    a, b = scored_tradeoff_data(raw), scored_tradeoff_data(aggregated)
    for index_a, index_b in ((a.cv_index, b.cv_index), (a.test_index, b.test_index)):
        for name in ("thresholds", "tp", "fp", "threshold_sizes"):
            np.testing.assert_array_equal(getattr(index_a, name), getattr(index_b, name))
        assert (index_a.n_pos, index_a.n_neg) == (index_b.n_pos, index_b.n_neg)
    pr_a, pr_b = precision_recall_curve_exact(a.cv_index), precision_recall_curve_exact(b.cv_index)
    for name in ("precision", "recall", "tp", "fp", "fn", "tn"):
        np.testing.assert_array_equal(getattr(pr_a, name), getattr(pr_b, name))
    assert pr_a.average_precision == pr_b.average_precision == average_precision(b.cv_index)
    roc_a, roc_b = roc_curve_exact(a.cv_index), roc_curve_exact(b.cv_index)
    np.testing.assert_array_equal(roc_a.fpr, roc_b.fpr)
    np.testing.assert_array_equal(roc_a.tpr, roc_b.tpr)
    assert roc_a.auc == roc_b.auc
    for pick in (
        lambda i: threshold_for_precision(i, target=0.6),
        lambda i: threshold_for_precision(i, target=0.6, prevalence=0.05),
        lambda i: threshold_for_recall(i, target=0.8),
        lambda i: threshold_for_best_fbeta(i, beta=2.0),
        lambda i: threshold_for_least_cost(i, false_positive_cost=1, false_negative_cost=4),
    ):
        assert pick(a.cv_index) == pick(b.cv_index)
    for fold_a, fold_b in zip(a.folds, b.folds, strict=True):
        np.testing.assert_array_equal(fold_a.tp, fold_b.tp)
        np.testing.assert_array_equal(fold_a.fp, fold_b.fp)
    assert len(a.folds) == 3
    assert group_figures(group_indexes(raw), threshold=0.5) == group_figures(
        group_indexes(aggregated), threshold=0.5
    )
    middle = a.cv_index.n_samples // 2
    assert score_at_rank(a.cv_index, middle) == score_at_rank(b.cv_index, middle)
    assert score_at_rank(b.cv_index, middle) == a.cv_index.sorted_scores[middle]
    cal_a, cal_b = calibration(raw), calibration(aggregated)
    for part_a, part_b in ((cal_a.curve, cal_b.curve), (cal_a.test, cal_b.test)):
        assert (part_a.n_rows, part_a.n_positive) == (part_b.n_rows, part_b.n_positive)
        np.testing.assert_array_equal(part_a.fraction_positive, part_b.fraction_positive)
        # Sums in another order: equal to the last bits only.
        np.testing.assert_allclose(part_a.mean_predicted, part_b.mean_predicted, rtol=1e-12)
        assert part_a.brier == pytest.approx(part_b.brier, rel=1e-12)


def test_the_bootstrap_resamples_the_counted_samples_as_the_raw_rows(files):
    raw, aggregated = (scored_tradeoff_data(read_scored_set(path)) for path in files)
    for kind, target in (("recall", 0.8), ("precision", 0.6)):
        from_counts = goal_spread(aggregated, kind=kind, target=target)
        assert from_counts.no_bootstrap is None
        assert from_counts == goal_spread(raw, kind=kind, target=target)
        assert from_counts.bootstrap.reached > 0.5


def test_raw_rows_past_the_bootstrap_budget_get_the_folds_picks_only(files, monkeypatch):
    from core import estimates

    data = scored_tradeoff_data(read_scored_set(files[0]))
    assert data.cv_index.has_rows
    monkeypatch.setattr(estimates, "BOOTSTRAP_MAX_SAMPLES", data.cv_index.n_samples - 1)
    spread = goal_spread(data, kind="precision", target=0.6)
    assert spread.bootstrap is None and spread.no_bootstrap == "size"
    assert len(spread.fold_thresholds) == 3 and all(t == t for t in spread.fold_thresholds)
    monkeypatch.setattr(estimates, "BOOTSTRAP_MAX_SAMPLES", data.cv_index.n_samples)
    assert goal_spread(data, kind="precision", target=0.6).bootstrap is not None


def test_what_needs_single_rows_says_so(files, monkeypatch):
    from core import estimates

    aggregated = read_scored_set(files[1])
    data = scored_tradeoff_data(aggregated)
    monkeypatch.setattr(estimates, "BOOTSTRAP_MAX_SAMPLES", data.cv_index.n_samples - 1)
    spread = goal_spread(data, kind="recall", target=0.8)
    assert spread.bootstrap is None and spread.no_bootstrap == "size"
    assert len(spread.fold_thresholds) == 3
    with pytest.raises(ValueError, match="at most"):
        estimates.bootstrap_threshold(data.cv_index, kind="recall", target=0.8)
    with pytest.raises(ValueError, match="single rows"):
        rows_at_cut(aggregated, data.cv_index, threshold=0.5)
    with pytest.raises(ValueError, match="single rows"):
        data.cv_index.order  # noqa: B018 - the attribute's own refusal


def test_counts_count_as_sample_weight_does():
    from sklearn.metrics import precision_recall_curve, roc_auc_score

    rng = np.random.default_rng(3)
    scores, labels = np.round(rng.random(300), 1), rng.random(300) < 0.4
    counts = rng.integers(0, 5, 300)
    index = build_score_index(y_true=labels, scores=scores, counts=counts)
    precision, recall, thresholds = precision_recall_curve(
        labels, scores, sample_weight=counts, drop_intermediate=False
    )
    kept = thresholds >= index.thresholds[0]  # scikit-learn keeps scores of weight 0
    curve = precision_recall_curve_exact(index)
    np.testing.assert_array_equal(curve.thresholds, thresholds[kept])
    np.testing.assert_allclose(curve.precision, precision[:-1][kept], rtol=1e-15)
    assert roc_curve_exact(index).auc == pytest.approx(
        roc_auc_score(labels, scores, sample_weight=counts), rel=1e-12
    )
    assert counts_at(index, threshold=0.5).tp == int(counts[labels & (scores >= 0.5)].sum())


def _written(tmp_path, rows: dict, name="agg.csv"):
    path = tmp_path / name
    pa.csv.write_csv(pa.table(rows), path) if name.endswith(".csv") else pq.write_table(
        pa.table(rows), path
    )
    return path


@pytest.mark.parametrize(
    ("rows", "problem", "line", "words"),
    [
        (
            {"score": [0.1, 0.2, 0.3], "positives": [1, -2, 3], "negatives": [1, 1, 1]},
            "bad_count", 3, 'column "positives", line 3 holds "-2"',
        ),
        (
            {"score": [0.1, 0.2, 0.3], "positives": [1, 2, 3], "negatives": [1, 1.5, 1]},
            "bad_count", 3, 'line 3 holds "1.5"',
        ),
        (
            {"score": [0.1, 0.2, 0.1], "positives": [1, 2, 3], "negatives": [1, 1, 1]},
            "duplicate_score", 4, 'line 4 repeats the score "0.1"',
        ),
        (
            {"score": [0.1, float("nan"), 0.3], "positives": [1, 2, 3], "negatives": [1, 1, 1]},
            "not_finite", 3, "the first on line 3",
        ),
        (
            {"score": [0.1, 0.2], "positives": [0, 0], "negatives": [1, 1]},
            "one_class", None, 'column "positives" counts no positives',
        ),
        (
            {"score": [0.1, 0.2], "positives": [1, 2], "negatives": [1, float("inf")]},
            "not_finite", 3, 'column "negatives" holds 1 counts that are not finite',
        ),
        (
            {"score": [0.1, 0.2], "positives": [1, 2], "negatives": ["1", "many"]},
            "not_a_number", 3, 'line 3 holds "many", which is not a number',
        ),
    ],
)  # fmt: skip
def test_bad_aggregated_tables_get_one_line_naming_the_row(tmp_path, rows, problem, line, words):
    import pyarrow.csv  # noqa: F401 - pa.csv

    path = _written(tmp_path, rows)
    with pytest.raises(ScoreFileError) as caught:
        read_scored_set(path)
    assert caught.value.problem == problem
    assert caught.value.row == line
    text = score_file_problem_text(caught.value)
    assert words in text and "\n" not in text


def test_a_score_may_repeat_in_another_fold_split_or_group(tmp_path):
    rows = {
        "score": [0.1, 0.1, 0.1, 0.2],
        "fold": ["a", "b", "b", "a"],
        "group": ["x", "x", "y", "x"],
        "positives": [1, 2, 0, 3],
        "negatives": [4, 0, 5, 1],
    }
    scored = read_scored_set(_written(tmp_path, rows, "agg.parquet"))
    assert scored.n_samples == 16 and scored.n_rows == 6  # zero counts leave no row
    index = scored_tradeoff_data(scored).cv_index
    assert (index.n_pos, index.n_neg) == (6, 10)
    rows["fold"][2] = "b"
    rows["group"][2] = "x"
    with pytest.raises(ScoreFileError, match="duplicate_score"):
        read_scored_set(_written(tmp_path, rows, "again.parquet"))


@pytest.mark.parametrize(
    ("counts", "words"),
    [
        ([1, -1, 2], r"counts\[1\] = -1"),
        ([1, 0.5, 2], r"counts\[1\] = 0.5"),
        ([0, 0, 0], "every count is 0"),
        ([1, 2], r"shape \(3,\)"),
    ],
)
def test_build_score_index_refuses_bad_counts(counts, words):
    with pytest.raises(ValueError, match=words):
        build_score_index(y_true=[True, False, True], scores=[0.1, 0.2, 0.3], counts=counts)


def test_a_row_of_count_zero_counts_nothing_and_is_no_threshold():
    index = build_score_index(
        y_true=[True, False, True, False], scores=[0.1, 0.2, 0.3, 0.4], counts=[2, 0, 1, 3]
    )
    np.testing.assert_array_equal(index.thresholds, [0.1, 0.3, 0.4])
    np.testing.assert_array_equal(index.tp, [3, 1, 0])
    np.testing.assert_array_equal(index.fp, [3, 3, 3])
    np.testing.assert_array_equal(index.threshold_sizes, [2, 1, 3])
    assert [score_at_rank(index, r) for r in range(6)] == [0.1, 0.1, 0.3, 0.4, 0.4, 0.4]


def test_the_text_says_what_the_aggregated_table_counts(files, capsys):
    status = cli.main(["tradeoff", "--scores", str(files[1]), "--threshold=0.5"])
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    first = out.splitlines()[0]
    assert "counting 6,000 scores), aggregated" in first and '"positives"' in first
    assert "Curve rows (" in out and "Test rows (" in out
