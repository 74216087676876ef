"""The notebook the app follows, cell by cell: what each cell does, and which page shows it.

One home for the mapping from the notebook's cells (chapter 3 of *Hands-On Machine Learning*,
cells [1] to [14]) to the pages. Each page names its cells in one line under its title, with
the cells' code and what they printed, quoted from the notebook, in an expander below it. The
README's section "The notebook, cell by cell" lists the same sentences (a test keeps the two
alike).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class NotebookCell:
    """One cell of the notebook.

    Attributes
    ----------
    number : int
        Its execution count, as the notebook prints it (``[14]``).
    does : str
        What it does, in one sentence.
    code : str
        Its code, quoted from the notebook (line breaks as in the book).
    output : str
        What it printed, quoted (shortened where marked ``...``); "" when the notebook's text
        shows no output for it.
    """

    number: int
    does: str
    code: str
    output: str = ""


CELLS = (
    NotebookCell(
        1,
        "Fetches MNIST from OpenML.",
        "from sklearn.datasets import fetch_openml\n\n"
        "mnist = fetch_openml('mnist_784', version=1)\nmnist.keys()",
    ),
    NotebookCell(
        2,
        "Takes the images as X and the labels, as small integers, as y.",
        'import numpy as np\n\nX, y = mnist["data"], mnist["target"]\ny = y.astype(np.uint8)',
    ),
    NotebookCell(
        3,
        "Prints what the dataset holds: pixels, labels, names, description, details, address.",
        'print(mnist.data, end="\\n \\n")\nprint(mnist.target, end="\\n \\n")\n'
        'print(mnist.feature_names, end="\\n \\n")\nprint(mnist.target_names, end="\\n \\n")\n'
        'print(mnist.DESCR, end="\\n \\n")\nprint(mnist.details, end="\\n \\n")\n'
        'print(mnist.url, end="\\n \\n")\n\n'
        "print(mnist.data.shape)\nprint(mnist.target.shape)",
        "[[0. 0. 0. ... 0. 0. 0.]\n ...\n [0. 0. 0. ... 0. 0. 0.]]\n"
        "['5' '0' '4' ... '4' '5' '6']\n['pixel1', 'pixel2', ..., 'pixel784']\n['class']\n"
        "...\nhttps://www.openml.org/d/554\n(70000, 784)\n(70000,)",
    ),
    NotebookCell(
        4,
        "Shows the first digit, a 5, as a 28×28 picture.",
        "index = 0\n\nsome_digit = X[index]\nlabel = y[index]\n\n"
        "some_digit_image = some_digit.reshape(28, 28)\n"
        'plt.imshow(some_digit_image, cmap="binary")\nplt.title(label)\nplt.axis("off")\n'
        "plt.show()",
        "5",
    ),
    NotebookCell(
        5,
        "Splits the first 60,000 digits off for training and keeps the last 10,000 for testing.",
        "X_train, X_test, y_train, y_test = X[:60000], X[60000:], y[:60000], y[60000:]",
    ),
    NotebookCell(
        6,
        "Makes the question binary: is this digit a 5?",
        "y_train_5 = (y_train == 5)  # True for all 5s, False for all other digits\n"
        "y_test_5 = (y_test == 5)",
    ),
    NotebookCell(
        7,
        "Trains the SGD classifier and asks it about the first digit.",
        "from sklearn.linear_model import SGDClassifier\n\n"
        "sgd_clf = SGDClassifier(random_state=42)\nsgd_clf.fit(X_train, y_train_5)\n\n"
        "sgd_clf.predict([some_digit])",
        "array([ True])",
    ),
    NotebookCell(
        8,
        "Measures its accuracy by 3-fold cross-validation.",
        "from sklearn.model_selection import cross_val_score\n"
        'cross_val_score(sgd_clf, X_train, y_train_5, cv=3, scoring="accuracy")',
        "array([0.95035, 0.96035, 0.9604])",
    ),
    NotebookCell(
        9,
        "Does the same cross-validation by hand, fold by fold.",
        "from sklearn.model_selection import StratifiedKFold\nfrom sklearn.base import clone\n\n"
        "skfolds = StratifiedKFold(n_splits=3, random_state=42)\n\n"
        "for train_index, test_index in skfolds.split(X_train, y_train_5):\n"
        "    clone_clf = clone(sgd_clf)\n    X_train_folds = X_train[train_index]\n"
        "    y_train_folds = y_train_5[train_index]\n    X_test_fold = X_train[test_index]\n"
        "    y_test_fold = y_train_5[test_index]\n\n"
        "    clone_clf.fit(X_train_folds, y_train_folds)\n"
        "    y_pred = clone_clf.predict(X_test_fold)\n    n_correct = sum(y_pred == y_test_fold)\n"
        "    print(n_correct / len(y_pred))",
        "0.95035\n0.96035\n0.9604",
    ),
    NotebookCell(
        10,
        "Prints the confusion matrix of the cross-validated predictions, and a perfect one.",
        "from sklearn.model_selection import cross_val_predict\n"
        "from sklearn.metrics import confusion_matrix\n\n"
        "y_train_pred = cross_val_predict(sgd_clf, X_train, y_train_5, cv=3)\n"
        "print(confusion_matrix(y_train_5, y_train_pred))\n\n"
        "y_train_perfect_predictions = y_train_5\n"
        "print(confusion_matrix(y_train_5, y_train_perfect_predictions))",
        "[[53892   687]\n [ 1891  3530]]\n[[54579     0]\n [    0  5421]]",
    ),
    NotebookCell(
        11,
        "Prints the precision, recall and F1 of those predictions.",
        "from sklearn.metrics import precision_score, recall_score, f1_score\n"
        "print(precision_score(y_train_5, y_train_pred))\n"
        "print(recall_score(y_train_5, y_train_pred))\nprint(f1_score(y_train_5, y_train_pred))",
        "0.8370879772350012\n0.6511713705958311\n0.7325171197343846",
    ),
    NotebookCell(
        12,
        "Scores the first digit and decides with a threshold of 0, then of 8,000.",
        "y_scores = sgd_clf.decision_function([some_digit])\nprint(y_scores)\n"
        "threshold = 0\ny_some_digit_pred = (y_scores > threshold)\nprint(y_some_digit_pred)\n"
        "threshold = 8000\ny_some_digit_pred = (y_scores > threshold)\n"
        "print(y_some_digit_pred)",
        "[2164.22030239]\n[True]\n[False]",
    ),
    NotebookCell(
        13,
        "Scores every training digit by cross-validation and plots precision and recall "
        "against the threshold, and precision against recall.",
        "y_scores = cross_val_predict(sgd_clf, X_train, y_train_5, cv=3,\n"
        '                             method="decision_function")\n'
        "from sklearn.metrics import precision_recall_curve\n"
        "precisions, recalls, thresholds = precision_recall_curve(y_train_5, y_scores)\n"
        "def plot_precision_recall_vs_threshold(precisions, recalls, thresholds):\n"
        '    plt.plot(thresholds, precisions[:-1], "b--", label="Precision")\n'
        '    plt.plot(thresholds, recalls[:-1], "g-", label="Recall")\n'
        "def plot_precision_vs_recall(precisions, recalls):\n"
        '    plt.plot(precisions[:-1], recalls[:-1], "b--")\n'
        "plot_precision_recall_vs_threshold(precisions, recalls, thresholds)\nplt.show()\n"
        "plot_precision_vs_recall(precisions, recalls)\nplt.show()",
    ),
    NotebookCell(
        14,
        "Finds the lowest threshold with at least 90% precision, and the precision and recall "
        "there.",
        "threshold_90_precision = thresholds[np.argmax(precisions >= 0.90)]  # ~7816\n"
        "print(threshold_90_precision)\n\n"
        "y_train_pred_90 = (y_scores >= threshold_90_precision)\n\n"
        "print(precision_score(y_train_5, y_train_pred_90))\n"
        "print(recall_score(y_train_5, y_train_pred_90))",
    ),
)
"""The notebook's cells, in order."""


@dataclass(frozen=True)
class PageCells:
    """The cells one page reproduces, and what they come to, as its line says.

    Attributes
    ----------
    url : str
        The page's address (``"/tradeoff"``).
    cells : tuple of int
        The cells it reproduces; empty for a page that goes beyond the notebook.
    what : str
        What those cells come to on the page, for its line ("the threshold for 90% precision").
    """

    url: str
    cells: tuple[int, ...]
    what: str


PAGES = {
    "digits": PageCells(
        "/digits", (1, 2, 3, 4, 5), "MNIST, what it holds, its first digit, and the split"
    ),
    "train": PageCells(
        "/train",
        (6, 7, 8, 9, 12),
        "the detector, its accuracy fold by fold, one digit's score at two thresholds",
    ),
    "confusion": PageCells(
        "/confusion", (10, 11), "the confusion matrix, then precision, recall and F1"
    ),
    "tradeoff": PageCells(
        "/tradeoff",
        (13, 14),
        "precision and recall at every threshold, and the threshold for 90% precision",
    ),
    "compare": PageCells(
        "/compare",
        (),
        "the chapter's next steps, ROC curves and other models side by side",
    ),
    "scores": PageCells(
        "/scores",
        (),
        "any binary classifier's labels and scores from a file, in the same live explorer",
    ),
}
"""Each page's cells, by the page's name."""


def cell(number: int) -> NotebookCell:
    """The notebook's cell ``[number]``."""
    for candidate in CELLS:
        if candidate.number == number:
            return candidate
    raise ValueError(f"the notebook has no cell [{number}]; it has [1] to [{CELLS[-1].number}]")


def cells_text(numbers: tuple[int, ...]) -> str:
    """``(13, 14)`` as ``"cells [13] and [14]"``; runs of three or more as ``[1]–[5]``."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"[{run[0]}]–[{run[-1]}]")
        else:
            parts += [f"[{number}]" for number in run]
    if len(parts) == 1:
        return f"cell{'s' if len(numbers) > 1 else ''} {parts[0]}"
    return f"cells {', '.join(parts[:-1])} and {parts[-1]}"


def page_line(page: str) -> str:
    """The one line under a page's title: the notebook cells it reproduces."""
    cells = PAGES[page]
    if not cells.cells:
        return f"Beyond the notebook, which ends at cell [{CELLS[-1].number}]: {cells.what}."
    return f"The notebook's {cells_text(cells.cells)}: {cells.what}."


def notebook_cells(page: str) -> None:
    """Under a page's title: the one line naming the notebook cells the page reproduces."""
    st.caption(page_line(page))


def notebook_quotes(page: str) -> None:
    """At a page's end: the cells' code and output, quoted, when opened.

    Kept at the end so that the line under the title is all the page spends above its first
    view (the trade-off explorer's numbers fit a laptop's screen).
    """
    numbers = PAGES[page].cells
    if not numbers:
        return
    with st.expander("From the notebook", icon=":material/menu_book:"):
        for number in numbers:
            quoted = cell(number)
            st.markdown(f"**[{number}]** {quoted.does}")
            # Plain: Streamlit's fixed syntax colours (not theme options) fall below WCAG's
            # 4.5:1 on its code background (keywords 3.8:1, numbers 2.6:1).
            st.code(quoted.code, language=None)
            if quoted.output:
                st.code(quoted.output, language="text")
        st.caption(
            'The README\'s "The notebook, cell by cell" lists every cell and the page that '
            "shows it."
        )
