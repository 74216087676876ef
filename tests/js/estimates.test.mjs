// The explorer's intervals, prevalence and cost against what Python says
// (tests/js/fixtures/estimates.json, written by tests/js/write_fixtures.py;
// tests/js/test_fixtures.py keeps it current).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  atPrevalence,
  costOf,
  costWeights,
  intervalsFromCounts,
  precisionBoundsAt,
  wilsonInterval,
} from "../../ui/components/threshold_explorer/estimates.js";
import { countsAt, metricsFromCounts } from "../../ui/components/threshold_explorer/counting.js";
import { scoresDetector } from "./ladders.mjs";

const read = (name) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
const fixture = read("estimates.json");
const cases = new Map(read("counting.json").cases.map((c) => [c.name, c]));

function close(actual, expected, where, tolerance = 1e-12) {
  if (expected === null) return assert.equal(actual, null, where);
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${where}: ${actual} vs ${expected}`);
}

test("Wilson intervals equal core.estimates.wilson_interval, 0 of 0 undefined", () => {
  assert.ok(fixture.wilson.length > 50);
  for (const { k, n, low, high } of fixture.wilson) {
    const interval = wilsonInterval(k, n, fixture.z);
    if (low === null) {
      assert.equal(interval, null, `${k} of ${n}`);
      continue;
    }
    close(interval[0], low, `low of ${k} of ${n}`);
    close(interval[1], high, `high of ${k} of ${n}`);
    assert.ok(interval[0] <= k / n && k / n <= interval[1], `${k} of ${n} inside its interval`);
  }
});

test("intervals of a threshold's counts: precision among the flagged, recall among the positives", () => {
  const counts = { tp: 2602, fp: 289, fn: 2819, tn: 54290 };
  const intervals = intervalsFromCounts(counts, fixture.z);
  assert.deepEqual(intervals.precision, wilsonInterval(2602, 2891, fixture.z));
  assert.deepEqual(intervals.recall, wilsonInterval(2602, 5421, fixture.z));
  assert.deepEqual(intervals.falsePositiveRate, wilsonInterval(289, 54579, fixture.z));
  assert.equal(intervalsFromCounts({ tp: 0, fp: 0, fn: 3, tn: 4 }, fixture.z).precision, null);
});

test("precision, F1 and accuracy at a prevalence equal core.estimates.at_prevalence", () => {
  for (const c of fixture.prevalence) {
    const shifted = atPrevalence(c.recall, c.false_positive_rate, c.prevalence);
    const where = `recall ${c.recall}, FPR ${c.false_positive_rate}, p ${c.prevalence}`;
    close(shifted.precision, c.precision, `${where}: precision`);
    close(shifted.f1, c.f1, `${where}: F1`);
    close(shifted.accuracy, c.accuracy, `${where}: accuracy`);
  }
  assert.deepEqual(atPrevalence(null, 0.1, 0.5), { precision: null, f1: null, accuracy: null });
});

test("at the sample's own share, precision at prevalence is the counted precision", () => {
  const counts = { tp: 2602, fp: 289, fn: 2819, tn: 54290 };
  const m = metricsFromCounts(counts);
  const shifted = atPrevalence(m.recall, m.falsePositiveRate, 5421 / 60000);
  close(shifted.precision, m.precision, "precision");
  close(shifted.accuracy, m.accuracy, "accuracy");
});

test("the precision bounds at a prevalence hold the precision and move with it", () => {
  const recall = [0.45, 0.5];
  const rate = [0.004, 0.006];
  const low = precisionBoundsAt(recall, rate, 0.2);
  assert.ok(low[0] < atPrevalence(0.48, 0.005, 0.2).precision && atPrevalence(0.48, 0.005, 0.2).precision < low[1]);
  const high = precisionBoundsAt(recall, rate, 0.5);
  assert.ok(high[0] > low[0] && high[1] > low[1]);
  assert.equal(precisionBoundsAt(null, rate, 0.2), null);
});

test("the cost weights and the cost curve equal core.pickers and core.estimates", () => {
  assert.ok(fixture.cost.length >= 20);
  for (const c of fixture.cost) {
    const { positives, negatives, distinct_scores: distinct } = cases.get(c.case);
    const weights = costWeights({
      nPositive: positives.length,
      nNegative: negatives.length,
      fpCost: c.false_positive_cost,
      fnCost: c.false_negative_cost,
      prevalence: c.prevalence,
    });
    const where = `${c.case}, costs ${c.false_positive_cost}/${c.false_negative_cost}, p ${c.prevalence}`;
    assert.deepEqual([weights.fp, weights.fn], c.weights, `${where}: weights`);
    const { ladder, pool } = scoresDetector({ positive: positives, negative: negatives });
    distinct.forEach((t, i) => {
      const perThousand = costOf(countsAt(ladder, pool, t), weights) * weights.perThousand;
      close(perThousand, c.cost_per_1000[i], `${where}: cost at ${t}`, 1e-9);
    });
  }
});
