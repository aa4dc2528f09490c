/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 3's
 * hash, written differently from solutions/03-bloom-filter/hash.ts.
 *
 * The format fixes the function, not the code: 32-bit Murmur3 (x86_32)
 * with the seed 0xbc9f1d34, returning an unsigned 32-bit integer. What
 * differs here:
 *
 * - whole 4-byte blocks are read with a little-endian DataView (the
 *   reference assembles them from four bytes with shifts);
 * - the 1 to 3 tail bytes are gathered by a loop (the reference unrolls it);
 * - every intermediate value is kept unsigned with `>>> 0` (the reference
 *   keeps signed 32-bit values with `| 0` and converts once at the end).
 *
 * Why it is still correct: all of these compute the same bits mod 2^32, so
 * the result equals Murmur3 for every input; test/03-bloom-filter checks it
 * against published test vectors.
 */

/** The seed the filter hashes with; part of the filter format (see the lesson). */
export const FILTER_HASH_SEED = 0xbc9f1d34;

/** Rotates the unsigned 32-bit `x` left by `r` bits (0 < r < 32); returns it unsigned. */
function rotateLeft(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/** (a × b) mod 2^32, unsigned. */
function mul32(a: number, b: number): number {
  return Math.imul(a, b) >>> 0;
}

/** The per-block scramble: k × c1, rotate left 15, × c2. */
function scramble(k: number): number {
  return mul32(rotateLeft(mul32(k, 0xcc9e2d51), 15), 0x1b873593);
}

/**
 * Hashes `bytes` with 32-bit Murmur3 (x86_32) and `seed`.
 * Returns an unsigned 32-bit integer, 0 .. 2^32 - 1. Reads `bytes` only.
 */
export function hash32(bytes: Uint8Array, seed = FILTER_HASH_SEED): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blockCount = Math.floor(bytes.length / 4);
  let h = seed >>> 0;

  for (let block = 0; block < blockCount; block++) {
    h = (h ^ scramble(view.getUint32(block * 4, true))) >>> 0;
    h = (mul32(rotateLeft(h, 13), 5) + 0xe6546b64) >>> 0;
  }

  const tailStart = blockCount * 4;
  if (tailStart < bytes.length) {
    let tail = 0;
    for (let j = 0; tailStart + j < bytes.length; j++) tail |= bytes[tailStart + j]! << (8 * j);
    h = (h ^ scramble(tail >>> 0)) >>> 0;
  }

  // Finalization: fold in the length, then avalanche.
  h = (h ^ bytes.length) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul32(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul32(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
