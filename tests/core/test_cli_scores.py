"""``python -m core tradeoff --scores FILE``: the detector's keys from any score file, each
group's figures, and one line with exit status 2 for a file it cannot read."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, precision_score, recall_score

from core import cli
from core.estimates import wilson_interval
from harness.commands import run_python
from harness.hostile_files import nested_parquet, parquet_claiming


def _frame(seed: int = 0, n: int = 1500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    spam = rng.random(n) < 0.4
    return pd.DataFrame(
        {
            "msg_id": [f"m{k}" for k in range(n)],
            "is_spam": np.where(spam, "spam", "ham"),
            "y_score": np.round(rng.normal(0.3 + 0.4 * spam, 0.25), 1),  # heavy ties
            "cv": rng.choice(["b", "a", "c"], n),
            "set": rng.choice(["train", "holdout"], n, p=[0.75, 0.25]),
            "lang": rng.choice(["en", "fr"], n),
        }
    )


@pytest.fixture
def score_csv(tmp_path):
    frame = _frame()
    path = tmp_path / "spam scores.csv"
    frame.to_csv(path, index=False, sep=";")
    return frame, path


def _run(argv, capsys) -> tuple[int, str, str]:
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_json_has_the_detectors_keys_plus_source_and_groups(score_csv, capsys):
    frame, path = score_csv
    argv = ["tradeoff", "--scores", str(path), "--label", "is_spam", "--positive", "spam",
            "--fold", "cv", "--split", "set", "--group", "lang", "--id", "msg_id",
            "--threshold", "0.5", "--prevalence", "0.1", "--fp-cost", "2", "--fn-cost", "1",
            "--json"]  # fmt: skip
    status, out, err = _run(argv, capsys)
    assert status == 0 and err == ""
    summary = json.loads(out)
    curve = frame["set"] != "holdout"
    y = (frame["is_spam"] == "spam").to_numpy()
    flagged = frame["y_score"].to_numpy() >= 0.5
    (tn, fp), (fn, tp) = confusion_matrix(y[curve], flagged[curve])
    assert (summary["tp"], summary["fp"], summary["fn"], summary["tn"]) == (tp, fp, fn, tn)
    assert summary["precision"] == precision_score(y[curve], flagged[curve])
    assert summary["test_recall"] == recall_score(y[~curve], flagged[~curve])
    assert summary["fold_precision"] == [
        precision_score(y[curve & (frame["cv"] == f)], flagged[curve & (frame["cv"] == f)])
        for f in ("a", "b", "c")
    ]
    assert "refit" not in summary and "digit" not in summary
    assert summary["source"] == {
        "file": "spam scores.csv",
        "format": "csv",
        "rows": len(frame),
        "aggregated": False,
        "samples": len(frame),
        "curve_samples": int(curve.sum()),
        "curve_rows": int(curve.sum()),
        "test_rows": int((~curve).sum()),
        "columns": {
            "label": "is_spam",
            "score": "y_score",
            "fold": "cv",
            "split": "set",
            "group": "lang",
            "id": "msg_id",
            "positives": None,
            "negatives": None,
        },  # fmt: skip
        "positive_label": "spam",
        "negative_label": "ham",
        "folds": ["a", "b", "c"],
    }
    # The same keys as the detector's summary (tradeoff_summary's), and the optional ones.
    for key in ("precision_ci", "recall_ci", "false_positive_rate_ci", "test_precision_ci",
                "training_prevalence", "precision_at_prevalence", "expected_cost_per_1000",
                "least_cost_threshold"):  # fmt: skip
        assert key in summary
    assert [g["name"] for g in summary["groups"]] == ["en", "fr"]
    for group in summary["groups"]:
        rows = (curve & (frame["lang"] == group["name"])).to_numpy()
        (g_tn, g_fp), (g_fn, g_tp) = confusion_matrix(y[rows], flagged[rows])
        assert (group["tp"], group["fp"], group["fn"], group["tn"]) == (g_tp, g_fp, g_fn, g_tn)
        assert group["recall_ci"] == list(wilson_interval(g_tp, g_tp + g_fn))


def test_text_names_the_file_the_positive_class_and_each_group(score_csv, capsys):
    frame, path = score_csv
    # '' leaves out the split and fold columns that would be guessed from their names.
    argv = ["tradeoff", "--scores", str(path), "--label", "is_spam", "--positive", "spam",
            "--group", "lang", "--split", "", "--fold", "", "--threshold", "0.5"]  # fmt: skip
    status, out, err = _run(argv, capsys)
    assert status == 0 and err == ""
    assert out.startswith('spam scores.csv (csv, 1,500 rows), positive class "spam"')
    assert "Group en (" in out and "Group fr (" in out
    assert "Held-out" not in out and "Test rows" not in out and "each fold" not in out
    y = frame["is_spam"] == "spam"
    flagged = frame["y_score"] >= 0.5
    assert f"TP {int((y & flagged).sum()):,}  FP {int((~y & flagged).sum()):,}" in out


def test_columns_are_guessed_and_01_labels_need_no_positive(tmp_path, capsys):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"y_true": rng.integers(0, 2, 200), "proba": rng.random(200)})
    path = tmp_path / "s.parquet"
    frame.to_parquet(path)
    status, out, _ = _run(["tradeoff", "--scores", str(path), "--threshold", "0.5", "--json"],
                          capsys)  # fmt: skip
    summary = json.loads(out)
    assert status == 0 and summary["source"]["format"] == "parquet"
    assert summary["source"]["columns"]["label"] == "y_true"
    assert summary["source"]["positive_label"] == "1"
    assert summary["test_precision"] is None and summary["fold_precision"] == []
    assert "groups" not in summary


@pytest.mark.parametrize(
    ("content", "extra", "line"),
    [
        (b"label,score\n0,0.5\n1,12,5\n", [], "bad.csv: line 3 has 3 cells where the header"),
        (b'label,score\n0,0.5\n1,"12,5"\n', [],
         'bad.csv: column "score", line 3 holds "12,5", which is not a number.'),
        (b"label,score\ncat,0.5\ndog,0.1\n", [],
         'bad.csv: which value of column "label" is the positive class: "cat" or "dog"?'),
        (b"label,score\ncat,0.5\ndog,0.1\n", ["--positive", "cow"],
         'bad.csv: column "label" has no value "cow"'),
        (b"label,score\n0,0.5\n1,nan\n", [], "bad.csv: column \"score\" holds 1 scores"),
        (b"a,b\n0,0.5\n", [], "bad.csv: no column is named like a label column"),
        (b"label,score\n0,0.5\n", ["--group", "region"], 'bad.csv: there is no column "region"'),
        (b"", [], "bad.csv: the file is empty."),
        (nested_parquet(), [], 'bad.csv: column "items" holds nested values'),
        (parquet_claiming(), [], "bad.csv: its pages claim 8,192.0 MB once decoded"),
    ],
)  # fmt: skip
def test_a_bad_file_is_one_line_and_exit_2(content, extra, line, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    status, out, err = _run(["tradeoff", "--scores", str(path), "--threshold", "0.5", *extra],
                            capsys)  # fmt: skip
    assert status == cli.EXIT_ERROR == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {line}"), err


def test_a_file_past_the_size_limit_of_the_environment(tmp_path, monkeypatch, capsys):
    path = tmp_path / "big.csv"
    path.write_bytes(b"label,score\n" + b"0,0.5\n1,0.7\n" * 100_000)
    monkeypatch.setenv("THRESHOLD_EXPLORER_MAX_SCORE_MB", "1")
    status, _, err = _run(["tradeoff", "--scores", str(path), "--threshold", "0"], capsys)
    assert (
        status == 2 and err == "error: big.csv: the file is 1.14 MB, more than the limit of 1 MB.\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--digit", "5", "--scores", "x.csv"], "not allowed with argument"),
        (["--label", "y"], "--label needs --scores FILE"),
        (["--scores", "/nonexistent/x.csv"], "No such file"),
    ],
)
def test_wrong_combinations_are_one_line_and_exit_2(argv, message, capsys):
    try:
        status = cli.main(["tradeoff", *argv, "--threshold", "0"])
    except SystemExit as exc:
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2 and message in err and err.count("\n") == 1, err


def test_help_tells_of_score_files(capsys):
    with pytest.raises(SystemExit):
        cli.main(["tradeoff", "--help"])
    out = capsys.readouterr().out
    for words in ("--scores FILE", "--positive V", "--group C", "CSV or Parquet"):
        assert words in out


def test_as_a_process_the_one_line_goes_to_stderr(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"label,score\n0,0.5\n1,\n")
    done = run_python(
        ["-m", "core", "tradeoff", "--scores", str(path), "--threshold", "0"], timeout=120
    )
    assert done.returncode == 2 and done.stdout == ""
    assert (
        done.stderr == 'error: s.csv: column "score", line 3 is empty, where a number is needed.\n'
    )
