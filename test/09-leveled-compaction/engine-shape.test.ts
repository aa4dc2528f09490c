/**
 * Chapter 9, the shape leveled compaction gives a real engine's tree
 * (tasks 9.1 to 9.5, carried out by chapter 8's compaction job): levels
 * within their targets once compaction catches up, one sorted run per
 * level at every step, deleted data and tombstones gone after compact(),
 * unless a snapshot still needs them.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { NUM_LEVELS } from '#engine/manifest-format.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import { contents, durableVersion, fromUtf8, openOn, outOfShape, overlapIn, sorted, tombstones, valueFor } from './support/engine.ts';

/** Writes `count` random puts over `keys` keys (and a delete every `deleteEvery`), into `db` and `model`. */
function randomWrites(db: LsmTree, model: Map<string, string>, random: SeededRandom, count: number, keys: number, deleteEvery = 0): void {
  for (let i = 0; i < count; i++) {
    const key = `key${String(random.below(keys)).padStart(4, '0')}`;
    if (deleteEvery > 0 && i % deleteEvery === deleteEvery - 1) {
      db.delete(key);
      model.delete(key);
    } else {
      const value = valueFor(key, i, 20 + random.below(40));
      db.put(key, value);
      model.set(key, value);
    }
  }
}

/** Runs compaction slices of `budget` bytes until nothing is due, checking after each slice that levels >= 1 do not overlap. */
function compactUntilIdle(db: LsmTree, fs: MemoryFileSystem, budget: number): number {
  let slices = 0;
  while (db.compactionStep(budget).state !== 'idle') {
    slices++;
    expect(slices, 'compaction must settle').toBeLessThan(100_000);
    expect(overlapIn(durableVersion(fs)), `after slice ${slices}: each level >= 1 must be one sorted run`).toBeUndefined();
  }
  return slices;
}

describe('the shape of a leveled tree in the engine', () => {
  test('after a random fill, compaction slices until idle leave every level within its target, level 0 short, and no level >= 1 overlapping', () => {
    const fs = new MemoryFileSystem();
    // Paced: each write does a share of the compaction work, as in production.
    const db = openOn(fs, { compactionPacing: 8 });
    const model = new Map<string, string>();
    const random = new SeededRandom(9);
    for (let round = 0; round < 15; round++) {
      randomWrites(db, model, random, 100, 400, 7);
      expect(overlapIn(durableVersion(fs)), `after ${(round + 1) * 100} writes: each level >= 1 must be one sorted run`).toBeUndefined();
    }
    db.flush();
    compactUntilIdle(db, fs, 700);
    const after = durableVersion(fs);
    expect(outOfShape(after), `once compaction is idle, the tree must be within its targets:\n${after.toString()}`).toBeUndefined();
    const deep = after.levels.filter((files, level) => level > 0 && files.length > 0).length;
    expect(deep, `a few thousand writes fill more than one level below level 0:\n${after.toString()}`).toBeGreaterThanOrEqual(2);
    expect(contents(db)).toEqual(sorted(model));
    db.close();
  });

  test('compact() puts every table into the bottom level, one sorted run, with the contents intact', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs);
    const model = new Map<string, string>();
    randomWrites(db, model, new SeededRandom(3), 1500, 400, 5);
    compactUntilIdle(db, fs, 4096);
    db.compact();
    const version = durableVersion(fs);
    for (let level = 0; level < NUM_LEVELS - 1; level++) {
      expect(version.files(level), `L${level} after compact(): a full compaction merges everything into the bottom level`).toHaveLength(0);
    }
    expect(overlapIn(version)).toBeUndefined();
    expect(outOfShape(version)).toBeUndefined();
    expect(contents(db)).toEqual(sorted(model));
    db.close();
  });

  test('deleting most keys and compacting gives the space back', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs);
    const model = new Map<string, string>();
    for (let i = 0; i < 800; i++) {
      const key = `key${String(i).padStart(4, '0')}`;
      db.put(key, valueFor(key, i, 60));
      model.set(key, valueFor(key, i, 60));
    }
    db.compact();
    const full = db.metrics().levels.reduce((sum, level) => sum + level.bytes, 0);
    for (let i = 0; i < 800; i++) {
      if (i % 10 === 0) continue;
      const key = `key${String(i).padStart(4, '0')}`;
      db.delete(key);
      model.delete(key);
    }
    db.compact();
    const left = db.metrics().levels.reduce((sum, level) => sum + level.bytes, 0);
    expect(left, `90% of the keys were deleted: the tables should shrink to a fraction of ${full} bytes`).toBeLessThan(full * 0.25);
    expect(tombstones(durableVersion(fs)), 'compact() is bottommost: no snapshot needs the tombstones, so none may be left').toBe(0);
    expect(contents(db)).toEqual(sorted(model));
    db.close();
  });

  test('a snapshot keeps the tombstones (and what they hide) through compact(); once released, compact() drops them', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs);
    for (let i = 0; i < 300; i++) db.put(`key${String(i).padStart(3, '0')}`, valueFor(`k${i}`, 1));
    db.compact();
    const snapshot = db.snapshot();
    for (let i = 0; i < 300; i += 2) db.delete(`key${String(i).padStart(3, '0')}`);
    db.compact();
    expect(tombstones(durableVersion(fs)), 'the snapshot still reads the deleted keys: their tombstones must stay').toBeGreaterThan(0);
    expect(contents(db, snapshot), 'the snapshot still sees every key').toHaveLength(300);
    expect(contents(db), 'the current view has half of them').toHaveLength(150);
    snapshot.release();
    db.compact();
    expect(tombstones(durableVersion(fs)), 'no reader needs them any more: compact() must rewrite the bottom tables and drop them').toBe(0);
    expect(contents(db)).toHaveLength(150);
    expect(db.get('key000'), 'a deleted key must stay deleted').toBeUndefined();
    expect(fromUtf8(db.get('key001')!)).toBe(valueFor('k1', 1));
    db.close();
  });

  test('an iterator opened before compactions still reads its view to the end after them', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs);
    const model = new Map<string, string>();
    randomWrites(db, model, new SeededRandom(5), 600, 200, 6);
    db.flush();
    const expected = sorted(model);
    const it = db.iterator();
    const seen: [string, string][] = [];
    let n = 0;
    for (it.seekToFirst(); it.valid(); it.next()) {
      seen.push([fromUtf8(it.key()), fromUtf8(it.value())]);
      // Halfway through, change the tree under the iterator: new writes, and every compaction due.
      if (++n === 20) {
        randomWrites(db, model, new SeededRandom(6), 400, 200, 3);
        compactUntilIdle(db, fs, Infinity);
        db.compact();
      }
    }
    it.close();
    expect(seen, 'the iterator reads the tables it started with, even those compaction replaced').toEqual(expected);
    expect(contents(db)).toEqual(sorted(model));
    db.close();
  });
});
