"""What the command line prints for people: its summaries of core's results as text.

Core returns numbers (JSON-ready dicts); ``python -m core`` prints them as JSON with ``--json``,
else as the text these functions write. Only :mod:`core.cli` uses this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.data import SOURCE_CACHE, SOURCE_FALLBACK, SOURCE_IDX, SOURCE_OPENML
from core.formatting import unwritable_cache

if TYPE_CHECKING:
    from core.cache import CacheStatus

_SOURCE_WORDS = {
    SOURCE_IDX: "IDX files",
    SOURCE_CACHE: "local cache of the OpenML download",
    SOURCE_OPENML: "downloaded from OpenML",
    SOURCE_FALLBACK: "scikit-learn's bundled digits (fallback)",
}


def format_cache_notice(status: CacheStatus) -> str:
    """The one line ``report`` and ``tradeoff`` print on stderr when the cache cannot be written."""
    return (
        f"note: {unwritable_cache(status)}: the trained detector is not kept, so every run "
        "trains it again (about half a minute per digit on full MNIST)"
    )


def format_multiclass_cache_notice(status: CacheStatus) -> str:
    """The one line ``multiclass`` prints on stderr when the cache cannot be written."""
    return (
        f"note: {unwritable_cache(status)}: the trained multiclass model is not kept, so every "
        "run trains it again (about a quarter of an hour on full MNIST)"
    )


def format_summary(summary: dict) -> str:
    """Readable multi-line text of a :func:`~core.data.dataset_summary` (``info``)."""
    height, width = summary["image_shape"]
    lines = [
        f"Dataset:      {summary['name']}",
        f"Source:       {_SOURCE_WORDS.get(summary['source'], summary['source'])}",
        f"Location:     {summary['location']}",
        f"Samples:      {summary['n_samples']:,} images of {height}x{width} "
        f"({summary['n_features']} features)",
        f"Split:        {summary['n_train']:,} train (first rows) + {summary['n_test']:,} test",
        f"First label:  {summary['first_label']}",
        f"Fingerprint:  {summary['fingerprint']}",
        "",
        "Images per digit:",
        f"  {'digit':>5}  {'train':>8}  {'test':>8}  {'total':>8}",
    ]
    for digit, (train, test, total) in enumerate(
        zip(
            summary["train_class_counts"],
            summary["test_class_counts"],
            summary["class_counts"],
            strict=True,
        )
    ):
        lines.append(f"  {digit:>5}  {train:>8,}  {test:>8,}  {total:>8,}")
    if summary.get("notice"):
        lines += ["", f"Notice: {summary['notice']}"]
    return "\n".join(lines)


def format_report(report: dict) -> str:
    """:func:`~core.report.notebook_report`'s numbers as text (``report``), floats in full."""

    def number(value) -> str:
        return "n/a" if value is None else repr(value)

    def numbers(values) -> str:
        return "[" + ", ".join(number(v) for v in values) + "]"

    def matrix(rows) -> str:
        return "[" + ", ".join(numbers(row) for row in rows) + "]"

    digit = report["digit"]
    lines = [
        f"Detector of digit {digit}: SGDClassifier(random_state=42), 3-fold cross-validation",
        f"  cross_val_score accuracy [8]:          {numbers(report['cv_accuracy'])}",
        f"  hand-written StratifiedKFold loop [9]: {numbers(report['manual_cv_accuracy'])}",
        f"  'never {digit}' baseline accuracy:          {number(report['dummy_accuracy'])}",
        f"  confusion matrix [10] [[TN, FP], [FN, TP]]: {matrix(report['confusion_matrix'])}",
        f"  perfect predictions' confusion matrix:  {matrix(report['perfect_confusion_matrix'])}",
        f"  precision [11]: {number(report['precision'])}",
        f"  recall [11]:    {number(report['recall'])}",
        f"  F1 [11]:        {number(report['f1'])}",
        f"  score of digit #{report['some_digit_index']} [12]: "
        f"{number(report['some_digit_score'])}",
        f"  threshold for 90% precision [14]: {number(report['threshold_90_precision'])}",
        f"    precision there: {number(report['precision_at_threshold_90'])}",
        f"    recall there:    {number(report['recall_at_threshold_90'])}",
        f"computed in {report['seconds']:.2f} s",
    ]
    return "\n".join(lines)


def format_multiclass(summary: dict) -> str:
    """:func:`~core.multiclass.multiclass_summary`'s figures as text (``multiclass``); the
    accuracies and scores in full, as Python prints them."""

    def numbers(values) -> str:
        return "[" + ", ".join(repr(v) for v in values) + "]"

    def share(value) -> str:
        return "n/a" if value is None else f"{value:.4f}"

    def matrix(rows, title: str) -> list[str]:
        classes = summary["classes"]
        width = max(5, *(len(f"{count:,}") for row in rows for count in row))
        head = "  true \\ predicted " + " ".join(f"{c:>{width}}" for c in classes)
        lines = [f"{title} (rows are true digits, columns predicted):", head]
        for digit, row in zip(classes, rows, strict=True):
            lines.append(f"  {digit:>17} " + " ".join(f"{n:>{width},}" for n in row))
        return lines

    book = summary["book"]
    lines = [
        f"Multiclass SGDClassifier(random_state=42), one-versus-rest over {len(summary['classes'])}"
        f" digits, 3-fold cross-validation on {summary['n_train']:,} training digits",
        f"  cross_val_score accuracy, raw pixels:          {numbers(summary['cv_accuracy'])}",
        f"    the book prints (MNIST):                     {numbers(book['cv_accuracy'])}",
        f"  cross_val_score accuracy, standardised pixels: "
        f"{numbers(summary['cv_accuracy_scaled'])}",
        f"    the book prints (MNIST):                     {numbers(book['cv_accuracy_scaled'])}",
        f"  always the commonest digit of the fold's training part: "
        f"{numbers(summary['baseline_accuracy'])}",
        "",
        *matrix(summary["confusion_scaled"], "Error analysis, standardised pixels"),
        "",
        "  digit  precision  recall      F1  support",
    ]
    for entry in summary["per_digit_scaled"]:
        lines.append(
            f"  {entry['digit']:>5}  {share(entry['precision']):>9}  {share(entry['recall']):>6}"
            f"  {share(entry['f1']):>6}  {entry['support']:>7,}"
        )
    lines += [
        "",
        *matrix(summary["confusion"], "Confusion matrix, raw pixels"),
        "",
        f"some_digit (training digit #{summary['some_digit_index']}, a "
        f"{summary['some_digit_label']}), model fitted on all training digits, raw pixels:",
        f"  predict: {summary['some_digit_prediction']} (the book prints, on MNIST, "
        f"{book['some_digit_prediction']})",
        f"  decision_function: {numbers(summary['some_digit_scores'])}",
        f"    the book prints (MNIST), rounded: {numbers(book['some_digit_scores'])}",
    ]
    if summary["not_converged"]:
        lines.append(
            f"{summary['not_converged']} of {summary['fits']} one-versus-rest fits stopped at "
            "max_iter before converging (scikit-learn warns so)"
        )
    cached = " (read from the cache)" if summary["from_cache"] else ""
    lines.append(f"trained in {summary['seconds']:.1f} s{cached}")
    return "\n".join(lines)


def _text(value, as_percent: bool = True, why: str = "") -> str:
    if value is None:
        return f"undefined ({why})" if why else "undefined"
    return f"{value:.2%}" if as_percent else f"{value:,.6g}"


def _interval_text(pair) -> str:
    low, high = pair
    return "" if low is None else f"  [95% CI {low:.2%} to {high:.2%}]"


def format_tradeoff(summary: dict) -> str:
    """:func:`~core.tradeoff.tradeoff_summary` as text (``tradeoff``); an undefined figure
    says why."""
    nothing = "nothing is flagged"
    source = summary.get("source")
    if source is not None:
        return _scores_tradeoff_text(summary, source)
    lines = [
        f"Detector of digit {summary.get('digit', '?')} at threshold {summary['threshold']} "
        "(flagged when score >= threshold)",
        f"Cross-validation (3 folds, training prevalence {summary['training_prevalence']:.2%}):",
        f"  TP {summary['tp']:,}  FP {summary['fp']:,}  FN {summary['fn']:,}  TN {summary['tn']:,}"
        f"  (flagged {summary['flagged']:,})",
        f"  precision {_text(summary['precision'], why=nothing)}"
        + _interval_text(summary["precision_ci"]),
        f"  recall    {_text(summary['recall'], why='no positives')}"
        + _interval_text(summary["recall_ci"]),
        f"  false-positive rate {_text(summary['false_positive_rate'], why='no negatives')}"
        + _interval_text(summary["false_positive_rate_ci"]),
        f"  F1 {_text(summary['f1'], why='precision or recall undefined')}"
        f"  accuracy {_text(summary['accuracy'])}",
        "  each fold alone: precision "
        + ", ".join(_text(v, why=nothing) for v in summary["fold_precision"])
        + "; recall "
        + ", ".join(_text(v, why="no positives") for v in summary["fold_recall"]),
        "Held-out test set (final model):",
        f"  precision {_text(summary['test_precision'], why=nothing)}"
        + _interval_text(summary["test_precision_ci"]),
        f"  recall    {_text(summary['test_recall'], why='no positives')}"
        + _interval_text(summary["test_recall_ci"]),
    ]
    if summary.get("refit") is not None:
        lines += _refit_lines(summary["refit"])
    return "\n".join(lines + _prevalence_and_cost_lines(summary, unit="digits"))


def _prevalence_and_cost_lines(summary: dict, *, unit: str) -> list[str]:
    nothing = "nothing is flagged"
    lines = []
    if "prevalence" in summary:
        lines += [
            f"At prevalence {summary['prevalence']:.2%} (recall and false-positive rate do not "
            "change with prevalence):",
            f"  precision {_text(summary['precision_at_prevalence'], why=nothing)}"
            f"  F1 {_text(summary['f1_at_prevalence'])}"
            f"  accuracy {_text(summary['accuracy_at_prevalence'])}",
        ]
    if "expected_cost_per_1000" in summary:
        at = summary.get("prevalence", summary["training_prevalence"])
        lines.append(
            f"Expected cost per 1,000 {unit} (FP {summary['false_positive_cost']:g}, FN "
            f"{summary['false_negative_cost']:g}, prevalence {at:.2%}): "
            + _text(summary["expected_cost_per_1000"], as_percent=False, why="a rate undefined")
        )
        if summary["least_cost_threshold"] is not None:
            lines.append(
                f"  least at threshold {summary['least_cost_threshold']}: "
                + _text(summary["least_cost_per_1000"], as_percent=False, why="a rate undefined")
            )
    return lines


def _rates_lines(figures: dict, *, prefix: str = "") -> list[str]:
    """Precision, recall and false-positive rate with their intervals, one line each."""
    nothing = "nothing is flagged"
    return [
        f"  precision {_text(figures[prefix + 'precision'], why=nothing)}"
        + _interval_text(figures[prefix + "precision_ci"]),
        f"  recall    {_text(figures[prefix + 'recall'], why='no positives')}"
        + _interval_text(figures[prefix + "recall_ci"]),
    ]


def _scores_tradeoff_text(summary: dict, source: dict) -> str:
    """``tradeoff --scores FILE`` as text: the file, its curve rows, folds, test rows, groups."""
    nothing = "nothing is flagged"
    folds = source["folds"]
    lines = [
        f"{source['file']} ({source['format']}, {source['rows']:,} rows), positive class "
        f'"{source["positive_label"]}", label column "{source["columns"]["label"]}", score '
        f'column "{source["columns"]["score"]}"',
        f"At threshold {summary['threshold']} (flagged when score >= threshold)",
        f"Curve rows ({source['curve_rows']:,}"
        + (f", {len(folds)} folds" if folds else "")
        + f", prevalence {summary['training_prevalence']:.2%}):",
        f"  TP {summary['tp']:,}  FP {summary['fp']:,}  FN {summary['fn']:,}  TN {summary['tn']:,}"
        f"  (flagged {summary['flagged']:,})",
        *_rates_lines(summary),
        f"  false-positive rate {_text(summary['false_positive_rate'], why='no negatives')}"
        + _interval_text(summary["false_positive_rate_ci"]),
        f"  F1 {_text(summary['f1'], why='precision or recall undefined')}"
        f"  accuracy {_text(summary['accuracy'])}",
    ]
    if folds:
        lines.append(
            "  each fold alone ("
            + ", ".join(folds)
            + "): precision "
            + ", ".join(_text(v, why=nothing) for v in summary["fold_precision"])
            + "; recall "
            + ", ".join(_text(v, why="no positives") for v in summary["fold_recall"])
        )
    if source["test_rows"]:
        lines.append(f"Test rows ({source['test_rows']:,}):")
        lines += _rates_lines(summary, prefix="test_")
    for group in summary.get("groups", ()):
        lines.append(
            f"Group {group['name']} ({group['n']:,} rows, {group['n_pos']:,} positive): "
            f"TP {group['tp']:,}  FP {group['fp']:,}  FN {group['fn']:,}  TN {group['tn']:,}"
        )
        lines += _rates_lines(group)
        lines.append(
            f"  false-positive rate {_text(group['false_positive_rate'], why='no negatives')}"
            + _interval_text(group["false_positive_rate_ci"])
        )
    return "\n".join(lines + _prevalence_and_cost_lines(summary, unit="rows"))


def _test_text(test: dict | None) -> str:
    if test is None:
        return "no test digits"
    nothing = "nothing is flagged"
    return (
        f"test precision {_text(test['precision'], why=nothing)}, "
        f"recall {_text(test['recall'], why='no positives')}"
    )


def _refit_lines(refit: dict) -> list[str]:
    """:meth:`core.refit.RefitComparison.as_json` as text: why the test differs, and the
    threshold that flags the same share on the final model."""
    median = refit["median_score"]
    as_chosen, same = refit["choices"]["cross_validated"], refit["choices"]["same_share"]
    test_median = median["final_model_test"]
    width = max(len(str(as_chosen["threshold"])), len(str(same["threshold"])))
    return [
        "Why the test differs: the final model, refitted on all training digits, scores on "
        "another scale",
        f"  median score {median['cross_validated']:,.0f} cross-validated; final model "
        f"{median['final_model_training']:,.0f} (training)"
        + ("" if test_median is None else f", {test_median:,.0f} (test)"),
        f"  share flagged at this threshold: {refit['share_flagged_cross_validated']:.2%} "
        f"cross-validated, {as_chosen['share_flagged_final_model_training']:.2%} final model "
        "(training)",
        "Threshold the final model could carry:",
        f"  as chosen           {as_chosen['threshold']!s:<{width}}  "
        + _test_text(as_chosen["test"]),
        f"  same share flagged  {same['threshold']!s:<{width}}  " + _test_text(same["test"]),
    ]
