/**
 * Chapter 8, crash safety of compaction (every task together): a power
 * loss after any single file-system operation of a workload full of tiered
 * compactions (paced in small slices, driven by hand, and by compact())
 * must leave a database that opens and holds exactly the writes of some
 * prefix of the workload, every durable one included. That holds only if
 * outputs are synced (and their names) before the MANIFEST names them, and
 * inputs are deleted only after the edit that drops them is durable.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem, SimulatedCrash, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';
import { contents, openOn, valueFor } from './support/engine.ts';
import { History } from './support/history.ts';

const OPTIONS: LsmOptions = {
  memtableSize: 1024,
  blockSize: 128,
  compactionPacing: 16,
  maxSliceBytes: 300,
  compaction: { strategy: 'tiered', maxRuns: 2, targetFileSize: 1024 },
};
const DATA_MODES: UnsyncedData[] = ['tear', 'drop', 'tear-with-garbage', 'keep'];
const NAME_MODES: UnsyncedNames[] = ['random', 'drop', 'keep'];

/** Puts, deletes, flushes and compactions of every kind, a close and a reopen. Returns the compactions finished. */
function runWorkload(fs: MemoryFileSystem, history: History): number {
  let db: LsmTree = openOn(fs, OPTIONS);
  let compactions = 0;
  const put = (key: string, value: string, sync = false): void => {
    history.begin([{ key, value }]);
    db.put(key, value, { sync });
    if (sync) history.allDurable();
  };
  const del = (key: string, sync = false): void => {
    history.begin([{ key, value: null }]);
    db.delete(key, { sync });
    if (sync) history.allDurable();
  };
  const durable = (action: () => void): void => {
    action();
    history.allDurable();
  };
  const count = (): void => {
    compactions += db.metrics().compaction.compactions;
  };

  for (let i = 0; i < 110; i++) put(`k${(i * 7) % 23}`, valueFor(`k${(i * 7) % 23}`, i, 60), i % 25 === 0);
  del('k3', true);
  del('k5');
  durable(() => db.compact()); // Flushes, then merges every run into the bottom level: k3's tombstone goes.
  for (let i = 110; i < 170; i++) put(`k${(i * 5) % 23}`, valueFor(`k${(i * 5) % 23}`, i, 60), i % 20 === 0);
  while (db.compactionStep(200).state !== 'idle');
  count();
  db.close();
  history.allDurable();
  db = openOn(fs, OPTIONS);
  for (let i = 170; i < 220; i++) put(`k${(i * 3) % 23}`, valueFor(`k${(i * 3) % 23}`, i, 60), i % 10 === 0);
  del('k7', true);
  durable(() => db.compact(0));
  count();
  return compactions;
}

describe('crash safety of compaction', () => {
  test('a crash after every other file-system mutation of a workload of paced, stepped and manual tiered compactions loses nothing durable and resurrects nothing', () => {
    const clean = new MemoryFileSystem();
    const compactions = runWorkload(clean, new History());
    const mutations = clean.mutations;
    expect(compactions, 'the workload should run several compactions').toBeGreaterThan(5);
    expect(mutations, 'the workload should do hundreds of file-system mutations').toBeGreaterThan(300);
    // Every other mutation (odd ones on odd seeds would do as well), to keep the test fast.
    for (let i = 0, k = 0; k <= mutations; i++, k += 2) {
      const fs = new MemoryFileSystem({ seed: k + 1 });
      const history = new History();
      fs.crashAfter(k);
      try {
        runWorkload(fs, history);
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
      }
      const data = DATA_MODES[i % DATA_MODES.length]!;
      const names = NAME_MODES[Math.floor(i / DATA_MODES.length) % NAME_MODES.length]!;
      fs.crash({ data, names });
      const context = `crash after mutation ${k} of ${mutations} (unsynced data: ${data}, names: ${names})`;
      let db: LsmTree;
      try {
        db = openOn(fs, OPTIONS);
      } catch (error) {
        throw new Error(`${context}: the database must open after a crash (a MANIFEST naming a table that is not durable?): ${String(error)}`, {
          cause: error,
        });
      }
      const recovered = contents(db);
      db.close();
      const p = history.match(recovered);
      expect(typeof p === 'number' ? 'ok' : p, `${context}: durable writes lost (an input deleted too early?), a deleted key came back, or a write was invented`).toBe('ok');
    }
  });
});
