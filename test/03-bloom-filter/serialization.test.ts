/**
 * Chapter 3, the filter as bytes: BloomFilterBuilder.finish (task 3.3)
 * writes `[bit array: m/8 bytes][k: u8]`, BloomFilter.decode (task 3.4)
 * reads it back and refuses corrupt parameters, BloomFilter.mayContain
 * (task 3.5) answers from the decoded bits.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '#toolkit/bytes.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { BloomFilterBuilder } from '#bloom/bloom-filter-builder.ts';
import { BloomFilter } from '#bloom/bloom-filter.ts';

function randomKey(random: SeededRandom): Uint8Array {
  const key = new Uint8Array(random.below(20));
  for (let i = 0; i < key.length; i++) key[i] = random.below(256);
  return key;
}

function build(keys: readonly Uint8Array[], bitsPerKey: number): Uint8Array {
  const builder = new BloomFilterBuilder(bitsPerKey);
  for (const key of keys) builder.addKey(key);
  return builder.finish();
}

/** Decodes `bytes`, expecting a CorruptionError; returns it for more checks. */
function expectCorrupt(bytes: Uint8Array, what: string): CorruptionError {
  let caught: unknown;
  try {
    BloomFilter.decode(bytes, '000042.sst');
  } catch (e) {
    caught = e;
  }
  expect(caught, `${what}: decode must throw a CorruptionError (never return a filter, never a RangeError)`).toBeInstanceOf(
    CorruptionError,
  );
  const error = caught as CorruptionError;
  expect(error.file, `${what}: the error names the file given to decode`).toBe('000042.sst');
  return error;
}

describe('serializing a filter: finish, decode and mayContain (tasks 3.3-3.5)', () => {
  it('k and m travel with the bytes: filters built at 3, 10 and 13 bits per key decode with their own k and m and know every key', () => {
    const random = new SeededRandom(3);
    const keys = Array.from({ length: 500 }, () => randomKey(random));
    for (const { bits, k, m } of [
      { bits: 3, k: 2, m: 1504 }, // 1500 rounded up to a multiple of 8
      { bits: 10, k: 7, m: 5000 },
      { bits: 13, k: 9, m: 6504 }, // 6500 rounded up to a multiple of 8
    ]) {
      const bytes = build(keys, bits);
      expect(bytes.length, `${bits} bits per key: m = ${m} bits is ${m / 8} bytes, plus 1 byte for k`).toBe(m / 8 + 1);
      const filter = BloomFilter.decode(bytes);
      expect(filter.probeCount, `${bits} bits per key: k is read from the last byte`).toBe(k);
      expect(filter.bitCount, `${bits} bits per key: m is 8 × (length - 1)`).toBe(m);
      for (const key of keys) {
        expect(filter.mayContain(key), `${bits} bits per key: a key that was added must answer true`).toBe(true);
      }
    }
  });

  it('few keys still get 64 bits: 0, 1 and 6 keys at 10 bits per key make 9-byte filters (m = 64)', () => {
    for (const count of [0, 1, 6]) {
      const bytes = build(Array.from({ length: count }, (_, i) => utf8(`k${i}`)), 10);
      expect(bytes.length, `${count} keys: m = max(64, ${count} × 10) = 64 bits = 8 bytes, plus k`).toBe(9);
      expect(BloomFilter.decode(bytes).bitCount).toBe(64);
    }
    const seven = build(Array.from({ length: 7 }, (_, i) => utf8(`k${i}`)), 10);
    expect(seven.length, '7 keys × 10 bits = 70 bits, rounded up to 72 = 9 bytes, plus k').toBe(10);
  });

  it('an empty builder writes 64 clear bits and k, and its filter says no to everything (the empty key too)', () => {
    const bytes = new BloomFilterBuilder(10).finish();
    expect(Array.from(bytes), 'no keys: eight zero bytes, then k = 7').toEqual([0, 0, 0, 0, 0, 0, 0, 0, 7]);
    const filter = BloomFilter.decode(bytes);
    const random = new SeededRandom(1);
    expect(filter.mayContain(new Uint8Array(0)), 'the empty key was never added').toBe(false);
    for (let i = 0; i < 1000; i++) {
      expect(filter.mayContain(randomKey(random)), 'an empty filter has no bit set: every probe finds a clear bit').toBe(false);
    }
  });

  it('a filter decoded from a view inside a larger buffer, at an odd offset, answers exactly like one decoded from its own copy', () => {
    const random = new SeededRandom(7);
    const present = Array.from({ length: 300 }, () => randomKey(random));
    const bytes = build(present, 6);
    // A table's filter block is a view into the bytes read from the file: byteOffset is not 0.
    const file = new Uint8Array(bytes.length + 40).fill(0xff);
    file.set(bytes, 13);
    const view = file.subarray(13, 13 + bytes.length);
    const fromView = BloomFilter.decode(view);
    const fromCopy = BloomFilter.decode(bytes.slice());
    const hint = 'read the view through its own indexes (view[i]), not view.buffer from 0, and only its first length - 1 bytes are bits';
    expect(fromView.bitCount, hint).toBe(fromCopy.bitCount);
    expect(fromView.probeCount, hint).toBe(fromCopy.probeCount);
    let yes = 0;
    for (let i = 0; i < 5000; i++) {
      const key = i < present.length ? present[i]! : randomKey(random);
      const answer = fromCopy.mayContain(key);
      if (answer) yes++;
      expect(fromView.mayContain(key), hint).toBe(answer);
    }
    expect(yes, 'the copy answered yes to every present key and to some false positives').toBeGreaterThan(present.length);
  });

  it('finish can be called again: the same keys give the same bytes, and keys added after a finish are in the next one', () => {
    const builder = new BloomFilterBuilder(8);
    for (let i = 0; i < 50; i++) builder.addKey(utf8(`first-${i}`));
    const once = builder.finish();
    expect(Array.from(builder.finish()), 'finish does not change the builder').toEqual(Array.from(once));
    for (let i = 0; i < 50; i++) builder.addKey(utf8(`second-${i}`));
    expect(builder.keyCount).toBe(100);
    const filter = BloomFilter.decode(builder.finish());
    expect(filter.bitCount, 'sized for all 100 keys: 100 × 8 bits').toBe(800);
    for (let i = 0; i < 50; i++) {
      expect(filter.mayContain(utf8(`first-${i}`))).toBe(true);
      expect(filter.mayContain(utf8(`second-${i}`))).toBe(true);
    }
  });

  it('corrupt parameters are a CorruptionError: k = 0, k = 31, k = 255 (at the offset of k), an empty buffer and a lone k byte (at offset 0)', () => {
    const good = build([utf8('a'), utf8('b')], 10);
    for (const k of [0, 31, 255]) {
      const bad = good.slice();
      bad[bad.length - 1] = k;
      const error = expectCorrupt(bad, `k = ${k} (valid k is 1 .. 30)`);
      expect(error.offset, `k = ${k}: the offset is where k sits, the last byte`).toBe(bad.length - 1);
    }
    expect(expectCorrupt(new Uint8Array(0), 'an empty buffer (no k, no bits)').offset).toBe(0);
    expect(expectCorrupt(Uint8Array.of(7), 'a lone k byte (no bit array: m would be 0, and h % 0 is NaN)').offset).toBe(0);
    // The limits themselves are valid.
    for (const k of [1, 30]) {
      const edge = good.slice();
      edge[edge.length - 1] = k;
      expect(BloomFilter.decode(edge).probeCount, `k = ${k} is valid`).toBe(k);
    }
    expect(BloomFilter.decode(Uint8Array.of(0xff, 3)).bitCount, 'one byte of bits is the smallest valid filter').toBe(8);
  });
});
