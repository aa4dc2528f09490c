/**
 * Chapter 10, files nobody can reach (tasks 10.2 and 10.3, with chapter
 * 7's open-time sweep): at run time a table is deleted when its last
 * version dies; a crash skips that, so the next open deletes every table
 * and WAL segment that no version references, and nothing else.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem, SimulatedCrash } from '#toolkit/memory-file-system.ts';
import { compactAll, COMPACTING } from './support/compaction.ts';
import { contents, DIR, openOn, sortedEntries, tableFiles, valueFor } from './support/engine.ts';

/** Every file name in DIR of the given extension. */
function filesEnding(fs: MemoryFileSystem, suffix: string): string[] {
  return fs.list(DIR).filter((name) => name.endsWith(suffix));
}

/** Total tables in the current version, from the metrics. */
function versionTables(db: { metrics(): { levels: readonly { files: number }[] } }): number {
  return db.metrics().levels.reduce((n, level) => n + level.files, 0);
}

describe('orphaned files', () => {
  test('at open, tables and WAL segments no version references are deleted, and nothing else', () => {
    const fs = new MemoryFileSystem();
    let db = openOn(fs, COMPACTING);
    const model = new Map<string, string>();
    for (let i = 0; i < 120; i++) {
      const key = `key${i % 37}`;
      db.put(key, valueFor(key, i));
      model.set(key, valueFor(key, i));
    }
    const logNumber = db.metrics().wal.logNumber;
    db.close();
    const used = new Set(fs.list(DIR).map((name) => Number.parseInt(name, 10)).filter((n) => Number.isInteger(n)));
    let old = logNumber - 1;
    while (used.has(old)) old--;
    const orphans = ['009990.sst', '009991.sst', `${String(old).padStart(6, '0')}.log`, 'CURRENT.tmp'];
    for (const name of orphans) {
      const file = fs.createWritable(`${DIR}/${name}`);
      file.append(new Uint8Array(100));
      file.sync();
      file.close();
    }
    fs.createWritable(`${DIR}/NOTES.txt`).close();

    db = openOn(fs, COMPACTING);
    const names = fs.list(DIR);
    for (const name of orphans) expect(names, `${name} is referenced by nothing: the open must delete it`).not.toContain(name);
    expect(names, 'a file the engine did not make is never touched').toContain('NOTES.txt');
    expect(tableFiles(fs), 'on disk: exactly the tables of the version').toHaveLength(versionTables(db));
    expect(filesEnding(fs, '.log'), 'one WAL segment: the new one').toHaveLength(1);
    expect(filesEnding(fs, '.log')[0]).toBe(`${String(db.metrics().wal.logNumber).padStart(6, '0')}.log`);
    expect(contents(db)).toEqual(sortedEntries(model));
    db.close();
  });

  test('after a crash at any point of flushes and compactions, the next open leaves exactly the files its version references', () => {
    const workload = (fs: MemoryFileSystem, model: Map<string, string>): void => {
      const db = openOn(fs, COMPACTING);
      for (let i = 0; i < 60; i++) {
        const key = `key${(i * 5) % 23}`;
        db.put(key, valueFor(key, i), { sync: true });
        model.set(key, valueFor(key, i));
        if (i % 20 === 19) compactAll(db);
      }
      db.close();
    };
    const probe = new MemoryFileSystem();
    workload(probe, new Map());
    const total = probe.mutations;

    let orphansDeleted = 0;
    for (let k = 0; k < total; k += 3) {
      const where = `crash after operation ${k} of ${total}`;
      const fs = new MemoryFileSystem({ seed: k });
      const model = new Map<string, string>();
      fs.crashAfter(k);
      try {
        workload(fs, model);
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
      }
      fs.crash();
      const onDisk = fs.exists(DIR) ? tableFiles(fs) : [];
      const db = openOn(fs, COMPACTING);
      orphansDeleted += onDisk.filter((name) => !tableFiles(fs).includes(name)).length;
      expect(tableFiles(fs), `${where}: every table on disk must be in the version (orphans deleted), and every table in it on disk`).toHaveLength(
        versionTables(db),
      );
      expect(filesEnding(fs, '.log'), `${where}: the replayed segments are below the new log number and deleted`).toHaveLength(1);
      expect(fs.list(DIR).filter((name) => name.startsWith('MANIFEST-')), `${where}: one MANIFEST`).toHaveLength(1);
      db.close();
    }
    expect(orphansDeleted, 'some crash points leave tables written but never installed: the open deleted them').toBeGreaterThan(0);
  });
});
