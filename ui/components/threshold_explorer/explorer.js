// The live threshold explorer: a Streamlit components-v2 module (see ui/explorer.py).
//
// Mounted twice by the page, one role each, told apart by the data:
// - the explorer itself gets the detector's payload (bytes, core/explorer.py) once; it
//   counts and redraws in the browser on every pointer move, and tells the server only when
//   the threshold is released (trigger "release");
// - the position (small JSON: {position: {id, threshold, seq, settings}}) carries the threshold
//   the server chose (a goal picker, the exact number, a link) and the settings the figures
//   rest on: the prevalence where the detector will be used (null: the training share) and
//   the costs of a false positive and a false negative. Kept apart so that the payload
//   message never changes and Streamlit serves it from its cache on every rerun.
//
// Drawn by hand in SVG. Everything is laid out once per size; a threshold change only moves
// the cursor and the points and rewrites the texts that changed.

import {
  countsAt,
  metricsFromCounts,
  nearestScore,
  nextScore,
  previousScore,
  stepByRank,
} from "./counting.js";
import {
  atPrevalence,
  costOf,
  costWeights,
  intervalsFromCounts,
  leastCost,
  mergeSorted,
  precisionBoundsAt,
} from "./estimates.js";

const SVG = "http://www.w3.org/2000/svg";
const KEY_RELEASE_MS = 400; // a pause after the last key counts as a release
const HOVER_RADIUS = 24; // px: how near a curve point the pointer must be to pick it
const MARGIN = { left: 46, right: 12, top: 10, bottom: 34 };
const HANDLE = 16; // px below the threshold plot's axis: the handle's strip

// One registry per page: positions may arrive before or after their explorer.
const registry = (globalThis.__thresholdExplorer ??= { explorers: new Map(), positions: new Map() });
const instances = new WeakMap(); // parentElement -> Explorer

const percent = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const score = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const share = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const costFormat = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });
const pct = (value) => (value === null ? "—" : percent.format(value));
/** "88.9–91.0%" (two decimals below 5%: "0.47–0.59%"), or "" when undefined. */
export function range(pair) {
  if (!pair) return "";
  const decimals = pair[1] < 0.05 ? 2 : 1;
  return `${(pair[0] * 100).toFixed(decimals)}–${(pair[1] * 100).toFixed(decimals)}%`;
}
const count = (value) => integer.format(value);
const thresholdText = (t) => (Number.isFinite(t) ? score.format(t) : "+∞ (flag nothing)");

/** A rate's change in percentage points, with enough decimals never to read "-0.0 pts". */
export function pointsChange(now, before) {
  if (now === null || before === null || now === before) return "";
  const points = (now - before) * 100;
  const decimals = [1, 2, 3].find((d) => Math.abs(points) >= 0.5 * 10 ** -d) ?? 4;
  return `${points >= 0 ? "+" : ""}${points.toFixed(decimals)} pts`;
}

export default function mount(component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data && !(data instanceof Uint8Array) && data.position) {
    follow(data.position);
    return undefined;
  }
  if (!(data instanceof Uint8Array)) return undefined;
  let explorer = instances.get(parentElement);
  if (explorer && explorer.id === readHeader(data).id) {
    explorer.send = setTriggerValue; // a rerun: same detector, keep everything
  } else {
    explorer?.destroy();
    explorer = new Explorer(parentElement, decodePayload(data), setTriggerValue);
    instances.set(parentElement, explorer);
  }
  const mounted = explorer;
  // Streamlit may call a cleanup of an earlier run of this same element late: only an
  // element gone from the page ends its explorer.
  return () =>
    setTimeout(() => {
      if (parentElement.isConnected) return;
      mounted.destroy();
      if (instances.get(parentElement) === mounted) instances.delete(parentElement);
    });
}

function follow(position) {
  registry.positions.set(position.id, position);
  for (const explorer of registry.explorers.get(position.id) ?? []) explorer.follow(position);
}

/** The JSON header of core/explorer.py's payload. */
export function readHeader(bytes) {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== "TXP1") throw new Error(`not a threshold explorer payload (${magic})`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
}

/**
 * The header and float64 arrays of core/explorer.py's payload, and the pooled cross-validated
 * scores (cv_positive, cv_negative) merged from the folds'.
 */
export function decodePayload(bytes) {
  const own = bytes.slice(); // its own buffer, so the float64 views are aligned
  const header = readHeader(own);
  const arrays = {};
  for (const { name, offset, length: n } of header.arrays) arrays[name] = new Float64Array(own.buffer, offset, n);
  for (const kind of ["positive", "negative"]) {
    arrays[`cv_${kind}`] = mergeSorted(Array.from({ length: header.folds }, (_, k) => arrays[`fold${k}_${kind}`]));
  }
  return { header, arrays };
}

function el(tag, className, parent, attributes = {}) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  if (className) node.setAttribute("class", className);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  parent?.appendChild(node);
  return node;
}

/** About `n` round tick values across [low, high]. */
function ticks(low, high, n) {
  const span = high - low;
  if (!(span > 0)) return [low];
  const raw = span / n;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const values = [];
  for (let v = Math.ceil(low / step) * step; v <= high; v += step) values.push(Math.abs(v) < step / 1e6 ? 0 : v);
  return values;
}

function linear(domainLow, domainHigh, rangeLow, rangeHigh) {
  const k = (rangeHigh - rangeLow) / (domainHigh - domainLow || 1);
  const scale = (v) => rangeLow + (v - domainLow) * k;
  scale.invert = (p) => domainLow + (p - rangeLow) / k;
  return scale;
}

/** An SVG path through the points, broken where a value is NaN. */
function pathThrough(xs, ys, sx, sy) {
  let d = "";
  let pen = "M";
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
      pen = "M";
      continue;
    }
    d += `${pen}${sx(xs[i]).toFixed(1)},${sy(ys[i]).toFixed(1)}`;
    pen = "L";
  }
  return d;
}

/** One plot: an SVG with axes, laid out again only when its size changes. */
class Plot {
  constructor(parent, { title, xLabel, yLabel, className }) {
    this.box = el("figure", `tx-plot ${className}`, parent);
    this.title = el("figcaption", "tx-plot-title", this.box);
    this.title.textContent = title;
    this.svg = el("svg:svg", "tx-svg", this.box, { "aria-hidden": "true" });
    this.grid = el("svg:g", "tx-grid", this.svg);
    this.layers = el("svg:g", "", this.svg);
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** Size, scales, grid and labels; returns false when the plot has no room yet. */
  layout(xDomain, yDomain, { xFormat, yFormat, bottom = MARGIN.bottom, unit = true }) {
    const width = this.svg.clientWidth;
    const height = this.svg.clientHeight;
    if (!width || !height) return false;
    this.width = width;
    this.height = height;
    this.plotBottom = height - bottom;
    this.sx = linear(xDomain[0], xDomain[1], MARGIN.left, width - MARGIN.right);
    this.sy = linear(yDomain[0], yDomain[1], this.plotBottom, MARGIN.top);
    this.grid.replaceChildren();
    const yTicks = unit ? ticks(Math.max(0, yDomain[0]), Math.min(1, yDomain[1]), 4) : ticks(0, yDomain[1], 3);
    for (const v of yTicks) {
      const y = this.sy(v).toFixed(1);
      el("svg:line", "tx-gridline", this.grid, { x1: MARGIN.left, x2: width - MARGIN.right, y1: y, y2: y });
      el("svg:text", "tx-tick tx-tick-y", this.grid, { x: MARGIN.left - 5, y }).textContent = yFormat(v);
    }
    const xTicks = ticks(xDomain[0], xDomain[1], Math.max(2, Math.floor(width / 90)));
    for (const v of xTicks) {
      const x = this.sx(v).toFixed(1);
      el("svg:line", "tx-gridline", this.grid, { x1: x, x2: x, y1: MARGIN.top, y2: this.plotBottom });
      el("svg:text", "tx-tick tx-tick-x", this.grid, { x, y: this.plotBottom + 13 }).textContent = xFormat(v);
    }
    el("svg:text", "tx-axis-label", this.grid, { x: (MARGIN.left + width - MARGIN.right) / 2, y: height - 3 }).textContent = this.xLabel;
    el("svg:text", "tx-axis-label tx-axis-label-y", this.grid, {
      transform: `translate(11 ${(MARGIN.top + this.plotBottom) / 2}) rotate(-90)`,
    }).textContent = this.yLabel;
    return true;
  }
}

class Explorer {
  constructor(parentElement, payload, send) {
    this.id = payload.header.id;
    this.header = payload.header;
    const a = payload.arrays;
    this.a = a;
    this.send = send;
    this.positive = a.cv_positive;
    this.negative = a.cv_negative;
    this.z = payload.header.z;
    this.folds = Array.from({ length: payload.header.folds }, (_, k) => ({
      positive: a[`fold${k}_positive`],
      negative: a[`fold${k}_negative`],
    }));
    this.settings = { prevalence: null, fpCost: null, fnCost: null };
    this.curves = this.computeCurves();
    this.nScores = this.positive.length + this.negative.length;
    const lows = [this.positive[0], this.negative[0]].filter(Number.isFinite);
    const highs = [this.positive.at(-1), this.negative.at(-1)].filter(Number.isFinite);
    this.low = Math.min(...lows);
    this.high = Math.max(...highs);
    this.threshold = null;
    this.committed = null; // the threshold the server has
    this.seq = null; // the last server position followed
    this.dragging = false;
    this.texts = new Map();
    this.build(parentElement);
    this.describeSettings();
    const listed = registry.explorers.get(this.id) ?? new Set();
    listed.add(this);
    registry.explorers.set(this.id, listed);
    const position = registry.positions.get(this.id);
    if (position) this.follow(position);
    else this.show(this.low);
  }

  // --- the page ---------------------------------------------------------------------------

  build(parentElement) {
    const root = el("div", "tx", null);
    this.root = root;
    const digit = this.header.digit;
    const layout = el("div", "tx-layout", root);
    const plots = el("div", "tx-plots", layout);
    this.vt = new Plot(plots, {
      title: "Precision and recall vs threshold",
      xLabel: "threshold: flagged when score ≥ threshold",
      yLabel: "precision / recall",
      className: "tx-vt",
    });
    const ap = this.header.average_precision;
    this.pr = new Plot(plots, {
      title: `Precision vs recall${ap === null ? "" : ` (AP ${ap.toFixed(3)})`}`,
      xLabel: "recall",
      yLabel: "precision",
      className: "tx-pr",
    });
    const auc = this.header.auc;
    this.roc = new Plot(plots, {
      title: `ROC${auc === null ? "" : ` (AUC ${auc.toFixed(3)})`}`,
      xLabel: "false-positive rate",
      yLabel: "true-positive rate",
      className: "tx-roc",
    });
    const vt = this.vt.layers;
    // Each fold's curves, faint, behind the pooled ones.
    this.foldPaths = this.folds.map(() => ({
      precision: el("svg:path", "tx-curve tx-fold tx-precision", vt),
      recall: el("svg:path", "tx-curve tx-fold tx-recall", vt),
      pr: el("svg:path", "tx-curve tx-fold tx-main", this.pr.layers),
    }));
    this.precisionPath = el("svg:path", "tx-curve tx-precision", vt);
    this.recallPath = el("svg:path", "tx-curve tx-recall", vt);
    this.hoverLine = el("svg:line", "tx-hover-line", vt, { visibility: "hidden" });
    this.cursor = el("svg:g", "tx-cursor", vt);
    this.cursorLine = el("svg:line", "tx-cursor-line", this.cursor);
    this.handle = el("svg:path", "tx-handle", this.cursor);
    this.precisionDot = el("svg:circle", "tx-dot tx-precision-dot", vt, { r: 4.5 });
    this.recallDot = el("svg:circle", "tx-dot tx-recall-dot", vt, { r: 4.5 });
    this.prPath = el("svg:path", "tx-curve tx-main", this.pr.layers);
    this.prHover = el("svg:circle", "tx-hover-dot", this.pr.layers, { r: 5, visibility: "hidden" });
    this.prDot = el("svg:circle", "tx-dot tx-current", this.pr.layers, { r: 6 });
    this.chance = el("svg:line", "tx-chance", this.roc.layers);
    this.rocPath = el("svg:path", "tx-curve tx-main", this.roc.layers);
    this.rocHover = el("svg:circle", "tx-hover-dot", this.roc.layers, { r: 5, visibility: "hidden" });
    this.rocDot = el("svg:circle", "tx-dot tx-current", this.roc.layers, { r: 6 });

    // The control: over the threshold plot, its axis and the handle's strip.
    this.slider = el("div", "tx-slider", this.vt.box, {
      role: "slider",
      tabindex: "0",
      "aria-label": `Decision threshold of the ${digit}-detector`,
      "aria-orientation": "horizontal",
      "aria-valuemin": String(this.low),
      "aria-valuemax": String(this.high),
    });

    const readout = el("div", "tx-readout", layout);
    this.basis = el("p", "tx-basis", readout);
    const now = el("div", "tx-now", readout);
    el("span", "tx-label", now).textContent = "Threshold";
    this.thresholdOut = el("output", "tx-threshold", now);
    this.hintOut = el("span", "tx-hint", now);
    this.hintOut.textContent = "drag the red line, or ←/→ to the next score";
    const tiles = el("dl", "tx-tiles", readout);
    this.out = {};
    for (const [name, label] of [
      ["precision", "Precision"],
      ["recall", "Recall"],
      ["f1", "F1"],
      ["accuracy", "Accuracy"],
      ["falsePositiveRate", "False-positive rate"],
      ["specificity", "Specificity"],
    ]) {
      const tile = el("div", `tx-tile tx-${name}`, tiles);
      el("dt", "", tile).textContent = label;
      this.out[name] = el("dd", "", tile);
      if (["precision", "recall", "falsePositiveRate"].includes(name)) {
        this.out[`${name}Interval`] = el("span", "tx-ci", tile);
      }
      this.out[`${name}Change`] = el("span", "tx-change", tile);
    }
    const table = el("table", "tx-counts", readout);
    const head = el("tr", "", el("thead", "", table));
    for (const text of ["", "flagged", "not flagged"]) el("th", "", head).textContent = text;
    const body = el("tbody", "", table);
    for (const [label, cells] of [
      [`${digit}s`, ["tp", "fn"]],
      [`other digits`, ["fp", "tn"]],
      ["all", ["flagged", "kept"]],
    ]) {
      const row = el("tr", label === "all" ? "tx-total" : "", body);
      el("th", "", row, { scope: "row" }).textContent = label;
      for (const cell of cells) {
        this.out[cell] = el("td", `tx-cell tx-${cell}`, row, { title: cellTitle(cell, digit) });
      }
    }
    this.buildLower(el("div", "tx-lower", layout));
    this.tip = el("div", "tx-tip", root, { role: "status", hidden: "" });

    // Streamlit keeps the stylesheet's <link> in the same parent: replace only our own root.
    parentElement.querySelector(":scope > .tx")?.remove();
    parentElement.appendChild(root);
    this.listen();
    this.resizer = new ResizeObserver(() => this.layout());
    this.resizer.observe(root);
    this.layout();
  }

  layout() {
    // Only a new size lays the plots out again: never a change of the numbers.
    const size = [this.vt, this.pr, this.roc, this.cost].map((p) => `${p.svg.clientWidth}x${p.svg.clientHeight}`).join();
    if (size === this.size) return;
    this.size = size;
    const a = this.a;
    const pad = (this.high - this.low) * 0.02 || 1;
    const percentTick = (v) => `${Math.round(v * 100)}%`;
    const scoreTick = (v) => integer.format(v);
    const unit = [-0.02, 1.04];
    const vtReady = this.vt.layout([this.low - pad, this.high + pad], unit, {
      xFormat: scoreTick,
      yFormat: percentTick,
      bottom: MARGIN.bottom + HANDLE,
    });
    const prReady = this.pr.layout([-0.02, 1.02], unit, { xFormat: percentTick, yFormat: percentTick });
    const rocReady = this.roc.layout([-0.02, 1.02], unit, { xFormat: percentTick, yFormat: percentTick });
    this.laidOut = vtReady && prReady && rocReady;
    if (!this.laidOut) return;
    this.cursorLine.setAttribute("y1", MARGIN.top);
    this.cursorLine.setAttribute("y2", this.vt.plotBottom + HANDLE);
    const b = this.vt.plotBottom + HANDLE + 2;
    this.handle.setAttribute("d", `M0,${b - 14} L-7,${b} L7,${b} Z`);
    this.hoverLine.setAttribute("y1", MARGIN.top);
    this.hoverLine.setAttribute("y2", this.vt.plotBottom);
    this.rocPath.setAttribute("d", pathThrough(a.roc_fpr, a.roc_tpr, this.roc.sx, this.roc.sy));
    const { sx: rx, sy: ry } = this.roc;
    for (const [name, value] of [["x1", rx(0)], ["y1", ry(0)], ["x2", rx(1)], ["y2", ry(1)]]) this.chance.setAttribute(name, value);
    // Screen positions of the drawn points, for hover and click (the PR curve's in drawCurves).
    this.rocPoints = screenPoints(a.roc_fpr, a.roc_tpr, this.roc);
    this.rects = null;
    this.drawCurves();
    this.texts.clear(); // sizes changed: write everything again
    this.describeSettings();
    if (this.threshold !== null) this.show(this.threshold, true);
  }

  // --- what the figures rest on: prevalence and costs ----------------------------------------

  /** The server's settings: the prevalence (null: the training share) and the two costs. */
  configure(settings) {
    if (!settings) return;
    const next = {
      prevalence: Number.isFinite(settings.prevalence) ? settings.prevalence : null,
      fpCost: Number.isFinite(settings.fpCost) ? settings.fpCost : null,
      fnCost: Number.isFinite(settings.fnCost) ? settings.fnCost : null,
    };
    const now = this.settings;
    if (next.prevalence === now.prevalence && next.fpCost === now.fpCost && next.fnCost === now.fnCost) return;
    this.settings = next;
    this.curves = this.computeCurves();
    this.anchor = null;
    this.drawCurves();
    this.describeSettings();
    if (this.threshold !== null) this.show(this.threshold, true);
  }

  /** The texts that follow the settings only: what the numbers rest on, the folds' note. */
  describeSettings() {
    const p = this.settings.prevalence;
    this.text(this.basis, this.basisText());
    this.text(
      this.foldNote,
      p === null
        ? "Each fold's held-out digits, counted alone: how much the figures move from sample to sample."
        : `Precision where ${this.header.digit}s are ${share.format(p)}; recall as counted.`,
    );
  }

  /** The cost weights of the settings, or null when no cost is set. */
  weights() {
    const { fpCost, fnCost, prevalence } = this.settings;
    if (fpCost === null || fnCost === null || (fpCost === 0 && fnCost === 0)) return null;
    if (!this.positive.length || !this.negative.length) return null;
    return costWeights({ nPositive: this.positive.length, nNegative: this.negative.length, fpCost, fnCost, prevalence });
  }

  /** Precision and recall at each of `thresholds` (NaN where undefined), at the prevalence. */
  ratesAt(positives, negatives, thresholds) {
    const p = this.settings.prevalence;
    const precision = new Float64Array(thresholds.length);
    const recall = new Float64Array(thresholds.length);
    thresholds.forEach((t, i) => {
      const m = metricsFromCounts(countsAt(positives, negatives, t));
      const shown = p === null ? m.precision : atPrevalence(m.recall, m.falsePositiveRate, p).precision;
      precision[i] = shown ?? NaN;
      recall[i] = m.recall ?? NaN;
    });
    return { precision, recall };
  }

  /** The curves to draw at the current settings: pooled, each fold's, and the cost. */
  computeCurves() {
    const a = this.a;
    const atShare = this.settings.prevalence !== null;
    const vt = atShare
      ? this.ratesAt(this.positive, this.negative, a.vt_threshold)
      : { precision: a.vt_precision, recall: a.vt_recall };
    const pr = atShare
      ? this.ratesAt(this.positive, this.negative, a.pr_threshold)
      : { precision: a.pr_precision, recall: a.pr_recall };
    const folds = this.folds.map((f) => ({
      vt: this.ratesAt(f.positive, f.negative, a.vt_threshold),
      pr: this.ratesAt(f.positive, f.negative, a.pr_threshold),
    }));
    const weights = this.weights();
    let cost = null;
    if (weights) {
      const values = a.vt_threshold.map((t) => costOf(countsAt(this.positive, this.negative, t), weights) * weights.perThousand);
      cost = { weights, values, least: leastCost(this.positive, this.negative, weights) };
    }
    return { vt, pr, folds, cost };
  }

  /** Draw the curves of the settings (layout first: the cost plot's scale follows its curve). */
  drawCurves() {
    if (!this.laidOut) return;
    const a = this.a;
    const { vt, pr, folds, cost } = this.curves;
    const { sx, sy } = this.vt;
    this.precisionPath.setAttribute("d", pathThrough(a.vt_threshold, vt.precision, sx, sy));
    this.recallPath.setAttribute("d", pathThrough(a.vt_threshold, vt.recall, sx, sy));
    this.prPath.setAttribute("d", pathThrough(pr.recall, pr.precision, this.pr.sx, this.pr.sy));
    folds.forEach((fold, k) => {
      const paths = this.foldPaths[k];
      paths.precision.setAttribute("d", pathThrough(a.vt_threshold, fold.vt.precision, sx, sy));
      paths.recall.setAttribute("d", pathThrough(a.vt_threshold, fold.vt.recall, sx, sy));
      paths.pr.setAttribute("d", pathThrough(fold.pr.recall, fold.pr.precision, this.pr.sx, this.pr.sy));
    });
    this.prPoints = screenPoints(pr.recall, pr.precision, this.pr);
    this.drawCost();
  }

  drawCost() {
    const cost = this.curves.cost;
    const plot = this.cost;
    this.costNote.hidden = cost !== null;
    plot.svg.style.visibility = cost ? "visible" : "hidden";
    if (!cost) return;
    const top = Math.max(...cost.values.filter(Number.isFinite), cost.least.cost, 1e-9) * 1.08;
    const pad = (this.high - this.low) * 0.02 || 1;
    const ready = plot.layout([this.low - pad, this.high + pad], [0, top], {
      xFormat: (v) => integer.format(v),
      yFormat: (v) => costFormat.format(v),
      unit: false,
    });
    if (!ready) return;
    this.costPath.setAttribute("d", pathThrough(this.a.vt_threshold, cost.values, plot.sx, plot.sy));
    this.costCursor.setAttribute("y1", MARGIN.top);
    this.costCursor.setAttribute("y2", plot.plotBottom);
    const least = cost.least;
    const x = Number.isFinite(least.threshold) ? plot.sx(least.threshold) : plot.width - MARGIN.right;
    place(this.costLeast, x, plot.sy(least.cost));
  }

  /** The cost plot, each fold's figures and the test set's, under the numbers. */
  buildLower(lower) {
    const digit = this.header.digit;
    this.cost = new Plot(lower, {
      title: "Expected cost per 1,000 digits",
      xLabel: "threshold",
      yLabel: "cost per 1,000",
      className: "tx-cost",
    });
    this.costNote = el("p", "tx-cost-note", this.cost.box);
    this.costNote.textContent = "Give a cost to a false positive and a false negative (under the goals) to see it.";
    const layers = this.cost.layers;
    this.costPath = el("svg:path", "tx-curve tx-cost-curve", layers);
    this.costCursor = el("svg:line", "tx-cursor-line", layers);
    this.costLeast = el("svg:circle", "tx-dot tx-least", layers, { r: 5 });
    this.costDot = el("svg:circle", "tx-dot tx-current", layers, { r: 5 });

    const folds = el("figure", "tx-folds", lower);
    el("figcaption", "tx-plot-title", folds).textContent = "The same threshold on each fold alone";
    const table = el("table", "tx-fold-table", folds);
    const head = el("tr", "", el("thead", "", table));
    for (const text of ["", "digits", "precision", "recall"]) el("th", "", head).textContent = text;
    const body = el("tbody", "", table);
    this.foldOut = this.folds.map((fold, k) => {
      const row = el("tr", "", body);
      el("th", "", row, { scope: "row" }).textContent = `fold ${k + 1}`;
      el("td", "", row).textContent = count(fold.positive.length + fold.negative.length);
      return { precision: el("td", "", row), recall: el("td", "", row) };
    });
    this.foldNote = el("p", "tx-small", folds);

    const test = el("figure", "tx-test", lower);
    const nTest = this.a.test_positive.length + this.a.test_negative.length;
    const testShare = nTest ? this.a.test_positive.length / nTest : null;
    el("figcaption", "tx-plot-title", test).textContent = "Held-out test set, same threshold";
    el("p", "tx-small", test).textContent =
      `${count(nTest)} test digits scored by the final model; ${digit}s are ${testShare === null ? "—" : share.format(testShare)} of them.`;
    const list = el("dl", "tx-test-figures", test);
    this.testOut = {};
    for (const [name, label] of [["precision", "Precision"], ["recall", "Recall"]]) {
      const item = el("div", "", list);
      el("dt", "", item).textContent = label;
      this.testOut[name] = el("dd", "", item);
      this.testOut[`${name}Interval`] = el("span", "tx-ci", item);
    }
    this.testNote = el("p", "tx-small", test);
  }

  /** The sentence on what the numbers rest on, for the current settings. */
  basisText() {
    const digit = this.header.digit;
    const n = this.nScores;
    const training = n ? this.positive.length / n : null;
    const base = `Cross-validated: each of ${count(n)} training digits scored by a model that did not see it (${this.folds.length} folds)`;
    const p = this.settings.prevalence;
    if (p === null) {
      return `${base}. ${digit}s are ${training === null ? "—" : share.format(training)} of them (the training share), and so in these figures. 95% Wilson intervals.`;
    }
    return (
      `${base}. Precision, F1, accuracy and the cost are where ${digit}s are ${share.format(p)} of all digits (chosen; ` +
      `${training === null ? "—" : share.format(training)} in training). Recall and the false-positive rate are shares within one class, so they do not change with it.`
    );
  }

  // --- one threshold ----------------------------------------------------------------------

  /** Counts at `t` and every figure shown from them, at the settings' prevalence. */
  figures(t) {
    const m = metricsFromCounts(countsAt(this.positive, this.negative, t));
    const p = this.settings.prevalence;
    if (p === null) return m;
    return { ...m, ...atPrevalence(m.recall, m.falsePositiveRate, p) };
  }

  /** Count at `t` and redraw what changed. */
  show(t, force = false) {
    if (t === this.threshold && !force) return;
    this.threshold = t;
    const m = this.figures(t);
    const p = this.settings.prevalence;
    const ci = intervalsFromCounts(m, this.z);
    const root = this.root;
    root.dataset.threshold = String(t);
    root.dataset.tp = m.tp;
    root.dataset.fp = m.fp;
    root.dataset.fn = m.fn;
    root.dataset.tn = m.tn;
    root.dataset.precision = String(m.precision);
    root.dataset.recall = String(m.recall);
    const cost = this.curves.cost;
    const costNow = cost ? costOf(m, cost.weights) * cost.weights.perThousand : null;
    if (this.vt.sx) {
      const { sx, sy } = this.vt;
      const x = Math.min(Math.max(sx(t), MARGIN.left), this.vt.width - MARGIN.right);
      this.cursor.setAttribute("transform", `translate(${x.toFixed(1)} 0)`);
      place(this.precisionDot, x, m.precision === null ? null : sy(m.precision));
      place(this.recallDot, x, m.recall === null ? null : sy(m.recall));
      place(this.prDot, m.recall === null ? null : this.pr.sx(m.recall), m.precision === null ? null : this.pr.sy(m.precision));
      place(this.rocDot, m.falsePositiveRate === null ? null : this.roc.sx(m.falsePositiveRate), m.recall === null ? null : this.roc.sy(m.recall));
      if (cost && this.cost.sx) {
        const cx = Math.min(Math.max(this.cost.sx(t), MARGIN.left), this.cost.width - MARGIN.right);
        this.costCursor.setAttribute("x1", cx.toFixed(1));
        this.costCursor.setAttribute("x2", cx.toFixed(1));
        place(this.costDot, cx, this.cost.sy(costNow));
      }
    }
    const shown = thresholdText(t);
    this.text(this.thresholdOut, shown);
    // Changes are since the threshold the server has: the last release, pick or link.
    const before = this.committedMetrics();
    for (const name of ["precision", "recall", "f1", "accuracy", "falsePositiveRate", "specificity"]) {
      this.text(this.out[name], pct(m[name]));
      this.text(this.out[`${name}Change`], before ? pointsChange(m[name], before[name]) : "");
    }
    const precisionRange = p === null ? ci.precision : precisionBoundsAt(ci.recall, ci.falsePositiveRate, p);
    this.text(this.out.precisionInterval, precisionRange ? `${p === null ? "95%" : "from the rates"}: ${range(precisionRange)}` : "");
    this.text(this.out.recallInterval, ci.recall ? `95%: ${range(ci.recall)}` : "");
    this.text(this.out.falsePositiveRateInterval, ci.falsePositiveRate ? `95%: ${range(ci.falsePositiveRate)}` : "");
    this.text(this.out.flagged, count(m.flagged));
    this.text(this.out.kept, count(m.fn + m.tn));
    for (const cell of ["tp", "fp", "fn", "tn"]) this.text(this.out[cell], count(m[cell]));
    this.showLower(t, costNow, ci);
    this.slider.setAttribute("aria-valuenow", String(t));
    this.slider.setAttribute(
      "aria-valuetext",
      `threshold ${shown}: precision ${pct(m.precision)}, recall ${pct(m.recall)}, ${count(m.flagged)} flagged`,
    );
  }

  /** The cost, each fold's figures and the test set's at `t` (`ci`: the pooled intervals). */
  showLower(t, costNow, ci) {
    const p = this.settings.prevalence;
    const cost = this.curves.cost;
    if (cost) {
      const { fpCost, fnCost } = this.settings;
      const at = p === null ? "the training share" : share.format(p);
      const { threshold: best, cost: least } = cost.least;
      const where = Number.isFinite(best) ? `at ${thresholdText(best)}` : "flagging nothing";
      this.text(
        this.cost.title,
        `Expected cost per 1,000 digits: ${costFormat.format(costNow)} here, least ${costFormat.format(least)} ${where} (FP ${fpCost}, FN ${fnCost}; ${this.header.digit}s at ${at})`,
      );
    } else {
      this.text(this.cost.title, "Expected cost per 1,000 digits");
    }
    this.folds.forEach((fold, k) => {
      const fm = metricsFromCounts(countsAt(fold.positive, fold.negative, t));
      const precision = p === null ? fm.precision : atPrevalence(fm.recall, fm.falsePositiveRate, p).precision;
      this.text(this.foldOut[k].precision, pct(precision));
      this.text(this.foldOut[k].recall, pct(fm.recall));
    });
    const held = metricsFromCounts(countsAt(this.a.test_positive, this.a.test_negative, t));
    const heldCi = intervalsFromCounts(held, this.z);
    this.text(this.testOut.precision, pct(held.precision));
    this.text(this.testOut.precisionInterval, heldCi.precision ? `95%: ${range(heldCi.precision)}` : "");
    this.text(this.testOut.recall, pct(held.recall));
    this.text(this.testOut.recallInterval, heldCi.recall ? `95%: ${range(heldCi.recall)}` : "");
    const shifted = p === null ? null : atPrevalence(held.recall, held.falsePositiveRate, p).precision;
    this.text(
      this.testNote,
      p === null
        ? agreement(held, ci)
        : `Where ${this.header.digit}s are ${share.format(p)}: precision ${pct(shifted)}.`,
    );
  }

  committedMetrics() {
    if (this.committed === null) return null;
    if (this.anchor?.threshold !== this.committed) {
      this.anchor = { threshold: this.committed, metrics: this.figures(this.committed) };
    }
    return this.anchor.metrics;
  }

  text(node, value) {
    if (this.texts.get(node) !== value) {
      this.texts.set(node, value);
      node.textContent = value;
    }
  }

  /** The server's threshold (a picker, the exact number, a link), unless the user holds it. */
  follow(position) {
    this.configure(position.settings);
    if (position.seq === this.seq) return;
    this.seq = position.seq;
    this.committed = position.threshold;
    if (!this.dragging) this.show(position.threshold);
  }

  /** Tell the server, once, where the threshold was released. */
  release() {
    clearTimeout(this.keyTimer);
    if (this.threshold === null || this.threshold === this.committed) return;
    this.committed = this.threshold;
    this.send?.("release", this.threshold);
  }

  // --- input ------------------------------------------------------------------------------

  listen() {
    const slider = this.slider;
    const on = (node, type, handler) => node.addEventListener(type, handler);
    on(slider, "pointerdown", (event) => {
      if (event.button !== 0) return;
      slider.setPointerCapture(event.pointerId);
      this.dragging = true;
      this.rects = null;
      this.hideTip();
      slider.focus({ preventScroll: true });
      this.dragTo(event.clientX);
    });
    on(slider, "pointermove", (event) => {
      if (this.dragging) this.dragTo(event.clientX);
      else this.hoverThreshold(event);
    });
    const up = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.release();
    };
    on(slider, "pointerup", up);
    on(slider, "pointercancel", up);
    on(slider, "lostpointercapture", up);
    on(slider, "pointerleave", () => this.dragging || this.hideTip());
    // The page may have moved since the last gesture (Streamlit redraws what is above).
    for (const node of [slider, this.pr.svg, this.roc.svg]) on(node, "pointerenter", this.forgetRects);
    on(slider, "keydown", (event) => this.key(event));
    on(slider, "blur", () => this.keyTimer && this.release());
    for (const [plot, points, hover] of [
      [this.pr, () => this.prPoints, this.prHover],
      [this.roc, () => this.rocPoints, this.rocHover],
    ]) {
      const kind = plot === this.pr ? "pr" : "roc";
      on(plot.svg, "pointermove", (event) => this.hoverCurve(event, plot, points(), hover, kind));
      on(plot.svg, "pointerleave", () => {
        hover.setAttribute("visibility", "hidden");
        this.hideTip();
      });
      on(plot.svg, "click", (event) => {
        const i = this.hoverCurve(event, plot, points(), hover, kind);
        const t = i === null ? null : this.a[`${kind}_threshold`][i];
        if (t === null || !Number.isFinite(t)) return; // the ROC's "flag nothing" end
        this.show(t);
        this.release();
      });
    }
    window.addEventListener("scroll", this.forgetRects, { passive: true, capture: true });
    window.addEventListener("resize", this.forgetRects, { passive: true });
  }

  forgetRects = () => {
    this.rects = null;
  };

  /** Where the plots are on screen, measured once per gesture or scroll, not per move. */
  rect(node) {
    this.rects ??= new Map();
    let r = this.rects.get(node);
    if (!r) {
      r = node.getBoundingClientRect();
      this.rects.set(node, r);
    }
    return r;
  }

  thresholdAt(clientX) {
    const x = clientX - this.rect(this.vt.svg).left;
    const value = this.vt.sx.invert(x);
    return nearestScore(this.positive, this.negative, Math.min(Math.max(value, this.low), this.high));
  }

  dragTo(clientX) {
    if (!this.vt.sx) return;
    const started = performance.now();
    this.show(this.thresholdAt(clientX));
    // The benchmark (bench/bench_explorer.py) reads each move's own time when it asks for it.
    globalThis.__thresholdExplorerTimings?.push(performance.now() - started);
  }

  key(event) {
    const t = this.threshold ?? this.low;
    const page = Math.max(1, Math.ceil(this.nScores / 100));
    const moves = {
      ArrowRight: () => nextScore(this.positive, this.negative, t),
      ArrowUp: () => nextScore(this.positive, this.negative, t),
      ArrowLeft: () => previousScore(this.positive, this.negative, t),
      ArrowDown: () => previousScore(this.positive, this.negative, t),
      PageUp: () => stepByRank(this.positive, this.negative, t, page),
      PageDown: () => stepByRank(this.positive, this.negative, t, -page),
      Home: () => this.low,
      End: () => this.high,
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const next = move();
    // Beyond the scores (a typed threshold) the arrows come back to the nearest score.
    const target = next ?? nearestScore(this.positive, this.negative, Math.min(Math.max(t, this.low), this.high));
    this.hideTip();
    this.show(target);
    clearTimeout(this.keyTimer);
    this.keyTimer = setTimeout(() => this.release(), KEY_RELEASE_MS);
  }

  // --- hover ------------------------------------------------------------------------------

  hoverThreshold(event) {
    if (!this.vt.sx) return;
    const t = this.thresholdAt(event.clientX);
    const x = this.vt.sx(t);
    this.hoverLine.setAttribute("x1", x.toFixed(1));
    this.hoverLine.setAttribute("x2", x.toFixed(1));
    this.hoverLine.setAttribute("visibility", "visible");
    this.showTip(t, this.vt.svg, x, event.clientY - this.rect(this.vt.svg).top);
  }

  /** The drawn curve point nearest the pointer (within HOVER_RADIUS), shown; its index. */
  hoverCurve(event, plot, points, hover, kind) {
    if (!points) return null;
    const r = this.rect(plot.svg);
    const x = event.clientX - r.left;
    const y = event.clientY - r.top;
    let best = null;
    let bestDistance = HOVER_RADIUS * HOVER_RADIUS;
    for (let i = 0; i < points.x.length; i++) {
      const dx = points.x[i] - x;
      const dy = points.y[i] - y;
      const d = dx * dx + dy * dy;
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    if (best === null) {
      hover.setAttribute("visibility", "hidden");
      this.hideTip();
      return null;
    }
    place(hover, points.x[best], points.y[best]);
    hover.setAttribute("visibility", "visible");
    this.showTip(this.a[`${kind}_threshold`][best], plot.svg, points.x[best], points.y[best]);
    return best;
  }

  showTip(t, svg, x, y) {
    const m = this.figures(t);
    const lines = Number.isFinite(t)
      ? [
          `Threshold ${thresholdText(t)}`,
          `Precision ${pct(m.precision)} · Recall ${pct(m.recall)}`,
          `TP ${count(m.tp)} · FP ${count(m.fp)}`,
          `FN ${count(m.fn)} · TN ${count(m.tn)}`,
        ]
      : ["Flag nothing (threshold above every score)", `FN ${count(m.fn)} · TN ${count(m.tn)}`];
    this.tip.textContent = lines.join("\n");
    this.tip.hidden = false;
    const origin = this.rect(this.root);
    const box = this.rect(svg);
    const left = box.left - origin.left + x;
    const top = box.top - origin.top + y;
    const flip = left > origin.width - 200;
    this.tip.style.transform = `translate(${flip ? left - 12 : left + 12}px, ${top + 12}px) translateX(${flip ? "-100%" : "0"})`;
  }

  hideTip() {
    this.tip.hidden = true;
    this.hoverLine.setAttribute("visibility", "hidden");
  }

  destroy() {
    this.resizer?.disconnect();
    window.removeEventListener("scroll", this.forgetRects, { capture: true });
    window.removeEventListener("resize", this.forgetRects);
    clearTimeout(this.keyTimer);
    registry.explorers.get(this.id)?.delete(this);
  }
}

/** Whether the test set's precision and recall fall inside the cross-validated intervals. */
export function agreement(held, ci) {
  const inside = (value, pair) => value !== null && pair !== null && pair[0] <= value && value <= pair[1];
  const verdicts = [
    ["precision", held.precision, ci.precision],
    ["recall", held.recall, ci.recall],
  ].filter(([, value, pair]) => value !== null && pair !== null);
  if (!verdicts.length) return "";
  const outside = verdicts.filter(([, value, pair]) => !inside(value, pair)).map(([name]) => name);
  if (!outside.length) return "Inside the cross-validated 95% intervals: the test agrees.";
  return `The test's ${outside.join(" and ")} ${outside.length > 1 ? "are" : "is"} outside the cross-validated 95% interval${outside.length > 1 ? "s" : ""}.`;
}

function cellTitle(cell, digit) {
  return {
    tp: `true positives: ${digit}s flagged`,
    fn: `false negatives: ${digit}s left out`,
    fp: `false positives: other digits flagged`,
    tn: `true negatives: other digits left out`,
    flagged: "flagged: score at or above the threshold",
    kept: "not flagged: score below the threshold",
  }[cell];
}

function place(dot, x, y) {
  if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) {
    dot.setAttribute("visibility", "hidden");
    return;
  }
  dot.setAttribute("visibility", "visible");
  dot.setAttribute("cx", x.toFixed(1));
  dot.setAttribute("cy", y.toFixed(1));
}

function screenPoints(xs, ys, plot) {
  const x = new Float64Array(xs.length);
  const y = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    x[i] = Number.isFinite(xs[i]) ? plot.sx(xs[i]) : NaN;
    y[i] = Number.isFinite(ys[i]) ? plot.sy(ys[i]) : NaN;
  }
  return { x, y };
}
