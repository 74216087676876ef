// How sure a figure is, what it becomes at another prevalence, and what it costs: the browser's
// copies of core/estimates.py and core/pickers.py's cost, in the same float operations
// (tests/js/estimates.test.mjs checks them against fixtures written by Python). What needs
// every score (the least cost, the average precision at a prevalence) the server computes.

/** The Wilson score interval of k successes in n trials: [low, high], or null when n is 0. */
export function wilsonInterval(k, n, z) {
  if (!n) return null;
  const p = k / n;
  const denominator = 2 * (n + z ** 2);
  const center = (2 * n * p + z ** 2) / denominator;
  const half = (z * Math.sqrt(z ** 2 + 4 * n * p * (1 - p))) / denominator;
  const clip = (v) => Math.min(Math.max(v, 0), 1);
  return [k === 0 ? 0 : clip(center - half), k === n ? 1 : clip(center + half)];
}

/** The intervals of precision, recall and false-positive rate of one threshold's counts. */
export function intervalsFromCounts({ tp, fp, fn, tn }, z) {
  return {
    precision: wilsonInterval(tp, tp + fp, z),
    recall: wilsonInterval(tp, tp + fn, z),
    falsePositiveRate: wilsonInterval(fp, fp + tn, z),
  };
}

/**
 * Precision, F1 and accuracy where the positives have share `p`, from the two rates (recall
 * and the false-positive rate do not depend on it). Undefined values are null.
 */
export function atPrevalence(recall, falsePositiveRate, p) {
  if (recall === null || falsePositiveRate === null) return { precision: null, f1: null, accuracy: null };
  const flagged = recall * p + falsePositiveRate * (1 - p);
  const precision = flagged ? (recall * p) / flagged : null;
  let f1 = null;
  if (precision !== null) f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : null;
  return { precision, f1, accuracy: recall * p + (1 - falsePositiveRate) * (1 - p) };
}

/**
 * A precision interval at share `p` from the recall and false-positive-rate intervals: the
 * precision is highest with the highest recall and the lowest rate, lowest the other way round.
 */
export function precisionBoundsAt(recallInterval, rateInterval, p) {
  if (!recallInterval || !rateInterval) return null;
  const low = atPrevalence(recallInterval[0], rateInterval[1], p).precision;
  const high = atPrevalence(recallInterval[1], rateInterval[0], p).precision;
  return low === null || high === null ? null : [low, high];
}

/**
 * What one false positive and one false negative weigh (core.pickers.cost_weights): their
 * costs on the sample as it is (prevalence null), or the expected cost per row where the
 * positives have share `prevalence`. `perThousand` turns a total into a cost per 1,000 rows.
 */
export function costWeights({ nPositive, nNegative, fpCost, fnCost, prevalence }) {
  if (prevalence === null) {
    return { fp: fpCost, fn: fnCost, perThousand: 1000 / (nPositive + nNegative) };
  }
  return { fp: (fpCost * (1 - prevalence)) / nNegative, fn: (fnCost * prevalence) / nPositive, perThousand: 1000 };
}

/** The total of one threshold's errors under `weights` (same operations as Python's). */
export function costOf({ fp, fn }, weights) {
  return weights.fp * fp + weights.fn * fn;
}
