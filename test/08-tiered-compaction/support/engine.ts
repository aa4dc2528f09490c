/**
 * Helpers for chapter 8's engine tests: opening an engine with tiered
 * compaction on an in-memory disk, reading its contents as text, and
 * reading its current version from the MANIFEST (what the disk says, the
 * way the next open would see it) to check the tree's shape.
 */

import { fromUtf8 } from '#toolkit/bytes.ts';
import type { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { FileKind, parseFileName } from '#engine/file-names.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';
import { VersionSet } from '#engine/version-set.ts';
import type { Version } from '#engine/version.ts';
import { sortedRuns } from '#tiered/sorted-runs.ts';

export const DIR = '/db';

/** Small everything: flushes every ~1 KiB, tables of many blocks, tiered compaction with few runs. */
export const TIERED: LsmOptions = {
  memtableSize: 1024,
  blockSize: 128,
  compaction: { strategy: 'tiered', maxRuns: 4, targetFileSize: 2048 },
};

/** Opens (or creates) the database in DIR on `fs` with TIERED, then `options`. */
export function openOn(fs: MemoryFileSystem, options: LsmOptions = {}): LsmTree {
  return LsmTree.open(DIR, { fileSystem: fs, ...TIERED, ...options });
}

/** Every key-value pair in the database (or as of `snapshot`), in key order, as text. */
export function contents(db: LsmTree, snapshot?: ReturnType<LsmTree['snapshot']>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of db.iterator(snapshot === undefined ? {} : { snapshot })) out.push([fromUtf8(k), fromUtf8(v)]);
  return out;
}

/** The model's contents in key order. */
export function sorted(model: ReadonlyMap<string, string>): [string, string][] {
  return [...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The current version, as the MANIFEST on disk records it. */
export function durableVersion(fs: MemoryFileSystem): Version {
  return VersionSet.recover(fs, DIR, { manifestMaxSize: 1 << 30 }).current;
}

/** The numbers of the table files in the directory. */
export function tableFiles(fs: MemoryFileSystem): number[] {
  return fs
    .list(DIR)
    .map((name) => parseFileName(name))
    .filter((f) => f?.kind === FileKind.Table)
    .map((f) => f!.number)
    .sort((a, b) => a - b);
}

/**
 * Returns undefined if the version keeps tiered compaction's age order
 * (every sorted run holds only writes newer than every run after it), or
 * a description of the first run that breaks it.
 */
export function ageOrderProblem(version: Version): string | undefined {
  const runs = sortedRuns(version);
  for (let r = 1; r < runs.length; r++) {
    const newer = Math.min(...runs[r - 1]!.files.map((f) => f.smallestSequence));
    const older = Math.max(...runs[r]!.files.map((f) => f.largestSequence));
    if (newer <= older) {
      return `run ${r - 1} (level ${runs[r - 1]!.level}) holds sequence ${newer}, not newer than ${older} in run ${r} (level ${runs[r]!.level}):\n${version.toString()}`;
    }
  }
  return undefined;
}

/** A value of about `length` bytes naming `key` and `version`, so a wrong version shows in a failure. */
export function valueFor(key: string, version: number, length = 40): string {
  return `${key}=v${version}:`.padEnd(length, '.');
}
