/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 3's
 * format constants, probe count and probe positions, written differently
 * from solutions/03-bloom-filter/bloom-filter-format.ts.
 *
 * The format itself is fixed by the lesson (chapters/03-bloom-filter/README.md)
 * and is the same here: m/8 bytes of bits (bit i is byte i >>> 3, mask
 * 1 << (i & 7)), then k in one byte; m = max(64, n × b) rounded up to a
 * multiple of 8; k = round(b × ln 2) clamped to 1..30; probe i of a key is
 * bit ((h + i × delta) mod 2^32) % m with h = hash32(key) and delta = h
 * rotated right by 17.
 *
 * What differs:
 * - probeCountFor validates with plain comparisons (NaN fails every
 *   comparison, Infinity fails `<= 64`, fractions fail `% 1 === 0`) and
 *   rounds with floor(x + 0.5); the reference uses Number.isInteger and
 *   Math.round. Both agree for every b in 1..64 (b × ln 2 is never exactly
 *   half-way between two integers).
 * - The probe position is computed in closed form by one shared function,
 *   `probeBit(h, delta, i, m)`, used by both the builder and the reader, so
 *   they test the same bits by construction (the lesson's invariant 2). The
 *   reference instead walks h forward by delta in a loop, separately in each
 *   file. (h + i × delta) mod 2^32 equals delta added i times with a wrap
 *   after each step, because addition mod 2^32 is associative:
 *   `Math.imul(i, delta)` is i × delta mod 2^32 (as a signed value), and
 *   `(h + that) >>> 0` reduces the exact sum, which is below 2^33 in size,
 *   mod 2^32.
 */

import { requireArgument } from '#toolkit/errors.ts';

/** The fewest bits per key a builder accepts. */
export const MIN_BITS_PER_KEY = 1;
/** The most bits per key a builder accepts. */
export const MAX_BITS_PER_KEY = 64;
/** The fewest probes per key. */
export const MIN_PROBES = 1;
/** The most probes per key; a stored k above it is corrupt. */
export const MAX_PROBES = 30;
/** The smallest bit array a builder writes (8 bytes). */
export const MIN_FILTER_BITS = 64;
/** Bytes after the bit array: k, one byte. */
export const PROBE_COUNT_SIZE = 1;
/** How far h is rotated right to make the double-hashing step delta. */
export const DELTA_ROTATION = 17;

/**
 * Returns k for `bitsPerKey`: round(bitsPerKey × ln 2), clamped to
 * MIN_PROBES .. MAX_PROBES. 10 bits per key give 7 probes.
 *
 * @throws InvalidArgumentError unless `bitsPerKey` is an integer from 1 to 64.
 */
export function probeCountFor(bitsPerKey: number): number {
  const inRange = bitsPerKey >= MIN_BITS_PER_KEY && bitsPerKey <= MAX_BITS_PER_KEY;
  requireArgument(
    inRange && bitsPerKey % 1 === 0,
    `bitsPerKey must be a whole number in [${MIN_BITS_PER_KEY}, ${MAX_BITS_PER_KEY}], got ${bitsPerKey}`,
  );
  const optimal = Math.floor(bitsPerKey * Math.LN2 + 0.5);
  if (optimal < MIN_PROBES) return MIN_PROBES;
  if (optimal > MAX_PROBES) return MAX_PROBES;
  return optimal;
}

/** The double-hashing step for a key's hash `h`: h rotated right by DELTA_ROTATION, unsigned. */
export function probeStep(h: number): number {
  return ((h >>> DELTA_ROTATION) | (h << (32 - DELTA_ROTATION))) >>> 0;
}

/**
 * The bit index of probe `i` (0-based) of a key whose hash is `h`, in a
 * filter of `bitCount` bits: ((h + i × delta) mod 2^32) % bitCount.
 */
export function probeBit(h: number, delta: number, i: number, bitCount: number): number {
  return ((h + Math.imul(i, delta)) >>> 0) % bitCount;
}
