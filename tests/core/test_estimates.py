"""Intervals, folds, prevalence, cost and the bootstrap of a picked threshold, on small data."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import binomtest

from core import cli
from core.cli_text import format_tradeoff
from core.counting import build_score_index, metrics_at
from core.data import load_fallback_dataset
from core.detector import train_detector
from core.estimates import (
    at_prevalence,
    bootstrap_threshold,
    expected_cost_per_1000,
    fewest_hits,
    fold_indexes,
    fold_thresholds,
    intervals_at,
    resample_picks,
    wilson_interval,
)
from core.pickers import threshold_for_precision, threshold_for_recall
from core.tradeoff import tradeoff_data, tradeoff_summary


def scored(seed: int = 0, n: int = 3000, rate: float = 0.1):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < rate
    scores = np.round(rng.normal(size=n) * 2 + np.where(y, 2.0, -1.0), 2)  # with ties
    return y, scores


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 50, 333, 2891, 60000])
def test_wilson_matches_scipy_for_every_k_including_0_and_n(n):
    ks = sorted({0, 1, n // 3, n // 2, n - 1, n} & set(range(n + 1)))
    lows, highs = wilson_interval(np.array(ks), np.full(len(ks), n))
    for k, low, high in zip(ks, lows, highs, strict=True):
        expected = binomtest(k, n).proportion_ci(method="wilson")
        assert low == pytest.approx(expected.low, abs=1e-12)
        assert high == pytest.approx(expected.high, abs=1e-12)
        assert 0.0 <= low <= k / n <= high <= 1.0


def test_wilson_of_nothing_is_undefined_and_bad_counts_are_named():
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    with pytest.raises(ValueError, match="successes <= trials"):
        wilson_interval(5, 3)
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 2, confidence=1.5)


def test_intervals_at_a_threshold_use_the_right_counts():
    y, scores = scored()
    index = build_score_index(y_true=y, scores=scores)
    m = metrics_at(index, threshold=1.5)
    ci = intervals_at(index, threshold=1.5)
    assert ci.precision == wilson_interval(m.tp, m.tp + m.fp)
    assert ci.recall == wilson_interval(m.tp, m.tp + m.fn)
    assert ci.false_positive_rate == wilson_interval(m.fp, m.fp + m.tn)
    nothing = intervals_at(index, threshold=math.inf)
    assert math.isnan(nothing.precision[0]) and nothing.recall == (0.0, pytest.approx(0.01, 0.2))


def test_each_fold_alone_counts_its_own_digits():
    y, scores = scored(1)
    fold_ids = np.arange(y.size) % 3
    folds = fold_indexes(y_true=y, scores=scores, fold_ids=fold_ids)
    assert [f.n_samples for f in folds] == [1000, 1000, 1000]
    for k, fold in enumerate(folds):
        mine = fold_ids == k
        flagged = scores[mine] >= 0.5
        assert metrics_at(fold, threshold=0.5).tp == np.count_nonzero(flagged & y[mine])
    with pytest.raises(ValueError, match="without gaps"):
        fold_indexes(y_true=y, scores=scores, fold_ids=fold_ids * 2)
    picks = fold_thresholds(folds, kind="precision", target=0.9)
    assert picks == tuple(threshold_for_precision(f, target=0.9).threshold for f in folds)


@pytest.mark.parametrize("prevalence", [0.01, 0.09035, 0.5, 0.9])
def test_prevalence_formula_equals_reweighting_the_digits(prevalence):
    y, scores = scored(2)
    flagged = scores >= 1.0
    # Brute force: weight each positive by p / share and each negative by (1 - p) / (1 - share).
    share = y.mean()
    weights = np.where(y, prevalence / share, (1 - prevalence) / (1 - share))
    tp = weights[flagged & y].sum()
    fp = weights[flagged & ~y].sum()
    tn = weights[~flagged & ~y].sum()
    index = build_score_index(y_true=y, scores=scores)
    m = metrics_at(index, threshold=1.0)
    shifted = at_prevalence(
        recall=m.recall, false_positive_rate=m.false_positive_rate, prevalence=prevalence
    )
    assert shifted.precision == pytest.approx(tp / (tp + fp), rel=1e-12)
    assert shifted.accuracy == pytest.approx((tp + tn) / weights.sum(), rel=1e-12)
    assert shifted.recall == m.recall and shifted.false_positive_rate == m.false_positive_rate
    cost = expected_cost_per_1000(
        recall=m.recall,
        false_positive_rate=m.false_positive_rate,
        prevalence=prevalence,
        false_positive_cost=2.0,
        false_negative_cost=7.0,
    )
    fn = weights[~flagged & y].sum()
    assert cost == pytest.approx(1000 * (2 * fp + 7 * fn) / weights.sum(), rel=1e-12)


@pytest.mark.parametrize("bad", [0, 1, -0.1, math.nan, "0.1"])
def test_a_prevalence_outside_0_1_is_named(bad):
    with pytest.raises(ValueError, match="prevalence"):
        at_prevalence(recall=0.5, false_positive_rate=0.1, prevalence=bad)


def test_bootstrap_is_reproducible_from_its_seed_and_brackets_the_pick():
    y, scores = scored(3)
    index = build_score_index(y_true=y, scores=scores)
    first = bootstrap_threshold(index, kind="precision", target=0.6, n_resamples=200, seed=7)
    again = bootstrap_threshold(index, kind="precision", target=0.6, n_resamples=200, seed=7)
    other = bootstrap_threshold(index, kind="precision", target=0.6, n_resamples=200, seed=8)
    assert first == again and first != other
    pick = threshold_for_precision(index, target=0.6)
    assert first.threshold[0] <= pick.threshold <= first.threshold[1]
    assert first.other[0] <= pick.metrics.recall <= first.other[1]
    assert first.reached == 1.0
    recall = bootstrap_threshold(index, kind="recall", target=0.9, n_resamples=100)
    assert recall.threshold[0] <= recall.threshold[1] and 0 < recall.other[0] <= 1


def _drawn_by_index(index, *, seed, n_resamples, block):
    """Every resample in full, the documented way: binomial positives, positives uniformly,
    then from the highest block of negatives down (``block``, ``block``, then doubling) a
    binomial count (its share of the negatives left) and that many uniformly within it; as
    sample indexes of the original arrays."""
    for child in np.random.SeedSequence(seed).spawn(n_resamples):
        rng = np.random.Generator(np.random.PCG64(child))
        n = index.n_samples
        k = rng.binomial(n, index.n_pos / n)
        ranks = [index.positive_ranks[rng.integers(0, index.n_pos, size=k)]]
        left, high, size = n - k, index.n_neg, block
        while high > 0:
            low = max(0, high - size)
            count = left if low == 0 else rng.binomial(left, (high - low) / high)
            ranks.append(index.negative_ranks[rng.integers(low, high, size=count)])
            left, high = left - count, low
            size = size if high == index.n_neg - block else 2 * size
        yield index.order[np.concatenate(ranks)]


@pytest.mark.parametrize("block", [1024, 16, 1])
@pytest.mark.parametrize(
    "kind, target",
    [("precision", 0.5), ("precision", 0.8), ("precision", 1.0), ("recall", 0.9), ("recall", 0.35)],
)
def test_bootstrap_picks_equal_each_resample_drawn_by_index_and_sorted_again(kind, target, block):
    # Each resample by hand: draw it whole, re-sort it, pick; the bootstrap must agree exactly,
    # although it draws only the blocks of negatives its pick needs.
    y, scores = scored(4, n=400)  # with ties
    y[np.argmax(scores)] = False  # precision 1 only where the top score is not drawn
    index = build_score_index(y_true=y, scores=scores)
    picked, other = resample_picks(
        index, kind=kind, target=target, n_resamples=40, seed=11, block=block
    )
    pick = threshold_for_precision if kind == "precision" else threshold_for_recall
    reached = 0
    for b, rows in enumerate(_drawn_by_index(index, seed=11, n_resamples=40, block=block)):
        choice = pick(build_score_index(y_true=y[rows], scores=scores[rows]), target=target)
        if not choice.reached:
            assert math.isnan(picked[b]) and math.isnan(other[b]), b
            continue
        reached += 1
        figure = choice.metrics.recall if kind == "precision" else choice.metrics.precision
        assert (picked[b], other[b]) == (choice.threshold, figure), b
    assert 0 < reached and (reached < 40 or target < 1)  # at 1.0 both kinds of resample occur


def test_the_blocks_draw_each_position_as_a_uniform_draw_would():
    # The mean and variance of each position's count: 1 and 1 - 1/n, as for n uniform draws.
    y, scores = scored(5, n=60, rate=0.3)
    index = build_score_index(y_true=y, scores=scores)
    counts = np.array(
        [
            np.bincount(rows, minlength=60)
            for rows in _drawn_by_index(index, seed=3, n_resamples=4000, block=8)
        ]
    )  # counts per sample
    assert counts.sum(axis=1).tolist() == [60] * 4000
    assert np.abs(counts.mean(axis=0) - 1).max() < 0.06
    assert np.abs(counts.var(axis=0) - (1 - 1 / 60)).max() < 0.15


@pytest.mark.parametrize("target", [0.9, 0.8, 0.5, 0.35, 1 / 3, 0.1, 1.0, 0.999])
def test_fewest_hits_is_the_float_division_threshold(target):
    hits = fewest_hits(500, target)
    assert hits[0] == 501
    for f in range(1, 501):
        ks = np.arange(f + 1)
        assert hits[f] == int(np.argmax(ks / f >= target)), f
    f = np.arange(1, 60_001)
    k = fewest_hits(60_000, target)[1:]
    assert np.all(k / f >= target) and np.all((k == 0) | ((k - 1) / f < target))


def test_bootstrap_validates_its_arguments():
    y, scores = scored()
    index = build_score_index(y_true=y, scores=scores)
    with pytest.raises(ValueError, match="kind must be one of precision, recall; got 'f1'"):
        bootstrap_threshold(index, kind="f1", target=0.9)
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap_threshold(index, kind="recall", target=0.9, n_resamples=0)


@pytest.fixture(scope="module")
def small_tradeoff(tmp_path_factory):
    digits = load_fallback_dataset()
    result = train_detector(digits, digit=5, cache_dir=tmp_path_factory.mktemp("estimates"))
    return tradeoff_data(result)


def test_summary_has_every_key_and_undefined_values_are_null(small_tradeoff):
    summary = tradeoff_summary(
        small_tradeoff, threshold=0.0, prevalence=0.2, false_positive_cost=1, false_negative_cost=5
    )
    for key in (
        "threshold tp fp fn tn precision recall f1 precision_ci recall_ci fold_precision "
        "fold_recall test_precision test_recall test_precision_ci test_recall_ci prevalence "
        "precision_at_prevalence expected_cost_per_1000"
    ).split():
        assert key in summary, key
    assert len(summary["fold_precision"]) == len(summary["fold_recall"]) == 3
    assert summary["tp"] + summary["fn"] == small_tradeoff.cv_index.n_pos
    nothing = tradeoff_summary(small_tradeoff, threshold=math.inf)
    assert nothing["precision"] is None and nothing["precision_ci"] == [None, None]
    assert "prevalence" not in nothing and "expected_cost_per_1000" not in nothing
    json.dumps(nothing, allow_nan=False)
    assert "undefined (nothing is flagged)" in format_tradeoff(nothing)
    with pytest.raises(ValueError, match="both"):
        tradeoff_summary(small_tradeoff, threshold=0.0, false_positive_cost=1)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--threshold", "x"], "invalid float value"),
        (["--threshold", "nan"], "--threshold must be a number"),
        (["--threshold", "0", "--prevalence", "1.5"], "--prevalence must be between 0 and 1"),
        (["--threshold", "0", "--fp-cost", "1"], "both --fp-cost and --fn-cost"),
        (["--threshold", "0", "--fp-cost", "-1", "--fn-cost", "1"], "--fp-cost must be"),
        (["--threshold", "0", "--digit", "12"], "--digit must be 0-9"),
        ([], "required: --threshold"),
    ],
)
def test_cli_tradeoff_bad_arguments_are_one_line_and_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) if not args or args[1] == "x" else _no_exit() as outcome:
        status = cli.main(["tradeoff", *args])
    status = outcome.value.code if isinstance(outcome, pytest.ExceptionInfo) else status
    error = capsys.readouterr().err
    assert status == 2 and message in error and error.count("\n") == 1, error


class _no_exit:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_cli_tradeoff_json_on_the_small_set(monkeypatch, cache_dir, capsys):
    monkeypatch.delenv("MNIST_DATA", raising=False)
    argv = ["tradeoff", "--threshold", "0", "--prevalence", "0.05", "--json"]
    assert cli.main(argv + ["--fp-cost", "1", "--fn-cost", "3"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["digit"] == 5 and summary["prevalence"] == 0.05
    assert summary["expected_cost_per_1000"] > 0
    low, high = summary["precision_ci"]
    assert low <= summary["precision"] <= high
