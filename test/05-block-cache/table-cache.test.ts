/**
 * Task 5.8: the table cache. Tables 1..8 sit on an in-memory disk behind a
 * FaultyFileSystem, whose `openFiles` is the set of descriptors open right
 * now: the cache must keep it within maxOpenFiles, and close exactly the
 * least recently used reader.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { ClosedError, InvalidArgumentError, IOError } from '#toolkit/errors.ts';
import type { TableReader } from '#sstable/table-reader.ts';
import { BlockCache } from '#cache/block-cache.ts';
import { TableCache } from '#cache/table-cache.ts';
import { diskWithTables, keyAt, valueAt, DIR } from './tables.ts';

const TABLES = 8;
const KEYS = 40;

/** Reads key 7 through `reader` and checks it came from table `fileNumber`. */
function expectReads(reader: TableReader, fileNumber: number, hint = `the reader of table ${fileNumber}`): void {
  const entry = reader.get(utf8(keyAt(7)));
  expect(entry === undefined ? undefined : fromUtf8(entry.value), hint).toBe(valueAt(fileNumber, 7));
}

/** Returns the error `body` throws, or fails the test if it throws nothing. */
function errorOf(body: () => unknown): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('TableCache: open on a miss, reuse on a hit (task 5.8)', () => {
  test('a miss opens the table; a hit returns the same open reader and opens nothing', () => {
    const fs = diskWithTables(TABLES, KEYS);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 3 });
    const reader = tables.get(1);
    expectReads(reader, 1);
    expect(fs.counts.open, 'one miss, one open').toBe(1);
    expect(tables.get(1), 'a hit must return the reader already open').toBe(reader);
    expect(fs.counts.open, 'a hit must not open the file again').toBe(1);
    expect(fs.openFiles.size).toBe(1);
    expect(tables.stats).toEqual({ opens: 1, hits: 1, evictions: 0, openReaders: 1 });
    tables.close();
  });

  test('the readers open table N at <dir>/<6-digit N>.sst with the shared block cache', () => {
    const fs = diskWithTables(TABLES, KEYS);
    const blockCache = new BlockCache(64 * 1024);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 4, blockCache });
    expect(tables.get(3).path).toBe('/db/000003.sst');
    expect(tables.get(3).fileNumber, 'the reader must know its file number: it names its blocks in the cache').toBe(3);
    expectReads(tables.get(3), 3);
    expectReads(tables.get(3), 3);
    expect(blockCache.stats, 'the reader must be opened with the block cache').toMatchObject({ misses: 1, hits: 1 });
    tables.close();
  });
});

describe('TableCache: bounded open files (task 5.8)', () => {
  test('the least recently used reader is the one closed', () => {
    const fs = diskWithTables(TABLES, KEYS);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 3 });
    const one = tables.get(1);
    const two = tables.get(2);
    tables.get(3);
    tables.get(1); // Table 1 is used again: now table 2 is the least recently used.
    tables.get(4);
    const closed = [1, 2, 3].filter((n) => !tables.isOpen(n));
    expect(
      closed,
      closed[0] === 1
        ? "closed table 1 but table 2 was least recently used: does get() count a hit as a use (move it to the front)?"
        : 'opening table 4 must close exactly table 2, the least recently used',
    ).toEqual([2]);
    expect(tables.fileNumbers(), 'open tables, least recently used first').toEqual([3, 1, 4]);
    expect(fs.openFiles.size, 'three readers open, no more').toBe(3);
    expectReads(one, 1, 'table 1 is still open and must still read');
    expect(errorOf(() => two.get(utf8(keyAt(7)))), 'the evicted reader of table 2 must have been closed').toBeInstanceOf(
      ClosedError,
    );
    tables.close();
  });

  test('a reader handed out and then evicted is closed: callers must not hold one across other gets', () => {
    const fs = diskWithTables(TABLES, KEYS);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 1 });
    const held = tables.get(1);
    expectReads(tables.get(2), 2);
    expect(errorOf(() => held.get(utf8(keyAt(7)))), 'table 1 was evicted by get(2), so its reader is closed').toBeInstanceOf(
      ClosedError,
    );
    expectReads(tables.get(1), 1, 'asking again opens table 1 anew');
    expect(tables.stats.opens).toBe(3);
    tables.close();
  });

  test('open file descriptors never exceed maxOpenFiles, whatever the order of gets', () => {
    const run = fc.integer({ min: 1, max: 4 }).chain((maxOpenFiles) =>
      fc.tuple(fc.constant(maxOpenFiles), fc.array(fc.integer({ min: 1, max: TABLES }), { minLength: 1, maxLength: 40 })),
    );
    fc.assert(
      fc.property(run, ([maxOpenFiles, gets]) => {
        // A fresh disk per run: descriptors leaked by a failing run must not blame the next one.
        const fs = diskWithTables(TABLES, KEYS);
        const tables = new TableCache(fs, DIR, { maxOpenFiles });
        const model: number[] = []; // File numbers, least recently used first.
        let opens = 0;
        let hits = 0;
        let evictions = 0;
        gets.forEach((n, i) => {
          const where = `step ${i}, get(${n}) with maxOpenFiles ${maxOpenFiles}`;
          const at = model.indexOf(n);
          if (at >= 0) {
            hits++;
            model.splice(at, 1);
          } else {
            opens++;
          }
          model.push(n);
          if (model.length > maxOpenFiles) {
            model.shift();
            evictions++;
          }
          expectReads(tables.get(n), n, `${where}: the reader returned must read table ${n}`);
          expect(fs.openFiles.size, `${where}: more files open than maxOpenFiles (is the evicted reader closed?)`).toBeLessThanOrEqual(
            maxOpenFiles,
          );
          expect(fs.openFiles.size, `${where}: exactly one descriptor per cached reader`).toBe(model.length);
          expect(tables.fileNumbers(), `${where}: open tables, least recently used first`).toEqual(model);
          expect(tables.stats, `${where}: counters`).toEqual({ opens, hits, evictions, openReaders: model.length });
        });
        tables.close();
        expect(fs.openFiles.size, 'close() must close every reader').toBe(0);
      }),
    );
  });

  test('counters: opens, hits and evictions after a scripted sequence', () => {
    const fs = diskWithTables(TABLES, KEYS);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 2 });
    for (const n of [1, 2, 1, 3, 2, 2]) tables.get(n);
    expect(tables.stats, 'get 1 open, 2 open, 1 hit, 3 open (evicts 2: 1 was used after it), 2 open (evicts 1), 2 hit').toEqual({ opens: 4, hits: 2, evictions: 2, openReaders: 2 });
    tables.evict(3);
    expect(tables.stats, 'evict() closes table 3 but is not counted as an eviction').toEqual({
      opens: 4,
      hits: 2,
      evictions: 2,
      openReaders: 1,
    });
    expect(() => new TableCache(fs, DIR, { maxOpenFiles: 0 })).toThrow(InvalidArgumentError);
    tables.close();
  });
});

describe('TableCache: evict, pin, errors and close (task 5.8)', () => {
  test("evict(fileNumber) closes the table's reader and drops its blocks from the block cache", () => {
    const fs = diskWithTables(TABLES, KEYS);
    const blockCache = new BlockCache(64 * 1024);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 4, blockCache });
    const one = tables.get(1);
    expectReads(one, 1);
    expectReads(tables.get(2), 2);
    tables.evict(1);
    expect(tables.isOpen(1)).toBe(false);
    expect(errorOf(() => one.get(utf8(keyAt(7)))), 'an evicted reader is closed').toBeInstanceOf(ClosedError);
    expect(fs.openFiles.size).toBe(1);
    expect(blockCache.keys().filter((k) => k.startsWith('1:')), "table 1's blocks are gone").toEqual([]);
    expect(blockCache.stats.entries, "table 2's block stays").toBe(1);
    tables.evict(1); // Not open any more: harmless.
    expectReads(tables.get(1), 1, 'table 1 can be opened again');
    expect(tables.stats.opens).toBe(3);
    tables.close();
  });

  test("a reader evicted by the bound keeps the table's blocks: re-opened, it reads no data block", () => {
    const fs = diskWithTables(TABLES, KEYS);
    const blockCache = new BlockCache(64 * 1024);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 1, blockCache });
    expectReads(tables.get(1), 1);
    expectReads(tables.get(2), 2); // Evicts table 1's reader; its blocks stay cached under file number 1.
    const again = tables.get(1);
    expectReads(again, 1);
    expect(again.stats.blockReads, 'the block cache is keyed by file number, so the new reader finds the old blocks').toBe(0);
    expect(again.stats.cacheHits).toBe(1);
    tables.close();
  });

  test('a pinned reader evicted by the bound stays open until its last release', () => {
    const fs = diskWithTables(TABLES, KEYS);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 2 });
    const pinned = tables.pin(1);
    const again = tables.pin(1);
    expect(again.reader).toBe(pinned.reader);
    tables.get(2);
    tables.get(3); // Evicts table 1 from the cache, but it is pinned.
    expect(tables.isOpen(1)).toBe(false);
    expectReads(pinned.reader, 1, 'a pinned reader must survive its eviction');
    expect(tables.stats.openReaders, 'two cached readers plus one pinned').toBe(3);
    expect(fs.openFiles.size).toBe(3);
    pinned.release();
    pinned.release(); // Twice is harmless: it still counts as one release.
    expectReads(again.reader, 1, 'one pin is left');
    again.release();
    expect(errorOf(() => pinned.reader.get(utf8(keyAt(7)))), 'the last release closes the evicted reader').toBeInstanceOf(
      ClosedError,
    );
    expect(fs.openFiles.size).toBe(2);
    const cached = tables.pin(2);
    cached.release();
    expectReads(tables.get(2), 2, 'releasing a reader still cached leaves it open');
    tables.close();
  });

  test('a missing table file is an IOError naming its path, and leaves the cache as it was', () => {
    const fs = diskWithTables(TABLES, KEYS);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 2 });
    tables.get(1);
    tables.get(2);
    const error = errorOf(() => tables.get(99));
    expect(error).toBeInstanceOf(IOError);
    expect((error as IOError).path).toBe('/db/000099.sst');
    expect((error as IOError).errno).toBe('ENOENT');
    expect(tables.fileNumbers(), 'a failed open must not evict anything').toEqual([1, 2]);
    expect(tables.stats.opens, 'a failed open is not counted').toBe(2);
    expect(fs.openFiles.size).toBe(2);
    tables.close();
  });

  test('close() closes every reader, pinned ones too; get() afterwards throws ClosedError', () => {
    const fs = diskWithTables(TABLES, KEYS);
    const tables = new TableCache(fs, DIR, { maxOpenFiles: 2 });
    const pinned = tables.pin(1);
    tables.get(2);
    tables.get(3);
    expect(fs.openFiles.size).toBe(3);
    tables.close();
    expect(fs.openFiles.size, 'no descriptor may outlive the cache').toBe(0);
    expect(errorOf(() => tables.get(2))).toBeInstanceOf(ClosedError);
    pinned.release(); // After close: harmless.
    tables.close(); // Twice: harmless.
  });
});
