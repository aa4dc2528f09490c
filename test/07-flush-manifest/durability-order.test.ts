/**
 * Chapter 7, the durability order (tasks 7.3, 7.6 and 7.7): a flush syncs
 * the table, then the directory, then the MANIFEST edit, and only then
 * deletes the WAL segments the table covers; and when the disk fails
 * partway, the engine stops taking writes, keeps serving reads, and a
 * reopen finds every acknowledged write.
 */

import { describe, expect, test } from 'vitest';
import { IOError } from '#toolkit/errors.ts';
import { FaultyFileSystem, type FaultKind } from '#toolkit/faulty-file-system.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { baseName } from '#toolkit/path.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import { contents, DIR, text } from './support/engine.ts';

/** A FaultyFileSystem that also records every operation, and can fail the next one of a kind on a path matching a pattern. */
class RecordingFileSystem extends FaultyFileSystem {
  readonly log: string[] = [];
  private failNext: { kind: FaultKind; path: RegExp } | undefined;

  constructor(readonly memory = new MemoryFileSystem()) {
    super(memory);
  }

  /** Makes the next `kind` operation on a path matching `path` fail with EIO. */
  failOnce(kind: FaultKind, path: RegExp): void {
    this.failNext = { kind, path };
  }

  override tick(kind: FaultKind, path: string): void {
    this.log.push(`${kind} ${baseName(path)}`);
    const f = this.failNext;
    if (f !== undefined && f.kind === kind && f.path.test(path)) {
      this.failNext = undefined;
      throw new IOError(kind === 'open' ? 'open' : kind, path, 'EIO', { cause: new Error('injected fault') });
    }
    super.tick(kind, path);
  }
}

function open(fs: RecordingFileSystem | MemoryFileSystem): LsmTree {
  return LsmTree.open(DIR, { fileSystem: fs });
}

function writeSome(db: LsmTree, prefix: string, n: number): void {
  for (let i = 0; i < n; i++) db.put(`${prefix}${i}`, `${prefix}-value-${i}`);
}

describe('the durability order', () => {
  test('a flush syncs the table, then the directory, then the MANIFEST edit, and only then removes the old WAL segment', () => {
    const fs = new RecordingFileSystem();
    const db = open(fs);
    writeSome(db, 'k', 20);
    fs.log.length = 0;
    db.flush();
    const log = fs.log;
    const at = (pattern: RegExp): number => log.findIndex((op) => pattern.test(op));
    const tableSync = at(/^sync \d+\.sst$/);
    const dirSync = log.findIndex((op, i) => i > tableSync && op === 'syncDir db');
    const manifestWrite = log.findIndex((op, i) => i > dirSync && /^write MANIFEST-/.test(op));
    const manifestSync = log.findIndex((op, i) => i > manifestWrite && /^sync MANIFEST-/.test(op));
    const walRemove = at(/^remove \d+\.log$/);
    const story = log.join('\n');
    expect(tableSync, `the table must be synced:\n${story}`).toBeGreaterThanOrEqual(0);
    expect(dirSync, `the directory must be synced after the table (its name is data too):\n${story}`).toBeGreaterThan(tableSync);
    expect(manifestWrite, `the MANIFEST edit comes after the table is durable:\n${story}`).toBeGreaterThan(dirSync);
    expect(manifestSync, `the MANIFEST edit must be synced:\n${story}`).toBeGreaterThan(manifestWrite);
    expect(walRemove, `the old segment may go only once the edit is durable:\n${story}`).toBeGreaterThan(manifestSync);
    db.close();
  });

  test('a failed MANIFEST sync during a flush: the flush throws IOError, writes are refused, reads still work, and a reopen has every acknowledged write', () => {
    for (const crash of [false, true]) {
      const fs = new RecordingFileSystem();
      const db = open(fs);
      writeSome(db, 'a', 30);
      db.delete('a3');
      fs.failOnce('sync', /MANIFEST-/);
      expect(() => db.flush(), 'the sync failed: the flush did not happen').toThrow(IOError);
      expect(() => db.put('after', 'x'), 'after a failed MANIFEST write the engine must refuse writes').toThrow(IOError);
      expect(() => db.flush()).toThrow(IOError);
      expect(text(db.get('a7')), 'reads keep working after the failure').toBe('a-value-7');
      expect(db.get('a3')).toBeUndefined();
      db.close();
      if (crash) fs.memory.crash({ data: 'drop', names: 'drop' });
      const reopened = open(fs.memory);
      const got = contents(reopened);
      expect(got.length, `crash: ${crash}: all 29 live keys come back, from the table or from the WAL`).toBe(29);
      expect(got.find(([k]) => k === 'a3')).toBeUndefined();
      expect(got.find(([k]) => k === 'after'), 'the refused write is not there').toBeUndefined();
      reopened.close();
    }
  });

  test('a failed table sync: the flush throws IOError, the MANIFEST never names that table, and a reopen has every write', () => {
    const fs = new RecordingFileSystem();
    const db = open(fs);
    writeSome(db, 'b', 25);
    fs.failOnce('sync', /\.sst$/);
    expect(() => db.flush()).toThrow(IOError);
    expect(
      fs.log.filter((op) => /^write MANIFEST-/.test(op)).length,
      'no MANIFEST edit may be written for a table that is not durable',
    ).toBe(1); // The one written when the database was created.
    expect(db.metrics().levels[0]!.files).toBe(0);
    expect(text(db.get('b24')), 'the frozen memtable still serves reads').toBe('b-value-24');
    db.close();
    fs.memory.crash({ data: 'drop', names: 'drop' });
    const reopened = open(fs.memory);
    expect(contents(reopened).length, 'every write comes back from the WAL (rotation synced it)').toBe(25);
    reopened.close();
  });

  test('a failed WAL append: that put throws IOError and is not applied, later writes are refused, and a reopen has every earlier write', () => {
    const fs = new RecordingFileSystem();
    const db = open(fs);
    writeSome(db, 'c', 10);
    fs.failOnce('write', /\.log$/);
    expect(() => db.put('lost', 'x')).toThrow(IOError);
    expect(db.get('lost'), 'a write the WAL refused must not reach the memtable').toBeUndefined();
    expect(() => db.put('later', 'x')).toThrow(IOError);
    expect(text(db.get('c9'))).toBe('c-value-9');
    db.close();
    const reopened = open(fs.memory);
    expect(contents(reopened).map(([k]) => k)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9']);
    reopened.close();
  });
});
