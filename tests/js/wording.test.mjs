// The explorer's sentences from the nouns in the payload's header: an MNIST detector's
// (tests/js/fixtures/payload.bin) read as the /tradeoff page has always read, and a scored
// set's without folds or test rows (tests/js/fixtures/scored_payload.bin) say nothing of digits
// or folds. Both payloads are written by tests/js/write_fixtures.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { decodePayload, detectorOf } from "../../ui/components/threshold_explorer/payload.js";
import * as words from "../../ui/components/threshold_explorer/wording.js";

const load = (name) => detectorOf(decodePayload(new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)))));
const mnist = load("payload.bin");
const scored = load("scored_payload.bin");
const least = { threshold: -4902.74, cost: 111.8 };
const costs = { prevalence: null, fpCost: 1, fnCost: 5 };

/** Every sentence the explorer writes from its nouns, for `detector` at `prevalence`. */
function sentences(detector, prevalence) {
  const { nouns, pool, folds } = detector;
  const basis = { nouns, hasFolds: folds.length > 0, nPositive: pool.nPositive, nScores: pool.nPositive + pool.nNegative, nFolds: folds.length };
  return [
    words.sliderLabel(nouns),
    ...words.countRows(nouns),
    ...["tp", "fn", "fp", "tn"].map((cell) => words.cellTitle(cell, nouns)),
    words.basisText({ ...basis, prevalence }),
    words.costTitle({ nouns, settings: null, costNow: null, least: null }),
    words.costTitle({ nouns, settings: { ...costs, prevalence }, costNow: 239.7, least }),
    words.prTitle({ ap: 0.81, nouns, prevalence }),
    ...words.groupColumns(nouns),
    words.groupNote(prevalence),
  ];
}

test("an MNIST detector's nouns give the /tradeoff page's own sentences", () => {
  const { nouns } = mnist;
  assert.equal(words.sliderLabel(nouns), "Decision threshold of the 5-detector");
  assert.deepEqual(words.countRows(nouns), ["5s", "other digits", "all"]);
  assert.equal(words.cellTitle("tp", nouns), "true positives: 5s flagged");
  assert.equal(words.cellTitle("tn", nouns), "true negatives: other digits left out");
  const basis = { nouns, hasFolds: true, nPositive: 5421, nScores: 60000, nFolds: 3 };
  assert.equal(
    words.basisText({ ...basis, prevalence: null }),
    "Cross-validated: each of 60,000 training digits scored by a model that did not see it (3 folds). 5s are 9.04% of them (the training share), and so in these figures. 95% Wilson intervals.",
  );
  assert.equal(
    words.basisText({ ...basis, prevalence: 0.01 }),
    "Cross-validated: each of 60,000 training digits scored by a model that did not see it (3 folds). Precision, F1, accuracy and the cost are where 5s are 1.00% of all digits (chosen; 9.04% in training). Recall and the false-positive rate are shares within one class, so they do not change with it.",
  );
  assert.equal(words.costTitle({ nouns, settings: null, costNow: null, least: null }), "Expected cost per 1,000 digits");
  assert.equal(
    words.costTitle({ nouns, settings: costs, costNow: 239.7, least }),
    "Expected cost per 1,000 digits: 239.7 here, least 111.8 at -4,902.74 (FP 1, FN 5; 5s at the training share)",
  );
  assert.equal(words.foldNote(nouns, null), "Each fold's held-out digits, counted alone: how much the figures move from sample to sample.");
  assert.equal(words.foldNote(nouns, 0.01), "Precision where 5s are 1.00%; recall as counted.");
  assert.deepEqual([0, 1, 2].map((k) => words.foldLabel(nouns, k)), ["fold 1", "fold 2", "fold 3"]);
  assert.equal(words.testCaption({ nouns, nPositive: 892, nTest: 10000 }), "10,000 test digits scored by the final model; 5s are 8.92% of them.");
  const held = { precision: 0.95, recall: 0.6 };
  const intervals = { precision: [0.88, 0.91], recall: [0.46, 0.49] };
  assert.equal(
    words.testNote({ nouns, prevalence: null, held, shiftedPrecision: null, intervals }),
    "The test's precision and recall are outside the cross-validated 95% intervals.",
  );
  assert.equal(words.testNote({ nouns, prevalence: 0.01, held, shiftedPrecision: 0.581, intervals }), "Where 5s are 1.00%: precision 58.1%.");
});

test("a scored set without folds names its positive class and its rows, and no digit or fold", () => {
  const { nouns } = scored;
  assert.equal(words.sliderLabel(nouns), "Decision threshold of the classifier");
  assert.deepEqual(words.countRows(nouns), ["rows labelled fraud", "other rows", "all"]);
  const basis = { nouns, hasFolds: false, nPositive: 35, nScores: 90, nFolds: 0 };
  assert.equal(
    words.basisText({ ...basis, prevalence: null }),
    "Scores of 90 rows, as the file gives them. Rows labelled fraud are 38.89% of them (the file's share), and so in these figures. 95% Wilson intervals.",
  );
  assert.match(words.basisText({ ...basis, prevalence: 0.01 }), /where rows labelled fraud are 1\.00% of all rows \(chosen; 38\.89% in the file\)/);
  for (const prevalence of [null, 0.2]) {
    for (const sentence of sentences(scored, prevalence)) {
      assert.doesNotMatch(sentence, /digit|fold|cross-validated|training/i, sentence);
    }
  }
  assert.deepEqual(words.groupColumns(nouns), ["rows", "precision", "recall", "false-positive rate"]);
  assert.match(words.groupNote(0.2), /not at the chosen share/);
});

test("fold labels from a file name its folds; a sentence opens with a capital", () => {
  assert.equal(words.foldLabel({ fold_labels: ["fold A", "fold B"] }, 1), "fold B");
  assert.equal(words.foldLabel({ fold_labels: [] }, 1), "fold 2");
  assert.equal(words.capitalized("rows labelled 1"), "Rows labelled 1");
  assert.equal(words.capitalized("5s"), "5s");
});

test("a threshold reads with as many decimals as its scores' span needs, two at least", () => {
  assert.equal(words.thresholdDecimals(-30000, 30000), 2); // MNIST's scores: "3,370.02" as ever
  assert.equal(words.thresholdText(3370.0194991439557, words.thresholdDecimals(-30000, 30000)), "3,370.02");
  const probabilities = words.thresholdDecimals(0, 1);
  assert.equal(probabilities, 4);
  assert.equal(words.thresholdText(0.505, probabilities), "0.505"); // not "0.51"
  assert.equal(words.thresholdText(0.5, probabilities), "0.50");
  assert.equal(words.thresholdText(0.123456, probabilities), "0.1235");
  assert.equal(words.thresholdDecimals(0, 10), 3);
  assert.equal(words.thresholdDecimals(2, 2), 2); // one score: no span
  assert.equal(words.thresholdText(Infinity, 4), "+∞ (flag nothing)");
  assert.deepEqual(words.tipLines(0.505, { precision: 0.5, recall: 0.25, tp: 1, fp: 1, fn: 3, tn: 5 }, 4)[0], "Threshold 0.505");
});

test("numbers read the same whichever were formatted before (each formatter is made once per decimals)", () => {
  // Written in one order and in the other: a formatter kept from an earlier call never lends
  // its decimals to another's text (the first two differ only in their least decimals).
  const calls = [
    () => words.thresholdText(0.5, 4), // two to four decimals
    () => words.compactScore(3370.1, 0.0001), // exactly four
    () => words.compactScore(2500, 2500), // up to one, in thousands
    () => words.compactScore(3370, 10), // none
    () => words.thresholdText(3370.0194991439557, 2),
  ];
  const expected = ["0.50", "3,370.1000", "2.5k", "3,370", "3,370.02"];
  assert.deepEqual(
    calls.map((call) => call()),
    expected,
  );
  assert.deepEqual(
    [...calls].reverse().map((call) => call()),
    [...expected].reverse(),
  );
});
