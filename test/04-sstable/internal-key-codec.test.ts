/**
 * Chapter 4, encoded internal keys (tasks 4.1 and 4.2): the bytes of the
 * trailer are pinned by worked examples, and the order of encoded keys must
 * be exactly the order of chapter 1's InternalKeys.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '#toolkit/bytes.ts';
import { compareInternalKeys, formatInternalKey, MAX_SEQUENCE, ValueKind, type InternalKey } from '#memtable/internal-key.ts';
import { compareEncodedKeys, decodeInternalKey, encodeInternalKey } from '#sstable/internal-key-codec.ts';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

const keyArb: fc.Arbitrary<InternalKey> = fc.record({
  userKey: fc.oneof(fc.uint8Array({ maxLength: 3, min: 0, max: 2 }), fc.uint8Array({ maxLength: 10 })),
  sequence: fc.oneof(
    fc.integer({ min: 0, max: 600 }),
    fc.constantFrom(255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 48, MAX_SEQUENCE - 1, MAX_SEQUENCE),
  ),
  kind: fc.constantFrom(ValueKind.Put, ValueKind.Delete),
});

describe('encodeInternalKey', () => {
  it('writes the user key, then the kind byte, then the sequence in 7 little-endian bytes', () => {
    const cases: [string, number, ValueKind, string][] = [
      ['apple', 12, ValueKind.Put, '6170706c65' + '01' + '0c000000000000'],
      ['apple', 12, ValueKind.Delete, '6170706c65' + '00' + '0c000000000000'],
      ['', 0x0102030405, ValueKind.Put, '' + '01' + '05040302010000'],
      ['k', 2 ** 32 + 0x1234, ValueKind.Delete, '6b' + '00' + '34120000010000'],
      ['k', MAX_SEQUENCE, ValueKind.Put, '6b' + '01' + 'ffffffffffff1f'],
    ];
    for (const [userKey, sequence, kind, hex] of cases) {
      const got = toHex(encodeInternalKey(utf8(userKey), sequence, kind));
      expect(
        got,
        `${formatInternalKey({ userKey: utf8(userKey), sequence, kind })}: user key, then kind (1 byte), then sequence (7 bytes, lowest byte first)`,
      ).toBe(hex);
    }
  });

  it('round-trips through decodeInternalKey for every sequence up to 2^53 - 1', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        const encoded = encodeInternalKey(key.userKey, key.sequence, key.kind);
        expect(encoded.length, 'an encoded key is the user key plus 8 bytes').toBe(key.userKey.length + 8);
        expect(formatInternalKey(decodeInternalKey(encoded))).toBe(formatInternalKey(key));
      }),
    );
  });
});

describe('compareEncodedKeys', () => {
  it('orders encoded keys exactly as compareInternalKeys orders the keys', () => {
    fc.assert(
      fc.property(keyArb, keyArb, (a, b) => {
        const ea = encodeInternalKey(a.userKey, a.sequence, a.kind);
        const eb = encodeInternalKey(b.userKey, b.sequence, b.kind);
        const want = sign(compareInternalKeys(a, b));
        const sameUserKey = toHex(a.userKey) === toHex(b.userKey);
        const hint = sameUserKey
          ? 'same user key: the trailer must compare DESCENDING (newer sequence first, then PUT before DEL); ' +
            'the trailer is little-endian, so its most significant byte is the last one'
          : 'different user keys: compare the user key parts bytewise (a shorter prefix first), not the whole encoded keys';
        expect(sign(compareEncodedKeys(ea, eb)), `${formatInternalKey(a)} vs ${formatInternalKey(b)}: ${hint}`).toBe(
          want,
        );
      }),
    );
  });

  it('a user key that is a prefix of another sorts first, whatever the trailers', () => {
    const short = encodeInternalKey(utf8('app'), 1, ValueKind.Delete);
    const long = encodeInternalKey(utf8('apple'), MAX_SEQUENCE, ValueKind.Put);
    expect(
      sign(compareEncodedKeys(short, long)),
      'app#1,DEL must sort before apple#...: compare the user key parts, not the trailer bytes against "le"',
    ).toBe(-1);
    expect(sign(compareEncodedKeys(long, short))).toBe(1);
    expect(compareEncodedKeys(long, long.slice())).toBe(0);
  });

  it('compares only the first aLength and bLength bytes when lengths are given', () => {
    fc.assert(
      fc.property(keyArb, keyArb, fc.uint8Array({ minLength: 1, maxLength: 9 }), (a, b, junk) => {
        const ea = encodeInternalKey(a.userKey, a.sequence, a.kind);
        const eb = encodeInternalKey(b.userKey, b.sequence, b.kind);
        // `ea` at the start of a larger buffer, as a block iterator holds its current key.
        const buffer = new Uint8Array(ea.length + junk.length);
        buffer.set(ea);
        buffer.set(junk, ea.length);
        expect(
          sign(compareEncodedKeys(buffer, eb, ea.length, eb.length)),
          'the key is buffer[0, aLength): the bytes after it are not part of it (the trailer ends at aLength)',
        ).toBe(sign(compareInternalKeys(a, b)));
      }),
    );
  });
});
