// The explorer's parts that need no browser: reading the payload core/explorer.py writes
// (tests/js/fixtures/payload.bin, from tests/js/write_fixtures.py), the changes it
// prints, and how the mount module (explorer.js) hands server positions to explorers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import mount, { PositionBoard } from "../../ui/components/threshold_explorer/explorer.js";
import { decodePayload, readHeader } from "../../ui/components/threshold_explorer/payload.js";
import { agreement, pointsChange, range } from "../../ui/components/threshold_explorer/wording.js";

const fixture = (name) => new URL(`./fixtures/${name}`, import.meta.url);
const counting = JSON.parse(readFileSync(fixture("counting.json"), "utf8"));
const ties = counting.cases.find((c) => c.name === "ties");

test("the payload decodes to the sorted scores of each class, as float64", () => {
  const file = readFileSync(fixture("payload.bin"));
  // As Streamlit hands it over: a view into a larger buffer, at an odd offset.
  const bigger = new Uint8Array(file.length + 3);
  bigger.set(file, 3);
  const bytes = bigger.subarray(3);
  const { header, arrays } = decodePayload(bytes);
  assert.equal(header.format, "threshold-explorer/1");
  assert.equal(header.nouns.positive, "5s");
  assert.equal(header.nouns.subject, "the 5-detector");
  assert.equal(header.has_folds, true);
  assert.equal(header.has_test, true);
  assert.deepEqual(header.groups, []);
  assert.equal(readHeader(bytes).id, header.id);
  assert.ok(arrays.cv_positive instanceof Float64Array);
  assert.deepEqual([...arrays.cv_positive], ties.positives);
  assert.deepEqual([...arrays.cv_negative], ties.negatives);
  assert.deepEqual([...arrays.test_positive], ties.positives.map((s) => s + 0.5));
  assert.equal(arrays.roc_threshold[0], Infinity); // the ROC starts at "flag nothing"
  for (const { name, length } of header.arrays) assert.equal(arrays[name].length, length);
});

test("a payload without the magic is refused", () => {
  assert.throws(() => decodePayload(new TextEncoder().encode("hello, world")), /not a threshold explorer payload/);
});

test("changes in points never read as zero, and nothing is said when undefined or equal", () => {
  assert.equal(pointsChange(0.5, 0.25), "+25.0 pts");
  assert.equal(pointsChange(0.25, 0.5), "-25.0 pts");
  assert.equal(pointsChange(0.50001, 0.5), "+0.001 pts");
  assert.equal(pointsChange(0.5004, 0.5), "+0.04 pts");
  assert.equal(pointsChange(null, 0.5), "");
  assert.equal(pointsChange(0.5, 0.5), "");
});

test("the test set agrees when its figures fall inside the cross-validated intervals, and says which do not", () => {
  const ci = { precision: [0.88, 0.91], recall: [0.46, 0.49] };
  const cv = "cross-validated";
  assert.equal(agreement({ precision: 0.9, recall: 0.47 }, ci, cv), "Inside the cross-validated 95% intervals: the test agrees.");
  assert.equal(agreement({ precision: 0.93, recall: 0.47 }, ci, cv), "The test's precision is outside the cross-validated 95% interval.");
  assert.equal(agreement({ precision: 0.93, recall: 0.59 }, ci, cv), "The test's precision and recall are outside the cross-validated 95% intervals.");
  assert.equal(agreement({ precision: null, recall: null }, ci, cv), "");
  assert.equal(agreement({ precision: 0.93, recall: 0.47 }, ci, "other rows'"), "The test's precision is outside the other rows' 95% interval.");
});

test("an interval reads as a range of percentages, with two decimals for small rates", () => {
  assert.equal(range([0.8886, 0.9104]), "88.9–91.0%");
  assert.equal(range([0.00469, 0.00594]), "0.47–0.59%");
  assert.equal(range(null), "");
});

test("a position reaches every explorer of its payload, whichever of the two came first", () => {
  const board = new PositionBoard();
  const first = { id: "a", threshold: 1, seq: 1, settings: null };
  board.post(first); // before any explorer of "a"
  assert.equal(board.latest("a"), first);
  assert.equal(board.latest("b"), null);
  const seen = { one: [], two: [], other: [] };
  const leaveOne = board.join("a", (p) => seen.one.push(p));
  board.join("a", (p) => seen.two.push(p));
  board.join("b", (p) => seen.other.push(p));
  assert.deepEqual(seen.one, []); // joining gives nothing: the explorer is built at latest()
  const second = { id: "a", threshold: 2, seq: 2, settings: null };
  board.post(second);
  assert.deepEqual(seen.one, [second]);
  assert.deepEqual(seen.two, [second]);
  assert.deepEqual(seen.other, []);
  assert.equal(board.latest("a"), second);
  leaveOne();
  const third = { id: "a", threshold: 3, seq: 3, settings: null };
  board.post(third);
  assert.deepEqual(seen.one, [second]); // gone
  assert.deepEqual(seen.two, [second, third]);
});

test("the position mount only posts: it builds nothing and needs no cleanup", () => {
  const data = { position: { id: "no-explorer", threshold: 1, seq: 1, settings: null } };
  assert.equal(mount({ data, parentElement: null, setTriggerValue: () => {} }), undefined);
  assert.equal(mount({ data: null, parentElement: null, setTriggerValue: () => {} }), undefined);
});
