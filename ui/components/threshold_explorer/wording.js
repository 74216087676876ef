// Every number and sentence the explorer writes for people, from figures. No DOM.

const percent = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const scoreFormat = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const shareFormat = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const costFormat = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });

/** A rate with one decimal ("90.1%"), "—" when undefined. */
export const pct = (value) => (value === null ? "—" : percent.format(value));
/** A whole number with thousands separators. */
export const count = (value) => integer.format(value);
/** A share with two decimals ("9.04%"), "—" when undefined. */
export const share = (value) => (value === null ? "—" : shareFormat.format(value));
/** A cost, to four significant digits. */
export const costText = (value) => costFormat.format(value);
/** A threshold, or what an infinite one means. */
export const thresholdText = (t) => (Number.isFinite(t) ? scoreFormat.format(t) : "+∞ (flag nothing)");
/** Tick labels: a rate in whole percent, a score or cost as it reads. */
export const percentTick = (value) => `${Math.round(value * 100)}%`;
export const scoreTick = (value) => integer.format(value);

/**
 * A score axis's tick label, as short as the ticks' `step` allows: "-20k" and "2.5k" when
 * the ticks are thousands apart, "3,370" for whole numbers, "3,370.5" below one apart.
 */
export function compactScore(value, step) {
  const v = Math.abs(value) < step / 1e6 ? 0 : value;
  if (step >= 1000 && v !== 0) {
    return `${new Intl.NumberFormat("en-US", { maximumFractionDigits: decimalsOf(step / 1000) }).format(v / 1000)}k`;
  }
  const decimals = decimalsOf(step);
  return new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(v);
}

/** The decimals `x` needs (at most 6): 2.5 needs 1, 0.25 needs 2, 3 needs none. */
function decimalsOf(x) {
  return [0, 1, 2, 3, 4, 5, 6].find((d) => Math.abs(Math.round(x * 10 ** d) - x * 10 ** d) < 1e-6) ?? 6;
}

/** The handle's label on the threshold axis: the threshold to a few more digits than the ticks. */
export function handleScore(t, step) {
  if (!Number.isFinite(t)) return t > 0 ? "+∞" : "−∞";
  return compactScore(t, step >= 10 ? 1 : step / 10);
}

/** "88.9–91.0%" (two decimals below 5%: "0.47–0.59%"), or "" when undefined. */
export function range(pair) {
  if (!pair) return "";
  const decimals = pair[1] < 0.05 ? 2 : 1;
  return `${(pair[0] * 100).toFixed(decimals)}–${(pair[1] * 100).toFixed(decimals)}%`;
}

/** A rate's change in percentage points, with enough decimals never to read "-0.0 pts". */
export function pointsChange(now, before) {
  if (now === null || before === null || now === before) return "";
  const points = (now - before) * 100;
  const decimals = [1, 2, 3].find((d) => Math.abs(points) >= 0.5 * 10 ** -d) ?? 4;
  return `${points >= 0 ? "+" : ""}${points.toFixed(decimals)} pts`;
}

/** Whether the test set's precision and recall fall inside the cross-validated intervals. */
export function agreement(held, intervals) {
  const inside = (value, pair) => value !== null && pair !== null && pair[0] <= value && value <= pair[1];
  const verdicts = [
    ["precision", held.precision, intervals.precision],
    ["recall", held.recall, intervals.recall],
  ].filter(([, value, pair]) => value !== null && pair !== null);
  if (!verdicts.length) return "";
  const outside = verdicts.filter(([, value, pair]) => !inside(value, pair)).map(([name]) => name);
  if (!outside.length) return "Inside the cross-validated 95% intervals: the test agrees.";
  return `The test's ${outside.join(" and ")} ${outside.length > 1 ? "are" : "is"} outside the cross-validated 95% interval${outside.length > 1 ? "s" : ""}.`;
}

/** The tooltip of a count cell. */
export function cellTitle(cell, digit) {
  return {
    tp: `true positives: ${digit}s flagged`,
    fn: `false negatives: ${digit}s left out`,
    fp: `false positives: other digits flagged`,
    tn: `true negatives: other digits left out`,
    flagged: "flagged: score at or above the threshold",
    kept: "not flagged: score below the threshold",
  }[cell];
}

/** What the numbers rest on: the cross-validation, and the prevalence (null: the training share). */
export function basisText({ digit, nPositive, nScores, nFolds, prevalence }) {
  const training = nScores ? nPositive / nScores : null;
  const base = `Cross-validated: each of ${count(nScores)} training digits scored by a model that did not see it (${nFolds} folds)`;
  if (prevalence === null) {
    return `${base}. ${digit}s are ${share(training)} of them (the training share), and so in these figures. 95% Wilson intervals.`;
  }
  return (
    `${base}. Precision, F1, accuracy and the cost are where ${digit}s are ${share(prevalence)} of all digits (chosen; ` +
    `${share(training)} in training). Recall and the false-positive rate are shares within one class, so they do not change with it.`
  );
}

/** The note under the folds' table. */
export function foldNote(digit, prevalence) {
  return prevalence === null
    ? "Each fold's held-out digits, counted alone: how much the figures move from sample to sample."
    : `Precision where ${digit}s are ${share(prevalence)}; recall as counted.`;
}

/** The cost plot's title: the cost here and the least, with what they rest on; plain without costs. */
export function costTitle({ digit, settings, costNow, least }) {
  if (least === null) return "Expected cost per 1,000 digits";
  const { fpCost, fnCost, prevalence } = settings;
  const at = prevalence === null ? "the training share" : share(prevalence);
  const where = Number.isFinite(least.threshold) ? `at ${thresholdText(least.threshold)}` : "flagging nothing";
  return `Expected cost per 1,000 digits: ${costText(costNow)} here, least ${costText(least.cost)} ${where} (FP ${fpCost}, FN ${fnCost}; ${digit}s at ${at})`;
}

/** The test set's note: agreement with the intervals, or its precision at the chosen share. */
export function testNote({ digit, prevalence, held, shiftedPrecision, intervals }) {
  return prevalence === null ? agreement(held, intervals) : `Where ${digit}s are ${share(prevalence)}: precision ${pct(shiftedPrecision)}.`;
}

/** The lines of the tooltip at threshold `t` with `figures`. */
export function tipLines(t, figures) {
  return Number.isFinite(t)
    ? [
        `Threshold ${thresholdText(t)}`,
        `Precision ${pct(figures.precision)} · Recall ${pct(figures.recall)}`,
        `TP ${count(figures.tp)} · FP ${count(figures.fp)}`,
        `FN ${count(figures.fn)} · TN ${count(figures.tn)}`,
      ]
    : ["Flag nothing (threshold above every score)", `FN ${count(figures.fn)} · TN ${count(figures.tn)}`];
}

/** What a screen reader says of the slider's value. */
export function sliderText(shown, figures) {
  return `threshold ${shown}: precision ${pct(figures.precision)}, recall ${pct(figures.recall)}, ${count(figures.flagged)} flagged`;
}

/** The precision-recall plot's title: its average precision, and at which share of the digit. */
export function prTitle({ ap, digit, prevalence }) {
  if (ap === null || !Number.isFinite(ap)) return "Precision vs recall";
  return prevalence === null
    ? `Precision vs recall (AP ${ap.toFixed(3)})`
    : `Precision vs recall (AP ${ap.toFixed(3)} where ${digit}s are ${share(prevalence)})`;
}
