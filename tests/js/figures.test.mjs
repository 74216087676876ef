// The explorer's numbers (figures.js) on the payload core/explorer.py writes
// (tests/js/fixtures/payload.bin): one threshold's figures and the curves at a prevalence.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { metricsAt } from "../../ui/components/threshold_explorer/counting.js";
import { atPrevalence, costOf } from "../../ui/components/threshold_explorer/estimates.js";
import { averagePrecisionFor, costAt, curvesFor, figuresAt, ratesAt, weightsFor } from "../../ui/components/threshold_explorer/figures.js";
import { scoresIn } from "../../ui/components/threshold_explorer/ladder.js";
import { decodePayload, detectorOf } from "../../ui/components/threshold_explorer/payload.js";
import { NO_SETTINGS, normalizeSettings } from "../../ui/components/threshold_explorer/state.js";

// A plain Uint8Array, as Streamlit hands it over (a Node Buffer's slice() would share its pool).
const detector = detectorOf(decodePayload(new Uint8Array(readFileSync(new URL("./fixtures/payload.bin", import.meta.url)))));
const { ladder, pool } = detector;
const least = { threshold: ladder.thresholds[3], cost: 123.4 }; // as the server would send it
const costs = normalizeSettings({ prevalence: null, fpCost: 1, fnCost: 5, leastCost: least });
const everywhere = [-Infinity, Infinity];

test("one threshold's figures are the counted ones, or at a prevalence for precision, F1, accuracy", () => {
  const t = ladder.thresholds[1];
  const counted = metricsAt(ladder, pool, t);
  assert.deepEqual(figuresAt(ladder, pool, t, null), counted);
  const shifted = figuresAt(ladder, pool, t, 0.5);
  assert.deepEqual(shifted, { ...counted, ...atPrevalence(counted.recall, counted.falsePositiveRate, 0.5) });
  assert.equal(shifted.recall, counted.recall);
  assert.equal(shifted.tp, counted.tp);
  // Each fold's are its own; the pool's are their sum.
  const folds = detector.folds.map((fold) => figuresAt(ladder, fold, t, null));
  assert.equal(folds.reduce((n, f) => n + f.tp, 0), counted.tp);
  assert.equal(folds.reduce((n, f) => n + f.fn, 0), counted.fn);
});

test("rates along thresholds are NaN where undefined", () => {
  const above = Infinity; // above every score: nothing flagged
  const { precision, recall } = ratesAt(ladder, pool, [ladder.thresholds[0], above], null);
  assert.equal(precision[0], metricsAt(ladder, pool, ladder.thresholds[0]).precision);
  assert.ok(Number.isNaN(precision[1])); // nothing flagged: 0/0
  assert.equal(recall[1], 0);
});

test("the curves go through every ladder score in view; the PR curve is the payload's at the sample's share", () => {
  const plain = curvesFor(detector, ladder, NO_SETTINGS, everywhere);
  assert.deepEqual([...plain.thresholds], [...ladder.thresholds]);
  assert.deepEqual(plain.vsThreshold, ratesAt(ladder, pool, ladder.thresholds, null));
  assert.equal(plain.pr.recall, detector.arrays.pr_recall);
  assert.equal(plain.cost, null);
  assert.equal(plain.folds.length, detector.header.folds);
  const narrow = curvesFor(detector, ladder, NO_SETTINGS, [ladder.thresholds[2], ladder.thresholds[4]]);
  assert.deepEqual([...narrow.thresholds], [...scoresIn(ladder, [ladder.thresholds[2], ladder.thresholds[4]])]);
  assert.equal(narrow.thresholds.length, 3);
  const shifted = curvesFor(detector, ladder, { ...NO_SETTINGS, prevalence: 0.5 }, everywhere);
  assert.deepEqual(shifted.vsThreshold, ratesAt(ladder, pool, ladder.thresholds, 0.5));
  assert.deepEqual(shifted.pr, ratesAt(ladder, pool, detector.arrays.pr_threshold, 0.5));
  assert.deepEqual(shifted.folds[1].pr, ratesAt(ladder, detector.folds[1], detector.arrays.pr_threshold, 0.5));
  assert.deepEqual([...shifted.vsThreshold.recall].map(String), [...plain.vsThreshold.recall].map(String));
});

test("the cost curve exists with both costs and the server's least, which it shows as is", () => {
  assert.equal(weightsFor(detector, { ...costs, fpCost: null }), null);
  assert.equal(weightsFor(detector, { ...costs, fpCost: 0, fnCost: 0 }), null);
  const { cost, thresholds } = curvesFor(detector, ladder, costs, everywhere);
  assert.deepEqual(cost.least, least);
  assert.equal(cost.values.length, thresholds.length);
  const t = thresholds[2];
  assert.equal(cost.values[2], costOf(metricsAt(ladder, pool, t), cost.weights) * cost.weights.perThousand);
  assert.equal(costAt(figuresAt(ladder, pool, t, null), cost), cost.values[2]);
  assert.equal(costAt(figuresAt(ladder, pool, t, null), null), null);
  assert.equal(curvesFor(detector, ladder, { ...costs, leastCost: null }, everywhere).cost, null); // not yet from the server
});

test("the average precision is the header's at the sample's share, the server's at a prevalence", () => {
  assert.equal(averagePrecisionFor(detector, NO_SETTINGS), detector.header.average_precision);
  assert.equal(averagePrecisionFor(detector, normalizeSettings({ prevalence: 0.2, averagePrecision: 0.61 })), 0.61);
  assert.equal(averagePrecisionFor(detector, normalizeSettings({ prevalence: 0.2 })), null);
});
