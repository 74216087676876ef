"""/scores on an aggregated table (score, positives, negatives: one SQL GROUP BY): read as it is,
no label column or positive class to choose, and the summary counts the scores it stands for."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support import open_page, texts


@pytest.fixture
def score_dir(fallback_app, tmp_path, monkeypatch):
    directory = tmp_path / "scores"
    directory.mkdir()
    table = pa.table(
        {
            "score": [0.9, 0.1, 0.5, 0.7, 0.3],
            "positives": [40, 1, 10, 30, 2],
            "negatives": [5, 300, 60, 20, 120],
        }
    )
    pq.write_table(table, directory / "counted.parquet")
    monkeypatch.setenv("THRESHOLD_EXPLORER_SCORES", str(directory))
    return directory


def test_an_aggregated_table_needs_no_label_column_nor_positive_class(score_dir):
    app = open_page("pages/scores.py")
    app.segmented_control(key="scores_source").set_value("A file on the server").run()
    app.selectbox(key="scores_file").set_value("counted.parquet").run()
    assert app.selectbox(key="scores_column_label").value is None
    assert app.selectbox(key="scores_column_score").value == "score"
    assert "scores_positive" not in [box.key for box in app.selectbox]
    page = texts(app)
    assert "Choose the label" not in page
    # 83 positives among 588 scores counted by 5 rows.
    assert "588 scores counted by the aggregated table counted.parquet" in page
    assert "83 labelled positives among the 588" in page


def test_the_explorer_counts_an_aggregated_table_as_its_rows(score_dir):
    """At threshold 0.5 the flagged scores are those of the rows 0.5, 0.7 and 0.9."""
    from tests.support import explorer_counts

    app = open_page("pages/scores.py")
    app.segmented_control(key="scores_source").set_value("A file on the server").run()
    app.selectbox(key="scores_file").set_value("counted.parquet").run()
    tp, fp, fn, tn = explorer_counts(app, 0.5, key="scores_explorer")
    assert (tp, fp, fn, tn) == (40 + 10 + 30, 5 + 60 + 20, 1 + 2, 300 + 120)
