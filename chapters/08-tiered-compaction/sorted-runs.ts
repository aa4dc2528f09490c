/**
 * Sorted runs: the unit tiered compaction thinks in.
 *
 * A sorted run is a set of tables that together hold each user key at most
 * once per key range: one sorted sequence of entries cut into files. A read
 * looks at most at one table per run, so the number of runs is the read
 * cost, and merging runs is what compaction does.
 *
 * In a Version (chapter 7) the runs are, newest first:
 *
 *     level 0:  000031.sst   000027.sst   000022.sst      each level-0 table is a run of its own
 *               (run 0)      (run 1)      (run 2)         (their key ranges overlap)
 *     level 1:  (empty: not a run)
 *     level 2:  [a..f] [g..p] [q..z]                      one run: disjoint files
 *     ...
 *     level 6:  [a..m] [n..z]                             the oldest run
 *
 * Tiered compaction keeps the age order by level: a higher level number
 * always holds older data than a lower one. So "newest first" is level 0
 * (newest table first), then levels 1..6 in order.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import { NUM_LEVELS } from '#engine/manifest-format.ts';
import type { Version } from '#engine/version.ts';

/** One sorted run of a version. */
export interface SortedRun {
  /** The level the run lives in; several runs may have level 0. */
  readonly level: number;
  /** Its tables: one for a level-0 run, the whole level (in key order) otherwise. */
  readonly files: readonly FileMetadata[];
  /** The total size of its tables, in bytes. */
  readonly bytes: number;
}

/** The deepest level: where a merge that includes the oldest run writes its output. */
export const BOTTOM_LEVEL = NUM_LEVELS - 1;

/**
 * Returns the sorted runs of `version`, newest first: each level-0 table as
 * a run of its own (newest first, as level 0 is ordered), then each
 * non-empty level from 1 to 6 as one run. Empty levels are not runs.
 */
export function sortedRuns(version: Version): SortedRun[] {
  const runs: SortedRun[] = [];
  // TODO(task 8.1): one run per level-0 table (newest first), then one run per non-empty level 1..6
  throw new NotImplementedError("task 8.1 in chapters/08-tiered-compaction/sorted-runs.ts: one run per level-0 table (newest first), then one run per non-empty level 1..6");
  return runs;
}

/** Returns the total size of `runs`, in bytes. */
export function runBytes(runs: readonly SortedRun[]): number {
  let bytes = 0;
  for (const run of runs) bytes += run.bytes;
  return bytes;
}

/** Formats runs for messages and the lessons: `L0:100 L0:90 L3:400`. */
export function formatRuns(runs: readonly SortedRun[]): string {
  return runs.map((run) => `L${run.level}:${run.bytes}`).join(' ');
}
