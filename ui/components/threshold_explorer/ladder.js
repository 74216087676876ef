// The ladder: the scores the explorer knows, each with its counts (core/explorer.py).
//
// A ladder holds some of the curve rows' distinct scores, ascending (`thresholds`), the rank of
// each among all `distinct` of them (`ranks`), and for each block (`pool`, the folds, `test`,
// the groups) how many positives (`tp`) and negatives (`fp`) it flags there (score >= t). The
// counts at a threshold t are those of the first ladder score at or above t, which is exact
// when t is a ladder score or when the ladder scores either side of t are neighbours (their
// ranks follow each other): the ladder then *fixes* t. Two neighbouring ladder scores are two
// neighbouring distinct scores, which is how the arrow keys step to the next one; where the
// ladder has a gap, the step is not known here (`undefined`) until the server sends a window.
// The ladder's scores are the curve rows'; the test rows' scores are others, so between two
// ladder scores only a threshold's own counts are the test rows': a server position carries
// them (`extras`: each block's counts at that threshold itself, found before the ladder's).
// Pure functions of arrays; no DOM.

import { lowerBound, upperBound } from "./counting.js";

/** Each block's counts as {name: {tp, fp}} from `{name}_tp` / `{name}_fp`, with `pool`, the folds' summed. */
function blockCounts(blocks, arrays, n, read) {
  const counts = {};
  for (const name of blocks) counts[name] = { tp: read(arrays[`${name}_tp`]), fp: read(arrays[`${name}_fp`]) };
  const pool = { tp: new Float64Array(n), fp: new Float64Array(n) };
  for (const name of blocks.filter((b) => b.startsWith("fold"))) {
    for (let i = 0; i < n; i++) {
      pool.tp[i] += counts[name].tp[i];
      pool.fp[i] += counts[name].fp[i];
    }
  }
  counts.pool = pool;
  return counts;
}

/**
 * The ladder of decoded arrays (payload.js: a payload's or a window's, or a position's window as
 * plain arrays): `blocks` are the header's; `pool` is the folds' counts summed; `at` (a
 * position's: {threshold, {block}_tp, {block}_fp}) becomes the ladder's one extra threshold.
 */
export function ladderOf(blocks, arrays, distinct, at = null) {
  const thresholds = Float64Array.from(arrays.threshold);
  const counts = blockCounts(blocks, arrays, thresholds.length, (values) => Float64Array.from(values));
  const extras = at ? [{ threshold: at.threshold, counts: blockCounts(blocks, at, 1, (value) => Float64Array.of(Number(value))) }] : [];
  return { thresholds, ranks: Float64Array.from(arrays.rank), counts, distinct, extras };
}

/** One ladder of both (the same scores' counts are the same); `a` itself when `b` adds nothing. */
export function mergeLadders(a, b) {
  if (!b) return a;
  const extras = b.extras?.length ? [...(a.extras ?? []).filter((x) => !b.extras.some((y) => y.threshold === x.threshold)), ...b.extras] : a.extras;
  if (extras !== a.extras) a = { ...a, extras };
  if (!b.thresholds.length) return a;
  const [x, y] = [a.thresholds, b.thresholds];
  const order = []; // [from a?, index]
  let i = 0;
  let j = 0;
  let added = 0;
  while (i < x.length || j < y.length) {
    if (j >= y.length || (i < x.length && x[i] < y[j])) order.push(0, i++);
    else if (i >= x.length || y[j] < x[i]) {
      order.push(1, j++);
      added++;
    } else {
      order.push(0, i++);
      j++;
    }
  }
  if (!added) return a;
  const n = order.length / 2;
  const pick = (left, right) => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = order[2 * k] ? right[order[2 * k + 1]] : left[order[2 * k + 1]];
    return out;
  };
  const counts = {};
  for (const name of Object.keys(a.counts)) counts[name] = { tp: pick(a.counts[name].tp, b.counts[name].tp), fp: pick(a.counts[name].fp, b.counts[name].fp) };
  return { thresholds: pick(x, y), ranks: pick(a.ranks, b.ranks), counts, distinct: a.distinct, extras: a.extras };
}

/** Whether the ladder holds every distinct score. */
export function isComplete(ladder) {
  return ladder.thresholds.length === ladder.distinct;
}

/**
 * Whether the ladder fixes every block's counts at `t`: a ladder score, an extra threshold, or
 * between two neighbouring scores when there are no test rows (whose scores are not the ladder's).
 */
export function fixes(ladder, t) {
  const { thresholds, ranks, distinct } = ladder;
  const i = lowerBound(thresholds, t);
  if (i < thresholds.length && thresholds[i] === t) return true;
  if ((ladder.extras ?? []).some((extra) => extra.threshold === t)) return true;
  if (ladder.counts.test) return false;
  return (i < thresholds.length ? ranks[i] : distinct) - (i > 0 ? ranks[i - 1] : -1) === 1;
}

/** Whether `x` is a ladder score. */
export function isKnown(ladder, x) {
  const i = lowerBound(ladder.thresholds, x);
  return i < ladder.thresholds.length && ladder.thresholds[i] === x;
}

/**
 * The smallest distinct score above `t`: a number, null when there is none, undefined when the
 * ladder does not know it (a gap above `t`).
 */
export function nextScore(ladder, t) {
  const { thresholds, ranks, distinct } = ladder;
  const j = upperBound(thresholds, t);
  const above = j < thresholds.length ? ranks[j] : distinct;
  const below = j > 0 ? ranks[j - 1] : -1;
  if (above - below !== 1) return undefined;
  return j < thresholds.length ? thresholds[j] : null;
}

/** The largest distinct score below `t`: a number, null when there is none, undefined when unknown. */
export function previousScore(ladder, t) {
  const { thresholds, ranks, distinct } = ladder;
  const j = lowerBound(thresholds, t) - 1;
  const above = j + 1 < thresholds.length ? ranks[j + 1] : distinct;
  const below = j >= 0 ? ranks[j] : -1;
  if (above - below !== 1) return undefined;
  return j >= 0 ? thresholds[j] : null;
}

/** The ladder score nearest to x (the lower one of two equally near); null on an empty ladder. */
export function nearestScore(ladder, x) {
  const { thresholds } = ladder;
  if (!thresholds.length) return null;
  const i = lowerBound(thresholds, x);
  if (i === 0) return thresholds[0];
  if (i === thresholds.length) return thresholds[i - 1];
  const [below, above] = [thresholds[i - 1], thresholds[i]];
  if (above === x) return x;
  return above - x < x - below ? above : below;
}

/** The smallest ladder score at or above x, or null. */
export function atOrAbove(ladder, x) {
  const i = lowerBound(ladder.thresholds, x);
  return i < ladder.thresholds.length ? ladder.thresholds[i] : null;
}

/** The largest ladder score at or below x, or null. */
export function atOrBelow(ladder, x) {
  const i = upperBound(ladder.thresholds, x) - 1;
  return i >= 0 ? ladder.thresholds[i] : null;
}

/** Rows under ladder score i (all `rows` past the end). */
function rowsBelow(ladder, i, rows) {
  const { tp, fp } = ladder.counts.pool;
  return i < tp.length ? rows - (tp[i] + fp[i]) : rows;
}

/**
 * The ladder score about `steps` rows away from `t` (of `rows` curve rows; negative: lower):
 * the highest ladder score with at most (rows under t) + steps rows under it, and always
 * another ladder score that way when there is one; the ends otherwise. Exactly the score of
 * that row when the ladder has it (a complete ladder has all); never further.
 */
export function stepByRows(ladder, t, steps, rows) {
  const { thresholds } = ladder;
  const n = thresholds.length;
  if (!n) return null;
  const at = lowerBound(thresholds, t);
  const target = rowsBelow(ladder, at, rows) + steps;
  // The last ladder score with at most `target` rows under it (rows under grow along the ladder).
  let low = 0;
  let high = n;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (rowsBelow(ladder, mid, rows) <= target) low = mid + 1;
    else high = mid;
  }
  let j = low - 1;
  if (steps > 0) j = Math.max(j, at < n && thresholds[at] === t ? at + 1 : at);
  else j = Math.min(j, at - 1);
  return thresholds[Math.min(Math.max(j, 0), n - 1)];
}

/**
 * How many neighbouring scores the ladder knows from `t` towards `direction` (+1 up, -1 down),
 * counting at most `limit`; `limit` too when the run reaches the lowest or highest score. `t`
 * need not be a ladder score: then its first neighbour must be known (ladder.js nextScore).
 */
export function knownRun(ladder, t, direction, limit) {
  const { thresholds, ranks, distinct } = ladder;
  let i = lowerBound(thresholds, t);
  let run = 0;
  if (i >= thresholds.length || thresholds[i] !== t) {
    const first = direction > 0 ? nextScore(ladder, t) : previousScore(ladder, t);
    if (first === undefined) return 0;
    if (first === null) return limit;
    i = lowerBound(thresholds, first);
    run = 1;
  }
  for (; run < limit; run++) {
    const j = i + direction;
    if (ranks[i] === (direction > 0 ? distinct - 1 : 0)) return limit;
    if (j < 0 || j >= thresholds.length || ranks[j] - ranks[i] !== direction) return run;
    i = j;
  }
  return limit;
}

/** The ladder scores inside [low, high], ascending (a view into the ladder). */
export function scoresIn(ladder, [low, high]) {
  const { thresholds } = ladder;
  return thresholds.subarray(lowerBound(thresholds, low), upperBound(thresholds, high));
}
