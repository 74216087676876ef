// A scored set's payload without folds or test rows and with groups (tests/js/fixtures/
// scored_payload.bin, written by tests/js/write_fixtures.py from a generated scored set): its
// shape, and each group's figures at every threshold against what core counts
// (tests/js/fixtures/scored_groups.json), read from its ladder.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { metricsAt } from "../../ui/components/threshold_explorer/counting.js";
import { groupFigures, groupTable } from "../../ui/components/threshold_explorer/groups.js";
import { decodePayload, detectorOf } from "../../ui/components/threshold_explorer/payload.js";
import { scoresDetector } from "./ladders.mjs";

const fixture = (name) => new URL(`./fixtures/${name}`, import.meta.url);
const decoded = decodePayload(new Uint8Array(readFileSync(fixture("scored_payload.bin"))));
const expected = JSON.parse(readFileSync(fixture("scored_groups.json"), "utf8"));
const asNumber = (value) => (typeof value === "string" ? Number(value) : value);

test("a set without folds or test rows sends its rows as one block, no fold and no test", () => {
  const { header, arrays } = decoded;
  assert.equal(header.has_folds, false);
  assert.equal(header.has_test, false);
  assert.equal(header.folds, 1); // one block of every row, not shown as a fold
  const detector = detectorOf(decoded);
  assert.deepEqual(detector.folds, []);
  assert.equal(detector.test, null);
  assert.deepEqual([detector.pool.nPositive, detector.pool.nNegative], [expected.positive.length, expected.negative.length]);
  assert.equal(arrays.test_tp, undefined);
  // Its counts are those of the rows themselves, at every score.
  const rows = scoresDetector({ positive: expected.positive, negative: expected.negative });
  for (const t of [...rows.ladder.thresholds, Infinity]) assert.deepEqual(metricsAt(detector.ladder, detector.pool, t), metricsAt(rows.ladder, rows.pool, t));
});

test("the groups travel by name, each with its own totals", () => {
  const { groups } = detectorOf(decoded);
  assert.deepEqual(groups.map((g) => g.name), expected.groups.map((g) => g.name));
  groups.forEach((group, g) => {
    assert.equal(group.nPositive, expected.groups[g].positive.length);
    assert.equal(group.nNegative, expected.groups[g].negative.length);
  });
  // Rows without a group belong to none: the groups hold fewer rows than the set.
  const inGroups = groups.reduce((n, g) => n + g.nPositive + g.nNegative, 0);
  assert.ok(inGroups < expected.positive.length + expected.negative.length);
});

test("each group's rates and Wilson intervals are core's at every threshold, undefined as null", () => {
  const { groups, ladder } = detectorOf(decoded);
  const z = decoded.header.z;
  let undefinedSeen = false;
  for (const { threshold, groups: figures } of expected.queries) {
    const t = asNumber(threshold);
    const table = groupTable(ladder, groups, t, z);
    assert.equal(table.length, figures.length);
    figures.forEach((want, g) => {
      const got = table[g];
      assert.equal(got.name, want.name);
      assert.equal(got.rows, want.rows);
      assert.deepEqual([got.tp, got.fp, got.fn, got.tn], [want.tp, want.fp, want.fn, want.tn], `t=${t} ${want.name}`);
      for (const [mine, theirs] of [
        ["precision", "precision"],
        ["recall", "recall"],
        ["falsePositiveRate", "false_positive_rate"],
      ]) {
        assert.equal(got[mine], want[theirs], `${mine} at ${t} in ${want.name}`);
        assert.deepEqual(got.intervals[mine], want[`${theirs}_ci`], `${mine} interval at ${t} in ${want.name}`);
        if (want[theirs] === null) undefinedSeen = true;
      }
    });
  }
  assert.ok(undefinedSeen, "the fixture has a 0/0 somewhere");
});

test("a group's figures are counted by score >= threshold", () => {
  const set = scoresDetector({ positive: [1, 2, 2, 5], negative: [0, 2, 3], groups: [{ name: "g", positive: [1, 2, 2, 5], negative: [0, 2, 3] }] });
  const [group] = set.groups;
  const at2 = groupFigures(set.ladder, group, 2, 1.96);
  assert.deepEqual([at2.tp, at2.fp, at2.fn, at2.tn], [3, 2, 1, 1]);
  assert.equal(at2.rows, 7);
  assert.equal(at2.precision, 3 / 5);
  const above = groupFigures(set.ladder, group, 6, 1.96);
  assert.equal(above.precision, null);
  assert.equal(above.intervals.precision, null);
  assert.deepEqual(above.intervals.recall, [0, above.intervals.recall[1]]);
});
