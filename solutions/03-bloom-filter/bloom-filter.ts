/**
 * Reads a serialized bloom filter and answers "may this key be in the
 * set?", plus the false-positive rate the math predicts for a setting.
 *
 * The layout read (bloom-filter-format.ts has the details):
 *
 *     +----------------------------------------+-----------+
 *     | bit array: m/8 bytes                   | k: u8     |
 *     +----------------------------------------+-----------+
 *
 * "No" is always right: a key that was added set all its k bits, and bits
 * are never cleared. "Maybe" is wrong for a fraction of absent keys, the
 * false-positive rate: about (1 - e^(-k/b))^k at b bits per key.
 */

import { CorruptionError } from '#toolkit/errors.ts';
import { DELTA_ROTATION, MAX_PROBES, MIN_PROBES, PROBE_COUNT_SIZE, probeCountFor } from './bloom-filter-format.ts';
import { hash32 } from './hash.ts';

/**
 * A decoded, read-only bloom filter.
 *
 * Invariants:
 * 1. `bits` has at least one byte; the filter has 8 × bits.length bits.
 * 2. `probes` (k) is in MIN_PROBES .. MAX_PROBES.
 * 3. `bits` is a view into the bytes given to decode, never a copy and
 *    never written: the caller must not modify those bytes afterwards.
 */
export class BloomFilter {
  private constructor(
    private readonly bits: Uint8Array,
    private readonly probes: number,
  ) {}

  /**
   * Parses a filter written by BloomFilterBuilder.finish. `bytes` may be a
   * view into a larger buffer (a table's filter block): only its own
   * `length` bytes, from its own `byteOffset`, are read. The filter keeps a
   * view of `bytes`, not a copy.
   *
   * @param file names the filter's file in errors.
   * @throws CorruptionError if `bytes` is shorter than 2 bytes (no bit
   *   array, or nothing at all) or if the stored k is outside 1 .. 30.
   */
  static decode(bytes: Uint8Array, file = 'bloom filter'): BloomFilter {
    // #region task 3.4: check there is a bit array and a k byte, check k is in 1..30, keep a view of the bits
    if (bytes.length < 1 + PROBE_COUNT_SIZE) {
      throw new CorruptionError({
        file,
        offset: 0,
        reason: `a bloom filter needs at least 1 byte of bits and 1 byte for k, got ${bytes.length} byte(s)`,
      });
    }
    const probes = bytes[bytes.length - 1]!;
    if (probes < MIN_PROBES || probes > MAX_PROBES) {
      throw new CorruptionError({
        file,
        offset: bytes.length - 1,
        reason: `bloom filter probe count k = ${probes} is outside ${MIN_PROBES} .. ${MAX_PROBES}`,
      });
    }
    return new BloomFilter(bytes.subarray(0, bytes.length - PROBE_COUNT_SIZE), probes);
    // #endregion
  }

  /** Returns m, the number of bits in the filter (a multiple of 8). */
  get bitCount(): number {
    return this.bits.length * 8;
  }

  /** Returns k, the number of bits checked per key. */
  get probeCount(): number {
    return this.probes;
  }

  /**
   * Returns false iff `key` is certainly not in the set: one of its k bits
   * is clear. True means "maybe": every key added answers true, and so does
   * a small fraction of the keys never added (the false positives).
   */
  mayContain(key: Uint8Array): boolean {
    // #region task 3.5: hash the key, then test the same k bits the builder set, stopping at the first clear one
    const bitCount = this.bits.length * 8;
    let h = hash32(key);
    const delta = ((h >>> DELTA_ROTATION) | (h << (32 - DELTA_ROTATION))) >>> 0;
    for (let probe = 0; probe < this.probes; probe++) {
      const bit = h % bitCount;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
      h = (h + delta) >>> 0;
    }
    return true;
    // #endregion
  }
}

/**
 * Returns the false-positive rate the math predicts for a filter of
 * `bitsPerKey` bits per key probing k = probeCountFor(bitsPerKey) bits:
 * (1 - e^(-k / bitsPerKey))^k. 10 bits per key give about 0.0082 (0.82%).
 * Real filters land close to it when they hold many keys; with few keys m
 * is at least 64 bits, so they do better.
 *
 * @throws InvalidArgumentError unless bitsPerKey is an integer from 1 to 64.
 */
export function theoreticalFalsePositiveRate(bitsPerKey: number): number {
  // #region task 3.2: the probability that all k probed bits are set, with k from task 3.1
  const k = probeCountFor(bitsPerKey);
  // After adding n keys to m bits, each bit is still clear with probability
  // (1 - 1/m)^(kn) ≈ e^(-kn/m) = e^(-k/bitsPerKey).
  const bitSet = 1 - Math.exp(-k / bitsPerKey);
  return bitSet ** k;
  // #endregion
}
