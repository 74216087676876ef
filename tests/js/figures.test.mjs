// The explorer's numbers (figures.js) on the payload core/explorer.py writes
// (tests/js/fixtures/payload.bin): one threshold's figures and the curves at a prevalence.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { metricsAt } from "../../ui/components/threshold_explorer/counting.js";
import { atPrevalence, leastCost } from "../../ui/components/threshold_explorer/estimates.js";
import { costAt, curvesFor, detectorOf, figuresAt, ratesAt, weightsFor } from "../../ui/components/threshold_explorer/figures.js";
import { decodePayload } from "../../ui/components/threshold_explorer/payload.js";
import { NO_SETTINGS } from "../../ui/components/threshold_explorer/state.js";

// A plain Uint8Array, as Streamlit hands it over (a Node Buffer's slice() would share its pool).
const detector = detectorOf(decodePayload(new Uint8Array(readFileSync(new URL("./fixtures/payload.bin", import.meta.url)))));
const costs = { prevalence: null, fpCost: 1, fnCost: 5 };

test("a detector holds the pooled, each fold's and the test set's scores", () => {
  assert.equal(detector.positive, detector.arrays.cv_positive);
  assert.equal(detector.folds.length, detector.header.folds);
  assert.equal(detector.folds[0].positive, detector.arrays.fold0_positive);
  assert.equal(detector.test.negative, detector.arrays.test_negative);
});

test("one threshold's figures are the counted ones, or at a prevalence for precision, F1, accuracy", () => {
  const t = detector.positive[1];
  const counted = metricsAt(detector.positive, detector.negative, t);
  assert.deepEqual(figuresAt(detector, t, null), counted);
  const shifted = figuresAt(detector, t, 0.5);
  assert.deepEqual(shifted, { ...counted, ...atPrevalence(counted.recall, counted.falsePositiveRate, 0.5) });
  assert.equal(shifted.recall, counted.recall);
  assert.equal(shifted.tp, counted.tp);
});

test("rates along thresholds are NaN where undefined", () => {
  const above = Infinity; // above every score: nothing flagged
  const { precision, recall } = ratesAt(detector, [detector.positive[0], above], null);
  assert.equal(precision[0], metricsAt(detector.positive, detector.negative, detector.positive[0]).precision);
  assert.ok(Number.isNaN(precision[1])); // nothing flagged: 0/0
  assert.equal(recall[1], 0);
});

test("at the training share the drawn curves are the payload's; at a prevalence they are counted again", () => {
  const plain = curvesFor(detector, NO_SETTINGS);
  assert.equal(plain.vsThreshold.precision, detector.arrays.vt_precision);
  assert.equal(plain.pr.recall, detector.arrays.pr_recall);
  assert.equal(plain.cost, null);
  assert.equal(plain.folds.length, detector.header.folds);
  const shifted = curvesFor(detector, { ...NO_SETTINGS, prevalence: 0.5 });
  assert.deepEqual(shifted.vsThreshold, ratesAt(detector, detector.arrays.vt_threshold, 0.5));
  assert.deepEqual(shifted.folds[1].pr, ratesAt(detector.folds[1], detector.arrays.pr_threshold, 0.5));
  assert.deepEqual([...shifted.vsThreshold.recall].map(String), [...plain.vsThreshold.recall].map(String));
});

test("the cost curve exists with both costs, and its least is leastCost's", () => {
  assert.equal(weightsFor(detector, { ...costs, fpCost: null }), null);
  assert.equal(weightsFor(detector, { ...costs, fpCost: 0, fnCost: 0 }), null);
  const { cost } = curvesFor(detector, costs);
  assert.deepEqual(cost.least, leastCost(detector.positive, detector.negative, cost.weights));
  assert.equal(cost.values.length, detector.arrays.vt_threshold.length);
  const t = detector.arrays.vt_threshold[2];
  assert.equal(costAt(figuresAt(detector, t, null), cost), cost.values[2]);
  assert.equal(costAt(figuresAt(detector, t, null), null), null);
});
