"""/scores keeps what it reads in the server's one store: sessions on one file share one copy,
and what falls out of the store's budget is read again, not lost."""

from __future__ import annotations

import pytest

from core.score_store import ENV_BUDGET_MB
from tests.support import csv_bytes, explorer_mounts, open_page, spam_scores, texts

KEY = "scores_explorer"
QUERY = {"file": "spam.csv", "positive": "spam", "threshold": "0.41"}


@pytest.fixture
def score_dir(fallback_app, tmp_path, monkeypatch):
    directory = tmp_path / "scores"
    directory.mkdir()
    (directory / "spam.csv").write_bytes(csv_bytes(spam_scores(0, 400)))
    (directory / "margins.csv").write_bytes(csv_bytes(spam_scores(1, 300, probabilities=False)))
    monkeypatch.setenv("THRESHOLD_EXPLORER_SCORES", str(directory))
    return directory


def the_store():
    from ui.scores import score_store

    return score_store()


def test_two_sessions_on_one_file_share_one_copy(score_dir):
    first = open_page("pages/scores.py", query=QUERY)
    store = the_store()
    keys, held = store.keys(), store.nbytes
    assert [k.split(":")[0] for k in keys] == ["table", "view"]
    assert held > 400 * 8  # the table's columns and the set's arrays, at least its scores
    second = open_page("pages/scores.py", query=QUERY)
    assert not second.exception
    assert the_store() is store
    assert store.keys() == keys and store.nbytes == held  # nothing more held for the second
    assert [store.loads(k) for k in keys] == [1, 1]  # read and counted once, for both
    assert explorer_mounts(second, KEY)[1] == explorer_mounts(first, KEY)[1]


def test_what_falls_out_of_the_budget_is_read_again(score_dir, monkeypatch):
    monkeypatch.setenv(ENV_BUDGET_MB, "0.01")  # 10 KB: one file's set at most
    app = open_page("pages/scores.py", query=QUERY)
    _, blob, _ = explorer_mounts(app, KEY)
    store = the_store()
    assert store.budget_bytes == int(0.01 * 2**20)
    spam_keys = store.keys()
    other = open_page(
        "pages/scores.py", query={"file": "margins.csv", "positive": "spam", "threshold": "0"}
    )
    assert not other.exception
    assert all(store.state(k) == "evicted" for k in spam_keys if k not in store.keys())
    assert store.nbytes <= store.budget_bytes or len(store.keys()) == 1
    app.run()  # the first session again: its file is read again, the same explorer
    assert not app.exception
    assert "cannot be read" not in texts(app)
    assert explorer_mounts(app, KEY)[1] == blob
    assert max(store.loads(k) for k in spam_keys) == 2


def test_an_upload_is_spilled_and_read_again_from_there(score_dir, cache_dir, monkeypatch):
    monkeypatch.setenv(ENV_BUDGET_MB, "0.01")
    data = csv_bytes(spam_scores(3, 250))
    app = open_page("pages/scores.py")
    app.file_uploader(key="scores_upload").set_value(("mine.csv", data, "text/csv")).run()
    app.selectbox(key="scores_positive").set_value("spam").run()
    _, blob, _ = explorer_mounts(app, KEY)
    store = the_store()
    spilled = list((cache_dir / "score_uploads").iterdir())
    assert len(spilled) == 1 and store.unspill(spilled[0]) == data
    for key in store.keys():
        store.forget(key)
    app.run()
    assert not app.exception
    assert explorer_mounts(app, KEY)[1] == blob
    assert all(store.loads(k) == 2 for k in store.keys())
