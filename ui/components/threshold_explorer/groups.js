// Each group's figures at one threshold: its precision, recall and false-positive rate with
// their 95% Wilson intervals, counted exactly from the group's counts on the ladder
// (counting.js), as core.counting.metrics_at and core.estimates.intervals_at count them.
// No DOM: the readout writes them into the group table.

import { countsAt, metricsFromCounts } from "./counting.js";
import { intervalsFromCounts } from "./estimates.js";

/**
 * One group's figures when flagging score >= `t`: `rows`, the four counts, `precision`,
 * `recall` and `falsePositiveRate` (null where 0/0) and their Wilson `intervals` at `z`
 * (each [low, high], or null where undefined). `group`: payload.js detectorOf's.
 */
export function groupFigures(ladder, group, t, z) {
  const counts = countsAt(ladder, group, t);
  const { precision, recall, falsePositiveRate } = metricsFromCounts(counts);
  return {
    name: group.name,
    rows: group.nPositive + group.nNegative,
    ...counts,
    precision,
    recall,
    falsePositiveRate,
    intervals: intervalsFromCounts(counts, z),
  };
}

/** Every group's figures at `t` (groupFigures), in the groups' order. */
export function groupTable(ladder, groups, t, z) {
  return groups.map((group) => groupFigures(ladder, group, t, z));
}
