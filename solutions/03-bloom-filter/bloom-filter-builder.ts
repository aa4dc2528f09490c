/**
 * Builds a bloom filter over a set of keys and serializes it. The table
 * builder of chapter 4 adds every user key of a table, then stores
 * `finish()` as the table's filter block.
 *
 * The layout written (bloom-filter-format.ts has the details):
 *
 *     +----------------------------------------+-----------+
 *     | bit array: m/8 bytes                   | k: u8     |
 *     +----------------------------------------+-----------+
 *
 *     m = max(64, keyCount × bitsPerKey), rounded up to a multiple of 8
 *     k = probeCountFor(bitsPerKey)
 */

import { DELTA_ROTATION, MIN_FILTER_BITS, PROBE_COUNT_SIZE, probeCountFor } from './bloom-filter-format.ts';
import { hash32 } from './hash.ts';

/**
 * Collects the keys of one filter, then writes it.
 *
 * Invariants:
 * 1. `hashes[0 .. keyCount - 1]` hold hash32 of every key added, in the
 *    order added; nothing else of a key is kept (a key's bytes may be
 *    reused by the caller as soon as addKey returns).
 * 2. `probeCount` is probeCountFor(bitsPerKey), fixed at construction.
 *
 * Not thread-safe.
 */
export class BloomFilterBuilder {
  /** Filter bits per key, as given to the constructor. */
  readonly bitsPerKey: number;
  /** k: how many bits each key sets. */
  readonly probeCount: number;
  /** The keys' hashes, 4 bytes each; grows by doubling. */
  private hashes = new Uint32Array(64);
  private count = 0;

  /**
   * Starts an empty filter with `bitsPerKey` bits per key (10 gives about
   * a 0.82% false-positive rate).
   * @throws InvalidArgumentError unless bitsPerKey is an integer from 1 to 64.
   */
  constructor(bitsPerKey: number) {
    this.probeCount = probeCountFor(bitsPerKey);
    this.bitsPerKey = bitsPerKey;
  }

  /** Returns how many keys were added, duplicates included. */
  get keyCount(): number {
    return this.count;
  }

  /**
   * Adds `key` to the set. Only its hash is kept, so adding costs 4 bytes
   * of memory whatever the key's length. Adding a key twice sizes the
   * filter for two keys but sets the same bits.
   */
  addKey(key: Uint8Array): void {
    if (this.count === this.hashes.length) {
      const grown = new Uint32Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.count++] = hash32(key);
  }

  /**
   * Returns the serialized filter over every key added so far: the bit
   * array of m bits (m = max(64, keyCount × bitsPerKey) rounded up to a
   * multiple of 8), then k in one byte. A filter with no keys is 64 clear
   * bits and answers "no" to everything. The builder is left unchanged, so
   * more keys can be added and finish called again.
   *
   * Probes reach bits 0 .. 2^32 - 1 only (h is 32-bit): past about 400
   * million keys at 10 bits per key, extra bits would go unused. Tables are
   * far smaller than that.
   */
  finish(): Uint8Array {
    // #region task 3.3: size m, then set k bits per key by double hashing, then append k
    let bitCount = Math.max(MIN_FILTER_BITS, this.count * this.bitsPerKey);
    bitCount = Math.ceil(bitCount / 8) * 8;
    const out = new Uint8Array(bitCount / 8 + PROBE_COUNT_SIZE);
    for (let i = 0; i < this.count; i++) {
      let h = this.hashes[i]!;
      // Two hashes are enough (Kirsch-Mitzenmacher): h and a rotation of it.
      const delta = ((h >>> DELTA_ROTATION) | (h << (32 - DELTA_ROTATION))) >>> 0;
      for (let probe = 0; probe < this.probeCount; probe++) {
        const bit = h % bitCount;
        out[bit >>> 3]! |= 1 << (bit & 7);
        h = (h + delta) >>> 0;
      }
    }
    out[out.length - 1] = this.probeCount;
    return out;
    // #endregion
  }
}
