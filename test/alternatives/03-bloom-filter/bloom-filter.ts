/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 3's
 * BloomFilter reader and theoreticalFalsePositiveRate, written differently
 * from solutions/03-bloom-filter/bloom-filter.ts.
 *
 * What differs:
 * - decode keeps the whole view it was given (bits and k byte) plus the
 *   number of bit bytes, instead of a subarray of the bits alone; it still
 *   never copies and indexes the view itself, so a view at any byteOffset
 *   reads its own bytes.
 * - mayContain computes each probe in closed form with probeBit (shared with
 *   the builder) and tests a bit by shifting the byte right, `(byte >> (bit
 *   % 8)) & 1`, where the reference walks h by delta and masks.
 * - theoreticalFalsePositiveRate multiplies the chance that one probed bit
 *   is set k times in a loop, instead of using `**`.
 *
 * Why it is still correct: decode checks what the format requires (at least
 * one byte of bits and a k byte, else a CorruptionError at offset 0; k in
 * 1..30, else one at the offset of k) and reads m as 8 × (length - 1);
 * mayContain tests exactly the bits the builder set (same hash, same probeBit,
 * same m, the stored k) and says no at the first clear one; the product of k
 * equal factors is (1 - e^(-k/b))^k.
 */

import { CorruptionError } from '#toolkit/errors.ts';
import { MAX_PROBES, MIN_PROBES, PROBE_COUNT_SIZE, probeBit, probeCountFor, probeStep } from './bloom-filter-format.ts';
import { hash32 } from './hash.ts';

/** A decoded, read-only bloom filter: a view of the serialized bytes, never a copy. */
export class BloomFilter {
  private constructor(
    /** The serialized filter as given to decode: bitBytes bytes of bits, then k. */
    private readonly serialized: Uint8Array,
    private readonly bitBytes: number,
    private readonly probes: number,
  ) {}

  /**
   * Parses a filter written by BloomFilterBuilder.finish; `bytes` may be a
   * view into a larger buffer. Keeps a view of `bytes`, not a copy.
   *
   * @param file names the filter's file in errors.
   * @throws CorruptionError if `bytes` is shorter than 2 bytes or the stored
   *   k is outside 1 .. 30.
   */
  static decode(bytes: Uint8Array, file = 'bloom filter'): BloomFilter {
    const bitBytes = bytes.length - PROBE_COUNT_SIZE;
    if (bitBytes <= 0) {
      throw new CorruptionError({
        file,
        offset: 0,
        reason: `too short for a bloom filter (${bytes.length} byte(s)): it needs a bit array and a probe count`,
      });
    }
    const k = bytes[bitBytes]!;
    const valid = k >= MIN_PROBES && k <= MAX_PROBES;
    if (!valid) {
      throw new CorruptionError({
        file,
        offset: bitBytes,
        reason: `probe count ${k} is not in ${MIN_PROBES}..${MAX_PROBES}`,
      });
    }
    return new BloomFilter(bytes, bitBytes, k);
  }

  /** Returns m, the number of bits in the filter (a multiple of 8). */
  get bitCount(): number {
    return this.bitBytes * 8;
  }

  /** Returns k, the number of bits checked per key. */
  get probeCount(): number {
    return this.probes;
  }

  /** Returns false iff `key` is certainly not in the set; true means "maybe". */
  mayContain(key: Uint8Array): boolean {
    const h = hash32(key);
    const delta = probeStep(h);
    const bitCount = this.bitCount;
    for (let i = 0; i < this.probes; i++) {
      const bit = probeBit(h, delta, i, bitCount);
      const isSet = (this.serialized[Math.floor(bit / 8)]! >> bit % 8) & 1;
      if (isSet === 0) return false;
    }
    return true;
  }
}

/**
 * Returns the false-positive rate the math predicts at `bitsPerKey` bits per
 * key with k = probeCountFor(bitsPerKey): (1 - e^(-k / bitsPerKey))^k.
 *
 * @throws InvalidArgumentError unless bitsPerKey is an integer from 1 to 64.
 */
export function theoreticalFalsePositiveRate(bitsPerKey: number): number {
  const k = probeCountFor(bitsPerKey);
  // One probe of an absent key lands on a set bit with this probability...
  const oneProbeHits = 1 - Math.exp(-k / bitsPerKey);
  // ...and it is a false positive only if all k of its probes do.
  let rate = 1;
  for (let i = 0; i < k; i++) rate *= oneProbeHits;
  return rate;
}
