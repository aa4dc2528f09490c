/**
 * Chapter 9, the leveled picker on random trees (tasks 9.1 to 9.5
 * together): whatever the shape, every plan follows the rules, and a tree
 * that carries out every plan keeps each key's newest version on top and
 * ends within its targets.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compareBytes } from '#toolkit/bytes.ts';
import { largestUserKey, smallestUserKey, type FileMetadata } from '#engine/file-metadata.ts';
import type { Version } from '#engine/version.ts';
import type { CompactionPlan } from '#tiered/compaction-plan.ts';
import { BOTTOM_LEVEL } from '#leveled/level-targets.ts';
import { LeveledPicker, userKeyRange, type LeveledPickerOptions } from '#leveled/leveled-picker.ts';
import { contextFor, formatPlan } from './support/layout.ts';
import { ENTRY_SIZE, SimulatedTree } from './support/simulated-tree.ts';

/** Options that make deep trees out of a few dozen keys: tables of 3 entries, ratio 2. */
const SMALL: LeveledPickerOptions = {
  l0CompactionTrigger: 3,
  levelSizeRatio: 2,
  baseLevelSize: 5 * ENTRY_SIZE,
  targetFileSize: 3 * ENTRY_SIZE,
};
const ENTRIES_PER_FILE = 3;
const KEYS = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, '0')}`);

const keysArb = fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 10 });

/** A starting shape: sorted runs in some levels >= 1 (as tiered may leave them), then level-0 flushes. */
const treeArb = fc.record({
  runs: fc.array(fc.record({ level: fc.integer({ min: 1, max: BOTTOM_LEVEL }), keys: fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 30 }) }), {
    maxLength: 3,
  }),
  flushes: fc.array(keysArb, { minLength: 1, maxLength: 40 }),
});

function overlaps(file: FileMetadata, [smallest, largest]: [Uint8Array, Uint8Array]): boolean {
  return compareBytes(largestUserKey(file), smallest) >= 0 && compareBytes(smallestUserKey(file), largest) <= 0;
}

/** Returns what is wrong with `plan` for `version`, or undefined if it follows every rule. */
function planProblem(plan: CompactionPlan, version: Version, busy: ReadonlySet<number>): string | undefined {
  const all = plan.inputs.flatMap((input) => input.files);
  if (all.length === 0 || plan.inputs.some((input) => input.files.length === 0)) return 'every input level must hold at least one file';
  const busyInput = all.find((file) => busy.has(file.number));
  if (busyInput !== undefined) return `file ${busyInput.number} is being compacted and must not be an input`;
  const upper = plan.inputs.filter((input) => input.level < plan.outputLevel);
  if (upper.length !== 1 || upper[0] !== plan.inputs[0]) return 'a plan takes files from one level and (maybe) the output level';
  const from = upper[0]!.level;
  for (let level = from + 1; level < plan.outputLevel; level++) {
    if (version.files(level).length > 0) return `the output L${plan.outputLevel} jumps over L${level}, which holds data`;
  }
  const upperRange = userKeyRange(upper[0]!.files);
  if (from === 0) {
    const left = version.files(0).find((file) => !upper[0]!.files.includes(file) && overlaps(file, upperRange));
    if (left !== undefined) return `level-0 file ${left.number} overlaps the level-0 inputs but stays behind`;
  } else if (upper[0]!.files.length !== 1) {
    return `a level-size plan takes ONE file of L${from}`;
  }
  const expectedBelow = version.files(plan.outputLevel).filter((file) => overlaps(file, upperRange));
  const below = plan.inputs.find((input) => input.level === plan.outputLevel)?.files ?? [];
  if (below.map((f) => f.number).join() !== expectedBelow.map((f) => f.number).join()) {
    return `the output-level inputs must be exactly the L${plan.outputLevel} files overlapping the inputs: ${expectedBelow.map((f) => f.number).join(' ')}`;
  }
  if (plan.trivialMove !== (all.length === 1)) return 'a trivial move is a plan of exactly one file';
  const range = userKeyRange(all);
  let bottommost = true;
  for (let level = plan.outputLevel + 1; level <= BOTTOM_LEVEL; level++) {
    if (version.files(level).some((file) => overlaps(file, range))) bottommost = false;
  }
  if (plan.bottommost !== bottommost) return `bottommost should be ${bottommost}`;
  return undefined;
}

describe('the leveled picker on random trees', () => {
  test('every plan takes idle files only, closes level 0 under overlap, takes exactly the overlapping files below, and flags trivial moves and bottommost right', () => {
    fc.assert(
      fc.property(treeArb, fc.array(fc.nat(200)), fc.nat(20), (tree, busyPicks, steps) => {
        const sim = new SimulatedTree(ENTRIES_PER_FILE);
        for (const run of [...tree.runs].sort((a, b) => b.level - a.level)) {
          if (sim.version.files(run.level).length === 0) sim.seedRun(run.level, run.keys);
        }
        for (const keys of tree.flushes) sim.flush(keys);
        const picker = new LeveledPicker(SMALL);
        // Walk the tree through a few plans first, so the shapes are ones compaction makes.
        for (let i = 0; i < steps; i++) {
          const plan = picker.pick(sim.version, contextFor(new Set(), ENTRY_SIZE));
          if (plan === undefined) break;
          sim.run(plan);
        }
        const numbers = sim.version.fileNumbers();
        const busy = new Set(busyPicks.filter((n) => n % 3 === 0).map((n) => numbers[n % numbers.length]!));
        const context = contextFor(busy, ENTRY_SIZE);
        const scores = picker.scores(sim.version, context);
        const plan = picker.pick(sim.version, context);
        if (plan === undefined) return;
        const problem = planProblem(plan, sim.version, busy);
        expect(problem, `${formatPlan(plan)} for\n${sim.version.toString()}\nbusy: ${[...busy].join(' ')}`).toBeUndefined();
        const from = plan.inputs[0]!.level;
        expect(scores.find((s) => s.level === from)!.score, 'a plan comes from a level that is due (score >= 1)').toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });

  test('a tree that carries out every plan keeps the newest version of each key on top, never overlaps in levels >= 1, and ends within its targets', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const sim = new SimulatedTree(ENTRIES_PER_FILE);
        for (const run of [...tree.runs].sort((a, b) => b.level - a.level)) {
          if (sim.version.files(run.level).length === 0) sim.seedRun(run.level, run.keys);
        }
        const picker = new LeveledPicker(SMALL);
        const context = contextFor(new Set(), ENTRY_SIZE);
        let plans = 0;
        const compactAll = (): void => {
          for (;;) {
            const plan = picker.pick(sim.version, context);
            if (plan === undefined) return;
            // Version.apply throws if the plan would make two tables of a level >= 1 overlap.
            sim.run(plan);
            plans++;
            expect(plans, 'compaction must settle: every plan moves data down').toBeLessThan(2000);
            const stale = sim.staleRead();
            expect(stale, `after ${formatPlan(plan)}: old data ended up above new data\n${sim.version.toString()}`).toBeUndefined();
          }
        };
        for (const keys of tree.flushes) {
          sim.flush(keys);
          compactAll();
        }
        const { baseLevel, targets } = picker.targets(sim.version, context);
        expect(sim.version.files(0).length, 'level 0 ends below its trigger').toBeLessThan(SMALL.l0CompactionTrigger!);
        for (let level = 1; level < BOTTOM_LEVEL; level++) {
          const bytes = sim.version.levelBytes(level);
          if (level < baseLevel) expect(bytes, `L${level} is above the base level L${baseLevel}: it must end empty`).toBe(0);
          else expect(bytes, `L${level} must end below its target ${targets[level]}`).toBeLessThan(targets[level]!);
        }
      }),
    );
  });

  test('manual compaction of the whole tree ends with every key in the bottom level, found at its newest version', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const sim = new SimulatedTree(ENTRIES_PER_FILE);
        for (const run of [...tree.runs].sort((a, b) => b.level - a.level)) {
          if (sim.version.files(run.level).length === 0) sim.seedRun(run.level, run.keys);
        }
        for (const keys of tree.flushes) sim.flush(keys);
        const picker = new LeveledPicker(SMALL);
        const context = contextFor(new Set(), ENTRY_SIZE);
        for (let i = 0; ; i++) {
          const plan = picker.pickManual(sim.version, undefined, context);
          if (plan === undefined) break;
          expect(i, 'pickManual must return undefined once the tree is one sorted run at the bottom').toBeLessThan(100);
          sim.run(plan);
        }
        for (let level = 0; level < BOTTOM_LEVEL; level++) expect(sim.version.files(level), `L${level} after compact()`).toHaveLength(0);
        expect(sim.staleRead()).toBeUndefined();
      }),
    );
  });
});
