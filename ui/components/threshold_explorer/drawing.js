// Geometry of the explorer's plots: scales, ticks, SVG path strings, the point under the
// pointer. Pure functions of numbers; the view (view.js, plot.js) puts them in the DOM.

/** Pixels around each plot's area, for the ticks and the axis labels. */
export const MARGIN = { left: 46, right: 12, top: 10, bottom: 34 };
/** Pixels below the threshold plot's axis: the handle's strip. */
export const HANDLE = 16;
/** Pixels: how near a curve point the pointer must be to pick it. */
export const HOVER_RADIUS = 24;
/** Both axes of the rate plots: 0 to 100%, with a little room. */
export const UNIT_DOMAIN = [-0.02, 1.04];
export const RATE_DOMAIN = [-0.02, 1.02];

/** The step between about `n` round tick values across [low, high] (null when the span is empty). */
export function tickStep(low, high, n) {
  const span = high - low;
  if (!(span > 0)) return null;
  const raw = span / n;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
}

/** About `n` round tick values across [low, high]. */
export function ticks(low, high, n) {
  const step = tickStep(low, high, n);
  if (step === null) return [low];
  const values = [];
  // Counted from an integer, so that a long run of additions never drifts off the round values.
  for (let i = Math.ceil(low / step); ; i++) {
    const v = Number((i * step).toPrecision(12));
    if (v > high) break;
    if (v >= low) values.push(Math.abs(v) < step / 1e6 ? 0 : v);
  }
  return values;
}

/** A linear scale from [domainLow, domainHigh] to [rangeLow, rangeHigh], with `invert`. */
export function linear(domainLow, domainHigh, rangeLow, rangeHigh) {
  const k = (rangeHigh - rangeLow) / (domainHigh - domainLow || 1);
  const scale = (v) => rangeLow + (v - domainLow) * k;
  scale.invert = (p) => domainLow + (p - rangeLow) / k;
  return scale;
}

/**
 * Which of the tick labels at `xs` to hide: those whose box (`halfWidths` each side of its x)
 * would touch the handle's label, `handleHalfWidth` each side of `handleX`, with `gap` pixels between.
 */
export function ticksUnderHandle(xs, halfWidths, handleX, handleHalfWidth, gap = 4) {
  return xs.map((x, i) => Math.abs(x - handleX) < halfWidths[i] + handleHalfWidth + gap);
}

/**
 * Scales and tick values of a `width` x `height` plot: `bottom` pixels under the plot area;
 * `unit`: the y axis is a rate (ticks within 0..1), else a quantity from 0; about one x tick
 * every `tickSpacing` pixels.
 */
export function axes({ width, height, xDomain, yDomain, bottom = MARGIN.bottom, unit = true, tickSpacing = 90 }) {
  const plotBottom = height - bottom;
  return {
    plotBottom,
    sx: linear(xDomain[0], xDomain[1], MARGIN.left, width - MARGIN.right),
    sy: linear(yDomain[0], yDomain[1], plotBottom, MARGIN.top),
    yTicks: unit ? ticks(Math.max(0, yDomain[0]), Math.min(1, yDomain[1]), 4) : ticks(0, yDomain[1], 3),
    xTicks: ticks(xDomain[0], xDomain[1], Math.max(2, Math.floor(width / tickSpacing))),
  };
}

/** An SVG path through the points, broken where a value is NaN. */
export function pathThrough(xs, ys, sx, sy) {
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

/** The points in pixels (NaN where a value is not finite), for hover and click. */
export function screenPoints(xs, ys, sx, sy) {
  const x = new Float64Array(xs.length);
  const y = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    x[i] = Number.isFinite(xs[i]) ? sx(xs[i]) : NaN;
    y[i] = Number.isFinite(ys[i]) ? sy(ys[i]) : NaN;
  }
  return { x, y };
}

/** The index of the point nearest (x, y) within `radius` pixels, or null. */
export function nearestPoint(points, x, y, radius = HOVER_RADIUS) {
  let best = null;
  let bestDistance = radius * radius;
  for (let i = 0; i < points.x.length; i++) {
    const dx = points.x[i] - x;
    const dy = points.y[i] - y;
    const distance = dx * dx + dy * dy;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = i;
    }
  }
  return best;
}

/** `x` kept inside a `width`-wide plot's area (a cursor beyond the axis stays at its end). */
export function insidePlot(x, width) {
  return Math.min(Math.max(x, MARGIN.left), width - MARGIN.right);
}

/** The threshold handle: a triangle whose base lies `bottom` pixels down. */
export function handlePath(bottom) {
  return `M0,${bottom - 14} L-7,${bottom} L7,${bottom} Z`;
}
