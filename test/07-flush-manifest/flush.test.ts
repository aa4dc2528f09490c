/**
 * Chapter 7, flushing (tasks 7.6-7.8, with the MANIFEST of 7.1-7.3): a full
 * memtable becomes a level-0 table, reads see through the memtable and every
 * table with the newest version winning, the WAL segments a flush covers are
 * deleted, and the MANIFEST records every table.
 */

import { describe, expect, test } from 'vitest';
import { fromUtf8 } from '#toolkit/bytes.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { FileKind, parseFileName } from '#engine/file-names.ts';
import { readManifest } from '#engine/manifest-log.ts';
import { decodeVersionEdit } from '#engine/version-edit.ts';
import { contents, DIR, openOn, text, TINY, valueFor } from './support/engine.ts';

/** The engine files in DIR, by kind. */
function filesByKind(fs: MemoryFileSystem): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const name of fs.list(DIR)) {
    const parsed = parseFileName(name);
    if (parsed !== undefined) (out[parsed.kind] ??= []).push(parsed.number);
  }
  return out;
}

/** The table numbers the live MANIFEST adds and does not delete, found by reading it directly. */
function tablesInManifest(fs: MemoryFileSystem): number[] {
  const current = fromUtf8(fs.readFile(joinPath(DIR, 'CURRENT')));
  expect(current, 'CURRENT holds the live MANIFEST\'s name and a newline').toMatch(/^MANIFEST-\d{6}\n$/);
  const { records } = readManifest(fs, joinPath(DIR, current.trim()));
  const live = new Set<number>();
  for (const { payload } of records) {
    const edit = decodeVersionEdit(payload);
    for (const { number } of edit.deletedFiles) live.delete(number);
    for (const { file } of edit.newFiles) live.add(file.number);
  }
  return [...live].sort((a, b) => a - b);
}

describe('flush', () => {
  test('with a 1 KiB memtable, writes make level-0 tables: the metrics count them and every key reads back', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, TINY);
    for (let i = 0; i < 200; i++) db.put(`key${i % 50}`, valueFor(`key${i % 50}`, i));
    const m = db.metrics();
    expect(m.levels[0]!.files, '8 KiB of writes through a 1 KiB memtable must have flushed several times').toBeGreaterThanOrEqual(5);
    expect(m.writes.flushes).toBe(m.levels[0]!.files);
    expect(m.levels[0]!.bytes).toBeGreaterThan(0);
    expect(m.levels.slice(1).every((l) => l.files === 0), 'without compaction every table stays in level 0').toBe(true);
    expect(m.memtable.bytes, 'after a write returns the memtable is below memtableSize').toBeLessThan(1024);
    expect(m.memtable.immutableCount, 'the flush ran inside the write: nothing is left waiting').toBe(0);
    expect(filesByKind(fs)[FileKind.Table]?.length).toBe(m.levels[0]!.files);
    for (let k = 0; k < 50; k++) expect(text(db.get(`key${k}`))).toBe(valueFor(`key${k}`, 150 + k));
    db.close();
  });

  test('the newest version wins across the memtable and several level-0 tables, and a newer tombstone hides an older value', () => {
    const db = openOn(new MemoryFileSystem());
    db.put('a', 'a1');
    db.put('b', 'b1');
    db.put('c', 'c1');
    db.flush(); // table 1: a1 b1 c1
    db.put('a', 'a2');
    db.delete('b');
    db.flush(); // table 2: a2, b deleted
    db.put('a', 'a3');
    db.flush(); // table 3: a3
    db.put('c', 'c4'); // memtable
    expect(db.metrics().levels[0]!.files).toBe(3);
    expect(text(db.get('a')), 'level 0 must be searched newest table first').toBe('a3');
    expect(db.get('b'), 'the tombstone in table 2 hides b1 in the older table 1: stop at the first version found').toBeUndefined();
    expect(text(db.get('c')), 'the memtable is newer than every table').toBe('c4');
    expect(contents(db), 'an iterator merges the same sources with the same rule').toEqual([
      ['a', 'a3'],
      ['c', 'c4'],
    ]);
    db.close();
  });

  test('flush() of an empty memtable writes no table; flush() of a full one writes exactly one', () => {
    const db = openOn(new MemoryFileSystem());
    db.flush();
    expect(db.metrics().levels[0]!.files, 'the engine never writes an empty table').toBe(0);
    db.put('k', 'v');
    db.flush();
    db.flush();
    expect(db.metrics().levels[0]!.files).toBe(1);
    expect(db.metrics().memtable.entries).toBe(0);
    expect(text(db.get('k'))).toBe('v');
    db.close();
  });

  test('after a flush the WAL segments it covers are deleted: one segment is left, the new one, and it is empty', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, TINY);
    for (let i = 0; i < 100; i++) db.put(`k${i}`, valueFor(`k${i}`, i));
    db.flush();
    const logs = filesByKind(fs)[FileKind.Log] ?? [];
    expect(logs, 'a segment whose writes are in a durable table must be deleted').toHaveLength(1);
    expect(logs[0], 'the segment left is the one being written').toBe(db.metrics().wal.logNumber);
    expect(db.metrics().wal.bytes).toBe(0);
    db.close();
  });

  test('the MANIFEST records each flushed table: CURRENT names it, and its edits add exactly the tables in the directory', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, TINY);
    for (let i = 0; i < 120; i++) db.put(`k${i}`, valueFor(`k${i}`, i));
    db.flush();
    const onDisk = (filesByKind(fs)[FileKind.Table] ?? []).sort((a, b) => a - b);
    expect(onDisk.length).toBeGreaterThan(3);
    expect(tablesInManifest(fs), 'every flushed table must be recorded by a MANIFEST edit').toEqual(onDisk);
    expect(filesByKind(fs)[FileKind.Manifest], 'one MANIFEST: the one CURRENT names').toHaveLength(1);
    db.close();
  });

  test('read amplification: every overlapping level-0 table is probed for a missing key, and the bloom filters answer most probes', () => {
    const db = openOn(new MemoryFileSystem());
    for (let t = 0; t < 6; t++) {
      for (let i = 0; i < 20; i++) db.put(`key${String(i * 6 + t).padStart(3, '0')}`, 'v');
      db.flush();
    }
    const before = db.metrics().reads;
    expect(db.get('key055x')).toBeUndefined();
    const after = db.metrics().reads;
    expect(after.tablesProbed - before.tablesProbed, 'all 6 tables span key000..key119: each must be asked').toBe(6);
    expect(after.filterNegatives - before.filterNegatives, 'with 10 bits per key, the filters rule most of them out').toBeGreaterThanOrEqual(4);
    expect(text(db.get('key119'))).toBe('v');
    db.close();
  });
});
