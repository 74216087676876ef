// The explorer's texts: the threshold, the rates with their intervals and changes, the counts,
// each fold's figures, the test set's, each group's, the cost plot's title and the slider's
// spoken value. Writes a node only when its text changes.

import { GROUP_RATES, RATES } from "./build.js";
import { atPrevalence, intervalsFromCounts, precisionBoundsAt } from "./estimates.js";
import { averagePrecisionFor, figuresAt } from "./figures.js";
import { groupTable } from "./groups.js";
import * as words from "./wording.js";

export class Readout {
  /** Texts of `nodes` (build.js) for `detector` (figures.js detectorOf). */
  constructor(nodes, detector) {
    this.nodes = nodes;
    this.detector = detector;
    const { positive, negative } = detector;
    const lows = [positive[0], negative[0]].filter(Number.isFinite);
    const highs = [positive.at(-1), negative.at(-1)].filter(Number.isFinite);
    this.decimals = words.thresholdDecimals(Math.min(...lows), Math.max(...highs));
    this.texts = new Map(); // node -> the text it shows
  }

  /** Write everything again on the next calls (the layout changed). */
  forget() {
    this.texts.clear();
  }

  /** The texts that follow the settings only: what the numbers rest on, the folds' and groups' notes, the PR curve's AP. */
  describeSettings({ prevalence }) {
    const { nouns, positive, negative, folds } = this.detector;
    const { prPlot, basis, foldNote, groupNote } = this.nodes;
    if (this.ap?.prevalence !== prevalence) this.ap = { prevalence, value: averagePrecisionFor(this.detector, prevalence) };
    this.text(prPlot.title, words.prTitle({ ap: this.ap.value, nouns, prevalence }));
    const nScores = positive.length + negative.length;
    const hasFolds = folds.length > 0;
    this.text(basis, words.basisText({ nouns, hasFolds, nPositive: positive.length, nScores, nFolds: folds.length, prevalence }));
    if (foldNote) this.text(foldNote, words.foldNote(nouns, prevalence));
    if (groupNote) this.text(groupNote, words.groupNote(prevalence));
  }

  /**
   * The texts at threshold `t` with `figures` under `settings`; `before`: the figures the
   * changes are from (null: none shown); `costNow` and `cost` (figures.js curvesFor).
   */
  show({ t, figures, before, costNow, cost, settings }) {
    const { out, slider } = this.nodes;
    const { prevalence } = settings;
    const intervals = intervalsFromCounts(figures, this.detector.header.z);
    const shown = words.thresholdText(t, this.decimals);
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

  /** The cost plot's title, each fold's figures, the test set's and each group's at `t` (`intervals`: the pooled ones). */
  showLower({ t, costNow, cost, settings, intervals }) {
    const { prevalence } = settings;
    const { nouns, folds } = this.detector;
    const { costPlot, foldOut } = this.nodes;
    this.text(costPlot.title, words.costTitle({ nouns, settings, costNow, least: cost ? cost.least : null, decimals: this.decimals }));
    folds.forEach((fold, k) => {
      const foldFigures = figuresAt(fold, t, prevalence);
      this.text(foldOut[k].precision, words.pct(foldFigures.precision));
      this.text(foldOut[k].recall, words.pct(foldFigures.recall));
    });
    this.showTest({ t, prevalence, intervals });
    this.showGroups(t);
  }

  /** The test set's figures at `t`, when the set has test rows. */
  showTest({ t, prevalence, intervals }) {
    const { header, nouns, test } = this.detector;
    const { testOut, testNote } = this.nodes;
    if (!test) return;
    const held = figuresAt(test, t, null);
    const heldIntervals = intervalsFromCounts(held, header.z);
    this.text(testOut.precision, words.pct(held.precision));
    this.text(testOut.precisionInterval, heldIntervals.precision ? `95%: ${words.range(heldIntervals.precision)}` : "");
    this.text(testOut.recall, words.pct(held.recall));
    this.text(testOut.recallInterval, heldIntervals.recall ? `95%: ${words.range(heldIntervals.recall)}` : "");
    const shiftedPrecision = prevalence === null ? null : atPrevalence(held.recall, held.falsePositiveRate, prevalence).precision;
    this.text(testNote, words.testNote({ nouns, prevalence, held, shiftedPrecision, intervals }));
  }

  /** Each group's precision, recall and false-positive rate at `t`, with their intervals. */
  showGroups(t) {
    const { header, groups } = this.detector;
    if (!groups.length) return;
    groupTable(groups, t, header.z).forEach((figures, g) => {
      const cells = this.nodes.groupOut[g];
      for (const name of GROUP_RATES) {
        this.text(cells[name], words.pct(figures[name]));
        this.text(cells[`${name}Interval`], words.range(figures.intervals[name]));
      }
    });
  }

  text(node, value) {
    if (this.texts.get(node) !== value) {
      this.texts.set(node, value);
      node.textContent = value;
    }
  }
}
