// Exact counts at a threshold, read from the ladder (ladder.js) by binary search.
//
// The rule is the project's: a row is flagged when score >= threshold. JavaScript numbers
// are the same IEEE-754 doubles as numpy's float64, and every ratio below is the same single
// division as in core/counting.py, so the numbers agree bit for bit with metrics_at().
// Each question is a binary search over the ladder: its cost grows with neither the rows nor
// the distinct scores.

/** First index i with sorted[i] >= x (sorted.length when none). */
export function lowerBound(sorted, x) {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < x) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index i with sorted[i] > x (sorted.length when none). */
export function upperBound(sorted, x) {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] <= x) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Confusion counts of `block` ({key, nPositive, nNegative}: its counts on the ladder and its
 * totals) when flagging score >= `threshold`: those of the first ladder score at or above it
 * (exact wherever the ladder fixes the threshold: ladder.js fixes; for the test rows, at ladder
 * scores), or its extra counts at that very threshold (a server position's: ladder.js).
 */
export function countsAt(ladder, block, threshold) {
  for (const extra of ladder.extras ?? []) {
    if (extra.threshold === threshold) {
      const { tp, fp } = extra.counts[block.key];
      return { tp: tp[0], fp: fp[0], fn: block.nPositive - tp[0], tn: block.nNegative - fp[0] };
    }
  }
  const i = lowerBound(ladder.thresholds, threshold);
  const { tp: tps, fp: fps } = ladder.counts[block.key];
  const tp = i < tps.length ? tps[i] : 0;
  const fp = i < fps.length ? fps[i] : 0;
  return { tp, fp, fn: block.nPositive - tp, tn: block.nNegative - fp };
}

function ratio(numerator, denominator) {
  return denominator ? numerator / denominator : null; // 0/0 is undefined: null, shown "—"
}

/** Every ratio of metrics_at() from the counts; undefined ones (0/0) are null. */
export function metricsFromCounts({ tp, fp, fn, tn }) {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  let f1 = null;
  if (precision !== null && recall !== null) {
    f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  }
  return {
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    f1,
    accuracy: (tp + tn) / (tp + fp + fn + tn),
    falsePositiveRate: ratio(fp, fp + tn),
    specificity: ratio(tn, fp + tn),
    flagged: tp + fp,
  };
}

/** Counts and ratios of `block` at one threshold. */
export function metricsAt(ladder, block, threshold) {
  return metricsFromCounts(countsAt(ladder, block, threshold));
}
