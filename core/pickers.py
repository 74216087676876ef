"""Pick an operating point of a score index for a goal; each answer is a structured choice.

:func:`threshold_for_precision`, :func:`threshold_for_recall`, :func:`threshold_for_best_fbeta`
and :func:`threshold_for_least_cost` (with :func:`cost_weights`) search the distinct scores of a
:class:`~core.counting.ScoreIndex` and return a :class:`ThresholdChoice`: what was asked, whether
it was reached, the threshold and the metrics there. The sentences saying so to a person are
written where people read them (``ui/wording.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.counting import ScoreIndex, ThresholdMetrics, check_index_prevalence, metrics_at
from core.curves import fbeta_scores, precisions_at_prevalence
from core.validation import check_cost, check_fraction, check_positive


@dataclass(frozen=True)
class ThresholdChoice:
    """An operating point picked by one of the ``threshold_for_*`` functions.

    Attributes
    ----------
    goal : {"precision", "recall", "fbeta", "least_cost"}
        What was asked for: a precision or a recall of at least ``target``, the best F-beta,
        or the least cost of the errors.
    threshold : float
        The chosen threshold (``inf`` means flag nothing).
    reached : bool
        False when the goal cannot be met; ``threshold`` is then the closest achievable point.
        For ``"recall"`` and ``"fbeta"`` that means the measure is undefined (no positives).
    metrics : ThresholdMetrics
        The sample's counts and ratios at ``threshold``.
    value : float
        The goal's measure at ``threshold``: the precision (where the positives have share
        ``prevalence``, when given), the recall, the F-beta, or the total cost (the expected
        cost per digit at a ``prevalence``). NaN when undefined.
    precision : float
        The precision at ``threshold`` where the positives have share ``prevalence``;
        ``metrics.precision`` without one.
    target : float or None
        The wanted precision or recall; None for the other goals.
    beta : float or None
        F-beta's weight of recall; None for the other goals.
    prevalence : float or None
        The positives' share the goal was judged at; None for the sample's own.
    false_positive_cost, false_negative_cost : float or None
        The costs of one error of each kind for ``"least_cost"``; None for the other goals.
    """

    goal: str
    threshold: float
    reached: bool
    metrics: ThresholdMetrics
    value: float
    precision: float
    target: float | None = None
    beta: float | None = None
    prevalence: float | None = None
    false_positive_cost: float | None = None
    false_negative_cost: float | None = None


def threshold_for_precision(
    index: ScoreIndex, *, target: float, prevalence: float | None = None
) -> ThresholdChoice:
    """The lowest threshold, among the scores, whose precision is at least ``target``.

    Equals the notebook's ``thresholds[np.argmax(precisions >= target)]`` whenever a threshold
    reaches the target. When none does, ``reached`` is False and the threshold is the lowest one
    with the highest achievable precision (the notebook's expression would index past the end).

    Parameters
    ----------
    index : ScoreIndex
    target : float
        Wanted precision, in (0, 1].
    prevalence : float, optional
        Reach the precision where the positives have this share (in (0, 1)) instead of the
        sample's own: see :func:`~core.curves.precisions_at_prevalence`.

    Returns
    -------
    ThresholdChoice
        Its ``metrics`` are the sample's counts and ratios at the threshold; its ``value`` the
        precision the target was judged by (the highest achievable when not ``reached``).
    """
    target = check_fraction(target, "target")
    precision = precisions_at_prevalence(index, prevalence=prevalence)
    meets = precision >= target
    reached = bool(meets.any())
    at = int(np.argmax(meets)) if reached else int(np.argmax(precision))
    threshold = float(index.thresholds[at])
    return ThresholdChoice(
        goal="precision",
        threshold=threshold,
        reached=reached,
        metrics=metrics_at(index, threshold=threshold),
        value=float(precision[at]),
        precision=float(precision[at]),
        target=target,
        prevalence=None if prevalence is None else float(prevalence),
    )


def threshold_for_recall(index: ScoreIndex, *, target: float) -> ThresholdChoice:
    """The highest threshold, among the scores, whose recall is at least ``target``.

    With at least one positive the lowest score has recall 1, so any target in (0, 1] is
    reached. Without positives recall is undefined: ``reached`` is False and the threshold is
    the lowest score.

    Parameters
    ----------
    index : ScoreIndex
    target : float
        Wanted recall, in (0, 1].

    Returns
    -------
    ThresholdChoice
    """
    target = check_fraction(target, "target")
    if index.n_pos == 0:
        at, reached = 0, False
    else:
        meets = index.tp / index.n_pos >= target
        at, reached = meets.size - 1 - int(np.argmax(meets[::-1])), True
    threshold = float(index.thresholds[at])
    metrics = metrics_at(index, threshold=threshold)
    return ThresholdChoice(
        goal="recall",
        threshold=threshold,
        reached=reached,
        metrics=metrics,
        value=metrics.recall,
        precision=metrics.precision,
        target=target,
    )


def threshold_for_best_fbeta(
    index: ScoreIndex, *, beta: float = 1.0, prevalence: float | None = None
) -> ThresholdChoice:
    """The threshold, among the scores, that maximises F-beta.

    F-beta is ``(1 + beta**2) * p * r / (beta**2 * p + r)`` (0 when ``p = r = 0``); with
    ``beta = 1`` it is the ``f1`` of :func:`~core.counting.metrics_at`. Ties go to the highest
    threshold: the same score while flagging the fewest digits. Without positives F-beta is
    undefined: ``reached`` is False and the threshold is the highest score.

    Parameters
    ----------
    index : ScoreIndex
    beta : float
        Weight of recall relative to precision; > 0.
    prevalence : float, optional
        Take the precision where the positives have this share (in (0, 1)).

    Returns
    -------
    ThresholdChoice
    """
    beta = check_positive(beta, "beta")
    prevalence = None if prevalence is None else float(prevalence)
    if index.n_pos == 0:
        threshold = float(index.thresholds[-1])
        metrics = metrics_at(index, threshold=threshold)
        return ThresholdChoice(
            goal="fbeta",
            threshold=threshold,
            reached=False,
            metrics=metrics,
            value=math.nan,
            precision=metrics.precision,
            beta=beta,
            prevalence=prevalence,
        )
    fbeta = fbeta_scores(index, beta=beta, prevalence=prevalence)
    best = fbeta.size - 1 - int(np.argmax(fbeta[::-1] == fbeta.max()))
    threshold = float(index.thresholds[best])
    metrics = metrics_at(index, threshold=threshold)
    if prevalence is None:
        precision = metrics.precision
    else:
        precision = float(precisions_at_prevalence(index, prevalence=prevalence)[best])
    return ThresholdChoice(
        goal="fbeta",
        threshold=threshold,
        reached=True,
        metrics=metrics,
        value=float(fbeta[best]),
        precision=precision,
        beta=beta,
        prevalence=prevalence,
    )


def cost_weights(
    index: ScoreIndex,
    *,
    false_positive_cost: float,
    false_negative_cost: float,
    prevalence: float | None = None,
) -> tuple[float, float]:
    """What one false positive and one false negative of ``index`` weigh in the total cost.

    Without ``prevalence`` they weigh their costs: the total is the cost of the sample's own
    errors. With it, each error is reweighted to a population where the digit has that share,
    so the total is the expected cost per digit there:
    ``FPR (1 - p) A + (1 - TPR) p B`` = ``fp (1 - p) A / n_neg + fn p B / n_pos``.

    Parameters
    ----------
    index : ScoreIndex
    false_positive_cost, false_negative_cost : float
        Cost of one false positive and one false negative; finite, >= 0, not both 0.
    prevalence : float, optional
        The digit's share where the detector will be used, in (0, 1).

    Returns
    -------
    (false_positive_weight, false_negative_weight) : floats

    Raises
    ------
    ValueError
        When a cost is negative or not finite, both are 0, ``prevalence`` is not in (0, 1),
        or ``prevalence`` is given and a class is missing (its rate is undefined).
    """
    fp_cost = check_cost(false_positive_cost, "false_positive_cost")
    fn_cost = check_cost(false_negative_cost, "false_negative_cost")
    if fp_cost == 0 and fn_cost == 0:
        raise ValueError("false_positive_cost and false_negative_cost must not both be 0")
    if prevalence is None:
        return fp_cost, fn_cost
    p = check_index_prevalence(index, prevalence)
    return fp_cost * (1 - p) / index.n_neg, fn_cost * p / index.n_pos


def threshold_for_least_cost(
    index: ScoreIndex,
    *,
    false_positive_cost: float,
    false_negative_cost: float,
    prevalence: float | None = None,
) -> ThresholdChoice:
    """The threshold with the least total cost of its errors.

    The cost is ``fp * w_fp + fn * w_fn`` with the weights of :func:`cost_weights`: the costs
    themselves, or, at a ``prevalence``, the expected cost per digit where the digit has that
    share. The explorer's cost curve (``estimates.js``) does the same float operations.

    Candidates are every distinct score plus "flag nothing", represented by ``threshold = inf``
    (then ``fp = 0`` and ``fn`` = all positives). Ties go to the highest threshold (fewest
    digits flagged), so "flag nothing" wins any tie it is part of.

    Parameters
    ----------
    index : ScoreIndex
    false_positive_cost, false_negative_cost : float
        Cost of one false positive and one false negative; finite, >= 0, not both 0.
    prevalence : float, optional
        In (0, 1); see :func:`cost_weights`.

    Returns
    -------
    ThresholdChoice
        Always ``reached``; its ``value`` is the least cost.
    """
    fp_weight, fn_weight = cost_weights(
        index,
        false_positive_cost=false_positive_cost,
        false_negative_cost=false_negative_cost,
        prevalence=prevalence,
    )
    fp = np.append(index.fp, 0)
    fn = np.append(index.n_pos - index.tp, index.n_pos)
    cost = fp_weight * fp + fn_weight * fn
    best = cost.size - 1 - int(np.argmin(cost[::-1]))
    threshold = float(index.thresholds[best]) if best < index.thresholds.size else math.inf
    metrics = metrics_at(index, threshold=threshold)
    if prevalence is None or best == index.thresholds.size:
        precision = metrics.precision
    else:
        precision = float(precisions_at_prevalence(index, prevalence=prevalence)[best])
    return ThresholdChoice(
        goal="least_cost",
        threshold=threshold,
        reached=True,
        metrics=metrics,
        value=float(cost[best]),
        precision=precision,
        prevalence=None if prevalence is None else float(prevalence),
        false_positive_cost=float(false_positive_cost),
        false_negative_cost=float(false_negative_cost),
    )
