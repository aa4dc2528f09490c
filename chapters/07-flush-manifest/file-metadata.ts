/**
 * FileMetadata: what the engine remembers about one table without opening
 * it. The MANIFEST records it when the table is added, so after a restart
 * the engine knows every table's key range and size from the MANIFEST alone.
 *
 * A point lookup skips every table whose [smallest, largest] user-key range
 * does not hold the key; compaction (chapters 8 and 9) picks tables by their
 * ranges and sizes.
 */

import { encodeInternalKey, formatEncodedKey, INTERNAL_KEY_TRAILER_SIZE } from '#sstable/internal-key-codec.ts';
import { tableFileName } from '#sstable/table-format.ts';
import type { TableProperties } from '#sstable/table-properties.ts';

/** One table, as the MANIFEST records it. */
export interface FileMetadata {
  /** The table's file number: its name is `tableFileName(number)`. */
  readonly number: number;
  /** The table's size in bytes. */
  readonly size: number;
  /** The table's first internal key, encoded (user key ++ 8-byte trailer, chapter 4). */
  readonly smallest: Uint8Array;
  /** The table's last internal key, encoded. */
  readonly largest: Uint8Array;
  /** The smallest sequence number of any entry in the table. */
  readonly smallestSequence: number;
  /** The largest sequence number of any entry in the table. */
  readonly largestSequence: number;
  /** Number of entries (versions, tombstones included). */
  readonly entryCount: number;
  /** Number of tombstones among them. */
  readonly tombstoneCount: number;
}

/** Returns the metadata of table `number` of `size` bytes, from the properties its builder returned. */
export function fileMetadataOf(number: number, size: number, properties: TableProperties): FileMetadata {
  const { smallestKey, largestKey } = properties;
  return {
    number,
    size,
    smallest: encodeInternalKey(smallestKey.userKey, smallestKey.sequence, smallestKey.kind),
    largest: encodeInternalKey(largestKey.userKey, largestKey.sequence, largestKey.kind),
    smallestSequence: properties.smallestSequence,
    largestSequence: properties.largestSequence,
    entryCount: properties.entryCount,
    tombstoneCount: properties.tombstoneCount,
  };
}

/** Returns a view of the user key of `file`'s smallest internal key. */
export function smallestUserKey(file: FileMetadata): Uint8Array {
  return file.smallest.subarray(0, file.smallest.length - INTERNAL_KEY_TRAILER_SIZE);
}

/** Returns a view of the user key of `file`'s largest internal key. */
export function largestUserKey(file: FileMetadata): Uint8Array {
  return file.largest.subarray(0, file.largest.length - INTERNAL_KEY_TRAILER_SIZE);
}

/**
 * Compares `userKey` with the user-key part of the encoded internal key
 * `encoded`, bytewise, without allocating: negative iff userKey sorts
 * first, 0 iff equal, positive iff after. Point lookups call it for every
 * table they consider.
 */
export function compareUserKeyWithEncoded(userKey: Uint8Array, encoded: Uint8Array): number {
  const otherLength = encoded.length - INTERNAL_KEY_TRAILER_SIZE;
  const n = userKey.length < otherLength ? userKey.length : otherLength;
  for (let i = 0; i < n; i++) {
    const d = userKey[i]! - encoded[i]!;
    if (d !== 0) return d;
  }
  return userKey.length - otherLength;
}

/** Returns true iff `userKey` lies in `file`'s user-key range [smallest, largest]. */
export function fileMayHoldKey(file: FileMetadata, userKey: Uint8Array): boolean {
  return compareUserKeyWithEncoded(userKey, file.smallest) >= 0 && compareUserKeyWithEncoded(userKey, file.largest) <= 0;
}

/**
 * Formats `file` for messages and the lessons:
 * `000012.sst [apple#3,PUT .. pear#9,DEL] 4096 bytes, seq 3..9`.
 */
export function formatFileMetadata(file: FileMetadata): string {
  return `${tableFileName(file.number)} [${formatEncodedKey(file.smallest)} .. ${formatEncodedKey(file.largest)}] ${file.size} bytes, seq ${file.smallestSequence}..${file.largestSequence}`;
}
