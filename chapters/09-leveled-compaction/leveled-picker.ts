/**
 * The leveled picker (LevelDB, RocksDB): decides which tables to compact
 * next so that every level stays within its target, and level 0 stays short.
 *
 *     L0:  [a......k] [c....m] [b.....z]        files overlap; counted, not sized
 *     L4:  [a..c][d..f][g..k][l..p][q..z]       the base level: L0 compacts here
 *     L5:  [a.b][c.d][e.f]...                   one sorted run per level, each
 *     L6:  [a][b][c][d][e][f][g]...             ~ratio times the one above
 *
 * Each call to `pick` scores the levels and compacts the most urgent one:
 *
 * - level 0 scores files / l0CompactionTrigger: every flush adds a file
 *   that a point lookup may have to probe, so the count is what hurts;
 * - a level from the base level down scores bytes / target (level-targets.ts);
 * - a level above the base level should be empty: it scores at least 1 as
 *   long as it holds anything, so its data drains down;
 * - the bottom level has no level below it and is never a source.
 *
 * A score >= 1 means "due". The plan for level 0 takes the oldest level-0
 * file, every level-0 file that overlaps it (and those they overlap, ...),
 * and every file of the output level in their key range. The plan for a
 * level n >= 1 takes ONE file, chosen round-robin (see `pointers`), and the
 * files of the output level that overlap it. Such a plan rewrites about
 * 1 + ratio files' worth of bytes to move one file's worth down: leveled
 * compaction's write amplification.
 *
 * Invariants:
 * 1. `pick`, `pickManual` and `pendingBytes` never touch a file: they read
 *    the version and return a plan (or a number).
 * 2. A plan's inputs never include a file that `context.isBeingCompacted`
 *    reports, in the input level or in the output level.
 * 3. A plan keeps newer data above older data: level-0 inputs are closed
 *    under overlap (no level-0 file that overlaps an input stays behind),
 *    and the output level is never below a non-empty level that the data
 *    would jump over (level-targets.ts, `outputLevelOf`).
 * 4. `pointers[n]` is undefined or the largest user key of the last file a
 *    plan took out of level n; it lives in memory only (after a restart
 *    the round-robin starts again from the first file, which is harmless).
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { compareBytes, copyBytes } from '#toolkit/bytes.ts';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { largestUserKey, smallestUserKey, type FileMetadata } from '#engine/file-metadata.ts';
import { NUM_LEVELS } from '#engine/manifest-format.ts';
import type { Version } from '#engine/version.ts';
import type { CompactionInput, CompactionPicker, CompactionPlan, CompactionReason, PickContext } from '#tiered/compaction-plan.ts';
import { BOTTOM_LEVEL, computeLevelTargets, levelSizes, outputLevelOf, type LevelTargets } from './level-targets.ts';

const KiB = 1024;
const GiB = 1024 * 1024 * KiB;
const TiB = 1024 * GiB;

/** The picker's settings, every default filled in. */
export interface LeveledPickerSettings {
  /** Level-0 files that make level 0 due for compaction (score 1). */
  readonly l0CompactionTrigger: number;
  /** How many times bigger each level is than the one above it. */
  readonly levelSizeRatio: number;
  /** The smallest target a level may have; smaller levels are left empty (level-targets.ts). */
  readonly baseLevelSize: number;
  /** Output tables are cut at a user-key boundary once they reach this many bytes. */
  readonly targetFileSize: number;
}

/**
 * The options of the leveled strategy, as given to
 * `setCompaction({ strategy: 'leveled', ... })` or `open(dir, { compaction })`.
 */
export interface LeveledPickerOptions {
  /** Level-0 files that make level 0 due for compaction. An integer from 1 to 1000. Defaults to 4. */
  readonly l0CompactionTrigger?: number;
  /** Each level's target is this many times the one above it. A number from 2 to 1000. Defaults to 10. */
  readonly levelSizeRatio?: number;
  /**
   * The smallest level target, in bytes: the base level holds at least this
   * much before a level above it is used. An integer from 1 KiB to 1 TiB.
   * Defaults to l0CompactionTrigger × memtableSize (what level 0 holds when
   * it is compacted, so a level-0 compaction rewrites a base level of about
   * its own size).
   */
  readonly baseLevelSize?: number;
  /**
   * Bytes of each output table. An integer from 1 KiB to 1 GiB. Defaults to
   * 2 × memtableSize: big enough to keep the table count low, small enough
   * that one file out of a level is a small step.
   */
  readonly targetFileSize?: number;
}

/** Allowed ranges of the options, for checking and for the messages. */
const OPTION_RANGES = {
  l0CompactionTrigger: { min: 1, max: 1000, integer: true, text: 'an integer from 1 to 1000' },
  levelSizeRatio: { min: 2, max: 1000, integer: false, text: 'a number from 2 to 1000' },
  baseLevelSize: { min: KiB, max: TiB, integer: true, text: 'an integer from 1024 (1 KiB) to 1099511627776 (1 TiB) bytes' },
  targetFileSize: { min: KiB, max: GiB, integer: true, text: 'an integer from 1024 (1 KiB) to 1073741824 (1 GiB) bytes' },
} as const;

/** The defaults that do not depend on the memtable size. */
export const LEVELED_DEFAULTS = { l0CompactionTrigger: 4, levelSizeRatio: 10 } as const;

/** How urgent one level's compaction is: >= 1 means due. */
export interface LevelScore {
  readonly level: number;
  readonly score: number;
}

/**
 * A PickContext that may also say which sequence every reader can see.
 * With it, `pickManual` also rewrites bottom-level tables whose tombstones
 * no reader needs any more (left there while a snapshot pinned them).
 */
export interface LeveledPickContext extends PickContext {
  /** The oldest live snapshot's sequence, or the last sequence written when there is none. */
  readonly smallestSnapshotSequence?: number;
}

/** The leveled compaction strategy's decisions; see the file comment. */
export class LeveledPicker implements CompactionPicker {
  readonly name = 'leveled';
  /** The options as given (validated); defaults that depend on the memtable size are filled in by `settings`. */
  readonly options: LeveledPickerOptions;
  /** Per level: the largest user key of the last file taken from it (invariant 4). */
  private readonly pointers: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(NUM_LEVELS).fill(undefined);

  /**
   * Makes a picker with `options` (see LeveledPickerOptions for defaults).
   * @throws InvalidArgumentError naming the option, the value and the
   *   allowed range, for a bad value or an unknown option name.
   */
  constructor(options: LeveledPickerOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`leveled compaction options must be an object, got ${String(options)}`);
    }
    for (const [name, value] of Object.entries(options)) {
      if (name === 'strategy') continue; // setCompaction({ strategy: 'leveled', ... }) may pass it along.
      const range = OPTION_RANGES[name as keyof typeof OPTION_RANGES] as (typeof OPTION_RANGES)[keyof typeof OPTION_RANGES] | undefined;
      if (range === undefined) {
        throw new InvalidArgumentError(`unknown leveled compaction option '${name}'; the options are: ${Object.keys(OPTION_RANGES).join(', ')}`);
      }
      if (value === undefined) continue;
      const ok = typeof value === 'number' && Number.isFinite(value) && value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value));
      if (!ok) throw new InvalidArgumentError(`${name} must be ${range.text}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
    }
    const { l0CompactionTrigger, levelSizeRatio, baseLevelSize, targetFileSize } = options;
    this.options = { l0CompactionTrigger, levelSizeRatio, baseLevelSize, targetFileSize };
  }

  /** Returns the settings in force for a memtable of `context.memtableSize` bytes. */
  settings(context: PickContext): LeveledPickerSettings {
    const l0CompactionTrigger = this.options.l0CompactionTrigger ?? LEVELED_DEFAULTS.l0CompactionTrigger;
    return {
      l0CompactionTrigger,
      levelSizeRatio: this.options.levelSizeRatio ?? LEVELED_DEFAULTS.levelSizeRatio,
      baseLevelSize: this.options.baseLevelSize ?? Math.max(KiB, l0CompactionTrigger * context.memtableSize),
      targetFileSize: this.options.targetFileSize ?? Math.max(KiB, 2 * context.memtableSize),
    };
  }

  /** Returns the dynamic targets of `version`'s levels and its base level (level-targets.ts). */
  targets(version: Version, context: PickContext): LevelTargets {
    const { levelSizeRatio, baseLevelSize } = this.settings(context);
    return computeLevelTargets(levelSizes(version), levelSizeRatio, baseLevelSize);
  }

  /**
   * Returns the score of every level that can be compacted (0 to
   * BOTTOM_LEVEL - 1), most urgent first (ties: the lower level first).
   * Files being compacted are not counted: their work is under way.
   * - level 0: files / l0CompactionTrigger;
   * - a level above the base level: 0 when empty, else bytes / baseLevelSize
   *   but at least 1 (it should be empty: drain it);
   * - any other level: bytes / its target.
   */
  scores(version: Version, context: PickContext, targets: LevelTargets = this.targets(version, context)): LevelScore[] {
    // TODO(task 9.2): score every level but the bottom one, then sort: highest score first, ties by level
    throw new NotImplementedError("task 9.2 in chapters/09-leveled-compaction/leveled-picker.ts: score every level but the bottom one, then sort: highest score first, ties by level");
  }

  /** Returns the most urgent compaction for `version`, or undefined if no level scores 1 or more. */
  pick(version: Version, context: PickContext): CompactionPlan | undefined {
    const targets = this.targets(version, context);
    // TODO(task 9.2): try the levels in score order while the score is >= 1; the first level that yields a plan wins
    throw new NotImplementedError("task 9.2 in chapters/09-leveled-compaction/leveled-picker.ts: try the levels in score order while the score is >= 1; the first level that yields a plan wins");
  }

  /**
   * Returns a plan that compacts `level` (or, when undefined, the whole tree)
   * into shape, for `db.compact(level?)`, or undefined when there is
   * nothing left to do. The engine calls it until it returns undefined.
   *
   * - The whole tree: while more than one level holds tables, ONE plan
   *   merges every table into the bottom level (writing each byte once,
   *   rather than once per level); a single sorted run above an empty bottom
   *   level moves down one file per plan (trivial moves, except for a table
   *   whose tombstones it could drop: that one is rewritten); level 0 alone
   *   is merged into the bottom level. Then, if the context says which sequence
   *   every reader can see, each bottom table whose tombstones all lie at or
   *   below it is rewritten alone, dropping them.
   * - Level 0: every level-0 table (and the overlapping ones of the level
   *   below) into the next level.
   * - A level n >= 1 above the bottom: every table of n, and the overlapping
   *   ones of the level below, into it. The bottom level: as for the whole tree.
   *
   * Returns undefined if a running compaction holds a table the plan needs.
   */
  pickManual(version: Version, level: number | undefined, context: LeveledPickContext): CompactionPlan | undefined {
    const targets = this.targets(version, context);
    const busy = (files: readonly FileMetadata[]): boolean => files.some((f) => context.isBeingCompacted(f.number));
    if (level === undefined) {
      const inputs: CompactionInput[] = version.levels
        .map((files, n) => ({ level: n, files }))
        .filter(({ files }) => files.length > 0);
      if (inputs.length === 0) return undefined;
      if (inputs.some((input) => busy(input.files))) return undefined;
      const only = inputs[0]!;
      if (inputs.length === 1 && only.level === BOTTOM_LEVEL) return this.pickBottomRewrite(version, BOTTOM_LEVEL, context);
      // One sorted run above an empty bottom moves down file by file, without rewriting.
      const plan =
        inputs.length === 1 && only.level > 0
          ? this.makePlan(version, context, 'manual', [{ level: only.level, files: [only.files[0]!] }], BOTTOM_LEVEL)
          : this.makePlan(version, context, 'manual', inputs, BOTTOM_LEVEL);
      // Unless the moved table holds tombstones it could drop on the way: then rewrite it.
      const moved = plan.inputs[0]!.files[0]!;
      return plan.trivialMove && droppableTombstones(moved, context) ? { ...plan, trivialMove: false } : plan;
    }
    if (!Number.isInteger(level) || level < 0 || level >= NUM_LEVELS) {
      throw new InvalidArgumentError(`level must be an integer from 0 to ${NUM_LEVELS - 1}, got ${String(level)}`);
    }
    if (level === BOTTOM_LEVEL) return this.pickBottomRewrite(version, level, context);
    const files = version.files(level);
    if (files.length === 0) return undefined;
    const output = outputLevelOf(level, version, targets.baseLevel);
    if (level === 0) return this.pickLevel0(version, context, output, 'manual');
    const [smallest, largest] = userKeyRange(files);
    const below = version.overlappingFiles(output, smallest, largest);
    const inputs: CompactionInput[] = [{ level, files }];
    if (below.length > 0) inputs.push({ level: output, files: below });
    if (inputs.some((input) => busy(input.files))) return undefined;
    return this.makePlan(version, context, 'manual', inputs, output);
  }

  /**
   * Estimates the bytes compaction must still write before no level is due
   * (RocksDB's "estimated pending compaction bytes"):
   * - level 0, when due: its bytes plus its output level's bytes;
   * - each level n >= 1 above the bottom, with what the levels above push
   *   into it counted in: its excess over its target (all of it above the
   *   base level), times (1 + bytes of the output level / bytes of level n),
   *   since each byte moved down is merged with its share of the level
   *   below. The excess is then pushed into the output level.
   */
  pendingBytes(version: Version, context: PickContext): number {
    const { l0CompactionTrigger } = this.settings(context);
    const { baseLevel, targets } = this.targets(version, context);
    const sizes = levelSizes(version);
    /** Bytes the levels above will push into each level before it is in shape. */
    const incoming = new Array<number>(NUM_LEVELS).fill(0);
    let pending = 0;
    if (version.files(0).length >= l0CompactionTrigger) {
      const output = outputLevelOf(0, version, baseLevel);
      pending += sizes[0]! + sizes[output]!;
      incoming[output] = incoming[output]! + sizes[0]!;
    }
    for (let level = 1; level < BOTTOM_LEVEL; level++) {
      const size = sizes[level]! + incoming[level]!;
      const target = level < baseLevel ? 0 : targets[level]!;
      if (size <= target) continue;
      const excess = size - target;
      const output = outputLevelOf(level, version, baseLevel);
      pending += excess * (1 + sizes[output]! / size);
      incoming[output] = incoming[output]! + excess;
    }
    return Math.round(pending);
  }

  // ---- choosing the inputs ----

  /**
   * Returns the plan that takes level 0 into `output`: the oldest idle
   * level-0 file, every level-0 file that overlaps the inputs' range (which
   * grows as files join), and the files of `output` in that range; or
   * undefined when level 0 is empty or one of those files is busy.
   */
  private pickLevel0(version: Version, context: PickContext, output: number, reason: CompactionReason): CompactionPlan | undefined {
    // TODO(task 9.4): start from the oldest level-0 file; add overlapping level-0 files until the range stops growing; then the output level's overlaps
    throw new NotImplementedError("task 9.4 in chapters/09-leveled-compaction/leveled-picker.ts: start from the oldest level-0 file; add overlapping level-0 files until the range stops growing; then the output level's overlaps");
  }

  /**
   * Returns the plan that moves one file of `level` (>= 1) into `output`:
   * the first idle file after the level's pointer (wrapping around to the
   * first file), with every file of `output` that overlaps it; a file whose
   * overlaps are busy is passed over. Moves the pointer to the chosen file.
   */
  private pickFromLevel(
    version: Version,
    level: number,
    context: PickContext,
    output: number,
    reason: CompactionReason,
  ): CompactionPlan | undefined {
    // TODO(task 9.3): round-robin from the file after the pointer (wrap around); take the output level's overlapping files; move the pointer
    throw new NotImplementedError("task 9.3 in chapters/09-leveled-compaction/leveled-picker.ts: round-robin from the file after the pointer (wrap around); take the output level's overlapping files; move the pointer");
  }

  /**
   * Returns a plan that rewrites, alone, the first table of `level` holding
   * tombstones that every reader can see (its largest sequence is at or
   * below context.smallestSnapshotSequence), so the rewrite drops them all;
   * undefined when there is none or the context does not say.
   */
  private pickBottomRewrite(version: Version, level: number, context: LeveledPickContext): CompactionPlan | undefined {
    const file = version.files(level).find((f) => droppableTombstones(f, context) && !context.isBeingCompacted(f.number));
    if (file === undefined) return undefined;
    const plan = this.makePlan(version, context, 'manual', [{ level, files: [file] }], level);
    // Rewritten in place: a "move" to its own level would drop nothing.
    return { ...plan, trivialMove: false };
  }

  /**
   * Completes a plan from its inputs: a trivial move iff there is exactly
   * one input file (so nothing to merge it with, in its own level or the
   * output level); bottommost iff no level below `outputLevel` holds a file
   * overlapping the user-key range of all the inputs together.
   * REQUIRES: `inputs` is non-empty, newest level first.
   */
  private makePlan(
    version: Version,
    context: PickContext,
    reason: CompactionReason,
    inputs: readonly CompactionInput[],
    outputLevel: number,
  ): CompactionPlan {
    const { targetFileSize } = this.settings(context);
    // TODO(task 9.5): trivial move = one input file in all; bottommost = nothing below the output level overlaps the inputs' user-key range
    throw new NotImplementedError("task 9.5 in chapters/09-leveled-compaction/leveled-picker.ts: trivial move = one input file in all; bottommost = nothing below the output level overlaps the inputs' user-key range");
  }
}

/**
 * Returns true iff `file` holds tombstones and every reader can see all of
 * its entries (its largest sequence is at or below the context's
 * smallestSnapshotSequence): a bottommost rewrite drops every one of them.
 * False when the context does not say.
 */
function droppableTombstones(file: FileMetadata, context: LeveledPickContext): boolean {
  const visibleToAll = context.smallestSnapshotSequence;
  return file.tombstoneCount > 0 && visibleToAll !== undefined && file.largestSequence <= visibleToAll;
}

/**
 * Returns the smallest and the largest user key of `files` together.
 * REQUIRES: files is non-empty.
 */
export function userKeyRange(files: readonly FileMetadata[]): [Uint8Array, Uint8Array] {
  let smallest = smallestUserKey(files[0]!);
  let largest = largestUserKey(files[0]!);
  for (const file of files) {
    if (compareBytes(smallestUserKey(file), smallest) < 0) smallest = smallestUserKey(file);
    if (compareBytes(largestUserKey(file), largest) > 0) largest = largestUserKey(file);
  }
  return [smallest, largest];
}
