/**
 * A seeded permutation of 0..n-1 that takes no memory: `at(i)` for i = 0,
 * 1, ..., n-1 visits every number once, in a scrambled order. fillrandom
 * writes keys in this order and deleterandom deletes them in it, so each key
 * is written (deleted) exactly once; the zipfian chooser uses it to scatter
 * the hot keys.
 *
 * How: a bijection on k-bit numbers (k = bits of n - 1), made of rounds of
 * "multiply by an odd constant, add a seeded constant, xor with a right
 * shift", each invertible mod 2^k; numbers it maps to n or above are mapped
 * again until they land below n ("cycle walking"), which keeps it a
 * bijection on 0..n-1. Fewer than 2 steps on average, since 2^k < 2n.
 */

import { SeededRandom } from '#toolkit/random.ts';

const ROUNDS = 3;

/** A bijection of 0..n-1 onto itself; see the file comment. */
export class KeyPermutation {
  private readonly bits: number;
  private readonly mask: number;
  private readonly multipliers: Uint32Array;
  private readonly addends: Uint32Array;

  /**
   * @param n the size, 1 to 2^32.
   * @param seed picks the permutation.
   */
  constructor(
    readonly n: number,
    seed: number,
  ) {
    if (!Number.isSafeInteger(n) || n < 1 || n > 0x1_0000_0000) throw new RangeError(`a permutation needs 1 to 2^32 items, got ${n}`);
    this.bits = Math.max(1, Math.ceil(Math.log2(n)));
    this.mask = this.bits >= 32 ? 0xffff_ffff : (1 << this.bits) - 1;
    const random = new SeededRandom(seed);
    this.multipliers = new Uint32Array(ROUNDS);
    this.addends = new Uint32Array(ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      this.multipliers[r] = (random.nextU32() | 1) >>> 0;
      this.addends[r] = random.nextU32();
    }
  }

  /** Returns the number at position `i` of the permutation. REQUIRES: 0 <= i < n. */
  at(i: number): number {
    let x = i;
    do x = this.scramble(x);
    while (x >= this.n);
    return x;
  }

  /** One pass of the k-bit bijection. */
  private scramble(value: number): number {
    const mask = this.mask;
    const shift = (this.bits >>> 1) + 1;
    let x = value;
    for (let r = 0; r < ROUNDS; r++) {
      x = (Math.imul(x, this.multipliers[r]!) + this.addends[r]!) & mask;
      x = (x ^ (x >>> shift)) >>> 0;
    }
    return x >>> 0;
  }
}
