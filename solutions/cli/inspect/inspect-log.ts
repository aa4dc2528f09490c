/**
 * `lsm inspect 000013.log`: every record of a write-ahead log segment
 * (offset, sequence, kind, key, value length; a batch's entries indented
 * under it) and how the segment ends: cleanly, in a torn tail (the last
 * write cut off by a crash, which recovery ignores), or in corruption.
 *
 * The verdict is the WAL's own (scanSegment, chapter 2), so inspect never
 * disagrees with recovery. Records up to the damage are printed before a
 * CorruptionError is rethrown.
 */

import { formatBytes } from '#toolkit/bytes.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { RecordType } from '#wal/wal-format.ts';
import { scanSegment, type SegmentReadResult } from '#wal/wal-reader.ts';
import { decodeRecord } from '#wal/wal-record.ts';
import { formatCount, renderTable } from '../format.ts';

/** What a segment holds, for the database summary. */
export interface SegmentSummary {
  readonly records: number;
  readonly entries: number;
  /** The first and last sequence, or undefined for an empty segment. */
  readonly sequences: readonly [number, number] | undefined;
  /** Where the torn tail starts; undefined if the segment ends cleanly. */
  readonly tornAt: number | undefined;
  readonly bytes: number;
}

/** Longest key shown in full; longer ones are cut with "...". */
const KEY_SHOWN = 48;

/** Returns `key` in the `\xHH` notation, cut to KEY_SHOWN characters. */
export function shortKey(key: Uint8Array): string {
  const text = formatBytes(key);
  return text.length <= KEY_SHOWN ? text : `${text.slice(0, KEY_SHOWN - 3)}...`;
}

/**
 * Reads the segment at `path` and returns its summary.
 * @throws CorruptionError on damage before the end (not a torn tail).
 */
export function summarizeSegment(fs: FileSystem, path: string): SegmentSummary {
  const bytes = fs.readFile(path);
  let entries = 0;
  let first: number | undefined;
  let last = 0;
  const result = scanSegment(bytes, path, 0, (sequence) => {
    entries++;
    first ??= sequence;
    last = sequence;
  });
  return {
    records: result.records,
    entries,
    sequences: first === undefined ? undefined : [first, last],
    tornAt: result.tornAt,
    bytes: bytes.length,
  };
}

/**
 * Prints every record of the segment at `path` through `out`.
 * @throws CorruptionError on damage before the end, after printing the records before it.
 */
export function inspectLog(fs: FileSystem, path: string, out: (line: string) => void): void {
  const bytes = fs.readFile(path);
  let verdict: SegmentReadResult | undefined;
  let damage: CorruptionError | undefined;
  try {
    verdict = scanSegment(bytes, path, 0, () => {});
  } catch (error) {
    if (!(error instanceof CorruptionError)) throw error;
    damage = error;
  }
  const end = damage?.offset ?? verdict?.tornAt ?? bytes.length;

  out(`log segment ${path} (${formatCount(bytes.length)} bytes)`);
  const rows: string[][] = [['offset', 'sequence', 'kind', 'key', 'value']];
  let records = 0;
  let entries = 0;
  for (let offset = 0; offset < end; ) {
    const record = decodeRecord(bytes, offset, path);
    records++;
    if (record.type === RecordType.Batch) {
      rows.push([String(offset), String(record.entries[0]!.sequence), 'BATCH', `${record.entries.length} entries`, '']);
    }
    for (const entry of record.entries) {
      entries++;
      const kind = entry.kind === ValueKind.Put ? 'PUT' : 'DEL';
      const value = entry.kind === ValueKind.Put ? `${formatCount(entry.value.length)} bytes` : '';
      if (record.type === RecordType.Batch) rows.push(['', `  ${entry.sequence}`, `  ${kind}`, shortKey(entry.key), value]);
      else rows.push([String(offset), String(entry.sequence), kind, shortKey(entry.key), value]);
    }
    offset = record.end;
  }
  for (const line of renderTable(rows, 'left')) out(`  ${line}`);
  const counted = `${formatCount(records)} records, ${formatCount(entries)} entries`;
  if (damage !== undefined) {
    out(`ends: corruption at offset ${damage.offset} after ${counted}`);
    throw damage;
  }
  if (verdict?.tornAt !== undefined) {
    out(
      `ends: torn tail at offset ${verdict.tornAt} (${formatCount(bytes.length - verdict.tornAt)} bytes of an incomplete last record, ignored by recovery) after ${counted}`,
    );
  } else {
    out(`ends: cleanly at offset ${bytes.length} after ${counted}`);
  }
}
