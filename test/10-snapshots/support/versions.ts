/**
 * Hand-built versions for chapter 10's unit tests: tables that need not
 * exist on disk, only their metadata (the reference counts look at numbers).
 */

import { utf8 } from '#toolkit/bytes.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { encodeInternalKey } from '#sstable/internal-key-codec.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import { Version } from '#engine/version.ts';

/** Metadata of table `number` holding keys `smallest`..`largest`. */
export function table(number: number, smallest = `k${number}`, largest = `k${number}z`): FileMetadata {
  return {
    number,
    size: 1000 + number,
    smallest: encodeInternalKey(utf8(smallest), number, ValueKind.Put),
    largest: encodeInternalKey(utf8(largest), number, ValueKind.Put),
    smallestSequence: number,
    largestSequence: number,
    entryCount: 2,
    tombstoneCount: 0,
  };
}

/** A version holding the given tables, all in level 0. */
export function versionOf(...numbers: number[]): Version {
  return Version.EMPTY.apply({ newFiles: numbers.map((n) => ({ level: 0, file: table(n) })), deletedFiles: [] });
}

/** The table numbers of a set, sorted, for comparisons. */
export function sorted(numbers: Iterable<number>): number[] {
  return [...numbers].sort((a, b) => a - b);
}
