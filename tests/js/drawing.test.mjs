// The explorer's geometry (drawing.js): ticks, scales, paths, the point under the pointer.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  HOVER_RADIUS,
  MARGIN,
  axes,
  handlePath,
  insidePlot,
  linear,
  nearestPoint,
  pathThrough,
  screenPoints,
  ticks,
} from "../../ui/components/threshold_explorer/drawing.js";

test("ticks are round values inside the range, about as many as asked", () => {
  assert.deepEqual(ticks(0, 1, 4), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(ticks(-2.5, 2.5, 5), [-2, -1, 0, 1, 2]);
  assert.deepEqual(ticks(-30000, 20000, 5), [-30000, -20000, -10000, 0, 10000, 20000]);
  assert.deepEqual(ticks(0.3, 0.7, 2).map((v) => v.toFixed(12)), ["0.400000000000", "0.600000000000"]);
  assert.deepEqual(ticks(3, 3, 4), [3]); // no span: the one value
  // Sums of steps that miss zero by a rounding error read as zero.
  assert.ok(ticks(-0.3, 0.3, 6).includes(0));
});

test("a linear scale maps the domain onto the range and back, flipped or not", () => {
  const scale = linear(0, 10, 100, 200);
  assert.equal(scale(0), 100);
  assert.equal(scale(5), 150);
  assert.equal(scale.invert(175), 7.5);
  const flipped = linear(0, 1, 300, 10); // the y axis: down the screen is up the values
  assert.equal(flipped(1), 10);
  assert.equal(flipped.invert(300), 0);
  assert.equal(linear(4, 4, 0, 50)(4), 0); // an empty domain does not divide by zero
});

test("axes put the plot area inside the margins and ticks within it", () => {
  const a = axes({ width: 400, height: 200, xDomain: [0, 1], yDomain: [-0.02, 1.04] });
  assert.equal(a.plotBottom, 200 - MARGIN.bottom);
  assert.equal(a.sx(0), MARGIN.left);
  assert.equal(a.sx(1), 400 - MARGIN.right);
  assert.equal(a.sy(-0.02), a.plotBottom);
  assert.equal(a.sy(1.04), MARGIN.top);
  assert.deepEqual(a.yTicks, [0, 0.25, 0.5, 0.75, 1]); // a rate: within 0..1
  assert.equal(a.xTicks.length, 5); // about one per 90 pixels
  const quantity = axes({ width: 400, height: 200, xDomain: [0, 1], yDomain: [0, 30], bottom: 50, unit: false });
  assert.equal(quantity.plotBottom, 150);
  assert.deepEqual(quantity.yTicks, [0, 10, 20, 30]);
});

test("a path joins the finite points and breaks where a value is not finite", () => {
  const identity = (v) => v;
  assert.equal(pathThrough([0, 1, 2], [5, 6, 7], identity, identity), "M0.0,5.0L1.0,6.0L2.0,7.0");
  assert.equal(pathThrough([0, 1, NaN, 3, 4], [0, 1, 2, 3, 4], identity, identity), "M0.0,0.0L1.0,1.0M3.0,3.0L4.0,4.0");
  assert.equal(pathThrough([0, 1], [Infinity, 2], identity, (v) => 2 * v), "M1.0,4.0");
  assert.equal(pathThrough([], [], identity, identity), "");
});

test("screen points keep NaN where a value is not finite", () => {
  const points = screenPoints([0, 1, Infinity], [1, NaN, 0], (v) => v * 10, (v) => v + 1);
  assert.deepEqual([...points.x], [0, 10, NaN]);
  assert.deepEqual([...points.y], [2, NaN, 1]);
});

test("the point nearest the pointer is picked only within the hover radius", () => {
  const points = { x: new Float64Array([0, 10, 100, NaN]), y: new Float64Array([0, 0, 0, 5]) };
  assert.equal(nearestPoint(points, 8, 1), 1);
  assert.equal(nearestPoint(points, 2, 0), 0);
  assert.equal(nearestPoint(points, 100 + HOVER_RADIUS - 1, 0), 2);
  assert.equal(nearestPoint(points, 100 + HOVER_RADIUS, 0), null); // the radius itself is out
  assert.equal(nearestPoint(points, 50, 50), null);
  assert.equal(nearestPoint(points, 5, 0), 0); // equally near: the first
});

test("the cursor stays inside the plot area; the handle is a triangle on its strip", () => {
  assert.equal(insidePlot(-5, 400), MARGIN.left);
  assert.equal(insidePlot(1000, 400), 400 - MARGIN.right);
  assert.equal(insidePlot(200, 400), 200);
  assert.equal(handlePath(100), "M0,86 L-7,100 L7,100 Z");
});
