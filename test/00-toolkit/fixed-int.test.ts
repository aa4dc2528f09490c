import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '#toolkit/bytes.ts';
import { MAX_U64_SAFE, readU32, readU64, writeU32, writeU64 } from '#toolkit/fixed-int.ts';

describe('fixed-width little-endian integers', () => {
  it('u32 round-trips every value from 0 to 2^32 - 1 at any offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 4 }), (value, offset) => {
        const buffer = new Uint8Array(offset + 4 + 2).fill(0xee);
        writeU32(buffer, offset, value);
        expect(readU32(buffer, offset)).toBe(value);
        expect(buffer[offset + 4], 'a u32 is exactly 4 bytes').toBe(0xee);
      }),
    );
  });

  it('u64 round-trips every value from 0 to 2^53 - 1', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeNat(), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, MAX_U64_SAFE)), (value) => {
        const buffer = new Uint8Array(8);
        writeU64(buffer, 0, value);
        expect(readU64(buffer, 0)).toBe(value);
      }),
    );
  });

  it('puts the least significant byte first', () => {
    const u32 = new Uint8Array(4);
    writeU32(u32, 0, 0x12345678);
    expect(toHex(u32), 'little-endian: 0x78 first').toBe('78563412');
    writeU32(u32, 0, 0xffff_fffe);
    expect(toHex(u32)).toBe('feffffff');
    const u64 = new Uint8Array(8);
    writeU64(u64, 0, 0x0102_0304_0506);
    expect(toHex(u64)).toBe('0605040302010000');
    writeU64(u64, 0, MAX_U64_SAFE);
    expect(toHex(u64)).toBe('ffffffffffff1f00');
  });

  it('reads u32 as unsigned, never negative', () => {
    expect(readU32(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0)).toBe(0xffff_ffff);
    expect(readU32(Uint8Array.of(0x00, 0x00, 0x00, 0x80), 0)).toBe(2 ** 31);
  });

  it('readU64 returns undefined for any value above 2^53 - 1 (only corruption writes one)', () => {
    expect(MAX_U64_SAFE).toBe(Number.MAX_SAFE_INTEGER);
    expect(readU64(Uint8Array.of(0, 0, 0, 0, 0, 0, 0x20, 0), 0), '2^53 exactly').toBeUndefined();
    expect(readU64(new Uint8Array(8).fill(0xff), 0)).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: 0x20_0000, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff }), (high, low) => {
        const buffer = new Uint8Array(8);
        writeU32(buffer, 0, low);
        writeU32(buffer, 4, high);
        expect(readU64(buffer, 0)).toBeUndefined();
      }),
    );
  });
});
