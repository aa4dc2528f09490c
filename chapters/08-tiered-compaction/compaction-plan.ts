/**
 * A compaction plan: which tables to merge, and where the result goes.
 * Strategies (tiered in this chapter, leveled in chapter 9) only decide;
 * they return a plan and never touch a file. The engine's compaction job
 * carries a plan out in bounded slices, so the two can be read, tested and
 * swapped separately.
 */

import type { FileMetadata } from '#engine/file-metadata.ts';
import type { Version } from '#engine/version.ts';

/**
 * Why a compaction runs. Shown in metrics (compactions by reason), in the
 * event log and the visualiser.
 */
export type CompactionReason =
  /** Tiered: the bytes above the oldest run exceed the space-amplification limit. */
  | 'space-amplification'
  /** Tiered: several runs of similar size (within the size ratio). */
  | 'size-ratio'
  /** Tiered: more sorted runs than allowed. */
  | 'run-count'
  /** Leveled: level 0 holds too many files. */
  | 'level0-files'
  /** Leveled: a level holds more bytes than its target. */
  | 'level-size'
  /** `db.compact(level?)` asked for it. */
  | 'manual';

/** The tables taken from one level. */
export interface CompactionInput {
  readonly level: number;
  readonly files: readonly FileMetadata[];
}

export interface CompactionPlan {
  readonly reason: CompactionReason;
  /** The input tables, grouped by level, newest level first (level 0 first). */
  readonly inputs: readonly CompactionInput[];
  /** The level the output tables go to. */
  readonly outputLevel: number;
  /**
   * True iff no level below `outputLevel` can hold any key in the inputs'
   * range: then a tombstone that every snapshot can see hides nothing and is
   * dropped, with every older version of its key.
   */
  readonly bottommost: boolean;
  /** Output tables are cut at a user-key boundary once they reach this many bytes. */
  readonly targetFileSize: number;
  /**
   * True iff the plan is a trivial move: one input table, nothing to merge
   * with, so it changes level by a MANIFEST edit alone, without rewriting.
   */
  readonly trivialMove: boolean;
}

/** What a strategy may know besides the version. */
export interface PickContext {
  /** Bytes the memtable holds before it is flushed (level sizes are scaled from it). */
  readonly memtableSize: number;
  /** Returns true iff the file is already an input of a running compaction. */
  isBeingCompacted(fileNumber: number): boolean;
}

/** A compaction strategy: looks at a version and proposes the most urgent compaction. */
export interface CompactionPicker {
  /** "tiered" or "leveled", as given to `setCompaction({ strategy })`. */
  readonly name: 'tiered' | 'leveled';
  /** Returns the most urgent compaction for `version`, or undefined if none is due. */
  pick(version: Version, context: PickContext): CompactionPlan | undefined;
  /**
   * Returns a plan that compacts `level` (or the whole tree when undefined) into
   * its target shape, for `db.compact(level?)`; undefined if there is nothing to do.
   */
  pickManual(version: Version, level: number | undefined, context: PickContext): CompactionPlan | undefined;
  /**
   * Estimates the bytes compaction must still rewrite before the tree is in
   * shape: the "compaction debt" reported as pending compaction bytes, which
   * drives pacing and backpressure.
   */
  pendingBytes(version: Version, context: PickContext): number;
}
