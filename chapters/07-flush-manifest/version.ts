/**
 * Version: the set of tables that make up the database at one moment,
 * level by level. Immutable: a change (a flush, a compaction) makes a new
 * Version from the old one plus a VersionEdit, so a reader or iterator that
 * holds the old Version keeps a consistent view while the engine moves on.
 *
 *     level 0:  000021.sst  000017.sst  000012.sst     newest first; ranges may overlap
 *     level 1:  [a..f] 000015.sst  [g..m] 000016.sst  ...   sorted, ranges disjoint
 *     level 2:  ...
 *
 * Invariants:
 * 1. Level 0 is ordered newest first: by largest sequence descending (ties,
 *    which a correct engine never makes, by file number descending). A flush
 *    makes a table whose sequences are all above every older table's, so
 *    this is also file-number order; sorting by sequence stays right if a
 *    compaction ever writes into level 0.
 * 2. In every level >= 1, files are sorted by smallest key and their
 *    user-key ranges are disjoint: largest user key of one < smallest user
 *    key of the next. So at most one file per level can hold a key.
 * 3. A file number appears at most once in the whole version.
 */

import { compareBytes } from '#toolkit/bytes.ts';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { compareEncodedKeys } from '#sstable/internal-key-codec.ts';
import { compareUserKeyWithEncoded, formatFileMetadata, largestUserKey, smallestUserKey, type FileMetadata } from './file-metadata.ts';
import { NUM_LEVELS } from './manifest-format.ts';
import type { NewFile, VersionEdit } from './version-edit.ts';

/** Orders level 0: newest first (invariant 1). */
function newestFirst(a: FileMetadata, b: FileMetadata): number {
  return b.largestSequence - a.largestSequence || b.number - a.number;
}

/** Orders levels >= 1 by smallest internal key (invariant 2). */
function bySmallestKey(a: FileMetadata, b: FileMetadata): number {
  return compareEncodedKeys(a.smallest, b.smallest);
}

/** The tables of the database at one moment; see the file comment for its invariants. */
export class Version {
  /** An empty database: no tables at any level. */
  static readonly EMPTY = new Version(Array.from({ length: NUM_LEVELS }, () => []));

  private constructor(
    /** levels[n] holds the files of level n, in the order of the invariants. */
    readonly levels: readonly (readonly FileMetadata[])[],
  ) {}

  /** Returns the files of `level` (level 0 newest first; others by key). */
  files(level: number): readonly FileMetadata[] {
    return this.levels[level] ?? [];
  }

  /** Number of tables in every level together. */
  get fileCount(): number {
    let n = 0;
    for (const files of this.levels) n += files.length;
    return n;
  }

  /** Total bytes of the tables of `level`. */
  levelBytes(level: number): number {
    let bytes = 0;
    for (const file of this.files(level)) bytes += file.size;
    return bytes;
  }

  /** Returns the numbers of every table in the version. */
  fileNumbers(): number[] {
    const numbers: number[] = [];
    for (const files of this.levels) for (const file of files) numbers.push(file.number);
    return numbers;
  }

  /**
   * Returns the one file of `level` (>= 1) whose user-key range holds
   * `userKey`, or undefined: a binary search, which invariant 2 allows.
   * REQUIRES: level >= 1.
   */
  findFile(level: number, userKey: Uint8Array): FileMetadata | undefined {
    const files = this.files(level);
    // The first file whose largest user key is >= userKey.
    let lo = 0;
    let hi = files.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareUserKeyWithEncoded(userKey, files[mid]!.largest) > 0) lo = mid + 1;
      else hi = mid;
    }
    const file = files[lo];
    return file !== undefined && compareUserKeyWithEncoded(userKey, file.smallest) >= 0 ? file : undefined;
  }

  /**
   * Returns the files of `level` whose user-key range overlaps
   * [`smallest`, `largest`] (either end undefined: unbounded), in level order.
   */
  overlappingFiles(level: number, smallest: Uint8Array | undefined, largest: Uint8Array | undefined): FileMetadata[] {
    return this.files(level).filter(
      (file) =>
        (smallest === undefined || compareBytes(largestUserKey(file), smallest) >= 0) &&
        (largest === undefined || compareBytes(smallestUserKey(file), largest) <= 0),
    );
  }

  /** Returns every table as a NewFile entry: the body of a snapshot edit that rebuilds this version from nothing. */
  allFiles(): NewFile[] {
    const all: NewFile[] = [];
    this.levels.forEach((files, level) => {
      for (const file of files) all.push({ level, file });
    });
    return all;
  }

  /**
   * Returns the version that `edit` makes of this one: its deleted files
   * removed, then its new files added, each level put back in order.
   * This version does not change.
   * @throws InvalidArgumentError if a deleted file is not in its level, a
   *   new file's number is already in the version, or a level >= 1 would
   *   hold files whose key ranges overlap.
   */
  apply(edit: VersionEdit): Version {
    const levels = this.levels.map((files) => [...files]);
    const touched = new Set<number>();
    for (const { level, number } of edit.deletedFiles) {
      const files = levels[level];
      const at = files?.findIndex((f) => f.number === number) ?? -1;
      if (files === undefined || at < 0) {
        throw new InvalidArgumentError(`the edit deletes table ${number} from level ${level}, which does not hold it`);
      }
      files.splice(at, 1);
      touched.add(level);
    }
    const numbers = new Set<number>();
    for (const files of levels) for (const file of files) numbers.add(file.number);
    for (const { level, file } of edit.newFiles) {
      const files = levels[level];
      if (files === undefined) throw new InvalidArgumentError(`level ${level} does not exist: levels are 0 to ${NUM_LEVELS - 1}`);
      if (numbers.has(file.number)) throw new InvalidArgumentError(`table ${file.number} is added twice`);
      numbers.add(file.number);
      files.push(file);
      touched.add(level);
    }
    for (const level of touched) {
      const files = levels[level]!;
      files.sort(level === 0 ? newestFirst : bySmallestKey);
      if (level === 0) continue;
      for (let i = 1; i < files.length; i++) {
        if (compareBytes(largestUserKey(files[i - 1]!), smallestUserKey(files[i]!)) >= 0) {
          throw new InvalidArgumentError(
            `level ${level} would hold overlapping tables ${formatFileMetadata(files[i - 1]!)} and ${formatFileMetadata(files[i]!)}`,
          );
        }
      }
    }
    return new Version(levels);
  }

  /** Describes the version level by level, for messages and debugging. */
  toString(): string {
    return this.levels
      .map((files, level) => (files.length === 0 ? '' : `L${level}: ${files.map(formatFileMetadata).join(', ')}`))
      .filter((line) => line.length > 0)
      .join('\n');
  }
}
