"""The chapter's multiclass figures on the real MNIST: what scikit-learn computes today.

The golden figures are what the notebook's cells give with scikit-learn 1.9.1, as
``scripts/multiclass_golden.py --fast`` printed them with scikit-learn's own
``cross_val_predict`` and ``fit`` (bench/RESULTS.md); the book's own differ (see
:data:`core.multiclass.BOOK_FIGURES`).
Trains once, into this file's own cache (70 SGD fits: about 15 minutes on two free cores,
see bench/RESULTS.md), then checks that the command line reads the same
figures back from that cache in a separate process.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from core.data import load_dataset
from core.multiclass import book_figures, train_multiclass
from harness.commands import python_json

pytestmark = [pytest.mark.mnist, pytest.mark.multiclass_mnist]

# cross_val_score(SGDClassifier(random_state=42), X_train, y_train, cv=3), scikit-learn 1.9.1
CV_ACCURACY = [0.87745, 0.85835, 0.8698]
# the same on StandardScaler().fit_transform(X_train.astype(np.float64))
CV_ACCURACY_SCALED = [0.89835, 0.8902, 0.90095]
# confusion_matrix(y_train, cross_val_predict(sgd_clf, X_train, y_train, cv=3)): rows true digits
CONFUSION = [
    [5565, 0, 69, 16, 21, 73, 50, 13, 83, 33],
    [3, 6399, 95, 20, 15, 47, 16, 17, 110, 20],
    [33, 56, 5202, 93, 69, 42, 158, 74, 213, 18],
    [12, 32, 218, 4953, 24, 446, 33, 66, 212, 135],
    [11, 26, 47, 5, 5285, 25, 70, 36, 83, 254],
    [40, 23, 58, 149, 85, 4631, 166, 23, 156, 90],
    [24, 11, 66, 6, 26, 115, 5627, 4, 37, 2],
    [22, 24, 103, 33, 124, 41, 10, 5221, 72, 615],
    [26, 101, 156, 121, 48, 461, 76, 47, 4647, 168],
    [23, 14, 55, 72, 503, 125, 5, 447, 123, 4582],
]  # fmt: skip
# the same on the scaled pixels: the chapter's error analysis
CONFUSION_SCALED = [
    [5573, 0, 23, 5, 8, 44, 36, 6, 227, 1],
    [0, 6398, 37, 24, 4, 43, 4, 7, 214, 11],
    [29, 25, 5220, 91, 73, 25, 68, 36, 380, 11],
    [22, 17, 117, 5224, 2, 204, 27, 40, 405, 73],
    [12, 14, 40, 9, 5181, 12, 34, 25, 351, 164],
    [26, 15, 29, 165, 53, 4445, 74, 14, 541, 59],
    [30, 15, 43, 3, 43, 96, 5551, 3, 133, 1],
    [20, 9, 51, 29, 49, 12, 3, 5680, 200, 212],
    [18, 64, 47, 89, 3, 124, 25, 10, 5426, 45],
    [23, 18, 30, 65, 117, 37, 1, 179, 387, 5092],
]  # fmt: skip
# sgd_clf.fit(X_train, y_train).decision_function([some_digit]): X_train[0], a 5
SOME_DIGIT_PREDICTION = 3
SOME_DIGIT_SCORES = [
    -31893.030954190526,
    -19047.5556653433,
    -9530.639507393267,
    1823.7315403079076,
    -22320.148228778264,
    -1385.804788945628,
    -26188.910709508506,
    -16147.513239972779,
    -4604.354912743627,
    -12050.767298003786,
]
CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return load_dataset(data_dir=mnist_dir)


@pytest.fixture(scope="module")
def multiclass_cache_dir(tmp_path_factory):
    """The ten-class models' cache for this file (the run's shared cache holds the 5-detector)."""
    return tmp_path_factory.mktemp("multiclass-cache")


@pytest.fixture(scope="module")
def result(mnist, multiclass_cache_dir):
    return train_multiclass(mnist, cache_dir=multiclass_cache_dir)


def test_accuracies_are_scikit_learns_today(result):
    assert list(result.cv_accuracy) == CV_ACCURACY
    assert list(result.cv_accuracy_scaled) == CV_ACCURACY_SCALED
    assert list(result.cv_accuracy) != list(book_figures()["cv_accuracy"])
    # the standardised pixels do better, as the book says, on every fold
    assert all(s > a for s, a in zip(result.cv_accuracy_scaled, result.cv_accuracy, strict=True))


def test_the_error_analysis_is_scikit_learns_today(result):
    assert result.confusion.tolist() == CONFUSION
    assert result.confusion_scaled.tolist() == CONFUSION_SCALED


def test_every_digit_is_in_both_confusion_matrices(result):
    for matrix in (result.confusion, result.confusion_scaled):
        assert matrix.shape == (10, 10)
        assert matrix.sum(axis=1).tolist() == CLASS_COUNTS  # rows are true digits


def test_some_digit_is_the_first_training_digit(result):
    assert result.some_digit_index == 0 and result.y_train[0] == 5
    assert result.some_digit_prediction == int(np.argmax(result.some_digit_scores))
    assert result.some_digit_prediction == SOME_DIGIT_PREDICTION
    # a matrix product: the last bits may differ with the BLAS
    np.testing.assert_allclose(result.some_digit_scores, SOME_DIGIT_SCORES, rtol=1e-12)
    # the book's rounded scores, all but digit 1's (whose fit stops at another epoch today)
    book = np.array(book_figures()["some_digit_scores"])
    same = np.arange(10) != 1
    np.testing.assert_array_equal(np.round(result.some_digit_scores)[same], book[same])
    assert round(result.some_digit_scores[1]) != book[1]


def test_the_figures_hang_together(result):
    # each fold's accuracy is its share of the diagonal of that fold's predictions
    for k in range(3):
        held_out = result.fold_ids == k
        right = np.count_nonzero(result.predictions_scaled[held_out] == result.y_train[held_out])
        assert right / np.count_nonzero(held_out) == result.cv_accuracy_scaled[k]
    np.testing.assert_array_equal(
        result.predictions_scaled, np.argmax(result.decision_scores_scaled, axis=1)
    )
    assert all(0.09 < a < 0.12 for a in result.baseline_accuracy)  # the commonest digit, a 1


def test_the_command_line_reads_the_same_figures_back(result, mnist_dir, multiclass_cache_dir):
    env = {**os.environ, "MNIST_DATA": str(mnist_dir)}
    env["THRESHOLD_EXPLORER_CACHE"] = str(multiclass_cache_dir)
    figures = python_json(["-m", "core", "multiclass", "--json"], env=env)
    assert figures["from_cache"] is True
    assert figures["cv_accuracy"] == CV_ACCURACY
    assert figures["cv_accuracy_scaled"] == list(result.cv_accuracy_scaled)
    assert figures["confusion_scaled"] == result.confusion_scaled.tolist()
    assert figures["some_digit_prediction"] == result.some_digit_prediction
    assert figures["some_digit_scores"] == result.some_digit_scores.tolist()
    assert figures["book"]["cv_accuracy_scaled"] == [0.8983, 0.891, 0.9018]
