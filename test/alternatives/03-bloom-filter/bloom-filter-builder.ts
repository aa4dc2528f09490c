/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 3's
 * BloomFilterBuilder, written differently from
 * solutions/03-bloom-filter/bloom-filter-builder.ts.
 *
 * What differs:
 * - The hashes are kept in a plain `number[]` (the reference grows a
 *   Uint32Array by doubling).
 * - m is sized in bytes first: max(8, ceil(n × b / 8)) bytes, which is the
 *   same as max(64, n × b) bits rounded up to a multiple of 8, because 64 is
 *   itself a multiple of 8.
 * - The loops are swapped: the outer loop runs over the probe number i and
 *   the inner one over the keys, each probe position computed in closed form
 *   by probeBit (bloom-filter-format.ts). The reference loops key by key and
 *   walks h forward by delta. The deltas are computed once per key up front.
 * - A bit is set with a shift of 1 by (bit % 8) into byte floor(bit / 8).
 *
 * Why it is still correct: every (key, probe) pair sets exactly the bit the
 * format names (probeBit is the closed form of the documented walk), and
 * setting bits with OR gives the same bytes in any order. k goes in the last
 * byte; finish reads the stored hashes and changes nothing, so it can be
 * called again.
 */

import { MIN_FILTER_BITS, PROBE_COUNT_SIZE, probeBit, probeCountFor, probeStep } from './bloom-filter-format.ts';
import { hash32 } from './hash.ts';

/**
 * Collects the keys of one filter (as their 32-bit hashes), then writes it.
 * Not thread-safe.
 */
export class BloomFilterBuilder {
  /** Filter bits per key, as given to the constructor. */
  readonly bitsPerKey: number;
  /** k: how many bits each key sets. */
  readonly probeCount: number;
  /** hash32 of every key added, in order, duplicates included. */
  private readonly keyHashes: number[] = [];

  /**
   * Starts an empty filter with `bitsPerKey` bits per key.
   * @throws InvalidArgumentError unless bitsPerKey is an integer from 1 to 64.
   */
  constructor(bitsPerKey: number) {
    this.bitsPerKey = bitsPerKey;
    this.probeCount = probeCountFor(bitsPerKey);
  }

  /** Returns how many keys were added, duplicates included. */
  get keyCount(): number {
    return this.keyHashes.length;
  }

  /** Adds `key` to the set; only its hash is kept. */
  addKey(key: Uint8Array): void {
    this.keyHashes.push(hash32(key));
  }

  /**
   * Returns the serialized filter over every key added so far: m/8 bytes of
   * bits, then k. The builder is left unchanged.
   */
  finish(): Uint8Array {
    const byteCount = Math.max(MIN_FILTER_BITS / 8, Math.ceil((this.keyHashes.length * this.bitsPerKey) / 8));
    const bitCount = byteCount * 8;
    const out = new Uint8Array(byteCount + PROBE_COUNT_SIZE);
    const deltas = this.keyHashes.map(probeStep);

    for (let i = 0; i < this.probeCount; i++) {
      this.keyHashes.forEach((h, key) => {
        const bit = probeBit(h, deltas[key]!, i, bitCount);
        out[Math.floor(bit / 8)]! |= 1 << bit % 8;
      });
    }

    out[byteCount] = this.probeCount;
    return out;
  }
}
