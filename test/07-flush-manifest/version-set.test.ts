/**
 * Chapter 7, the VersionSet on its own (tasks 7.1-7.4): logAndApply makes
 * an edit durable before it installs it, recover rebuilds exactly what was
 * logged, a MANIFEST past its size limit is replaced through an atomic
 * CURRENT, and a crash at any point leaves the old state or the new one.
 */

import { describe, expect, test } from 'vitest';
import { utf8 } from '#toolkit/bytes.ts';
import { CorruptionError, InvalidArgumentError, IOError } from '#toolkit/errors.ts';
import { FaultyFileSystem } from '#toolkit/faulty-file-system.ts';
import { writeFileAtomically, type FileSystem } from '#toolkit/file-system.ts';
import { MemoryFileSystem, SimulatedCrash } from '#toolkit/memory-file-system.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { encodeInternalKey } from '#sstable/internal-key-codec.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import type { VersionEdit } from '#engine/version-edit.ts';
import { VersionSet } from '#engine/version-set.ts';
import type { Version } from '#engine/version.ts';
import { DIR } from './support/engine.ts';

/** Metadata of a table that need not exist: the VersionSet only records it. */
function table(number: number, smallest: string, largest: string, sequence = number): FileMetadata {
  return {
    number,
    size: 1000 + number,
    smallest: encodeInternalKey(utf8(smallest), sequence, ValueKind.Put),
    largest: encodeInternalKey(utf8(largest), sequence, ValueKind.Put),
    smallestSequence: sequence,
    largestSequence: sequence,
    entryCount: 2,
    tombstoneCount: 0,
  };
}

/** A compact picture of a version and its counters, to compare two of them. */
function describeState(version: Version, logNumber: number, lastSequence: number): string {
  const levels = version.levels.map((files, level) => `L${level}:${files.map((f) => f.number).join(',')}`).filter((l) => !l.endsWith(':'));
  return `${levels.join(' ')} log=${logNumber} seq=${lastSequence}`;
}

function describeSet(set: VersionSet): string {
  return describeState(set.current, set.logNumber, set.lastSequence);
}

function newSet(fs: FileSystem, manifestMaxSize = 1 << 20): VersionSet {
  fs.mkdir(DIR);
  return VersionSet.createNew(fs, DIR, { manifestMaxSize });
}

/** A flush-like edit: one new level-0 table, the log number moved past it. */
function flushEdit(set: VersionSet, smallest: string, largest: string): VersionEdit {
  const number = set.newFileNumber();
  set.lastSequence += 10;
  return { newFiles: [{ level: 0, file: table(number, smallest, largest, set.lastSequence) }], deletedFiles: [], logNumber: set.newFileNumber() };
}

describe('VersionSet', () => {
  test('recover rebuilds the version, log number, last sequence and file numbers that logAndApply recorded', () => {
    const fs = new MemoryFileSystem();
    const set = newSet(fs);
    set.logAndApply({ newFiles: [], deletedFiles: [], logNumber: set.newFileNumber() });
    set.logAndApply(flushEdit(set, 'a', 'm'));
    set.logAndApply(flushEdit(set, 'c', 'z'));
    const [newer, older] = set.current.files(0);
    expect(newer!.largestSequence, 'level 0 is kept newest first').toBeGreaterThan(older!.largestSequence);
    set.logAndApply({
      deletedFiles: [{ level: 0, number: older!.number }],
      newFiles: [{ level: 1, file: table(set.newFileNumber(), 'a', 'f', 1) }, { level: 1, file: table(set.newFileNumber(), 'g', 'm', 1) }],
    });
    const before = describeSet(set);
    const next = set.nextFileNumber;
    set.close();
    const recovered = VersionSet.recover(fs, DIR, { manifestMaxSize: 1 << 20 });
    expect(describeSet(recovered), 'replaying the MANIFEST must rebuild the same version').toBe(before);
    expect(recovered.newFileNumber(), 'a number handed out before the restart must never be handed out again').toBeGreaterThanOrEqual(next);
  });

  test('logAndApply refuses an edit that does not apply, and writes nothing for it', () => {
    const fs = new MemoryFileSystem();
    const set = newSet(fs);
    set.logAndApply({ newFiles: [{ level: 1, file: table(set.newFileNumber(), 'a', 'k') }], deletedFiles: [], logNumber: set.newFileNumber() });
    const size = set.manifestSize;
    const bad: VersionEdit[] = [
      { newFiles: [], deletedFiles: [{ level: 0, number: 999 }] },
      { newFiles: [{ level: 1, file: table(set.newFileNumber(), 'j', 'p') }], deletedFiles: [] },
      { newFiles: [], deletedFiles: [], logNumber: 0 },
    ];
    for (const edit of bad) expect(() => set.logAndApply(edit)).toThrow(InvalidArgumentError);
    expect(set.manifestSize, 'a refused edit must not reach the MANIFEST').toBe(size);
    expect(set.current.files(1)).toHaveLength(1);
  });

  test('the version changes only after the edit is synced: a failed MANIFEST sync leaves it as it was, and refuses later edits', () => {
    const fs = new FaultyFileSystem(new MemoryFileSystem());
    const set = newSet(fs);
    set.logAndApply({ newFiles: [], deletedFiles: [], logNumber: set.newFileNumber() });
    const edit = flushEdit(set, 'a', 'b');
    const before = describeSet(set);
    fs.inject({ kind: 'sync', nth: 1 });
    expect(() => set.logAndApply(edit)).toThrow(IOError);
    expect(describeSet(set), 'an edit that is not durable must not become current').toBe(before);
    fs.heal();
    expect(() => set.logAndApply(flushEdit(set, 'c', 'd')), 'the MANIFEST may end in a partial record: nothing may follow it').toThrow(IOError);
  });

  test('a MANIFEST past manifestMaxSize is replaced by a snapshot named by a new CURRENT; the old one is removed', () => {
    const fs = new MemoryFileSystem();
    const set = newSet(fs, 1024);
    set.logAndApply({ newFiles: [], deletedFiles: [], logNumber: set.newFileNumber() });
    const first = set.manifestNumber;
    let rewrites = 0;
    for (let i = 0; i < 40; i++) {
      const number = set.manifestNumber;
      const size = set.manifestSize;
      set.logAndApply(flushEdit(set, `key${i}`, `key${i}z`));
      if (set.manifestNumber !== number) {
        rewrites++;
        expect(size, 'rewritten only once it is past manifestMaxSize').toBeGreaterThanOrEqual(1024);
        expect(set.manifestSize, 'the snapshot is smaller than the log it replaces').toBeLessThan(size);
      }
    }
    expect(rewrites, 'forty edits of ~50 bytes pass 1 KiB at least once').toBeGreaterThan(0);
    expect(set.manifestNumber).not.toBe(first);
    expect(fs.list(DIR).filter((n) => n.startsWith('MANIFEST-'))).toHaveLength(1);
    const recovered = VersionSet.recover(fs, DIR, { manifestMaxSize: 1024 });
    expect(describeSet(recovered)).toBe(describeSet(set));
  });

  test('a crash at any point of a series of logAndApply calls (MANIFEST rewrites included) recovers the last durable version or the next', () => {
    /** Logs a series of edits; before each, records the state it will make. */
    const run = (fs: MemoryFileSystem, states: string[]): void => {
      const set = newSet(fs, 1024);
      const log = (edit: VersionEdit): void => {
        states.push(describeState(set.current.apply(edit), edit.logNumber ?? set.logNumber, set.lastSequence));
        set.logAndApply(edit);
      };
      log({ newFiles: [], deletedFiles: [], logNumber: set.newFileNumber() });
      for (let i = 0; i < 30; i++) log(flushEdit(set, `key${i}`, `key${i}z`));
    };
    const clean = new MemoryFileSystem();
    run(clean, []);
    for (let k = 0; k <= clean.mutations; k++) {
      const fs = new MemoryFileSystem({ seed: k });
      const states: string[] = [];
      fs.crashAfter(k);
      try {
        run(fs, states);
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
      }
      fs.crash({ data: k % 2 === 0 ? 'tear' : 'drop', names: k % 3 === 0 ? 'keep' : 'random' });
      if (!fs.exists(`${DIR}/CURRENT`)) {
        expect(states.length, `crash after ${k}: CURRENT may be missing only before the first edit returned`).toBeLessThanOrEqual(1);
        continue;
      }
      const recovered = describeSet(VersionSet.recover(fs, DIR, { manifestMaxSize: 1024 }));
      expect(states.slice(-2), `crash after mutation ${k}: the last durable version, or the one being logged`).toContain(recovered);
    }
  });

  test('CURRENT that holds junk, or names a MANIFEST that does not exist, is a CorruptionError naming CURRENT', () => {
    const fs = new MemoryFileSystem();
    const set = newSet(fs);
    set.logAndApply({ newFiles: [], deletedFiles: [], logNumber: set.newFileNumber() });
    for (const junk of ['MANIFEST-000001', 'hello\n', 'MANIFEST-999999\n']) {
      writeFileAtomically(fs, DIR, 'CURRENT', utf8(junk));
      let error: unknown;
      try {
        VersionSet.recover(fs, DIR, { manifestMaxSize: 1 << 20 });
      } catch (e) {
        error = e;
      }
      expect(error, `CURRENT = ${JSON.stringify(junk)}`).toBeInstanceOf(CorruptionError);
      expect((error as CorruptionError).file).toBe(`${DIR}/CURRENT`);
    }
  });
});
