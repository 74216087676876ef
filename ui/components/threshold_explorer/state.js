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
// - key {key}: one of STEP_KEYS moves to another score; a release follows the key pause;
// - keyPause: the view's timer after the last key ran out: the threshold is released;
// - blur: the control lost focus: a key burst still waiting for its pause is released now;
// - pick {threshold}: a click on a curve point: that threshold, released at once;
// - position {position: {threshold, seq, settings}}: the server's threshold (a picker, the
//   exact number, a link), followed once per `seq` and never while the user holds the
//   threshold; its settings apply in any case;
// - settings {settings}: the prevalence and costs the figures rest on;
// - releaseSent: the view told the server `unsent`.
//
// A release asks the server to take the threshold: `unsent` holds it until the view has sent
// it. A rerun the release caused answers with the position the server already had (same seq),
// so a release answered late never pulls back a threshold the user drags elsewhere meanwhile.

import { nearestScore, nextScore, previousScore, stepByRank } from "./counting.js";

/** The keys that move the threshold: to the next or previous score, a page, either end. */
export const STEP_KEYS = new Set(["ArrowRight", "ArrowUp", "ArrowLeft", "ArrowDown", "PageUp", "PageDown", "Home", "End"]);

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
  return {
    scores: { positive, negative, low, high, page },
    threshold: low,
    committed: null, // the threshold the server has
    seq: null, // the last server position followed
    dragging: false,
    keysPending: false, // keys moved the threshold; their release waits for the pause
    unsent: null, // a released threshold the view has yet to send
    settings: NO_SETTINGS,
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
      return STEP_KEYS.has(event.key) ? { ...moveTo(state, step(state, event.key)), keysPending: true } : state;
    case "keyPause":
    case "blur":
      return state.keysPending ? release(state) : state;
    case "pick":
      return Number.isFinite(event.threshold) ? release(moveTo(state, event.threshold)) : state;
    case "position":
      return follow(state, event.position);
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

function step(state, key) {
  const { positive, negative, low, high, page } = state.scores;
  const t = state.threshold ?? low;
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
  return configured.dragging ? followed : { ...followed, threshold: position.threshold };
}

function configure(state, settings) {
  if (!settings) return state;
  const next = normalizeSettings(settings);
  const now = state.settings;
  if (next.prevalence === now.prevalence && next.fpCost === now.fpCost && next.fnCost === now.fnCost) return state;
  return { ...state, settings: next };
}
