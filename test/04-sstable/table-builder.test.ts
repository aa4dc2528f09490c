/**
 * Chapter 4, writing tables (tasks 4.8-4.10, with the blocks beneath):
 * the order check and its message, empty tables, the properties, where
 * blocks are cut and how they are indexed, the filter's keys, and the
 * footer's 64 bytes against the documented layout.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { crc32c, maskCrc } from '#toolkit/crc32c.ts';
import { ClosedError, InvalidArgumentError } from '#toolkit/errors.ts';
import { readU32, readU64 } from '#toolkit/fixed-int.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { formatInternalKey, ValueKind } from '#memtable/internal-key.ts';
import { BloomFilter } from '#bloom/bloom-filter.ts';
import { Block } from '#sstable/block.ts';
import { formatEncodedKey } from '#sstable/internal-key-codec.ts';
import { TableBuilder } from '#sstable/table-builder.ts';
import { decodeBlockHandle } from '#sstable/table-format.ts';
import { TableReader } from '#sstable/table-reader.ts';
import { buildTable, entriesArb, entry, fileBytes, optionsArb, scanForward, show, thrown, type Entry } from './support.ts';

function newBuilder(options: ConstructorParameters<typeof TableBuilder>[1] = {}): TableBuilder {
  return new TableBuilder(new MemoryFileSystem().createWritable('/t.sst'), options);
}

function add(builder: TableBuilder, e: Entry): void {
  builder.add(e.userKey, e.sequence, e.kind, e.value);
}

describe('TableBuilder.add', () => {
  it('rejects an out-of-order or duplicate internal key with an InvalidArgumentError naming both keys', () => {
    const cases: [Entry, Entry, string][] = [
      [entry('banana', 1, 'x'), entry('apple', 5, 'y'), 'a smaller user key'],
      [entry('apple', 7, 'x'), entry('apple', 12, 'y'), 'a newer version after an older one (sequences go DOWN within a user key)'],
      [entry('apple', 12, 'x'), entry('apple', 12, 'y'), 'the same internal key twice'],
      [entry('apple', 12), entry('apple', 12, 'y'), 'PUT after DEL at the same sequence (PUT sorts first)'],
    ];
    for (const [first, second, what] of cases) {
      const builder = newBuilder();
      add(builder, first);
      const error = thrown(() => add(builder, second));
      expect(error, `${formatInternalKey(second)} after ${formatInternalKey(first)}: ${what}`).toBeInstanceOf(
        InvalidArgumentError,
      );
      const message = (error as Error).message;
      expect(message, 'the message names the rejected key in the apple#12,PUT notation').toContain(formatInternalKey(second));
      expect(message, 'the message names the previous key too').toContain(formatInternalKey(first));
    }
  });

  it('changes nothing when it rejects a key: the table holds exactly the accepted entries', () => {
    const fs = new MemoryFileSystem();
    const builder = new TableBuilder(fs.createWritable('/t.sst'), { blockSize: 1 });
    const accepted = [entry('a', 3, '1'), entry('b', 2, '2'), entry('c', 1, '3')];
    add(builder, accepted[0]!);
    add(builder, accepted[1]!);
    expect(thrown(() => add(builder, entry('a', 9, 'no')))).toBeInstanceOf(InvalidArgumentError);
    add(builder, accepted[2]!);
    expect(builder.finish().entryCount).toBe(3);
    const reader = TableReader.open(fs, '/t.sst');
    expect(scanForward(reader.iterator()), 'check the order BEFORE changing anything').toEqual(accepted.map(show));
    reader.close();
  });
});

describe('TableBuilder.finish', () => {
  it('refuses an empty table, and the builder is closed after finish()', () => {
    expect(thrown(() => newBuilder().finish()), 'finish() with no entries: the engine never writes empty tables').toBeInstanceOf(
      InvalidArgumentError,
    );
    const builder = newBuilder();
    add(builder, entry('k', 1, 'v'));
    builder.finish();
    expect(thrown(() => add(builder, entry('l', 1, 'v'))), 'add() after finish()').toBeInstanceOf(ClosedError);
    expect(thrown(() => builder.finish()), 'finish() twice').toBeInstanceOf(ClosedError);
  });

  it('returns the properties it stores: counts, smallest and largest keys, sequence range, blocks', () => {
    fc.assert(
      fc.property(entriesArb(), optionsArb, (entries, options) => {
        const table = buildTable(entries, options);
        const sequences = entries.map((e) => e.sequence);
        const want = {
          formatVersion: 1,
          entryCount: entries.length,
          tombstoneCount: entries.filter((e) => e.kind === ValueKind.Delete).length,
          smallestSequence: Math.min(...sequences),
          largestSequence: Math.max(...sequences),
          bitsPerKey: options.bitsPerKey ?? 10,
          smallestKey: formatInternalKey(entries[0]!),
          largestKey: formatInternalKey(entries[entries.length - 1]!),
        };
        const got = (p: typeof table.properties) => ({
          formatVersion: p.formatVersion,
          entryCount: p.entryCount,
          tombstoneCount: p.tombstoneCount,
          smallestSequence: p.smallestSequence,
          largestSequence: p.largestSequence,
          bitsPerKey: p.bitsPerKey,
          smallestKey: formatInternalKey(p.smallestKey),
          largestKey: formatInternalKey(p.largestKey),
        });
        expect(got(table.properties), 'the properties finish() returns').toEqual(want);
        const reader = TableReader.open(table.fs, table.path);
        expect(got(reader.properties), 'the properties read back from the meta block').toEqual(want);
        expect(reader.properties.dataBlockCount, 'the reader and the builder agree on the number of data blocks').toBe(
          table.properties.dataBlockCount,
        );
        if (options.blockSize === 1) {
          expect(table.properties.dataBlockCount, 'blockSize 1: every entry fills a block by itself').toBe(entries.length);
        }
        reader.close();
      }),
      { numRuns: 50 },
    );
  });

  it('cuts a data block as soon as it reaches blockSize and indexes it under its last key', () => {
    const entries = Array.from({ length: 300 }, (_, i) =>
      entry(`key${String(i).padStart(5, '0')}`, 1, 'v'.repeat(i % 37)),
    );
    for (const blockSize of [1, 100, 512, 4096]) {
      const table = buildTable(entries, { blockSize, restartInterval: 4 });
      const reader = TableReader.open(table.fs, table.path);
      const index = reader.indexIterator();
      let expectedOffset = 0;
      let blocks = 0;
      const seen: string[] = [];
      for (index.seekToFirst(); index.valid(); index.next()) {
        const handle = decodeBlockHandle(index.value(), table.path, 0);
        expect(handle.offset, `block ${blocks} starts right after the previous block's 5-byte trailer`).toBe(expectedOffset);
        expectedOffset = handle.offset + handle.size + 5;
        const block = reader.dataBlockAt(index);
        const it = block.iterator();
        let last = '';
        let lastEntryAt = 0;
        for (it.seekToFirst(); it.valid(); it.next()) {
          last = formatEncodedKey(it.key());
          lastEntryAt = it.entryOffset - handle.offset;
          seen.push(last);
        }
        expect(
          formatEncodedKey(index.key()),
          `index entry ${blocks}: its key is the LAST key of its block, so it is >= every key in the block`,
        ).toBe(last);
        const isLast = expectedOffset === reader.footer.filter.offset;
        if (!isLast) {
          expect(handle.size, `blockSize ${blockSize}: block ${blocks} was cut before it reached blockSize`).toBeGreaterThanOrEqual(
            blockSize,
          );
          // The size before the last entry was added: entries before it, their restarts, the count.
          // (A block of one entry cannot have been cut earlier.)
          if (lastEntryAt > 0) {
            const lastIsRestart = block.restartPoint(block.restartCount - 1) === lastEntryAt;
            const sizeBefore = lastEntryAt + 4 * (block.restartCount - (lastIsRestart ? 1 : 0)) + 4;
            expect(
              sizeBefore,
              `blockSize ${blockSize}: block ${blocks} should have been cut one entry earlier, as soon as its size reached blockSize`,
            ).toBeLessThan(blockSize);
          }
        }
        blocks++;
      }
      expect(seen.length, 'every entry is in exactly one block').toBe(entries.length);
      expect(expectedOffset, 'the filter block follows the last data block').toBe(reader.footer.filter.offset);
      expect(blocks).toBe(table.properties.dataBlockCount);
      reader.close();
    }
  });

  it('adds every user key to the filter once, however many versions it has', () => {
    const entries: Entry[] = [];
    for (let k = 0; k < 50; k++) {
      for (const sequence of [30, 20, 10]) entries.push(entry(`user${String(k).padStart(2, "0")}`, sequence, 'v'));
    }
    const table = buildTable(entries, { bitsPerKey: 10 });
    const bytes = fileBytes(table.fs, table.path);
    const reader = TableReader.open(table.fs, table.path);
    const handle = reader.footer.filter;
    const filter = BloomFilter.decode(bytes.subarray(handle.offset, handle.offset + handle.size));
    expect(
      filter.bitCount,
      '50 user keys x 10 bits = 500 bits, rounded up to 504; 1504 means every VERSION was added (versions of a key are adjacent: add a user key when it differs from the last one)',
    ).toBe(504);
    for (const e of entries) expect(reader.mayContain(e.userKey), `mayContain(${fromUtf8(e.userKey)})`).toBe(true);
    reader.close();
  });
});

describe('the footer', () => {
  it('is 64 bytes: three handles (offset u64, size u64), version 1, the masked crc of bytes 0-51, then "LSM-TBL1"', () => {
    const entries = Array.from({ length: 100 }, (_, i) => entry(`k${i}`, i + 1, `value ${i}`)).sort((a, b) =>
      fromUtf8(a.userKey) < fromUtf8(b.userKey) ? -1 : 1,
    );
    for (const bitsPerKey of [10, 0]) {
      const table = buildTable(entries, { blockSize: 256, bitsPerKey });
      const bytes = fileBytes(table.fs, table.path);
      expect(bytes.length, 'fileSize counts every byte written').toBe(table.fileSize);
      const footer = bytes.subarray(bytes.length - 64);
      expect(fromUtf8(footer.subarray(56)), 'the last 8 bytes are the magic "LSM-TBL1"').toBe('LSM-TBL1');
      expect(readU32(footer, 48), 'bytes 48-51: the format version, 1').toBe(1);
      expect(readU32(footer, 52), 'bytes 52-55: maskCrc(crc32c(bytes 0-51))').toBe(maskCrc(crc32c(footer.subarray(0, 52))));
      const handle = (at: number) => ({ offset: readU64(footer, at)!, size: readU64(footer, at + 8)! });
      const [filter, meta, index] = [handle(0), handle(16), handle(32)];
      if (bitsPerKey === 0) {
        expect(filter, 'no filter: the filter handle is offset 0, size 0').toEqual({ offset: 0, size: 0 });
      } else {
        expect(filter.offset + filter.size + 5, 'the meta block follows the filter block and its trailer').toBe(meta.offset);
      }
      expect(meta.offset + meta.size + 5, 'the index block follows the meta block and its trailer').toBe(index.offset);
      expect(index.offset + index.size + 5, 'the footer follows the index block and its trailer').toBe(bytes.length - 64);
      expect(readU32(bytes, meta.offset), 'the meta block starts with the format version').toBe(1);
      expect(readU64(bytes, meta.offset + 4), 'then the entry count').toBe(entries.length);
      const indexBlock = Block.decode(bytes.subarray(index.offset, index.offset + index.size));
      expect(indexBlock.restartCount, 'the index restarts at every entry: one restart per data block').toBe(
        table.properties.dataBlockCount,
      );
      for (const h of bitsPerKey === 0 ? [meta, index] : [filter, meta, index]) {
        const trailer = bytes.subarray(h.offset + h.size, h.offset + h.size + 5);
        expect(trailer[0], 'a trailer starts with the compression type, 0 (none)').toBe(0);
        expect(readU32(trailer, 1), 'then maskCrc(crc32c(contents ++ compression byte))').toBe(
          maskCrc(crc32c(bytes.subarray(h.offset, h.offset + h.size + 1))),
        );
      }
      expect(bytesEqual(bytes.subarray(bytes.length - 8), utf8('LSM-TBL1'))).toBe(true);
    }
  });
});
