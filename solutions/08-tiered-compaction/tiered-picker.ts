/**
 * TieredPicker: size-tiered ("universal") compaction. It sees the tree as a
 * list of sorted runs, newest first (sorted-runs.ts), and merges a few of
 * the NEWEST runs into one when one of three triggers fires. It checks
 * them in this order and takes the first that fires:
 *
 * 1. Space amplification. Every run above the oldest may hold versions the
 *    oldest also holds (overwritten or deleted data). If
 *        (bytes of all runs but the oldest) / (bytes of the oldest) × 100
 *    is above `maxSpaceAmplificationPercent`, merge EVERY run into the
 *    bottom level. This is the only merge that rewrites the oldest run,
 *    and the only way space comes back.
 *
 *        runs  L0:40  L0:35  L4:60  L6:50     above = 135, oldest = 50: 270% > 200%
 *        merge all four ─> L6:~150
 *
 * 2. Size ratio. Start with the newest run, and take the next older run
 *    while it is not bigger than everything taken so far (within
 *    `sizeRatioPercent`); merge if at least `minMergeWidth` runs were taken.
 *    Runs of similar size merge, so every byte is rewritten about once per
 *    doubling of its run: write amplification grows with log2 of the data.
 *
 *        runs  L0:10  L0:10  L5:20  L6:400    10 ≤ 10.1, 20 ≤ 20.2, 400 > 40.4
 *        merge the newest three ─> L5:40
 *
 * 3. Run count. More than `maxRuns` runs: merge the newest
 *    (count - maxRuns + 1) runs (at least `minMergeWidth`), so a read never
 *    looks at more than `maxRuns` runs for long.
 *
 * The size-ratio and run-count merges take at most `maxMergeWidth` runs;
 * the space-amplification merge takes them all (it must reach the oldest).
 *
 * The output level keeps the age order by level (a higher level holds older
 * data): the output goes to the level just above the next older run that is
 * not merged, or to the bottom level when the oldest run is merged. When
 * there is no level above that run (it is a level-0 table, or in level 1),
 * the merge takes that run too and looks again. So merges are always the
 * newest k runs: never a run in the middle, which would break the order.
 */

import { InvalidArgumentError } from '#toolkit/errors.ts';
import type { Version } from '#engine/version.ts';
import type { CompactionInput, CompactionPicker, CompactionPlan, CompactionReason, PickContext } from './compaction-plan.ts';
import { BOTTOM_LEVEL, sortedRuns, type SortedRun } from './sorted-runs.ts';

/** The tiered strategy's options, every default filled in. */
export interface TieredOptions {
  /**
   * Merge every run into the bottom level when the runs above the oldest
   * hold more than this percentage of the oldest's bytes. Lower: less
   * space, more rewriting. An integer from 1 to 1,000,000. Defaults to 200.
   */
  readonly maxSpaceAmplificationPercent: number;
  /**
   * How much bigger than the runs taken so far the next run may be and
   * still join a size-ratio merge, in percent. An integer from 0 to 10,000.
   * Defaults to 1.
   */
  readonly sizeRatioPercent: number;
  /** The fewest runs a size-ratio or run-count merge takes. An integer from 2 to 1000. Defaults to 2. */
  readonly minMergeWidth: number;
  /** The most runs a size-ratio or run-count merge takes. An integer from minMergeWidth to 1000. Defaults to 32. */
  readonly maxMergeWidth: number;
  /** The most sorted runs before the run-count trigger merges some. An integer from 1 to 1000. Defaults to 8. */
  readonly maxRuns: number;
  /**
   * Output tables are cut at the first user-key boundary past this many
   * bytes. An integer from 1 KiB to 4 GiB, or undefined for the default:
   * 8 × memtableSize (32 MiB with the default memtable).
   */
  readonly targetFileSize: number | undefined;
}

/** The options a user may pass for the tiered strategy: every field optional. */
export type TieredPickerOptions = Readonly<Partial<TieredOptions>>;

/** The defaults of the tiered strategy. */
export const DEFAULT_TIERED_OPTIONS: TieredOptions = {
  maxSpaceAmplificationPercent: 200,
  sizeRatioPercent: 1,
  minMergeWidth: 2,
  maxMergeWidth: 32,
  maxRuns: 8,
  targetFileSize: undefined,
};

/** The default target file size is this many memtables. */
export const TARGET_FILE_SIZE_IN_MEMTABLES = 8;

const INTEGER_RANGES = {
  maxSpaceAmplificationPercent: [1, 1_000_000],
  sizeRatioPercent: [0, 10_000],
  minMergeWidth: [2, 1000],
  maxMergeWidth: [2, 1000],
  maxRuns: [1, 1000],
  targetFileSize: [1024, 4 * 1024 ** 3],
} as const satisfies Record<keyof TieredOptions, readonly [number, number]>;

/**
 * Returns true, with the number of newest runs to merge (all of them), iff
 * the runs above the oldest hold more than `maxSpaceAmplificationPercent`
 * percent of the oldest run's bytes; undefined otherwise (and for fewer than two runs).
 */
export function spaceAmplificationTrigger(runs: readonly SortedRun[], options: TieredOptions): number | undefined {
  // #region task 8.2: compare the bytes above the oldest run with the oldest run's, in percent
  if (runs.length < 2) return undefined;
  const oldest = runs[runs.length - 1]!.bytes;
  let above = 0;
  for (let i = 0; i < runs.length - 1; i++) above += runs[i]!.bytes;
  // Multiplied out, so a tiny oldest run needs no division.
  return above * 100 > options.maxSpaceAmplificationPercent * oldest ? runs.length : undefined;
  // #endregion
}

/**
 * Returns how many of the newest runs the size-ratio trigger merges, or
 * undefined if it does not fire: starting from the newest run, the next
 * older run joins while its bytes are at most (bytes taken so far) ×
 * (100 + sizeRatioPercent) / 100, up to `maxMergeWidth` runs; the trigger
 * fires iff at least `minMergeWidth` runs joined.
 */
export function sizeRatioTrigger(runs: readonly SortedRun[], options: TieredOptions): number | undefined {
  // #region task 8.3: grow the candidate from the newest run while the next run is not bigger than the sum so far (within the ratio)
  if (runs.length === 0) return undefined;
  let count = 1;
  let sum = runs[0]!.bytes;
  while (count < runs.length && count < options.maxMergeWidth) {
    const next = runs[count]!.bytes;
    if (next * 100 > sum * (100 + options.sizeRatioPercent)) break;
    sum += next;
    count++;
  }
  return count >= options.minMergeWidth ? count : undefined;
  // #endregion
}

/**
 * Returns how many of the newest runs the run-count trigger merges, or
 * undefined if there are at most `maxRuns` runs: enough to come back to
 * `maxRuns` (count - maxRuns + 1), at least `minMergeWidth`, at most
 * `maxMergeWidth` and at most every run.
 */
export function runCountTrigger(runs: readonly SortedRun[], options: TieredOptions): number | undefined {
  // #region task 8.4: too many runs? merge enough of the newest to come back to maxRuns, within the width limits
  if (runs.length <= options.maxRuns) return undefined;
  const needed = Math.max(runs.length - options.maxRuns + 1, options.minMergeWidth);
  return Math.min(needed, options.maxMergeWidth, runs.length);
  // #endregion
}

/** Where a merge of the newest runs writes, and how many runs it must take for that. */
export interface OutputSlot {
  /** The number of newest runs merged: the count asked for, or more. */
  readonly count: number;
  /** The level the output goes to (1..6). */
  readonly level: number;
}

/**
 * Returns the output level of a merge of the newest `count` runs: the level
 * just above the next older run not merged, or the bottom level (6) when
 * every run is merged. When the next older run is a level-0 table or level
 * 1 (no level >= 1 above it), the merge takes it too, and looks again.
 * REQUIRES: 1 <= count <= runs.length.
 */
export function outputSlot(runs: readonly SortedRun[], count: number): OutputSlot {
  // #region task 8.5: find the next older run not merged; no free level above it (level 0 or 1)? take it too
  let n = count;
  while (n < runs.length && runs[n]!.level <= 1) n++;
  return n === runs.length ? { count: n, level: BOTTOM_LEVEL } : { count: n, level: runs[n]!.level - 1 };
  // #endregion
}

/** The tiered strategy; see the file comment. */
export class TieredPicker implements CompactionPicker {
  readonly name = 'tiered';
  /** The options in force, defaults filled in. */
  readonly options: TieredOptions;

  /**
   * @throws InvalidArgumentError for an unknown option, or a value out of
   *   its range (named with the range), or maxMergeWidth < minMergeWidth.
   */
  constructor(options: TieredPickerOptions = {}) {
    this.options = resolveTieredOptions(options);
  }

  pick(version: Version, context: PickContext): CompactionPlan | undefined {
    const runs = sortedRuns(version);
    const triggers: [CompactionReason, (runs: readonly SortedRun[], options: TieredOptions) => number | undefined][] = [
      ['space-amplification', spaceAmplificationTrigger],
      ['size-ratio', sizeRatioTrigger],
      ['run-count', runCountTrigger],
    ];
    for (const [reason, trigger] of triggers) {
      const count = trigger(runs, this.options);
      if (count !== undefined) return this.plan(runs, count, reason, context);
    }
    return undefined;
  }

  /**
   * Merges every run (level undefined), or every run at `level` and above
   * it (level 0: the level-0 tables), by the output-level rule. Returns
   * undefined when there is nothing to merge: no run at `level`, or the whole
   * tree is already one run in the bottom level without tombstones.
   * REQUIRES: level is undefined or an integer from 0 to 6.
   */
  pickManual(version: Version, level: number | undefined, context: PickContext): CompactionPlan | undefined {
    const runs = sortedRuns(version);
    if (level !== undefined && !runs.some((run) => run.level === level)) return undefined;
    const count = level === undefined ? runs.length : runs.filter((run) => run.level <= level).length;
    if (count === 0) return undefined;
    const only = runs[0]!;
    if (runs.length === 1 && only.level === BOTTOM_LEVEL && only.files.every((file) => file.tombstoneCount === 0)) {
      return undefined;
    }
    return this.plan(runs, count, 'manual', context);
  }

  /** Returns the bytes of the tables the next due merge would rewrite (0 when none is due). */
  pendingBytes(version: Version, context: PickContext): number {
    const plan = this.pick(version, context);
    let bytes = 0;
    for (const input of plan?.inputs ?? []) for (const file of input.files) bytes += file.size;
    return bytes;
  }

  /**
   * Turns "merge the newest `count` runs" into a plan: the output slot
   * (which may take more runs), the inputs grouped by level (level 0 first,
   * newest table first), bottommost iff the oldest run is merged. Returns
   * undefined if one of the tables is already being compacted.
   */
  private plan(runs: readonly SortedRun[], count: number, reason: CompactionReason, context: PickContext): CompactionPlan | undefined {
    const slot = outputSlot(runs, count);
    const merged = runs.slice(0, slot.count);
    if (merged.some((run) => run.files.some((file) => context.isBeingCompacted(file.number)))) return undefined;
    const inputs: CompactionInput[] = [];
    for (const run of merged) {
      const last = inputs[inputs.length - 1];
      if (last !== undefined && last.level === run.level) inputs[inputs.length - 1] = { level: run.level, files: [...last.files, ...run.files] };
      else inputs.push({ level: run.level, files: run.files });
    }
    const bottommost = slot.count === runs.length;
    const single = merged.length === 1 && merged[0]!.files.length === 1;
    return {
      reason,
      inputs,
      outputLevel: slot.level,
      bottommost,
      targetFileSize: this.options.targetFileSize ?? TARGET_FILE_SIZE_IN_MEMTABLES * context.memtableSize,
      // One table moving up the tree needs no rewrite; into the bottom level it is rewritten, to drop what it can.
      trivialMove: single && !bottommost,
    };
  }
}

/**
 * Returns `options` with the defaults filled in, after checking them.
 * @throws InvalidArgumentError as the TieredPicker constructor documents.
 */
export function resolveTieredOptions(options: TieredPickerOptions): TieredOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`the tiered compaction options must be an object, got ${String(options)}`);
  }
  const resolved: Record<string, number | undefined> = { ...DEFAULT_TIERED_OPTIONS };
  for (const [name, value] of Object.entries(options) as [string, unknown][]) {
    if (name === 'strategy') continue; // The engine passes its whole `compaction` option.
    const range = (INTEGER_RANGES as Record<string, readonly [number, number]>)[name];
    if (range === undefined) {
      throw new InvalidArgumentError(
        `unknown tiered compaction option '${name}'; the options are: ${Object.keys(INTEGER_RANGES).join(', ')}`,
      );
    }
    if (value === undefined) continue;
    const [min, max] = range;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`tiered compaction option ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
    resolved[name] = value;
  }
  const result = resolved as unknown as TieredOptions;
  if (result.maxMergeWidth < result.minMergeWidth) {
    throw new InvalidArgumentError(
      `tiered compaction option maxMergeWidth (${result.maxMergeWidth}) must be at least minMergeWidth (${result.minMergeWidth})`,
    );
  }
  return result;
}
