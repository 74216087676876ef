"""The rows at the cut (core.score_rows, core.counting.nearest_indices) and the server's
directory of score files (core.score_directory)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from core.counting import build_score_index, nearest_indices
from core.score_directory import ENV_VAR, score_file_names, score_file_path, scores_directory
from core.score_rows import rows_at_cut
from core.scored_set import scored_set


def brute_nearest(scores, threshold, limit):
    """Every index ordered by distance, ties by score then index: the reference."""
    order = sorted(range(scores.size), key=lambda i: (abs(scores[i] - threshold), scores[i], i))
    return order[:limit]


@pytest.mark.parametrize("threshold", [-5.0, -0.3, 0.0, 0.25, 0.3, 9.0, np.inf, -np.inf])
@pytest.mark.parametrize("limit", [0, 1, 7, 40, 500])
def test_nearest_indices_are_the_nearest_by_distance(threshold, limit):
    rng = np.random.default_rng(5)
    scores = np.round(rng.normal(size=300), 1)  # many ties
    y = rng.random(300) < 0.4
    index = build_score_index(y_true=y, scores=scores)
    got = nearest_indices(index, threshold=threshold, limit=limit)
    expected = brute_nearest(scores, threshold, limit)
    assert got.size == min(limit, 300)
    np.testing.assert_array_equal(
        np.abs(scores[got] - threshold), np.abs(scores[expected] - threshold)
    )
    assert len(set(got.tolist())) == got.size


def test_nearest_indices_refuse_a_bad_limit():
    index = build_score_index(y_true=np.array([True, False]), scores=np.array([0.1, 0.2]))
    for bad in (None, -1, 2.5):
        with pytest.raises(ValueError, match="limit"):
            nearest_indices(index, threshold=0.0, limit=bad)


def sample(n=200, seed=1):
    rng = np.random.default_rng(seed)
    is_test = rng.random(n) < 0.3
    return scored_set(
        name="s",
        y_true=rng.random(n) < 0.5,
        scores=rng.random(n),
        positive_label="spam",
        negative_label="ham",
        is_test=is_test,
        ids=np.array([f"m{k}" for k in range(n)]),
        other_columns={"sender": np.array([f"s{k % 7}" for k in range(n)])},
    )


def test_rows_at_the_cut_are_curve_rows_nearest_first_with_their_columns():
    scored = sample()
    curve = scored.curve_rows
    index = build_score_index(y_true=scored.y_true[curve], scores=scored.scores[curve])
    cut = rows_at_cut(scored, index, threshold=0.5, limit=20)
    assert cut.rows.size == 20
    assert not scored.is_test[cut.rows].any()
    distance = np.abs(cut.scores - 0.5)
    assert np.all(np.diff(distance) >= 0)
    # No curve row outside the twenty is nearer than the farthest shown.
    others = np.setdiff1d(curve, cut.rows)
    assert np.abs(scored.scores[others] - 0.5).min() >= distance.max()
    np.testing.assert_array_equal(cut.scores, scored.scores[cut.rows])
    np.testing.assert_array_equal(cut.ids, scored.ids[cut.rows])
    np.testing.assert_array_equal(cut.flagged, scored.scores[cut.rows] >= 0.5)
    for row, label, cell in zip(cut.rows, cut.labels, cut.cells, strict=True):
        positive, flagged = scored.y_true[row], scored.scores[row] >= 0.5
        assert label == ("spam" if positive else "ham")
        assert cell.startswith("true" if positive == flagged else "false")
        assert cell.endswith("positive" if flagged else "negative")
    np.testing.assert_array_equal(
        cut.other_columns["sender"], scored.other_columns["sender"][cut.rows]
    )


@pytest.mark.parametrize("kind", ["false_positive", "false_negative", "true_positive"])
def test_one_cell_only(kind):
    scored = sample(seed=2)
    curve = scored.curve_rows
    index = build_score_index(y_true=scored.y_true[curve], scores=scored.scores[curve])
    cut = rows_at_cut(scored, index, threshold=0.4, kind=kind, limit=10)
    assert cut.rows.size > 0 and set(cut.cells) == {kind}


def test_rows_at_the_cut_refuse_a_bad_kind_or_index():
    scored = sample()
    index = build_score_index(y_true=scored.y_true, scores=scored.scores)  # test rows too
    with pytest.raises(ValueError, match="curve rows"):
        rows_at_cut(scored, index, threshold=0.5)
    curve = scored.curve_rows
    index = build_score_index(y_true=scored.y_true[curve], scores=scored.scores[curve])
    with pytest.raises(ValueError, match="kind"):
        rows_at_cut(scored, index, threshold=0.5, kind="closest")


def test_the_directory_lists_score_files_by_name_only(tmp_path):
    (tmp_path / "b.csv").write_text("label,score\n1,0.5\n")
    (tmp_path / "a.parquet").write_bytes(b"PAR1")
    (tmp_path / "notes.md").write_text("not a score file")
    (tmp_path / ".hidden.csv").write_text("x")
    (tmp_path / "sub.csv").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.csv"
    outside.write_text("label,score\n")
    os.symlink(outside, tmp_path / "link.csv")  # ends outside the directory: not listed
    assert score_file_names(tmp_path) == ("a.parquet", "b.csv")
    assert score_file_path(tmp_path, "b.csv") == tmp_path.resolve() / "b.csv"
    for name in ("../" + outside.name, "link.csv", "notes.md", "/etc/passwd", "sub.csv"):
        assert score_file_path(tmp_path, name) is None
    assert score_file_names(tmp_path / "missing") == ()
    assert score_file_names(None) == () and score_file_path(None, "b.csv") is None


def test_the_directory_comes_from_the_environment(tmp_path):
    assert scores_directory({ENV_VAR: str(tmp_path)}) == tmp_path
    assert scores_directory({ENV_VAR: "  "}) is None
    assert scores_directory({}) is None
