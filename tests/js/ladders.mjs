// Detectors for the tests, built from sorted scores as core/explorer.py builds a payload's: a
// ladder of every distinct score of the curve rows (or only the ranks `keep` keeps, for a
// ladder with gaps), each block's counts at them, the blocks' totals, the scores' range.
import { lowerBound } from "../../ui/components/threshold_explorer/counting.js";
import { ladderOf } from "../../ui/components/threshold_explorer/ladder.js";

const sorted = (values) => Float64Array.from(values).sort();

/** The ladder arrays of `blocks` ({name: {positive, negative}}) at `thresholds`. */
function countsAt(blocks, thresholds) {
  const arrays = {};
  for (const [name, { positive, negative }] of Object.entries(blocks)) {
    arrays[`${name}_tp`] = thresholds.map((t) => positive.length - lowerBound(positive, t));
    arrays[`${name}_fp`] = thresholds.map((t) => negative.length - lowerBound(negative, t));
  }
  return arrays;
}

/**
 * A detector (payload.js detectorOf's shape) of the curve rows `positive`, `negative` (or
 * `folds`: [{positive, negative}]), with `test` rows and named `groups` when given; its
 * ladder keeps the distinct scores whose rank `keep(rank)` keeps (every one by default);
 * `opening` and `full` default to the scores' range with 2% either side.
 */
export function scoresDetector({ positive, negative, folds = null, test = null, groups = [], keep = () => true, opening = null, full = null }) {
  const foldScores = (folds ?? [{ positive, negative }]).map((f) => ({ positive: sorted(f.positive), negative: sorted(f.negative) }));
  const all = sorted(foldScores.flatMap((f) => [...f.positive, ...f.negative]));
  const distinct = [...new Set(all)];
  const ranks = distinct.map((_, r) => r).filter(keep);
  const thresholds = ranks.map((r) => distinct[r]);
  const blocks = {};
  foldScores.forEach((f, k) => (blocks[`fold${k}`] = f));
  if (test) blocks.test = { positive: sorted(test.positive), negative: sorted(test.negative) };
  groups.forEach((g, k) => (blocks[`group${k}`] = { positive: sorted(g.positive), negative: sorted(g.negative) }));
  const names = Object.keys(blocks);
  const arrays = { threshold: thresholds, rank: ranks, ...countsAt(blocks, thresholds) };
  const totals = Object.fromEntries(names.map((name) => [name, [blocks[name].positive.length, blocks[name].negative.length]]));
  const block = (key, [nPositive, nNegative]) => ({ key, nPositive, nNegative });
  const nPositive = foldScores.reduce((n, f) => n + f.positive.length, 0);
  const nNegative = foldScores.reduce((n, f) => n + f.negative.length, 0);
  const low = distinct.length ? distinct[0] : null;
  const high = distinct.length ? distinct.at(-1) : null;
  const pad = low === null ? 0 : (high - low) * 0.02 || 1;
  const range = low === null ? [0, 1] : [low - pad, high + pad];
  const header = { id: "test", blocks: names, totals, distinct: distinct.length, z: 1.959963984540054, has_folds: folds !== null, has_test: test !== null };
  return {
    header,
    nouns: {},
    arrays: {},
    ladder: ladderOf(names, arrays, distinct.length),
    pool: block("pool", [nPositive, nNegative]),
    folds: folds ? foldScores.map((_, k) => block(`fold${k}`, totals[`fold${k}`])) : [],
    test: test ? block("test", totals.test) : null,
    groups: groups.map((g, k) => ({ name: g.name, ...block(`group${k}`, totals[`group${k}`]) })),
    scores: { low, high, rows: all.length, distinct: distinct.length, full: full ?? range, opening: opening ?? full ?? range },
    window: (keepRanks) => {
      const kept = keepRanks.filter((r) => r >= 0 && r < distinct.length);
      const t = kept.map((r) => distinct[r]);
      return ladderOf(names, { threshold: t, rank: kept, ...countsAt(blocks, t) }, distinct.length);
    },
  };
}
