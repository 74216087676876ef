// The explorer on the page: listens to the pointer, the keys and the size, turns them into
// state.js events, and draws the state. Everything is laid out once per size; a threshold
// change only moves the cursor and the points and rewrites the texts that changed.

import { buildExplorer } from "./build.js";
import {
  HANDLE,
  MARGIN,
  RATE_DOMAIN,
  UNIT_DOMAIN,
  handlePath,
  insidePlot,
  nearestPoint,
  pathThrough,
  screenPoints,
} from "./drawing.js";
import { costAt, curvesFor, figuresAt } from "./figures.js";
import { mergeLadders } from "./ladder.js";
import { windowLadder } from "./payload.js";
import { place } from "./plot.js";
import { Readout } from "./readout.js";
import { STEP_KEYS, ZOOM_KEYS, initialState, reduce, snap } from "./state.js";
import * as words from "./wording.js";
import { ZoomInput, labelHandle } from "./zoom.js";

/** Pixels from the threshold axis down to its ticks' row, under the handle's strip. */
const TICK_ROW = HANDLE + 13;
/** Pixels between the score axes' ticks: their compact labels ("-25k") allow more than the rates'. */
const SCORE_TICK_SPACING = 55;

const KEY_PAUSE_MS = 400; // a pause after the last key counts as a release
const ASK_TIMEOUT_MS = 3000; // a window not answered by then is asked again if still wanted
const KEPT_WINDOWS = 16; // the server's latest windows kept on the ladder (with the position's)

/**
 * The User Timing measure of each drag move's work (snap, count, redraw): visible in the
 * browser's performance tools, read by the benchmark. Only the last drag's are kept.
 */
export const MOVE_MEASURE = "threshold-explorer: move";

export class ExplorerView {
  /**
   * Build the explorer of `detector` (payload.js detectorOf) in `parentElement`, at the
   * server's `position` when one is known; `send(name, value)` tells the server a release;
   * `ask(request)` asks it for a window of the ladder (false when it cannot yet).
   */
  constructor(parentElement, detector, send, position = null, ask = null) {
    this.detector = detector;
    this.id = detector.header.id;
    this.send = send;
    this.ask = ask;
    this.windows = []; // the server's latest windows' ladders, oldest first
    this.positionWindow = null; // the ladder around the server's position
    this.windowSeqs = new Set(); // the windows already taken
    // Requests are numbered from a random start: a window the server kept from an earlier page
    // of this session is then never taken for the answer to one of this page's requests.
    this.asked = Math.floor(Math.random() * 2 ** 40);
    this.inFlight = null; // {seq, want} of the request waiting for its window
    this.sentWant = null;
    this.state = initialState(detector);
    if (position) this.follow(position, false);
    this.curves = curvesFor(detector, this.state.ladder, this.state.settings, this.state.view.domain);
    this.nodes = buildExplorer(detector, this.state.scores);
    this.readout = new Readout(this.nodes, detector);
    this.rects = null; // where the plots are on screen, measured once per gesture or scroll
    this.committedFigures = null; // {threshold, settings, figures}: what the changes are from
    this.keyTimer = undefined;
    this.laidOutSize = null;
    this.laidOut = false;
    this.shownThreshold = null;
    // Streamlit keeps the stylesheet's <link> in the same parent: replace only our own root.
    parentElement.querySelector(":scope > .tx")?.remove();
    parentElement.appendChild(this.nodes.root);
    this.listen();
    this.resizer = new ResizeObserver(() => this.layout());
    this.resizer.observe(this.nodes.root);
    this.layout(); // draws the threshold too, once the plots have room
    this.readout.describeSettings(this.state.settings);
    this.show();
    this.request();
  }

  /** A server position (from explorer.js's board): its scores, its threshold unless the user holds it, its settings. */
  follow(position, draw = true) {
    if (position.window) {
      this.positionWindow = windowLadder(this.detector, position.window);
      this.grow(null, draw);
    }
    this.update({ type: "position", position }, draw);
  }

  /** A window of the ladder from the server (explorer.js's board): {header, arrays}. */
  receive({ header, arrays }) {
    const answers = this.inFlight?.seq === header.seq;
    if (answers) {
      clearTimeout(this.askTimer);
      this.inFlight = null;
    }
    if (this.windowSeqs.has(header.seq)) return this.request(); // a rerun mounting it again
    this.windowSeqs.add(header.seq);
    this.windows = [...this.windows, windowLadder(this.detector, arrays)].slice(-KEPT_WINDOWS);
    this.grow(answers ? this.sentWant : null);
  }

  /** The ladder of the payload, the position's window and the latest windows, as the state's. */
  grow(answered, draw = true) {
    let ladder = mergeLadders(this.detector.ladder, this.positionWindow);
    for (const part of this.windows) ladder = mergeLadders(ladder, part);
    this.update({ type: "ladder", ladder, answered }, draw);
  }

  update(event, draw) {
    if (draw) this.dispatch(event);
    else this.state = reduce(this.state, event);
  }

  /** Ask the server for the window the state wants, one request at a time. */
  request() {
    const want = this.state.want;
    if (!want || want === this.sentWant || this.inFlight || !this.ask) return;
    const plot = this.nodes?.thresholdPlot;
    const width = plot?.width ? plot.width - MARGIN.left - MARGIN.right : 1200;
    const columns = Math.min(4096, Math.max(16, Math.round(width * (window.devicePixelRatio || 1))));
    const seq = ++this.asked;
    if (!this.ask({ seq, threshold: want.threshold, view: want.view, columns })) return;
    this.sentWant = want;
    this.inFlight = { seq, want };
    clearTimeout(this.askTimer);
    this.askTimer = setTimeout(() => {
      this.inFlight = null;
      this.sentWant = null;
      this.request();
    }, ASK_TIMEOUT_MS);
  }

  /** Apply `event` to the state and draw what changed; send a release the state asks for. */
  dispatch(event) {
    const before = this.state;
    const after = reduce(before, event);
    if (after === before) return;
    this.state = after;
    if (!after.keysPending) clearTimeout(this.keyTimer);
    const zoomed = after.view.domain !== before.view.domain;
    if (after.settings !== before.settings || zoomed || after.ladder !== before.ladder) {
      this.curves = curvesFor(this.detector, after.ladder, after.settings, after.view.domain);
      if (zoomed) this.layoutAxes();
      this.drawCurves();
      if (after.settings !== before.settings) this.readout.describeSettings(this.state.settings);
      this.show(true);
    } else if (after.threshold !== before.threshold) {
      this.show();
    }
    if (after.unsent !== null) {
      this.send?.("release", after.unsent);
      this.dispatch({ type: "releaseSent" });
    }
    if (after.want !== before.want) this.request();
  }

  // --- drawing ----------------------------------------------------------------------------

  /** The threshold plot's axes at the visible scores; false while it has no room. */
  layoutAxes() {
    const options = { xFormat: words.compactScore, yFormat: words.percentTick, tickGap: TICK_ROW, tickSpacing: SCORE_TICK_SPACING };
    return this.nodes.thresholdPlot.layout(this.state.view.domain, UNIT_DOMAIN, { ...options, bottom: MARGIN.bottom + HANDLE });
  }

  layout() {
    const { thresholdPlot, prPlot, rocPlot, costPlot } = this.nodes;
    // Only a new size lays the plots out again: never a change of the numbers.
    const size = [thresholdPlot, prPlot, rocPlot, costPlot].map((plot) => plot.size).join();
    if (size === this.laidOutSize) return;
    this.laidOutSize = size;
    const rates = { xFormat: words.percentTick, yFormat: words.percentTick };
    const thresholdReady = this.layoutAxes();
    const prReady = prPlot.layout(RATE_DOMAIN, UNIT_DOMAIN, rates);
    const rocReady = rocPlot.layout(RATE_DOMAIN, UNIT_DOMAIN, rates);
    this.laidOut = thresholdReady && prReady && rocReady;
    if (!this.laidOut) return;
    const { cursorLine, handle, hoverLine, rocPath, chance } = this.nodes;
    cursorLine.setAttribute("y1", MARGIN.top);
    cursorLine.setAttribute("y2", thresholdPlot.plotBottom + HANDLE);
    handle.setAttribute("d", handlePath(thresholdPlot.plotBottom + HANDLE + 2));
    this.nodes.handleLabel.setAttribute("y", thresholdPlot.plotBottom + TICK_ROW);
    hoverLine.setAttribute("y1", MARGIN.top);
    hoverLine.setAttribute("y2", thresholdPlot.plotBottom);
    const { roc_fpr: fpr, roc_tpr: tpr } = this.detector.arrays;
    const { sx, sy } = rocPlot;
    rocPath.setAttribute("d", pathThrough(fpr, tpr, sx, sy));
    for (const [name, value] of [["x1", sx(0)], ["y1", sy(0)], ["x2", sx(1)], ["y2", sy(1)]]) chance.setAttribute(name, value);
    // Screen positions of the drawn points, for hover and click (the PR curve's in drawCurves).
    this.rocPoints = screenPoints(fpr, tpr, sx, sy);
    this.rects = null;
    this.drawCurves();
    this.readout.forget(); // sizes changed: write everything again
    this.readout.describeSettings(this.state.settings);
    this.show(true);
  }

  /** Draw the curves of the settings (layout first: the cost plot's scale follows its curve). */
  drawCurves() {
    if (!this.laidOut) return;
    const { thresholds, vsThreshold, pr, folds } = this.curves;
    const { thresholdPlot, prPlot, foldPaths } = this.nodes;
    const { sx, sy } = thresholdPlot;
    this.nodes.precisionPath.setAttribute("d", pathThrough(thresholds, vsThreshold.precision, sx, sy));
    this.nodes.recallPath.setAttribute("d", pathThrough(thresholds, vsThreshold.recall, sx, sy));
    this.nodes.prPath.setAttribute("d", pathThrough(pr.recall, pr.precision, prPlot.sx, prPlot.sy));
    folds.forEach((fold, k) => {
      const paths = foldPaths[k];
      paths.precision.setAttribute("d", pathThrough(thresholds, fold.vsThreshold.precision, sx, sy));
      paths.recall.setAttribute("d", pathThrough(thresholds, fold.vsThreshold.recall, sx, sy));
      paths.pr.setAttribute("d", pathThrough(fold.pr.recall, fold.pr.precision, prPlot.sx, prPlot.sy));
    });
    this.prPoints = screenPoints(pr.recall, pr.precision, prPlot.sx, prPlot.sy);
    this.drawCost();
  }

  drawCost() {
    const cost = this.curves.cost;
    const { costPlot: plot, costNote, costPath, costCursor, costLeast, costLegend } = this.nodes;
    costNote.hidden = cost !== null;
    costLegend.hidden = cost === null;
    this.costPoints = null;
    plot.svg.style.visibility = cost ? "visible" : "hidden";
    if (!cost) return;
    const top = Math.max(...cost.values.filter(Number.isFinite), cost.least.cost, 1e-9) * 1.08;
    const ready = plot.layout(this.state.view.domain, [0, top], {
      xFormat: words.compactScore,
      tickSpacing: SCORE_TICK_SPACING,
      yFormat: words.costText,
      unit: false,
    });
    if (!ready) return;
    costPath.setAttribute("d", pathThrough(this.curves.thresholds, cost.values, plot.sx, plot.sy));
    this.costPoints = screenPoints(this.curves.thresholds, cost.values, plot.sx, plot.sy);
    costCursor.setAttribute("y1", MARGIN.top);
    costCursor.setAttribute("y2", plot.plotBottom);
    const least = cost.least;
    const [low, high] = this.state.view.domain;
    const x = Number.isFinite(least.threshold) ? plot.sx(least.threshold) : plot.width - MARGIN.right;
    const seen = !Number.isFinite(least.threshold) || (least.threshold >= low && least.threshold <= high);
    place(costLeast, seen ? x : null, plot.sy(least.cost));
  }

  /** The figures at `t`, at the settings' prevalence. */
  figures(t) {
    return figuresAt(this.state.ladder, this.detector.pool, t, this.state.settings.prevalence);
  }

  /** Count at the state's threshold and redraw what changed (`force`: even at the same threshold). */
  show(force = false) {
    const t = this.state.threshold;
    if (t === null || (t === this.shownThreshold && !force)) return;
    this.shownThreshold = t;
    const figures = this.figures(t);
    const { root } = this.nodes;
    Object.assign(root.dataset, { threshold: String(t), tp: figures.tp, fp: figures.fp, fn: figures.fn, tn: figures.tn });
    root.dataset.precision = String(figures.precision);
    root.dataset.recall = String(figures.recall);
    const { cost } = this.curves;
    const costNow = costAt(figures, cost);
    this.moveMarks(t, figures, costNow);
    // Changes are since the threshold the server has: the last release, pick or link.
    const before = this.figuresAtCommitted();
    this.readout.show({ ladder: this.state.ladder, t, figures, before, costNow, cost, settings: this.state.settings });
  }

  /** The cursor and the current points of each plot, at `t` with `figures`. */
  moveMarks(t, figures, costNow) {
    const { thresholdPlot, prPlot, rocPlot, costPlot } = this.nodes;
    if (!thresholdPlot.sx) return;
    const { sx, sy } = thresholdPlot;
    const x = insidePlot(sx(t), thresholdPlot.width);
    const nodes = this.nodes;
    nodes.cursor.setAttribute("transform", `translate(${x.toFixed(1)} 0)`);
    labelHandle(nodes, t, x, this.readout.decimals, this.readout.texts);
    place(nodes.precisionDot, x, figures.precision === null ? null : sy(figures.precision));
    place(nodes.recallDot, x, figures.recall === null ? null : sy(figures.recall));
    place(nodes.prDot, figures.recall === null ? null : prPlot.sx(figures.recall), figures.precision === null ? null : prPlot.sy(figures.precision));
    place(nodes.rocDot, figures.falsePositiveRate === null ? null : rocPlot.sx(figures.falsePositiveRate), figures.recall === null ? null : rocPlot.sy(figures.recall));
    if (this.curves.cost && costPlot.sx) {
      const costX = insidePlot(costPlot.sx(t), costPlot.width);
      nodes.costCursor.setAttribute("x1", costX.toFixed(1));
      nodes.costCursor.setAttribute("x2", costX.toFixed(1));
      place(nodes.costDot, costX, costPlot.sy(costNow));
    }
  }

  /** The figures at the threshold the server has (null before it has one), computed once each. */
  figuresAtCommitted() {
    const { committed, settings } = this.state;
    if (committed === null) return null;
    const cached = this.committedFigures;
    if (cached?.threshold !== committed || cached.settings !== settings) {
      this.committedFigures = { threshold: committed, settings, figures: this.figures(committed) };
    }
    return this.committedFigures.figures;
  }

  // --- input ------------------------------------------------------------------------------

  listen() {
    const { slider, prPlot, rocPlot, costPlot, prHover, rocHover, costHover } = this.nodes;
    const on = (node, type, handler) => node.addEventListener(type, handler);
    this.zoom = new ZoomInput(this);
    on(slider, "pointerdown", (event) => {
      if (event.button !== 0) return;
      slider.setPointerCapture(event.pointerId);
      // Where the plots are, measured before this press writes anything: a measure after a
      // write would make the browser lay the page out within the press.
      this.rects = null;
      this.rect(this.nodes.thresholdPlot.svg);
      if (this.zoom.startBrush(event)) return;
      this.hideTip();
      slider.focus({ preventScroll: true });
      performance.clearMeasures(MOVE_MEASURE);
      this.dragTo("pointerDown", event.clientX);
    });
    on(slider, "pointermove", (event) => {
      if (this.zoom.moveBrush(event)) return;
      if (this.state.dragging) this.dragTo("pointerMove", event.clientX);
      else this.hoverThreshold(event);
    });
    const up = (event) => this.zoom.endBrush(event) || this.dispatch({ type: "pointerUp" });
    on(slider, "pointerup", up);
    on(slider, "pointercancel", up);
    on(slider, "lostpointercapture", up);
    on(slider, "pointerleave", () => this.state.dragging || this.hideTip());
    // The page may have moved since the last gesture (Streamlit redraws what is above).
    for (const node of [slider, prPlot.svg, rocPlot.svg, costPlot.svg]) on(node, "pointerenter", this.forgetRects);
    on(slider, "keydown", (event) => this.key(event));
    on(slider, "blur", () => this.dispatch({ type: "blur" }));
    for (const [plot, kind, hover] of [
      [prPlot, "pr", prHover],
      [rocPlot, "roc", rocHover],
      [costPlot, "cost", costHover],
    ]) {
      const points = () => ({ pr: this.prPoints, roc: this.rocPoints, cost: this.costPoints })[kind];
      on(plot.svg, "pointermove", (event) => this.hoverCurve(event, plot, points(), hover, kind));
      on(plot.svg, "pointerleave", () => {
        hover.setAttribute("visibility", "hidden");
        this.hideTip();
      });
      on(plot.svg, "click", (event) => {
        const index = this.hoverCurve(event, plot, points(), hover, kind);
        if (index === null) return;
        // The ROC's "flag nothing" end is no threshold to pick: the reducer ignores it.
        this.dispatch({ type: "pick", threshold: this.curveThreshold(kind, index) });
      });
    }
    window.addEventListener("scroll", this.forgetRects, { passive: true, capture: true });
    window.addEventListener("resize", this.forgetRects, { passive: true });
  }

  forgetRects = () => {
    this.rects = null;
  };

  /** Where `node` is on screen, measured once per gesture or scroll, not per move. */
  rect(node) {
    this.rects ??= new Map();
    let box = this.rects.get(node);
    if (!box) {
      box = node.getBoundingClientRect();
      this.rects.set(node, box);
    }
    return box;
  }

  /** The score-axis value under `clientX` (kept inside the plot's area), or null before the plot is laid out. */
  valueAt(clientX) {
    const plot = this.nodes.thresholdPlot;
    return plot.sx ? plot.sx.invert(insidePlot(clientX - this.rect(plot.svg).left, plot.width)) : null;
  }

  /** The threshold of a drawn curve's point: the PR's and ROC's from the payload, the cost's snapped to a score. */
  curveThreshold(kind, index) {
    return kind === "cost" ? snap(this.state, this.curves.thresholds[index]) : this.detector.arrays[`${kind}_threshold`][index];
  }

  /** One drag step, timed as the user-timing measure MOVE_MEASURE. */
  dragTo(type, clientX) {
    const start = performance.now();
    this.dispatch({ type, value: this.valueAt(clientX) });
    performance.measure(MOVE_MEASURE, { start });
  }

  key(event) {
    if (ZOOM_KEYS.has(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      this.dispatch({ type: "key", key: event.key });
      return;
    }
    if (!STEP_KEYS.has(event.key)) return;
    event.preventDefault();
    this.hideTip();
    this.dispatch({ type: "key", key: event.key, shift: event.shiftKey });
    clearTimeout(this.keyTimer);
    this.keyTimer = setTimeout(() => this.dispatch({ type: "keyPause" }), KEY_PAUSE_MS);
  }

  // --- hover ------------------------------------------------------------------------------

  hoverThreshold(event) {
    const plot = this.nodes.thresholdPlot;
    if (!plot.sx) return;
    const t = snap(this.state, this.valueAt(event.clientX));
    const x = plot.sx(t).toFixed(1);
    const line = this.nodes.hoverLine;
    line.setAttribute("x1", x);
    line.setAttribute("x2", x);
    line.setAttribute("visibility", "visible");
    this.showTip(t, plot.svg, plot.sx(t), event.clientY - this.rect(plot.svg).top);
  }

  /** The drawn curve point nearest the pointer, shown; its index (null when none is near). */
  hoverCurve(event, plot, points, hover, kind) {
    if (!points) return null;
    const box = this.rect(plot.svg);
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const index = nearestPoint(points, x, y);
    if (index === null) {
      hover.setAttribute("visibility", "hidden");
      this.hideTip();
      return null;
    }
    place(hover, points.x[index], points.y[index]);
    hover.setAttribute("visibility", "visible");
    this.showTip(this.curveThreshold(kind, index), plot.svg, points.x[index], points.y[index]);
    return index;
  }

  showTip(t, svg, x, y) {
    const tip = this.nodes.tip;
    tip.textContent = words.tipLines(t, this.figures(t), this.readout.decimals).join("\n");
    tip.hidden = false;
    const origin = this.rect(this.nodes.root);
    const box = this.rect(svg);
    const left = box.left - origin.left + x;
    const top = box.top - origin.top + y;
    const flip = left > origin.width - 200;
    tip.style.transform = `translate(${flip ? left - 12 : left + 12}px, ${top + 12}px) translateX(${flip ? "-100%" : "0"})`;
  }

  hideTip() {
    this.nodes.tip.hidden = true;
    this.nodes.hoverLine.setAttribute("visibility", "hidden");
  }

  destroy() {
    this.ask = null;
    this.zoom?.destroy();
    this.resizer?.disconnect();
    window.removeEventListener("scroll", this.forgetRects, { capture: true });
    window.removeEventListener("resize", this.forgetRects);
    clearTimeout(this.keyTimer);
    clearTimeout(this.askTimer);
  }
}
