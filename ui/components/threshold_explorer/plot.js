// DOM helpers of the view: elements, one SVG plot with its axes, a dot placed or hidden, and
// texts and visibility written only when they change.

import { MARGIN, axes, tickStep } from "./drawing.js";

const SVG = "http://www.w3.org/2000/svg";

/** A new element ("svg:" prefix: in the SVG namespace) with its class and attributes, appended to `parent`. */
export function el(tag, className, parent, attributes = {}) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  if (className) node.setAttribute("class", className);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  parent?.appendChild(node);
  return node;
}

/**
 * `node` shown or hidden by its `visibility` attribute, written only when it changes: the
 * stylesheet selects on that attribute, so each write makes the browser check the styles again.
 */
export function setVisible(node, visible) {
  const value = visible ? "visible" : "hidden";
  if (node.getAttribute("visibility") !== value) node.setAttribute("visibility", value);
}

/** A dot at (x, y) in pixels, hidden when either is undefined. */
export function place(dot, x, y) {
  if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) {
    setVisible(dot, false);
    return;
  }
  setVisible(dot, true);
  dot.setAttribute("cx", x.toFixed(1));
  dot.setAttribute("cy", y.toFixed(1));
}

/**
 * Nodes' texts as last written through `write`, which writes only a text that changed, and
 * then into the node's one text node (replacing that node, as `textContent = value` does,
 * costs more); `textContent` alone writes an empty text or the first one. A node written
 * through it is written only through it, or forgotten first.
 */
export class Texts {
  constructor() {
    this.shown = new Map(); // node -> {value, text: its text node once written}
  }

  write(node, value) {
    const shown = this.shown.get(node);
    if (shown?.value === value) return;
    if (shown?.text && value !== "") {
      shown.text.data = value;
      shown.value = value;
      return;
    }
    node.textContent = value;
    this.shown.set(node, { value, text: value === "" ? null : node.firstChild });
  }

  /** Write every text again on the next calls. */
  forget() {
    this.shown.clear();
  }
}

/** One plot: an SVG with axes, laid out again only when its size changes. */
export class Plot {
  constructor(parent, { title, xLabel, yLabel, className }) {
    this.box = el("figure", `tx-plot ${className}`, parent);
    this.title = el("figcaption", "tx-plot-title", this.box);
    this.title.textContent = title;
    this.svg = el("svg:svg", "tx-svg", this.box, { "aria-hidden": "true" });
    this.grid = el("svg:g", "tx-grid", this.svg);
    this.layers = el("svg:g", "", this.svg);
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.sx = null; // the scales, once laid out
    this.sy = null;
  }

  /** Its size as laid out ("0x0" before it has room). */
  get size() {
    return `${this.svg.clientWidth}x${this.svg.clientHeight}`;
  }

  /**
   * Size, scales, grid and labels; returns false when the plot has no room yet. `xFormat(value,
   * step)` labels an x tick (`step`: between two ticks); `tickGap`: pixels from the axis down
   * to the x ticks' labels; `tickSpacing`: about that many pixels between x ticks.
   */
  layout(xDomain, yDomain, { xFormat, yFormat, bottom = MARGIN.bottom, unit = true, tickGap = 13, tickSpacing = 90 }) {
    const width = this.svg.clientWidth;
    const height = this.svg.clientHeight;
    if (!width || !height) return false;
    const { plotBottom, sx, sy, xTicks, yTicks } = axes({ width, height, xDomain, yDomain, bottom, unit, tickSpacing });
    Object.assign(this, { width, height, plotBottom, sx, sy });
    this.grid.replaceChildren();
    for (const value of yTicks) {
      const y = sy(value).toFixed(1);
      el("svg:line", "tx-gridline", this.grid, { x1: MARGIN.left, x2: width - MARGIN.right, y1: y, y2: y });
      el("svg:text", "tx-tick tx-tick-y", this.grid, { x: MARGIN.left - 5, y }).textContent = yFormat(value);
    }
    const step = xTicks.length > 1 ? xTicks[1] - xTicks[0] : tickStep(xDomain[0], xDomain[1], 4);
    this.xStep = step;
    this.xTicks = xTicks.map((value) => {
      const x = sx(value);
      el("svg:line", "tx-gridline", this.grid, { x1: x.toFixed(1), x2: x.toFixed(1), y1: MARGIN.top, y2: plotBottom });
      // data-value: the tick's exact number, for whoever reads the axis (the browser tests).
      const label = el("svg:text", "tx-tick tx-tick-x", this.grid, { x: x.toFixed(1), y: plotBottom + tickGap, "data-value": String(value) });
      label.textContent = xFormat(value, step);
      return { x, label, halfWidth: label.textContent.length * 3.3 };
    });
    el("svg:text", "tx-axis-label", this.grid, { x: (MARGIN.left + width - MARGIN.right) / 2, y: height - 3 }).textContent = this.xLabel;
    el("svg:text", "tx-axis-label tx-axis-label-y", this.grid, {
      transform: `translate(11 ${(MARGIN.top + plotBottom) / 2}) rotate(-90)`,
    }).textContent = this.yLabel;
    return true;
  }
}
