/**
 * A seeded zipfian key chooser, for the mixed workloads: a few keys are
 * hot, most are cold, as in real traffic (YCSB's workloads A and B).
 *
 * Rank r (0 = hottest) of n items is drawn with probability proportional to
 * 1 / (r + 1)^theta. With YCSB's theta = 0.99 and n = 1,000,000 keys, the
 * hottest key gets 6.5% of the accesses, the 10 hottest 19.2%, the 100
 * hottest 34.4%, the hottest 1% of keys 66.4% and the hottest 10% 83.0%
 * (for any n: {@link zipfianShare}).
 *
 * The draw is Gray et al.'s method ("Quickly generating billion-record
 * synthetic databases", SIGMOD 1994), the one YCSB uses: O(n) once to sum
 * zeta(n), then O(1) per draw. Ranks are then scrambled by a seeded
 * permutation of 0..n-1 ({@link KeyPermutation}), so the hot keys are spread
 * over the key space instead of all sitting in its first block (YCSB's
 * "scrambled zipfian"; it hashes instead, which is not quite a permutation).
 */

import { SeededRandom } from '#toolkit/random.ts';
import { KeyPermutation } from './key-permutation.ts';

/** YCSB's default skew. */
export const DEFAULT_ZIPFIAN_THETA = 0.99;

/** Draws item numbers in 0..n-1 with a zipfian distribution, hot items scattered; see the file comment. */
export class ZipfianGenerator {
  private readonly random: SeededRandom;
  private readonly permutation: KeyPermutation;
  private readonly zetaN: number;
  private readonly alpha: number;
  private readonly eta: number;
  private readonly twoThreshold: number;

  /**
   * @param n the number of items, at least 1.
   * @param seed seeds both the draws and the scrambling.
   * @param theta the skew, 0 < theta < 1. Defaults to 0.99.
   */
  constructor(
    readonly n: number,
    seed: number,
    readonly theta: number = DEFAULT_ZIPFIAN_THETA,
  ) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`a zipfian generator needs at least 1 item, got ${n}`);
    if (!(theta > 0 && theta < 1)) throw new RangeError(`theta must be between 0 and 1 (exclusive), got ${theta}`);
    this.random = new SeededRandom(seed);
    this.permutation = new KeyPermutation(n, seed ^ 0x5bd1e995);
    this.zetaN = zeta(n, theta);
    const zeta2 = zeta(Math.min(n, 2), theta);
    this.alpha = 1 / (1 - theta);
    this.eta = (1 - Math.pow(2 / n, 1 - theta)) / (1 - zeta2 / this.zetaN);
    this.twoThreshold = 1 + Math.pow(0.5, theta);
  }

  /** Returns the rank of the next draw, before scrambling: 0 is the hottest. */
  nextRank(): number {
    const u = this.random.nextU32() / 0x1_0000_0000;
    const uz = u * this.zetaN;
    if (uz < 1) return 0;
    if (uz < this.twoThreshold && this.n > 1) return 1;
    const rank = Math.floor(this.n * Math.pow(this.eta * u - this.eta + 1, this.alpha));
    return Math.min(rank, this.n - 1);
  }

  /** Returns the next item, 0..n-1: the drawn rank, scrambled. */
  next(): number {
    return this.permutation.at(this.nextRank());
  }
}

/** Returns zeta(n, theta) = sum over i = 1..n of 1 / i^theta. */
export function zeta(n: number, theta: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += 1 / Math.pow(i, theta);
  return sum;
}

/** Returns the share of all draws that go to the `hottest` most popular of `n` items. */
export function zipfianShare(n: number, hottest: number, theta: number = DEFAULT_ZIPFIAN_THETA): number {
  return zeta(Math.min(hottest, n), theta) / zeta(n, theta);
}
