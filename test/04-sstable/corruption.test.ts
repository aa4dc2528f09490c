/**
 * Chapter 4, damaged tables (tasks 4.10-4.13 with everything beneath):
 * every single flipped bit, every truncation, a wrong magic number and a
 * newer format version. A damaged table may be refused, but it must never
 * return wrong data: with a checksum over every block and the footer, every
 * one of these is a CorruptionError.
 */

import { describe, expect, it } from 'vitest';
import { utf8 } from '#toolkit/bytes.ts';
import { crc32c, maskCrc } from '#toolkit/crc32c.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import { writeU32 } from '#toolkit/fixed-int.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { TableReader } from '#sstable/table-reader.ts';
import { buildTable, corruption, entry, fileBytes, scanForward, show, thrown, writeBytes, type Entry } from './support.ts';

/** A small table of several blocks: 40 entries, tombstones and empty values among them. */
function smallTable(): { bytes: Uint8Array; entries: Entry[] } {
  const entries: Entry[] = [];
  for (let i = 0; i < 20; i++) {
    const key = `key${String(i).padStart(3, '0')}`;
    entries.push(entry(key, 100 + i, i % 5 === 0 ? '' : `value-${i}`));
    entries.push(i % 3 === 0 ? entry(key, 50) : entry(key, 40, `old-${i}`));
  }
  const table = buildTable(entries, { blockSize: 96, restartInterval: 3 });
  return { bytes: fileBytes(table.fs, table.path), entries };
}

/** Opens the table in `bytes` and reads everything: a full scan, then a get of every entry at its sequence. */
function readEverything(bytes: Uint8Array, entries: readonly Entry[]): { scan: string[]; gets: string[] } {
  const fs = new MemoryFileSystem();
  writeBytes(fs, '/t.sst', bytes);
  const reader = TableReader.open(fs, '/t.sst');
  try {
    const scan = scanForward(reader.iterator());
    const gets = entries.map((e) => {
      const got = reader.get(e.userKey, e.sequence);
      return got === undefined ? 'undefined' : show({ userKey: e.userKey, ...got });
    });
    return { scan, gets };
  } finally {
    reader.close();
  }
}

describe('a damaged table', () => {
  it('with any single bit flipped is refused with a CorruptionError, never read as wrong data', () => {
    const { bytes, entries } = smallTable();
    const want = { scan: entries.map(show), gets: entries.map(show) };
    expect(readEverything(bytes, entries), 'the undamaged table reads back').toEqual(want);
    expect(bytes.length, 'the test table should span a few blocks').toBeGreaterThan(500);
    let refused = 0;
    let readCorrectly = 0;
    const wrong: string[] = [];
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const damaged = bytes.slice();
      damaged[bit >>> 3]! ^= 1 << (bit & 7);
      const outcome = thrown(() => {
        const got = readEverything(damaged, entries);
        if (JSON.stringify(got) === JSON.stringify(want)) readCorrectly++;
        else wrong.push(`bit ${bit} (byte ${bit >>> 3}): read ${JSON.stringify(got).slice(0, 200)}`);
      });
      if (outcome instanceof CorruptionError) refused++;
      else if (outcome !== undefined) wrong.push(`bit ${bit} (byte ${bit >>> 3}): threw ${String(outcome)}`);
    }
    expect(wrong.slice(0, 5), 'a flipped bit must give a CorruptionError (or, at worst, the original data): never wrong data, never another error').toEqual([]);
    expect(
      { refused, readCorrectly },
      'every block, trailer and the footer are checksummed: every flipped bit must be caught (check the crc of every block you read, and of the footer)',
    ).toEqual({ refused: bytes.length * 8, readCorrectly: 0 });
  });

  it('cut short at any length is a CorruptionError at open', () => {
    const { bytes } = smallTable();
    for (let length = 0; length < bytes.length; length++) {
      const fs = new MemoryFileSystem();
      writeBytes(fs, '/t.sst', bytes.subarray(0, length));
      const error = corruption(() => TableReader.open(fs, '/t.sst').close(), `the table cut to ${length} of ${bytes.length} bytes`);
      expect(error.file, 'the error names the file').toBe('/t.sst');
      expect(
        error.reason,
        length < 64
          ? `${length} bytes: shorter than the 64-byte footer, so "truncated" (check the length BEFORE reading fields)`
          : `${length} bytes: the last 8 bytes are not the magic, so "not a table (bad magic number)"`,
      ).toMatch(length < 64 ? /truncated/ : /not a table \(bad magic number\)/);
    }
  });

  it('with a wrong magic number is "not a table"', () => {
    const { bytes } = smallTable();
    const damaged = bytes.slice();
    damaged.set(utf8('LSM-TBL2'), damaged.length - 8);
    const fs = new MemoryFileSystem();
    writeBytes(fs, '/t.sst', damaged);
    const error = corruption(() => TableReader.open(fs, '/t.sst'), 'magic "LSM-TBL2"');
    expect(error.reason).toBe('not a table (bad magic number)');
    expect(error.offset, 'the magic is the last 8 bytes').toBe(bytes.length - 8);
  });

  it('of a newer format version is refused with a message naming both versions', () => {
    const { bytes } = smallTable();
    for (const version of [2, 7]) {
      const newer = bytes.slice();
      const footer = newer.subarray(newer.length - 64);
      writeU32(footer, 48, version);
      writeU32(footer, 52, maskCrc(crc32c(footer.subarray(0, 52)))); // A real newer table has a valid footer crc.
      const fs = new MemoryFileSystem();
      writeBytes(fs, '/t.sst', newer);
      const error = corruption(() => TableReader.open(fs, '/t.sst'), `a version ${version} table`);
      expect(
        error.reason,
        'check the version before the crc: a newer version may lay out its footer differently',
      ).toBe(`table format version ${version} is newer than this reader supports (1)`);
    }
  });

  it('never opens without checking the footer checksum', () => {
    const { bytes } = smallTable();
    // Point the index handle 1 byte further: magic and version are fine, only the crc catches it.
    const damaged = bytes.slice();
    const footer = damaged.subarray(damaged.length - 64);
    footer[32]! += 1;
    const fs = new MemoryFileSystem();
    writeBytes(fs, '/t.sst', damaged);
    const error = corruption(() => TableReader.open(fs, '/t.sst'), 'an index handle changed in the footer');
    expect(error.reason, 'the footer crc covers bytes 0-51: check it before using the handles').toMatch(/footer checksum/);
  });
});
