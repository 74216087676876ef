// The explorer's DOM, built once per scored set: the four plots, the control, the numbers,
// the folds, the test set and the groups (each only when the set has them). Returns the nodes
// the view writes to; listens to nothing. Every word comes from wording.js and the nouns.

import { Plot, el } from "./plot.js";
import * as words from "./wording.js";

const TILES = [
  ["precision", "Precision"],
  ["recall", "Recall"],
  ["f1", "F1"],
  ["accuracy", "Accuracy"],
  ["falsePositiveRate", "False-positive rate"],
  ["specificity", "Specificity"],
];
/** The tiles that show a 95% interval under their figure. */
const WITH_INTERVAL = ["precision", "recall", "falsePositiveRate"];
/** The rates each tile shows, in order. */
export const RATES = TILES.map(([name]) => name);

/** The explorer's nodes for `detector` (payload.js detectorOf), under a new root `.tx`. */
export function buildExplorer(detector, { low, high }) {
  const { header, nouns } = detector;
  const root = el("div", "tx", null);
  const layout = el("div", "tx-layout", root);
  const plots = el("div", "tx-plots", layout);
  const thresholdPlot = new Plot(plots, {
    title: "Precision and recall vs threshold",
    xLabel: "threshold: flagged when score ≥ threshold",
    yLabel: "precision / recall",
    className: "tx-vt",
  });
  buildAxisControls(thresholdPlot, detector.folds.length > 0);
  const ap = header.average_precision;
  const prPlot = new Plot(plots, {
    title: `Precision vs recall${ap === null ? "" : ` (AP ${ap.toFixed(3)})`}`,
    xLabel: "recall",
    yLabel: "precision",
    className: "tx-pr",
  });
  const auc = header.auc;
  const rocPlot = new Plot(plots, {
    title: `ROC${auc === null ? "" : ` (AUC ${auc.toFixed(3)})`}`,
    xLabel: "false-positive rate",
    yLabel: "true-positive rate",
    className: "tx-roc",
  });
  const vsThreshold = thresholdPlot.layers;
  const nodes = {
    root,
    thresholdPlot,
    prPlot,
    rocPlot,
    // Each fold's curves, faint, behind the pooled ones.
    foldPaths: detector.folds.map(() => ({
      precision: el("svg:path", "tx-curve tx-fold tx-precision", vsThreshold),
      recall: el("svg:path", "tx-curve tx-fold tx-recall", vsThreshold),
      pr: el("svg:path", "tx-curve tx-fold tx-main", prPlot.layers),
    })),
    precisionPath: el("svg:path", "tx-curve tx-precision", vsThreshold),
    recallPath: el("svg:path", "tx-curve tx-recall", vsThreshold),
    hoverLine: el("svg:line", "tx-hover-line", vsThreshold, { visibility: "hidden" }),
  };
  nodes.cursor = el("svg:g", "tx-cursor", vsThreshold);
  nodes.cursorLine = el("svg:line", "tx-cursor-line", nodes.cursor);
  nodes.handle = el("svg:path", "tx-handle", nodes.cursor);
  // The threshold on the axis, in the ticks' row: the tick labels it would touch hide.
  nodes.handleLabel = el("svg:text", "tx-handle-label", vsThreshold);
  nodes.brush = el("svg:rect", "tx-brush", vsThreshold, { visibility: "hidden", height: "0" });
  nodes.precisionDot = el("svg:circle", "tx-dot tx-precision-dot", vsThreshold, { r: 4.5 });
  nodes.recallDot = el("svg:circle", "tx-dot tx-recall-dot", vsThreshold, { r: 4.5 });
  nodes.prPath = el("svg:path", "tx-curve tx-main", prPlot.layers);
  nodes.prHover = el("svg:circle", "tx-hover-dot", prPlot.layers, { r: 5, visibility: "hidden" });
  nodes.prDot = el("svg:circle", "tx-dot tx-current", prPlot.layers, { r: 6 });
  nodes.chance = el("svg:line", "tx-chance", rocPlot.layers);
  nodes.rocPath = el("svg:path", "tx-curve tx-main", rocPlot.layers);
  nodes.rocHover = el("svg:circle", "tx-hover-dot", rocPlot.layers, { r: 5, visibility: "hidden" });
  nodes.rocDot = el("svg:circle", "tx-dot tx-current", rocPlot.layers, { r: 6 });

  // The control: over the threshold plot, its axis and the handle's strip.
  nodes.slider = el("div", "tx-slider", thresholdPlot.box, {
    role: "slider",
    tabindex: "0",
    "aria-label": words.sliderLabel(nouns),
    "aria-orientation": "horizontal",
    "aria-valuemin": String(low),
    "aria-valuemax": String(high),
  });
  buildReadout(nodes, el("div", "tx-readout", layout), nouns);
  buildLower(nodes, el("div", "tx-lower", layout), detector);
  nodes.tip = el("div", "tx-tip", root, { role: "status", hidden: "" });
  return nodes;
}

/** What the threshold plot's lines are (the folds' only when drawn), and the buttons that zoom its axis. */
function buildAxisControls(plot, withFolds) {
  const bar = el("div", "tx-axis-bar", plot.box);
  const legend = el("ul", "tx-legend", bar, { "aria-label": "Legend" });
  const lines = [
    ["precision", "precision"],
    ["recall", "recall"],
  ];
  if (withFolds) lines.push(["fold", "each fold (faint)"]);
  for (const [kind, text] of lines) {
    const item = el("li", "", legend);
    const swatch = el("svg:svg", "tx-swatch", item, { width: "18", height: "8", "aria-hidden": "true" });
    el("svg:line", kind === "fold" ? "tx-curve tx-fold tx-fold-swatch" : `tx-curve tx-${kind}`, swatch, { x1: "1", x2: "17", y1: "4", y2: "4" });
    item.append(text);
  }
  const zoom = el("div", "tx-zoom", plot.box, {
    role: "group",
    "aria-label": "Zoom the threshold axis",
    title: "Zoom: ctrl+wheel or a pinch on the plot, + / − keys, shift-drag a range (or drag along the ticks); 0 or Escape resets",
  });
  plot.zoomButtons = {};
  for (const [action, text, label] of [
    ["out", "−", "Zoom out"],
    ["in", "+", "Zoom in"],
    ["reset", "⟲", "Reset the zoom to where recall runs from 99% to 1%"],
  ]) {
    plot.zoomButtons[action] = el("button", "tx-zoom-button", zoom, { type: "button", "aria-label": label, title: label });
    plot.zoomButtons[action].textContent = text;
  }
}

/** The threshold, the rates' tiles and the counts' table. */
function buildReadout(nodes, readout, nouns) {
  nodes.basis = el("p", "tx-basis", readout);
  const now = el("div", "tx-now", readout);
  el("span", "tx-label", now).textContent = "Threshold";
  nodes.thresholdOut = el("output", "tx-threshold", now);
  el("span", "tx-hint", now).textContent =
    "drag the red line, or ←/→ to the next score (shift: a tenth of the view); ctrl+wheel or +/− zooms, 0 resets";
  const tiles = el("dl", "tx-tiles", readout);
  const out = {};
  for (const [name, label] of TILES) {
    const tile = el("div", `tx-tile tx-${name}`, tiles);
    // A <dl> holds only <dt>/<dd> groups: the figure, its interval and its change are each a <dd>.
    el("dt", "", tile).textContent = label;
    out[name] = el("dd", "tx-figure", tile);
    if (WITH_INTERVAL.includes(name)) out[`${name}Interval`] = el("dd", "tx-ci", tile);
    out[`${name}Change`] = el("dd", "tx-change", tile);
  }
  const table = el("table", "tx-counts", readout);
  const head = el("tr", "", el("thead", "", table));
  el("td", "", head); // the corner: no header of its own
  for (const text of ["flagged", "not flagged"]) el("th", "", head).textContent = text;
  const body = el("tbody", "", table);
  const cellsOfRows = [
    ["tp", "fn"],
    ["fp", "tn"],
    ["flagged", "kept"],
  ];
  words.countRows(nouns).forEach((label, i) => {
    const row = el("tr", i === 2 ? "tx-total" : "", body);
    el("th", "", row, { scope: "row" }).textContent = label;
    for (const cell of cellsOfRows[i]) out[cell] = el("td", `tx-cell tx-${cell}`, row, { title: words.cellTitle(cell, nouns) });
  });
  nodes.out = out;
}

/** The cost plot, each fold's figures, the test set's and each group's, under the numbers. */
function buildLower(nodes, lower, detector) {
  const { nouns } = detector;
  // Alone beside the cost plot, the groups' table takes the folds' and the test's room.
  lower.classList.toggle("tx-lower-beside", !detector.folds.length && !detector.test);
  const costPlot = new Plot(lower, {
    title: words.costTitle({ nouns, settings: null, costNow: null, least: null }),
    xLabel: "threshold",
    yLabel: "cost per 1,000",
    className: "tx-cost",
  });
  nodes.costPlot = costPlot;
  const costLegend = el("ul", "tx-legend tx-cost-legend", costPlot.box, { "aria-label": "Legend" });
  nodes.costLegend = costLegend;
  for (const [kind, text] of [
    ["line", "expected cost at each threshold (click it to move there)"],
    ["least", "least cost"],
  ]) {
    const item = el("li", "", costLegend);
    const swatch = el("svg:svg", "tx-swatch", item, { width: "22", height: "10", "aria-hidden": "true" });
    if (kind === "line") el("svg:line", "tx-curve tx-cost-curve", swatch, { x1: "1", x2: "21", y1: "5", y2: "5" });
    else el("svg:circle", "tx-dot tx-least", swatch, { cx: "11", cy: "5", r: "4" });
    item.append(text);
  }
  nodes.costNote = el("p", "tx-cost-note", costPlot.box);
  nodes.costNote.textContent = "Give a cost to a false positive and a false negative (under the goals) to see it.";
  const layers = costPlot.layers;
  nodes.costPath = el("svg:path", "tx-curve tx-cost-curve", layers);
  nodes.costCursor = el("svg:line", "tx-cursor-line", layers);
  nodes.costLeast = el("svg:circle", "tx-dot tx-least", layers, { r: 5 });
  nodes.costDot = el("svg:circle", "tx-dot tx-current", layers, { r: 5 });
  nodes.costHover = el("svg:circle", "tx-hover-dot", layers, { r: 5, visibility: "hidden" });

  if (detector.folds.length) buildFolds(nodes, lower, detector);
  if (detector.test) buildTest(nodes, lower, detector);
  if (detector.groups.length) buildGroups(nodes, lower, detector);
}

/** Each fold's precision and recall at the threshold, in a table. */
function buildFolds(nodes, lower, { folds, nouns }) {
  const figure = el("figure", "tx-folds", lower);
  el("figcaption", "tx-plot-title", figure).textContent = "The same threshold on each fold alone";
  const table = el("table", "tx-fold-table", figure);
  const head = el("tr", "", el("thead", "", table));
  el("td", "", head);
  for (const text of [nouns.items, "precision", "recall"]) el("th", "", head).textContent = text;
  const body = el("tbody", "", table);
  nodes.foldOut = folds.map((fold, k) => {
    const row = el("tr", "", body);
    el("th", "", row, { scope: "row" }).textContent = words.foldLabel(nouns, k);
    el("td", "", row).textContent = words.count(fold.nPositive + fold.nNegative);
    return { precision: el("td", "", row), recall: el("td", "", row) };
  });
  nodes.foldNote = el("p", "tx-small", figure);
}

/** The test set's precision and recall at the threshold, with their intervals. */
function buildTest(nodes, lower, { test, nouns }) {
  const figure = el("figure", "tx-test", lower);
  const { nPositive, nNegative } = test;
  el("figcaption", "tx-plot-title", figure).textContent = "Held-out test set, same threshold";
  el("p", "tx-small", figure).textContent = words.testCaption({ nouns, nPositive, nTest: nPositive + nNegative });
  const list = el("dl", "tx-test-figures", figure);
  nodes.testOut = {};
  for (const [name, label] of [["precision", "Precision"], ["recall", "Recall"]]) {
    const item = el("div", "", list);
    el("dt", "", item).textContent = label;
    nodes.testOut[name] = el("dd", "tx-figure", item);
    nodes.testOut[`${name}Interval`] = el("dd", "tx-ci", item);
  }
  nodes.testNote = el("p", "tx-small", figure);
}

/** The rates of the group table, in its columns' order. */
export const GROUP_RATES = ["precision", "recall", "falsePositiveRate"];

/** Each group's rows, precision, recall and false-positive rate with their intervals, in a table. */
function buildGroups(nodes, lower, { groups, nouns }) {
  const figure = el("figure", "tx-groups", lower);
  el("figcaption", "tx-plot-title", figure).textContent = "The same threshold in each group";
  const table = el("table", "tx-fold-table tx-group-table", figure);
  const head = el("tr", "", el("thead", "", table));
  el("th", "", head, { scope: "col" }).textContent = "group";
  for (const text of words.groupColumns(nouns)) el("th", "", head, { scope: "col" }).textContent = text;
  const body = el("tbody", "", table);
  nodes.groupOut = groups.map((group) => {
    const row = el("tr", "", body);
    el("th", "", row, { scope: "row" }).textContent = group.name;
    el("td", "", row).textContent = words.count(group.nPositive + group.nNegative);
    const cells = {};
    for (const name of GROUP_RATES) {
      const cell = el("td", `tx-group-${name}`, row);
      cells[name] = el("span", "tx-group-rate", cell);
      cells[`${name}Interval`] = el("span", "tx-ci", cell);
    }
    return cells;
  });
  nodes.groupNote = el("p", "tx-small", figure);
}
