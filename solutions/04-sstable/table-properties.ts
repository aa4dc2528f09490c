/**
 * Table properties: facts about a table that the engine needs without
 * reading its data — how many entries and tombstones, which keys and
 * sequences it spans. They are stored in the table's meta block, a fixed
 * record (not a block of entries), all integers little-endian:
 *
 *     0          4            12               20                 28                  36                 44
 *     +----------+------------+----------------+------------------+-------------------+------------------+-------------+
 *     | format   | entry      | tombstone      | data block       | smallest          | largest          | bits per    |
 *     | version  | count      | count          | count            | sequence          | sequence         | key         |
 *     | u32      | u64        | u64            | u64              | u64               | u64              | u8          |
 *     +----------+------------+----------------+------------------+-------------------+------------------+-------------+
 *     45
 *     +---------------------+----------------------+---------------------+----------------------+
 *     | smallest key length | smallest key         | largest key length  | largest key          |
 *     | varint              | (encoded internal)   | varint              | (encoded internal)   |
 *     +---------------------+----------------------+---------------------+----------------------+
 *
 * The smallest and largest keys are whole encoded internal keys, so the
 * engine knows a table's exact key range (chapter 7's manifest records it
 * and compaction picks tables by it). The record must fill the block exactly.
 */

import { ByteReader } from '#toolkit/byte-reader.ts';
import { ByteWriter } from '#toolkit/byte-writer.ts';
import { formatInternalKey, type InternalKey } from '#memtable/internal-key.ts';
import { compareEncodedKeys, decodeInternalKey, encodeInternalKey } from './internal-key-codec.ts';

/** What a table holds, as recorded in its meta block. */
export interface TableProperties {
  /** The format version the table was written in. */
  readonly formatVersion: number;
  /** Number of entries (versions, tombstones included); at least 1. */
  readonly entryCount: number;
  /** Number of entries that are tombstones. */
  readonly tombstoneCount: number;
  /** Number of data blocks, which is the number of index entries. */
  readonly dataBlockCount: number;
  /** The smallest sequence number of any entry. */
  readonly smallestSequence: number;
  /** The largest sequence number of any entry. */
  readonly largestSequence: number;
  /** Filter bits per user key; 0 when the table has no filter. */
  readonly bitsPerKey: number;
  /** The table's first internal key. */
  readonly smallestKey: InternalKey;
  /** The table's last internal key. */
  readonly largestKey: InternalKey;
}

/** Size of the fixed part of the meta record, before the two keys. */
export const PROPERTIES_FIXED_SIZE = 4 + 8 + 8 + 8 + 8 + 8 + 1;

/** Returns the meta block's contents for `properties`. */
export function encodeTableProperties(properties: TableProperties): Uint8Array {
  const smallest = encodeKey(properties.smallestKey);
  const largest = encodeKey(properties.largestKey);
  return new ByteWriter(PROPERTIES_FIXED_SIZE + 2 * 8 + smallest.length + largest.length)
    .u32(properties.formatVersion)
    .u64(properties.entryCount)
    .u64(properties.tombstoneCount)
    .u64(properties.dataBlockCount)
    .u64(properties.smallestSequence)
    .u64(properties.largestSequence)
    .u8(properties.bitsPerKey)
    .varint(smallest.length)
    .bytes(smallest)
    .varint(largest.length)
    .bytes(largest)
    .toBytes();
}

function encodeKey(key: InternalKey): Uint8Array {
  return encodeInternalKey(key.userKey, key.sequence, key.kind);
}

/**
 * Decodes and checks the meta block's contents.
 * @param file names the table in errors; `offset` is where the meta block starts in it.
 * @throws CorruptionError if the record is truncated or has bytes left over,
 *   a key does not decode, or the facts contradict each other (no entries,
 *   more tombstones than entries, more blocks than entries, smallest above largest).
 */
export function decodeTableProperties(bytes: Uint8Array, file: string, offset: number): TableProperties {
  const reader = new ByteReader(bytes, file, offset);
  const formatVersion = reader.u32('format version');
  const entryCount = reader.u64('entry count');
  const tombstoneCount = reader.u64('tombstone count');
  const dataBlockCount = reader.u64('data block count');
  const smallestSequence = reader.u64('smallest sequence');
  const largestSequence = reader.u64('largest sequence');
  const bitsPerKey = reader.u8('bits per key');
  const smallestAt = offset + reader.position;
  const smallestBytes = reader.bytesView(reader.varint('smallest key length'), 'smallest key');
  const largestAt = offset + reader.position;
  const largestBytes = reader.bytesView(reader.varint('largest key length'), 'largest key');
  if (reader.remaining !== 0) reader.fail(`${reader.remaining} unexpected byte(s) after the table properties`);
  const smallestKey = decodeInternalKey(smallestBytes, file, smallestAt);
  const largestKey = decodeInternalKey(largestBytes, file, largestAt);
  const bad = (problem: string): never => reader.fail(`bad table properties: ${problem}`);
  if (entryCount === 0) bad('a table holds at least one entry, the properties say 0');
  if (tombstoneCount > entryCount) bad(`${tombstoneCount} tombstones but only ${entryCount} entries`);
  if (dataBlockCount === 0 || dataBlockCount > entryCount) bad(`${dataBlockCount} data blocks for ${entryCount} entries`);
  if (smallestSequence > largestSequence) bad(`smallest sequence ${smallestSequence} is above the largest ${largestSequence}`);
  if (compareEncodedKeys(smallestBytes, largestBytes) > 0) {
    bad(`smallest key ${formatInternalKey(smallestKey)} sorts after the largest ${formatInternalKey(largestKey)}`);
  }
  return {
    formatVersion,
    entryCount,
    tombstoneCount,
    dataBlockCount,
    smallestSequence,
    largestSequence,
    bitsPerKey,
    smallestKey,
    largestKey,
  };
}
