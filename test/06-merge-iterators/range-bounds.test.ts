/**
 * Range bounds (task 6.4): gt/gte/lt/lte become one lower and one upper
 * bound; a key equal to a bound is in the range iff the bound is inclusive;
 * range(start, end) is [start, end).
 */

import { describe, expect, test } from 'vitest';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { RangeBounds, type RangeOptions } from '#merge/range-bounds.ts';

const KEYS = ['', 'a', 'b', 'ba', 'c', 'd', 'da', 'e'];

/** The keys of KEYS that `bounds` lets through. */
function inRange(bounds: RangeBounds): string[] {
  return KEYS.filter((k) => bounds.contains(utf8(k)));
}

describe('RangeBounds', () => {
  test('gte and lte include the bound key; gt and lt exclude it', () => {
    expect(inRange(new RangeBounds({ gte: utf8('b'), lte: utf8('d') })), 'gte/lte: both ends in').toEqual(['b', 'ba', 'c', 'd']);
    expect(inRange(new RangeBounds({ gt: utf8('b'), lt: utf8('d') })), 'gt/lt: both ends out').toEqual(['ba', 'c']);
    expect(inRange(new RangeBounds({ gte: utf8('b'), lt: utf8('d') })), 'gte/lt: [b, d)').toEqual(['b', 'ba', 'c']);
    expect(inRange(new RangeBounds({ gt: utf8('b'), lte: utf8('d') })), 'gt/lte: (b, d]').toEqual(['ba', 'c', 'd']);
    expect(inRange(new RangeBounds({ lt: utf8('b') })), 'no lower bound: everything below b, the empty key too').toEqual([
      '',
      'a',
    ]);
    expect(inRange(new RangeBounds({ gt: utf8('d') })), 'no upper bound: "da" > "d" because a prefix sorts first').toEqual([
      'da',
      'e',
    ]);
    expect(inRange(new RangeBounds({})), 'no bounds: every key').toEqual(KEYS);
  });

  test('aboveLower and belowUpper each check one side only', () => {
    const bounds = new RangeBounds({ gt: utf8('b'), lte: utf8('d') });
    expect(KEYS.filter((k) => bounds.aboveLower(utf8(k))), 'aboveLower: key > b').toEqual(['ba', 'c', 'd', 'da', 'e']);
    expect(KEYS.filter((k) => bounds.belowUpper(utf8(k))), 'belowUpper: key <= d').toEqual(['', 'a', 'b', 'ba', 'c', 'd']);
    expect(bounds.lower).toEqual({ key: utf8('b'), inclusive: false });
    expect(bounds.upper).toEqual({ key: utf8('d'), inclusive: true });
  });

  test('giving both gt and gte, or both lt and lte, is an InvalidArgumentError', () => {
    const both: RangeOptions[] = [
      { gt: utf8('a'), gte: utf8('a') },
      { gt: utf8('a'), gte: utf8('b'), lt: utf8('z') },
      { lt: utf8('z'), lte: utf8('y') },
      { gte: utf8('a'), lt: utf8('z'), lte: utf8('z') },
    ];
    for (const options of both) {
      expect(() => new RangeBounds(options), 'a range has at most one lower and one upper bound').toThrow(InvalidArgumentError);
    }
    expect(inRange(new RangeBounds({ gt: undefined, gte: utf8('c') })), 'a field set to undefined counts as absent').toEqual([
      'c',
      'd',
      'da',
      'e',
    ]);
  });

  test('a lower bound above the upper bound, or equal bounds with one exclusive, is an empty range, not an error', () => {
    expect(inRange(new RangeBounds({ gte: utf8('d'), lt: utf8('b') }))).toEqual([]);
    expect(inRange(new RangeBounds({ gte: utf8('c'), lte: utf8('c') })), '[c, c] holds exactly c').toEqual(['c']);
    expect(inRange(new RangeBounds({ gte: utf8('c'), lt: utf8('c') })), '[c, c) is empty').toEqual([]);
    expect(inRange(new RangeBounds({ gt: utf8('c'), lte: utf8('c') })), '(c, c] is empty').toEqual([]);
  });

  test('the bound keys are copied: reusing the caller’s buffer later does not move the bounds', () => {
    const buffer = utf8('c');
    const bounds = new RangeBounds({ gte: buffer, lte: buffer });
    buffer[0] = 'x'.charCodeAt(0);
    expect(inRange(bounds).map((k) => k)).toEqual(['c']);
    expect(fromUtf8(bounds.lower!.key)).toBe('c');
  });

  test('halfOpen(start, end) is [start, end), and start > end is an InvalidArgumentError', () => {
    expect(inRange(RangeBounds.halfOpen(utf8('b'), utf8('d'))), 'the end bound is exclusive: did you include it?').toEqual([
      'b',
      'ba',
      'c',
    ]);
    expect(inRange(RangeBounds.halfOpen(utf8('c'), utf8('c'))), '[c, c) is empty').toEqual([]);
    expect(() => RangeBounds.halfOpen(utf8('d'), utf8('b'))).toThrow(InvalidArgumentError);
  });
});
