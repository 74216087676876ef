// Reading the bytes core/explorer.py writes (a payload or a window): a magic, a JSON header,
// float64 arrays; and the detector a payload describes: its ladder, its blocks, its curves.

import { ladderOf } from "./ladder.js";

/** The JSON header of core/explorer.py's bytes. */
export function readHeader(bytes) {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== "TXP2") throw new Error(`not a threshold explorer payload (${magic})`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
}

/** The header and float64 arrays of core/explorer.py's bytes. */
export function decodePayload(bytes) {
  const own = bytes.slice(); // its own buffer, so the float64 views are aligned
  const header = readHeader(own);
  const arrays = {};
  for (const { name, offset, length: n } of header.arrays) arrays[name] = new Float64Array(own.buffer, offset, n);
  return { header, arrays };
}

/** One block of rows: its key on the ladder and its totals. */
function block(header, key) {
  const [nPositive, nNegative] = key === "pool" ? header.rows : header.totals[key];
  return { key, nPositive, nNegative };
}

/**
 * The scored set a decoded payload describes: its `ladder`, its blocks (`pool`, the curve rows
 * pooled; each fold's, empty without folds: the one block is no fold; `test`, null without
 * test rows; each group's, with its `name`), its scores' range and rows (`scores`: low, high,
 * rows, distinct, full, opening), with the `header`, its `nouns` and the drawn curves (`arrays`).
 */
export function detectorOf({ header, arrays }) {
  const folds = header.blocks.filter((name) => name.startsWith("fold"));
  const rows = [0, 0];
  for (const name of folds) header.totals[name].forEach((n, k) => (rows[k] += n));
  const full = { ...header, rows };
  return {
    header,
    nouns: header.nouns,
    arrays,
    ladder: ladderOf(header.blocks, arrays, header.distinct),
    pool: block(full, "pool"),
    folds: header.has_folds ? folds.map((name) => block(full, name)) : [],
    test: header.has_test ? block(full, "test") : null,
    groups: (header.groups ?? []).map((name, g) => ({ name, ...block(full, `group${g}`) })),
    scores: {
      low: header.low,
      high: header.high,
      rows: rows[0] + rows[1],
      distinct: header.distinct,
      full: header.full,
      opening: header.opening,
    },
  };
}

/**
 * The ladder of a window (decoded bytes, or a position's window of plain arrays, with `at`: its
 * threshold's own counts) for `detector`.
 */
export function windowLadder(detector, arrays) {
  return ladderOf(detector.header.blocks, arrays, detector.header.distinct, arrays.at ?? null);
}
