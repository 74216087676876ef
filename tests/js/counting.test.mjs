// The explorer's counting against what core.counting says (tests/js/fixtures/counting.json,
// written by tests/js/write_fixtures.py; tests/js/test_fixtures.py keeps it current).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  countBelow,
  isScore,
  metricsAt,
  nearestScore,
  nextScore,
  previousScore,
  scoreAtRank,
  stepByRank,
} from "../../ui/components/threshold_explorer/counting.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/counting.json", import.meta.url), "utf8"));
const number = (value) => (typeof value === "string" ? Number(value) : value); // "Infinity"

for (const scoresAs of ["arrays", "Float64Array"]) {
  for (const c of fixture.cases) {
    const wrap = (values) => (scoresAs === "arrays" ? values : Float64Array.from(values));
    const positives = wrap(c.positives);
    const negatives = wrap(c.negatives);

    test(`${c.name} (${scoresAs}): counts and ratios equal metrics_at at every threshold`, () => {
      for (const q of c.queries) {
        const t = number(q.threshold);
        const m = metricsAt(positives, negatives, t);
        const where = `threshold ${t}`;
        assert.deepEqual([m.tp, m.fp, m.fn, m.tn, m.flagged], [q.tp, q.fp, q.fn, q.tn, q.n_flagged], where);
        assert.equal(m.precision, q.precision, where);
        assert.equal(m.recall, q.recall, where);
        assert.equal(m.f1, q.f1, where);
        assert.equal(m.accuracy, q.accuracy, where);
        assert.equal(m.falsePositiveRate, q.false_positive_rate, where);
        assert.equal(m.specificity, q.specificity, where);
        assert.equal(countBelow(positives, negatives, t), q.n_below, where);
      }
    });

    test(`${c.name} (${scoresAs}): next, previous and nearest distinct score`, () => {
      for (const q of c.queries) {
        const t = number(q.threshold);
        assert.equal(nextScore(positives, negatives, t), number(q.next_score), `next of ${t}`);
        assert.equal(previousScore(positives, negatives, t), number(q.previous_score), `previous of ${t}`);
        assert.equal(nearestScore(positives, negatives, t), number(q.nearest_score), `nearest to ${t}`);
      }
    });

    test(`${c.name} (${scoresAs}): stepping by one visits every distinct score, both ways`, () => {
      const distinct = c.distinct_scores;
      const first = distinct[0];
      const last = distinct.at(-1);
      const up = [first];
      for (let t = first; (t = nextScore(positives, negatives, t)) !== null; ) up.push(t);
      assert.deepEqual(up, distinct);
      const down = [last];
      for (let t = last; (t = previousScore(positives, negatives, t)) !== null; ) down.push(t);
      assert.deepEqual(down.reverse(), distinct);
      assert.equal(nextScore(positives, negatives, last), null, "nothing above the last score");
      assert.equal(previousScore(positives, negatives, first), null, "nothing below the first");
      for (const d of distinct) assert.ok(isScore(positives, negatives, d));
    });

    test(`${c.name} (${scoresAs}): the k-th score of both classes together`, () => {
      c.sorted_scores.forEach((score, k) => assert.equal(scoreAtRank(positives, negatives, k), score, `rank ${k}`));
      assert.throws(() => scoreAtRank(positives, negatives, c.sorted_scores.length), RangeError);
      assert.throws(() => scoreAtRank(positives, negatives, -1), RangeError);
    });

    test(`${c.name} (${scoresAs}): a page step moves to another score, clamped at both ends`, () => {
      const distinct = c.distinct_scores;
      const first = distinct[0];
      const last = distinct.at(-1);
      const page = Math.max(1, Math.ceil(c.sorted_scores.length / 100));
      for (const t of distinct) {
        const up = stepByRank(positives, negatives, t, page);
        const down = stepByRank(positives, negatives, t, -page);
        assert.ok(distinct.includes(up) && distinct.includes(down), `${t}: lands on scores`);
        assert.ok(t === last ? up === last : up > t, `${t}: up moves up`);
        assert.ok(t === first ? down === first : down < t, `${t}: down moves down`);
      }
      assert.equal(stepByRank(positives, negatives, Infinity, 5), last);
      assert.equal(stepByRank(positives, negatives, -Infinity, -5), first);
    });
  }
}

test("no scores at all: nothing to count or to step to", () => {
  assert.deepEqual(metricsAt([], [], 1).precision, null);
  assert.equal(nearestScore([], [], 1), null);
  assert.equal(stepByRank([], [], 1, 1), null);
});
