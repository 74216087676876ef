// The numbers the explorer shows, from the ladder and the settings: one threshold's figures,
// the curves to draw at a prevalence, the cost. No DOM: the view draws them.

import { countsAt, metricsFromCounts } from "./counting.js";
import { atPrevalence, costOf, costWeights } from "./estimates.js";
import { scoresIn } from "./ladder.js";

/** At most about this many ladder scores draw each curve along the threshold (plus the payload's drawn ones). */
export const CURVE_POINTS = 800;

/**
 * The ladder scores the curves along the threshold go through across `domain`: all of them in
 * view, or every k-th (both ends kept) when there are more than CURVE_POINTS, with the
 * payload's `drawn` thresholds in view (they keep the curves' shape; they are ladder scores).
 * Only drawn: every number shown is counted at its own threshold. Ascending.
 */
export function curveThresholds(ladder, domain, drawn = []) {
  const inView = scoresIn(ladder, domain);
  const step = Math.ceil(inView.length / CURVE_POINTS);
  if (step <= 1) return inView;
  const kept = [];
  for (let i = 0; i < inView.length; i += step) kept.push(inView[i]);
  kept.push(inView[inView.length - 1]);
  for (const t of drawn) if (t >= domain[0] && t <= domain[1]) kept.push(t);
  const sorted = Float64Array.from(kept).sort();
  return sorted.filter((t, i) => i === 0 || t !== sorted[i - 1]);
}

/** Counts of `block` at `t` on `ladder` and every figure from them; precision, F1 and accuracy at `prevalence` (null: as counted). */
export function figuresAt(ladder, block, t, prevalence) {
  const counted = metricsFromCounts(countsAt(ladder, block, t));
  if (prevalence === null) return counted;
  return { ...counted, ...atPrevalence(counted.recall, counted.falsePositiveRate, prevalence) };
}

/** Precision at `prevalence` (null: as counted) and recall of `block` at each of `thresholds`; NaN where undefined. */
export function ratesAt(ladder, block, thresholds, prevalence) {
  const precision = new Float64Array(thresholds.length);
  const recall = new Float64Array(thresholds.length);
  thresholds.forEach((t, i) => {
    const counted = metricsFromCounts(countsAt(ladder, block, t));
    const shown = prevalence === null ? counted.precision : atPrevalence(counted.recall, counted.falsePositiveRate, prevalence).precision;
    precision[i] = shown ?? NaN;
    recall[i] = counted.recall ?? NaN;
  });
  return { precision, recall };
}

/** The cost weights of the settings, or null when no cost is set. */
export function weightsFor(detector, { fpCost, fnCost, prevalence }) {
  if (fpCost === null || fnCost === null || (fpCost === 0 && fnCost === 0)) return null;
  const { nPositive, nNegative } = detector.pool;
  if (!nPositive || !nNegative) return null;
  return costWeights({ nPositive, nNegative, fpCost, fnCost, prevalence });
}

/**
 * The curves to draw at the settings across `domain`: precision and recall against the
 * threshold (`vsThreshold`, at curveThresholds: `thresholds`), the
 * precision-recall curve (`pr`, at the payload's drawn thresholds, which are on the ladder),
 * each fold's two, and the cost per 1,000 rows along the threshold with its least (`cost`,
 * null without costs; the least is the server's, over every score: settings.leastCost).
 */
export function curvesFor(detector, ladder, settings, domain) {
  const { arrays, folds, pool } = detector;
  const prevalence = settings.prevalence;
  const thresholds = curveThresholds(ladder, domain, arrays.vt_threshold ?? []);
  const vsThreshold = ratesAt(ladder, pool, thresholds, prevalence);
  const pr =
    prevalence !== null ? ratesAt(ladder, pool, arrays.pr_threshold, prevalence) : { precision: arrays.pr_precision, recall: arrays.pr_recall };
  const foldCurves = folds.map((fold) => ({
    vsThreshold: ratesAt(ladder, fold, thresholds, prevalence),
    pr: ratesAt(ladder, fold, arrays.pr_threshold, prevalence),
  }));
  const weights = weightsFor(detector, settings);
  let cost = null;
  if (weights && settings.leastCost) {
    const values = thresholds.map((t) => costOf(countsAt(ladder, pool, t), weights) * weights.perThousand);
    cost = { weights, values, least: settings.leastCost };
  }
  return { thresholds, vsThreshold, pr, folds: foldCurves, cost };
}

/** The average precision at the settings' prevalence (the server's), or the header's at the sample's share. */
export function averagePrecisionFor(detector, settings) {
  if (settings.prevalence === null) return detector.header.average_precision;
  return settings.averagePrecision ?? null;
}

/** The cost per 1,000 rows of `figures` (from figuresAt), or null without costs. */
export function costAt(figures, cost) {
  return cost ? costOf(figures, cost.weights) * cost.weights.perThousand : null;
}
