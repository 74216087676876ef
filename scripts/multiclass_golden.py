"""The chapter's multiclass cells, run as the notebook writes them, with scikit-learn's own calls.

    MNIST_DATA=../shared/mnist .venv/bin/python scripts/multiclass_golden.py [--json [PATH]]

Regenerates the golden figures of ``tests/core/test_golden_multiclass.py`` and shows the book's
printed figures beside them::

    sgd_clf = SGDClassifier(random_state=42)
    sgd_clf.fit(X_train, y_train)
    sgd_clf.predict([some_digit]); sgd_clf.decision_function([some_digit])
    cross_val_score(sgd_clf, X_train, y_train, cv=3, scoring="accuracy")
    X_train_scaled = StandardScaler().fit_transform(X_train.astype(np.float64))
    cross_val_score(sgd_clf, X_train_scaled, y_train, cv=3, scoring="accuracy")
    y_train_pred = cross_val_predict(sgd_clf, X_train_scaled, y_train, cv=3)
    confusion_matrix(y_train, y_train_pred)

on the first 60,000 digits (``MNIST_DATA`` read by the project's reader, as float64 pixels like
``fetch_openml``'s; ``--n-train`` takes fewer; without MNIST, the small fallback digits).
Each cell is timed apart (``cells``); ``notebook_seconds`` is the time of the two
``cross_val_score`` calls and the ``cross_val_predict`` (with the scaler), the reference of
``bench/bench_multiclass.py``. ``--skip-fit`` leaves out the fit on all training digits.
``--fast`` gives the same figures from the same scikit-learn calls sooner (see
:func:`fast_cells`), with the raw pixels' error-analysis matrix too, but no notebook timing.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.multiclass import book_figures  # noqa: E402

CROSS_VALIDATION_CELLS = ("cross_val_score raw", "scaler, cross_val_score scaled", "predict")


def notebook_cells(X_train, y_train, *, fit_all: bool = True) -> dict:
    """The chapter's multiclass cells on ``X_train`` (uint8 pixels) and ``y_train``."""
    import numpy as np
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import cross_val_predict, cross_val_score
    from sklearn.preprocessing import StandardScaler

    laps, start = {}, time.perf_counter()

    def lap(cell: str) -> None:
        laps[cell] = time.perf_counter() - start - sum(laps.values())

    some_digit = X_train[0]
    sgd_clf = SGDClassifier(random_state=42)
    figures = {}
    if fit_all:
        sgd_clf.fit(X_train, y_train)
        figures["some_digit_prediction"] = int(sgd_clf.predict([some_digit])[0])
        figures["some_digit_scores"] = sgd_clf.decision_function([some_digit])[0].tolist()
        lap("fit on all, some_digit")
    accuracy = cross_val_score(sgd_clf, X_train, y_train, cv=3, scoring="accuracy")
    lap(CROSS_VALIDATION_CELLS[0])
    scaler = StandardScaler()
    X_train_scaled = scaler.fit_transform(X_train.astype(np.float64))
    accuracy_scaled = cross_val_score(sgd_clf, X_train_scaled, y_train, cv=3, scoring="accuracy")
    lap(CROSS_VALIDATION_CELLS[1])
    y_train_pred = cross_val_predict(sgd_clf, X_train_scaled, y_train, cv=3)
    confusion = confusion_matrix(y_train, y_train_pred)
    lap(CROSS_VALIDATION_CELLS[2])
    return {
        "n_train": int(len(y_train)),
        "cv_accuracy": accuracy.tolist(),
        "cv_accuracy_scaled": accuracy_scaled.tolist(),
        "confusion_scaled": confusion.tolist(),
        **figures,
        "cells": laps,
        "notebook_seconds": sum(laps[cell] for cell in CROSS_VALIDATION_CELLS),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6,
    }


def fast_cells(X_train, y_train, *, n_jobs: int = 2) -> dict:
    """The same figures from scikit-learn's own calls in about a third of the time, not the
    notebook's timing: each model cross-validated once with ``cross_val_predict`` (each fold's
    accuracy from its held-out predictions, which are those of the very fits
    ``cross_val_score`` makes), the one-versus-rest fits ``n_jobs`` at a time; also the raw
    pixels' error-analysis matrix."""
    import numpy as np
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.preprocessing import StandardScaler

    laps, start = {}, time.perf_counter()
    sgd_clf = SGDClassifier(random_state=42, n_jobs=n_jobs)
    folds = list(StratifiedKFold(n_splits=3).split(X_train, y_train))  # what cv=3 uses
    figures = {"n_train": int(len(y_train))}
    X_scaled = StandardScaler().fit_transform(X_train.astype(np.float64))
    for suffix, X in (("", X_train), ("_scaled", X_scaled)):
        predicted = cross_val_predict(sgd_clf, X, y_train, cv=3)
        figures[f"cv_accuracy{suffix}"] = [
            float(np.mean(predicted[test] == y_train[test])) for _, test in folds
        ]
        figures[f"confusion{suffix}"] = confusion_matrix(y_train, predicted).tolist()
        laps[f"cross_val_predict{suffix or ' raw'}"] = (
            time.perf_counter() - start - sum(laps.values())
        )
    sgd_clf.fit(X_train, y_train)
    figures["some_digit_prediction"] = int(sgd_clf.predict(X_train[:1])[0])
    figures["some_digit_scores"] = sgd_clf.decision_function(X_train[:1])[0].tolist()
    laps["fit on all, some_digit"] = time.perf_counter() - start - sum(laps.values())
    return {**figures, "cells": laps}


def as_text(figures: dict) -> str:
    book = book_figures()
    lines = [f"scikit-learn today, {figures['n_train']:,} training digits (the book beside):"]
    for name in ("cv_accuracy", "cv_accuracy_scaled", "some_digit_prediction"):
        if name in figures:
            lines.append(f"  {name} = {figures[name]!r}  # the book: {book[name]!r}")
    if "some_digit_scores" in figures:
        lines.append(f"  some_digit_scores = {figures['some_digit_scores']!r}")
        lines.append(f"  # the book, rounded: {list(book['some_digit_scores'])!r}")
    if "confusion" in figures:
        lines.append(f"  confusion = {figures['confusion']!r}")
    lines.append(f"  confusion_scaled = {figures['confusion_scaled']!r}")
    lines += [f"  {cell:<32}{seconds:8.1f} s" for cell, seconds in figures["cells"].items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH", help="write the figures")
    parser.add_argument("--n-train", type=int, default=None, help="the first N training digits")
    parser.add_argument("--skip-fit", action="store_true", help="no fit on all training digits")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="the same figures sooner (cross_val_predict once per model, two fits at a time), "
        "and the raw pixels' matrix; no notebook timing",
    )
    args = parser.parse_args(argv)
    from core.data import load_dataset

    dataset = load_dataset(allow_download=False)
    n_train = dataset.n_train if args.n_train is None else min(args.n_train, dataset.n_train)
    # float64 pixels, as fetch_openml gives the notebook (the same figures as uint8, converted
    # once here rather than in each fit: the notebook's own speed)
    X_train = dataset.images[:n_train].astype("float64")
    y_train = dataset.labels[:n_train]
    if args.fast:
        cells = fast_cells(X_train, y_train)
    else:
        cells = notebook_cells(X_train, y_train, fit_all=not args.skip_fit)
    figures = {"source": dataset.source, **cells}
    if args.json and args.json != "-":
        Path(args.json).write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2) if args.json == "-" else as_text(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
