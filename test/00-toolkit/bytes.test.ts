import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  compareBytes,
  concatBytes,
  formatBytes,
  parseFormattedBytes,
  sharedPrefixLength,
  toBytes,
  toHex,
  utf8,
} from '#toolkit/bytes.ts';
import { InvalidArgumentError } from '#toolkit/errors.ts';

/** The definition of bytewise order, written the slow and obvious way. */
function modelCompare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return Math.sign(a.length - b.length);
}

const bytes = fc.uint8Array({ maxLength: 12 });
/** Byte strings over a tiny alphabet, so that shared prefixes and equal strings come up often. */
const nearBytes = fc.array(fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff), { maxLength: 6 }).map((a) => Uint8Array.from(a));

describe('compareBytes', () => {
  it('agrees with the bytewise model on the sign of every comparison', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, nearBytes), fc.oneof(bytes, nearBytes), (a, b) => {
        expect(Math.sign(compareBytes(a, b))).toBe(modelCompare(a, b));
      }),
    );
  });

  it('is antisymmetric and zero only for equal strings', () => {
    fc.assert(
      fc.property(nearBytes, nearBytes, (a, b) => {
        expect(Math.sign(compareBytes(a, b)) + Math.sign(compareBytes(b, a)), 'compare(a, b) = -compare(b, a)').toBe(0);
        expect(compareBytes(a, b) === 0).toBe(bytesEqual(a, b));
      }),
    );
  });

  it('sorts a proper prefix before every longer string that extends it', () => {
    fc.assert(
      fc.property(bytes, fc.uint8Array({ minLength: 1, maxLength: 4 }), (prefix, tail) => {
        const longer = concatBytes([prefix, tail]);
        expect(compareBytes(prefix, longer), 'a prefix sorts first, even before a 0x00 tail').toBeLessThan(0);
        expect(compareBytes(longer, prefix)).toBeGreaterThan(0);
      }),
    );
  });

  it('treats bytes as unsigned: 0x00 is the smallest byte and 0xff the largest', () => {
    expect(compareBytes(Uint8Array.of(0x00), Uint8Array.of(0x01))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(0x7f), Uint8Array.of(0x80)), 'a signed comparison would put 0x80 first').toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(0xfe), Uint8Array.of(0xff))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(0xff), Uint8Array.of(0xff, 0x00))).toBeLessThan(0);
    expect(compareBytes(new Uint8Array(0), Uint8Array.of(0x00))).toBeLessThan(0);
    expect(compareBytes(new Uint8Array(0), new Uint8Array(0))).toBe(0);
  });

  it('orders UTF-8 encodings of strings by code point', () => {
    const byCodePoint = (x: string, y: string): number => {
      const a = [...x].map((c) => c.codePointAt(0)!);
      const b = [...y].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return Math.sign(a[i]! - b[i]!);
      return Math.sign(a.length - b.length);
    };
    // U+FFFF against U+1F600 is the interesting pair: UTF-16 code units order them
    // the other way round (0xffff > 0xd83d), UTF-8 bytes agree with code points.
    const codePoint = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0xd7ff }),
      fc.integer({ min: 0xe000, max: 0x10ffff }), // no lone surrogates: they are not text
    );
    const text = fc.oneof(
      fc.array(codePoint, { maxLength: 6 }).map((cps) => String.fromCodePoint(...cps)),
      fc.string({ unit: fc.constantFrom('a', 'z', 'é', '\u{ffff}', '\u{1f600}'), maxLength: 4 }),
    );
    fc.assert(
      fc.property(text, text, (x, y) => {
        expect(Math.sign(compareBytes(utf8(x), utf8(y)))).toBe(byCodePoint(x, y));
      }),
    );
    expect(compareBytes(utf8('\u{ffff}'), utf8('\u{1f600}'))).toBeLessThan(0);
  });
});

describe('bytesEqual and sharedPrefixLength', () => {
  it('bytesEqual is true exactly for identical contents, whatever the buffers', () => {
    const backing = Uint8Array.of(9, 1, 2, 3, 9);
    expect(bytesEqual(backing.subarray(1, 4), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('sharedPrefixLength counts the leading bytes two strings have in common', () => {
    fc.assert(
      fc.property(nearBytes, nearBytes, (a, b) => {
        const n = sharedPrefixLength(a, b);
        expect(bytesEqual(a.subarray(0, n), b.subarray(0, n))).toBe(true);
        if (n < a.length && n < b.length) expect(a[n], 'the byte after the shared prefix differs').not.toBe(b[n]);
        expect(n).toBeLessThanOrEqual(Math.min(a.length, b.length));
      }),
    );
    expect(sharedPrefixLength(utf8('apple'), utf8('applesauce'))).toBe(5);
    expect(sharedPrefixLength(utf8('apple'), utf8('banana'))).toBe(0);
  });
});

describe('toBytes', () => {
  it('returns a Uint8Array as it is and encodes a string as UTF-8', () => {
    const raw = Uint8Array.of(1, 2, 3);
    expect(toBytes(raw, 'key')).toBe(raw);
    expect(toBytes('héllo', 'key')).toEqual(Uint8Array.of(0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f));
    expect(toBytes('', 'key')).toEqual(new Uint8Array(0));
  });

  it.each([
    ['a number', 42, 'number'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['an array of numbers', [1, 2, 3], 'an array'],
    ['an ArrayBuffer', new ArrayBuffer(4), 'object'],
  ])('rejects %s with an InvalidArgumentError naming the argument', (_label, input, got) => {
    let caught: unknown;
    try {
      toBytes(input, 'value');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as Error).message).toContain('value must be a Uint8Array or a string');
    expect((caught as Error).message).toContain(got);
  });
});

describe('formatBytes and parseFormattedBytes', () => {
  it('round-trip any byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        expect(parseFormattedBytes(formatBytes(b))).toEqual(b);
      }),
    );
  });

  it('print printable ASCII as is and everything else as \\xHH', () => {
    expect(formatBytes(utf8('apple'))).toBe('apple');
    expect(formatBytes(Uint8Array.of(0x00, 0x41, 0x7f, 0xff))).toBe('\\x00A\\x7f\\xff');
    expect(formatBytes(utf8('é'))).toBe('\\xc3\\xa9');
  });

  it("escape '#', ',' and '\\' so the internal-key notation can be parsed back", () => {
    expect(formatBytes(utf8('a#b,c\\d'))).toBe('a\\x23b\\x2cc\\x5cd');
    const formatted = formatBytes(utf8('k#1,PUT'));
    expect(formatted).not.toMatch(/[#,]/);
    expect(parseFormattedBytes(formatted)).toEqual(utf8('k#1,PUT'));
  });

  it('parse non-ASCII text as UTF-8 and reject a broken escape', () => {
    expect(parseFormattedBytes('é')).toEqual(utf8('é'));
    expect(parseFormattedBytes('\\xAB')).toEqual(Uint8Array.of(0xab));
    expect(() => parseFormattedBytes('\\xZZ')).toThrow(InvalidArgumentError);
    expect(() => parseFormattedBytes('ab\\x4')).toThrow(InvalidArgumentError);
  });

  it('toHex writes two lowercase digits a byte', () => {
    expect(toHex(Uint8Array.of(0x00, 0x0a, 0xac, 0xff))).toBe('000aacff');
  });
});
