/**
 * Chapter 4, what reading a table costs (tasks 4.12-4.15): open reads only
 * the footer, index, filter and meta blocks; a get reads at most one data
 * block and none when the filter rules the key out; a block cache serves
 * repeated reads; close() releases the file. I/O is counted through
 * FaultyFileSystem's counters and the reader's stats.
 */

import { describe, expect, it } from 'vitest';
import { utf8 } from '#toolkit/bytes.ts';
import { ClosedError, CorruptionError, InvalidArgumentError } from '#toolkit/errors.ts';
import { FaultyFileSystem } from '#toolkit/faulty-file-system.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import type { Block } from '#sstable/block.ts';
import type { BlockCacheLike } from '#sstable/block-cache-like.ts';
import { TableBuilder } from '#sstable/table-builder.ts';
import { TableReader } from '#sstable/table-reader.ts';
import { buildTable, entry, fileBytes, scanForward, show, thrown, writeBytes, type Entry } from './support.ts';

const key = (i: number): string => `key${String(i).padStart(6, '0')}`;

/** 2,000 entries, keys key000000, key000002, ... (even numbers only, so odd ones are absent). */
function evenEntries(): Entry[] {
  return Array.from({ length: 2000 }, (_, i) => entry(key(2 * i), 10, `value of ${key(2 * i)}`));
}

/** A test cache: a Map, with a log of what was asked and inserted. */
class MapCache implements BlockCacheLike {
  readonly blocks = new Map<string, Block>();
  readonly log: string[] = [];
  get(fileNumber: number, offset: number): Block | undefined {
    const block = this.blocks.get(`${fileNumber}:${offset}`);
    this.log.push(`get ${fileNumber}:${offset} ${block === undefined ? 'miss' : 'hit'}`);
    return block;
  }
  insert(fileNumber: number, offset: number, block: Block, charge: number): void {
    this.log.push(`insert ${fileNumber}:${offset} charge ${charge}`);
    this.blocks.set(`${fileNumber}:${offset}`, block);
  }
}

describe('TableReader.open', () => {
  it('reads only the footer, index, filter and meta blocks of a 20 MB table: 4 reads, no data block', () => {
    const memory = new MemoryFileSystem();
    const file = memory.createWritable('/000007.sst');
    const builder = new TableBuilder(file);
    // db_bench-like entries: 16-byte keys, 100-byte values cut from a random pool.
    const random = new SeededRandom(7);
    const pool = Uint8Array.from({ length: 4096 }, () => random.below(256));
    let n = 0;
    while (builder.fileSize < 20 * 1024 * 1024) {
      const at = (n * 37) % (pool.length - 100);
      builder.add(utf8(String(n).padStart(16, '0')), n + 1, ValueKind.Put, pool.subarray(at, at + 100));
      n++;
    }
    builder.finish();
    file.close();
    const fileSize = builder.fileSize;

    const fs = new FaultyFileSystem(memory);
    const reader = TableReader.open(fs, '/000007.sst');
    const tail = fileSize - reader.footer.filter.offset; // filter + meta + index blocks with trailers, and the footer
    expect(fs.counts.read, 'open reads the footer, then the index, filter and meta blocks: one read each').toBe(4);
    expect(
      fs.bytesRead,
      'open reads exactly the filter, meta and index blocks (each with its 5-byte trailer) and the 64-byte footer: no data block',
    ).toBe(tail);
    expect(fs.bytesRead, 'the index and filter are a small fraction of the table').toBeLessThan(fileSize / 20);
    expect(reader.stats.blockReads, 'no data block is read at open').toBe(0);

    fs.resetCounts();
    const found = reader.get(utf8(String(Math.floor(n / 2)).padStart(16, '0')));
    expect(found?.sequence).toBe(Math.floor(n / 2) + 1);
    expect(fs.counts.read, 'a get of a present key reads exactly one data block').toBe(1);
    expect(fs.bytesRead, 'one block of about 4 KiB and its trailer, not more').toBeLessThan(4096 + 200 + 5);
    reader.close();
  });

  it('closes the file when the table is damaged', () => {
    const table = buildTable(evenEntries());
    const bytes = fileBytes(table.fs, table.path);
    bytes[bytes.length - 1]! ^= 0xff;
    writeBytes(table.fs, table.path, bytes);
    const fs = new FaultyFileSystem(table.fs);
    expect(thrown(() => TableReader.open(fs, table.path)), 'a damaged magic number').toBeInstanceOf(CorruptionError);
    expect(fs.openFiles.size, 'a failed open must close the file it opened').toBe(0);
  });
});

describe('TableReader.get', () => {
  it('reads no data block when the filter rules the key out', () => {
    const table = buildTable(evenEntries(), { bitsPerKey: 10 });
    const fs = new FaultyFileSystem(table.fs);
    const reader = TableReader.open(fs, table.path);
    let rejected = 0;
    for (let i = 0; i < 1000; i++) {
      const absent = utf8(key(2 * i + 1));
      const reads = fs.counts.read;
      const negatives = reader.stats.filterNegatives;
      expect(reader.get(absent), `get(${key(2 * i + 1)}) of an absent key`).toBeUndefined();
      if (!reader.mayContain(absent)) {
        rejected++;
        expect(fs.counts.read - reads, `the filter rules out ${key(2 * i + 1)}: ask it first and read nothing`).toBe(0);
        expect(reader.stats.filterNegatives - negatives, 'count the filter negative in stats.filterNegatives').toBe(1);
      }
    }
    expect(rejected, 'at 10 bits per key about 99% of absent keys are ruled out').toBeGreaterThan(950);
    for (let i = 0; i < 20; i++) {
      const reads = fs.counts.read;
      expect(reader.get(utf8(key(2 * i)))?.value).toEqual(utf8(`value of ${key(2 * i)}`));
      expect(fs.counts.read - reads, 'a present key: one data block read (no cache)').toBe(1);
    }
    reader.close();
  });

  it('works without a filter (bitsPerKey 0): open reads 3 blocks and every get answers right', () => {
    const entries = evenEntries();
    const table = buildTable(entries, { bitsPerKey: 0 });
    const fs = new FaultyFileSystem(table.fs);
    const reader = TableReader.open(fs, table.path);
    expect(reader.footer.filter, 'no filter: the filter handle is (0, 0)').toEqual({ offset: 0, size: 0 });
    expect(reader.hasFilter).toBe(false);
    expect(fs.counts.read, 'without a filter, open reads the footer, index and meta: 3 reads').toBe(3);
    for (let i = 0; i < 200; i++) {
      expect(reader.mayContain(utf8(key(i))), 'no filter: every key may be in the table').toBe(true);
      const got = reader.get(utf8(key(i)));
      expect(got === undefined ? 'undefined' : show({ userKey: utf8(key(i)), ...got }), `get(${key(i)})`).toBe(
        i % 2 === 0 ? show(entries[i / 2]!) : 'undefined',
      );
    }
    expect(reader.stats.filterNegatives).toBe(0);
    reader.close();
  });
});

describe('a block cache', () => {
  it('serves repeated reads: the second get of a key reads no data block from the file', () => {
    const table = buildTable(evenEntries(), { blockSize: 512 });
    const fs = new FaultyFileSystem(table.fs);
    const cache = new MapCache();
    expect(thrown(() => TableReader.open(fs, table.path, { cache })), 'a cache needs the fileNumber').toBeInstanceOf(
      InvalidArgumentError,
    );
    const reader = TableReader.open(fs, table.path, { fileNumber: 1, cache });
    fs.resetCounts();
    const first = reader.get(utf8(key(500)));
    expect(fs.counts.read, 'the first get reads its block from the file').toBe(1);
    expect(cache.log.at(-1), 'and inserts it, charged its size').toMatch(/^insert 1:\d+ charge \d+$/);
    const [, offset, charge] = /^insert 1:(\d+) charge (\d+)$/.exec(cache.log.at(-1)!)!;
    expect(Number(charge), 'the charge is the block\'s size in bytes').toBe(cache.blocks.get(`1:${offset}`)!.size);
    const second = reader.get(utf8(key(500)));
    expect(fs.counts.read, 'the second get finds the block in the cache: no read').toBe(1);
    expect(second).toEqual(first);
    expect(reader.stats).toMatchObject({ blockReads: 1, cacheHits: 1 });

    // A full scan fills the cache; a second scan reads nothing.
    const scan = scanForward(reader.iterator());
    const reads = fs.counts.read;
    expect(scanForward(reader.iterator()), 'the table iterator reads blocks through the cache too').toEqual(scan);
    expect(fs.counts.read - reads, 'a second scan is served from the cache').toBe(0);
    reader.close();
  });

  it('keeps two tables apart by file number even when their blocks have the same offsets', () => {
    const memory = new MemoryFileSystem();
    const a = buildTable([entry('k', 1, 'from table A')], {}, memory, '/000001.sst');
    const b = buildTable([entry('k', 1, 'from table B')], {}, memory, '/000002.sst');
    const cache = new MapCache();
    const readerA = TableReader.open(a.fs, a.path, { fileNumber: 1, cache });
    const readerB = TableReader.open(b.fs, b.path, { fileNumber: 2, cache });
    expect(readerA.get(utf8('k'))?.value).toEqual(utf8('from table A'));
    expect(readerB.get(utf8('k'))?.value, 'name cached blocks by (fileNumber, offset)').toEqual(utf8('from table B'));
    expect(cache.blocks.size).toBe(2);
    readerA.close();
    readerB.close();
  });
});

describe('TableReader.close', () => {
  it('closes the file; afterwards get, iterator, mayContain and an iterator that needs a block throw ClosedError', () => {
    const table = buildTable(evenEntries(), { blockSize: 256 });
    const fs = new FaultyFileSystem(table.fs);
    const reader = TableReader.open(fs, table.path);
    const it = reader.iterator();
    it.seekToFirst();
    expect(it.valid()).toBe(true);
    reader.close();
    reader.close(); // Closing twice is allowed.
    expect(fs.openFiles.size, 'close() closes the table file').toBe(0);
    expect(thrown(() => reader.get(utf8(key(0)))), 'get after close').toBeInstanceOf(ClosedError);
    expect(thrown(() => reader.iterator()), 'iterator after close').toBeInstanceOf(ClosedError);
    expect(thrown(() => reader.mayContain(utf8(key(0)))), 'mayContain after close').toBeInstanceOf(ClosedError);
    expect(thrown(() => it.seekToLast()), 'an iterator reading a block after its table closed').toBeInstanceOf(ClosedError);
    const own = TableReader.open(fs, table.path).iterator();
    own.close();
    expect(own.valid()).toBe(false);
    expect(thrown(() => own.seekToFirst()), 'an iterator used after its own close()').toBeInstanceOf(ClosedError);
  });
});
