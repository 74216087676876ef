// Exact counts at any threshold, from the sorted scores of the positives and of the negatives.
//
// The rule is the project's: a row is flagged when score >= threshold. JavaScript numbers
// are the same IEEE-754 doubles as numpy's float64, and every ratio below is the same single
// division as in core/counting.py, so the numbers agree bit for bit with metrics_at().
// Each question is a binary search: the cost does not grow with the number of scores.

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

/** Confusion counts when flagging score >= threshold. */
export function countsAt(positives, negatives, threshold) {
  const fn = lowerBound(positives, threshold);
  const tn = lowerBound(negatives, threshold);
  return { tp: positives.length - fn, fp: negatives.length - tn, fn, tn };
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

/** Counts and ratios at one threshold. */
export function metricsAt(positives, negatives, threshold) {
  return metricsFromCounts(countsAt(positives, negatives, threshold));
}

/** Number of scores strictly below the threshold (the not flagged ones). */
export function countBelow(positives, negatives, threshold) {
  return lowerBound(positives, threshold) + lowerBound(negatives, threshold);
}

/** The smallest score above the threshold, or null when none is. */
export function nextScore(positives, negatives, threshold) {
  const p = upperBound(positives, threshold);
  const n = upperBound(negatives, threshold);
  const a = p < positives.length ? positives[p] : Infinity;
  const b = n < negatives.length ? negatives[n] : Infinity;
  const next = Math.min(a, b);
  return next === Infinity ? null : next;
}

/** The largest score below the threshold, or null when none is. */
export function previousScore(positives, negatives, threshold) {
  const p = lowerBound(positives, threshold) - 1;
  const n = lowerBound(negatives, threshold) - 1;
  const a = p >= 0 ? positives[p] : -Infinity;
  const b = n >= 0 ? negatives[n] : -Infinity;
  const previous = Math.max(a, b);
  return previous === -Infinity ? null : previous;
}

/** The score nearest to x (the lower one of two equally near); null without scores. */
export function nearestScore(positives, negatives, x) {
  if (isScore(positives, negatives, x)) return x;
  const below = previousScore(positives, negatives, x);
  const above = nextScore(positives, negatives, x);
  if (below === null) return above;
  if (above === null) return below;
  return above - x < x - below ? above : below;
}

/** Whether x is one of the scores. */
export function isScore(positives, negatives, x) {
  const p = lowerBound(positives, x);
  const n = lowerBound(negatives, x);
  return (p < positives.length && positives[p] === x) || (n < negatives.length && negatives[n] === x);
}

/** The k-th smallest score (0-based) of both arrays together, in O(log n). */
export function scoreAtRank(positives, negatives, k) {
  const total = positives.length + negatives.length;
  if (!(k >= 0 && k < total)) throw new RangeError(`rank ${k} is outside [0, ${total})`);
  // Take i from positives and k + 1 - i from negatives so that both prefixes fit together.
  let low = Math.max(0, k + 1 - negatives.length);
  let high = Math.min(k + 1, positives.length);
  while (low < high) {
    const i = (low + high) >>> 1;
    const j = k + 1 - i;
    if (j > 0 && i < positives.length && positives[i] < negatives[j - 1]) low = i + 1;
    else high = i;
  }
  const i = low;
  const j = k + 1 - i;
  const a = i > 0 ? positives[i - 1] : -Infinity;
  const b = j > 0 ? negatives[j - 1] : -Infinity;
  return Math.max(a, b);
}

/**
 * The score `steps` ranks away from the threshold (negative: lower), always another distinct
 * score when there is one that way; clamped to the lowest and highest score.
 */
export function stepByRank(positives, negatives, threshold, steps) {
  const total = positives.length + negatives.length;
  if (total === 0) return null;
  const below = countBelow(positives, negatives, threshold);
  if (steps > 0) {
    const above = nextScore(positives, negatives, threshold);
    if (above === null) return scoreAtRank(positives, negatives, total - 1);
    const target = scoreAtRank(positives, negatives, Math.min(total - 1, below + steps));
    return Math.max(target, above);
  }
  const lower = previousScore(positives, negatives, threshold);
  if (lower === null) return scoreAtRank(positives, negatives, 0);
  return scoreAtRank(positives, negatives, Math.max(0, below + steps));
}
