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
  // #region task 2.1: check the arguments, write the header and the payload, then patch in the masked crc
  requireArgument(batch.count > 0, 'a record needs at least one entry: the batch is empty');
  requireArgument(
    Number.isSafeInteger(firstSequence) && firstSequence >= 1 && firstSequence <= MAX_SEQUENCE - (batch.count - 1),
    `the sequences of a batch of ${batch.count} starting at ${firstSequence} must lie in 1 .. 2^53 - 1`,
  );
  const start = out.length;
  out.u32(0); // The crc covers everything after it, so it is patched in last.
  out.u64(firstSequence);
  if (batch.count === 1) {
    const { kind, key, value } = batch.entries[0]!;
    out.u32(key.length).u32(value.length).u8(kind).bytes(key).bytes(value);
  } else {
    out.u32(0).u32(0).u8(RecordType.Batch); // value_length is patched once the entries are written.
    out.u32(batch.count);
    for (const { kind, key, value } of batch.entries) {
      out.u8(kind).varint(key.length).varint(value.length).bytes(key).bytes(value);
    }
    const valueLength = out.length - start - HEADER_SIZE;
    requireArgument(valueLength <= MAX_FIELD_LENGTH, `a batch must encode to at most 2^32 - 1 bytes, got ${valueLength}`);
    out.patchU32(start + VALUE_LENGTH_OFFSET, valueLength);
  }
  out.patchU32(start, maskCrc(crc32c(out.view(), 0, start + CRC_SIZE, out.length)));
  // #endregion
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
  // #region task 2.2: check the header fits, then the payload fits, then the crc, then the kind
  const left = bytes.length - offset;
  if (left < HEADER_SIZE) return `truncated header: a header is ${HEADER_SIZE} bytes, ${left} left`;
  const keyLength = readU32(bytes, offset + KEY_LENGTH_OFFSET);
  const valueLength = readU32(bytes, offset + VALUE_LENGTH_OFFSET);
  const end = offset + HEADER_SIZE + keyLength + valueLength;
  if (end > bytes.length) {
    return `truncated payload: key_length ${keyLength} + value_length ${valueLength} need ${end - offset - HEADER_SIZE} bytes, ${left - HEADER_SIZE} left`;
  }
  const stored = unmaskCrc(readU32(bytes, offset));
  const actual = crc32c(bytes, 0, offset + CRC_SIZE, end);
  if (stored !== actual) return `checksum mismatch: stored ${hex32(stored)}, computed ${hex32(actual)}`;
  const kind = bytes[offset + KIND_OFFSET]!;
  if (!isRecordType(kind)) return `unknown record type ${kind}`;
  return undefined;
  // #endregion
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
  // #region task 2.3: check the frame, read the header, then turn the payload into entries
  function fail(reason: string): never {
    throw new CorruptionError({ file, offset, reason });
  }
  const damage = frameDamage(bytes, offset);
  if (damage !== undefined) fail(damage);

  // The frame is intact, so every header field is there to read.
  const sequence = readU64(bytes, offset + SEQUENCE_OFFSET);
  const keyLength = readU32(bytes, offset + KEY_LENGTH_OFFSET);
  const valueLength = readU32(bytes, offset + VALUE_LENGTH_OFFSET);
  const type = bytes[offset + KIND_OFFSET] as RecordType;
  const payloadStart = offset + HEADER_SIZE;
  const end = payloadStart + keyLength + valueLength;
  if (sequence === undefined) fail('the sequence does not fit in 53 bits');
  if (sequence < 1) fail('sequence 0: sequences start at 1');

  if (type !== RecordType.Batch) {
    if (type === RecordType.Delete && valueLength !== 0) fail(`a Delete record has a ${valueLength}-byte value`);
    const key = bytes.subarray(payloadStart, payloadStart + keyLength);
    const value = bytes.subarray(payloadStart + keyLength, end);
    return { type, entries: [{ sequence, kind: type, key, value }], end };
  }

  if (keyLength !== 0) fail(`a Batch record has a ${keyLength}-byte key`);
  // Bounded by the record's end, so a bad entry length cannot read into the next record.
  const payload: ByteReader = new ByteReader(bytes.subarray(0, end), file);
  payload.position = payloadStart;
  const count = payload.u32('batch count');
  const room = Math.floor((valueLength - BATCH_COUNT_SIZE) / MIN_BATCH_ENTRY_SIZE);
  if (count < 1) fail('a batch of zero entries');
  if (count > room) fail(`a batch of ${count} entries cannot fit in ${valueLength} bytes`);
  if (sequence > MAX_SEQUENCE - (count - 1)) fail(`a batch of ${count} at sequence ${sequence} passes 2^53 - 1`);
  const entries: WalEntry[] = [];
  for (let i = 0; i < count; i++) {
    const kind = payload.u8('entry kind');
    if (!isValueKind(kind)) payload.fail(`batch entry ${i} has unknown kind ${kind}`);
    const entryKeyLength = payload.varint('entry key_length');
    const entryValueLength = payload.varint('entry value_length');
    if (kind === ValueKind.Delete && entryValueLength !== 0) payload.fail(`batch entry ${i} is a Delete with a value`);
    const key = payload.bytesView(entryKeyLength, 'entry key');
    const value = payload.bytesView(entryValueLength, 'entry value');
    entries.push({ sequence: sequence + i, kind, key, value });
  }
  if (payload.remaining !== 0) payload.fail(`${payload.remaining} bytes left after the batch's ${count} entries`);
  return { type, entries, end };
  // #endregion
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
