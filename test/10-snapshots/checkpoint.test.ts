/**
 * Chapter 10, `db.checkpoint(dir)` (tasks 10.4 and 10.5, through the
 * engine's given wiring): a directory that opens as a database holding
 * exactly the state at the call, made by hard links where the file system
 * allows and copies where it does not, on the in-memory disk and a real
 * one; untouched by anything the source does afterwards; and crash-safe.
 */

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { MemoryFileSystem, SimulatedCrash } from '#toolkit/memory-file-system.ts';
import { NodeFileSystem } from '#toolkit/node-file-system.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import { compactAll, COMPACTING } from './support/compaction.ts';
import { contents, DIR, openOn, sortedEntries, tableFiles, valueFor } from './support/engine.ts';

const CKPT = '/ckpt';

/** Writes `count` overwrites and deletes of 41 keys into `db` and `model`. */
function fill(db: LsmTree, model: Map<string, string>, round: number, sync = false, count = 80): void {
  for (let i = 0; i < count; i++) {
    const key = `key${(i * 7 + round) % 41}`;
    if (i % 9 === 4) {
      db.delete(key, { sync });
      model.delete(key);
    } else {
      const value = valueFor(key, round * 100 + i);
      db.put(key, value, { sync });
      model.set(key, value);
    }
  }
}

/** Changes everything in the source after a checkpoint: overwrites, deletes of every key, flushes, compactions. */
function churn(db: LsmTree): void {
  const later = new Map<string, string>();
  fill(db, later, 7);
  compactAll(db);
  for (let i = 0; i < 41; i++) db.delete(`key${i}`);
  db.flush();
  compactAll(db);
}

/** Opens the checkpoint in `dir`, reads it whole, closes it. */
function checkpointContents(fs: FileSystem, dir: string): [string, string][] {
  const db = openOn(fs, { ...COMPACTING, createIfMissing: false }, dir);
  try {
    return contents(db);
  } finally {
    db.close();
  }
}

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('db.checkpoint(dir)', () => {
  test('on a disk with links: the checkpoint opens with exactly the state at the call, whatever the source does next', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, COMPACTING);
    const model = new Map<string, string>();
    fill(db, model, 1);
    db.flush();
    fill(db, model, 2); // partly only in the memtable: the checkpoint must flush it
    const bytesBefore = fs.totalBytes();
    const info = db.checkpoint(CKPT);
    expect(info.tables).toBeGreaterThan(0);
    expect(info.linked, 'the in-memory disk supports hard links: every table is linked').toBe(info.tables);
    expect(info.bytesCopied).toBe(0);
    expect(fs.totalBytes() - bytesBefore, 'linking shares the tables: only a small MANIFEST and CURRENT are new (plus the flush)').toBeLessThan(8192);
    expect(checkpointContents(fs, CKPT), 'the checkpoint holds every write before the call, memtable included').toEqual(sortedEntries(model));
    churn(db);
    expect(contents(db), 'the source moved on').toEqual([]);
    expect(checkpointContents(fs, CKPT), "the source's writes, deletes and compactions (which delete its tables) do not reach the checkpoint").toEqual(
      sortedEntries(model),
    );
    db.close();
  });

  test('on a disk without links: every table is copied, with the same result', () => {
    const fs = new MemoryFileSystem({ supportsLinks: false });
    const db = openOn(fs, COMPACTING);
    const model = new Map<string, string>();
    fill(db, model, 1);
    compactAll(db);
    fill(db, model, 2);
    const info = db.checkpoint(CKPT);
    expect(info.copied, 'link fails with ENOTSUP: every table must be copied instead').toBe(info.tables);
    expect(info.bytesCopied).toBeGreaterThan(0);
    churn(db);
    expect(checkpointContents(fs, CKPT)).toEqual(sortedEntries(model));
    db.close();
  });

  test('on a real disk: the checkpoint shares the source tables through hard links, and outlives their deletion', () => {
    const root = mkdtempSync(join(tmpdir(), 'lsm-checkpoint-'));
    temporary.push(root);
    const fs = new NodeFileSystem();
    const db = openOn(fs, COMPACTING, `${root}/db`);
    const model = new Map<string, string>();
    fill(db, model, 1);
    fill(db, model, 2);
    const info = db.checkpoint(`${root}/ckpt`);
    expect(info.linked).toBe(info.tables);
    for (const name of tableFiles(fs, `${root}/ckpt`)) {
      expect(statSync(`${root}/ckpt/${name}`).ino, `${name} must be a hard link to the source's file`).toBe(statSync(`${root}/db/${name}`).ino);
    }
    churn(db);
    db.close();
    expect(checkpointContents(fs, `${root}/ckpt`)).toEqual(sortedEntries(model));
  });

  test('the checkpoint is a database of its own: both open at once, and writes to one never reach the other', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, COMPACTING);
    const model = new Map<string, string>();
    fill(db, model, 1);
    db.checkpoint(CKPT);
    const copy = openOn(fs, COMPACTING, CKPT);
    copy.put('only-in-checkpoint', 'x');
    fill(copy, new Map(), 3);
    compactAll(copy);
    db.put('only-in-source', 'y');
    compactAll(db);
    expect(db.get('only-in-checkpoint')).toBeUndefined();
    expect(copy.get('only-in-source')).toBeUndefined();
    expect(contents(db).filter(([k]) => k !== 'only-in-source'), "compacting the checkpoint deletes only the checkpoint's names").toEqual(sortedEntries(model));
    copy.close();
    db.close();
  });

  test('a directory that is not empty, or the database itself, is refused before the memtable is flushed', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, COMPACTING);
    db.put('k', 'v');
    fs.mkdir('/busy');
    fs.createWritable('/busy/notes.txt').close();
    expect(() => db.checkpoint('/busy')).toThrow(InvalidArgumentError);
    expect(() => db.checkpoint(DIR)).toThrow(InvalidArgumentError);
    expect(db.metrics().memtable.entries, 'a refused checkpoint must not even flush').toBe(1);
    db.checkpoint(CKPT);
    expect(db.metrics().memtable.entries, 'a checkpoint flushes the memtable first').toBe(0);
    db.close();
  });

  test('a crash after any operation of a checkpoint leaves no openable checkpoint or a correct one, and the source intact', () => {
    for (const links of [true, false]) {
      const run = (fs: MemoryFileSystem, model: Map<string, string>): LsmTree => {
        const db = openOn(fs, COMPACTING);
        fill(db, model, 1, true, 30);
        db.flush();
        fill(db, model, 2, true, 12);
        return db;
      };
      const probe = new MemoryFileSystem({ supportsLinks: links });
      const probeDb = run(probe, new Map());
      const start = probe.mutations;
      probeDb.checkpoint(CKPT);
      const total = probe.mutations - start;
      probeDb.close();

      let complete = 0;
      for (let k = 0; k <= total; k++) {
        const where = `links ${links}, crash after operation ${k} of ${total}`;
        const fs = new MemoryFileSystem({ supportsLinks: links, seed: k + 7 });
        const model = new Map<string, string>();
        const db = run(fs, model);
        fs.crashAfter(k);
        try {
          db.checkpoint(CKPT);
        } catch (error) {
          if (!(error instanceof SimulatedCrash)) throw error;
        }
        fs.crash();
        let got: [string, string][] | undefined;
        try {
          got = checkpointContents(fs, CKPT);
        } catch (error) {
          if (!(error instanceof InvalidArgumentError && /no database/.test(error.message))) {
            throw new Error(`${where}: an unfinished checkpoint must have no CURRENT; opening it failed with ${String(error)}`);
          }
        }
        if (got !== undefined) {
          complete++;
          expect(got, `${where}: a checkpoint that opens must hold exactly the state at the call`).toEqual(sortedEntries(model));
        }
        const source = openOn(fs, COMPACTING);
        expect(contents(source), `${where}: the source keeps every synced write`).toEqual(sortedEntries(model));
        source.close();
      }
      expect(complete, 'a crash after the last operation leaves a complete checkpoint').toBeGreaterThan(0);
    }
  });
});
