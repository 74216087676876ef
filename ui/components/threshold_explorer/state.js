// The explorer's interaction state: the threshold shown, the one the server has, whether the
// user holds it. A reducer, (state, event) -> state, with no DOM and no timers: the view turns
// pointer, key and timer callbacks into events and draws whatever state comes out. An event
// that changes nothing returns the same object, so the view can skip drawing.
//
// Events (`type`, then the fields it carries):
// - pointerDown {value}: the user presses on the threshold plot at score-axis `value` (null
//   while the plot has no size yet); the threshold snaps to the nearest score and is held;
// - pointerMove {value}: while held, the threshold follows (snapped); otherwise nothing;
// - pointerUp: the press ends (up, cancel, capture lost): the threshold is released;
// - key {key, shift}: one of STEP_KEYS moves to another score (with `shift`, the arrows move a
//   tenth of the visible range: SHIFT_STEP); a release follows the key pause; one of
//   ZOOM_KEYS zooms the axis around the threshold or resets it;
// - keyPause: the view's timer after the last key ran out: the threshold is released;
// - blur: the control lost focus: a key burst still waiting for its pause is released now;
// - pick {threshold}: a click on a curve point: that threshold, released at once;
// - position {position: {threshold, seq, settings}}: the server's threshold (a picker, the
//   exact number, a link), followed once per `seq` and never while the user holds the
//   threshold; its settings apply in any case;
// - settings {settings}: the prevalence and costs the figures rest on;
// - releaseSent: the view told the server `unsent`;
// - ladder {ladder, answered}: the ladder (ladder.js) grew by a window the server sent (answering
//   the want `answered`, or null); arrow steps waiting for it are taken now;
// - zoom {anchor, factor}: the visible scores shrink (factor < 1) or grow around score `anchor`;
// - brush {from, to}: the visible scores become [from, to] (either order);
// - resetZoom: the visible scores are the opening ones again.
//
// The visible part of the threshold axis is `view.domain`, inside `view.full` (every score);
// it opens on `view.opening`, where the recall runs from 99% to 1% (core/explorer.py opening_domain).
// A threshold a key, a click or the server moves outside it pans the view to it (the view
// keeps a drag's pointer inside the plot).
//
// Every threshold shown is a score of the ladder (or one the ladder fixes: a server position
// between two neighbouring scores), so every figure is exact. Where the ladder has a gap, an
// arrow step waits (`pending`) and the state asks for a window (`want`: {threshold, view},
// the view sends it): around the threshold when fewer than REFILL neighbours are known either
// side, and across the view when the view changes; meanwhile the pointer snaps to the nearest
// ladder score. A complete ladder (every distinct score) never asks.
//
// A release asks the server to take the threshold: `unsent` holds it until the view has sent
// it. A rerun the release caused answers with the position the server already had (same seq),
// so a release answered late never pulls back a threshold the user drags elsewhere meanwhile.

import { atOrAbove, atOrBelow, fixes, isComplete, knownRun, nearestScore, nextScore, previousScore, stepByRows } from "./ladder.js";

/** The keys that move the threshold: to the next or previous score, a page, either end. */
export const STEP_KEYS = new Set(["ArrowRight", "ArrowUp", "ArrowLeft", "ArrowDown", "PageUp", "PageDown", "Home", "End"]);
/** The keys that zoom the threshold axis: in, out (around the threshold), back to the opening view. */
export const ZOOM_KEYS = new Map([
  ["+", "in"],
  ["=", "in"],
  ["-", "out"],
  ["_", "out"],
  ["0", "reset"],
  ["Escape", "reset"],
]);
/** How much one zoom key or wheel notch shrinks the visible scores. */
export const ZOOM_STEP = 0.5;
/** Shift with an arrow: this share of the visible scores, to the next distinct score beyond. */
export const SHIFT_STEP = 0.1;
/** The narrowest view, as a share of all the scores' range. */
const MIN_SPAN = 1e-5;

/** Neighbouring scores the ladder should know either side of the threshold, else it asks for more. */
export const REFILL = 64;

/** Settings before the server says otherwise: the training share, no costs. */
export const NO_SETTINGS = Object.freeze({ prevalence: null, fpCost: null, fnCost: null, averagePrecision: null, leastCost: null });

/**
 * The state before any event, for a detector (payload.js detectorOf: its `ladder` and
 * `scores`). The threshold starts at the lowest score; a server position usually follows at once.
 */
export function initialState({ ladder, scores }) {
  const { low, high, rows, full, opening } = scores;
  // PageUp/PageDown: one hundredth of the rows.
  const page = Math.max(1, Math.ceil(rows / 100));
  return {
    ladder,
    scores: { low, high, page, rows },
    threshold: low ?? null,
    pending: 0, // arrow steps waiting for the ladder (+ up, - down)
    want: null, // the window to ask the server for: {threshold, view}
    committed: null, // the threshold the server has
    seq: null, // the last server position followed
    dragging: false,
    keysPending: false, // keys moved the threshold; their release waits for the pause
    unsent: null, // a released threshold the view has yet to send
    settings: NO_SETTINGS,
    view: { domain: opening, full, opening },
  };
}

/** The state after `event`; `state` itself when nothing changes. */
export function reduce(state, event) {
  switch (event.type) {
    case "pointerDown":
      return { ...moveTo(state, snap(state, event.value)), dragging: true };
    case "pointerMove":
      return state.dragging ? moveTo(state, snap(state, event.value)) : state;
    case "pointerUp":
      return state.dragging ? release({ ...state, dragging: false }) : state;
    case "key":
      if (ZOOM_KEYS.has(event.key)) return zoomKey(state, ZOOM_KEYS.get(event.key));
      if (!STEP_KEYS.has(event.key)) return state;
      return needs({ ...reveal(stepKey(state, event.key, event.shift === true)), keysPending: true });
    case "keyPause":
    case "blur":
      return state.keysPending ? release(state) : state;
    case "pick":
      return Number.isFinite(event.threshold) ? release(reveal(moveTo(state, event.threshold))) : state;
    case "position":
      return needs(follow(state, event.position));
    case "ladder":
      return grown(state, event.ladder, event.answered ?? null);
    case "zoom":
      return Number.isFinite(event.anchor) && event.factor > 0 ? look(state, zoomed(state.view, event.anchor, event.factor)) : state;
    case "brush":
      if (!Number.isFinite(event.from) || !Number.isFinite(event.to) || event.from === event.to) return state;
      return look(state, fitted(state.view, [Math.min(event.from, event.to), Math.max(event.from, event.to)]));
    case "resetZoom":
      return look(state, state.view.opening);
    case "settings":
      return configure(state, event.settings);
    case "releaseSent":
      return state.unsent === null ? state : { ...state, unsent: null };
    default:
      throw new Error(`unknown explorer event: ${event.type}`);
  }
}

/**
 * Settings as the figures use them: a finite number or null for each; the server's figures over
 * every score at them: `averagePrecision` (null: undefined) and `leastCost` ({threshold, cost},
 * threshold Infinity to flag nothing; null without costs).
 */
export function normalizeSettings(settings) {
  const finite = (value) => (Number.isFinite(value) ? value : null);
  const least = settings.leastCost;
  return {
    prevalence: finite(settings.prevalence),
    fpCost: finite(settings.fpCost),
    fnCost: finite(settings.fnCost),
    averagePrecision: finite(settings.averagePrecision),
    leastCost: least && Number.isFinite(least.cost) ? { threshold: least.threshold ?? Infinity, cost: least.cost } : null,
  };
}

function moveTo(state, threshold) {
  return threshold === null || threshold === state.threshold ? state : { ...state, threshold };
}

/** The ladder score nearest `value` (within the scores' range) in `state`; null without a value. */
export function snap(state, value) {
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  const { low, high } = state.scores;
  return nearestScore(state.ladder, Math.min(Math.max(value, low), high));
}

const UP = new Set(["ArrowRight", "ArrowUp"]);

/** The state after a step key: moved, or with the arrow step waiting for the ladder. */
function stepKey(state, key, shift) {
  const arrow = key.startsWith("Arrow") && !shift;
  const direction = UP.has(key) ? 1 : -1;
  if (arrow && state.pending !== 0) return { ...state, pending: state.pending + direction }; // behind those waiting
  const target = step(state, key, shift);
  if (target === undefined) return { ...state, pending: direction };
  return moveTo(state, target);
}

/** Where a step key goes: a ladder score, or undefined when the next distinct score is not on it. */
function step(state, key, shift) {
  const { low, high, page, rows } = state.scores;
  const ladder = state.ladder;
  const t = state.threshold ?? low;
  const jump = (state.view.domain[1] - state.view.domain[0]) * SHIFT_STEP;
  const up = () => Math.max(atOrAbove(ladder, t + jump) ?? high, nextScore(ladder, t) ?? -Infinity);
  const down = () => Math.min(atOrBelow(ladder, t - jump) ?? low, previousScore(ladder, t) ?? Infinity);
  const moves = {
    ArrowRight: () => nextScore(ladder, t),
    ArrowUp: () => nextScore(ladder, t),
    ArrowLeft: () => previousScore(ladder, t),
    ArrowDown: () => previousScore(ladder, t),
    PageUp: () => stepByRows(ladder, t, page, rows),
    PageDown: () => stepByRows(ladder, t, -page, rows),
    Home: () => low,
    End: () => high,
  };
  if (shift && key.startsWith("Arrow") && Number.isFinite(t) && t >= low && t <= high) {
    return UP.has(key) ? up() : down();
  }
  const target = moves[key]();
  if (target === undefined) return undefined;
  // Beyond the scores (a typed threshold) the arrows come back to the nearest score.
  return target ?? nearestScore(ladder, Math.min(Math.max(t, low), high));
}

/** The state with a grown ladder: waiting arrow steps taken, and what it still needs. */
function grown(state, ladder, answered) {
  let next = { ...state, ladder, want: answered !== null && answered === state.want ? null : state.want };
  while (next.pending !== 0) {
    const direction = Math.sign(next.pending);
    const t = direction > 0 ? nextScore(ladder, next.threshold) : previousScore(ladder, next.threshold);
    if (t === undefined) break;
    next = { ...next, pending: t === null ? 0 : next.pending - direction, threshold: t ?? next.threshold };
  }
  if (next.threshold !== state.threshold) {
    next = reveal(next);
    if (!next.keysPending && !next.dragging) next = release(next); // the keys' pause went by meanwhile
  }
  return needs(next);
}

/**
 * The state asking for what its ladder lacks: a window around the threshold when fewer than
 * REFILL neighbours are known on a side (or steps wait), none once it has them; nothing new
 * while a drag holds the threshold.
 */
function needs(state) {
  const { ladder, threshold: t, want } = state;
  if (isComplete(ladder) || t === null) return want === null ? state : { ...state, want: null };
  if (state.dragging) return state; // a drag asks for nothing: the pointer snaps to what is known
  const short = state.pending !== 0 || knownRun(ladder, t, 1, REFILL) < REFILL || knownRun(ladder, t, -1, REFILL) < REFILL;
  if (short && want?.threshold !== t) return { ...state, want: { threshold: t, view: want?.view ?? null } };
  if (!short && want && want.view === null) return { ...state, want: null };
  return state;
}

/** Hand the threshold to the server, once: nothing when it already has it. */
function release(state) {
  const settled = state.keysPending ? { ...state, keysPending: false } : state;
  if (settled.threshold === null || settled.threshold === settled.committed) return settled;
  return { ...settled, committed: settled.threshold, unsent: settled.threshold };
}

function follow(state, position) {
  const configured = configure(state, position.settings);
  if (position.seq === configured.seq) return configured;
  const followed = { ...configured, seq: position.seq, committed: position.threshold };
  if (configured.dragging) return followed;
  // A threshold the ladder does not fix shows at the nearest ladder score until it does.
  const t = position.threshold;
  const shown = fixes(state.ladder, t) ? t : nearestScore(state.ladder, t);
  return reveal({ ...followed, threshold: shown, pending: 0 });
}

function within(value, [low, high]) {
  return value === null || value === undefined || Number.isNaN(value) ? value : Math.min(Math.max(value, low), high);
}

/** The state looking at `domain` (the same state when it already does), asking for its scores. */
function look(state, domain) {
  const now = state.view.domain;
  if (domain[0] === now[0] && domain[1] === now[1]) return state;
  const want = isComplete(state.ladder) ? null : { threshold: state.threshold, view: domain };
  return { ...state, view: { ...state.view, domain }, want };
}

function zoomKey(state, action) {
  if (action === "reset") return look(state, state.view.opening);
  const [low, high] = state.view.domain;
  const anchor = Number.isFinite(state.threshold) ? within(state.threshold, state.view.domain) : (low + high) / 2;
  return look(state, zoomed(state.view, anchor, action === "in" ? ZOOM_STEP : 1 / ZOOM_STEP));
}

/** `view`'s domain scaled by `factor` around `anchor`, fitted inside every score. */
export function zoomed(view, anchor, factor) {
  const [low, high] = view.domain;
  return fitted(view, [anchor - (anchor - low) * factor, anchor + (high - anchor) * factor]);
}

/** `domain` no narrower than MIN_SPAN of the scores' range and moved (not shrunk) inside it. */
export function fitted(view, [low, high]) {
  const [first, last] = view.full;
  const full = last - first;
  const minSpan = full * MIN_SPAN;
  if (high - low < minSpan) {
    const middle = (low + high) / 2;
    [low, high] = [middle - minSpan / 2, middle + minSpan / 2];
  }
  if (high - low >= full) return view.full;
  if (low < first) return [first, first + (high - low)];
  if (high > last) return [last - (high - low), last];
  return [low, high];
}

/** The state with its threshold in view: a threshold outside it pans the view, a tenth in. */
function reveal(state) {
  const t = state.threshold;
  const [low, high] = state.view.domain;
  if (!Number.isFinite(t) || (t >= low && t <= high)) return state;
  const span = high - low;
  const start = t < low ? t - span * 0.1 : t - span * 0.9;
  return look(state, fitted(state.view, [start, start + span]));
}

function configure(state, settings) {
  if (!settings) return state;
  const next = normalizeSettings(settings);
  const now = state.settings;
  const same = (a, b) => a === b || (a && b && a.threshold === b.threshold && a.cost === b.cost);
  if (["prevalence", "fpCost", "fnCost", "averagePrecision"].every((name) => next[name] === now[name]) && same(next.leastCost, now.leastCost)) {
    return state;
  }
  return { ...state, settings: next };
}
