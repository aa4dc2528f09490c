/**
 * Chapter 3, the math: how many probes per key (probeCountFor, task 3.1)
 * and the false-positive rate the math predicts (theoreticalFalsePositiveRate,
 * task 3.2). The expected numbers are worked out here from the formulas:
 *
 *     k = round(bitsPerKey × ln 2), clamped to 1 .. 30
 *     rate = (1 - e^(-k / bitsPerKey))^k
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { BloomFilterBuilder } from '#bloom/bloom-filter-builder.ts';
import { probeCountFor } from '#bloom/bloom-filter-format.ts';
import { theoreticalFalsePositiveRate } from '#bloom/bloom-filter.ts';

const BAD_BITS_PER_KEY = [0, -1, 65, 1000, 2.5, Number.NaN, Number.POSITIVE_INFINITY];

/** Asserts that `f` throws an InvalidArgumentError whose message names the range 1 .. 64. */
function expectRefused(f: () => unknown, what: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, `${what} must throw an InvalidArgumentError (requireArgument from #toolkit/errors.ts)`).toBeInstanceOf(
    InvalidArgumentError,
  );
  expect((caught as Error).message, `${what}: the message names the allowed range, 1 to 64`).toMatch(/\b1\b.*\b64\b/);
}

describe('probeCountFor (task 3.1)', () => {
  it('k = round(bitsPerKey × ln 2): 1 → 1, 2 → 1, 3 → 2, 5 → 3, 10 → 7, 16 → 11, 20 → 14', () => {
    const expected: Record<number, number> = { 1: 1, 2: 1, 3: 2, 5: 3, 10: 7, 16: 11, 20: 14 };
    for (const [bits, k] of Object.entries(expected)) {
      expect(probeCountFor(Number(bits)), `${bits} bits per key: round(${bits} × 0.693) = ${k}; Math.round, not floor or ceil`).toBe(k);
    }
  });

  it('k never exceeds 30: 43 → 30, 45 → 30 (round(31.2), clamped), 64 → 30; every k for 1..64 is in 1..30', () => {
    expect(probeCountFor(43), 'round(43 × ln 2) = round(29.8) = 30').toBe(30);
    expect(probeCountFor(45), 'round(45 × ln 2) = round(31.2) = 31: clamp it to 30').toBe(30);
    expect(probeCountFor(64), 'round(64 × ln 2) = 44: clamp it to 30').toBe(30);
    for (let bits = 1; bits <= 64; bits++) {
      const k = probeCountFor(bits);
      expect(k >= 1 && k <= 30 && Number.isInteger(k), `${bits} bits per key gave k = ${k}`).toBe(true);
    }
  });

  it('refuses bits per key that are not an integer from 1 to 64 (0, -1, 65, 1000, 2.5, NaN, Infinity) with an InvalidArgumentError', () => {
    for (const bits of BAD_BITS_PER_KEY) expectRefused(() => probeCountFor(bits), `probeCountFor(${bits})`);
  });

  it('the builder takes its k from the same rule, and refuses the same bad settings', () => {
    expect(new BloomFilterBuilder(10).probeCount).toBe(7);
    expect(new BloomFilterBuilder(5).probeCount).toBe(3);
    expect(new BloomFilterBuilder(1).probeCount).toBe(1);
    for (const bits of BAD_BITS_PER_KEY) expectRefused(() => new BloomFilterBuilder(bits), `new BloomFilterBuilder(${bits})`);
  });
});

describe('theoreticalFalsePositiveRate (task 3.2)', () => {
  it('is (1 - e^(-k/b))^k: 5 bits per key → 9.18%, 10 → 0.819%, 16 → 0.0459%', () => {
    const cases = [
      { bits: 5, k: 3, about: 0.0918 },
      { bits: 10, k: 7, about: 0.00819 },
      { bits: 16, k: 11, about: 0.000459 },
    ];
    for (const { bits, k, about } of cases) {
      const exact = (1 - Math.exp(-k / bits)) ** k;
      expect(exact / about, 'the test table itself').toBeCloseTo(1, 2);
      const got = theoreticalFalsePositiveRate(bits);
      expect(
        got / exact,
        `${bits} bits per key, k = ${k}: expected ${exact}, got ${got}. Each bit is still clear with probability e^(-k/b); a key is a false positive when all k of its bits are set`,
      ).toBeCloseTo(1, 9);
    }
  });

  it('falls as bits per key grow, from 1 to 64, and stays a probability', () => {
    let previous = 1;
    for (let bits = 1; bits <= 64; bits++) {
      const rate = theoreticalFalsePositiveRate(bits);
      expect(rate > 0 && rate < previous, `${bits} bits per key gave ${rate}, after ${previous} for ${bits - 1}`).toBe(true);
      previous = rate;
    }
    expect(theoreticalFalsePositiveRate(1), '1 bit per key, k = 1: 1 - e^(-1) ≈ 0.632').toBeCloseTo(1 - Math.exp(-1), 12);
  });

  it('refuses the same bad bits per key as probeCountFor', () => {
    for (const bits of BAD_BITS_PER_KEY) {
      expectRefused(() => theoreticalFalsePositiveRate(bits), `theoreticalFalsePositiveRate(${bits})`);
    }
  });
});
