// Every number and sentence the explorer writes for people, from figures. No DOM.

const percent = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
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
/**
 * The most decimals a threshold is written with, for scores spanning `low` to `high`: two
 * where the span is a hundred or more ("3,370.02"), more where it is small, so that nearby
 * scores read apart (probabilities: "0.505", "0.5051").
 */
export function thresholdDecimals(low, high) {
  const span = high - low;
  return Number.isFinite(span) && span > 0 ? Math.min(8, Math.max(2, 4 - Math.ceil(Math.log10(span)))) : 2;
}

const decimalFormats = new Map(); // "min-max" -> its formatter

/**
 * The en-US formatter with `min` to `max` decimals, made once: making one costs far more than
 * formatting a number, and the handle's label and the readout format one at every move.
 */
function decimalFormat(min, max) {
  const key = `${min}-${max}`;
  let format = decimalFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat("en-US", { minimumFractionDigits: min, maximumFractionDigits: max });
    decimalFormats.set(key, format);
  }
  return format;
}

/** A threshold with two to `decimals` decimals (thresholdDecimals), or what an infinite one means. */
export function thresholdText(t, decimals = 2) {
  if (!Number.isFinite(t)) return "+∞ (flag nothing)";
  return decimalFormat(2, decimals).format(t);
}
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
    return `${decimalFormat(0, decimalsOf(step / 1000)).format(v / 1000)}k`;
  }
  const decimals = decimalsOf(step);
  return decimalFormat(decimals, decimals).format(v);
}

/** The decimals `x` needs (at most 6): 2.5 needs 1, 0.25 needs 2, 3 needs none. */
function decimalsOf(x) {
  return [0, 1, 2, 3, 4, 5, 6].find((d) => Math.abs(Math.round(x * 10 ** d) - x * 10 ** d) < 1e-6) ?? 6;
}

/**
 * The handle's label on the threshold axis: the threshold to a few more digits than the ticks
 * `step` apart, and below ten apart at least to the readout's `decimals` (thresholdDecimals), so
 * that a step to the next score shows under the handle too ("0.503", not "0.50").
 */
export function handleScore(t, step, decimals = 2) {
  if (!Number.isFinite(t)) return t > 0 ? "+∞" : "−∞";
  if (step >= 10) return compactScore(t, 1);
  return thresholdText(t, Math.max(decimals, decimalsOf(step / 10)));
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

/** `text` with its first letter capitalised, to open a sentence ("5s" stays). */
export const capitalized = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Whether the test set's precision and recall fall inside the curve rows' intervals, named by
 * `curveFigures` (the nouns' curve_figures: "cross-validated").
 */
export function agreement(held, intervals, curveFigures) {
  const inside = (value, pair) => value !== null && pair !== null && pair[0] <= value && value <= pair[1];
  const verdicts = [
    ["precision", held.precision, intervals.precision],
    ["recall", held.recall, intervals.recall],
  ].filter(([, value, pair]) => value !== null && pair !== null);
  if (!verdicts.length) return "";
  const outside = verdicts.filter(([, value, pair]) => !inside(value, pair)).map(([name]) => name);
  if (!outside.length) return `Inside the ${curveFigures} 95% intervals: the test agrees.`;
  return `The test's ${outside.join(" and ")} ${outside.length > 1 ? "are" : "is"} outside the ${curveFigures} 95% interval${outside.length > 1 ? "s" : ""}.`;
}

/** The name of the threshold control: "Decision threshold of the 5-detector". */
export const sliderLabel = (nouns) => `Decision threshold of ${nouns.subject}`;

/** The heads of the counts' table rows: each class, then all. */
export const countRows = (nouns) => [nouns.positive, nouns.negative, "all"];

/** The tooltip of a count cell. */
export function cellTitle(cell, nouns) {
  return {
    tp: `true positives: ${nouns.positive} flagged`,
    fn: `false negatives: ${nouns.positive} left out`,
    fp: `false positives: ${nouns.negative} flagged`,
    tn: `true negatives: ${nouns.negative} left out`,
    flagged: "flagged: score at or above the threshold",
    kept: "not flagged: score below the threshold",
  }[cell];
}

/**
 * What the numbers rest on: how the curve rows were scored (cross-validated in `nFolds` folds
 * when `hasFolds`, else the scores as given), and the prevalence (null: their own share).
 */
export function basisText({ nouns, hasFolds, nPositive, nScores, nFolds, prevalence }) {
  const own = nScores ? nPositive / nScores : null;
  const base = hasFolds
    ? `Cross-validated: each of ${count(nScores)} ${nouns.curve_items} ${nouns.curve_basis} (${nFolds} folds)`
    : `Scores of ${count(nScores)} ${nouns.curve_items}, ${nouns.curve_basis}`;
  if (prevalence === null) {
    return `${base}. ${capitalized(nouns.positive)} are ${share(own)} of them (${nouns.sample_share}), and so in these figures. 95% Wilson intervals.`;
  }
  return (
    `${base}. Precision, F1, accuracy and the cost are where ${nouns.positive} are ${share(prevalence)} of all ${nouns.items} (chosen; ` +
    `${share(own)} ${nouns.in_sample}). Recall and the false-positive rate are shares within one class, so they do not change with it.`
  );
}

/** Fold `k`'s name in the folds' table (0-based `k`): the nouns' label, or "fold k+1". */
export const foldLabel = (nouns, k) => nouns.fold_labels?.[k] ?? `fold ${k + 1}`;

/** The note under the folds' table. */
export function foldNote(nouns, prevalence) {
  return prevalence === null
    ? `Each fold's held-out ${nouns.items}, counted alone: how much the figures move from sample to sample.`
    : `Precision where ${nouns.positive} are ${share(prevalence)}; recall as counted.`;
}

/** The cost plot's title: the cost here and the least, with what they rest on; plain without costs. */
export function costTitle({ nouns, settings, costNow, least, decimals = 2 }) {
  const title = `Expected cost per 1,000 ${nouns.items}`;
  if (least === null) return title;
  const { fpCost, fnCost, prevalence } = settings;
  const at = prevalence === null ? nouns.sample_share : share(prevalence);
  const where = Number.isFinite(least.threshold) ? `at ${thresholdText(least.threshold, decimals)}` : "flagging nothing";
  return `${title}: ${costText(costNow)} here, least ${costText(least.cost)} ${where} (FP ${fpCost}, FN ${fnCost}; ${nouns.positive} at ${at})`;
}

/** What the test set is: its size, how it was scored, the positives' share in it. */
export function testCaption({ nouns, nPositive, nTest }) {
  return `${count(nTest)} ${nouns.test_items}; ${nouns.positive} are ${share(nTest ? nPositive / nTest : null)} of them.`;
}

/** The test set's note: agreement with the intervals, or its precision at the chosen share. */
export function testNote({ nouns, prevalence, held, shiftedPrecision, intervals }) {
  return prevalence === null
    ? agreement(held, intervals, nouns.curve_figures)
    : `Where ${nouns.positive} are ${share(prevalence)}: precision ${pct(shiftedPrecision)}.`;
}

/** The group table's columns after the group's name. */
export const groupColumns = (nouns) => [nouns.items, "precision", "recall", "false-positive rate"];

/** A rate of the group table with its interval: "90.1% (88.9–91.0%)", "—" when undefined. */
export function rateWithInterval(value, interval) {
  return value === null || !interval ? pct(value) : `${pct(value)} (${range(interval)})`;
}

/** The note under the group table. */
export function groupNote(prevalence) {
  const base = "Each group's rows counted alone at the same threshold; 95% Wilson intervals.";
  return prevalence === null ? base : `${base} Precision as counted in each group, not at the chosen share.`;
}

/** The lines of the tooltip at threshold `t` with `figures` (`decimals`: thresholdDecimals). */
export function tipLines(t, figures, decimals = 2) {
  return Number.isFinite(t)
    ? [
        `Threshold ${thresholdText(t, decimals)}`,
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

/** The precision-recall plot's title: its average precision, and at which share of the positives. */
export function prTitle({ ap, nouns, prevalence }) {
  if (ap === null || !Number.isFinite(ap)) return "Precision vs recall";
  return prevalence === null
    ? `Precision vs recall (AP ${ap.toFixed(3)})`
    : `Precision vs recall (AP ${ap.toFixed(3)} where ${nouns.positive} are ${share(prevalence)})`;
}
