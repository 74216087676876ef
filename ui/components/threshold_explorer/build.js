// The explorer's DOM, built once per detector: the four plots, the control, the numbers,
// the folds and the test set. Returns the nodes the view writes to; listens to nothing.

import { Plot, el } from "./plot.js";
import { cellTitle, count, share } from "./wording.js";

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

/** The explorer's nodes for `detector` (figures.js detectorOf), under a new root `.tx`. */
export function buildExplorer(detector, { low, high }) {
  const { header } = detector;
  const digit = header.digit;
  const root = el("div", "tx", null);
  const layout = el("div", "tx-layout", root);
  const plots = el("div", "tx-plots", layout);
  const thresholdPlot = new Plot(plots, {
    title: "Precision and recall vs threshold",
    xLabel: "threshold: flagged when score ≥ threshold",
    yLabel: "precision / recall",
    className: "tx-vt",
  });
  buildAxisControls(thresholdPlot);
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
    "aria-label": `Decision threshold of the ${digit}-detector`,
    "aria-orientation": "horizontal",
    "aria-valuemin": String(low),
    "aria-valuemax": String(high),
  });
  buildReadout(nodes, el("div", "tx-readout", layout), digit);
  buildLower(nodes, el("div", "tx-lower", layout), detector);
  nodes.tip = el("div", "tx-tip", root, { role: "status", hidden: "" });
  return nodes;
}

/** What the threshold plot's lines are, and the buttons that zoom its axis. */
function buildAxisControls(plot) {
  const bar = el("div", "tx-axis-bar", plot.box);
  const legend = el("ul", "tx-legend", bar, { "aria-label": "Legend" });
  for (const [kind, text] of [
    ["precision", "precision"],
    ["recall", "recall"],
    ["fold", "each fold (faint)"],
  ]) {
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
function buildReadout(nodes, readout, digit) {
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
  for (const [label, cells] of [
    [`${digit}s`, ["tp", "fn"]],
    [`other digits`, ["fp", "tn"]],
    ["all", ["flagged", "kept"]],
  ]) {
    const row = el("tr", label === "all" ? "tx-total" : "", body);
    el("th", "", row, { scope: "row" }).textContent = label;
    for (const cell of cells) out[cell] = el("td", `tx-cell tx-${cell}`, row, { title: cellTitle(cell, digit) });
  }
  nodes.out = out;
}

/** The cost plot, each fold's figures and the test set's, under the numbers. */
function buildLower(nodes, lower, detector) {
  const digit = detector.header.digit;
  const costPlot = new Plot(lower, {
    title: "Expected cost per 1,000 digits",
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

  const folds = el("figure", "tx-folds", lower);
  el("figcaption", "tx-plot-title", folds).textContent = "The same threshold on each fold alone";
  const table = el("table", "tx-fold-table", folds);
  const head = el("tr", "", el("thead", "", table));
  el("td", "", head);
  for (const text of ["digits", "precision", "recall"]) el("th", "", head).textContent = text;
  const body = el("tbody", "", table);
  nodes.foldOut = detector.folds.map((fold, k) => {
    const row = el("tr", "", body);
    el("th", "", row, { scope: "row" }).textContent = `fold ${k + 1}`;
    el("td", "", row).textContent = count(fold.positive.length + fold.negative.length);
    return { precision: el("td", "", row), recall: el("td", "", row) };
  });
  nodes.foldNote = el("p", "tx-small", folds);

  const testFigure = el("figure", "tx-test", lower);
  const { positive, negative } = detector.test;
  const nTest = positive.length + negative.length;
  el("figcaption", "tx-plot-title", testFigure).textContent = "Held-out test set, same threshold";
  el("p", "tx-small", testFigure).textContent =
    `${count(nTest)} test digits scored by the final model; ${digit}s are ${share(nTest ? positive.length / nTest : null)} of them.`;
  const list = el("dl", "tx-test-figures", testFigure);
  nodes.testOut = {};
  for (const [name, label] of [["precision", "Precision"], ["recall", "Recall"]]) {
    const item = el("div", "", list);
    el("dt", "", item).textContent = label;
    nodes.testOut[name] = el("dd", "tx-figure", item);
    nodes.testOut[`${name}Interval`] = el("dd", "tx-ci", item);
  }
  nodes.testNote = el("p", "tx-small", testFigure);
}
