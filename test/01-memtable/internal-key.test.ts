/**
 * Task 1.1: compareInternalKeys. Internal keys sort by user key ascending
 * (bytewise, unsigned), then sequence descending (newest first), then kind
 * (PUT before DEL at an equal sequence). Keys are written in the notation
 * `apple#12,PUT`; `\xHH` stands for a byte that is not printable.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  compareInternalKeys,
  formatInternalKey,
  MAX_SEQUENCE,
  parseInternalKey,
  ValueKind,
  type InternalKey,
} from '#memtable/internal-key.ts';

const ik = parseInternalKey;

/** Asserts that `before` sorts strictly before `after`, in both argument orders. */
function expectBefore(before: string, after: string, hint: string): void {
  const a = ik(before);
  const b = ik(after);
  expect(Math.sign(compareInternalKeys(a, b)), `${before} must sort before ${after}: ${hint}`).toBe(-1);
  expect(Math.sign(compareInternalKeys(b, a)), `${after} must sort after ${before}: ${hint}`).toBe(1);
}

describe('compareInternalKeys (task 1.1)', () => {
  test('user keys compare as unsigned bytes: 0x00 < 0x01 < 0x7f < 0x80 < 0xff', () => {
    const hint = 'compare user keys byte by byte as unsigned numbers 0..255 (compareBytes), not as strings or signed bytes';
    expectBefore('\\x00#1,PUT', '\\x01#1,PUT', hint);
    expectBefore('\\x01#1,PUT', '\\x7f#1,PUT', hint);
    expectBefore('\\x7f#1,PUT', '\\x80#1,PUT', hint);
    expectBefore('\\x80#1,PUT', '\\xff#1,PUT', hint);
    expectBefore('a\\x00z#1,PUT', 'a\\x01#1,PUT', hint);
    expectBefore('Z#1,PUT', 'a#1,PUT', hint);
    // Numeric-looking keys are bytes too: "10" < "9" because '1' < '9'.
    expectBefore('10#1,PUT', '9#1,PUT', hint);
  });

  test('the empty key sorts before every other key, and a proper prefix before its extensions', () => {
    const hint = 'when one key is a prefix of the other, the shorter one sorts first';
    expectBefore('#5,PUT', '\\x00#9,PUT', hint);
    expectBefore('#1,PUT', 'a#100,PUT', hint);
    expectBefore('app#1,PUT', 'apple#9,PUT', hint);
    expectBefore('a#1,PUT', 'a\\x00#1,PUT', hint);
    expectBefore('\\xff#1,PUT', '\\xff\\xff#1,PUT', hint);
  });

  test('for one user key, the newer (larger) sequence sorts first', () => {
    const hint = 'sequences sort descending, newest first, so a reader finds the newest version before older ones';
    expectBefore('apple#5,PUT', 'apple#3,PUT', hint);
    expectBefore('apple#2,DEL', 'apple#1,PUT', hint);
    expectBefore('#10,PUT', '#9,PUT', hint);
    expectBefore('apple#1,PUT', 'apple#0,PUT', hint);
  });

  test('sequences beyond 32 bits compare exactly', () => {
    const hint = 'sequences go up to 2^53 - 1: do not squeeze them through 32-bit operations such as `| 0` or `>>> 0`';
    const big = (sequence: number): InternalKey => ({ userKey: new Uint8Array([1]), sequence, kind: ValueKind.Put });
    const pairs: [number, number][] = [
      [2 ** 32, 1],
      [2 ** 32 + 1, 2 ** 32],
      [2 ** 31, 2 ** 31 - 1],
      [MAX_SEQUENCE, MAX_SEQUENCE - 1],
      [MAX_SEQUENCE, 0],
    ];
    for (const [newer, older] of pairs) {
      expect(Math.sign(compareInternalKeys(big(newer), big(older))), `#${newer} must sort before #${older}: ${hint}`).toBe(-1);
      expect(Math.sign(compareInternalKeys(big(older), big(newer))), `#${older} must sort after #${newer}: ${hint}`).toBe(1);
    }
  });

  test('the user key decides before the sequence', () => {
    const hint = 'compare user keys first; the sequence only breaks ties between versions of the same user key';
    expectBefore('apple#1,PUT', 'banana#100,PUT', hint);
    expectBefore('apple#1,DEL', 'apples#2,PUT', hint);
    expectBefore('#1,PUT', 'a#2,PUT', hint);
  });

  test('at an equal key and sequence PUT sorts before DEL, and a key compares equal to itself', () => {
    expectBefore('apple#7,PUT', 'apple#7,DEL', 'at an equal sequence the kind breaks the tie: kind descending, PUT (1) before DEL (0)');
    for (const text of ['apple#7,PUT', 'apple#7,DEL', '#0,PUT', '\\xff\\x00#9007199254740991,DEL']) {
      // Equal contents in different arrays: compare bytes, not object identity.
      expect(compareInternalKeys(ik(text), ik(text)), `${text} must compare equal (0) to a copy of itself`).toBe(0);
    }
  });
});

/** Small alphabets, so that equal user keys, prefixes and equal sequences come up often. */
const userKeyArb = fc
  .array(fc.constantFrom(0x00, 0x01, 0x61, 0x62, 0x7f, 0x80, 0xff), { maxLength: 3 })
  .map((bytes) => Uint8Array.from(bytes));
const sequenceArb = fc.oneof(
  fc.integer({ min: 0, max: 4 }),
  fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, MAX_SEQUENCE),
);
const internalKeyArb: fc.Arbitrary<InternalKey> = fc.record({
  userKey: userKeyArb,
  sequence: sequenceArb,
  kind: fc.constantFrom(ValueKind.Put, ValueKind.Delete),
});

/** The order written out longhand, as the model the property checks against. */
function modelCompare(a: InternalKey, b: InternalKey): number {
  const n = Math.min(a.userKey.length, b.userKey.length);
  for (let i = 0; i < n; i++) {
    if (a.userKey[i] !== b.userKey[i]) return a.userKey[i]! < b.userKey[i]! ? -1 : 1;
  }
  if (a.userKey.length !== b.userKey.length) return a.userKey.length < b.userKey.length ? -1 : 1;
  if (a.sequence !== b.sequence) return a.sequence > b.sequence ? -1 : 1;
  if (a.kind !== b.kind) return a.kind > b.kind ? -1 : 1;
  return 0;
}

describe('compareInternalKeys, by property (task 1.1)', () => {
  test('sorting by compareInternalKeys agrees with the model order on random keys', () => {
    fc.assert(
      fc.property(fc.array(internalKeyArb, { maxLength: 30 }), (keys) => {
        const got = [...keys].sort(compareInternalKeys).map(formatInternalKey);
        const want = [...keys].sort(modelCompare).map(formatInternalKey);
        expect(got, 'user key ascending (unsigned bytes, prefix first), then sequence descending, then PUT before DEL').toEqual(want);
      }),
    );
  });

  test('it is a total order: antisymmetric, transitive, and 0 only for equal keys', () => {
    fc.assert(
      fc.property(internalKeyArb, internalKeyArb, internalKeyArb, (a, b, c) => {
        const ab = Math.sign(compareInternalKeys(a, b));
        const ba = Math.sign(compareInternalKeys(b, a));
        const [fa, fb, fc_] = [a, b, c].map(formatInternalKey) as [string, string, string];
        expect(ab, `compare(${fa}, ${fb}) must be the opposite of compare(${fb}, ${fa})`).toBe(-ba);
        expect(ab === 0, `compare(${fa}, ${fb}) is 0 iff the two keys are identical`).toBe(fa === fb);
        const bc = Math.sign(compareInternalKeys(b, c));
        const ac = Math.sign(compareInternalKeys(a, c));
        if (ab <= 0 && bc <= 0) {
          expect(ac <= 0, `${fa} <= ${fb} and ${fb} <= ${fc_}, so ${fa} <= ${fc_} (transitivity)`).toBe(true);
        }
        if (ab >= 0 && bc >= 0) {
          expect(ac >= 0, `${fa} >= ${fb} and ${fb} >= ${fc_}, so ${fa} >= ${fc_} (transitivity)`).toBe(true);
        }
      }),
    );
  });
});
