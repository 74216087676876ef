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
// - zoom {anchor, factor}: the visible scores shrink (factor < 1) or grow around score `anchor`;
// - brush {from, to}: the visible scores become [from, to] (either order);
// - resetZoom: the visible scores are the opening ones again.
//
// The visible part of the threshold axis is `view.domain`, inside `view.full` (every score);
// it opens on `view.opening`, where the recall runs from 99% to 1% (drawing.js openingDomain).
// A threshold a key, a click or the server moves outside it pans the view to it (the view
// keeps a drag's pointer inside the plot).
//
// A release asks the server to take the threshold: `unsent` holds it until the view has sent
// it. A rerun the release caused answers with the position the server already had (same seq),
// so a release answered late never pulls back a threshold the user drags elsewhere meanwhile.

import { isScore, nearestScore, nextScore, previousScore, stepByRank } from "./counting.js";
import { openingDomain, thresholdDomain } from "./drawing.js";

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

/** Settings before the server says otherwise: the training share, no costs. */
export const NO_SETTINGS = Object.freeze({ prevalence: null, fpCost: null, fnCost: null });

/**
 * The state before any event, for the sorted scores of each class (`positive`, `negative`).
 * The threshold starts at the lowest score; a server position usually follows at once.
 */
export function initialState({ positive, negative }) {
  const lows = [positive[0], negative[0]].filter(Number.isFinite);
  const highs = [positive.at(-1), negative.at(-1)].filter(Number.isFinite);
  const low = Math.min(...lows);
  const high = Math.max(...highs);
  // PageUp/PageDown: one hundredth of the scores.
  const page = Math.max(1, Math.ceil((positive.length + negative.length) / 100));
  const full = Number.isFinite(low) ? thresholdDomain(low, high) : [0, 1];
  const opening = openingDomain(positive, full);
  return {
    scores: { positive, negative, low, high, page },
    threshold: low,
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
      return { ...moveTo(state, snap(state.scores, event.value)), dragging: true };
    case "pointerMove":
      return state.dragging ? moveTo(state, snap(state.scores, event.value)) : state;
    case "pointerUp":
      return state.dragging ? release({ ...state, dragging: false }) : state;
    case "key":
      if (ZOOM_KEYS.has(event.key)) return zoomKey(state, ZOOM_KEYS.get(event.key));
      if (!STEP_KEYS.has(event.key)) return state;
      return { ...reveal(moveTo(state, step(state, event.key, event.shift === true))), keysPending: true };
    case "keyPause":
    case "blur":
      return state.keysPending ? release(state) : state;
    case "pick":
      return Number.isFinite(event.threshold) ? release(reveal(moveTo(state, event.threshold))) : state;
    case "position":
      return follow(state, event.position);
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

/** Settings as the figures use them: a finite number or null for each. */
export function normalizeSettings(settings) {
  const finite = (value) => (Number.isFinite(value) ? value : null);
  return { prevalence: finite(settings.prevalence), fpCost: finite(settings.fpCost), fnCost: finite(settings.fnCost) };
}

function moveTo(state, threshold) {
  return threshold === null || threshold === state.threshold ? state : { ...state, threshold };
}

/** The score nearest `value` (within the scores' range) of `scores` (state.scores); null without a value. */
export function snap(scores, value) {
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  const { positive, negative, low, high } = scores;
  return nearestScore(positive, negative, Math.min(Math.max(value, low), high));
}

function step(state, key, shift) {
  const { positive, negative, low, high, page } = state.scores;
  const t = state.threshold ?? low;
  const jump = (state.view.domain[1] - state.view.domain[0]) * SHIFT_STEP;
  const up = () => Math.max(atOrAbove(positive, negative, t + jump) ?? high, nextScore(positive, negative, t) ?? -Infinity);
  const down = () => Math.min(atOrBelow(positive, negative, t - jump) ?? low, previousScore(positive, negative, t) ?? Infinity);
  const moves = {
    ArrowRight: () => nextScore(positive, negative, t),
    ArrowUp: () => nextScore(positive, negative, t),
    ArrowLeft: () => previousScore(positive, negative, t),
    ArrowDown: () => previousScore(positive, negative, t),
    PageUp: () => stepByRank(positive, negative, t, page),
    PageDown: () => stepByRank(positive, negative, t, -page),
    Home: () => low,
    End: () => high,
  };
  if (shift && key.startsWith("Arrow") && Number.isFinite(t) && t >= low && t <= high) {
    return key === "ArrowRight" || key === "ArrowUp" ? up() : down();
  }
  // Beyond the scores (a typed threshold) the arrows come back to the nearest score.
  return moves[key]() ?? nearestScore(positive, negative, Math.min(Math.max(t, low), high));
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
  return configured.dragging ? followed : reveal({ ...followed, threshold: position.threshold });
}

/** The smallest score at or above x, or null. */
function atOrAbove(positive, negative, x) {
  return isScore(positive, negative, x) ? x : nextScore(positive, negative, x);
}

/** The largest score at or below x, or null. */
function atOrBelow(positive, negative, x) {
  return isScore(positive, negative, x) ? x : previousScore(positive, negative, x);
}

function within(value, [low, high]) {
  return value === null || value === undefined || Number.isNaN(value) ? value : Math.min(Math.max(value, low), high);
}

/** The state looking at `domain` (the same state when it already does). */
function look(state, domain) {
  const now = state.view.domain;
  return domain[0] === now[0] && domain[1] === now[1] ? state : { ...state, view: { ...state.view, domain } };
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
  if (next.prevalence === now.prevalence && next.fpCost === now.fpCost && next.fnCost === now.fnCost) return state;
  return { ...state, settings: next };
}
