/**
 * Chapter 3, the two promises of a bloom filter, measured end to end
 * (finish, decode, mayContain: tasks 3.3-3.5):
 *
 * 1. No false negatives, ever: every key added answers true.
 * 2. False positives at the rate the math predicts: for 10,000 keys added
 *    and 100,000 keys never added, the share of "maybe" answers is within
 *    0.6 × theory .. 1.25 × theory + 0.2 percentage points, theory being
 *    (1 - e^(-k/b))^k with k = round(b × ln 2). The upper bound catches a
 *    filter that sets or checks too few bits; the lower bound one that is
 *    far bigger than it should be (or a broken measurement).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '#toolkit/bytes.ts';
import { BloomFilterBuilder } from '#bloom/bloom-filter-builder.ts';
import { BloomFilter } from '#bloom/bloom-filter.ts';

const PRESENT = Array.from({ length: 10_000 }, (_, i) => utf8(`present-${i}`));
const ABSENT = Array.from({ length: 100_000 }, (_, i) => utf8(`absent-${i}`));

function build(keys: readonly Uint8Array[], bitsPerKey: number): Uint8Array {
  const builder = new BloomFilterBuilder(bitsPerKey);
  for (const key of keys) builder.addKey(key);
  return builder.finish();
}

/** The share of `keys` the filter answers "maybe" for. */
function yesRate(filter: BloomFilter, keys: readonly Uint8Array[]): number {
  let yes = 0;
  for (const key of keys) if (filter.mayContain(key)) yes++;
  return yes / keys.length;
}

function percent(rate: number): string {
  return `${(rate * 100).toPrecision(2)}%`;
}

const key = fc.oneof(
  { weight: 10, arbitrary: fc.uint8Array({ maxLength: 32 }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 500, maxLength: 4000 }) },
);

describe('no false negatives (tasks 3.3-3.5)', () => {
  it('every key added answers true, for any set of keys (binary, empty, long, repeated) and bits per key 1..20', () => {
    // One fixed case first, so that an unwritten task is named here rather than inside fast-check's report.
    expect(BloomFilter.decode(build([utf8('first')], 10)).mayContain(utf8('first'))).toBe(true);
    fc.assert(
      fc.property(fc.array(key, { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (keys, bitsPerKey) => {
        const filter = BloomFilter.decode(build(keys, bitsPerKey));
        for (const k of keys) {
          expect(
            filter.mayContain(k),
            `a key that was added answered false at ${bitsPerKey} bits per key: mayContain must test the very bits finish set (same h, delta, m and k)`,
          ).toBe(true);
        }
      }),
    );
  });
});

describe('the measured false-positive rate (tasks 3.3-3.5)', () => {
  const cases = [
    { bitsPerKey: 5, k: 3 },
    { bitsPerKey: 10, k: 7 },
    { bitsPerKey: 16, k: 11 },
  ];
  it.each(cases)(
    'at $bitsPerKey bits per key, 10,000 keys added, 100,000 absent keys: measured within 0.6 × theory .. 1.25 × theory + 0.002',
    ({ bitsPerKey, k }) => {
      const theory = (1 - Math.exp(-k / bitsPerKey)) ** k;
      const filter = BloomFilter.decode(build(PRESENT, bitsPerKey));
      expect(yesRate(filter, PRESENT), 'every key added must answer true before false positives mean anything').toBe(1);

      const measured = yesRate(filter, ABSENT);
      const upper = 1.25 * theory + 0.002;
      const lower = 0.6 * theory;
      const vs = `${bitsPerKey} bits per key: measured ${percent(measured)} vs theory ${percent(theory)}`;
      expect(
        measured,
        `${vs}, allowed up to ${percent(upper)}: too many false positives. Are all k probes set and checked, with h advancing by delta after each? Is m = keys × bitsPerKey bits (not bytes)?`,
      ).toBeLessThanOrEqual(upper);
      expect(
        measured,
        `${vs}, expected at least ${percent(lower)}: too few false positives for this many bits. Is the bit array bigger than keys × bitsPerKey bits (bytes counted as bits)?`,
      ).toBeGreaterThanOrEqual(lower);
    },
  );

  it('mayContain probes exactly the stored k: the bits of a 10-bit-per-key filter read back with k = 1 say yes as often as a bit is set (~50%)', () => {
    const bytes = build(PRESENT, 10);
    let set = 0;
    for (let i = 0; i < bytes.length - 1; i++) for (let b = bytes[i]!; b !== 0; b &= b - 1) set++;
    const density = set / ((bytes.length - 1) * 8);
    expect(
      density,
      `about 1 - e^(-7/10) ≈ 50% of the bits are set after 10,000 keys × 7 probes, found ${percent(density)}: far fewer, does finish set all k bits of each key? Far more, is m too small?`,
    ).toBeCloseTo(1 - Math.exp(-0.7), 1);

    const oneProbe = bytes.slice();
    oneProbe[oneProbe.length - 1] = 1;
    const measured = yesRate(BloomFilter.decode(oneProbe), ABSENT);
    expect(
      Math.abs(measured - density),
      `with k = 1 an absent key is a false positive iff its first bit is set: expected ~${percent(density)}, measured ${percent(measured)}. Does mayContain use the k stored in the filter?`,
    ).toBeLessThan(0.01);
  });
});
