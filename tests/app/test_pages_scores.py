"""/scores: a score file from the server's directory or an upload, its columns and positive
class, the explorer on it, the link, the groups, the rows at the cut and calibration."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from core.counting import metrics_at
from core.explorer import decode_payload, ladder_counts
from core.groups import group_indexes, group_thresholds
from core.score_files import read_scored_set
from core.tradeoff import scored_tradeoff_data
from tests.support import (
    csv_bytes,
    explorer_mounts,
    ladder_scores,
    open_page,
    release_explorer,
    spam_scores,
    texts,
    view_link,
)

KEY = "scores_explorer"
CHOICES = {"label": "label", "score": "score", "fold": "fold", "split": "split"}


@pytest.fixture
def score_dir(fallback_app, tmp_path, monkeypatch):
    """A server score directory of generated files: probabilities, margins, a broken file."""
    directory = tmp_path / "scores"
    directory.mkdir()
    (directory / "spam.csv").write_bytes(csv_bytes(spam_scores(0, 400)))
    (directory / "margins.csv").write_bytes(csv_bytes(spam_scores(1, 300, probabilities=False)))
    broken = spam_scores(2, 60)
    broken["score"][11] = '"12,5"'  # line 13 of the file: a decimal comma
    (directory / "broken.csv").write_bytes(csv_bytes(broken))
    (directory / "binary.csv").write_bytes(
        csv_bytes({"y": [1, 0, 1, 0, 1, 0], "proba": [0.9, 0.2, 0.6, 0.4, 0.35, 0.1]})
    )
    monkeypatch.setenv("THRESHOLD_EXPLORER_SCORES", str(directory))
    return directory


def counts(blob, threshold):
    """The browser's counting, in numpy: on the payload's ladder of scores with counts."""
    header, arrays = decode_payload(blob)
    return ladder_counts(header, arrays, threshold=threshold)


def expected_counts(path, threshold, **choices):
    """TP, FP, FN, TN over the file's curve rows, counted here from the file itself."""
    scored = read_scored_set(path, **choices)
    curve = scored.curve_rows
    y, s = scored.y_true[curve], scored.scores[curve]
    flagged = s >= threshold
    return (
        int((flagged & y).sum()),
        int((flagged & ~y).sum()),
        int((~flagged & y).sum()),
        int((~flagged & ~y).sum()),
    )


def test_the_server_files_are_listed_and_the_positive_class_must_be_chosen(score_dir):
    app = open_page("pages/scores.py")
    app.segmented_control(key="scores_source").set_value("A file on the server").run()
    files = app.selectbox(key="scores_file")
    assert files.options == ["binary.csv", "broken.csv", "margins.csv", "spam.csv"]
    files.set_value("spam.csv").run()
    # Guessed columns, changeable; no positive class guessed for spam / ham.
    assert app.selectbox(key="scores_column_label").value == "label"
    assert app.selectbox(key="scores_column_score").value == "score"
    positive = app.selectbox(key="scores_positive")
    assert positive.value is None and positive.options == ["ham", "spam"]
    assert 'Which label value is the positive class, "ham" or "spam"?' in texts(app)
    assert not app.get("bidi_component")  # no explorer before the class is named
    positive.set_value("spam").run()
    assert not app.exception
    position, blob, _ = explorer_mounts(app, KEY)
    header, arrays = decode_payload(blob)
    assert position["threshold"] == 0.5  # probabilities: 0.5 by default
    assert header["nouns"]["positive"] == "rows labelled spam"
    assert counts(blob, 0.5) == expected_counts(
        score_dir / "spam.csv", 0.5, positive="spam", **CHOICES
    )


def test_zero_one_labels_name_their_positive_class_themselves(score_dir):
    app = open_page("pages/scores.py", query={"file": "binary.csv"})
    assert app.selectbox(key="scores_column_label").value == "y"
    assert app.selectbox(key="scores_column_score").value == "proba"
    assert app.selectbox(key="scores_positive").value == "1"  # shown, changeable
    _, blob, _ = explorer_mounts(app, KEY)
    positive, _ = ladder_scores(blob)
    np.testing.assert_array_equal(positive, [0.35, 0.6, 0.9])


def test_a_link_reproduces_the_view_and_its_release(score_dir):
    query = {"file": "spam.csv", "positive": "spam", "group": "group", "threshold": "0.41"}
    app = open_page("pages/scores.py", query=query)
    assert not app.exception
    assert explorer_mounts(app, KEY)[0]["threshold"] == 0.41
    release_explorer(app, 0.62, key=KEY)
    app.number_input(key="prevalence_percent").set_value(5.0).run()
    link = view_link(app)
    params = dict(parse_qsl(urlsplit(link).query))
    assert urlsplit(link).path == "/scores"
    assert params["file"] == "spam.csv" and params["positive"] == "spam"
    assert params["threshold"] == "0.62" and params["prevalence"] == "0.05"
    assert (params["label"], params["score"], params["group"]) == ("label", "score", "group")
    again = open_page("pages/scores.py", query=params)
    assert not again.exception
    position, blob, _ = explorer_mounts(again, KEY)
    before_position, before_blob, _ = explorer_mounts(app, KEY)
    assert position["threshold"] == 0.62
    assert position["settings"] == before_position["settings"]
    assert position["settings"]["prevalence"] == 0.05
    assert blob == before_blob  # the same file, columns and class: the same payload
    assert view_link(again) == link


def test_a_link_naming_a_file_not_listed_gets_a_note(score_dir):
    for name in ("../secret.csv", "/etc/passwd", "nothere.csv"):
        app = open_page("pages/scores.py", query={"file": name})
        assert not app.exception
        notes = [i.value for i in app.info]
        assert any("is not one of the server's score files" in n for n in notes), notes
        assert not app.get("bidi_component")


def test_a_broken_file_gives_one_line_and_keeps_the_choices(score_dir):
    app = open_page("pages/scores.py", query={"file": "spam.csv", "positive": "spam"})
    explorer_mounts(app, KEY)
    app.selectbox(key="scores_file").set_value("broken.csv").run()
    assert not app.exception
    [error] = app.error
    assert error.value.startswith("broken.csv: ") and "line 13" in error.value
    assert "12,5" in error.value and "\n" not in error.value
    assert "Traceback" not in texts(app)
    app.selectbox(key="scores_file").set_value("spam.csv").run()
    assert not app.error
    assert app.selectbox(key="scores_positive").value == "spam"  # kept
    explorer_mounts(app, KEY)


def test_a_score_column_of_words_is_one_line(score_dir):
    app = open_page("pages/scores.py", query={"file": "spam.csv", "positive": "spam"})
    app.selectbox(key="scores_column_score").set_value("sender").run()
    assert not app.exception
    [error] = app.error
    assert error.value.startswith("spam.csv: ") and "sender" in error.value
    assert not app.get("bidi_component")


def test_calibration_is_shown_only_for_scores_in_zero_one(score_dir):
    from core.calibration import calibration

    app = open_page("pages/scores.py", query={"file": "spam.csv", "positive": "spam"})
    charts = [c.proto.id for c in app.get("plotly_chart")]
    assert any(c.endswith("-scores_reliability") for c in charts)
    result = calibration(read_scored_set(score_dir / "spam.csv", positive="spam", **CHOICES))
    assert f"Brier score {result.curve.brier:.4f}" in texts(app)
    assert f"{result.test.brier:.4f} over the" in texts(app)
    margins = open_page("pages/scores.py", query={"file": "margins.csv", "positive": "spam"})
    explorer_mounts(margins, KEY)
    assert not any(c.proto.id.endswith("-scores_reliability") for c in margins.get("plotly_chart"))
    assert "Brier" not in texts(margins)


def test_groups_get_the_explorer_table_and_their_own_thresholds(score_dir):
    app = open_page(
        "pages/scores.py", query={"file": "spam.csv", "positive": "spam", "threshold": "0.5"}
    )
    header, _ = decode_payload(explorer_mounts(app, KEY)[1])
    assert header["groups"] == ["desktop", "mobile"]
    scored = read_scored_set(score_dir / "spam.csv", positive="spam", group="group", **CHOICES)
    indexes = group_indexes(scored)
    precision = group_thresholds(indexes, kind="precision", target=0.9)
    recall = group_thresholds(indexes, kind="recall", target=0.9)
    [table] = [d.value for d in app.dataframe if "Group" in d.value.columns]
    assert list(table["Group"]) == ["desktop", "mobile"]
    for k, (_, index) in enumerate(indexes):
        row = table.iloc[k]
        assert row["Rows"] == index.n_samples and row["Labelled spam"] == index.n_pos
        m = metrics_at(index, threshold=0.5)
        assert row["Recall here"] == f"{m.recall:.1%}"
        for value, column in ((precision[k], "precision"), (recall[k], "recall")):
            shown = row[f"Threshold for {column} ≥ 90%"]
            assert shown == ("not reached" if np.isnan(value) else f"{value:,.6g}")
    # Without a group column: no group table, no groups in the explorer.
    app.selectbox(key="scores_column_group").set_value(None).run()
    header, _ = decode_payload(explorer_mounts(app, KEY)[1])
    assert header["groups"] == []
    assert not [d for d in app.dataframe if "Group" in d.value.columns]


def test_the_rows_at_the_cut_are_the_nearest_curve_rows_with_every_column(score_dir):
    app = open_page(
        "pages/scores.py", query={"file": "spam.csv", "positive": "spam", "threshold": "0.6"}
    )
    [rows] = [d.value for d in app.dataframe if "outcome" in d.value.columns]
    # The chosen columns first, then the file's other ones (here the sender).
    assert list(rows.columns) == ["id", "score", "label", "flagged", "outcome", "sender"]
    scored = read_scored_set(score_dir / "spam.csv", positive="spam", id="id", **CHOICES)
    curve = scored.curve_rows
    distance = np.abs(scored.scores[curve] - 0.6)
    shown = np.abs(rows["score"].to_numpy() - 0.6)
    assert len(rows) == 50 and np.all(np.diff(shown) >= 0)
    assert shown.max() <= np.sort(distance)[49]
    test_ids = set(scored.ids[scored.test_rows])
    assert not test_ids & set(rows["id"])
    for _, row in rows.iterrows():
        flagged = row["score"] >= 0.6
        assert row["flagged"] == flagged
        positive = row["label"] == "spam"
        assert row["outcome"] == ("true " if positive == flagged else "false ") + (
            "positive" if flagged else "negative"
        )
    app.selectbox(key="scores_rows_kind").set_value("false_positive").run()
    [rows] = [d.value for d in app.dataframe if "outcome" in d.value.columns]
    assert set(rows["outcome"]) == {"false positive"}


def test_an_upload_is_explored_but_not_linked(score_dir):
    data = csv_bytes(spam_scores(3, 250))
    app = open_page("pages/scores.py")
    assert "Up to 10 MB" in texts(app)
    app.file_uploader(key="scores_upload").set_value(("mine.csv", data, "text/csv")).run()
    app.selectbox(key="scores_positive").set_value("spam").run()
    assert not app.exception
    _, blob, _ = explorer_mounts(app, KEY)
    path = score_dir.parent / "mine.csv"
    path.write_bytes(data)
    assert counts(blob, 0.5) == expected_counts(path, 0.5, positive="spam", **CHOICES)
    assert not [m for m in app.markdown if m.value.startswith("[Link to this view]")]
    assert "No link to this view: an uploaded file stays in this browser session" in texts(app)


def test_an_upload_that_is_not_a_table_is_one_line(score_dir):
    app = open_page("pages/scores.py")
    app.file_uploader(key="scores_upload").set_value(
        ("photo.parquet", b"PAR1\x00\x01garbage", "application/octet-stream")
    ).run()
    assert not app.exception
    [error] = app.error
    assert error.value.startswith("photo.parquet: ") and "\n" not in error.value


def test_margins_are_counted_as_the_file_holds_them(score_dir):
    app = open_page(
        "pages/scores.py", query={"file": "margins.csv", "positive": "spam", "threshold": "0.2"}
    )
    position, blob, _ = explorer_mounts(app, KEY)
    header, _ = decode_payload(blob)
    scored = read_scored_set(score_dir / "margins.csv", positive="spam", **CHOICES)
    data = scored_tradeoff_data(scored)
    m = metrics_at(data.cv_index, threshold=0.2)
    assert counts(blob, 0.2) == (m.tp, m.fp, m.fn, m.tn)
    assert header["has_test"] and header["has_folds"] and header["folds"] == 3


def test_after_a_link_to_a_file_the_reader_can_still_switch_to_an_upload(score_dir):
    app = open_page("pages/scores.py", query={"file": "spam.csv", "positive": "spam"})
    explorer_mounts(app, KEY)
    assert app.segmented_control(key="scores_source").value == "A file on the server"
    app.segmented_control(key="scores_source").set_value("Upload a file").run()
    assert app.segmented_control(key="scores_source").value == "Upload a file"
    assert app.file_uploader(key="scores_upload") is not None
    assert "file" not in app.query_params
    assert not app.get("bidi_component")  # nothing uploaded yet
    app.run()  # and it stays there
    assert app.segmented_control(key="scores_source").value == "Upload a file"


def test_the_tradeoff_pages_scores_uploaded_here_give_its_explorer(score_dir, cache_dir):
    """Download these scores (the small set's 5-detector), upload them: the same counts."""
    from core.data import load_fallback_dataset
    from core.detector import train_detector
    from core.score_export import detector_scores_table

    tradeoff = open_page("pages/tradeoff.py", query={"digit": "5", "threshold": "0"})
    _, theirs, _ = explorer_mounts(tradeoff)
    result = train_detector(load_fallback_dataset(), digit=5, cache_dir=cache_dir)
    app = open_page("pages/scores.py")
    app.file_uploader(key="scores_upload").set_value(
        ("scores-digit5.parquet", detector_scores_table(result), "application/octet-stream")
    ).run()
    assert not app.exception and not app.error
    assert app.selectbox(key="scores_positive").value == "True"  # preset, and shown
    assert app.selectbox(key="scores_column_fold").value == "fold"
    assert app.selectbox(key="scores_column_split").value == "split"
    _, ours, _ = explorer_mounts(app, KEY)
    mnist_header, mnist_arrays = decode_payload(theirs)
    header, arrays = decode_payload(ours)
    for mine, its in zip(ladder_scores(ours), ladder_scores(theirs), strict=True):
        np.testing.assert_array_equal(mine, its)
    assert header["blocks"] == mnist_header["blocks"]
    for name in ("threshold", "rank", "test_tp", "test_fp"):
        np.testing.assert_array_equal(arrays[name], mnist_arrays[name])
    assert header["folds"] == mnist_header["folds"] == 3
    for threshold in (0.0, float(np.median(result.cv_scores))):
        assert counts(ours, threshold) == counts(theirs, threshold)
