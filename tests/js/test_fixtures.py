"""The JavaScript tests' fixtures: each committed file is what tests/js/write_fixtures.py
writes now, and each holds the cases the browser must get right."""

from __future__ import annotations

import json

import pytest

from tests.js.write_fixtures import (
    FIXTURES,
    counting_fixture,
    estimates_fixture,
    write_counting_fixture,
    write_estimates_fixture,
    write_fallback_scores_fixture,
    write_payload_fixture,
    write_scored_groups_fixture,
    write_scored_payload_fixture,
)


@pytest.mark.parametrize(
    ("name", "writer"),
    [
        ("counting.json", write_counting_fixture),
        ("estimates.json", write_estimates_fixture),
        ("payload.bin", write_payload_fixture),
        ("fallback_scores.json", write_fallback_scores_fixture),
        ("scored_payload.bin", write_scored_payload_fixture),
        ("scored_groups.json", write_scored_groups_fixture),
    ],
)
def test_each_javascript_fixture_is_what_core_writes_now(tmp_path, name, writer):
    written = tmp_path / name
    writer(path=written)
    assert written.read_bytes() == (FIXTURES / name).read_bytes(), (
        f"tests/js/fixtures/{name} is stale: rewrite it with "
        f"{writer.__module__}.{writer.__name__}(path=...), or all of them with "
        f"python -m {writer.__module__}"
    )


def test_the_fixture_covers_the_cases_the_browser_must_get_right():
    fixture = counting_fixture()
    names = {case["name"] for case in fixture["cases"]}
    assert {"ties", "all scores equal", "positives only", "negatives only"} <= names
    json.dumps(fixture, allow_nan=False)  # valid JSON: no NaN or inf numbers
    ties = next(case for case in fixture["cases"] if case["name"] == "ties")
    beyond = {q["threshold"] for q in ties["queries"]}
    assert {"Infinity", "-Infinity", min(ties["distinct_scores"]) - 1} <= beyond


def test_the_estimates_fixture_holds_the_edge_cases():
    fixture = estimates_fixture()
    json.dumps(fixture, allow_nan=False)
    pairs = {(w["k"], w["n"]) for w in fixture["wilson"]}
    assert {(0, 0), (0, 1), (1, 1), (0, 60000), (60000, 60000)} <= pairs
    assert next(w for w in fixture["wilson"] if w["n"] == 0)["low"] is None
    assert any(c["precision"] is None for c in fixture["prevalence"])  # nothing flagged
    ties = [c for c in fixture["cost"] if c["case"] == "ties"]
    assert {c["prevalence"] for c in ties} == {None, 0.01, 0.3, 0.9}
    # Both weights at zero somewhere (a cost of 0), and weighted by a prevalence elsewhere.
    assert any(0.0 in c["weights"] for c in fixture["cost"])
    assert any(c["prevalence"] is not None for c in fixture["cost"])
