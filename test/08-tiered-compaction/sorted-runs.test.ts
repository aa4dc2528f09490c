/**
 * Chapter 8, task 8.1: a version seen as sorted runs, newest first: each
 * level-0 table is a run, then each non-empty level 1..6 is one run.
 */

import { describe, expect, test } from 'vitest';
import { Version } from '#engine/version.ts';
import { sortedRuns, type SortedRun } from '#tiered/sorted-runs.ts';
import { layout, table } from './support/versions.ts';

function show(runs: readonly SortedRun[]): string {
  return runs.map((run) => `L${run.level}:${run.bytes}[${run.files.map((f) => f.number).join(',')}]`).join(' ');
}

describe('sorted runs', () => {
  test('an empty version has no runs', () => {
    expect(sortedRuns(Version.EMPTY)).toEqual([]);
  });

  test('each level-0 table is a run of its own, newest first; then each non-empty level is one run, in level order', () => {
    const version = Version.EMPTY.apply({
      deletedFiles: [],
      newFiles: [
        { level: 0, file: table(7, 40, { from: 300, to: 399 }) },
        { level: 0, file: table(9, 35, { from: 400, to: 499 }) },
        { level: 4, file: table(5, 30, { smallest: 'a', largest: 'm', from: 100, to: 199 }) },
        { level: 4, file: table(6, 30, { smallest: 'n', largest: 'z', from: 100, to: 199 }) },
        { level: 2, file: table(8, 60, { from: 200, to: 299 }) },
        { level: 6, file: table(3, 50, { from: 1, to: 99 }) },
      ],
    });
    expect(
      show(sortedRuns(version)),
      'level 0 newest first (table 9 holds newer writes than 7), then levels 2, 4, 6; empty levels are not runs; a level is ONE run however many tables it has',
    ).toBe('L0:35[9] L0:40[7] L2:60[8] L4:60[5,6] L6:50[3]');
  });

  test('the bytes of a run are the sum of its tables, and the runs hold every table exactly once', () => {
    const version = layout('L0:10 L0:20 L0:30 L1:100x4 L3:70x2 L6:999x5');
    const runs = sortedRuns(version);
    expect(runs.map((r) => r.bytes)).toEqual([10, 20, 30, 100, 70, 999]);
    expect(runs.flatMap((r) => r.files.map((f) => f.number)).sort()).toEqual(version.fileNumbers().sort());
  });
});
