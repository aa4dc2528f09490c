/**
 * Reading one segment: its records, oldest first, and how it ended — cleanly
 * at a record boundary, in a torn tail, or in corruption.
 *
 * The recovery policy. Records are read from offset 0. The record at offset
 * X is *damaged* if its header or payload runs past the end of the file, its
 * checksum does not match, its kind is unknown, its lengths are inconsistent
 * with its kind, or its first sequence is not larger than the previous
 * record's last. At the first damaged record:
 *
 * - If an intact record (its frame fits, its checksum matches, its kind is
 *   known) starts at X itself or at any offset after X in the same file, the
 *   damage is in the middle of the log: throw a CorruptionError at X. Records
 *   after it were written, and maybe synced, after the damaged one; skipping
 *   silently would lose them, or replay them with a hole before them. (An
 *   intact frame at X with a bad payload was written whole by a buggy writer:
 *   no crash can produce a matching checksum over a half-written record.)
 * - Otherwise it is a torn tail, the last write cut off by a crash: stop at X
 *   and report `tornAt: X`, with the records before it.
 *
 * Whether a torn tail is acceptable depends on where the segment is in the
 * log (only the newest segment may have one): write-ahead-log.ts decides.
 *
 * A segment is read whole into memory. The engine starts a new segment at
 * every flush, so a segment holds at most one memtable's worth of writes.
 */

import { CorruptionError } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { HEADER_SIZE } from './wal-format.ts';
import { decodeRecord, frameDamage, type DecodedRecord, type EntryVisitor } from './wal-record.ts';

/** What reading a segment found. */
export interface SegmentReadResult {
  /** Number of records replayed. */
  readonly records: number;
  /** The sequence of the last entry replayed, or the `afterSequence` passed in when there was none. */
  readonly lastSequence: number;
  /** Where the torn tail starts; undefined iff the segment ends exactly after its last record. */
  readonly tornAt: number | undefined;
}

/**
 * Reads the segment at `path` and calls `onEntry` for each entry of each
 * intact record, oldest first.
 *
 * @param afterSequence every sequence in the segment must be larger (the
 *   last sequence of the segment before it, or 0).
 * @throws CorruptionError on damage in the middle of the segment (see the
 *   policy above); entries before the damage have been visited by then.
 * @throws IOError if the file cannot be read.
 */
export function readSegment(
  fs: FileSystem,
  path: string,
  afterSequence: number,
  onEntry: EntryVisitor,
): SegmentReadResult {
  const file = fs.openReadable(path);
  let bytes: Uint8Array;
  try {
    bytes = file.read(0, file.size);
  } finally {
    file.close();
  }
  return scanSegment(bytes, path, afterSequence, onEntry);
}

/**
 * Applies the recovery policy to the bytes of one segment: visits the
 * entries of every record up to the first damaged one, then decides whether
 * that damage is a torn tail (returned as `tornAt`) or corruption (thrown).
 *
 * @param file names the segment in errors.
 * @param afterSequence every sequence in the segment must be larger than this.
 * @throws CorruptionError at the offset of the first damaged record when an
 *   intact record starts there or anywhere after it.
 */
export function scanSegment(
  bytes: Uint8Array,
  file: string,
  afterSequence: number,
  onEntry: EntryVisitor,
): SegmentReadResult {
  // #region task 2.4: replay records until the first damaged one, then decide: torn tail or corruption
  let offset = 0;
  let last = afterSequence;
  let records = 0;
  while (offset < bytes.length) {
    let damage = frameDamage(bytes, offset);
    const frameIntact = damage === undefined;
    let record: DecodedRecord | undefined;
    if (frameIntact) {
      try {
        record = decodeRecord(bytes, offset, file);
      } catch (error) {
        if (!(error instanceof CorruptionError)) throw error;
        damage = error.reason;
      }
      const first = record?.entries[0]?.sequence;
      if (first !== undefined && first <= last) {
        damage = `sequence ${first} is not larger than the previous record's ${last}`;
        record = undefined;
      }
    }
    if (record === undefined) {
      const intactAt = frameIntact ? offset : findIntactRecord(bytes, offset + 1);
      if (intactAt === undefined) return { records, lastSequence: last, tornAt: offset };
      const why = intactAt === offset ? 'its checksum matches, so no crash tore it' : `an intact record follows at offset ${intactAt}`;
      throw new CorruptionError({ file, offset, reason: `${damage} (${why}: this is not a torn tail)` });
    }
    for (const { sequence, kind, key, value } of record.entries) onEntry(sequence, kind, key, value);
    last = record.entries[record.entries.length - 1]!.sequence;
    records++;
    offset = record.end;
  }
  return { records, lastSequence: last, tornAt: undefined };
  // #endregion
}

/**
 * Returns the first offset >= `from` where an intact record frame starts
 * (see `frameDamage`), or undefined if there is none. It tries every offset:
 * after damage, nothing says where the next record would begin.
 */
export function findIntactRecord(bytes: Uint8Array, from: number): number | undefined {
  for (let at = from; at + HEADER_SIZE <= bytes.length; at++) {
    if (frameDamage(bytes, at) === undefined) return at;
  }
  return undefined;
}
