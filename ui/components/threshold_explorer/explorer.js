// The live threshold explorer: the Streamlit components-v2 module ui/explorer.py declares.
//
// The page mounts it three times, one role each, told apart by the data:
// - the payload mount gets the scored set's bytes (core/explorer.py: its ladder of scores with
//   their counts, and the drawn curves), the same on every rerun so that Streamlit serves them
//   from its cache; it builds the explorer (view.js), which counts and redraws in the browser
//   on every pointer move and tells the server only when the threshold is released (trigger
//   "release");
// - the position mount gets {position: {id, threshold, seq, settings, window}}: the threshold
//   the server chose (a goal picker, the exact number, a link) with the ladder's scores around
//   it (`window`, plain arrays), and the settings the figures rest on: the prevalence where the
//   classifier will be used (null: the sample's share), the costs of a false positive and a
//   false negative, and what the server computed over every score at them;
// - the window mount, in a fragment of its own, carries the explorer's requests for more of the
//   ladder (trigger "need": {seq, threshold, view, columns}) and gets the server's answer,
//   window bytes (core/explorer.py encode_window), or {windows: id} before any.
//
// They meet here, on a Board keyed by the payload's id: any may come first, and a position or
// a window reaches every explorer of its payload. All mounts load this one module (the same
// URL), so the board is module state.

import { decodePayload, detectorOf, readHeader } from "./payload.js";
import { ExplorerView } from "./view.js";

/**
 * Where server positions, windows and the window channel meet the explorers of a payload id:
 * `post` keeps each id's latest position and hands it to the explorers that joined it;
 * `latest` gives it to one just built; `deliver` hands a window to them; `open` keeps the
 * channel that asks the server for windows (and, the first time, lets them ask what they wanted
 * meanwhile), `ask` uses it (false without one); `join` returns the function that leaves.
 */
export class Board {
  constructor() {
    this.positions = new Map(); // payload id -> its latest position
    this.followers = new Map(); // payload id -> Set of {follow(position), receive(window)}
    this.channels = new Map(); // payload id -> setTriggerValue of its window mount
  }

  post(position) {
    this.positions.set(position.id, position);
    for (const explorer of this.followers.get(position.id) ?? []) explorer.follow(position);
  }

  latest(id) {
    return this.positions.get(id) ?? null;
  }

  deliver(id, window) {
    for (const explorer of this.followers.get(id) ?? []) explorer.receive(window);
  }

  open(id, send) {
    const first = !this.channels.has(id);
    this.channels.set(id, send);
    if (first) for (const explorer of this.followers.get(id) ?? []) explorer.request?.(); // what they wanted meanwhile
  }

  ask(id, request) {
    const send = this.channels.get(id);
    if (!send) return false;
    send("need", { id, ...request });
    return true;
  }

  join(id, explorer) {
    const followers = this.followers.get(id) ?? new Set();
    followers.add(explorer);
    this.followers.set(id, followers);
    return () => followers.delete(explorer);
  }
}

const board = new Board();
const mounted = new WeakMap(); // parentElement -> {view, leave}

export default function mount(component) {
  const { data, parentElement, setTriggerValue } = component;
  if (data && !(data instanceof Uint8Array)) {
    if (data.position) board.post(data.position);
    if (data.windows) board.open(data.windows, setTriggerValue);
    return undefined;
  }
  if (!(data instanceof Uint8Array)) return undefined;
  const header = readHeader(data);
  if (header.kind === "window") {
    board.open(header.id, setTriggerValue);
    board.deliver(header.id, decodePayload(data));
    return undefined;
  }
  let explorer = mounted.get(parentElement);
  if (explorer && explorer.view.id === header.id) {
    explorer.view.send = setTriggerValue; // a rerun: same detector, keep everything
  } else {
    if (explorer) end(explorer);
    const detector = detectorOf(decodePayload(data));
    const id = detector.header.id;
    const view = new ExplorerView(parentElement, detector, setTriggerValue, board.latest(id), (request) => board.ask(id, request));
    explorer = { view, leave: board.join(id, view) };
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
