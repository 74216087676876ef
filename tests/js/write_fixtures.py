"""The fixtures the explorer's JavaScript tests read, written from what core computes.

``tests/js/fixtures/`` holds three files the browser's own code is checked against with
``node --test``: ``counting.json`` (what :func:`core.counting.metrics_at` says),
``estimates.json`` (intervals, prevalence and cost from :mod:`core.estimates` and
:mod:`core.pickers`), ``payload.bin`` (an explorer payload of :mod:`core.explorer`),
``fallback_scores.json`` (the cross-validated scores of every digit's detector on the fallback
set, for the threshold axis's opening view), ``scored_payload.bin`` (the payload of a generated
scored set without folds or test rows, with groups) and ``scored_groups.json`` (its groups'
figures at every threshold).
``tests/js/test_fixtures.py`` checks that each committed file is what these writers write now;
``python -m tests.js.write_fixtures`` rewrites them all.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from core.counting import build_score_index, metrics_at
from core.estimates import (
    CONFIDENCE,
    at_prevalence,
    expected_cost_per_1000,
    intervals_at,
    wilson_interval,
    wilson_z,
)
from core.explorer import detector_nouns, encode_payload, explorer_payload, scored_set_nouns
from core.formatting import json_number
from core.groups import group_indexes
from core.pickers import cost_weights
from core.scored_set import scored_set
from core.tradeoff import scored_tradeoff_data, tradeoff_data

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COUNTING_FIXTURE_FORMAT = "threshold-explorer-counting/1"
ESTIMATES_FIXTURE_FORMAT = "threshold-explorer-estimates/1"
FALLBACK_FIXTURE_FORMAT = "threshold-explorer-fallback-scores/1"
GROUPS_FIXTURE_FORMAT = "threshold-explorer-groups/1"


def fixture_number(value: float) -> float | str | None:
    """JSON has no inf or NaN: inf as the text JavaScript's ``Number()`` reads, NaN as null."""
    value = float(value)
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return json_number(value)


# --------------------------------------------------------------------------------------------
# The browser's counting (counting.js)
# --------------------------------------------------------------------------------------------


def _fixture_case(name: str, labels, scores) -> dict:
    index = build_score_index(y_true=labels, scores=scores)
    distinct = index.thresholds
    low, high = float(distinct[0]), float(distinct[-1])
    queries = [*distinct.tolist(), low - 1.0, high + 1.0, -math.inf, math.inf]
    queries += ((distinct[1:] + distinct[:-1]) / 2).tolist()  # between two scores
    expected = []
    for threshold in queries:
        m = metrics_at(index, threshold=threshold)
        above = distinct[distinct > threshold]
        below = distinct[distinct < threshold]
        if threshold in distinct or not above.size or not below.size:
            nearest = (
                threshold if threshold in distinct else (above[0] if above.size else below[-1])
            )
        else:  # the nearer neighbour, the lower one when both are as near
            nearest = above[0] if above[0] - threshold < threshold - below[-1] else below[-1]
        expected.append(
            {
                "threshold": fixture_number(threshold),
                "tp": m.tp,
                "fp": m.fp,
                "fn": m.fn,
                "tn": m.tn,
                "n_flagged": m.n_flagged,
                "precision": fixture_number(m.precision),
                "recall": fixture_number(m.recall),
                "f1": fixture_number(m.f1),
                "accuracy": fixture_number(m.accuracy),
                "false_positive_rate": fixture_number(m.false_positive_rate),
                "specificity": fixture_number(m.specificity),
                "next_score": fixture_number(above[0]) if above.size else None,
                "previous_score": fixture_number(below[-1]) if below.size else None,
                "nearest_score": fixture_number(nearest),
                "n_below": int(index.sorted_scores.searchsorted(threshold, side="left")),
            }
        )
    return {
        "name": name,
        "positives": sorted(float(s) for s, y in zip(scores, labels, strict=True) if y),
        "negatives": sorted(float(s) for s, y in zip(scores, labels, strict=True) if not y),
        "sorted_scores": index.sorted_scores.tolist(),
        "distinct_scores": distinct.tolist(),
        "queries": expected,
    }


def counting_fixture() -> dict:
    """Cases and expected answers for the explorer's JavaScript counting (``counting.js``).

    Each case holds the sorted scores of its positives and negatives and, for every distinct
    score, the points between them and thresholds beyond both ends (also +-inf), what
    :func:`metrics_at` says (NaN as null) and the next, previous and nearest distinct score.
    The cases: ties, all scores equal, one class only, and a random set with many ties.

    Returns
    -------
    dict
        JSON-ready (no inf or NaN numbers).
    """
    rng = np.random.default_rng(5)
    random_scores = np.round(rng.normal(0.0, 3.0, 400), 1) * 1234.5678 + 0.0  # no -0.0
    random_labels = rng.random(400) < 0.1 + 0.8 * (random_scores > 0)
    cases = [
        _fixture_case(
            "ties",
            [1, 0, 1, 1, 0, 0, 1, 0, 0, 1],
            [-2.5, -2.5, 0.0, 0.1, 0.1, 0.1, 3.0, 3.0, 7.25, 1e300],
        ),
        _fixture_case("all scores equal", [1, 0, 0, 1, 0], [4.2] * 5),
        _fixture_case("positives only", [1, 1, 1, 1], [-1.0, 0.5, 0.5, 2.0]),
        _fixture_case("negatives only", [0, 0, 0], [-3.0, -3.0, 5e-324]),
        _fixture_case("one sample", [1], [3370.0194991439557]),
        _fixture_case("random with ties", random_labels, random_scores),
    ]
    return {
        "format": COUNTING_FIXTURE_FORMAT,
        "rule": "flagged when score >= threshold",
        "cases": cases,
    }


def write_fixture(fixture: dict, *, path) -> None:
    """Write a fixture for the explorer's JavaScript tests as JSON (no NaN or inf) to ``path``.

    Parameters
    ----------
    fixture : dict
        JSON-ready.
    path : str or os.PathLike
        The file to write; its directory must exist.
    """
    text = json.dumps(fixture, indent=1, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def write_counting_fixture(*, path) -> None:
    """Write :func:`counting_fixture` to ``path`` (``tests/js/fixtures/counting.json``)."""
    write_fixture(counting_fixture(), path=path)


# --------------------------------------------------------------------------------------------
# The explorer's payload (explorer.test.mjs)
# --------------------------------------------------------------------------------------------


def write_payload_fixture(*, path) -> None:
    """Write the payload of a tiny detector, the counting fixture's "ties" case, to ``path``.

    The explorer's JavaScript tests (``tests/js/explorer.test.mjs``) decode it and compare its
    scores with that case of :func:`counting_fixture`.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (``tests/js/fixtures/payload.bin``); its directory must exist.
    """
    case = next(c for c in counting_fixture()["cases"] if c["name"] == "ties")
    scores = np.array(case["positives"] + case["negatives"])
    labels = np.array([True] * len(case["positives"]) + [False] * len(case["negatives"]))
    result = SimpleNamespace(
        digit=5,
        fingerprint="synthetic",
        y_train=labels,
        cv_scores=scores,
        fold_ids=np.arange(scores.size) % 3,
        y_test=labels,
        test_scores=scores + 0.5,
    )
    payload = explorer_payload(tradeoff_data(result), nouns=detector_nouns(5))
    Path(path).write_bytes(encode_payload(payload))


# --------------------------------------------------------------------------------------------
# The browser's intervals, prevalence and cost (estimates.js)
# --------------------------------------------------------------------------------------------


def estimates_fixture() -> dict:
    """Cases and expected answers for the explorer's own formulas (``estimates.js``).

    - ``wilson``: :func:`core.estimates.wilson_interval` for many ``(k, n)``, ``k = 0``,
      ``k = n`` and ``n = 0`` (null) among them;
    - ``prevalence``: :func:`core.estimates.at_prevalence` for pairs of rates and shares;
    - ``cost``: per case of :func:`counting_fixture` with both classes and per pair of costs and
      prevalence (null: the sample's own), the weights of :func:`core.pickers.cost_weights` and
      :func:`core.estimates.expected_cost_per_1000` at each distinct score (the case's scores are
      in the counting fixture, by name). The least-cost threshold is the server's
      (:func:`core.explorer.settings_figures`), which the explorer shows.

    Returns
    -------
    dict
        JSON-ready (no inf or NaN numbers).
    """
    wilson = []
    for n in (0, 1, 2, 3, 5, 10, 37, 100, 1000, 2891, 5421, 60000):
        for k in sorted({0, 1, n // 7, n // 3, n // 2, n - 1, n} - {-1}):
            if 0 <= k <= n:
                low, high = wilson_interval(k, n)
                wilson.append(
                    {"k": k, "n": n, "low": fixture_number(low), "high": fixture_number(high)}
                )
    prevalence = []
    for recall, fpr in ((0.48, 0.0053), (1.0, 1.0), (0.0, 0.0), (0.0, 0.2), (0.9, 0.0)):
        for p in (0.0001, 0.01, 0.09035, 0.2, 0.5, 0.9999):
            shifted = at_prevalence(recall=recall, false_positive_rate=fpr, prevalence=p)
            prevalence.append(
                {
                    "recall": recall,
                    "false_positive_rate": fpr,
                    "prevalence": p,
                    "precision": fixture_number(shifted.precision),
                    "f1": fixture_number(shifted.f1),
                    "accuracy": fixture_number(shifted.accuracy),
                }
            )
    cost = []
    for case in counting_fixture()["cases"]:
        if not case["positives"] or not case["negatives"]:
            continue
        scores = case["positives"] + case["negatives"]
        labels = [True] * len(case["positives"]) + [False] * len(case["negatives"])
        index = build_score_index(y_true=np.array(labels), scores=np.array(scores))
        share = index.n_pos / index.n_samples
        for fp_cost, fn_cost in ((1.0, 5.0), (1.0, 1.0), (0.0, 1.0), (3.0, 0.0), (2.5, 0.1)):
            for p in (None, 0.01, 0.3, 0.9):
                weights = cost_weights(
                    index, false_positive_cost=fp_cost, false_negative_cost=fn_cost, prevalence=p
                )
                per_1000 = []
                for t in index.thresholds:
                    m = metrics_at(index, threshold=t)
                    per_1000.append(
                        expected_cost_per_1000(
                            recall=m.recall,
                            false_positive_rate=m.false_positive_rate,
                            prevalence=share if p is None else p,
                            false_positive_cost=fp_cost,
                            false_negative_cost=fn_cost,
                        )
                    )
                cost.append(
                    {
                        "case": case["name"],
                        "false_positive_cost": fp_cost,
                        "false_negative_cost": fn_cost,
                        "prevalence": p,
                        "weights": list(weights),
                        "cost_per_1000": per_1000,
                    }
                )
    return {
        "format": ESTIMATES_FIXTURE_FORMAT,
        "confidence": CONFIDENCE,
        "z": wilson_z(CONFIDENCE),
        "wilson": wilson,
        "prevalence": prevalence,
        "cost": cost,
    }


def write_estimates_fixture(*, path) -> None:
    """Write :func:`estimates_fixture` to ``path`` (``tests/js/fixtures/estimates.json``)."""
    write_fixture(estimates_fixture(), path=path)


# --------------------------------------------------------------------------------------------
# The fallback set's scores (axis.test.mjs)
# --------------------------------------------------------------------------------------------


def fallback_scores_fixture() -> dict:
    """Every digit's detector on the fallback set (scikit-learn's 8x8 digits), as the app
    trains it: the cross-validated scores of the digit's own images, ascending, and the lowest
    and highest of all the cross-validated scores (the threshold axis's full range).

    Returns
    -------
    dict
        JSON-ready.
    """
    import tempfile
    import warnings

    from core.data import load_fallback_dataset
    from core.detector import train_detector

    dataset = load_fallback_dataset()
    digits = []
    with tempfile.TemporaryDirectory() as cache, warnings.catch_warnings():
        # The small set's fits stop at max_iter, as in the app: the warning is expected.
        warnings.simplefilter("ignore")
        for digit in range(10):
            result = train_detector(dataset, digit=digit, cache_dir=cache, use_cache=False)
            index = tradeoff_data(result).cv_index
            scores = index.sorted_scores
            positive = scores[index.positive_ranks]
            digits.append(
                {
                    "digit": digit,
                    "positive": [fixture_number(v) for v in positive],
                    "low": fixture_number(scores[0]),
                    "high": fixture_number(scores[-1]),
                }
            )
    return {"format": FALLBACK_FIXTURE_FORMAT, "digits": digits}


def write_fallback_scores_fixture(*, path) -> None:
    """Write :func:`fallback_scores_fixture` to ``path`` (``fixtures/fallback_scores.json``)."""
    write_fixture(fallback_scores_fixture(), path=path)


# --------------------------------------------------------------------------------------------
# A scored set's payload: no folds, no test rows, groups (groups.test.mjs)
# --------------------------------------------------------------------------------------------


def _generated_scored_set():
    """A small seeded scored set with heavy ties, three groups (one without positives) and
    rows in no group; no folds, no test rows."""
    rng = np.random.default_rng(20)
    n = 90
    y = rng.random(n) < 0.35
    scores = np.round(rng.normal(0.0, 1.0, n) + 1.2 * y, 1) + 0.0  # ties, no -0.0
    group_ids = rng.integers(-1, 2, n).astype(np.int32)  # -1: no group
    group_ids[(group_ids == 1) & y] = 2  # "east" has no positives: its recall is 0/0
    return scored_set(
        name="generated.csv",
        y_true=y,
        scores=scores,
        positive_label="fraud",
        negative_label="ok",
        group_ids=group_ids,
        group_names=("north", "east", "south"),
        fingerprint="generated",
    )


def scored_payload() -> bytes:
    """The explorer payload of :func:`_generated_scored_set`, with its groups."""
    scored = _generated_scored_set()
    data = scored_tradeoff_data(scored)
    payload = explorer_payload(data, nouns=scored_set_nouns(scored), groups=group_indexes(scored))
    return encode_payload(payload)


def scored_groups_fixture() -> dict:
    """What the explorer's group table must show for :func:`scored_payload`: the pooled and
    each group's sorted scores and, at every distinct score and beyond both ends, each group's
    counts, precision, recall and false-positive rate (:func:`core.counting.metrics_at`) and
    their 95% Wilson intervals (:func:`core.estimates.intervals_at`); NaN as null.

    Returns
    -------
    dict
        JSON-ready.
    """
    scored = _generated_scored_set()
    data = scored_tradeoff_data(scored)
    groups = group_indexes(scored)

    def classes(index):
        scores = index.sorted_scores
        return scores[index.positive_ranks].tolist(), scores[index.negative_ranks].tolist()

    def interval(pair):
        return None if math.isnan(pair[0]) else [fixture_number(v) for v in pair]

    positive, negative = classes(data.cv_index)
    distinct = data.cv_index.thresholds
    queries = []
    for threshold in [*distinct.tolist(), distinct[0] - 1.0, math.inf, -math.inf]:
        figures = []
        for name, index in groups:
            m = metrics_at(index, threshold=threshold)
            ci = intervals_at(index, threshold=threshold)
            figures.append(
                {
                    "name": name,
                    "rows": index.n_samples,
                    "tp": m.tp,
                    "fp": m.fp,
                    "fn": m.fn,
                    "tn": m.tn,
                    "precision": fixture_number(m.precision),
                    "recall": fixture_number(m.recall),
                    "false_positive_rate": fixture_number(m.false_positive_rate),
                    "precision_ci": interval(ci.precision),
                    "recall_ci": interval(ci.recall),
                    "false_positive_rate_ci": interval(ci.false_positive_rate),
                }
            )
        queries.append({"threshold": fixture_number(threshold), "groups": figures})
    return {
        "format": GROUPS_FIXTURE_FORMAT,
        "positive": positive,
        "negative": negative,
        "groups": [
            dict(zip(("name", "positive", "negative"), (name, *classes(index)), strict=True))
            for name, index in groups
        ],
        "queries": queries,
    }


def write_scored_payload_fixture(*, path) -> None:
    """Write :func:`scored_payload` to ``path`` (``tests/js/fixtures/scored_payload.bin``)."""
    Path(path).write_bytes(scored_payload())


def write_scored_groups_fixture(*, path) -> None:
    """Write :func:`scored_groups_fixture` to ``path`` (``fixtures/scored_groups.json``)."""
    write_fixture(scored_groups_fixture(), path=path)


WRITERS = {
    "counting.json": write_counting_fixture,
    "estimates.json": write_estimates_fixture,
    "payload.bin": write_payload_fixture,
    "fallback_scores.json": write_fallback_scores_fixture,
    "scored_payload.bin": write_scored_payload_fixture,
    "scored_groups.json": write_scored_groups_fixture,
}


def main() -> None:
    """Rewrite every fixture of ``tests/js/fixtures/``."""
    for name, writer in WRITERS.items():
        writer(path=FIXTURES / name)


if __name__ == "__main__":
    main()
