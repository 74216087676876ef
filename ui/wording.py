"""Sentences for people about core's structured results: the pickers' choices.

Core returns what it picked (:class:`core.pickers.ThresholdChoice`); the pages say it in one
sentence here. Plain Python, no Streamlit: the sentences are tested on their own.
"""

from __future__ import annotations

from core.formatting import percent, target_percent, threshold_text
from core.pickers import ThresholdChoice


def _where(prevalence: float | None, items: str) -> str:
    """How a sentence names the share its precision is at ("" for the sample's own)."""
    if prevalence is None:
        return ""
    return f" where {target_percent(prevalence)} of the {items} are positive"


def _summary(choice: ThresholdChoice) -> str:
    """Precision and recall at the choice, the precision at its prevalence when it has one."""
    recall = choice.metrics.recall
    if choice.prevalence is None:
        precision = percent(choice.metrics.precision, missing="n/a")
        return f"precision {precision}, recall {percent(recall, missing='n/a')}"
    return f"precision {choice.precision:.1%}, recall {percent(recall)}"


def choice_sentence(choice: ThresholdChoice, *, items: str = "digits") -> str:
    """One short sentence for a user saying what a picker chose and why.

    Parameters
    ----------
    choice : ThresholdChoice
        What :func:`core.pickers.threshold_for_precision`, ``..._for_recall``,
        ``..._for_best_fbeta`` or ``..._for_least_cost`` returned.
    items : str
        What the rows are called, plural (:attr:`core.explorer.ExplorerNouns.items`).

    Returns
    -------
    str
    """
    threshold = threshold_text(choice.threshold)
    where = _where(choice.prevalence, items)
    if choice.goal == "precision":
        target = target_percent(choice.target)
        if choice.reached:
            return (
                f"Lowest threshold with precision >= {target}{where}: {threshold} "
                f"({_summary(choice)})"
            )
        return (
            f"No threshold reaches precision >= {target}{where}; the highest "
            f"achievable is {choice.value:.1%}, at threshold {threshold}"
        )
    if choice.goal == "recall":
        if not choice.reached:
            return "Recall is undefined: there are no positive samples."
        return (
            f"Highest threshold with recall >= {target_percent(choice.target)}: {threshold} "
            f"({_summary(choice)})"
        )
    if choice.goal == "fbeta":
        name = f"F{choice.beta:g}"
        if not choice.reached:
            return f"{name} is undefined: there are no positive samples."
        return (
            f"Best {name}{where} ({choice.value:.3f}) at threshold {threshold} ({_summary(choice)})"
        )
    if choice.goal == "least_cost":
        fp_cost, fn_cost = choice.false_positive_cost, choice.false_negative_cost
        if choice.prevalence is None:
            return (
                f"Least total cost {choice.value:,.6g} at threshold {threshold}: "
                f"{choice.metrics.fp:,} false positives x {fp_cost:g} + "
                f"{choice.metrics.fn:,} false negatives x {fn_cost:g}"
            )
        return (
            f"Least expected cost where {target_percent(choice.prevalence)} of the {items} are "
            f"positive: {1000 * choice.value:,.4g} per 1,000 {items} (a FP costs {fp_cost:g}, a "
            f"FN {fn_cost:g}), at threshold {threshold}"
        )
    raise ValueError(
        f"choice.goal must be precision, recall, fbeta or least_cost; got {choice.goal!r}"
    )


# Found by experiment (scripts/book_multiclass_difference.py), shown under the book's printed
# accuracies beside today's on the "All digits" page (ui/multiclass.py, book_vs_today).
WHY_THE_BOOK_DIFFERS = (
    "The book ran scikit-learn 0.22. Since release 1.8, SGDClassifier stops training when its "
    "whole objective (the loss plus the penalty) stops improving, not the loss alone, so four "
    "of the thirty one-versus-rest fits on raw pixels stop at another epoch (digits 6, 7 and 9 "
    "in fold 1, digit 0 in fold 3), and all thirty on standardised pixels run longer; stopped "
    "where the old rule stopped them, they give the book's accuracies exactly. Folds and seeds "
    "are unchanged."
)
