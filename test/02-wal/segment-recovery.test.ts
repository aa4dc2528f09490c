/**
 * Chapter 2, the recovery policy of one segment (task 2.4, readSegment /
 * scanSegment; segments are built with encodeRecord, task 2.1): a torn tail
 * is cut off quietly and reported; damage with an intact record at or after
 * it is corruption, thrown, never skipped.
 */
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '#toolkit/byte-writer.ts';
import { formatBytes, utf8 } from '#toolkit/bytes.ts';
import { crc32c, maskCrc } from '#toolkit/crc32c.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import { writeU32 } from '#toolkit/fixed-int.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { readSegment, type SegmentReadResult } from '#wal/wal-reader.ts';
import { encodeRecord } from '#wal/wal-record.ts';
import { WriteBatch } from '#wal/write-batch.ts';

// ---- helpers -------------------------------------------------------------

const SEGMENT = '/db/000001.log';

function show(sequence: number, kind: ValueKind, key: Uint8Array, value: Uint8Array): string {
  const v = value.length > 24 ? `<${value.length} bytes ${crc32c(value).toString(16)}>` : formatBytes(value);
  return `${formatBytes(key)}#${sequence},${kind === ValueKind.Put ? 'PUT' : 'DEL'}=${v}`;
}

function expected(batch: WriteBatch, firstSequence: number): string[] {
  return batch.entries.map((e, i) => show(firstSequence + i, e.kind, e.key, e.value));
}

/** A segment's bytes and, for each record, where it starts and ends and what it holds. */
interface Written {
  readonly bytes: Uint8Array;
  readonly starts: number[];
  readonly ends: number[];
  readonly records: string[][];
}

/** Encodes `batches` as consecutive records, sequences from 1, and returns the segment's bytes. */
function writeLog(batches: WriteBatch[]): Written {
  const out = new ByteWriter();
  const starts: number[] = [];
  const ends: number[] = [];
  const records: string[][] = [];
  let sequence = 1;
  for (const batch of batches) {
    starts.push(out.length);
    encodeRecord(out, batch, sequence);
    records.push(expected(batch, sequence));
    sequence += batch.count;
    ends.push(out.length);
  }
  return { bytes: out.toBytes(), starts, ends, records };
}

/** Stores `bytes` as a segment in a fresh file system and reads it back with readSegment. */
function replayBytes(bytes: Uint8Array, afterSequence = 0): { entries: string[]; result: SegmentReadResult } {
  const fs = new MemoryFileSystem();
  fs.mkdir('/db');
  const f = fs.createWritable(SEGMENT);
  f.append(bytes);
  f.close();
  const entries: string[] = [];
  const result = readSegment(fs, SEGMENT, afterSequence, (s, k, key, value) => entries.push(show(s, k, key, value)));
  return { entries, result };
}

/** Runs `f` and returns the CorruptionError it throws; fails the test if it throws nothing or something else. */
function corruptionFrom(f: () => unknown, hint: string): CorruptionError {
  let thrown: unknown;
  try {
    f();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, hint).toBeInstanceOf(CorruptionError);
  return thrown as CorruptionError;
}

function batchOf(...ops: Array<[string, string] | [string]>): WriteBatch {
  const batch = new WriteBatch();
  for (const op of ops) {
    if (op.length === 2) batch.put(utf8(op[0]), utf8(op[1]));
    else batch.delete(utf8(op[0]));
  }
  return batch;
}

const WORKLOAD = [
  batchOf(['apple', 'red']),
  batchOf(['pear']),
  batchOf(['fig', 'purple'], ['kiwi', 'green'], ['lime']),
  new WriteBatch().put(utf8('big'), new Uint8Array(300).fill(7)),
  new WriteBatch().put(new Uint8Array(0), new Uint8Array(0)),
  batchOf(['plum', 'dark'], ['apple']),
];

// ---- torn tails ----------------------------------------------------------

describe('a torn tail is cut off and reported', () => {
  it('a log cut at every byte offset replays exactly the complete records before the cut', () => {
    const log = writeLog(WORKLOAD);
    for (let cut = 0; cut <= log.bytes.length; cut++) {
      const complete = log.ends.filter((end) => end <= cut).length;
      const { entries, result } = replayBytes(log.bytes.subarray(0, cut));
      expect(entries, `cut at byte ${cut}: only the ${complete} records that end before the cut are whole`).toEqual(
        log.records.slice(0, complete).flat(),
      );
      const atBoundary = cut === 0 || log.ends.includes(cut);
      if (atBoundary) {
        expect(result.tornAt, `cut at byte ${cut} falls between records: the log ended cleanly`).toBeUndefined();
      } else {
        expect(result.tornAt, `cut at byte ${cut}, inside record ${complete + 1}: report where the torn record starts`).toBe(
          log.starts[complete],
        );
      }
      const last = log.records.slice(0, complete).flat().length;
      expect(result.lastSequence, 'lastSequence is the sequence of the last entry replayed (afterSequence, 0 here, if none)').toBe(last);
      expect(result.records).toBe(complete);
    }
  });

  it('a batch record cut anywhere yields none of its entries', () => {
    const batch = batchOf(['b1', 'one'], ['b2', 'two'], ['b3'], ['b4', 'four']);
    const log = writeLog([batchOf(['a', 'first']), batch]);
    for (let cut = log.starts[1]! + 1; cut < log.ends[1]!; cut++) {
      const { entries } = replayBytes(log.bytes.subarray(0, cut));
      expect(entries, `cut at ${cut}, inside the batch: a batch is all or nothing`).toEqual(log.records[0]);
    }
  });

  it('a batch record whose end was overwritten with garbage yields none of its entries', () => {
    const batch = batchOf(['b1', 'one'], ['b2', 'two'], ['b3'], ['b4', 'four']);
    const log = writeLog([batchOf(['a', 'first']), batch]);
    const random = new SeededRandom(7);
    for (let from = log.starts[1]!; from < log.ends[1]!; from++) {
      const bytes = log.bytes.slice();
      for (let i = from; i < bytes.length; i++) bytes[i] = random.below(256);
      const { entries, result } = replayBytes(bytes);
      expect(entries, `garbage from byte ${from}`).toEqual(log.records[0]);
      expect(result.tornAt).toBe(log.starts[1]);
    }
  });

  it('zeros after the last record (a preallocated tail) are a torn tail, not corruption', () => {
    const log = writeLog(WORKLOAD.slice(0, 3));
    const bytes = new Uint8Array(log.bytes.length + 64);
    bytes.set(log.bytes);
    const { entries, result } = replayBytes(bytes);
    expect(entries).toEqual(log.records.flat());
    expect(result.tornAt).toBe(log.bytes.length);
  });

  it('a damaged last record with nothing intact after it is a torn tail, not an error', () => {
    const log = writeLog(WORKLOAD.slice(0, 4));
    const bytes = log.bytes.slice();
    bytes[log.starts[3]! + 30]! ^= 0x10;
    const { entries, result } = replayBytes(bytes);
    expect(entries, 'the records before the damaged last one are replayed').toEqual(log.records.slice(0, 3).flat());
    expect(result.tornAt, 'the damaged last record is reported as the torn tail').toBe(log.starts[3]);
  });
});

// ---- corruption ----------------------------------------------------------

describe('damage in the middle of a log is a CorruptionError', () => {
  const places: Array<[string, number]> = [
    ['the crc', 0],
    ['the sequence', 5],
    ['key_length', 12],
    ['value_length', 17],
    ['the kind', 20],
    ['the key', 21],
    ['the last byte of the value', -1],
  ];

  it.each(places)('a damaged byte in %s of record 2 of 5 is reported at record 2', (_what, at) => {
    const log = writeLog(WORKLOAD.slice(0, 5));
    const bytes = log.bytes.slice();
    const where = at >= 0 ? log.starts[1]! + at : log.ends[1]! + at;
    bytes[where]! ^= 0x40;
    const error = corruptionFrom(
      () => replayBytes(bytes),
      'records 3 to 5 are intact after the damage: treating it as a torn tail would silently drop them',
    );
    expect(error.file, 'name the segment file').toBe(SEGMENT);
    expect(error.offset, 'report the offset where the damaged record starts').toBe(log.starts[1]);
  });

  it('damage in the first record with intact records after it is reported at offset 0', () => {
    const log = writeLog(WORKLOAD.slice(0, 3));
    const bytes = log.bytes.slice();
    bytes[8]! ^= 1;
    expect(corruptionFrom(() => replayBytes(bytes), 'intact records follow').offset).toBe(0);
  });

  it('flipping any single bit gives a CorruptionError or an exact prefix of the records, never altered data', () => {
    const log = writeLog([batchOf(['a', 'x']), batchOf(['b'], ['c', 'yy']), batchOf(['d', 'zzz'])]);
    const all = log.records.flat();
    for (let bit = 0; bit < log.bytes.length * 8; bit++) {
      const bytes = log.bytes.slice();
      const byte = bit >> 3;
      bytes[byte]! ^= 1 << (bit & 7);
      const record = log.ends.findIndex((end) => byte < end);
      let outcome: { entries: string[]; result: SegmentReadResult } | CorruptionError;
      try {
        outcome = replayBytes(bytes);
      } catch (error) {
        if (!(error instanceof CorruptionError)) throw error;
        outcome = error;
      }
      if (outcome instanceof CorruptionError) {
        expect(record, `bit ${bit} (in the last record) is a torn tail: nothing intact follows`).toBeLessThan(2);
        expect(outcome.offset, `bit ${bit}: report the damaged record's start`).toBe(log.starts[record]);
      } else {
        expect(all.slice(0, outcome.entries.length), `bit ${bit}: replayed entries must be a prefix of what was written`).toEqual(
          outcome.entries,
        );
        expect(record, `bit ${bit} is in record ${record + 1} of 3 and intact records follow: that is corruption`).toBe(2);
        expect(outcome.entries).toEqual(log.records.slice(0, 2).flat());
        expect(outcome.result.tornAt).toBe(log.starts[2]);
      }
    }
  });

  it('a record with a valid checksum but a sequence that does not increase is corruption, even at the end', () => {
    const out = new ByteWriter();
    encodeRecord(out, batchOf(['a', '1']), 5);
    const second = out.length;
    encodeRecord(out, batchOf(['b', '2']), 5);
    const error = corruptionFrom(
      () => replayBytes(out.toBytes()),
      'a crash cannot produce a record whose checksum matches: it was written whole, so this is not a torn tail',
    );
    expect(error.offset).toBe(second);
    expect(error.reason).toMatch(/sequence/);
  });

  it('a record whose sequence passes 2^53 - 1 is corruption, never data, even with a matching checksum', () => {
    const log = writeLog([batchOf(['a', '1'])]);
    // A Put of "k" at sequence 2^53, built from the documented layout with a correct crc.
    const bad = new Uint8Array(22);
    writeU32(bad, 4, 0);
    writeU32(bad, 8, 0x20_0000);
    writeU32(bad, 12, 1);
    bad[20] = 1;
    bad[21] = 0x6b;
    writeU32(bad, 0, maskCrc(crc32c(bad.subarray(4))));
    const bytes = new Uint8Array(log.bytes.length + bad.length);
    bytes.set(log.bytes);
    bytes.set(bad, log.bytes.length);
    const error = corruptionFrom(() => replayBytes(bytes), 'a sequence above 2^53 - 1 cannot be held exactly by a number');
    expect(error.offset).toBe(log.bytes.length);
  });

  it('every sequence must be larger than afterSequence, the end of the segment before', () => {
    const log = writeLog([batchOf(['a', '1']), batchOf(['b', '2'])]);
    expect(replayBytes(log.bytes, 0).entries).toEqual(log.records.flat());
    const error = corruptionFrom(
      () => replayBytes(log.bytes, 1),
      'the segment before ended at sequence 1, so a record at sequence 1 cannot follow it',
    );
    expect(error.file).toBe(SEGMENT);
    expect(error.offset).toBe(0);
  });
});
