import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '#toolkit/bytes.ts';
import { MAX_VARINT_BYTES, readVarint, varintLength, writeVarint } from '#toolkit/varint.ts';

const MAX = Number.MAX_SAFE_INTEGER; // 2^53 - 1

/** Encodes `value` alone into a fresh buffer of exactly the right size. */
function encode(value: number): Uint8Array {
  const out = new Uint8Array(varintLength(value));
  const end = writeVarint(out, 0, value);
  expect(end, 'writeVarint returns the offset just past what it wrote').toBe(out.length);
  return out;
}

/** Values spread over every varint length, plus the edges of each length. */
const anyValue = fc.oneof(
  fc.maxSafeNat(),
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 1, max: 7 }).map((k) => 2 ** (7 * k) - 1),
  fc.integer({ min: 1, max: 7 }).map((k) => 2 ** (7 * k)),
  fc.constant(MAX),
);

describe('varints', () => {
  it('round-trip every integer from 0 to 2^53 - 1', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(readVarint(encode(value), 0)).toEqual({ value, next: varintLength(value) });
      }),
    );
  });

  it('write exactly varintLength(value) bytes, and one byte more per 7 bits', () => {
    fc.assert(
      fc.property(anyValue, fc.integer({ min: 0, max: 5 }), (value, offset) => {
        const buffer = new Uint8Array(offset + MAX_VARINT_BYTES + 1).fill(0xee);
        const end = writeVarint(buffer, offset, value);
        expect(end - offset).toBe(varintLength(value));
        expect(buffer[end], 'nothing past the varint is touched').toBe(0xee);
        const bits = value.toString(2).length;
        expect(varintLength(value)).toBe(Math.max(1, Math.ceil(bits / 7)));
      }),
    );
  });

  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16_383, 'ff7f'],
    [16_384, '808001'],
    [2 ** 32, '8080808010'],
    [MAX, 'ffffffffffffff0f'],
  ])('encodes %d as %s (least significant group first)', (value, hex) => {
    expect(toHex(encode(value))).toBe(hex);
  });

  it('never needs more than MAX_VARINT_BYTES = 8 bytes', () => {
    expect(MAX_VARINT_BYTES).toBe(8);
    expect(varintLength(MAX)).toBe(8);
  });

  it('reads a varint in the middle of a buffer and reports where the next field starts', () => {
    const buffer = Uint8Array.of(0x99, 0xac, 0x02, 0x05);
    expect(readVarint(buffer, 1)).toEqual({ value: 300, next: 3 });
    expect(readVarint(buffer, 3)).toEqual({ value: 5, next: 4 });
  });

  it('returns undefined when the bytes end before the varint does, at every cut', () => {
    fc.assert(
      fc.property(fc.integer({ min: 128, max: MAX }), (value) => {
        const full = encode(value);
        for (let cut = 0; cut < full.length; cut++) {
          expect(readVarint(full.subarray(0, cut), 0), `cut after ${cut} of ${full.length} bytes`).toBeUndefined();
        }
      }),
    );
    expect(readVarint(new Uint8Array(0), 0)).toBeUndefined();
    expect(readVarint(Uint8Array.of(0x01), 1), 'offset at the end').toBeUndefined();
  });

  it('returns undefined for a varint longer than 8 bytes or above 2^53 - 1', () => {
    const nineBytes = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    expect(readVarint(nineBytes, 0), 'a continuation bit on the 8th byte is corruption').toBeUndefined();
    const twoTo53 = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10);
    expect(readVarint(twoTo53, 0), '2^53 does not fit in a JavaScript number exactly').toBeUndefined();
    const allOnes = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
    expect(readVarint(allOnes, 0)).toBeUndefined();
  });
});
