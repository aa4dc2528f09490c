/**
 * A small seeded pseudo-random generator (SplitMix32). The in-memory file
 * system uses it to decide what a crash loses, so a failing crash test can
 * be replayed exactly from its seed. Not for cryptography.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns a uniformly distributed 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Returns an integer in `[0, bound)`. REQUIRES: bound >= 1. */
  below(bound: number): number {
    return Math.floor((this.nextU32() / 0x1_0000_0000) * bound);
  }

  /** Returns true with probability `p`. */
  chance(p: number): boolean {
    return this.nextU32() / 0x1_0000_0000 < p;
  }
}
