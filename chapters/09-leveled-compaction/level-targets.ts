/**
 * Level targets: how many bytes each level of a leveled tree should hold,
 * and which level takes the flushes out of level 0 (the base level).
 *
 * Leveled compaction keeps every level n >= 1 about `levelSizeRatio` times
 * bigger than the level above it. The question is where to start counting.
 * LevelDB starts at the top: level 1 holds 10 MB, level 2 100 MB, and so
 * on down. With 2 GB of data, level 3 (1 GB) is never full, and level 4
 * holds whatever is left over: the bottom level is not 10 times the level
 * above it, and space amplification is far from the 1.1 the ratio promises.
 *
 * RocksDB's dynamic level sizes (`level_compaction_dynamic_level_bytes`)
 * start at the bottom instead, and this file does the same:
 *
 *     bottom (L6):  target = the size of the biggest level (in steady state, L6 itself)
 *     L5:           target = L6 target / ratio
 *     L4:           target = L5 target / ratio
 *     ...           until a target would fall below baseLevelSize:
 *                   that level and every level above it should be empty
 *
 *     Worked example (ratio 10, baseLevelSize 256 MB):
 *       L6 holds 30 GB  -> L6 30 GB, L5 3 GB, L4 300 MB, L3 30 MB < 256 MB
 *       base level = L4; L1, L2 and L3 stay empty; L0 compacts into L4.
 *
 * With the bottom level at its target, the levels above it hold at most
 * 1/10 + 1/100 + ... ≈ 11% of its size. If every key lives in the bottom
 * level, the tree takes at most about 1.11 times the bytes of its live
 * data: space amplification ≈ 1.1.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { NUM_LEVELS } from '#engine/manifest-format.ts';
import type { Version } from '#engine/version.ts';

/** The bottom level: the last one the MANIFEST allows. */
export const BOTTOM_LEVEL = NUM_LEVELS - 1;

/** The targets of every level, and the base level. */
export interface LevelTargets {
  /**
   * The level that level 0 compacts into: the first level whose target is
   * at least baseLevelSize, or the bottom level when the tree is small.
   */
  readonly baseLevel: number;
  /**
   * Target bytes of each level, indexed by level (NUM_LEVELS entries).
   * Level 0 has none (it is measured in files): 0. Every level above the
   * base level has 0: it should be empty. The bottom level's target is the
   * size of the biggest level.
   */
  readonly targets: readonly number[];
}

/**
 * Returns the dynamic level targets for a tree whose levels hold
 * `levelBytes[n]` bytes (n = 0 .. NUM_LEVELS - 1; level 0 is ignored).
 * Targets are whole bytes: each is the one below divided by `levelSizeRatio`,
 * rounded down.
 * REQUIRES: levelBytes.length === NUM_LEVELS; levelSizeRatio > 1; baseLevelSize >= 1.
 */
export function computeLevelTargets(levelBytes: readonly number[], levelSizeRatio: number, baseLevelSize: number): LevelTargets {
  // TODO(task 9.1): bottom target = the biggest level; divide by the ratio going up while the target stays >= baseLevelSize
  throw new NotImplementedError("task 9.1 in chapters/09-leveled-compaction/level-targets.ts: bottom target = the biggest level; divide by the ratio going up while the target stays >= baseLevelSize");
}

/** Returns the bytes of every level of `version`, level 0 first. */
export function levelSizes(version: Version): number[] {
  return Array.from({ length: NUM_LEVELS }, (_, level) => version.levelBytes(level));
}

/**
 * Returns the level that a compaction out of `level` writes into.
 *
 * From the base level down, that is simply the next level. Above the base
 * level (level 0, and levels that should be empty but still hold data, left
 * by the tiered strategy or by a shrinking tree), data skips the empty levels
 * and goes to the base level, but never past a non-empty level: that level
 * holds older versions of the same keys, and newer data must stay above
 * older data, or a read would find the old version first.
 * REQUIRES: 0 <= level < BOTTOM_LEVEL.
 */
export function outputLevelOf(level: number, version: Version, baseLevel: number): number {
  if (level >= baseLevel) return level + 1;
  for (let below = level + 1; below < baseLevel; below++) {
    if (version.files(below).length > 0) return below;
  }
  return baseLevel;
}
