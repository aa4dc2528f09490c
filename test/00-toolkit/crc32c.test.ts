import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '#toolkit/bytes.ts';
import { crc32c, crc32cBytewise, maskCrc, unmaskCrc } from '#toolkit/crc32c.ts';
import { writeU32 } from '#toolkit/fixed-int.ts';

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);

describe('crc32c', () => {
  // Check values from RFC 3720 (iSCSI), appendix B.4, and the usual "123456789" check.
  it.each([
    ['"123456789"', utf8('123456789'), 0xe3069283],
    ['32 zero bytes', new Uint8Array(32), 0x8a9136aa],
    ['32 0xff bytes', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['bytes 0..31 ascending', ascending, 0x46dd794e],
    ['bytes 31..0 descending', ascending.slice().reverse(), 0x113fdb5c],
    ['no bytes', new Uint8Array(0), 0],
  ])('of %s is the published value', (_name, data, expected) => {
    expect(hex(crc32c(data)), 'CRC32C uses the Castagnoli polynomial 0x82f63b78, not zlib\'s CRC-32').toBe(hex(expected));
    expect(hex(crc32cBytewise(data))).toBe(hex(expected));
  });

  it('slicing-by-8 equals the byte-at-a-time definition on any slice of any buffer', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        (data, a, b, seed) => {
          const start = data.length === 0 ? 0 : a % (data.length + 1);
          const end = start + (b % (data.length - start + 1));
          expect(crc32c(data, seed, start, end)).toBe(crc32cBytewise(data.subarray(start, end), seed));
        },
      ),
    );
  });

  it('extends: the CRC of a, continued with b, is the CRC of a followed by b', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(crc32c(b, crc32c(a))).toBe(crc32c(concatBytes([a, b])));
      }),
    );
  });

  it('changes when any single bit flips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (data, at, bit) => {
        const flipped = data.slice();
        flipped[at % data.length]! ^= 1 << bit;
        expect(crc32c(flipped)).not.toBe(crc32c(data));
      }),
    );
  });

  it('returns an unsigned 32-bit integer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), (data) => {
        const c = crc32c(data);
        expect(Number.isInteger(c) && c >= 0 && c <= 0xffff_ffff).toBe(true);
      }),
    );
  });
});

describe('maskCrc', () => {
  it('unmaskCrc inverts it, for every 32-bit value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (crc) => {
        const masked = maskCrc(crc);
        expect(masked >= 0 && masked <= 0xffff_ffff).toBe(true);
        expect(unmaskCrc(masked)).toBe(crc);
      }),
    );
  });

  it('changes the value of a CRC, except at its two fixed points', () => {
    // rotate-and-add has exactly two fixed points (found by trying all 2^32 values).
    const fixedPoints = [0x8299f00b, 0xd7ee9ab5];
    for (const f of fixedPoints) expect(hex(maskCrc(f))).toBe(hex(f));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (crc) => {
        fc.pre(!fixedPoints.includes(crc));
        expect(maskCrc(crc)).not.toBe(crc);
      }),
    );
    expect(hex(maskCrc(0))).toBe(hex(0xa282ead8));
  });

  it('is why a CRC stored after its data must be masked: data + raw CRC always checks to one constant', () => {
    const withStoredCrc = (data: Uint8Array, stored: number): Uint8Array => {
      const out = new Uint8Array(data.length + 4);
      out.set(data);
      writeU32(out, data.length, stored);
      return out;
    };
    const residues = new Set<number>();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const raw = crc32c(withStoredCrc(data, crc32c(data)));
        expect(hex(raw), 'the CRC32C residue: the same for every input').toBe(hex(0x48674bc7));
        residues.add(crc32c(withStoredCrc(data, maskCrc(crc32c(data)))));
      }),
    );
    expect(residues.size, 'masked, the CRC of data + stored CRC depends on the data again').toBeGreaterThan(50);
  });
});
