// Zooming the threshold axis: ctrl+wheel or a pinch (a wheel with ctrlKey in browsers) around
// the pointer, a horizontal wheel to pan, a brush (shift-drag on the plot, or a drag along the
// ticks' row), the buttons above the plot. Each becomes a state.js event; the view draws.

import { HANDLE, insidePlot, ticksUnderHandle } from "./drawing.js";
import { handleScore } from "./wording.js";

/** A wheel's deltaY (pixels) to a zoom factor: 100 px, one notch, is about 1.2x. */
const WHEEL_RATE = 0.0018;
/** Pixels a brush must span to zoom (less is a click). */
const MIN_BRUSH = 6;

export class ZoomInput {
  /** Listen on `view`'s (view.js) threshold plot and zoom buttons. */
  constructor(view) {
    this.view = view;
    this.brushing = null; // {x0}: where a brush started, in the plot's pixels
    const { slider, thresholdPlot } = view.nodes;
    this.onWheel = (event) => this.wheel(event);
    slider.addEventListener("wheel", this.onWheel, { passive: false });
    const buttons = thresholdPlot.zoomButtons;
    buttons.in.addEventListener("click", () => view.dispatch({ type: "key", key: "+" }));
    buttons.out.addEventListener("click", () => view.dispatch({ type: "key", key: "-" }));
    buttons.reset.addEventListener("click", () => view.dispatch({ type: "resetZoom" }));
  }

  wheel(event) {
    const view = this.view;
    const [low, high] = view.state.view.domain;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      const anchor = view.valueAt(event.clientX);
      if (anchor !== null) view.dispatch({ type: "zoom", anchor, factor: Math.exp(event.deltaY * WHEEL_RATE) });
      return;
    }
    // A sideways scroll pans; a vertical one is the page's.
    const sideways = event.shiftKey ? event.deltaY : event.deltaX;
    if (!sideways || (!event.shiftKey && Math.abs(event.deltaX) < Math.abs(event.deltaY))) return;
    event.preventDefault();
    const plot = view.nodes.thresholdPlot;
    if (!plot.sx) return;
    const shift = plot.sx.invert(plot.sx(low) + sideways) - low;
    view.dispatch({ type: "brush", from: low + shift, to: high + shift });
  }

  /** A press that starts a brush (shift held, or on the ticks' row): true when it did. */
  startBrush(event) {
    const plot = this.view.nodes.thresholdPlot;
    if (!plot.sx) return false;
    const box = this.view.rect(plot.svg);
    const onTicks = event.clientY - box.top > plot.plotBottom + HANDLE + 4;
    if (!event.shiftKey && !onTicks) return false;
    this.brushing = { x0: insidePlot(event.clientX - box.left, plot.width) };
    this.drawBrush(this.brushing.x0);
    return true;
  }

  /** A move while brushing: true when it was one. */
  moveBrush(event) {
    if (!this.brushing) return false;
    const plot = this.view.nodes.thresholdPlot;
    this.drawBrush(insidePlot(event.clientX - this.view.rect(plot.svg).left, plot.width));
    return true;
  }

  /** The end of a press: the brushed scores become the view; true when it was a brush. */
  endBrush(event) {
    if (!this.brushing) return false;
    const { x0 } = this.brushing;
    this.brushing = null;
    this.view.nodes.brush.setAttribute("visibility", "hidden");
    const plot = this.view.nodes.thresholdPlot;
    if (event?.clientX === undefined || !plot.sx) return true;
    const x1 = insidePlot(event.clientX - this.view.rect(plot.svg).left, plot.width);
    if (Math.abs(x1 - x0) >= MIN_BRUSH) this.view.dispatch({ type: "brush", from: plot.sx.invert(x0), to: plot.sx.invert(x1) });
    return true;
  }

  drawBrush(x1) {
    const { brush, thresholdPlot: plot } = this.view.nodes;
    const x0 = this.brushing.x0;
    for (const [name, value] of [
      ["x", Math.min(x0, x1)],
      ["width", Math.abs(x1 - x0)],
      ["y", 10],
      ["height", plot.plotBottom - 10],
    ]) brush.setAttribute(name, value.toFixed(1));
    brush.setAttribute("visibility", "visible");
  }

  destroy() {
    this.view.nodes.slider.removeEventListener("wheel", this.onWheel);
  }
}

/**
 * The threshold `t` written under the handle at `x` in `nodes` (build.js), with up to `decimals`
 * decimals, through `texts` (the readout's: plot.js Texts); the tick labels it would touch hide.
 */
export function labelHandle(nodes, t, x, decimals, texts) {
  const plot = nodes.thresholdPlot;
  const text = handleScore(t, plot.xStep, decimals);
  const label = nodes.handleLabel;
  texts.write(label, text);
  const half = text.length * 3.5;
  const at = Math.min(Math.max(x, half), plot.width - half); // inside the plot's width, as the ticks
  label.setAttribute("x", at.toFixed(1));
  const ticks = plot.xTicks;
  const hidden = ticksUnderHandle(ticks.map((tick) => tick.x), ticks.map((tick) => tick.halfWidth), at, half);
  ticks.forEach((tick, i) => {
    if (tick.hidden !== hidden[i]) tick.label.setAttribute("visibility", hidden[i] ? "hidden" : "visible");
    tick.hidden = hidden[i];
  });
}
