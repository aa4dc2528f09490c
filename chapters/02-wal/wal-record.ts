/**
 * One log record: how a batch becomes bytes (`encodeRecord`), how to tell
 * whether the bytes at an offset are a whole, undamaged record
 * (`frameDamage`), and how bytes become entries again (`decodeRecord`).
 *
 * The layout, little-endian (wal-format.ts has the constants):
 *
 *     0        4                 12           16             20     21
 *     +--------+-----------------+------------+--------------+------+-----------+-------------+
 *     | crc    | sequence        | key_length | value_length | kind | key       | value       |
 *     | u32    | u64             | u32        | u32          | u8   |           |             |
 *     +--------+-----------------+------------+--------------+------+-----------+-------------+
 *              |<------------------------- covered by the crc -------------------------------->|
 *
 * A Batch record (kind 2) has an empty key and a value of
 * `[count u32]` then count × `[kind u8][key_length varint][value_length varint][key][value]`.
 *
 * Worked example: `put("k", "v")` at sequence 7 is 23 bytes,
 *
 *     9d 4b 20 ef  07 00 00 00 00 00 00 00  01 00 00 00  01 00 00 00  01  6b  76
 *     crc          sequence 7               key_length 1 value_length 1 Put  "k" "v"
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { ByteReader } from '#toolkit/byte-reader.ts';
import type { ByteWriter } from '#toolkit/byte-writer.ts';
import { crc32c, maskCrc, unmaskCrc } from '#toolkit/crc32c.ts';
import { CorruptionError, requireArgument } from '#toolkit/errors.ts';
import { readU32, readU64 } from '#toolkit/fixed-int.ts';
import { isValueKind, MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import {
  BATCH_COUNT_SIZE,
  CRC_SIZE,
  HEADER_SIZE,
  isRecordType,
  KEY_LENGTH_OFFSET,
  KIND_OFFSET,
  MAX_FIELD_LENGTH,
  MIN_BATCH_ENTRY_SIZE,
  RecordType,
  SEQUENCE_OFFSET,
  VALUE_LENGTH_OFFSET,
} from './wal-format.ts';
import type { WriteBatch } from './write-batch.ts';

/** One write read back from the log, with the sequence number it was given. */
export interface WalEntry {
  readonly sequence: number;
  readonly kind: ValueKind;
  readonly key: Uint8Array;
  /** The value; empty for a delete. */
  readonly value: Uint8Array;
}

/** A record decoded by {@link decodeRecord}. */
export interface DecodedRecord {
  /** Put or Delete for a single write, Batch for several. */
  readonly type: RecordType;
  /** The writes, at least one, with consecutive sequence numbers. */
  readonly entries: readonly WalEntry[];
  /** The offset just past the record: where the next one starts. */
  readonly end: number;
}

/** Receives the entries of a log as it is replayed, oldest first. */
export type EntryVisitor = (sequence: number, kind: ValueKind, key: Uint8Array, value: Uint8Array) => void;

/**
 * Appends the record of `batch` to `out`: a single Put or Delete record for
 * a batch of one, a Batch record for more. Entry i gets sequence
 * `firstSequence + i`. Nothing is appended when an argument is refused.
 *
 * REQUIRES: `out` is not modified while this runs.
 * @throws InvalidArgumentError if the batch is empty, if a sequence would
 *   fall outside 1 .. 2^53 - 1, or if the batch's payload exceeds 2^32 - 1 bytes.
 */
export function encodeRecord(out: ByteWriter, batch: WriteBatch, firstSequence: number): void {
  // TODO(task 2.1): check the arguments, write the header and the payload, then patch in the masked crc
  throw new NotImplementedError("task 2.1 in chapters/02-wal/wal-record.ts: check the arguments, write the header and the payload, then patch in the masked crc");
}

/**
 * Checks the frame of the record starting at `offset`: the header fits in
 * `bytes`, the payload its lengths announce fits too, the checksum matches,
 * and the kind is one this format knows. It reads nothing but the header
 * before the bounds are checked, and never throws, so the reader can call it
 * at every offset of a damaged tail cheaply.
 *
 * Returns undefined iff the frame is intact, otherwise why it is not
 * (e.g. `"checksum mismatch"`). An intact frame can still hold a bad payload:
 * {@link decodeRecord} checks that.
 */
export function frameDamage(bytes: Uint8Array, offset: number): string | undefined {
  // TODO(task 2.2): check the header fits, then the payload fits, then the crc, then the kind
  throw new NotImplementedError("task 2.2 in chapters/02-wal/wal-record.ts: check the header fits, then the payload fits, then the crc, then the kind");
}

/**
 * Decodes the record starting at `offset` in `bytes` (normally a whole
 * segment file). The keys and values returned are views into `bytes`, not
 * copies: they stay valid as long as nobody writes into `bytes`.
 *
 * @param file names the segment in errors.
 * @returns the record's entries with their sequences, and where it ends.
 * @throws CorruptionError if the frame is damaged (see {@link frameDamage}),
 *   if a sequence falls outside 1 .. 2^53 - 1, or if the payload does not
 *   match its kind (a Delete with a value, a Batch with a key, a batch whose
 *   entries do not fill its value exactly). The offset is the record's start,
 *   or, inside a batch, the byte where parsing failed.
 */
export function decodeRecord(bytes: Uint8Array, offset: number, file = 'WAL record'): DecodedRecord {
  // TODO(task 2.3): check the frame, read the header, then turn the payload into entries
  throw new NotImplementedError("task 2.3 in chapters/02-wal/wal-record.ts: check the frame, read the header, then turn the payload into entries");
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
