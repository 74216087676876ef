"""Every number the notebook prints in cells [6] to [14], reproduced from the real MNIST.

Trains once per test run (through the session's shared cache) and then checks the CLI reads
the same numbers back from that cache in a separate process.
"""

from __future__ import annotations

import os

import pytest

from core.data import load_dataset
from core.detector import train_detector
from core.report import notebook_report
from harness.commands import python_json

pytestmark = pytest.mark.mnist


# As printed by the notebook (/work/shared/seed/classification-notebook.md).
CV_ACCURACY = [0.95035, 0.96035, 0.9604]
CONFUSION = [[53892, 687], [1891, 3530]]
PERFECT_CONFUSION = [[54579, 0], [0, 5421]]
PRECISION = 0.8370879772350012
RECALL = 0.6511713705958311
F1 = 0.7325171197343846
SOME_DIGIT_SCORE = 2164.22030239  # printed to 8 decimals
THRESHOLD_90 = 3370.0194991439557
PRECISION_90 = 0.9000345901072293
RECALL_90 = 0.4799852425751706


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return load_dataset(data_dir=mnist_dir)


@pytest.fixture(scope="module")
def report(mnist, shared_cache_dir):
    return notebook_report(mnist, digit=5, cache_dir=shared_cache_dir)


def check_notebook_numbers(report: dict) -> None:
    assert report["digit"] == 5
    assert report["cv_accuracy"] == CV_ACCURACY  # cell [8]
    assert report["manual_cv_accuracy"] == CV_ACCURACY  # cell [9]
    assert report["confusion_matrix"] == CONFUSION  # cell [10]
    assert report["perfect_confusion_matrix"] == PERFECT_CONFUSION
    assert report["precision"] == PRECISION  # cell [11]
    assert report["recall"] == RECALL
    assert report["f1"] == pytest.approx(F1, abs=1e-12)
    assert report["some_digit_index"] == 0  # cell [12]
    assert report["some_digit_score"] == pytest.approx(SOME_DIGIT_SCORE, abs=1e-6)
    assert report["threshold_90_precision"] == THRESHOLD_90  # cell [14]
    assert report["precision_at_threshold_90"] == PRECISION_90
    assert report["recall_at_threshold_90"] == RECALL_90
    assert report["dummy_accuracy"] == 54579 / 60000


def test_mnist_is_the_notebooks_split(mnist):
    assert mnist.n_train == 60_000
    assert mnist.n_test == 10_000
    assert mnist.labels[0] == 5


def test_report_reproduces_the_notebook(report):
    check_notebook_numbers(report)


def test_f1_prints_as_the_notebook_printed_it(report):
    assert repr(report["f1"]) == repr(F1)


def test_detector_result_agrees_with_the_report(mnist, shared_cache_dir, report):
    result = train_detector(mnist, digit=5, cache_dir=shared_cache_dir)
    assert result.from_cache  # the report trained it: the run trains once
    assert result.confusion_matrix.tolist() == CONFUSION
    assert list(result.fold_accuracy) == CV_ACCURACY
    assert result.cv_scores.shape == (60_000,) and result.test_scores.shape == (10_000,)
    # The book's Never5Classifier under cv=3 (unstratified: it is no classifier): the share
    # of non-fives in each third of the training set.
    thirds = (mnist.train_labels[k * 20_000 : (k + 1) * 20_000] for k in range(3))
    assert result.dummy_fold_accuracy == tuple(float((t != 5).mean()) for t in thirds)


def test_cli_report_reads_the_shared_cache(mnist_dir, shared_cache_dir, report):
    cache_files = sorted(p for p in shared_cache_dir.iterdir() if p.suffix in {".pkl", ".npz"})
    assert cache_files, "the report left no cache files"
    written = {p: p.stat().st_mtime_ns for p in cache_files}
    env = dict(
        os.environ, THRESHOLD_EXPLORER_CACHE=str(shared_cache_dir), MNIST_DATA=str(mnist_dir)
    )
    from_cli = python_json(["-m", "core", "report", "--digit", "5", "--json"], env=env)
    assert set(from_cli) == set(report)
    check_notebook_numbers(from_cli)
    assert {p: p.stat().st_mtime_ns for p in cache_files} == written  # read, not rewritten
