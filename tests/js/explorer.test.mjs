// The explorer's parts that need no browser: reading the payload core/explorer.py writes
// (tests/js/fixtures/payload.bin, from tests/js/write_fixtures.py), the changes it
// prints, and how the mount module (explorer.js) hands server positions, windows and the
// window channel to explorers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { metricsAt } from "../../ui/components/threshold_explorer/counting.js";
import mount, { Board } from "../../ui/components/threshold_explorer/explorer.js";
import { isComplete } from "../../ui/components/threshold_explorer/ladder.js";
import { decodePayload, detectorOf, readHeader } from "../../ui/components/threshold_explorer/payload.js";
import { agreement, pointsChange, range } from "../../ui/components/threshold_explorer/wording.js";

const fixture = (name) => new URL(`./fixtures/${name}`, import.meta.url);
const counting = JSON.parse(readFileSync(fixture("counting.json"), "utf8"));
const ties = counting.cases.find((c) => c.name === "ties");

test("the payload decodes to a ladder of every distinct score with each block's counts, as float64", () => {
  const file = readFileSync(fixture("payload.bin"));
  // As Streamlit hands it over: a view into a larger buffer, at an odd offset.
  const bigger = new Uint8Array(file.length + 3);
  bigger.set(file, 3);
  const bytes = bigger.subarray(3);
  const { header, arrays } = decodePayload(bytes);
  assert.equal(header.format, "threshold-explorer/2");
  assert.equal(header.kind, "payload");
  assert.equal(header.nouns.positive, "5s");
  assert.equal(header.nouns.subject, "the 5-detector");
  assert.equal(header.has_folds, true);
  assert.equal(header.has_test, true);
  assert.deepEqual(header.groups, []);
  assert.deepEqual(header.blocks, ["fold0", "fold1", "fold2", "test"]);
  assert.equal(readHeader(bytes).id, header.id);
  assert.ok(arrays.threshold instanceof Float64Array);
  assert.deepEqual([...arrays.threshold], ties.distinct_scores);
  assert.equal(arrays.roc_threshold[0], Infinity); // the ROC starts at "flag nothing"
  for (const { name, length } of header.arrays) assert.equal(arrays[name].length, length);
  // The detector: the folds pooled, their totals, counts equal to metrics_at everywhere.
  const detector = detectorOf({ header, arrays });
  assert.ok(isComplete(detector.ladder));
  assert.deepEqual([detector.pool.nPositive, detector.pool.nNegative], [ties.positives.length, ties.negatives.length]);
  assert.equal(detector.folds.length, 3);
  assert.deepEqual([detector.test.nPositive, detector.test.nNegative], [ties.positives.length, ties.negatives.length]);
  assert.equal(detector.scores.rows, ties.sorted_scores.length);
  assert.equal(detector.scores.low, ties.distinct_scores[0]);
  for (const q of ties.queries) {
    const t = typeof q.threshold === "string" ? Number(q.threshold) : q.threshold;
    const m = metricsAt(detector.ladder, detector.pool, t);
    assert.deepEqual([m.tp, m.fp, m.fn, m.tn], [q.tp, q.fp, q.fn, q.tn], `at ${t}`);
    // The test rows score half a point above the curve rows: counted at each ladder score.
    if (!ties.distinct_scores.includes(t)) continue;
    const held = metricsAt(detector.ladder, detector.test, t);
    const flagged = (scores) => scores.filter((s) => s + 0.5 >= t).length;
    assert.deepEqual([held.tp, held.fp], [flagged(ties.positives), flagged(ties.negatives)], `test at ${t}`);
  }
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

test("a position and a window reach every explorer of their payload, whichever came first", () => {
  const board = new Board();
  const first = { id: "a", threshold: 1, seq: 1, settings: null };
  board.post(first); // before any explorer of "a"
  assert.equal(board.latest("a"), first);
  assert.equal(board.latest("b"), null);
  const seen = { one: [], two: [], other: [] };
  const explorer = (list) => ({ follow: (p) => list.push(p), receive: (w) => list.push(w) });
  const leaveOne = board.join("a", explorer(seen.one));
  board.join("a", explorer(seen.two));
  board.join("b", explorer(seen.other));
  assert.deepEqual(seen.one, []); // joining gives nothing: the explorer is built at latest()
  const second = { id: "a", threshold: 2, seq: 2, settings: null };
  board.post(second);
  assert.deepEqual(seen.one, [second]);
  assert.deepEqual(seen.two, [second]);
  assert.deepEqual(seen.other, []);
  assert.equal(board.latest("a"), second);
  const window = { header: { id: "a", seq: 1 }, arrays: {} };
  board.deliver("a", window);
  assert.deepEqual(seen.two, [second, window]);
  leaveOne();
  const third = { id: "a", threshold: 3, seq: 3, settings: null };
  board.post(third);
  assert.deepEqual(seen.one, [second, window]); // gone
  assert.deepEqual(seen.two, [second, window, third]);
});

test("requests for windows go through the window mount's channel, once it is there", () => {
  const board = new Board();
  assert.equal(board.ask("a", { seq: 1 }), false); // no channel yet
  let retried = 0;
  board.join("a", { follow() {}, receive() {}, request: () => retried++ });
  const sent = [];
  board.open("a", (name, value) => sent.push([name, value]));
  assert.equal(retried, 1); // the explorer asks again what it wanted before the channel came
  board.open("a", (name, value) => sent.push([name, value])); // a rerun's mount: no new retry
  assert.equal(retried, 1);
  assert.equal(board.ask("a", { seq: 2, threshold: 1, view: null, columns: 800 }), true);
  assert.deepEqual(sent, [["need", { id: "a", seq: 2, threshold: 1, view: null, columns: 800 }]]);
  assert.equal(board.ask("b", { seq: 3 }), false);
});

test("the position and window mounts only post: they build nothing and need no cleanup", () => {
  const data = { position: { id: "no-explorer", threshold: 1, seq: 1, settings: null } };
  assert.equal(mount({ data, parentElement: null, setTriggerValue: () => {} }), undefined);
  assert.equal(mount({ data: { windows: "no-explorer" }, parentElement: null, setTriggerValue: () => {} }), undefined);
  assert.equal(mount({ data: null, parentElement: null, setTriggerValue: () => {} }), undefined);
});
