// The numbers the explorer shows, from the decoded payload and the settings: one threshold's
// figures, the curves to draw at a prevalence, the cost. No DOM: the view draws them.

import { countsAt, metricsFromCounts } from "./counting.js";
import { atPrevalence, averagePrecisionAt, costOf, costWeights, leastCost } from "./estimates.js";
import { groupsOf } from "./groups.js";

/**
 * One scored set's scores, by role: the curve rows' pooled (`positive`, `negative`), each
 * fold's (empty without folds: the one block is no fold), the test set's (null without test
 * rows), each group's (groups.js groupsOf); with the payload's `header`, its `nouns` and drawn
 * curves (`arrays`).
 */
export function detectorOf(decoded) {
  const { header, arrays } = decoded;
  return {
    header,
    nouns: header.nouns,
    arrays,
    positive: arrays.cv_positive,
    negative: arrays.cv_negative,
    folds: header.has_folds
      ? Array.from({ length: header.folds }, (_, k) => ({
          positive: arrays[`fold${k}_positive`],
          negative: arrays[`fold${k}_negative`],
        }))
      : [],
    test: header.has_test ? { positive: arrays.test_positive, negative: arrays.test_negative } : null,
    groups: groupsOf(decoded),
  };
}

/** Counts at `t` and every figure from them; precision, F1 and accuracy at `prevalence` (null: as counted). */
export function figuresAt({ positive, negative }, t, prevalence) {
  const counted = metricsFromCounts(countsAt(positive, negative, t));
  if (prevalence === null) return counted;
  return { ...counted, ...atPrevalence(counted.recall, counted.falsePositiveRate, prevalence) };
}

/** Precision at `prevalence` (null: as counted) and recall of `scores` at each of `thresholds`; NaN where undefined. */
export function ratesAt(scores, thresholds, prevalence) {
  const precision = new Float64Array(thresholds.length);
  const recall = new Float64Array(thresholds.length);
  thresholds.forEach((t, i) => {
    const counted = metricsFromCounts(countsAt(scores.positive, scores.negative, t));
    const shown = prevalence === null ? counted.precision : atPrevalence(counted.recall, counted.falsePositiveRate, prevalence).precision;
    precision[i] = shown ?? NaN;
    recall[i] = counted.recall ?? NaN;
  });
  return { precision, recall };
}

/** The cost weights of the settings, or null when no cost is set. */
export function weightsFor(detector, { fpCost, fnCost, prevalence }) {
  if (fpCost === null || fnCost === null || (fpCost === 0 && fnCost === 0)) return null;
  const { positive, negative } = detector;
  if (!positive.length || !negative.length) return null;
  return costWeights({ nPositive: positive.length, nNegative: negative.length, fpCost, fnCost, prevalence });
}

/**
 * The curves to draw at the settings: precision and recall against the threshold
 * (`vsThreshold`, at `thresholds`: the payload's drawn ones unless given), the
 * precision-recall curve (`pr`), each fold's two, and the cost per 1,000 rows along the
 * threshold with its least (`cost`, null without costs).
 */
export function curvesFor(detector, settings, thresholds = detector.arrays.vt_threshold) {
  const { arrays, folds } = detector;
  const prevalence = settings.prevalence;
  const atShare = prevalence !== null;
  const vsThreshold =
    atShare || thresholds !== arrays.vt_threshold
      ? ratesAt(detector, thresholds, prevalence)
      : { precision: arrays.vt_precision, recall: arrays.vt_recall };
  const pr = atShare
    ? ratesAt(detector, arrays.pr_threshold, prevalence)
    : { precision: arrays.pr_precision, recall: arrays.pr_recall };
  const foldCurves = folds.map((fold) => ({
    vsThreshold: ratesAt(fold, thresholds, prevalence),
    pr: ratesAt(fold, arrays.pr_threshold, prevalence),
  }));
  const weights = weightsFor(detector, settings);
  let cost = null;
  if (weights) {
    const values = thresholds.map((t) => costOf(countsAt(detector.positive, detector.negative, t), weights) * weights.perThousand);
    cost = { weights, values, least: leastCost(detector.positive, detector.negative, weights) };
  }
  return { thresholds, vsThreshold, pr, folds: foldCurves, cost };
}

/** The average precision at `prevalence` (null: the header's, at the training share). */
export function averagePrecisionFor(detector, prevalence) {
  return prevalence === null ? detector.header.average_precision : averagePrecisionAt(detector.positive, detector.negative, prevalence);
}

/** The cost per 1,000 rows of `figures` (from figuresAt), or null without costs. */
export function costAt(figures, cost) {
  return cost ? costOf(figures, cost.weights) * cost.weights.perThousand : null;
}
