/**
 * The three amplifications: what an LSM-tree costs, per byte the user asked for.
 *
 *     write amplification = bytes written to disk / bytes the user wrote
 *                         = (WAL + flushes + compaction outputs) / user bytes
 *     read amplification  = tables probed / gets          (per point lookup)
 *     space amplification = bytes of all tables / bytes of the live data
 *
 * No strategy minimises all three (the RUM conjecture: read, update, memory).
 * Leveled compaction rewrites each byte about `ratio` times per level to keep
 * one sorted run per level: high write amplification, space amplification
 * near 1.1, few tables per lookup. Tiered compaction rewrites each byte about
 * once per level, but keeps several runs that overlap: low write
 * amplification, more tables per lookup, space amplification up to 2 or more
 * while a big merge runs.
 *
 * These are pure functions of counters and sizes, so the engine's metrics,
 * the visualiser and the lesson compute them the same way.
 */

/** The byte counters that write amplification is computed from. */
export interface WriteCounters {
  /** Bytes of keys and values the user wrote. */
  readonly userBytes: number;
  /** Bytes appended to the write-ahead log. */
  readonly walBytes: number;
  /** Bytes of tables written by flushes. */
  readonly flushBytes: number;
  /** Bytes of tables written by compactions. */
  readonly compactionBytes: number;
}

/**
 * Returns (walBytes + flushBytes + compactionBytes) / userBytes: how many
 * bytes reached the disk per byte the user wrote; 0 before the first write.
 */
export function writeAmplification(counters: WriteCounters): number {
  // #region task 9.6: every byte written to disk, over the user's bytes; 0 when nothing was written
  const { userBytes, walBytes, flushBytes, compactionBytes } = counters;
  if (userBytes === 0) return 0;
  return (walBytes + flushBytes + compactionBytes) / userBytes;
  // #endregion
}

/** Returns tablesProbed / gets: the tables a point lookup asks, on average; 0 before the first get. */
export function readAmplification(tablesProbed: number, gets: number): number {
  // #region task 9.6: the average number of tables asked per get; 0 when there was no get
  return gets === 0 ? 0 : tablesProbed / gets;
  // #endregion
}

/**
 * Returns tableBytes / liveBytes: the disk the tables take per byte of live
 * data (the newest version of each key that is not deleted, as a table
 * would store it). 1 means no waste. An empty database (liveBytes 0) returns
 * 1 when it has no tables either, and Infinity when its tables hold only
 * garbage (deleted or overwritten data).
 */
export function spaceAmplification(tableBytes: number, liveBytes: number): number {
  // #region task 9.6: total over live; decide what an empty database returns
  if (liveBytes > 0) return tableBytes / liveBytes;
  return tableBytes === 0 ? 1 : Infinity;
  // #endregion
}

/**
 * Estimates space amplification from level sizes alone, without reading a
 * table: the total bytes over the bytes of the deepest non-empty level,
 * which approximates the live data once the tree is in shape (the levels
 * above mostly hold newer versions of the same keys). `levelBytes[n]` is the
 * size of level n. Returns 1 when every table is in one level (or there are
 * none): the estimate cannot see garbage inside a level.
 */
export function estimatedSpaceAmplification(levelBytes: readonly number[]): number {
  // #region task 9.6: sum every level; divide by the deepest level that holds anything
  let total = 0;
  let deepest = 0;
  for (const bytes of levelBytes) {
    total += bytes;
    if (bytes > 0) deepest = bytes;
  }
  return deepest === 0 ? 1 : total / deepest;
  // #endregion
}

/**
 * Returns the write amplification that compaction alone adds to a byte
 * when it travels from level 0 to the bottom of a tree with `levels` levels
 * below level 0 and a size ratio `ratio`, in the worst case:
 *
 * - leveled: each move from level n to n+1 merges the byte with up to
 *   `ratio` bytes of level n+1 already there, so each of the `levels` moves
 *   writes up to ratio + 1 bytes: levels × (ratio + 1);
 * - tiered: each byte is rewritten once per level, in a merge of runs of
 *   about the same size: levels.
 *
 * Add 2 for the WAL and the flush to compare with writeAmplification.
 * REQUIRES: levels >= 1, ratio >= 2.
 */
export function theoreticalWriteAmplification(strategy: 'leveled' | 'tiered', levels: number, ratio: number): number {
  // #region task 9.6: leveled merges with the level below at every move; tiered writes each byte once per level
  return strategy === 'leveled' ? levels * (ratio + 1) : levels;
  // #endregion
}
