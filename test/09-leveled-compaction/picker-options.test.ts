/**
 * Chapter 9, the leveled picker's options: defaults scale with the memtable
 * (task 9.1's targets and 9.5's plans use them), and bad values are refused
 * with the allowed range.
 */

import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { LeveledPicker, type LeveledPickerOptions } from '#leveled/leveled-picker.ts';
import { contextFor, parseLayout } from './support/layout.ts';

describe('leveled picker options', () => {
  test('by default baseLevelSize is 4 memtables and output tables are 2 memtables', () => {
    const picker = new LeveledPicker();
    // 400M at the bottom, 1M memtables: L5 40M, L4 4M (= 4 × 1M, kept), L3 400K (dropped).
    const { version } = parseLayout('L0: 14[a..z] 13[a..z] 12[a..z] 11[a..z]\nL6: 1[a..z]:400M');
    const context = contextFor(new Set(), 1e6);
    expect(picker.targets(version, context).baseLevel, 'baseLevelSize defaults to l0CompactionTrigger × memtableSize = 4M').toBe(4);
    const plan = picker.pick(version, context);
    expect(plan?.reason, 'four level-0 files: the default trigger is 4').toBe('level0-files');
    expect(plan?.targetFileSize, 'targetFileSize defaults to 2 × memtableSize').toBe(2e6);
    const custom = new LeveledPicker({ l0CompactionTrigger: 8, targetFileSize: 64 * 1024 });
    expect(custom.pick(version, context), 'with a trigger of 8, four files are not due').toBeUndefined();
    const { version: eight } = parseLayout(`L0: ${Array.from({ length: 8 }, (_, i) => `${20 - i}[a..z]`).join(' ')}`);
    expect(custom.pick(eight, context)?.targetFileSize).toBe(64 * 1024);
  });

  test('out-of-range and unknown options are refused, naming the option and the allowed range', () => {
    const bad: [LeveledPickerOptions, RegExp][] = [
      [{ l0CompactionTrigger: 0 }, /l0CompactionTrigger must be an integer from 1 to 1000, got 0/],
      [{ l0CompactionTrigger: 2.5 }, /l0CompactionTrigger/],
      [{ levelSizeRatio: 1 }, /levelSizeRatio must be a number from 2 to 1000, got 1/],
      [{ baseLevelSize: 10 }, /baseLevelSize must be an integer from 1024/],
      [{ targetFileSize: Number.NaN }, /targetFileSize/],
      [{ levelSizeRation: 10 } as LeveledPickerOptions, /unknown leveled compaction option 'levelSizeRation'/],
    ];
    for (const [options, message] of bad) {
      expect(() => new LeveledPicker(options), JSON.stringify(options)).toThrow(InvalidArgumentError);
      expect(() => new LeveledPicker(options)).toThrow(message);
    }
    // A valid fractional ratio is allowed, and used.
    const picker = new LeveledPicker({ levelSizeRatio: 2.5, baseLevelSize: 1e6 });
    const { version } = parseLayout('L6: 1[a..z]:10M');
    expect(picker.targets(version, contextFor(new Set())).targets.slice(4), '10M / 2.5 = 4M, / 2.5 = 1.6M').toEqual([1.6e6, 4e6, 10e6]);
  });
});
