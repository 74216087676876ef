// The explorer's texts: the threshold, the rates with their intervals and changes, the counts,
// each fold's figures, the test set's, each group's, the cost plot's title and the slider's
// spoken value. Writes a node only when its text changes.

import { GROUP_RATES, RATES } from "./build.js";
import { atPrevalence, intervalsFromCounts, precisionBoundsAt } from "./estimates.js";
import { averagePrecisionFor, figuresAt } from "./figures.js";
import { groupTable } from "./groups.js";
import { Texts } from "./plot.js";
import * as words from "./wording.js";

export class Readout {
  /** Texts of `nodes` (build.js) for `detector` (payload.js detectorOf). */
  constructor(nodes, detector) {
    this.nodes = nodes;
    this.detector = detector;
    const { low, high } = detector.scores;
    this.decimals = words.thresholdDecimals(low ?? Infinity, high ?? -Infinity);
    this.texts = new Texts(); // what each node shows: written only when it changes
  }

  /** Write everything again on the next calls (the layout changed). */
  forget() {
    this.texts.forget();
  }

  /** The texts that follow the settings only: what the numbers rest on, the folds' and groups' notes, the PR curve's AP. */
  describeSettings(settings) {
    const { prevalence } = settings;
    const { nouns, pool, folds } = this.detector;
    const { prPlot, basis, foldNote, groupNote } = this.nodes;
    this.text(prPlot.title, words.prTitle({ ap: averagePrecisionFor(this.detector, settings), nouns, prevalence }));
    const nScores = pool.nPositive + pool.nNegative;
    const hasFolds = folds.length > 0;
    this.text(basis, words.basisText({ nouns, hasFolds, nPositive: pool.nPositive, nScores, nFolds: folds.length, prevalence }));
    if (foldNote) this.text(foldNote, words.foldNote(nouns, prevalence));
    if (groupNote) this.text(groupNote, words.groupNote(prevalence));
  }

  /**
   * The texts at threshold `t` (on `ladder`) with `figures` under `settings`; `before`: the figures the
   * changes are from (null: none shown); `costNow` and `cost` (figures.js curvesFor).
   */
  show({ ladder, t, figures, before, costNow, cost, settings }) {
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
    this.showLower({ ladder, t, costNow, cost, settings, intervals });
    slider.setAttribute("aria-valuenow", String(t));
    slider.setAttribute("aria-valuetext", words.sliderText(shown, figures));
  }

  /** The cost plot's title, each fold's figures, the test set's and each group's at `t` on `ladder` (`intervals`: the pooled ones). */
  showLower({ ladder, t, costNow, cost, settings, intervals }) {
    const { prevalence } = settings;
    const { nouns, folds } = this.detector;
    const { costPlot, foldOut } = this.nodes;
    this.text(costPlot.title, words.costTitle({ nouns, settings, costNow, least: cost ? cost.least : null, decimals: this.decimals }));
    folds.forEach((fold, k) => {
      const foldFigures = figuresAt(ladder, fold, t, prevalence);
      this.text(foldOut[k].precision, words.pct(foldFigures.precision));
      this.text(foldOut[k].recall, words.pct(foldFigures.recall));
    });
    this.showTest({ ladder, t, prevalence, intervals });
    this.showGroups(ladder, t);
  }

  /** The test set's figures at `t`, when the set has test rows. */
  showTest({ ladder, t, prevalence, intervals }) {
    const { header, nouns, test } = this.detector;
    const { testOut, testNote } = this.nodes;
    if (!test) return;
    const held = figuresAt(ladder, test, t, null);
    const heldIntervals = intervalsFromCounts(held, header.z);
    this.text(testOut.precision, words.pct(held.precision));
    this.text(testOut.precisionInterval, heldIntervals.precision ? `95%: ${words.range(heldIntervals.precision)}` : "");
    this.text(testOut.recall, words.pct(held.recall));
    this.text(testOut.recallInterval, heldIntervals.recall ? `95%: ${words.range(heldIntervals.recall)}` : "");
    const shiftedPrecision = prevalence === null ? null : atPrevalence(held.recall, held.falsePositiveRate, prevalence).precision;
    this.text(testNote, words.testNote({ nouns, prevalence, held, shiftedPrecision, intervals }));
  }

  /** Each group's precision, recall and false-positive rate at `t`, with their intervals. */
  showGroups(ladder, t) {
    const { header, groups } = this.detector;
    if (!groups.length) return;
    groupTable(ladder, groups, t, header.z).forEach((figures, g) => {
      const cells = this.nodes.groupOut[g];
      for (const name of GROUP_RATES) {
        this.text(cells[name], words.pct(figures[name]));
        this.text(cells[`${name}Interval`], words.range(figures.intervals[name]));
      }
    });
  }

  text(node, value) {
    this.texts.write(node, value);
  }
}
