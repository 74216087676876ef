// The explorer's texts: the threshold, the rates with their intervals and changes, the counts,
// each fold's figures, the test set's, the cost plot's title and the slider's spoken value.
// Writes a node only when its text changes.

import { RATES } from "./build.js";
import { atPrevalence, intervalsFromCounts, precisionBoundsAt } from "./estimates.js";
import { averagePrecisionFor, figuresAt } from "./figures.js";
import * as words from "./wording.js";

export class Readout {
  /** Texts of `nodes` (build.js) for `detector` (figures.js detectorOf). */
  constructor(nodes, detector) {
    this.nodes = nodes;
    this.detector = detector;
    this.texts = new Map(); // node -> the text it shows
  }

  /** Write everything again on the next calls (the layout changed). */
  forget() {
    this.texts.clear();
  }

  /** The texts that follow the settings only: what the numbers rest on, the folds' note, the PR curve's AP. */
  describeSettings({ prevalence }) {
    const { header, positive, negative, folds } = this.detector;
    if (this.ap?.prevalence !== prevalence) this.ap = { prevalence, value: averagePrecisionFor(this.detector, prevalence) };
    this.text(this.nodes.prPlot.title, words.prTitle({ ap: this.ap.value, digit: header.digit, prevalence }));
    const nScores = positive.length + negative.length;
    this.text(this.nodes.basis, words.basisText({ digit: header.digit, nPositive: positive.length, nScores, nFolds: folds.length, prevalence }));
    this.text(this.nodes.foldNote, words.foldNote(header.digit, prevalence));
  }

  /**
   * The texts at threshold `t` with `figures` under `settings`; `before`: the figures the
   * changes are from (null: none shown); `costNow` and `cost` (figures.js curvesFor).
   */
  show({ t, figures, before, costNow, cost, settings }) {
    const { out, slider } = this.nodes;
    const { prevalence } = settings;
    const intervals = intervalsFromCounts(figures, this.detector.header.z);
    const shown = words.thresholdText(t);
    this.text(this.nodes.thresholdOut, shown);
    for (const name of RATES) {
      this.text(out[name], words.pct(figures[name]));
      this.text(out[`${name}Change`], before ? words.pointsChange(figures[name], before[name]) : "");
    }
    const precisionRange =
      prevalence === null ? intervals.precision : precisionBoundsAt(intervals.recall, intervals.falsePositiveRate, prevalence);
    this.text(out.precisionInterval, precisionRange ? `${prevalence === null ? "95%" : "from the rates"}: ${words.range(precisionRange)}` : "");
    this.text(out.recallInterval, intervals.recall ? `95%: ${words.range(intervals.recall)}` : "");
    this.text(out.falsePositiveRateInterval, intervals.falsePositiveRate ? `95%: ${words.range(intervals.falsePositiveRate)}` : "");
    this.text(out.flagged, words.count(figures.flagged));
    this.text(out.kept, words.count(figures.fn + figures.tn));
    for (const cell of ["tp", "fp", "fn", "tn"]) this.text(out[cell], words.count(figures[cell]));
    this.showLower({ t, costNow, cost, settings, intervals });
    slider.setAttribute("aria-valuenow", String(t));
    slider.setAttribute("aria-valuetext", words.sliderText(shown, figures));
  }

  /** The cost plot's title, each fold's figures and the test set's at `t` (`intervals`: the pooled ones). */
  showLower({ t, costNow, cost, settings, intervals }) {
    const { prevalence } = settings;
    const { header, folds, test } = this.detector;
    const { costPlot, foldOut, testOut, testNote } = this.nodes;
    this.text(costPlot.title, words.costTitle({ digit: header.digit, settings, costNow, least: cost ? cost.least : null }));
    folds.forEach((fold, k) => {
      const foldFigures = figuresAt(fold, t, prevalence);
      this.text(foldOut[k].precision, words.pct(foldFigures.precision));
      this.text(foldOut[k].recall, words.pct(foldFigures.recall));
    });
    const held = figuresAt(test, t, null);
    const heldIntervals = intervalsFromCounts(held, header.z);
    this.text(testOut.precision, words.pct(held.precision));
    this.text(testOut.precisionInterval, heldIntervals.precision ? `95%: ${words.range(heldIntervals.precision)}` : "");
    this.text(testOut.recall, words.pct(held.recall));
    this.text(testOut.recallInterval, heldIntervals.recall ? `95%: ${words.range(heldIntervals.recall)}` : "");
    const shiftedPrecision = prevalence === null ? null : atPrevalence(held.recall, held.falsePositiveRate, prevalence).precision;
    this.text(testNote, words.testNote({ digit: header.digit, prevalence, held, shiftedPrecision, intervals }));
  }

  text(node, value) {
    if (this.texts.get(node) !== value) {
      this.texts.set(node, value);
      node.textContent = value;
    }
  }
}
