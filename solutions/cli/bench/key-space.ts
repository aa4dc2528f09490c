/**
 * The benchmark's keys and values, the same bytes for every engine.
 *
 * Key i is i in decimal, zero-padded to the key size, as db_bench writes
 * it: with 16-byte keys, key 42 is "0000000000000042". So key order is
 * numeric order, and fillseq writes in key order. A missing key (for
 * readmissing) is key i followed by ".": it sorts just after key i, inside
 * every table's key range, so neither a range check nor luck answers it;
 * only the filter (or a block read) does.
 *
 * Values are views into one pool of seeded random bytes (incompressible:
 * LevelDB's snappy cannot shrink them), at a seeded offset per write. The
 * pool is never written after it is made, so a view may be handed to an
 * engine that keeps it (lmdb, classic-level) without a copy.
 */

import { SeededRandom } from '#toolkit/random.ts';

/** Bytes of random data values are cut from. */
const VALUE_POOL_SIZE = 1 << 20;

/** Makes keys and values; see the file comment. */
export class KeySpace {
  private readonly pool: Uint8Array;
  private readonly valueOffsets: SeededRandom;

  /**
   * @param keySize bytes per key; 10^keySize must exceed the number of keys.
   * @param valueSize bytes per value.
   * @param seed seeds the value bytes and the choice of value per write.
   */
  constructor(
    readonly keySize: number,
    readonly valueSize: number,
    seed: number,
  ) {
    const random = new SeededRandom(seed ^ 0x2545f491);
    this.pool = new Uint8Array(VALUE_POOL_SIZE + valueSize);
    for (let i = 0; i < this.pool.length; i += 4) {
      const word = random.nextU32();
      this.pool[i] = word;
      this.pool[i + 1] = word >>> 8;
      this.pool[i + 2] = word >>> 16;
      this.pool[i + 3] = word >>> 24;
    }
    this.valueOffsets = new SeededRandom(seed ^ 0x68e31da4);
  }

  /** Returns a new array holding key `index`. */
  key(index: number): Uint8Array {
    const out = new Uint8Array(this.keySize);
    writeDecimal(out, this.keySize, index);
    return out;
  }

  /** Returns a new array holding a key that is never written: key `index` and a ".". */
  missingKey(index: number): Uint8Array {
    const out = new Uint8Array(this.keySize + 1);
    writeDecimal(out, this.keySize, index);
    out[this.keySize] = 0x2e; // "."
    return out;
  }

  /** Returns the next value: a view of `valueSize` random bytes. Never modify it. */
  value(): Uint8Array {
    const offset = this.valueOffsets.below(VALUE_POOL_SIZE);
    return this.pool.subarray(offset, offset + this.valueSize);
  }
}

/** Writes `n` in decimal into `out[0, width)`, right-aligned, zero-padded. */
function writeDecimal(out: Uint8Array, width: number, n: number): void {
  let rest = n;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}
