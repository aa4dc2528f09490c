/**
 * Chapter 3, the bit layout: BloomFilterBuilder.finish (task 3.3) must set
 * exactly the bits the documented algorithm names, so that a filter written
 * by one build of the engine is read correctly by another.
 *
 * The expected bytes are computed here, independently of the code under
 * test: a Murmur3 x86_32 written differently from hash.ts (16-bit partial
 * products instead of Math.imul, DataView reads), checked against published
 * test vectors, then the documented double hashing:
 *
 *     h = murmur3(key, 0xbc9f1d34); delta = h rotated right by 17
 *     k times: set bit h % m (byte bit >>> 3, mask 1 << (bit % 8)); h = (h + delta) mod 2^32
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '#toolkit/bytes.ts';
import { BloomFilterBuilder } from '#bloom/bloom-filter-builder.ts';
import { hash32 } from '#bloom/hash.ts';

// ---- an independent model of the format -----------------------------------

/** (a × b) mod 2^32 from 16-bit halves: no Math.imul, so no shared mistake with hash.ts. */
function mulMod32(a: number, b: number): number {
  const aLow = a & 0xffff;
  const aHigh = a >>> 16;
  const low = aLow * b; // < 2^48: exact in a double
  const high = ((aHigh * (b & 0xffff)) % 0x10000) * 0x10000;
  return (low + high) % 0x1_0000_0000;
}

function rotateLeft32(x: number, r: number): number {
  return ((x * 2 ** r) % 0x1_0000_0000) + Math.floor(x / 2 ** (32 - r));
}

function xor32(a: number, b: number): number {
  return (a ^ b) >>> 0;
}

/** Murmur3 x86_32, written from the algorithm's description. */
function modelMurmur3(bytes: Uint8Array, seed: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mix = (k: number) => mulMod32(rotateLeft32(mulMod32(k, 0xcc9e2d51), 15), 0x1b873593);
  let h = seed >>> 0;
  const whole = Math.floor(bytes.length / 4) * 4;
  for (let at = 0; at < whole; at += 4) {
    h = xor32(h, mix(view.getUint32(at, true)));
    h = (mulMod32(rotateLeft32(h, 13), 5) + 0xe6546b64) % 0x1_0000_0000;
  }
  if (whole < bytes.length) {
    let tail = 0;
    for (let at = bytes.length - 1; at >= whole; at--) tail = tail * 256 + bytes[at]!;
    h = xor32(h, mix(tail));
  }
  h = xor32(h, bytes.length);
  h = xor32(h, Math.floor(h / 0x10000));
  h = mulMod32(h, 0x85ebca6b);
  h = xor32(h, Math.floor(h / 0x2000));
  h = mulMod32(h, 0xc2b2ae35);
  return xor32(h, Math.floor(h / 0x10000));
}

/** Published Murmur3 x86_32 vectors (the same values appear in many Murmur3 ports' test suites). */
const VECTORS: ReadonlyArray<{ input: Uint8Array; seed: number; hash: number }> = [
  { input: utf8(''), seed: 0, hash: 0 },
  { input: utf8(''), seed: 1, hash: 0x514e28b7 },
  { input: utf8(''), seed: 0xffffffff, hash: 0x81f16f39 },
  { input: Uint8Array.of(0, 0, 0, 0), seed: 0, hash: 0x2362f9de },
  { input: Uint8Array.of(0xff, 0xff, 0xff, 0xff), seed: 0, hash: 0x76293b50 },
  { input: Uint8Array.of(0x21, 0x43, 0x65, 0x87), seed: 0, hash: 0xf55b516b },
  { input: Uint8Array.of(0x21, 0x43, 0x65), seed: 0, hash: 0x7e4a8634 },
  { input: Uint8Array.of(0x21, 0x43), seed: 0, hash: 0xa0f7b07a },
  { input: Uint8Array.of(0x21), seed: 0, hash: 0x72661cf4 },
  { input: utf8('abc'), seed: 0, hash: 0xb3dd93fa },
  { input: utf8('hello'), seed: 0, hash: 0x248bfa47 },
  { input: utf8('aaaa'), seed: 0x9747b28c, hash: 0x5a97808a },
  { input: utf8('Hello, world!'), seed: 0x9747b28c, hash: 0x24884cba },
  { input: utf8('The quick brown fox jumps over the lazy dog'), seed: 0x9747b28c, hash: 0x2fa826cd },
];

const SEED = 0xbc9f1d34;

interface Variant {
  /** Where a bit goes: returns [byte index, mask]. */
  place(bit: number): [number, number];
  /** The step added to h after each probe. */
  delta(h: number): number;
  /** Whether h wraps mod 2^32 after each step. */
  wrap: boolean;
  /** How many bits each key sets, if not k. */
  probes?: number;
}

const DOCUMENTED: Variant = {
  place: (bit) => [Math.floor(bit / 8), 2 ** (bit % 8)],
  delta: (h) => Math.floor(h / 2 ** 17) + (h % 2 ** 17) * 2 ** 15,
  wrap: true,
};

/** The filter bytes for `keys`, from the documented algorithm (or a variant of it, for diagnoses). */
function modelFilter(keys: readonly Uint8Array[], bitsPerKey: number, variant: Variant = DOCUMENTED): Uint8Array {
  const k = Math.min(30, Math.max(1, Math.round(bitsPerKey * Math.LN2)));
  const m = Math.ceil(Math.max(64, keys.length * bitsPerKey) / 8) * 8;
  const out = new Uint8Array(m / 8 + 1);
  for (const key of keys) {
    let h = modelMurmur3(key, SEED);
    const delta = variant.delta(h);
    for (let i = 0; i < (variant.probes ?? k); i++) {
      const [byte, mask] = variant.place(h % m);
      out[byte]! |= mask;
      h = variant.wrap ? (h + delta) % 0x1_0000_0000 : h + delta;
    }
  }
  out[out.length - 1] = k;
  return out;
}

/** Mistakes a learner can plausibly make, each with what to fix. */
const KNOWN_MISTAKES: ReadonlyArray<{ variant: Variant; hint: string }> = [
  {
    variant: { ...DOCUMENTED, place: (bit) => [Math.floor(bit / 8), 0x80 >> (bit % 8)] },
    hint: 'the bits inside each byte are mirrored: bit i is mask 1 << (i % 8) (least significant bit first), not 0x80 >> (i % 8)',
  },
  {
    variant: { ...DOCUMENTED, delta: (h) => rotateLeft32(h, 17) },
    hint: 'delta rotates the wrong way: it is h rotated RIGHT by 17, (h >>> 17) | (h << 15), then >>> 0',
  },
  {
    variant: { ...DOCUMENTED, wrap: false },
    hint: 'h must wrap to 32 bits after each step: h = (h + delta) >>> 0; without it h grows past 2^32 and h % m picks other bits',
  },
  {
    variant: { ...DOCUMENTED, delta: () => 0 },
    hint: 'every probe sets the same bit: delta is never added to h; probe i is bit (h + i × delta) % m',
  },
  {
    variant: { ...DOCUMENTED, probes: 1 },
    hint: 'each key sets only one bit: it must set k of them (k probes, h advancing by delta after each)',
  },
];

function build(keys: readonly Uint8Array[], bitsPerKey: number): Uint8Array {
  const builder = new BloomFilterBuilder(bitsPerKey);
  for (const key of keys) builder.addKey(key);
  return builder.finish();
}

/** Asserts that `actual` is the documented filter of `keys`, naming the mistake when it is a known one. */
function expectLayout(actual: Uint8Array, keys: readonly Uint8Array[], bitsPerKey: number): void {
  const expected = modelFilter(keys, bitsPerKey);
  if (toHex(actual) === toHex(expected)) return;
  const where = `${keys.length} key(s) at ${bitsPerKey} bits per key`;
  expect(actual.length, `${where}: the filter is m/8 bytes of bits then 1 byte of k, m = max(64, keys × bitsPerKey) rounded up to a multiple of 8`).toBe(expected.length);
  expect(actual[actual.length - 1], `${where}: the last byte is k = round(bitsPerKey × ln 2)`).toBe(expected[expected.length - 1]);
  const mistake = KNOWN_MISTAKES.find((m) => toHex(modelFilter(keys, bitsPerKey, m.variant)) === toHex(actual));
  const hint = mistake?.hint ?? 'bit i is byte i >>> 3, mask 1 << (i & 7); probe i is bit (h + i × delta mod 2^32) % m';
  expect(toHex(actual), `${where}: ${hint}`).toBe(toHex(expected));
}

// ---- tests -----------------------------------------------------------------

describe('the bit layout of BloomFilterBuilder.finish (task 3.3)', () => {
  it('hash32 is Murmur3 x86_32 (published vectors), and a filter of "hello" at 10 bits per key is the documented 84 10 02 00 00 00 08 21 07', () => {
    // hash.ts is given: if this part fails, the file was changed. Copy solutions/03-bloom-filter/hash.ts over it (it holds no task).
    for (const v of VECTORS) {
      expect(modelMurmur3(v.input, v.seed), 'the test model itself disagrees with a published vector').toBe(v.hash);
      expect(hash32(v.input, v.seed), `hash32(${toHex(v.input) || '""'}, 0x${v.seed.toString(16)}) is a published Murmur3 vector: hash.ts is given, copy it back from solutions/03-bloom-filter/hash.ts`).toBe(v.hash);
    }
    expect(hash32(utf8('hello')), 'the default seed is 0xbc9f1d34').toBe(0xdef78c91);

    // The worked example in bloom-filter-format.ts: probes 17, 12, 7, 2, 61, 56, 51 of m = 64, k = 7.
    const filter = build([utf8('hello')], 10);
    expectLayout(filter, [utf8('hello')], 10);
    expect(toHex(filter), 'the worked example in bloom-filter-format.ts').toBe('841002000000082107');
  });

  it('two keys in a 64-bit filter set the bits the documented double hashing names: bit h % m, byte bit >>> 3, mask 1 << (bit % 8)', () => {
    expectLayout(build([utf8('hello'), utf8('world')], 10), [utf8('hello'), utf8('world')], 10);
    expectLayout(build([utf8('apple'), utf8('banana')], 4), [utf8('apple'), utf8('banana')], 4);
  });

  it('a filter whose m is not a power of two (9 keys × 10 bits → 96 bits) wraps h to 32 bits after every step', () => {
    const keys = Array.from({ length: 9 }, (_, i) => utf8(`key-${i}`));
    // The model without wrapping must differ here, or this test would not pin the wrap.
    expect(toHex(modelFilter(keys, 10, { ...DOCUMENTED, wrap: false }))).not.toBe(toHex(modelFilter(keys, 10)));
    expectLayout(build(keys, 10), keys, 10);
    const more = Array.from({ length: 37 }, (_, i) => utf8(`user:${String(i).padStart(6, '0')}`));
    expectLayout(build(more, 7), more, 7);
  });

  it('for any keys (binary, empty, long) and bits per key 1..20, the bytes are exactly the documented ones', () => {
    const key = fc.oneof(
      { weight: 8, arbitrary: fc.uint8Array({ maxLength: 24 }) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 200, maxLength: 1000 }) },
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (keys, bitsPerKey) => {
        expectLayout(build(keys, bitsPerKey), keys, bitsPerKey);
      }),
    );
  });
});
