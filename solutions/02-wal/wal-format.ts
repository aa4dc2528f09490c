/**
 * The write-ahead log's on-disk format: the constants the writer and the
 * reader share, and the names of segment files.
 *
 * A log is a directory of segments, `000007.log`, `000012.log`, ... (the
 * numbers come from the engine's file-number counter, so there are gaps).
 * A segment is a sequence of records and nothing else: no file header, no
 * blocks, no padding. Each record, little-endian:
 *
 *     0        4                 12           16             20     21
 *     +--------+-----------------+------------+--------------+------+-----------+-------------+
 *     | crc    | sequence        | key_length | value_length | kind | key       | value       |
 *     | u32    | u64             | u32        | u32          | u8   |           |             |
 *     +--------+-----------------+------------+--------------+------+-----------+-------------+
 *     |<------------ header: HEADER_SIZE = 4 + 8 + 4 + 4 + 1 = 21 ->|<------- payload ------->|
 *              |<------------------------- covered by the crc -------------------------------->|
 *
 * - crc: `maskCrc(crc32c(bytes 4 .. end of the record))`: every byte after
 *   the crc field, header and payload alike, so a damaged length or kind is
 *   caught as surely as a damaged value.
 * - sequence: the sequence number of the record's first entry, 1 .. 2^53 - 1.
 * - kind: a {@link RecordType}. `Put` and `Delete` hold one write: the key
 *   and the value follow (a Delete's value is empty). `Batch` holds several
 *   writes in one record, so one checksum covers them all: key_length is 0,
 *   and the value is
 *
 *       +-----------+-------------------------------------------------------------+
 *       | count     | count entries, one after another, each:                     |
 *       | u32       | [kind u8][key_length varint][value_length varint][key][value] |
 *       +-----------+-------------------------------------------------------------+
 *
 *   Entry i gets sequence `sequence + i`.
 */

import { ValueKind } from '#memtable/internal-key.ts';
import { assertInvariant, requireArgument } from '#toolkit/errors.ts';

/**
 * The record kinds written to disk. Never renumber them: old logs would be
 * read as something else. Delete and Put are the ValueKind numbers, so the
 * type of a single write's record is its kind.
 */
export const RecordType = {
  /** One tombstone: key follows, value is empty. */
  Delete: 0,
  /** One value: key and value follow. */
  Put: 1,
  /** Several writes, atomically: key is empty, value is a count and the entries. */
  Batch: 2,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

// If someone renumbers either object, this stops compiling (the types no longer overlap).
assertInvariant(
  RecordType.Delete === ValueKind.Delete && RecordType.Put === ValueKind.Put,
  'RecordType.Delete and RecordType.Put equal the ValueKind numbers',
);

/** Returns true iff `n` is a record type this version of the format knows. */
export function isRecordType(n: number): n is RecordType {
  return n === RecordType.Delete || n === RecordType.Put || n === RecordType.Batch;
}

/** Bytes of the masked CRC32C at the start of every record. */
export const CRC_SIZE = 4;
/** Offset of the sequence number: just after the crc. */
export const SEQUENCE_OFFSET = CRC_SIZE;
/** Offset of key_length: after crc (4) and sequence (8). */
export const KEY_LENGTH_OFFSET = 4 + 8;
/** Offset of value_length: after crc, sequence and key_length. */
export const VALUE_LENGTH_OFFSET = 4 + 8 + 4;
/** Offset of the kind byte: after crc, sequence, key_length and value_length. */
export const KIND_OFFSET = 4 + 8 + 4 + 4;
/** Size of a record's header: crc (4) + sequence (8) + key_length (4) + value_length (4) + kind (1). */
export const HEADER_SIZE = 4 + 8 + 4 + 4 + 1;

/** Size of a batch payload's entry count. */
export const BATCH_COUNT_SIZE = 4;
/** Smallest entry inside a batch: kind (1) + key_length varint (1) + value_length varint (1). */
export const MIN_BATCH_ENTRY_SIZE = 1 + 1 + 1;

/** Largest key_length or value_length: the fields are 32-bit, so 2^32 - 1 bytes. */
export const MAX_FIELD_LENGTH = 0xffff_ffff;

/** Segment file names end with this. */
export const LOG_FILE_SUFFIX = '.log';
/** Segment numbers are zero-padded to this many digits, so names sort like numbers (up to 999999). */
export const LOG_NUMBER_DIGITS = 6;

/**
 * Returns the file name of segment `number`: `logFileName(7)` is `"000007.log"`.
 * @throws InvalidArgumentError unless `number` is an integer in 0 .. 2^53 - 1.
 */
export function logFileName(number: number): string {
  requireArgument(
    Number.isSafeInteger(number) && number >= 0,
    `a log number must be an integer from 0 to 2^53 - 1, got ${number}`,
  );
  return `${String(number).padStart(LOG_NUMBER_DIGITS, '0')}${LOG_FILE_SUFFIX}`;
}

/**
 * Returns the segment number a file name stands for, or undefined if `name`
 * is not exactly what {@link logFileName} writes (`"7.log"`, `"x.log"` and
 * `"000007.log.tmp"` are not segments). Being strict means two names never
 * map to one number.
 */
export function parseLogFileName(name: string): number | undefined {
  const match = /^(\d+)\.log$/.exec(name);
  if (match === null) return undefined;
  const number = Number(match[1]);
  if (!Number.isSafeInteger(number)) return undefined;
  return logFileName(number) === name ? number : undefined;
}
