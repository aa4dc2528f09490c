/**
 * Helpers for chapter 9's engine tests: an engine with leveled compaction
 * on an in-memory disk, tuned so that a few thousand small writes make a
 * tree of several levels; the durable version read back from the MANIFEST;
 * and checks of a version's shape.
 */

import { compareBytes, fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { joinPath } from '#toolkit/path.ts';
import type { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { formatFileMetadata, largestUserKey, smallestUserKey } from '#engine/file-metadata.ts';
import { CURRENT_FILE } from '#engine/file-names.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import { readManifest } from '#engine/manifest-log.ts';
import { NUM_LEVELS } from '#engine/manifest-format.ts';
import type { LsmOptions } from '#engine/options.ts';
import { decodeVersionEdit } from '#engine/version-edit.ts';
import { Version } from '#engine/version.ts';

/** The database directory on the in-memory disk. */
export const DIR = '/db';

/** The leveled options of these tests: small tables, ratio 3, so a few thousand writes fill several levels. */
export const LEVELED = {
  strategy: 'leveled',
  l0CompactionTrigger: 2,
  levelSizeRatio: 3,
  baseLevelSize: 2048,
  targetFileSize: 1024,
} as const;

/** Engine options: 1 KiB memtables and 128-byte blocks, leveled compaction driven only by the test (pacing 0). */
export const OPTIONS: LsmOptions = {
  memtableSize: 1024,
  blockSize: 128,
  compaction: LEVELED,
  compactionPacing: 0,
};

/** Opens (or creates) the database in DIR on `fs`. */
export function openOn(fs: MemoryFileSystem, options: LsmOptions = {}): LsmTree {
  return LsmTree.open(DIR, { fileSystem: fs, ...OPTIONS, ...options });
}

/** Every key-value pair in the database, in key order, as text. */
export function contents(db: LsmTree, snapshot?: ReturnType<LsmTree['snapshot']>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of db.iterator(snapshot === undefined ? {} : { snapshot })) out.push([fromUtf8(k), fromUtf8(v)]);
  return out;
}

/** A model's contents in key order, comparable with `contents`. */
export function sorted(model: ReadonlyMap<string, string>): [string, string][] {
  return [...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Returns a value of `length` bytes that names `key` and `version`, so a wrong version shows in a failure. */
export function valueFor(key: string, version: number, length = 40): string {
  return `${key}=v${version}:`.padEnd(length, '.');
}

/**
 * Returns the version the MANIFEST holds now, replayed edit by edit. The
 * engine makes an edit durable before it is current, so between calls this
 * is the current version. `Version.apply` throws if an edit ever made two
 * tables of a level >= 1 overlap.
 */
export function durableVersion(fs: MemoryFileSystem): Version {
  const current = fromUtf8(fs.readFile(joinPath(DIR, CURRENT_FILE))).trim();
  const { records } = readManifest(fs, joinPath(DIR, current));
  let version = Version.EMPTY;
  for (const { payload } of records) version = version.apply(decodeVersionEdit(payload));
  return version;
}

/** Returns a description of the first two overlapping tables of a level >= 1, or undefined if every such level is one sorted run. */
export function overlapIn(version: Version): string | undefined {
  for (let level = 1; level < NUM_LEVELS; level++) {
    const files = version.files(level);
    for (let i = 1; i < files.length; i++) {
      if (compareBytes(largestUserKey(files[i - 1]!), smallestUserKey(files[i]!)) >= 0) {
        return `L${level}: ${formatFileMetadata(files[i - 1]!)} overlaps ${formatFileMetadata(files[i]!)}`;
      }
    }
  }
  return undefined;
}

/** Total tombstones in the tables of `version`. */
export function tombstones(version: Version): number {
  let n = 0;
  for (const files of version.levels) for (const file of files) n += file.tombstoneCount;
  return n;
}

/**
 * The dynamic level targets, computed here independently of the code under
 * test: the bottom target is the biggest level's size, each level above is
 * the one below divided by the ratio (rounded down) while it stays at least
 * baseLevelSize.
 */
export function expectedTargets(version: Version, ratio: number, baseLevelSize: number): { baseLevel: number; targets: number[] } {
  const bottom = NUM_LEVELS - 1;
  const targets = new Array<number>(NUM_LEVELS).fill(0);
  let biggest = 0;
  for (let level = 1; level < NUM_LEVELS; level++) biggest = Math.max(biggest, version.levelBytes(level));
  targets[bottom] = biggest;
  let baseLevel = bottom;
  for (let level = bottom - 1; level >= 1; level--) {
    const target = Math.floor(targets[level + 1]! / ratio);
    if (target < baseLevelSize) break;
    targets[level] = target;
    baseLevel = level;
  }
  return { baseLevel, targets };
}

/** The leveled options a shape is checked against. */
export interface LeveledShape {
  readonly l0CompactionTrigger: number;
  readonly levelSizeRatio: number;
  readonly baseLevelSize: number;
}

/** Returns why `version` is not within the leveled targets of `options` (or undefined if it is). */
export function outOfShape(version: Version, options: LeveledShape = LEVELED): string | undefined {
  const { baseLevel, targets } = expectedTargets(version, options.levelSizeRatio, options.baseLevelSize);
  if (version.files(0).length >= options.l0CompactionTrigger) {
    return `level 0 holds ${version.files(0).length} tables; the trigger is ${options.l0CompactionTrigger}`;
  }
  for (let level = 1; level < NUM_LEVELS - 1; level++) {
    const bytes = version.levelBytes(level);
    if (level < baseLevel && bytes > 0) return `L${level} is above the base level L${baseLevel} and should be empty, but holds ${bytes} bytes`;
    if (level >= baseLevel && bytes >= targets[level]!) return `L${level} holds ${bytes} bytes, over its target ${targets[level]}`;
  }
  return undefined;
}

export { fromUtf8, utf8 };
