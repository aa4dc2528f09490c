/**
 * Tasks 5.6 and 5.7: the block cache. First on its own (counters, keys,
 * eraseFile) with real blocks of a few bytes each, then under chapter 4's
 * TableReader on a disk that counts every read: a cache hit must not touch
 * the file.
 */

import { describe, expect, test } from 'vitest';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { Block } from '#sstable/block.ts';
import { BlockBuilder } from '#sstable/block-builder.ts';
import { encodeInternalKey } from '#sstable/internal-key-codec.ts';
import { TableReader } from '#sstable/table-reader.ts';
import { BlockCache } from '#cache/block-cache.ts';
import { diskWithTables, keyAt, valueAt, writeTable, DIR } from './tables.ts';

/** A real one-entry block whose value is `label`, so tests can tell blocks apart. */
function blockOf(label: string): Block {
  const builder = new BlockBuilder();
  builder.add(encodeInternalKey(utf8('k'), 1, ValueKind.Put), utf8(label));
  return Block.decode(builder.finish());
}

/** The value of the one entry of a block made by blockOf. */
function labelOf(block: Block | undefined): string | undefined {
  if (block === undefined) return undefined;
  const it = block.iterator();
  it.seekToFirst();
  return fromUtf8(it.value());
}

const path = (n: number): string => `${DIR}/${String(n).padStart(6, '0')}.sst`;

describe('BlockCache on its own (tasks 5.6, 5.7)', () => {
  test('counters after a scripted sequence: hits, misses, inserts, evictions, usage and hit rate', () => {
    const cache = new BlockCache(300);
    expect(cache.hitRate, 'no lookup yet: the hit rate is 0, not NaN').toBe(0);
    expect(cache.get(1, 0), 'an empty cache misses').toBeUndefined();
    cache.insert(1, 0, blockOf('1@0'), 100);
    expect(labelOf(cache.get(1, 0)), 'the block inserted for (1, 0) comes back').toBe('1@0');
    cache.insert(1, 100, blockOf('1@100'), 100);
    cache.insert(2, 0, blockOf('2@0'), 100);
    expect(labelOf(cache.get(2, 0))).toBe('2@0');
    // LRU → MRU now: 1:0, 1:100, 2:0. A fourth block of 100 bytes pushes out 1:0.
    cache.insert(3, 0, blockOf('3@0'), 100);
    expect(cache.get(1, 0), 'block (1, 0) was the least recently used, so it was evicted').toBeUndefined();
    expect(cache.stats, 'get: miss, hit, hit, miss; 4 inserts; 1 eviction; 3 blocks of 100 bytes').toEqual({
      hits: 2,
      misses: 2,
      inserts: 4,
      evictions: 1,
      usage: 300,
      capacity: 300,
      entries: 3,
    });
    expect(cache.hitRate, 'hit rate = hits / (hits + misses)').toBe(0.5);
    cache.insert(4, 0, blockOf('4@0'), 301);
    expect(cache.stats.inserts, 'a block larger than the whole cache is not cached, so not counted').toBe(4);
    expect(cache.stats.evictions, 'and it evicts nothing').toBe(1);
    expect(cache.keys()).toEqual(['1:100', '2:0', '3:0']);
  });

  test('the key includes the file number: the same offset in two tables is two different blocks', () => {
    const cache = new BlockCache(1000);
    cache.insert(1, 0, blockOf('table 1'), 10);
    cache.insert(2, 0, blockOf('table 2'), 10);
    expect(labelOf(cache.get(1, 0)), "table 2's block came back for table 1: does the key include the file number?").toBe(
      'table 1',
    );
    expect(labelOf(cache.get(2, 0))).toBe('table 2');
    expect(cache.get(3, 0), 'nothing is cached for table 3').toBeUndefined();
    expect(cache.get(1, 10), 'nothing is cached at offset 10 of table 1').toBeUndefined();
    expect(cache.stats.entries).toBe(2);
  });

  test('eraseFile drops every block of one table, and only those', () => {
    const cache = new BlockCache(1000);
    cache.insert(7, 0, blockOf('7@0'), 10);
    cache.insert(7, 4096, blockOf('7@4096'), 20);
    cache.insert(8, 0, blockOf('8@0'), 30);
    cache.insert(70, 0, blockOf('70@0'), 40);
    expect(cache.eraseFile(7), 'table 7 had two cached blocks: does insert() call remember() for each block it caches?').toBe(2);
    expect(cache.contains(7, 0)).toBe(false);
    expect(cache.contains(7, 4096)).toBe(false);
    expect(labelOf(cache.get(8, 0)), "erasing table 7 must not touch table 8's blocks").toBe('8@0');
    expect(labelOf(cache.get(70, 0)), 'nor those of table 70 (a key prefix match would)').toBe('70@0');
    expect(cache.stats.usage, 'the erased blocks give their bytes back').toBe(70);
    expect(cache.eraseFile(7), 'erasing again finds nothing').toBe(0);
    expect(cache.eraseFile(99), 'erasing a table never cached is harmless').toBe(0);
  });

  test('eraseFile does not count blocks that were already evicted', () => {
    const cache = new BlockCache(30);
    cache.insert(1, 0, blockOf('1@0'), 10);
    cache.insert(1, 10, blockOf('1@10'), 10);
    cache.insert(2, 0, blockOf('2@0'), 10);
    cache.insert(2, 10, blockOf('2@10'), 10); // Evicts 1:0.
    expect(cache.stats.evictions).toBe(1);
    expect(cache.eraseFile(1), 'only 1:10 was still cached').toBe(1);
    expect(cache.keys()).toEqual(['2:0', '2:10']);
    expect(cache.stats.usage).toBe(20);
  });
});

describe('BlockCache under a TableReader (tasks 5.6, 5.7)', () => {
  test('the first get of a key reads its data block from the file; a second get of it, or of a key in the same block, reads nothing', () => {
    const fs = diskWithTables(1, 200);
    const cache = new BlockCache(64 * 1024);
    const reader = TableReader.open(fs, path(1), { fileNumber: 1, cache });
    fs.resetCounts();

    expect(fromUtf8(reader.get(utf8(keyAt(3)))!.value)).toBe(valueAt(1, 3));
    expect(fs.counts.read, 'the first get must read its data block: one read').toBe(1);
    expect(cache.stats, 'the reader asked the cache (a miss), then inserted the block it read').toMatchObject({
      misses: 1,
      inserts: 1,
      hits: 0,
    });

    expect(fromUtf8(reader.get(utf8(keyAt(3)))!.value)).toBe(valueAt(1, 3));
    expect(
      fs.counts.read,
      'the second get of the same key read the file again: does BlockCache.get find what insert stored under the same (file, offset)?',
    ).toBe(1);
    expect(fromUtf8(reader.get(utf8(keyAt(4)))!.value), 'key 4 is in the same block as key 3').toBe(valueAt(1, 4));
    expect(fs.counts.read, 'another key of the same block: no read either').toBe(1);
    expect(cache.stats).toMatchObject({ hits: 2, misses: 1, inserts: 1 });
    expect(reader.stats.cacheHits, 'the reader saw the two hits too').toBe(2);

    expect(fromUtf8(reader.get(utf8(keyAt(150)))!.value)).toBe(valueAt(1, 150));
    expect(fs.counts.read, 'key 150 is in another block: one more read').toBe(2);
    expect(cache.stats).toMatchObject({ hits: 2, misses: 2, inserts: 2 });
    expect(cache.stats.usage, 'usage is the two blocks\' sizes').toBeGreaterThan(0);
    reader.close();
  });

  test('two tables with blocks at the same offsets share one cache without colliding', () => {
    // Both tables have the same keys and equally long values, so every block
    // of table 1 starts at the same offset as the block of table 2 with the same keys.
    const fs = diskWithTables(2, 100);
    const cache = new BlockCache(64 * 1024);
    const one = TableReader.open(fs, path(1), { fileNumber: 1, cache });
    const two = TableReader.open(fs, path(2), { fileNumber: 2, cache });
    for (const i of [0, 42, 99]) {
      expect(fromUtf8(one.get(utf8(keyAt(i)))!.value)).toBe(valueAt(1, i));
      expect(
        fromUtf8(two.get(utf8(keyAt(i)))!.value),
        "table 2 returned table 1's value: a cache key of the offset alone collides across tables",
      ).toBe(valueAt(2, i));
    }
    expect(cache.stats.misses, 'each table read its own three blocks').toBe(6);
    expect(cache.stats.entries).toBe(6);
    one.close();
    two.close();
  });

  test("eraseFile drops a deleted table's blocks: they are read from the file again, and other tables' blocks stay", () => {
    const fs = diskWithTables(2, 100);
    const cache = new BlockCache(64 * 1024);
    const one = TableReader.open(fs, path(1), { fileNumber: 1, cache });
    const two = TableReader.open(fs, path(2), { fileNumber: 2, cache });
    one.get(utf8(keyAt(10)));
    two.get(utf8(keyAt(10)));
    fs.resetCounts();
    expect(cache.eraseFile(1)).toBe(1);
    one.get(utf8(keyAt(10)));
    expect(fs.counts.read, "table 1's block was erased: reading it again goes to the file").toBe(1);
    two.get(utf8(keyAt(10)));
    expect(fs.counts.read, "table 2's block is still cached").toBe(1);
    one.close();
    two.close();
  });

  test('a scan through a small cache stays within its capacity and evicts as it goes', () => {
    const fs = diskWithTables(1, 300);
    const capacity = 1024; // About four blocks of 256 bytes.
    const cache = new BlockCache(capacity);
    const reader = TableReader.open(fs, path(1), { fileNumber: 1, cache });
    const blocks = reader.properties.dataBlockCount;
    const it = reader.iterator();
    let entries = 0;
    for (it.seekToFirst(); it.valid(); it.next()) {
      entries++;
      expect(cache.stats.usage, 'usage must never exceed the capacity').toBeLessThanOrEqual(capacity);
    }
    it.close();
    expect(entries).toBe(300);
    const { inserts, evictions, entries: cached } = cache.stats;
    expect(inserts, 'a scan reads each of the table\'s blocks once').toBe(blocks);
    expect(evictions, 'every block inserted is either still cached or was evicted').toBe(inserts - cached);
    expect(cached, 'only the last few blocks of the scan are left').toBeLessThan(blocks);
    reader.close();
  });

  test("a table's first data block is cached under the key '<fileNumber>:0'", () => {
    const fs = diskWithTables(0, 0);
    writeTable(fs, 5, 20);
    const cache = new BlockCache(4096);
    const reader = TableReader.open(fs, path(5), { fileNumber: 5, cache });
    reader.get(utf8(keyAt(0)));
    reader.get(utf8(keyAt(0)));
    expect(cache.stats).toMatchObject({ misses: 1, hits: 1, inserts: 1 });
    expect(cache.keys(), 'the block of table 5 at offset 0').toEqual(['5:0']);
    reader.close();
  });
});
