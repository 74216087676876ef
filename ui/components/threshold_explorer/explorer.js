// The live threshold explorer: the Streamlit components-v2 module ui/explorer.py declares.
//
// The page mounts it twice, one role each, told apart by the data:
// - the payload mount gets the scored set's bytes (core/explorer.py), the same on every rerun so
//   that Streamlit serves them from its cache; it builds the explorer (view.js), which counts
//   and redraws in the browser on every pointer move and tells the server only when the
//   threshold is released (trigger "release");
// - the position mount gets {position: {id, threshold, seq, settings}}: the threshold the
//   server chose (a goal picker, the exact number, a link) and the settings the figures rest
//   on: the prevalence where the detector will be used (null: the training share) and the
//   costs of a false positive and a false negative.
//
// The two meet here, on a PositionBoard keyed by the payload's id: either may come first,
// and a position reaches every explorer of its payload. Both mounts load this one module
// (the same URL), so the board is module state.

import { detectorOf } from "./figures.js";
import { decodePayload, readHeader } from "./payload.js";
import { ExplorerView } from "./view.js";

/**
 * Where server positions meet the explorers they move: `post` keeps each payload id's latest
 * position and hands it to the explorers that joined that id; `latest` gives it to one just
 * built; `join` returns the function that leaves.
 */
export class PositionBoard {
  constructor() {
    this.positions = new Map(); // payload id -> its latest position
    this.followers = new Map(); // payload id -> Set of follow(position) functions
  }

  post(position) {
    this.positions.set(position.id, position);
    for (const follow of this.followers.get(position.id) ?? []) follow(position);
  }

  latest(id) {
    return this.positions.get(id) ?? null;
  }

  join(id, follow) {
    const followers = this.followers.get(id) ?? new Set();
    followers.add(follow);
    this.followers.set(id, followers);
    return () => followers.delete(follow);
  }
}

const board = new PositionBoard();
const mounted = new WeakMap(); // parentElement -> {view, leave}

export default function mount(component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data && !(data instanceof Uint8Array) && data.position) {
    board.post(data.position);
    return undefined;
  }
  if (!(data instanceof Uint8Array)) return undefined;
  let explorer = mounted.get(parentElement);
  if (explorer && explorer.view.id === readHeader(data).id) {
    explorer.view.send = setTriggerValue; // a rerun: same detector, keep everything
  } else {
    if (explorer) end(explorer);
    const detector = detectorOf(decodePayload(data));
    const view = new ExplorerView(parentElement, detector, setTriggerValue, board.latest(detector.header.id));
    explorer = { view, leave: board.join(view.id, (position) => view.follow(position)) };
    mounted.set(parentElement, explorer);
  }
  const current = explorer;
  // Streamlit may call a cleanup of an earlier run of this same element late: only an
  // element gone from the page ends its explorer.
  return () =>
    setTimeout(() => {
      if (parentElement.isConnected) return;
      end(current);
      if (mounted.get(parentElement) === current) mounted.delete(parentElement);
    });
}

function end({ view, leave }) {
  leave();
  view.destroy();
}
