/**
 * Chapter 2, the log as a directory of segments: starting a segment durably
 * (task 2.5), appending and syncing (2.6), rotation (2.7), replay across
 * segments (2.8), removal of obsolete segments, misuse, and I/O failures.
 */
import { describe, expect, it } from 'vitest';
import { formatBytes, utf8 } from '#toolkit/bytes.ts';
import { ClosedError, CorruptionError, InvalidArgumentError, IOError } from '#toolkit/errors.ts';
import { FaultyFileSystem } from '#toolkit/faulty-file-system.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import { WriteAheadLog, type ReplayResult } from '#wal/write-ahead-log.ts';
import { WriteBatch } from '#wal/write-batch.ts';

// ---- helpers -------------------------------------------------------------

const DIR = '/db';

function newFs(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  fs.mkdir(DIR);
  return fs;
}

function put(key: string, value: string): WriteBatch {
  return new WriteBatch().put(utf8(key), utf8(value));
}

function replay(fs: FileSystem, fromNumber = 0): { entries: string[]; result: ReplayResult } {
  const entries: string[] = [];
  const result = WriteAheadLog.replay(fs, DIR, fromNumber, (sequence, kind, key, value) =>
    entries.push(`${formatBytes(key)}#${sequence},${kind === ValueKind.Put ? 'PUT' : 'DEL'}=${formatBytes(value)}`),
  );
  return { entries, result };
}

/** Writes k1..k7 across segments 1, 3 and 8 (rotating twice) and closes the log. */
function threeSegments(fs: FileSystem): WriteAheadLog {
  const wal = WriteAheadLog.create(fs, DIR, 1);
  wal.append(put('k1', 'a'), 1);
  wal.append(put('k2', 'b'), 2);
  wal.append(new WriteBatch().put(utf8('k3'), utf8('c')).delete(utf8('k1')), 3);
  wal.rotate(3);
  wal.append(put('k5', 'e'), 5);
  wal.append(put('k6', 'f'), 6);
  wal.rotate(8);
  wal.append(put('k7', 'g'), 7);
  return wal;
}

const ALL_SEVEN = ['k1#1,PUT=a', 'k2#2,PUT=b', 'k3#3,PUT=c', 'k1#4,DEL=', 'k5#5,PUT=e', 'k6#6,PUT=f', 'k7#7,PUT=g'];

// ---- segments and rotation ----------------------------------------------

describe('segments and rotation', () => {
  it('replays records that span several segments in order', () => {
    const fs = newFs();
    threeSegments(fs).close();
    const { entries, result } = replay(fs);
    expect(entries, 'segments are read in ascending number order, records in file order').toEqual(ALL_SEVEN);
    expect(result.segments).toEqual([1, 3, 8]);
    expect(result.lastSequence).toBe(7);
    expect(result.tornAt, 'a cleanly closed log has no torn tail').toBeUndefined();
  });

  it('names segments by number, zero-padded: 000001.log, 000003.log, 000008.log', () => {
    const fs = newFs();
    const wal = threeSegments(fs);
    expect(fs.list(DIR)).toEqual(['000001.log', '000003.log', '000008.log']);
    expect(wal.segments()).toEqual([1, 3, 8]);
    expect(wal.logNumber, 'after rotate(8) the log appends to segment 8').toBe(8);
    wal.close();
  });

  it('replays only the segments numbered fromNumber or more', () => {
    const fs = newFs();
    threeSegments(fs).close();
    const { entries, result } = replay(fs, 3);
    expect(entries, 'segment 1 is older than fromNumber: its writes are already in a table').toEqual(ALL_SEVEN.slice(4));
    expect(result.segments).toEqual([3, 8]);
  });

  it('ignores files that are not segments', () => {
    const fs = newFs();
    threeSegments(fs).close();
    for (const name of ['000002.sst', 'MANIFEST-000004', '7.log', '000009.log.tmp', 'CURRENT']) {
      const f = fs.createWritable(`${DIR}/${name}`);
      f.append(utf8('not a log'));
      f.close();
    }
    expect(replay(fs).entries).toEqual(ALL_SEVEN);
  });

  it('replays an empty directory as nothing, with lastSequence 0', () => {
    const { entries, result } = replay(newFs());
    expect(entries).toEqual([]);
    expect(result).toEqual({ lastSequence: 0, segments: [] });
  });

  it('removeSegmentsBefore deletes only the older segments', () => {
    const fs = newFs();
    const wal = threeSegments(fs);
    expect(wal.removeSegmentsBefore(3)).toEqual([1]);
    expect(fs.list(DIR)).toEqual(['000003.log', '000008.log']);
    expect(wal.removeSegmentsBefore(8)).toEqual([3]);
    expect(wal.segments()).toEqual([8]);
    wal.append(put('k8', 'h'), 8);
    wal.close();
    expect(replay(fs).entries).toEqual(['k7#7,PUT=g', 'k8#8,PUT=h']);
  });

  it('removeSegmentsBefore refuses to remove the segment being written', () => {
    const fs = newFs();
    const wal = threeSegments(fs);
    expect(() => wal.removeSegmentsBefore(9)).toThrow(InvalidArgumentError);
    expect(wal.segments()).toEqual([1, 3, 8]);
    wal.close();
  });

  it('a torn tail in a segment that is not the last is a CorruptionError', () => {
    const fs = newFs();
    threeSegments(fs).close();
    // Cut segment 3 in the middle of its second record.
    const bytes = fs.readFile(`${DIR}/000003.log`);
    const cut = bytes.length - 5;
    const f = fs.createWritable(`${DIR}/000003.log`);
    f.append(bytes.subarray(0, cut));
    f.sync();
    f.close();
    let thrown: unknown;
    try {
      replay(fs);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'rotation synced segment 3 before segment 8 began, so its end cannot be a torn write').toBeInstanceOf(
      CorruptionError,
    );
    expect((thrown as CorruptionError).file).toBe(`${DIR}/000003.log`);
    expect((thrown as CorruptionError).offset, 'the start of the damaged record').toBe(bytes.length / 2);
  });

  it('a torn tail in the last segment is reported with that segment', () => {
    const fs = newFs();
    threeSegments(fs).close();
    const bytes = fs.readFile(`${DIR}/000008.log`);
    const f = fs.createWritable(`${DIR}/000008.log`);
    f.append(bytes.subarray(0, bytes.length - 1));
    f.close();
    const { entries, result } = replay(fs);
    expect(entries).toEqual(ALL_SEVEN.slice(0, 6));
    expect(result.tornAt).toEqual({ file: `${DIR}/000008.log`, offset: 0 });
    expect(result.lastSequence).toBe(6);
  });

  it('sequences must increase from one segment to the next', () => {
    const fs = newFs();
    const first = WriteAheadLog.create(fs, DIR, 1);
    first.append(put('a', '1'), 10);
    first.close();
    const second = WriteAheadLog.create(fs, DIR, 2);
    second.append(put('b', '2'), 4);
    second.close();
    let thrown: unknown;
    try {
      replay(fs);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'segment 2 starts at sequence 4 after segment 1 reached 10: pass lastSequence on to the next segment').toBeInstanceOf(
      CorruptionError,
    );
    expect((thrown as CorruptionError).file).toBe(`${DIR}/000002.log`);
    expect((thrown as CorruptionError).offset).toBe(0);
  });

  it('rotate refuses a log number that is not larger than the current one', () => {
    const fs = newFs();
    const wal = WriteAheadLog.create(fs, DIR, 5);
    wal.append(put('a', '1'), 1);
    expect(() => wal.rotate(5), 'replay reads segments in number order').toThrow(InvalidArgumentError);
    expect(() => wal.rotate(2)).toThrow(InvalidArgumentError);
    wal.rotate(6);
    wal.append(put('b', '2'), 2);
    wal.close();
    expect(replay(fs).entries).toEqual(['a#1,PUT=1', 'b#2,PUT=2']);
  });

  it('sequences keep increasing across a rotation', () => {
    const fs = newFs();
    const wal = WriteAheadLog.create(fs, DIR, 1);
    wal.append(put('a', '1'), 10);
    wal.rotate(2);
    expect(() => wal.append(put('b', '2'), 10), 'the new segment continues after sequence 10').toThrow(InvalidArgumentError);
    wal.append(put('b', '2'), 11);
    wal.close();
    expect(replay(fs).result.lastSequence).toBe(11);
  });
});

// ---- durability ----------------------------------------------------------

describe('what survives a crash', () => {
  it('a record appended with sync: true survives a power loss that drops every unsynced byte and name', () => {
    const fs = newFs();
    const wal = WriteAheadLog.create(fs, DIR, 1);
    wal.append(put('a', '1'), 1, { sync: true });
    fs.crash({ data: 'drop', names: 'drop' });
    expect(replay(fs).entries, 'sync: true fsyncs the segment; create syncs the directory so the name survives too').toEqual([
      'a#1,PUT=1',
    ]);
  });

  it('a record appended without sync is lost when the crash drops unsynced bytes', () => {
    const fs = newFs();
    const wal = WriteAheadLog.create(fs, DIR, 1);
    wal.append(put('a', '1'), 1, { sync: true });
    wal.append(put('b', '2'), 2);
    fs.crash({ data: 'drop', names: 'drop' });
    expect(replay(fs).entries, 'without sync the record is only in the OS: a power loss can drop it').toEqual(['a#1,PUT=1']);
  });

  it('rotate makes the finished segment durable, and the new segment name too', () => {
    const fs = newFs();
    const wal = WriteAheadLog.create(fs, DIR, 1);
    wal.append(put('a', '1'), 1);
    wal.append(put('b', '2'), 2);
    wal.rotate(2);
    wal.append(put('c', '3'), 3, { sync: true });
    fs.crash({ data: 'drop', names: 'drop' });
    const { entries, result } = replay(fs);
    expect(entries, 'rotate syncs the old segment before starting the next, and syncs the directory after creating it').toEqual([
      'a#1,PUT=1',
      'b#2,PUT=2',
      'c#3,PUT=3',
    ]);
    expect(result.segments).toEqual([1, 2]);
  });

  it('close makes every appended record durable', () => {
    const fs = newFs();
    const wal = WriteAheadLog.create(fs, DIR, 1);
    wal.append(put('a', '1'), 1);
    wal.close();
    fs.crash({ data: 'drop', names: 'drop' });
    expect(replay(fs).entries).toEqual(['a#1,PUT=1']);
  });

  it('appends each record with one write call', () => {
    const faulty = new FaultyFileSystem(newFs());
    const wal = WriteAheadLog.create(faulty, DIR, 1);
    faulty.resetCounts();
    wal.append(new WriteBatch().put(utf8('a'), utf8('1')).put(utf8('b'), utf8('2')), 1);
    wal.append(put('c', '3'), 3, { sync: true });
    expect(faulty.counts.write, 'a record reaches the file in ONE append, so a crash between two calls cannot split it').toBe(2);
    expect(faulty.counts.sync, 'only the append with sync: true fsyncs').toBe(1);
    wal.close();
  });
});

// ---- misuse and failures -------------------------------------------------

describe('bad input and misuse', () => {
  it('refuses an empty batch with an InvalidArgumentError and writes nothing', () => {
    const fs = newFs();
    const wal = WriteAheadLog.create(fs, DIR, 1);
    wal.append(put('a', '1'), 1);
    const size = wal.size;
    expect(() => wal.append(new WriteBatch(), 2)).toThrow(InvalidArgumentError);
    expect(wal.size, 'a refused append must not touch the file').toBe(size);
    wal.append(put('b', '2'), 2);
    wal.close();
    expect(replay(fs).entries).toEqual(['a#1,PUT=1', 'b#2,PUT=2']);
  });

  it('refuses a sequence above 2^53 - 1 with an InvalidArgumentError', () => {
    const wal = WriteAheadLog.create(newFs(), DIR, 1);
    wal.append(put('a', '1'), MAX_SEQUENCE - 1);
    expect(() => wal.append(put('b', '2'), MAX_SEQUENCE + 1)).toThrow(InvalidArgumentError);
    expect(() => wal.append(new WriteBatch().put(utf8('b'), utf8('2')).put(utf8('c'), utf8('3')), MAX_SEQUENCE)).toThrow(
      InvalidArgumentError,
    );
    wal.append(put('b', '2'), MAX_SEQUENCE);
    wal.close();
  });

  it('refuses a sequence that is not larger than the last one logged', () => {
    const wal = WriteAheadLog.create(newFs(), DIR, 1);
    wal.append(new WriteBatch().put(utf8('a'), utf8('1')).put(utf8('b'), utf8('2')), 5);
    expect(() => wal.append(put('c', '3'), 6), 'the batch used sequences 5 and 6').toThrow(InvalidArgumentError);
    expect(() => wal.append(put('c', '3'), 3)).toThrow(InvalidArgumentError);
    wal.append(put('c', '3'), 7);
    expect(wal.lastSequence).toBe(7);
    wal.close();
  });

  it('throws ClosedError when used after close, and closing twice is allowed', () => {
    const wal = WriteAheadLog.create(newFs(), DIR, 1);
    wal.append(put('a', '1'), 1);
    wal.close();
    wal.close();
    expect(() => wal.append(put('b', '2'), 2)).toThrow(ClosedError);
    expect(() => wal.sync()).toThrow(ClosedError);
    expect(() => wal.rotate(2)).toThrow(ClosedError);
    expect(() => wal.removeSegmentsBefore(1)).toThrow(ClosedError);
  });
});

describe('I/O failures', () => {
  it('an EIO on sync surfaces as an IOError from append({ sync: true })', () => {
    const faulty = new FaultyFileSystem(newFs());
    const wal = WriteAheadLog.create(faulty, DIR, 1);
    wal.append(put('a', '1'), 1, { sync: true });
    faulty.inject({ kind: 'sync', nth: 1 });
    let thrown: unknown;
    try {
      wal.append(put('b', '2'), 2, { sync: true });
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'do not swallow a failed fsync: the caller must not think the write is durable').toBeInstanceOf(IOError);
    expect((thrown as IOError).errno).toBe('EIO');
    expect((thrown as IOError).operation).toBe('sync');
  });

  it('after a failed sync the log refuses further appends, even once the disk recovers', () => {
    const faulty = new FaultyFileSystem(newFs());
    const wal = WriteAheadLog.create(faulty, DIR, 1);
    wal.append(put('a', '1'), 1);
    faulty.inject({ kind: 'sync', nth: 1 });
    expect(() => wal.append(put('b', '2'), 2, { sync: true })).toThrow(IOError);
    faulty.heal();
    expect(() => wal.append(put('c', '3'), 3), 'a retried fsync can report success after the data was dropped').toThrow(IOError);
    expect(() => wal.close(), 'close does not sync a failed log, and does not throw').not.toThrow();
  });

  it('an EIO on write surfaces as an IOError from append', () => {
    const faulty = new FaultyFileSystem(newFs());
    const wal = WriteAheadLog.create(faulty, DIR, 1);
    wal.append(put('a', '1'), 1);
    faulty.inject({ kind: 'write', nth: 1, errno: 'ENOSPC' });
    let thrown: unknown;
    try {
      wal.append(put('b', '2'), 2);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IOError);
    expect((thrown as IOError).errno).toBe('ENOSPC');
  });
});
