/**
 * Chapter 10, writing a checkpoint from a version (tasks 10.4 and 10.5):
 * the directory opens as a database holding exactly that version's data,
 * and a crash after any file-system operation of the checkpoint leaves a
 * directory that either does not open or opens with exactly that data.
 */

import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { MemoryFileSystem, SimulatedCrash, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';
import { VersionSet } from '#engine/version-set.ts';
import { writeCheckpoint, type CheckpointSource } from '#snapshots/checkpoint.ts';
import { contents, DIR, openOn, TINY, valueFor } from './support/engine.ts';

const CKPT = '/ckpt';

/**
 * Makes a closed database in DIR whose every write is in tables (several
 * level-0 tables, overwrites and deletes across them), and returns its
 * contents and the recovered VersionSet to checkpoint from.
 */
function closedDatabase(fs: MemoryFileSystem): { expected: [string, string][]; source: CheckpointSource } {
  const db = openOn(fs, TINY);
  for (let i = 0; i < 60; i++) db.put(`key${i % 23}`, valueFor(`key${i % 23}`, i));
  for (let i = 0; i < 23; i += 4) db.delete(`key${i}`);
  db.flush();
  const expected = contents(db);
  db.close();
  const set = VersionSet.recover(fs, DIR, { manifestMaxSize: 1 << 20 });
  const source = { fs, dir: DIR, version: set.current, lastSequence: set.lastSequence, nextFileNumber: set.nextFileNumber };
  set.close();
  return { expected, source };
}

/** Opens the checkpoint without creating anything: undefined if there is no database there. */
function openCheckpoint(fs: MemoryFileSystem): [string, string][] | undefined {
  try {
    const db = openOn(fs, { ...TINY, createIfMissing: false }, CKPT);
    try {
      return contents(db);
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof InvalidArgumentError && /no database/.test(error.message)) return undefined;
    throw error;
  }
}

describe('writeCheckpoint', () => {
  test('the checkpoint opens with exactly the source version, linking every table', () => {
    const fs = new MemoryFileSystem();
    const { expected, source } = closedDatabase(fs);
    const info = writeCheckpoint(source, CKPT);
    expect(info.tables, 'every table of the version').toBe(source.version.fileCount);
    expect(info.linked, 'the in-memory disk supports links: nothing is copied').toBe(info.tables);
    expect(info.bytesCopied).toBe(0);
    expect(fs.list(CKPT), 'the tables, one MANIFEST and CURRENT: no WAL, nothing else').toEqual(
      [...source.version.fileNumbers().map((n) => `${String(n).padStart(6, '0')}.sst`).sort(), 'CURRENT', expect.stringMatching(/^MANIFEST-\d{6}$/)].sort(),
    );
    expect(openCheckpoint(fs)).toEqual(expected);
    expect(contents(openOn(fs, TINY)), 'the source is untouched').toEqual(expected);
  });

  test('without links every table is copied, and the checkpoint is just as complete', () => {
    const fs = new MemoryFileSystem({ supportsLinks: false });
    const { expected, source } = closedDatabase(fs);
    const info = writeCheckpoint(source, CKPT);
    expect(info.copied).toBe(source.version.fileCount);
    expect(info.bytesCopied).toBe(source.version.allFiles().reduce((sum, { file }) => sum + file.size, 0));
    expect(openCheckpoint(fs)).toEqual(expected);
  });

  test('the checkpoint holds the sequence it was taken at: new writes to it continue above it', () => {
    const fs = new MemoryFileSystem();
    const { source } = closedDatabase(fs);
    writeCheckpoint(source, CKPT);
    const db = openOn(fs, { ...TINY, createIfMissing: false }, CKPT);
    db.put('key1', 'newer');
    expect(db.metrics().lastSequence, 'sequences restart above the last one checkpointed, or old versions would win').toBe(source.lastSequence + 1);
    db.flush();
    db.close();
    const again = openOn(fs, { ...TINY, createIfMissing: false }, CKPT);
    expect(contents(again).find(([k]) => k === 'key1')?.[1]).toBe('newer');
    again.close();
  });

  test('a directory that is not empty, or the database itself, is refused before anything is written', () => {
    const fs = new MemoryFileSystem();
    const { source } = closedDatabase(fs);
    fs.mkdir(CKPT);
    const file = fs.createWritable(`${CKPT}/precious.txt`);
    file.close();
    const before = fs.mutations;
    expect(() => writeCheckpoint(source, CKPT)).toThrow(InvalidArgumentError);
    expect(() => writeCheckpoint(source, DIR)).toThrow(InvalidArgumentError);
    expect(fs.mutations, 'a refused checkpoint changes nothing').toBe(before);
    writeCheckpoint(source, '/other');
    expect(fs.exists('/other/CURRENT'), 'an ordinary checkpoint goes through').toBe(true);
  });

  test('a crash after any operation of the checkpoint leaves no openable checkpoint or a correct one, never a wrong one', () => {
    const modes: [UnsyncedData, UnsyncedNames][] = [
      ['tear', 'random'],
      ['drop', 'drop'],
      ['keep', 'keep'],
      ['tear-with-garbage', 'random'],
    ];
    for (const links of [true, false]) {
      // Count the operations of a whole checkpoint once.
      const probe = new MemoryFileSystem({ supportsLinks: links });
      const { source: probeSource } = closedDatabase(probe);
      const start = probe.mutations;
      writeCheckpoint(probeSource, CKPT);
      const total = probe.mutations - start;

      let opened = 0;
      for (let k = 0; k <= total; k++) {
        for (const [data, names] of modes) {
          const where = `links ${links}, crash after operation ${k} of ${total} (unsynced data: ${data}, names: ${names})`;
          const fs = new MemoryFileSystem({ supportsLinks: links, seed: k + 1 });
          const { expected, source } = closedDatabase(fs);
          fs.crashAfter(k);
          try {
            writeCheckpoint(source, CKPT);
          } catch (error) {
            if (!(error instanceof SimulatedCrash)) throw error;
          }
          fs.crash({ data, names });
          let got: [string, string][] | undefined;
          try {
            got = openCheckpoint(fs);
          } catch (error) {
            throw new Error(`${where}: the checkpoint must either lack CURRENT or open; it failed with ${String(error)}`);
          }
          if (got !== undefined) {
            opened++;
            expect(got, `${where}: a checkpoint that opens must hold exactly the state it was taken at`).toEqual(expected);
          }
          if (k === total) expect(got, `${where}: a finished checkpoint must survive any crash`).toBeDefined();
        }
      }
      expect(opened, 'the late crash points leave a finished checkpoint').toBeGreaterThan(0);
    }
  });
});
