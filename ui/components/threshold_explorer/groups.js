// Each group's figures at one threshold: its precision, recall and false-positive rate with
// their 95% Wilson intervals, counted exactly from the group's own sorted scores by binary
// search (counting.js), as core.counting.metrics_at and core.estimates.intervals_at count them.
// No DOM: the readout writes them into the group table.

import { countsAt, metricsFromCounts } from "./counting.js";
import { intervalsFromCounts } from "./estimates.js";

/**
 * The groups of a decoded payload (payload.js decodePayload), in the header's order: each
 * one's `name` and the ascending scores of its `positive` and `negative` curve rows.
 */
export function groupsOf({ header, arrays }) {
  return (header.groups ?? []).map((name, g) => ({
    name,
    positive: arrays[`group${g}_positive`],
    negative: arrays[`group${g}_negative`],
  }));
}

/**
 * One group's figures when flagging score >= `t`: `rows`, the four counts, `precision`,
 * `recall` and `falsePositiveRate` (null where 0/0) and their Wilson `intervals` at `z`
 * (each [low, high], or null where undefined).
 */
export function groupFigures(group, t, z) {
  const counts = countsAt(group.positive, group.negative, t);
  const { precision, recall, falsePositiveRate } = metricsFromCounts(counts);
  return {
    name: group.name,
    rows: group.positive.length + group.negative.length,
    ...counts,
    precision,
    recall,
    falsePositiveRate,
    intervals: intervalsFromCounts(counts, z),
  };
}

/** Every group's figures at `t` (groupFigures), in the groups' order. */
export function groupTable(groups, t, z) {
  return groups.map((group) => groupFigures(group, t, z));
}
