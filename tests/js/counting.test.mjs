// The explorer's counting and its ladder against what core.counting says
// (tests/js/fixtures/counting.json, written by tests/js/write_fixtures.py; tests/js/test_fixtures.py
// keeps it current): counts on a complete ladder, steps to the neighbouring scores, a ladder with
// gaps that knows what it does not know, and windows filling them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { metricsAt } from "../../ui/components/threshold_explorer/counting.js";
import {
  fixes,
  ladderOf,
  isComplete,
  isKnown,
  knownRun,
  mergeLadders,
  nearestScore,
  nextScore,
  previousScore,
  scoresIn,
  stepByRows,
} from "../../ui/components/threshold_explorer/ladder.js";
import { scoresDetector } from "./ladders.mjs";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/counting.json", import.meta.url), "utf8"));
const number = (value) => (typeof value === "string" ? Number(value) : value); // "Infinity"

for (const c of fixture.cases) {
  const detector = scoresDetector({ positive: c.positives, negative: c.negatives });
  const { ladder, pool } = detector;

  test(`${c.name}: counts and ratios on the ladder equal metrics_at at every threshold`, () => {
    assert.ok(isComplete(ladder) || !c.distinct_scores.length);
    for (const q of c.queries) {
      const t = number(q.threshold);
      const m = metricsAt(ladder, pool, t);
      const where = `threshold ${t}`;
      assert.ok(fixes(ladder, t), where);
      assert.deepEqual([m.tp, m.fp, m.fn, m.tn, m.flagged], [q.tp, q.fp, q.fn, q.tn, q.n_flagged], where);
      assert.equal(m.precision, q.precision, where);
      assert.equal(m.recall, q.recall, where);
      assert.equal(m.f1, q.f1, where);
      assert.equal(m.accuracy, q.accuracy, where);
      assert.equal(m.falsePositiveRate, q.false_positive_rate, where);
      assert.equal(m.specificity, q.specificity, where);
    }
  });

  test(`${c.name}: next, previous and nearest distinct score`, () => {
    for (const q of c.queries) {
      const t = number(q.threshold);
      assert.equal(nextScore(ladder, t), number(q.next_score), `next of ${t}`);
      assert.equal(previousScore(ladder, t), number(q.previous_score), `previous of ${t}`);
      assert.equal(nearestScore(ladder, t), number(q.nearest_score), `nearest to ${t}`);
    }
  });

  test(`${c.name}: stepping by one visits every distinct score, both ways`, () => {
    const distinct = c.distinct_scores;
    if (!distinct.length) return;
    const [first, last] = [distinct[0], distinct.at(-1)];
    const up = [first];
    for (let t = first; (t = nextScore(ladder, t)) !== null; ) up.push(t);
    assert.deepEqual(up, distinct);
    const down = [last];
    for (let t = last; (t = previousScore(ladder, t)) !== null; ) down.push(t);
    assert.deepEqual(down.reverse(), distinct);
    assert.equal(nextScore(ladder, last), null, "nothing above the last score");
    assert.equal(previousScore(ladder, first), null, "nothing below the first");
    for (const d of distinct) assert.ok(isKnown(ladder, d));
  });

  test(`${c.name}: a page step lands on the score of the row a page away, clamped at both ends`, () => {
    const distinct = c.distinct_scores;
    if (!distinct.length) return;
    const rows = c.sorted_scores;
    const page = Math.max(1, Math.ceil(rows.length / 100));
    for (const t of distinct) {
      const below = rows.filter((s) => s < t).length;
      const up = stepByRows(ladder, t, page, rows.length);
      const down = stepByRows(ladder, t, -page, rows.length);
      // The score of the row a page up (at least the next score), a page down (the lowest at least).
      const next = nextScore(ladder, t) ?? t;
      assert.equal(up, Math.max(rows[Math.min(rows.length - 1, below + page)], next), `${t}: up`);
      assert.equal(down, t === distinct[0] ? t : rows[Math.max(0, below - page)], `${t}: down`);
    }
    assert.equal(stepByRows(ladder, Infinity, 5, rows.length), distinct.at(-1));
    assert.equal(stepByRows(ladder, -Infinity, -5, rows.length), distinct[0]);
  });
}

// Scores 0..99, every other one a positive; the ladder keeps only every tenth and 40..49.
const positive = Float64Array.from({ length: 50 }, (_, i) => 2 * i + 1);
const negative = Float64Array.from({ length: 50 }, (_, i) => 2 * i);
const gappy = scoresDetector({ positive, negative, keep: (r) => r % 10 === 0 || (r >= 40 && r <= 49) || r === 99 });

test("a ladder with gaps counts exactly on its scores and says what it does not know", () => {
  const { ladder, pool } = gappy;
  const full = scoresDetector({ positive, negative });
  assert.equal(isComplete(ladder), false);
  for (const t of ladder.thresholds) assert.deepEqual(metricsAt(ladder, pool, t), metricsAt(full.ladder, full.pool, t));
  // Between neighbours (44, 45) a threshold is fixed; inside a gap (20..30) it is not.
  assert.ok(fixes(ladder, 44.5) && fixes(ladder, -3) && fixes(ladder, 120));
  assert.ok(!fixes(ladder, 25) && !fixes(ladder, 21));
  assert.equal(nextScore(ladder, 44), 45);
  assert.equal(nextScore(ladder, 49), 50); // 50 is kept too: a neighbour
  assert.equal(nextScore(ladder, 50), undefined); // 51 is not kept
});

test("next and previous are undefined across a gap, numbers between neighbours, null past the ends", () => {
  const { ladder } = gappy;
  assert.equal(nextScore(ladder, 20), undefined);
  assert.equal(previousScore(ladder, 30), undefined);
  assert.equal(previousScore(ladder, 41), 40);
  assert.equal(nextScore(ladder, 99), null);
  assert.equal(previousScore(ladder, 0), null);
  assert.equal(nextScore(ladder, 200), null);
  assert.equal(nearestScore(ladder, 24), 20);
  assert.equal(nearestScore(ladder, 26), 30);
  assert.equal(knownRun(ladder, 40, 1, 64), 10); // 41..50
  assert.equal(knownRun(ladder, 40, -1, 64), 0);
  assert.equal(knownRun(ladder, 99, 1, 64), 64); // the highest score: nothing more to know
  // From a threshold between two neighbours (a typed one): its first neighbour, then the run.
  assert.equal(knownRun(ladder, 44.5, 1, 64), 6); // 45..50
  assert.equal(knownRun(ladder, 44.5, -1, 64), 5); // 44..40
  assert.equal(knownRun(ladder, 25, 1, 64), 0); // inside a gap: nothing known
  assert.deepEqual([...scoresIn(ladder, [39, 42])], [40, 41, 42]);
});

test("a window fills a gap: merged, the ladder steps through it and counts there exactly", () => {
  const window = gappy.window([19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
  const merged = mergeLadders(gappy.ladder, window);
  assert.equal(mergeLadders(merged, window), merged); // nothing new: the same ladder
  assert.equal(nextScore(merged, 20), 21);
  assert.equal(previousScore(merged, 30), 29);
  assert.ok(fixes(merged, 25.5));
  const full = scoresDetector({ positive, negative });
  for (const t of [19, 20, 25, 25.5, 30]) assert.deepEqual(metricsAt(merged, gappy.pool, t), metricsAt(full.ladder, full.pool, t));
  for (const name of Object.keys(merged.counts)) assert.equal(merged.counts[name].tp.length, merged.thresholds.length);
  assert.ok(merged.thresholds.every((t, i) => i === 0 || t > merged.thresholds[i - 1]));
});

test("a page step on a ladder with gaps lands on a ladder score, never further than a page", () => {
  const { ladder } = gappy;
  const up = stepByRows(ladder, 41, 10, 100);
  assert.ok(isKnown(ladder, up) && up > 41 && up <= 51);
  const down = stepByRows(ladder, 60, -10, 100);
  assert.ok(isKnown(ladder, down) && down < 60 && down >= 50);
});

test("no scores at all: nothing to count or to step to", () => {
  const empty = scoresDetector({ positive: [], negative: [] });
  assert.equal(metricsAt(empty.ladder, empty.pool, 1).precision, null);
  assert.equal(nearestScore(empty.ladder, 1), null);
  assert.equal(stepByRows(empty.ladder, 1, 1, 0), null);
});

test("a position's own counts count there, for every block, before the ladder's", () => {
  // Test rows score 0.5 above the curve rows: between two ladder scores they are not the next score's.
  const held = { positive: [...positive].map((s) => s + 0.5), negative: [...negative].map((s) => s + 0.5) };
  const set = scoresDetector({ positive, negative, test: held });
  // At 40.25: curve positives 41..99 (30), negatives 42..98 (29); test negatives 40.5..98.5 (30).
  const at = { threshold: 40.25, fold0_tp: 30, fold0_fp: 29, test_tp: 30, test_fp: 30 };
  const none = { threshold: [], rank: [], fold0_tp: [], fold0_fp: [], test_tp: [], test_fp: [] };
  const ladder = mergeLadders(set.ladder, ladderOf(set.header.blocks, none, set.header.distinct, at));
  assert.equal(metricsAt(ladder, set.test, 40.25).fp, 30); // the position's own, exact
  assert.equal(metricsAt(set.ladder, set.test, 40.25).fp, 29); // the next curve score's (41) would be wrong
  assert.deepEqual(metricsAt(ladder, set.pool, 40.25), metricsAt(set.ladder, set.pool, 40.25));
  assert.ok(fixes(ladder, 40.25) && !fixes(set.ladder, 40.25)); // with test rows, only its own counts fix it
  assert.equal(metricsAt(ladder, set.test, 41).tp, metricsAt(set.ladder, set.test, 41).tp);
});
