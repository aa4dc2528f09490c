/**
 * Helpers shared by chapter 10's engine tests: an engine on an in-memory
 * disk, its contents as text, and a plain model of what it should hold.
 */

import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';

/** The database directory used on the in-memory disk. */
export const DIR = '/db';

/** Options that make flushes frequent and tables many: the smallest memtable and blocks allowed. */
export const TINY: LsmOptions = { memtableSize: 1024, blockSize: 128 };

/** Opens (or creates) the database in `dir` (DIR by default) on `fs`. */
export function openOn(fs: FileSystem, options: LsmOptions = {}, dir = DIR): LsmTree {
  return LsmTree.open(dir, { fileSystem: fs, ...options });
}

/** Decodes a value read back, keeping undefined. */
export function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : fromUtf8(bytes);
}

/** Reads every [key, value] pair an iterable yields, as text. */
export function pairs(iterable: Iterable<[Uint8Array, Uint8Array]>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of iterable) out.push([fromUtf8(k), fromUtf8(v)]);
  return out;
}

/** Every key-value pair in the database, in key order, as text. */
export function contents(db: LsmTree): [string, string][] {
  return pairs(db.iterator());
}

/** The entries of a model map in key order. */
export function sortedEntries(model: ReadonlyMap<string, string>): [string, string][] {
  return [...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Returns a value of about `length` bytes that names `key` and `version`, so a wrong version is visible in a failure. */
export function valueFor(key: string, version: number, length = 40): string {
  return `${key}=v${version}:`.padEnd(length, '.');
}

/** The names of the table files in `dir`, sorted. */
export function tableFiles(fs: FileSystem, dir = DIR): string[] {
  return fs.list(dir).filter((name) => name.endsWith('.sst'));
}

/** Total bytes of the table files in `dir`. */
export function tableBytes(fs: FileSystem, dir = DIR): number {
  let total = 0;
  for (const name of tableFiles(fs, dir)) total += fs.fileSize(`${dir}/${name}`);
  return total;
}

export { fromUtf8, utf8 };
