/**
 * Chapter 9, the three amplifications (task 9.6): the formulas, their edge
 * cases, and the textbook numbers for leveled and tiered compaction.
 */

import { describe, expect, test } from 'vitest';
import {
  estimatedSpaceAmplification,
  readAmplification,
  spaceAmplification,
  theoreticalWriteAmplification,
  writeAmplification,
} from '#leveled/amplification.ts';

describe('write amplification', () => {
  test('counts every byte written to disk (WAL, flushes, compaction outputs) per byte the user wrote', () => {
    const counters = { userBytes: 1000, walBytes: 1100, flushBytes: 900, compactionBytes: 8000 };
    expect(writeAmplification(counters), '(1100 + 900 + 8000) / 1000: did you leave out the WAL or the flushes?').toBe(10);
    expect(writeAmplification({ ...counters, compactionBytes: 0 }), 'without compaction: WAL + flush, a little above 2').toBe(2);
  });

  test('is 0 before the first write, not NaN', () => {
    expect(writeAmplification({ userBytes: 0, walBytes: 0, flushBytes: 0, compactionBytes: 0 }), '0 / 0 must not leak out as NaN').toBe(0);
  });
});

describe('read amplification', () => {
  test('is the average number of tables probed per get, and 0 before the first get', () => {
    expect(readAmplification(30, 10)).toBe(3);
    expect(readAmplification(5, 4)).toBe(1.25);
    expect(readAmplification(0, 0), 'no get yet: 0, not NaN').toBe(0);
  });
});

describe('space amplification', () => {
  test('is the bytes of all tables per byte of live data', () => {
    expect(spaceAmplification(2200, 2000)).toBeCloseTo(1.1, 10);
    expect(spaceAmplification(2000, 2000), 'no garbage at all: exactly 1').toBe(1);
  });

  test('an empty database is 1 with no tables, and Infinity when its tables hold only garbage', () => {
    expect(spaceAmplification(0, 0), 'nothing stored, nothing wasted').toBe(1);
    expect(spaceAmplification(500, 0), 'every byte on disk is deleted or overwritten data').toBe(Infinity);
  });

  test('estimated from level sizes: all levels over the deepest non-empty one', () => {
    // A leveled tree in shape: L4 10M, L5 100M, L6 1000M.
    expect(estimatedSpaceAmplification([1e6, 0, 0, 0, 10e6, 100e6, 1000e6]), '(1 + 10 + 100 + 1000) / 1000').toBeCloseTo(1.111, 3);
    // A tiered tree during a big merge: the newer runs hold as much as the oldest.
    expect(estimatedSpaceAmplification([0, 0, 0, 0, 0, 500e6, 500e6]), 'the deepest level is L6, not the biggest').toBe(2);
    expect(estimatedSpaceAmplification([4e6, 0, 0, 0, 0, 0, 0]), 'everything in one level: the estimate cannot see garbage').toBe(1);
    expect(estimatedSpaceAmplification([0, 0, 0, 0, 0, 0, 0]), 'an empty tree').toBe(1);
  });
});

describe('theoretical write amplification of compaction', () => {
  test('leveled: each of the levels merges a byte with up to ratio bytes below it; tiered: one rewrite per level', () => {
    expect(theoreticalWriteAmplification('leveled', 4, 10), '4 levels × (10 + 1)').toBe(44);
    expect(theoreticalWriteAmplification('tiered', 4, 10), 'tiered rewrites each byte once per level').toBe(4);
    expect(theoreticalWriteAmplification('leveled', 3, 4)).toBe(15);
  });
});
