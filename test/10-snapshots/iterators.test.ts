/**
 * Chapter 10, consistent iterators and file lifetimes in the engine (tasks
 * 10.2 and 10.3, through the engine's given wiring): an iterator is a
 * snapshot of the moment it was opened; the tables it reads stay on disk
 * while it is open, even after a compaction replaced them, and are deleted
 * as soon as its last holder closes.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import type { DbIterator } from '#merge/db-iterator.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import { compactAll, COMPACTING } from './support/compaction.ts';
import { DIR, openOn, pairs, tableFiles, valueFor } from './support/engine.ts';

const KEYS = Array.from({ length: 60 }, (_, i) => `key${String(i).padStart(2, '0')}`);

/** Writes every key at `version`, flushed into tables, and returns the expected [key, value] pairs. */
function writeAll(db: LsmTree, version: number): [string, string][] {
  for (const key of KEYS) db.put(key, valueFor(key, version));
  db.flush();
  return KEYS.map((key) => [key, valueFor(key, version)]);
}

/** Replaces everything: overwrites every key, deletes a third of them, and compacts until every old table is gone from the current version. */
function rewriteAndCompact(db: LsmTree): void {
  for (const key of KEYS) db.put(key, valueFor(key, 2));
  KEYS.forEach((key, i) => {
    if (i % 3 === 0) db.delete(key);
  });
  db.flush();
  compactAll(db);
}

/** Numbers of the tables in the current version, from the directory: every table on disk that is not a zombie. */
function liveOnDisk(fs: MemoryFileSystem): string[] {
  return tableFiles(fs, DIR);
}

describe('consistent iterators and the tables they pin', () => {
  test('an iterator opened before a compaction finishes with exactly what it saw at open, and keeps its tables on disk until it closes', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, COMPACTING);
    const expected = writeAll(db, 1);
    const before = liveOnDisk(fs);
    const forward = db.iterator();
    const reverse = db.iterator({ reverse: true });
    const head = pairs(take(forward, 10));
    const tail = pairs(take(reverse, 10, true));

    rewriteAndCompact(db);
    const after = liveOnDisk(fs);
    for (const name of before) {
      expect(after, `${name} was replaced by the compaction, but an open iterator reads it: it must stay on disk`).toContain(name);
    }
    expect(db.metrics().files.zombieTables, 'tables only the iterators reach are zombies, not part of the current version').toBeGreaterThan(0);

    expect([...head, ...pairs(forward)], 'the forward iterator sees the state at its open, not the overwrites and deletes').toEqual(expected);
    // The loop ran to the end, which closes the iterator.
    const stillHeld = liveOnDisk(fs);
    for (const name of before) expect(stillHeld, `${name}: the reverse iterator still holds the old version`).toContain(name);
    expect([...tail, ...pairs(reverse)], 'so does the reverse one').toEqual([...expected].reverse());
    const gone = liveOnDisk(fs);
    expect(before.filter((name) => !gone.includes(name)).length, 'once the last iterator closed, the replaced tables must be deleted').toBeGreaterThan(0);
    const m = db.metrics();
    expect(m.files.zombieTables, 'no live version but the current one').toBe(0);
    expect(gone.length, 'on disk now: exactly the tables of the current version').toBe(m.levels.reduce((n, level) => n + level.files, 0));
    db.close();
  });

  test('a range loop that stops early releases its tables like a closed iterator', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, COMPACTING);
    writeAll(db, 1);
    const before = liveOnDisk(fs);
    for (const entry of db.range('key00', 'key99')) {
      expect(entry).toBeDefined();
      break; // leaving a for...of loop closes the iterator
    }
    rewriteAndCompact(db);
    const after = liveOnDisk(fs);
    expect(after.filter((name) => before.includes(name)), 'nothing holds the old version: its replaced tables go at once').toEqual([]);
    db.close();
  });

  test('a snapshot taken before a compaction reads the same values after it, and a get does not need old tables', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, COMPACTING);
    const expected = writeAll(db, 1);
    const snapshot = db.snapshot();
    const before = liveOnDisk(fs);
    rewriteAndCompact(db);
    expect(liveOnDisk(fs).filter((name) => before.includes(name)), 'a snapshot pins versions inside the tables, not old files').toEqual([]);
    for (const [key, value] of expected) {
      expect(db.get(key, { snapshot }) === undefined ? undefined : value, `get(${key}) at the snapshot`).toBe(value);
    }
    expect(pairs(db.iterator({ snapshot })), 'the compaction kept every version the snapshot sees').toEqual(expected);
    expect(pairs(db.range('key10', 'key20', { snapshot, reverse: true }))).toEqual(expected.filter(([k]) => k >= 'key10' && k < 'key20').reverse());
    snapshot.release();
    db.close();
  });
});

/** Reads `n` entries through the cursor API, leaving the iterator open and on the next entry (for...of then continues from there). */
function take(iterator: DbIterator, n: number, reverse = false): [Uint8Array, Uint8Array][] {
  const out: [Uint8Array, Uint8Array][] = [];
  if (reverse) iterator.seekToLast();
  else iterator.seekToFirst();
  for (let i = 0; i < n && iterator.valid(); i++) {
    out.push([iterator.key(), iterator.value()]);
    if (reverse) iterator.prev();
    else iterator.next();
  }
  return out;
}
