import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { writeFileAtomically } from '#toolkit/file-system.ts';
import { MemoryFileSystem, SimulatedCrash, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';

const OLD = 'MANIFEST-000001\n';
const NEW = 'MANIFEST-000002\n';
const DATA_MODES: UnsyncedData[] = ['drop', 'tear', 'tear-with-garbage', 'keep'];
const NAME_MODES: UnsyncedNames[] = ['drop', 'random', 'keep'];
const SEEDS = Array.from({ length: 8 }, (_, i) => i + 1);
/** createWritable, append, sync, rename, syncDir. */
const STEPS = 5;

function read(fs: MemoryFileSystem, path: string): string | undefined {
  return fs.exists(path) ? fromUtf8(fs.readFile(path)) : undefined;
}

/** Runs `body`, swallowing the SimulatedCrash that ends it early; any other error fails the test. */
function untilCrash(body: () => void): void {
  try {
    body();
  } catch (error) {
    if (!(error instanceof SimulatedCrash)) throw error;
  }
}

/** Every way the process can die during writeFileAtomically, under every crash mode. */
function* everyCrash(): Generator<{ n: number; names: UnsyncedNames; data: UnsyncedData; seed: number; label: string }> {
  for (let n = 0; n <= STEPS; n++) {
    for (const names of NAME_MODES) {
      for (const data of DATA_MODES) {
        for (const seed of SEEDS) yield { n, names, data, seed, label: `died after ${n} of ${STEPS} steps, names: '${names}', data: '${data}', seed ${seed}` };
      }
    }
  }
}

describe('writeFileAtomically', () => {
  it('takes five steps: create the temporary file, append, sync, rename, sync the directory', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    writeFileAtomically(fs, '/db', 'CURRENT', utf8(NEW));
    expect(fs.mutations - 1).toBe(STEPS);
    expect(fs.list('/db'), 'the temporary file is gone: it became CURRENT').toEqual(['CURRENT']);
    expect(read(fs, '/db/CURRENT')).toBe(NEW);
  });

  it('leaves the old contents or the new ones after a crash at any step, never a mix or nothing', () => {
    for (const { n, names, data, seed, label } of everyCrash()) {
      const fs = new MemoryFileSystem({ seed });
      fs.mkdir('/db');
      writeFileAtomically(fs, '/db', 'CURRENT', utf8(OLD));
      fs.crashAfter(n);
      untilCrash(() => writeFileAtomically(fs, '/db', 'CURRENT', utf8(NEW)));
      fs.crash({ names, data });
      const current = read(fs, '/db/CURRENT');
      expect([OLD, NEW], label).toContain(current);
      if (n === STEPS) expect(current, `${label}: it returned, so the new contents are durable`).toBe(NEW);
    }
  });

  it('leaves no file or the whole new one when there was no old file', () => {
    for (const { n, names, data, seed, label } of everyCrash()) {
      const fs = new MemoryFileSystem({ seed });
      fs.mkdir('/db');
      fs.crashAfter(n);
      untilCrash(() => writeFileAtomically(fs, '/db', 'CURRENT', utf8(NEW)));
      fs.crash({ names, data });
      expect([undefined, NEW], label).toContain(read(fs, '/db/CURRENT'));
    }
  });

  it('can run again after a crash left its temporary file behind', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    fs.crashAfter(3);
    untilCrash(() => writeFileAtomically(fs, '/db', 'CURRENT', utf8(OLD)));
    fs.crash({ names: 'keep', data: 'keep' });
    expect(fs.exists('/db/CURRENT.tmp')).toBe(true);
    writeFileAtomically(fs, '/db', 'CURRENT', utf8(NEW));
    expect(fs.list('/db')).toEqual(['CURRENT']);
    expect(read(fs, '/db/CURRENT')).toBe(NEW);
  });
});

describe('why each step of writeFileAtomically is there', () => {
  it('without the sync before the rename, a crash can leave the new name pointing at an empty file', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    writeFileAtomically(fs, '/db', 'CURRENT', utf8(OLD));
    const temp = fs.createWritable('/db/CURRENT.tmp');
    temp.append(utf8(NEW));
    temp.close(); // no sync
    fs.rename('/db/CURRENT.tmp', '/db/CURRENT');
    fs.syncDir('/db');
    fs.crash({ data: 'drop' });
    expect(read(fs, '/db/CURRENT'), 'the rename was durable, the bytes were not').toBe('');
  });

  it('without the directory sync after the rename, the new contents are not durable when it returns', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    writeFileAtomically(fs, '/db', 'CURRENT', utf8(OLD));
    const temp = fs.createWritable('/db/CURRENT.tmp');
    temp.append(utf8(NEW));
    temp.sync();
    temp.close();
    fs.rename('/db/CURRENT.tmp', '/db/CURRENT'); // no syncDir
    fs.crash({ names: 'drop' });
    expect(read(fs, '/db/CURRENT'), 'the rename was undone by the crash').toBe(OLD);
  });
});
