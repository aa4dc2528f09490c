/**
 * Test helpers for chapter 5: small tables written with chapter 4's
 * TableBuilder on an in-memory disk, wrapped in a FaultyFileSystem that
 * counts every open and read (a cache hit must read nothing).
 */

import { utf8 } from '#toolkit/bytes.ts';
import { FaultyFileSystem } from '#toolkit/faulty-file-system.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { TableBuilder } from '#sstable/table-builder.ts';
import { tableFileName } from '#sstable/table-format.ts';

/** The directory every test table lives in. */
export const DIR = '/db';

/** Returns the i-th test key, "key00042": zero-padded so the keys sort like the numbers. */
export function keyAt(i: number): string {
  return `key${String(i).padStart(5, '0')}`;
}

/** Returns the value table `fileNumber` holds for key i: "t3-value-00042", the same length in every table. */
export function valueAt(fileNumber: number, i: number): string {
  return `t${fileNumber}-value-${String(i).padStart(5, '0')}`;
}

/**
 * Writes table `fileNumber` into DIR with keys keyAt(0 .. count-1) and
 * values valueAt(fileNumber, i), in small blocks (blockSize 256, about 7
 * entries each) so that a table has many blocks. Returns its path.
 */
export function writeTable(fs: FileSystem, fileNumber: number, count: number): string {
  const path = joinPath(DIR, tableFileName(fileNumber));
  const file = fs.createWritable(path);
  const builder = new TableBuilder(file, { blockSize: 256 });
  for (let i = 0; i < count; i++) builder.add(utf8(keyAt(i)), i + 1, ValueKind.Put, utf8(valueAt(fileNumber, i)));
  builder.finish();
  file.sync();
  file.close();
  return path;
}

/** A fresh disk with DIR holding tables 1..tables of `count` keys each, behind a counting FaultyFileSystem. */
export function diskWithTables(tables: number, count: number): FaultyFileSystem {
  const memory = new MemoryFileSystem();
  memory.mkdir(DIR);
  for (let n = 1; n <= tables; n++) writeTable(memory, n, count);
  const faulty = new FaultyFileSystem(memory);
  return faulty;
}
