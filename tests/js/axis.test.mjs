// The threshold axis: the view it opens on (where recall runs from 99% to 1%), zooming in and
// out around a point, a brush, the reset, the keys after a zoom, a server position beyond the
// view, the ticks and their labels, the handle's label hiding the ticks under it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { tickStep, ticks, ticksUnderHandle } from "../../ui/components/threshold_explorer/drawing.js";
import { nextScore, previousScore } from "../../ui/components/threshold_explorer/ladder.js";
import { CURVE_POINTS, curveThresholds, curvesFor } from "../../ui/components/threshold_explorer/figures.js";
import { NO_SETTINGS, SHIFT_STEP, ZOOM_KEYS, ZOOM_STEP, initialState, reduce } from "../../ui/components/threshold_explorer/state.js";
import { compactScore, handleScore, prTitle } from "../../ui/components/threshold_explorer/wording.js";
import { scoresDetector } from "./ladders.mjs";

// 1,000 positives spread over 1000..1999 and 9,000 negatives over -9000..-1 with a tail: the
// trade-off happens in a tenth of all the scores' range; the axis opens where core/explorer.py
// says (opening_domain: the recall band 1010..1990 with a tenth of room either side).
const positive = Float64Array.from({ length: 1000 }, (_, i) => 1000 + i);
const negative = Float64Array.from({ length: 9000 }, (_, i) => -9000 + i + (i > 8990 ? 1500 : 0)).sort();
const full = [-9000 - 10999 * 0.02, 1999 + 10999 * 0.02];
const opening = [1010 - 98, 1990 + 98];
const scores = scoresDetector({ positive, negative, full, opening });
const key = (k, shift = false) => ({ type: "key", key: k, shift });
const at = (threshold, seq = 1) => ({ type: "position", position: { id: "d", threshold, seq } });
const after = (events) => events.reduce(reduce, initialState(scores));

test("the axis opens on the view the payload names, inside every score", () => {
  const state = initialState(scores);
  assert.deepEqual(state.view.full, full);
  assert.deepEqual(state.view.opening, opening);
  assert.equal(state.view.domain, state.view.opening);
});

test("zooming in and out around a point keeps that point where it is, inside every score", () => {
  const start = initialState(scores);
  const [low, high] = start.view.domain;
  const anchor = low + (high - low) * 0.25;
  const zoomedIn = reduce(start, { type: "zoom", anchor, factor: 0.5 });
  const [a, b] = zoomedIn.view.domain;
  assert.ok(Math.abs((anchor - a) / (b - a) - 0.25) < 1e-12); // the anchor stays a quarter in
  assert.ok(Math.abs(b - a - (high - low) / 2) < 1e-9);
  const back = reduce(zoomedIn, { type: "zoom", anchor, factor: 2 });
  assert.ok(Math.abs(back.view.domain[0] - low) < 1e-9 && Math.abs(back.view.domain[1] - high) < 1e-9);
  // Far out: every score, and no further.
  const out = reduce(start, { type: "zoom", anchor, factor: 1000 });
  assert.deepEqual(out.view.domain, start.view.full);
  assert.equal(reduce(out, { type: "zoom", anchor, factor: 3 }), out); // nothing changes
  // Far in: no narrower than a hundred-thousandth of the range.
  const deep = [...Array(60)].reduce((s) => reduce(s, { type: "zoom", anchor, factor: 0.5 }), start);
  const full = start.view.full[1] - start.view.full[0];
  assert.ok(Math.abs(deep.view.domain[1] - deep.view.domain[0] - full * 1e-5) < 1e-9);
  // A zoom near an end slides inside the range instead of going past it.
  const edge = reduce(out, { type: "zoom", anchor: out.view.full[0], factor: 0.5 });
  assert.equal(edge.view.domain[0], out.view.full[0]);
  // Nonsense does nothing.
  assert.equal(reduce(start, { type: "zoom", anchor: Number.NaN, factor: 0.5 }), start);
  assert.equal(reduce(start, { type: "zoom", anchor, factor: 0 }), start);
  // The threshold does not move with the view.
  assert.equal(zoomedIn.threshold, start.threshold);
});

test("a brush shows the brushed scores, either way round; the reset and its keys go back to the opening view", () => {
  const brushed = after([{ type: "brush", from: 1600, to: 1500 }]);
  assert.deepEqual(brushed.view.domain, [1500, 1600]);
  assert.equal(reduce(brushed, { type: "brush", from: 3, to: 3 }), brushed);
  assert.equal(reduce(brushed, { type: "brush", from: 3, to: Number.NaN }), brushed);
  const reset = reduce(brushed, { type: "resetZoom" });
  assert.equal(reset.view.domain, reset.view.opening);
  for (const k of ["0", "Escape"]) assert.equal(reduce(brushed, key(k)).view.domain, brushed.view.opening);
  assert.equal(reduce(reset, { type: "resetZoom" }), reset);
  assert.equal(ZOOM_KEYS.get("+"), "in");
  // The zoom keys work around the threshold and start no release.
  const here = after([at(1550), { type: "releaseSent" }]);
  const zoomed = reduce(here, key("+"));
  const [a, b] = zoomed.view.domain;
  const [c, d] = here.view.domain;
  assert.ok(Math.abs(b - a - (d - c) * ZOOM_STEP) < 1e-9);
  assert.ok(Math.abs((1550 - a) / (b - a) - (1550 - c) / (d - c)) < 1e-9);
  assert.equal(zoomed.keysPending, false);
  assert.equal(zoomed.unsent, null);
  assert.deepEqual(reduce(zoomed, key("-")).view.domain.map(Math.round), here.view.domain.map(Math.round));
});

test("after a zoom the arrows still land on the next and previous distinct score", () => {
  const zoomed = after([at(1500), { type: "brush", from: 1499.5, to: 1500.5 }]);
  const right = reduce(zoomed, key("ArrowRight"));
  assert.equal(right.threshold, nextScore(scores.ladder, 1500));
  assert.equal(right.threshold, 1501);
  assert.equal(reduce(right, key("ArrowLeft")).threshold, 1500);
  assert.equal(reduce(zoomed, key("ArrowDown")).threshold, previousScore(scores.ladder, 1500));
  // Moving out of the view pans it: the threshold is seen, a tenth in from the edge.
  const [low, high] = right.view.domain;
  assert.ok(right.threshold >= low && right.threshold <= high);
  assert.ok(Math.abs(high - low - 1) < 1e-9); // panned, not zoomed
});

test("shift with an arrow moves a tenth of the visible scores, to a distinct score beyond", () => {
  const start = after([at(1500)]);
  const [low, high] = start.view.domain;
  const jump = (high - low) * SHIFT_STEP;
  assert.equal(reduce(start, key("ArrowRight", true)).threshold, Math.ceil(1500 + jump));
  assert.equal(reduce(start, key("ArrowLeft", true)).threshold, Math.floor(1500 - jump));
  // Zoomed in to less than a score apart, it still moves to the next distinct score.
  const tight = after([at(1500), { type: "brush", from: 1499.9, to: 1500.1 }]);
  assert.equal(reduce(tight, key("ArrowUp", true)).threshold, 1501);
  assert.equal(reduce(tight, key("ArrowDown", true)).threshold, 1499);
  // At either end it stays there.
  assert.equal(reduce(after([at(1999)]), key("ArrowRight", true)).threshold, 1999);
  assert.equal(reduce(after([at(-9000)]), key("ArrowLeft", true)).threshold, -9000);
  // PageUp and PageDown keep their hundredth of the scores.
  assert.equal(reduce(start, key("PageUp")).threshold, 1600);
});

test("a server position or a pick outside the view pans to it; a press does not pan", () => {
  const start = initialState(scores);
  const far = reduce(start, at(-5000));
  const [low, high] = far.view.domain;
  assert.ok(low <= -5000 && -5000 <= high);
  assert.ok(Math.abs(high - low - (start.view.domain[1] - start.view.domain[0])) < 1e-9); // the same width
  assert.ok(Math.abs((-5000 - low) / (high - low) - 0.1) < 1e-9);
  const inside = reduce(start, at(1500));
  assert.equal(inside.view, start.view);
  const picked = reduce(start, { type: "pick", threshold: 1999 });
  assert.ok(picked.view.domain[1] >= 1999);
  // Home and End pan to the ends.
  assert.ok(reduce(start, key("Home")).view.domain[0] <= -9000);
  // A typed threshold beyond every score shows the end of the range.
  assert.equal(reduce(start, at(1e9)).view.domain[1], start.view.full[1]);
  // A press picks within the scores as ever; the view keeps the pointer inside the plot.
  const pressed = reduce(start, { type: "pointerDown", value: 1500 });
  assert.equal(pressed.view, start.view);
});

test("ticks: round values at any zoom, labelled compactly; the handle hides the labels it would touch", () => {
  assert.deepEqual(ticks(-146349, 49441, 4), [-100000, -50000, 0]);
  assert.equal(tickStep(-146349, 49441, 4), 50000);
  assert.deepEqual(ticks(3369.9, 3370.4, 5), [3369.9, 3370, 3370.1, 3370.2, 3370.3, 3370.4]);
  assert.deepEqual(ticks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.equal(compactScore(-20000, 10000), "-20k");
  assert.equal(compactScore(0, 10000), "0");
  assert.equal(compactScore(2500, 2500), "2.5k");
  assert.equal(compactScore(3370, 10), "3,370");
  assert.equal(compactScore(3370.1, 0.1), "3,370.1");
  assert.equal(handleScore(3370.0194991439557, 5000), "3,370");
  assert.equal(handleScore(3370.0194991439557, 0.1), "3,370.02");
  assert.equal(handleScore(Infinity, 10), "+∞");
  // Probabilities: the readout's decimals, so that the next score reads apart under the handle.
  assert.equal(handleScore(0.503, 0.2, 4), "0.503");
  assert.equal(handleScore(0.5, 0.2, 4), "0.50");
  assert.equal(handleScore(0.50312345, 0.2, 4), "0.5031");
  assert.deepEqual(ticksUnderHandle([50, 100, 150, 200], [10, 10, 10, 10], 104, 15), [false, true, false, false]);
  assert.deepEqual(ticksUnderHandle([50, 100, 150], [10, 10, 10], 125, 15), [false, true, true]);
});

test("the curves along the threshold go through every ladder score in view, and only those", () => {
  const gappy = scoresDetector({ positive, negative, full, opening, keep: (r) => r % 7 === 0 || r === 9999 });
  const domain = [1200, 1300];
  const { thresholds } = curvesFor(gappy, gappy.ladder, NO_SETTINGS, domain);
  const expected = [...gappy.ladder.thresholds].filter((t) => t >= 1200 && t <= 1300);
  assert.deepEqual([...thresholds], expected);
  assert.ok(thresholds.length > 10);
});

test("many ladder scores in view are thinned for drawing, ends and the payload's drawn ones kept", () => {
  const { ladder } = scoresDetector({ positive, negative, full, opening });
  const domain = [-9000, 1999];
  const drawn = [-8999.5, -4321, 1500, 5000]; // the payload's (ladder scores in a payload; any here)
  const thresholds = curveThresholds(ladder, domain, drawn);
  assert.ok(thresholds.length <= CURVE_POINTS + drawn.length + 1, thresholds.length);
  assert.equal(thresholds[0], -9000);
  assert.equal(thresholds.at(-1), 1999);
  for (const t of [-4321, 1500]) assert.ok(thresholds.includes(t));
  assert.ok(!thresholds.includes(5000)); // outside the view
  assert.ok(thresholds.every((t, i) => i === 0 || t > thresholds[i - 1]));
  assert.deepEqual([...curveThresholds(ladder, [1200, 1300], drawn)], [...ladder.thresholds].filter((t) => t >= 1200 && t <= 1300));
});

test("the PR curve's title says at which share its AP is", () => {
  const nouns = { positive: "5s" };
  assert.equal(prTitle({ ap: 0.81234, nouns, prevalence: null }), "Precision vs recall (AP 0.812)");
  assert.equal(prTitle({ ap: 0.9, nouns, prevalence: 0.5 }), "Precision vs recall (AP 0.900 where 5s are 50.00%)");
  assert.equal(prTitle({ ap: null, nouns, prevalence: null }), "Precision vs recall");
});
