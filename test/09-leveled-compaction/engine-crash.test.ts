/**
 * Chapter 9, crash safety of leveled compaction (the picker's plans, carried
 * out by chapter 8's job): a power loss after any file-system operation of a
 * run of leveled compactions (level-0, level-size, trivial moves, then a
 * full compact()) leaves a database that opens with exactly the data written
 * before: every synced write present, nothing deleted come back, nothing
 * invented. And the recovered tree compacts again into a valid shape.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem, SimulatedCrash, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { joinPath } from '#toolkit/path.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import { contents, DIR, durableVersion, openOn, outOfShape, overlapIn, sorted, valueFor } from './support/engine.ts';

/** Ratio 2 and the smallest base level: a small tree, several levels deep. */
const DEEP = { strategy: 'leveled', l0CompactionTrigger: 2, levelSizeRatio: 2, baseLevelSize: 1024, targetFileSize: 1024 } as const;

const DATA_MODES: UnsyncedData[] = ['tear', 'drop', 'tear-with-garbage', 'keep'];
const NAME_MODES: UnsyncedNames[] = ['random', 'drop', 'keep'];

/**
 * Builds the tree the compactions start from: writes with deletes, some
 * levels below level 0, and a pile of level-0 tables; everything durable.
 * Returns the database and what it must hold.
 */
function setUp(fs: MemoryFileSystem): { db: LsmTree; model: Map<string, string> } {
  const db = openOn(fs, { compaction: DEEP });
  const model = new Map<string, string>();
  const random = new SeededRandom(77);
  const write = (count: number, tag: number): void => {
    for (let i = 0; i < count; i++) {
      const key = `key${String(random.below(100)).padStart(3, '0')}`;
      if (i % 5 === 4) {
        db.delete(key);
        model.delete(key);
      } else {
        const value = valueFor(key, tag * 1000 + i, 30);
        db.put(key, value);
        model.set(key, value);
      }
    }
  };
  write(150, 1);
  db.compact();
  write(80, 2);
  db.compact(0);
  // A table of new keys, past all the others, flushed first: the oldest level-0
  // table overlaps nothing, so it moves down by a trivial move.
  for (let i = 0; i < 10; i++) {
    db.put(`zz${i}`, valueFor(`zz${i}`, i, 30));
    model.set(`zz${i}`, valueFor(`zz${i}`, i, 30));
  }
  db.flush();
  write(60, 3);
  db.flush();
  return { db, model };
}

/**
 * Returns a new disk holding a durable copy of every file of the database
 * directory on `source` (set up once, copied for each crash point).
 */
function copyOf(source: MemoryFileSystem, seed: number): MemoryFileSystem {
  const fs = new MemoryFileSystem({ seed });
  fs.mkdir(DIR);
  for (const name of source.list(DIR)) {
    const file = fs.createWritable(joinPath(DIR, name));
    file.append(source.readFile(joinPath(DIR, name)));
    file.sync();
    file.close();
  }
  fs.syncDir(DIR);
  return fs;
}

/** The compactions under test: every due compaction in small slices, then a full compact(). */
function compactions(db: LsmTree): void {
  while (db.compactionStep(512).state !== 'idle');
  db.compact();
}

describe('crash safety of leveled compaction', () => {
  test('a crash after every file-system operation of leveled compactions loses nothing and resurrects nothing', () => {
    const prepared = new MemoryFileSystem();
    const setup = setUp(prepared);
    setup.db.close();
    const expected = sorted(setup.model);
    const clean = copyOf(prepared, 1);
    const db = openOn(clean, { compaction: DEEP });
    const start = clean.mutations;
    compactions(db);
    const m = db.metrics().compaction;
    expect(m.compactions, 'the workload runs several compactions').toBeGreaterThan(3);
    expect(m.byReason['level0-files'] + m.byReason['level-size'], 'some of them chosen by score').toBeGreaterThan(0);
    expect(m.trivialMoves, 'one of them a trivial move').toBeGreaterThan(0);
    expect(contents(db)).toEqual(expected);
    db.close();
    const operations = clean.mutations - start;
    expect(operations, 'the compactions do dozens of file-system operations').toBeGreaterThan(50);

    for (let k = 0; k <= operations; k++) {
      const fs = copyOf(prepared, k + 1);
      const crashing = openOn(fs, { compaction: DEEP });
      fs.crashAfter(k);
      try {
        compactions(crashing);
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
      }
      const data = DATA_MODES[k % DATA_MODES.length]!;
      const names = NAME_MODES[Math.floor(k / DATA_MODES.length) % NAME_MODES.length]!;
      fs.crash({ data, names });
      const context = `crash after operation ${k} of ${operations} of the compactions (unsynced data: ${data}, names: ${names})`;
      let reopened: LsmTree;
      try {
        reopened = openOn(fs, { compaction: DEEP });
      } catch (error) {
        throw new Error(`${context}: the database must open: ${String(error)}`, { cause: error });
      }
      expect(contents(reopened), `${context}: the data written before the compactions, exactly`).toEqual(expected);
      expect(overlapIn(durableVersion(fs)), context).toBeUndefined();
      if (k % 3 === 0) {
        // The recovered tree is a valid starting point: compaction finishes the job.
        reopened.compact();
        expect(contents(reopened), `${context}, then compact()`).toEqual(expected);
        expect(outOfShape(durableVersion(fs), DEEP), `${context}, then compact()`).toBeUndefined();
      }
      reopened.close();
    }
  });
});
