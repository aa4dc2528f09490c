/**
 * Chapter 8, tasks 8.2 to 8.5: the tiered picker on hand-built versions.
 * Each case is a layout of sorted runs (newest first), the options, and the
 * plan expected, in the notation of support/versions.ts:
 *
 *     "L0:10 L0:10 L5:20 L6:400"   ->   "size-ratio: L0:10 L0:10 L5:20 -> L5"
 *
 * Read them as worked examples: which trigger fires first, which runs it
 * takes, and where the output goes.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NUM_LEVELS } from '#engine/manifest-format.ts';
import { Version } from '#engine/version.ts';
import { sortedRuns } from '#tiered/sorted-runs.ts';
import {
  DEFAULT_TIERED_OPTIONS,
  outputSlot,
  runCountTrigger,
  sizeRatioTrigger,
  spaceAmplificationTrigger,
  TieredPicker,
  type TieredPickerOptions,
} from '#tiered/tiered-picker.ts';
import { context, describePlan, layout, table } from './support/versions.ts';

type Case = readonly [name: string, layout: string, options: TieredPickerOptions, expected: string];

const TRIGGER_CASES: readonly Case[] = [
  ['nothing to merge in an empty tree', '', {}, 'none'],
  ['a single run is never merged with itself', 'L0:100', {}, 'none'],
  // (1) space amplification: the runs above the oldest / the oldest, in percent.
  ['space amplification: 135 above 50 is 270% > 200%: every run into the bottom level', 'L0:40 L0:35 L4:60 L6:50', {}, 'space-amplification: L0:40 L0:35 L4:60 L6:50 -> L6 bottommost'],
  ['space amplification: exactly 200% does not fire (the limit is exclusive)', 'L0:20 L5:80 L6:50', {}, 'none'],
  ['space amplification: 202% fires', 'L0:21 L5:80 L6:50', {}, 'space-amplification: L0:21 L5:80 L6:50 -> L6 bottommost'],
  ['space amplification: the limit is an option', 'L0:20 L5:80 L6:200', { maxSpaceAmplificationPercent: 40 }, 'space-amplification: L0:20 L5:80 L6:200 -> L6 bottommost'],
  ['space amplification ignores maxMergeWidth: it must reach the oldest run', 'L0:90 L0:80 L0:70 L6:10', { maxMergeWidth: 2 }, 'space-amplification: L0:90 L0:80 L0:70 L6:10 -> L6 bottommost'],
  // (2) size ratio: from the newest run, take the next while it is <= the sum so far × (100 + ratio)%.
  ['size ratio: two equal runs merge; they are all the runs, so into the bottom level', 'L0:100 L0:100', {}, 'size-ratio: L0:100 L0:100 -> L6 bottommost'],
  ['size ratio: 10, 10 (sum 20), 20 (sum 40) join; 400 > 40.4 does not; the output goes just above level 6', 'L0:10 L0:10 L5:20 L6:400', {}, 'size-ratio: L0:10 L0:10 L5:20 -> L5'],
  ['size ratio: 101 is within 1% of 100', 'L0:100 L0:101 L6:1000', {}, 'size-ratio: L0:100 L0:101 -> L5'],
  ['size ratio: 102 is not within 1% of 100', 'L0:100 L0:102 L6:1000', {}, 'none'],
  ['size ratio: sizeRatioPercent 50 lets 150 join 100', 'L0:100 L0:150 L6:1000', { sizeRatioPercent: 50 }, 'size-ratio: L0:100 L0:150 -> L5'],
  ['size ratio: it starts from the NEWEST run only (a small newest run next to big ones stops it at once)', 'L0:10 L0:500 L0:500 L6:10000', {}, 'none'],
  ['size ratio: a big newest run takes the smaller ones after it', 'L0:500 L0:10 L0:10 L6:1000', {}, 'size-ratio: L0:500 L0:10 L0:10 -> L5'],
  ['size ratio: fewer than minMergeWidth runs do not merge', 'L0:10 L0:10 L6:1000', { minMergeWidth: 3 }, 'none'],
  ['size ratio: minMergeWidth runs do', 'L0:10 L0:10 L0:10 L6:1000', { minMergeWidth: 3 }, 'size-ratio: L0:10 L0:10 L0:10 -> L5'],
  ['size ratio: at most maxMergeWidth runs', 'L0:10 L0:10 L3:10 L6:1000', { maxMergeWidth: 2 }, 'size-ratio: L0:10 L0:10 -> L2'],
  ['size ratio: without the width limit the third run joins', 'L0:10 L0:10 L3:10 L6:1000', {}, 'size-ratio: L0:10 L0:10 L3:10 -> L5'],
  // (3) run count: more than maxRuns runs: merge the newest count - maxRuns + 1.
  ['run count: 6 runs, at most 4: merge the newest 3', 'L0:1 L2:3 L3:9 L4:27 L5:81 L6:243', { maxRuns: 4 }, 'run-count: L0:1 L2:3 L3:9 -> L3'],
  ['run count: at least minMergeWidth runs', 'L0:1 L2:3 L3:9 L4:27 L5:81 L6:243', { maxRuns: 5, minMergeWidth: 3 }, 'run-count: L0:1 L2:3 L3:9 -> L3'],
  ['run count: at most maxMergeWidth runs', 'L0:1 L2:3 L3:9 L4:27 L5:81 L6:243', { maxRuns: 2, maxMergeWidth: 3 }, 'run-count: L0:1 L2:3 L3:9 -> L3'],
  ['run count: 6 runs, at most 8: nothing to do', 'L0:1 L2:3 L3:9 L4:27 L5:81 L6:243', {}, 'none'],
  // The order: space amplification, then size ratio, then run count.
  ['order: space amplification before size ratio', 'L0:100 L0:100 L6:10', {}, 'space-amplification: L0:100 L0:100 L6:10 -> L6 bottommost'],
  ['order: size ratio before run count', 'L0:10 L0:10 L4:100 L6:1000', { maxRuns: 2 }, 'size-ratio: L0:10 L0:10 -> L3'],
];

const OUTPUT_CASES: readonly Case[] = [
  ['output level: just above the next older run', 'L0:10 L0:10 L4:500 L6:1000', {}, 'size-ratio: L0:10 L0:10 -> L3'],
  ['output level: the next older run is a level-0 table, with no level above it: the merge takes it too', 'L0:1 L0:3 L0:9 L6:243', { maxRuns: 3 }, 'run-count: L0:1 L0:3 L0:9 -> L5'],
  ['output level: the next older run is in level 1: the merge takes it too', 'L0:10 L0:10 L1:500 L6:1000', {}, 'size-ratio: L0:10 L0:10 L1:500 -> L5'],
  ['output level: a run-count merge extended over level-0 tables and level 1', 'L0:1 L0:3 L0:9 L0:27 L1:81 L2:243 L3:729 L4:2187 L6:100000', {}, 'run-count: L0:1 L0:3 L0:9 L0:27 L1:81 -> L1'],
  ['output level: every run merged: the bottom level, bottommost', 'L0:10 L0:10 L0:15', {}, 'size-ratio: L0:10 L0:10 L0:15 -> L6 bottommost'],
];

const MANUAL_CASES: readonly (readonly [name: string, layout: string, level: number | undefined, expected: string])[] = [
  ['compact(): every run into the bottom level', 'L0:10 L3:100 L6:1000', undefined, 'manual: L0:10 L3:100 L6:1000 -> L6 bottommost'],
  ['compact(0): the level-0 tables, above the next older run; one table moves without a rewrite', 'L0:10 L3:100 L6:1000', 0, 'manual: L0:10 -> L2 trivial-move'],
  ['compact(3): level 3 and every newer run', 'L0:10 L3:100 L6:1000', 3, 'manual: L0:10 L3:100 -> L5'],
  ['compact(4): no run in level 4, nothing to do', 'L0:10 L3:100 L6:1000', 4, 'none'],
  ['compact(): one run in the bottom level without tombstones is already compact', 'L6:1000x3', undefined, 'none'],
  ['compact(): one bottom run holding tombstones is rewritten (to drop them)', 'L6:1000x3!', undefined, 'manual: L6:1000 -> L6 bottommost'],
  ['compact(): a single run elsewhere goes to the bottom level', 'L2:70', undefined, 'manual: L2:70 -> L6 bottommost'],
];

describe('each trigger on its own (the number of newest runs it merges)', () => {
  const runs = (text: string) => sortedRuns(layout(text));
  const options = (o: TieredPickerOptions = {}) => ({ ...DEFAULT_TIERED_OPTIONS, ...o });

  test('task 8.2: space amplification fires above the limit, merging every run', () => {
    expect(spaceAmplificationTrigger(runs('L0:40 L0:35 L4:60 L6:50'), options()), '135 / 50 = 270% > 200%').toBe(4);
    expect(spaceAmplificationTrigger(runs('L0:20 L5:80 L6:50'), options()), 'exactly 200% is not above 200%').toBeUndefined();
    expect(spaceAmplificationTrigger(runs('L6:50'), options()), 'one run: nothing above it').toBeUndefined();
    expect(spaceAmplificationTrigger(runs(''), options())).toBeUndefined();
  });

  test('task 8.3: size ratio takes runs from the newest while each is not bigger than the sum so far (within the ratio)', () => {
    expect(sizeRatioTrigger(runs('L0:10 L0:10 L5:20 L6:400'), options()), '10, 10 (sum 20), 20 (sum 40), not 400').toBe(3);
    expect(sizeRatioTrigger(runs('L0:100 L0:101 L6:1000'), options())).toBe(2);
    expect(sizeRatioTrigger(runs('L0:100 L0:102 L6:1000'), options()), '102 > 101: one run is not a merge').toBeUndefined();
    expect(sizeRatioTrigger(runs('L0:10 L0:10 L0:10 L6:1000'), options({ maxMergeWidth: 2 }))).toBe(2);
    expect(sizeRatioTrigger(runs('L0:10 L0:10 L6:1000'), options({ minMergeWidth: 3 }))).toBeUndefined();
    expect(sizeRatioTrigger(runs(''), options())).toBeUndefined();
  });

  test('task 8.4: run count merges the newest count - maxRuns + 1 runs, within the width limits', () => {
    const six = runs('L0:1 L2:3 L3:9 L4:27 L5:81 L6:243');
    expect(runCountTrigger(six, options()), '6 runs <= 8').toBeUndefined();
    expect(runCountTrigger(six, options({ maxRuns: 4 })), '6 - 4 + 1').toBe(3);
    expect(runCountTrigger(six, options({ maxRuns: 5 })), 'at least minMergeWidth (2)').toBe(2);
    expect(runCountTrigger(six, options({ maxRuns: 5, minMergeWidth: 4, maxMergeWidth: 4 }))).toBe(4);
    expect(runCountTrigger(six, options({ maxRuns: 1, maxMergeWidth: 3 })), 'at most maxMergeWidth').toBe(3);
  });

  test('task 8.5: the output goes just above the next older run; a level-0 or level-1 run there joins the merge; all runs: the bottom', () => {
    expect(outputSlot(runs('L0:1 L0:2 L4:3 L6:4'), 2)).toEqual({ count: 2, level: 3 });
    expect(outputSlot(runs('L0:1 L0:2 L0:3 L6:4'), 2), 'no level above a level-0 table').toEqual({ count: 3, level: 5 });
    expect(outputSlot(runs('L0:1 L1:2 L2:3'), 1), 'no level >= 1 above level 1').toEqual({ count: 2, level: 1 });
    expect(outputSlot(runs('L0:1 L0:2 L1:3'), 1), 'extended to every run: the bottom level').toEqual({ count: 3, level: 6 });
    expect(outputSlot(runs('L2:1 L3:2'), 2)).toEqual({ count: 2, level: 6 });
  });
});

describe('the tiered picker', () => {
  test.each(TRIGGER_CASES)('%s', (_name, runs, options, expected) => {
    const plan = new TieredPicker(options).pick(layout(runs), context());
    expect(describePlan(plan), `runs: ${runs}`).toBe(expected);
  });

  test.each(OUTPUT_CASES)('%s', (_name, runs, options, expected) => {
    const plan = new TieredPicker(options).pick(layout(runs), context());
    expect(describePlan(plan), `runs: ${runs}: a higher level must always hold older data than a lower one`).toBe(expected);
  });

  test.each(MANUAL_CASES)('%s', (_name, runs, level, expected) => {
    expect(describePlan(new TieredPicker().pickManual(layout(runs), level, context()))).toBe(expected);
  });

  test('a table already being compacted is not picked again', () => {
    const version = layout('L0:10 L0:10 L5:20 L6:400');
    const busy = version.files(5)[0]!.number;
    expect(describePlan(new TieredPicker().pick(version, context([busy])))).toBe('none');
    expect(describePlan(new TieredPicker().pick(version, context([12345])))).toBe('size-ratio: L0:10 L0:10 L5:20 -> L5');
  });

  test('output tables are cut at targetFileSize: 8 memtables by default, or the option', () => {
    const version = layout('L0:100 L0:100');
    expect(new TieredPicker().pick(version, context())?.targetFileSize).toBe(8 * 1024);
    expect(new TieredPicker({ targetFileSize: 4096 }).pick(version, context())?.targetFileSize).toBe(4096);
  });

  test('pending bytes are the bytes of the tables the next due merge would rewrite', () => {
    const picker = new TieredPicker();
    expect(picker.pendingBytes(layout('L0:10 L0:10 L5:20 L6:400'), context())).toBe(40);
    expect(picker.pendingBytes(layout('L0:40 L0:35 L4:60 L6:50'), context())).toBe(185);
    expect(picker.pendingBytes(layout('L0:100 L0:102 L6:1000'), context())).toBe(0);
  });

  // Layouts a tiered tree can have: some level-0 tables, then some of levels 1..6.
  const layoutArb = fc
    .record({
      level0: fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 12 }),
      levels: fc.array(fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }), { minLength: 6, maxLength: 6 }),
    })
    .map(({ level0, levels }) =>
      [...level0.map((b) => `L0:${b}`), ...levels.flatMap((b, i) => (b === undefined ? [] : [`L${i + 1}:${b}`]))].join(' '),
    );
  const optionsArb: fc.Arbitrary<TieredPickerOptions> = fc.record({
    maxSpaceAmplificationPercent: fc.integer({ min: 1, max: 500 }),
    sizeRatioPercent: fc.integer({ min: 0, max: 100 }),
    maxRuns: fc.integer({ min: 1, max: 10 }),
  });

  test('every plan merges the newest k runs and writes just above the next older run (or to the bottom): age order by level holds', () => {
    fc.assert(
      fc.property(layoutArb, optionsArb, fc.boolean(), (runsText, options, manual) => {
        const version = layout(runsText);
        const runs = sortedRuns(version);
        const picker = new TieredPicker(options);
        const plan = manual ? picker.pickManual(version, undefined, context()) : picker.pick(version, context());
        if (plan === undefined) return;
        const inputs = plan.inputs.flatMap((input) => input.files.map((file) => file.number));
        const k = runs.findIndex((_, i) => runs.slice(0, i + 1).flatMap((r) => r.files.map((f) => f.number)).length === inputs.length);
        const newest = runs.slice(0, k + 1).flatMap((r) => r.files.map((f) => f.number));
        expect(inputs, `${runsText}: a merge takes the newest runs, in order, never one in the middle`).toEqual(newest);
        const next = runs[k + 1];
        if (next === undefined) {
          expect(plan.outputLevel, `${runsText}: merging the oldest run writes to the bottom level`).toBe(NUM_LEVELS - 1);
          expect(plan.bottommost).toBe(true);
        } else {
          expect(plan.outputLevel, `${runsText}: the output goes just above the next older run`).toBe(next.level - 1);
          expect(plan.outputLevel, `${runsText}: the output may not go to level 0`).toBeGreaterThanOrEqual(1);
          expect(plan.bottommost, `${runsText}: older data stays below: not bottommost`).toBe(false);
        }
        // The plan applies: the output fits its level.
        const output = table(99_999, 1, { from: 1, to: 1 });
        expect(() =>
          version.apply({
            deletedFiles: plan.inputs.flatMap(({ level, files }) => files.map((f) => ({ level, number: f.number }))),
            newFiles: [{ level: plan.outputLevel, file: output }],
          }),
        ).not.toThrow();
      }),
    );
  });

  /** Simulates `flushes` flushes of 100 bytes, compacting until nothing is due after each; returns bytes rewritten per byte flushed. */
  function simulateFill(maxRuns: number, flushes: number): number {
    const picker = new TieredPicker({ maxRuns });
    let version = Version.EMPTY;
    let number = 1;
    let rewritten = 0;
    for (let i = 0; i < flushes; i++) {
      version = version.apply({ deletedFiles: [], newFiles: [{ level: 0, file: table(number++, 100, { from: i * 10 + 1, to: i * 10 + 10 }) }] });
      for (let guard = 0; ; guard++) {
        expect(guard, 'compaction must settle').toBeLessThan(50);
        const plan = picker.pick(version, context());
        if (plan === undefined) break;
        const inputs = plan.inputs.flatMap((input) => input.files);
        const size = inputs.reduce((n, f) => n + f.size, 0);
        rewritten += size;
        const from = Math.min(...inputs.map((f) => f.smallestSequence));
        const to = Math.max(...inputs.map((f) => f.largestSequence));
        version = version.apply({
          deletedFiles: plan.inputs.flatMap(({ level, files }) => files.map((f) => ({ level, number: f.number }))),
          newFiles: [{ level: plan.outputLevel, file: table(number++, size, { from, to }) }],
        });
      }
      const runs = sortedRuns(version);
      expect(runs.length, `after flush ${i + 1}: ${runs.map((r) => `L${r.level}:${r.bytes}`).join(' ')}`).toBeLessThanOrEqual(maxRuns);
      for (let r = 1; r < runs.length; r++) {
        const newer = Math.min(...runs[r - 1]!.files.map((f) => f.smallestSequence));
        const older = Math.max(...runs[r]!.files.map((f) => f.largestSequence));
        expect(newer, 'every run holds newer writes than every run after it').toBeGreaterThan(older);
      }
    }
    return rewritten / (100 * flushes);
  }

  test('a simulated fill keeps at most maxRuns runs in age order; with 8 runs each byte is rewritten about log2(flushes) times, with 3 far more', () => {
    const flushes = 300;
    const wide = simulateFill(8, flushes);
    expect(wide, 'size-tiered merges rewrite each byte once per doubling of its run').toBeLessThan(Math.log2(flushes) + 2);
    expect(wide).toBeGreaterThan(1);
    const narrow = simulateFill(3, flushes);
    expect(narrow, 'fewer runs allowed (cheaper reads) costs more rewriting: the read/write trade-off').toBeGreaterThan(2 * wide);
  });
});
