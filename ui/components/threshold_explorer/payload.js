// Reading the bytes core/explorer.py writes: a magic, a JSON header, float64 arrays.

import { mergeSorted } from "./estimates.js";

/** The JSON header of core/explorer.py's payload. */
export function readHeader(bytes) {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== "TXP1") throw new Error(`not a threshold explorer payload (${magic})`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
}

/**
 * The header and float64 arrays of core/explorer.py's payload, and the pooled cross-validated
 * scores (cv_positive, cv_negative) merged from the folds'.
 */
export function decodePayload(bytes) {
  const own = bytes.slice(); // its own buffer, so the float64 views are aligned
  const header = readHeader(own);
  const arrays = {};
  for (const { name, offset, length: n } of header.arrays) arrays[name] = new Float64Array(own.buffer, offset, n);
  for (const kind of ["positive", "negative"]) {
    arrays[`cv_${kind}`] = mergeSorted(Array.from({ length: header.folds }, (_, k) => arrays[`fold${k}_${kind}`]));
  }
  return { header, arrays };
}
