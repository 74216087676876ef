// The explorer's interaction state (state.js), one transition at a time: pointer, keys, the
// key pause, blur, a click on a curve, the server's position and settings, a release sent.
import assert from "node:assert/strict";
import { test } from "node:test";

import { NO_SETTINGS, STEP_KEYS, initialState, normalizeSettings, reduce, snap } from "../../ui/components/threshold_explorer/state.js";
import { mergeLadders } from "../../ui/components/threshold_explorer/ladder.js";
import { scoresDetector } from "./ladders.mjs";

// Distinct scores 0, 1, 2, 3, 4, 5 (3 is tied across the classes).
const small = scoresDetector({ positive: [1, 3, 3, 5], negative: [0, 2, 3, 4] });
// 300 distinct scores 0..299: a page (a hundredth of the scores) is 3 ranks.
const big = scoresDetector({
  positive: Array.from({ length: 150 }, (_, i) => 2 * i + 1),
  negative: Array.from({ length: 150 }, (_, i) => 2 * i),
});

/** The state after `events`, from the initial state of `scores`. */
function after(events, scores = small) {
  return events.reduce(reduce, initialState(scores));
}

const at = (threshold, seq = 1, settings = undefined) => ({ type: "position", position: { id: "d", threshold, seq, settings } });
const released = (state) => reduce(state, { type: "releaseSent" });

test("the initial state: the lowest score, nothing held, pending or sent, the training share", () => {
  const state = initialState(small);
  assert.equal(state.threshold, 0);
  assert.deepEqual(state.scores, { low: 0, high: 5, page: 1, rows: 8 });
  assert.equal(state.ladder, small.ladder);
  assert.equal(state.pending, 0);
  assert.equal(state.want, null); // every score is on the ladder: nothing to ask for
  assert.equal(state.committed, null);
  assert.equal(state.seq, null);
  assert.equal(state.dragging, false);
  assert.equal(state.keysPending, false);
  assert.equal(state.unsent, null);
  assert.equal(state.settings, NO_SETTINGS);
  assert.equal(initialState(big).scores.page, 3);
  // Scores of one class only still give both ends.
  const oneClass = initialState(scoresDetector({ positive: [], negative: [2, 7] }));
  assert.deepEqual([oneClass.scores.low, oneClass.scores.high], [2, 7]);
});

test("a press holds the threshold at the score nearest the pointer, within the scores' range", () => {
  const state = after([{ type: "pointerDown", value: 2.4 }]);
  assert.equal(state.threshold, 2);
  assert.equal(state.dragging, true);
  assert.equal(state.unsent, null); // silent until the release
  assert.equal(after([{ type: "pointerDown", value: 2.6 }]).threshold, 3);
  assert.equal(after([{ type: "pointerDown", value: 2.5 }]).threshold, 2); // a tie: the lower
  assert.equal(after([{ type: "pointerDown", value: -40 }]).threshold, 0);
  assert.equal(after([{ type: "pointerDown", value: 40 }]).threshold, 5);
  // Before the plot has a size there is no value: held, not moved.
  const unplaced = after([at(3), { type: "pointerDown", value: null }]);
  assert.equal(unplaced.dragging, true);
  assert.equal(unplaced.threshold, 3);
});

test("a move follows the pointer only while the threshold is held", () => {
  const free = initialState(small);
  assert.equal(reduce(free, { type: "pointerMove", value: 4 }), free); // a hover: nothing changes
  const held = after([{ type: "pointerDown", value: 1 }]);
  const moved = reduce(held, { type: "pointerMove", value: 3.9 });
  assert.equal(moved.threshold, 4);
  assert.equal(moved.dragging, true);
  assert.equal(moved.unsent, null);
  assert.equal(reduce(moved, { type: "pointerMove", value: 4.2 }), moved); // the same score
  assert.equal(reduce(moved, { type: "pointerMove", value: Number.NaN }), moved);
});

test("the end of a press releases the threshold once, unless the server already has it", () => {
  const state = after([at(1), { type: "pointerDown", value: 1 }, { type: "pointerMove", value: 4 }, { type: "pointerUp" }]);
  assert.equal(state.dragging, false);
  assert.equal(state.committed, 4);
  assert.equal(state.unsent, 4);
  const sent = released(state);
  assert.equal(sent.unsent, null);
  assert.equal(reduce(sent, { type: "pointerUp" }), sent); // not held: nothing to end
  // Back where the server has it: nothing to tell.
  const back = after([at(1), { type: "pointerDown", value: 4 }, { type: "pointerMove", value: 1 }, { type: "pointerUp" }]);
  assert.equal(back.dragging, false);
  assert.equal(back.unsent, null);
  assert.equal(back.committed, 1);
});

test("a release sent clears the outbox, and only then", () => {
  const state = initialState(small);
  assert.equal(released(state), state);
  const pending = after([{ type: "pick", threshold: 3 }]);
  assert.equal(pending.unsent, 3);
  const sent = released(pending);
  assert.equal(sent.unsent, null);
  assert.equal(sent.committed, 3);
  assert.equal(sent.threshold, 3);
});

test("the arrows step to the next and previous distinct score, both ways each", () => {
  const start = after([at(3)]);
  const key = (state, name) => reduce(state, { type: "key", key: name });
  assert.equal(key(start, "ArrowRight").threshold, 4);
  assert.equal(key(start, "ArrowUp").threshold, 4);
  assert.equal(key(start, "ArrowLeft").threshold, 2);
  assert.equal(key(start, "ArrowDown").threshold, 2);
  assert.equal(key(after([at(5)]), "ArrowRight").threshold, 5); // at the top it stays
  assert.equal(key(after([at(0)]), "ArrowLeft").threshold, 0);
  // From a typed threshold between scores the arrows go to the neighbours; from beyond the
  // scores they come back to the nearest end.
  assert.equal(key(after([at(2.5)]), "ArrowRight").threshold, 3);
  assert.equal(key(after([at(2.5)]), "ArrowLeft").threshold, 2);
  assert.equal(key(after([at(90)]), "ArrowRight").threshold, 5);
  assert.equal(key(after([at(-90)]), "ArrowLeft").threshold, 0);
  const moved = key(start, "ArrowRight");
  assert.equal(moved.keysPending, true);
  assert.equal(moved.unsent, null); // the release waits for the pause
});

test("PageUp and PageDown move a hundredth of the scores; Home and End go to either end", () => {
  const start = after([at(10)], big);
  const key = (name) => reduce(start, { type: "key", key: name }).threshold;
  assert.equal(key("PageUp"), 13);
  assert.equal(key("PageDown"), 7);
  assert.equal(key("Home"), 0);
  assert.equal(key("End"), 299);
  assert.deepEqual(
    [...STEP_KEYS].sort(),
    ["ArrowDown", "ArrowLeft", "ArrowRight", "ArrowUp", "End", "Home", "PageDown", "PageUp"],
  );
});

test("other keys change nothing", () => {
  const start = after([at(3)]);
  for (const name of ["a", "Enter", "Tab", " "]) assert.equal(reduce(start, { type: "key", key: name }), start);
});

test("a key that lands where the threshold is still waits for its pause", () => {
  const state = reduce(after([at(5)]), { type: "key", key: "End" });
  assert.equal(state.threshold, 5);
  assert.equal(state.keysPending, true);
  assert.equal(reduce(state, { type: "keyPause" }).unsent, null); // the server has 5
});

test("the pause after a key burst releases the burst's last threshold once", () => {
  const burst = after([at(1), { type: "key", key: "ArrowRight" }, { type: "key", key: "ArrowRight" }, { type: "key", key: "ArrowLeft" }]);
  assert.equal(burst.threshold, 2);
  assert.equal(burst.unsent, null);
  const paused = reduce(burst, { type: "keyPause" });
  assert.equal(paused.keysPending, false);
  assert.equal(paused.committed, 2);
  assert.equal(paused.unsent, 2);
  const sent = released(paused);
  assert.equal(reduce(sent, { type: "keyPause" }), sent); // no burst pending: a late timer does nothing
});

test("leaving the control releases a key burst at once; otherwise a blur changes nothing", () => {
  const burst = after([at(1), { type: "key", key: "ArrowRight" }]);
  const blurred = reduce(burst, { type: "blur" });
  assert.equal(blurred.unsent, 2);
  assert.equal(blurred.keysPending, false);
  const quiet = after([at(1)]);
  assert.equal(reduce(quiet, { type: "blur" }), quiet);
  const dragged = after([at(1), { type: "pointerDown", value: 4 }]);
  assert.equal(reduce(dragged, { type: "blur" }), dragged); // the press's end releases it
});

test("a click on a curve point moves and releases at once; the ROC's flag-nothing end is ignored", () => {
  const start = after([at(1)]);
  const picked = reduce(start, { type: "pick", threshold: 4 });
  assert.equal(picked.threshold, 4);
  assert.equal(picked.committed, 4);
  assert.equal(picked.unsent, 4);
  assert.equal(reduce(start, { type: "pick", threshold: Infinity }), start);
  assert.equal(reduce(start, { type: "pick", threshold: Number.NaN }), start);
  assert.equal(reduce(start, { type: "pick", threshold: 1 }).unsent, null); // the server has it
});

test("a server position moves the threshold once per seq", () => {
  const first = after([at(3, 1)]);
  assert.equal(first.threshold, 3);
  assert.equal(first.committed, 3);
  assert.equal(first.seq, 1);
  assert.equal(first.unsent, null); // the server's own threshold is not sent back
  assert.equal(reduce(first, at(4, 1)), first); // the same seq: already followed
  const second = reduce(first, at(4, 2));
  assert.equal(second.threshold, 4);
  assert.equal(second.seq, 2);
  // A seq that starts again (a new server session) is still a new position.
  assert.equal(reduce(second, at(1, 1)).threshold, 1);
});

test("a release answered late never pulls back a threshold the user drags elsewhere", () => {
  // Released at 4; the rerun it causes answers with the position the server had (seq 1) while
  // the user already drags towards 1.
  const releasedAt4 = released(after([at(2, 1), { type: "pointerDown", value: 4 }, { type: "pointerUp" }]));
  assert.equal(releasedAt4.committed, 4);
  const draggingAgain = reduce(reduce(releasedAt4, { type: "pointerDown", value: 4 }), { type: "pointerMove", value: 1 });
  const answered = reduce(draggingAgain, at(2, 1));
  assert.equal(answered.threshold, 1);
  assert.equal(answered.committed, 4);
  const done = reduce(answered, { type: "pointerUp" });
  assert.equal(done.unsent, 1);
  // The same answer after the drag ended pulls nothing back either.
  assert.equal(reduce(released(done), at(2, 1)).threshold, 1);
});

test("a new server position during a drag is the server's, but the user keeps the threshold", () => {
  const dragging = after([at(2, 1), { type: "pointerDown", value: 4 }]);
  const picked = reduce(dragging, at(0, 2));
  assert.equal(picked.threshold, 4);
  assert.equal(picked.committed, 0);
  assert.equal(picked.seq, 2);
  const up = reduce(picked, { type: "pointerUp" });
  assert.equal(up.unsent, 4); // the dragged threshold wins, and the server hears it
  // Released where the server's new position is: nothing to send.
  const onIt = reduce(reduce(reduce(after([at(2, 1), { type: "pointerDown", value: 4 }]), at(4, 2)), { type: "pointerMove", value: 4 }), { type: "pointerUp" });
  assert.equal(onIt.unsent, null);
});

test("keys during a drag move the threshold; the pointer takes it back on its next move", () => {
  const dragging = after([at(1, 1), { type: "pointerDown", value: 3 }]);
  const keyed = reduce(dragging, { type: "key", key: "ArrowRight" });
  assert.equal(keyed.threshold, 4);
  assert.equal(keyed.dragging, true);
  assert.equal(keyed.keysPending, true);
  // The key pause releases, as it does outside a drag; the drag goes on.
  const paused = reduce(keyed, { type: "keyPause" });
  assert.equal(paused.unsent, 4);
  assert.equal(paused.dragging, true);
  const moved = reduce(released(paused), { type: "pointerMove", value: 0.2 });
  assert.equal(moved.threshold, 0);
  const up = reduce(moved, { type: "pointerUp" });
  assert.equal(up.unsent, 0);
  // A press's end also ends a key burst: its release covers both.
  const both = reduce(keyed, { type: "pointerUp" });
  assert.equal(both.keysPending, false);
  assert.equal(both.unsent, 4);
});

test("settings apply whenever they change, without moving the threshold", () => {
  const start = after([at(3, 1)]);
  const settings = { prevalence: 0.5, fpCost: 1, fnCost: 5, averagePrecision: 0.75, leastCost: { threshold: 4, cost: 12.5 } };
  const set = reduce(start, { type: "settings", settings });
  assert.deepEqual(set.settings, settings);
  assert.equal(set.threshold, 3);
  assert.equal(set.committed, 3);
  assert.equal(reduce(set, { type: "settings", settings: { ...settings, leastCost: { threshold: 4, cost: 12.5 } } }), set); // equal: no change
  // The server's figures over every score are settings too: a new least cost applies.
  const cheaper = reduce(set, { type: "settings", settings: { ...settings, leastCost: { threshold: 3, cost: 9 } } });
  assert.deepEqual(cheaper.settings.leastCost, { threshold: 3, cost: 9 });
  assert.equal(reduce(set, { type: "settings", settings: null }), set);
  // Settings ride on positions too, and apply even when the seq was already followed.
  const withPosition = reduce(start, at(3, 1, settings));
  assert.deepEqual(withPosition.settings, settings);
  assert.equal(withPosition.seq, 1);
  const whileHeld = reduce(after([at(3, 1), { type: "pointerDown", value: 5 }]), at(3, 1, settings));
  assert.deepEqual(whileHeld.settings, settings);
  assert.equal(whileHeld.threshold, 5);
});

test("settings read non-numbers as unset", () => {
  assert.deepEqual(normalizeSettings({ prevalence: null, fpCost: Number.NaN, fnCost: "3" }), NO_SETTINGS);
  assert.deepEqual(normalizeSettings({ prevalence: 0.1, fpCost: 0, fnCost: 2 }), { ...NO_SETTINGS, prevalence: 0.1, fpCost: 0, fnCost: 2 });
  // "Flag nothing" travels as a null threshold; a least cost without a finite cost is none.
  const nothing = normalizeSettings({ leastCost: { threshold: null, cost: 3 }, averagePrecision: "x" });
  assert.deepEqual([nothing.leastCost, nothing.averagePrecision], [{ threshold: Infinity, cost: 3 }, null]);
  assert.equal(normalizeSettings({ leastCost: { threshold: 1, cost: null } }).leastCost, null);
  const back = reduce(after([{ type: "settings", settings: { prevalence: 0.1 } }]), { type: "settings", settings: {} });
  assert.deepEqual(back.settings, NO_SETTINGS);
});

test("snap finds the nearest score within the range, null without a value", () => {
  const state = initialState(small);
  assert.equal(snap(state, 3.4), 3);
  assert.equal(snap(state, 9), 5);
  assert.equal(snap(state, null), null);
  assert.equal(snap(state, undefined), null);
});

test("an unknown event is a programming error", () => {
  assert.throws(() => reduce(initialState(small), { type: "wheel" }), /unknown explorer event: wheel/);
});

test("the reducer never changes the state it is given", () => {
  const start = Object.freeze(after([at(2, 1)]));
  for (const event of [
    { type: "pointerDown", value: 4 },
    { type: "key", key: "End" },
    { type: "pick", threshold: 5 },
    at(1, 2, { prevalence: 0.3 }),
    { type: "settings", settings: { fpCost: 1, fnCost: 1 } },
  ]) {
    reduce(start, event); // a frozen object would throw in strict mode if written
  }
  assert.equal(start.threshold, 2);
});

// 100 distinct scores 0..99 whose ladder keeps only 0, 10, 20, ... 90 and 99, as a big set's payload.
const gappy = scoresDetector({
  positive: Array.from({ length: 50 }, (_, i) => 2 * i + 1),
  negative: Array.from({ length: 50 }, (_, i) => 2 * i),
  keep: (r) => r % 10 === 0 || r === 99,
});
const keyOf = (k) => ({ type: "key", key: k, shift: false });

test("on a ladder with gaps a press snaps to the nearest ladder score, exact where it lands", () => {
  const pressed = reduce(initialState(gappy), { type: "pointerDown", value: 23 });
  assert.equal(pressed.threshold, 20);
  assert.equal(reduce(pressed, { type: "pointerMove", value: 26 }).threshold, 30);
});

test("an arrow step past the ladder waits for a window, asks for it, and lands on the next distinct score", () => {
  const start = reduce(initialState(gappy), at(20));
  assert.equal(start.threshold, 20);
  assert.deepEqual(start.want, { threshold: 20, view: null }); // fewer than REFILL neighbours known
  const waiting = reduce(reduce(start, keyOf("ArrowRight")), keyOf("ArrowRight"));
  assert.equal(waiting.threshold, 20); // 21 is not on the ladder yet: no guess
  assert.equal(waiting.pending, 2);
  assert.equal(waiting.want.threshold, 20);
  // The window arrives (answering the want): both steps are taken, one distinct score each.
  const window = gappy.window(Array.from({ length: 30 }, (_, i) => 5 + i));
  const merged = reduce(waiting, { type: "ladder", ladder: mergeWith(window), answered: waiting.want });
  assert.equal(merged.threshold, 22);
  assert.equal(merged.pending, 0);
  assert.ok(merged.keysPending); // the keys' pause releases it as usual
  const left = reduce(merged, keyOf("ArrowLeft"));
  assert.equal(left.threshold, 21);
  // The key pause went by before the window: the steps taken then are released at once.
  const paused = reduce(waiting, { type: "keyPause" });
  const late = reduce(paused, { type: "ladder", ladder: mergeWith(window), answered: paused.want });
  assert.equal(late.threshold, 22);
  assert.equal(late.unsent, 22);
});

test("a zoom asks for the scores of the new view; a complete ladder never asks", () => {
  const start = reduce(initialState(gappy), at(20));
  const zoomed = reduce(start, { type: "brush", from: 40, to: 60 });
  assert.deepEqual(zoomed.want, { threshold: 20, view: [40, 60] });
  const answered = reduce(zoomed, { type: "ladder", ladder: mergeWith(gappy.window([39, 40, 41])), answered: zoomed.want });
  assert.notEqual(answered.want, zoomed.want);
  const complete = reduce(reduce(initialState(big), at(20)), { type: "brush", from: 40, to: 60 });
  assert.equal(complete.want, null);
});

test("a threshold between two known neighbours asks no more once its neighbours are known", () => {
  const known = mergeWith(gappy.window(Array.from({ length: 91 }, (_, i) => i))); // 0..90 of 0..99
  const between = reduce(initialState({ ...gappy, ladder: known }), at(23.5));
  assert.equal(between.threshold, 23.5);
  assert.equal(between.want, null); // 64 neighbours known above, the lowest score below
  // A drag asks for nothing, whatever it reaches.
  const dragged = reduce(reduce(initialState(gappy), at(20)), { type: "pointerDown", value: 50 });
  assert.equal(reduce(dragged, { type: "pointerMove", value: 70 }).want, dragged.want);
});

test("a server position the ladder does not fix shows at the nearest ladder score until it does", () => {
  const state = reduce(initialState(gappy), at(23.5));
  assert.equal(state.threshold, 20);
  assert.equal(state.committed, 23.5);
  const fixed = reduce(initialState({ ...gappy, ladder: mergeWith(gappy.window([22, 23, 24, 25])) }), at(23.5));
  assert.equal(fixed.threshold, 23.5);
});

function mergeWith(window) {
  return mergeLadders(gappy.ladder, window);
}
