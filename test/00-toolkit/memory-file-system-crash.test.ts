import { describe, expect, it } from 'vitest';
import { bytesEqual, fromUtf8, toHex, utf8 } from '#toolkit/bytes.ts';
import { IOError } from '#toolkit/errors.ts';
import { MemoryFileSystem, SimulatedCrash, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);
const DATA_MODES: UnsyncedData[] = ['drop', 'tear', 'tear-with-garbage', 'keep'];
const NAME_MODES: UnsyncedNames[] = ['drop', 'random', 'keep'];

/** 64 distinct bytes, so any cut or overwrite of them shows. */
const SYNCED = Uint8Array.from({ length: 64 }, (_, i) => i);
const UNSYNCED = Uint8Array.from({ length: 64 }, (_, i) => 100 + i);
const FULL = Uint8Array.from([...SYNCED, ...UNSYNCED]);

/** A durable directory /db holding one file whose first 64 bytes are synced and next 64 are not. */
function halfSyncedFile(seed: number): MemoryFileSystem {
  const fs = new MemoryFileSystem({ seed });
  fs.mkdir('/db');
  const file = fs.createWritable('/db/000001.log');
  file.append(SYNCED);
  file.sync();
  fs.syncDir('/db');
  file.append(UNSYNCED);
  return fs;
}

/** A durable file holding `text`: data synced, name made durable. */
function durableFile(fs: MemoryFileSystem, path: string, text: string): void {
  const file = fs.createWritable(path);
  file.append(utf8(text));
  file.sync();
  file.close();
  fs.syncDir(path.slice(0, path.lastIndexOf('/')) || '/');
}

/** Everything a directory holds, name -> hex, for comparing whole outcomes. */
function snapshot(fs: MemoryFileSystem, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.list(dir)) out[name] = toHex(fs.readFile(`${dir}/${name}`));
  return out;
}

function read(fs: MemoryFileSystem, path: string): string | undefined {
  return fs.exists(path) ? fromUtf8(fs.readFile(path)) : undefined;
}

describe('crash(): file contents', () => {
  it('keeps every synced byte, whatever happens to the unsynced ones', () => {
    for (const data of DATA_MODES) {
      for (const seed of SEEDS.slice(0, 50)) {
        const fs = halfSyncedFile(seed);
        fs.crash({ data });
        const after = fs.readFile('/db/000001.log');
        expect(after.length, `data: '${data}', seed ${seed}`).toBeGreaterThanOrEqual(SYNCED.length);
        expect(bytesEqual(after.subarray(0, SYNCED.length), SYNCED), `data: '${data}', seed ${seed}: synced prefix changed`).toBe(true);
      }
    }
  });

  it("drops every unsynced byte with data: 'drop', and keeps them all with data: 'keep'", () => {
    const dropped = halfSyncedFile(1);
    dropped.crash({ data: 'drop' });
    expect(dropped.readFile('/db/000001.log')).toEqual(SYNCED);
    const kept = halfSyncedFile(1);
    kept.crash({ data: 'keep' });
    expect(kept.readFile('/db/000001.log')).toEqual(FULL);
  });

  it("keeps a prefix of the written bytes, cut anywhere from the synced length to the full length, with data: 'tear'", () => {
    const lengths = new Set<number>();
    for (const seed of SEEDS) {
      const fs = halfSyncedFile(seed);
      fs.crash({ data: 'tear' });
      const after = fs.readFile('/db/000001.log');
      expect(after.length).toBeLessThanOrEqual(FULL.length);
      expect(bytesEqual(after, FULL.subarray(0, after.length)), `seed ${seed}: a torn write is a prefix`).toBe(true);
      lengths.add(after.length);
    }
    expect(lengths.size, 'tears fall at many different offsets').toBeGreaterThan(50);
  });

  it("keeps the synced prefix intact with data: 'tear-with-garbage', and sometimes writes garbage after it", () => {
    let garbled = 0;
    for (const seed of SEEDS) {
      const fs = halfSyncedFile(seed);
      fs.crash({ data: 'tear-with-garbage' });
      const after = fs.readFile('/db/000001.log');
      expect(after.length).toBeGreaterThanOrEqual(SYNCED.length);
      expect(after.length).toBeLessThanOrEqual(FULL.length);
      expect(bytesEqual(after.subarray(0, SYNCED.length), SYNCED), `seed ${seed}`).toBe(true);
      if (!bytesEqual(after, FULL.subarray(0, after.length))) garbled++;
    }
    expect(garbled, 'the tail is garbage in most crashes').toBeGreaterThan(SEEDS.length / 2);
  });

  it('tears the default way (data: tear, names: random) when given no options', () => {
    const fs = halfSyncedFile(7);
    fs.crash();
    const after = fs.readFile('/db/000001.log');
    expect(bytesEqual(after, FULL.subarray(0, after.length))).toBe(true);
  });

  it('makes what survived durable: a second crash changes nothing', () => {
    for (const seed of SEEDS.slice(0, 20)) {
      const fs = halfSyncedFile(seed);
      fs.crash({ data: 'tear-with-garbage' });
      const first = snapshot(fs, '/db');
      fs.crash({ data: 'drop', names: 'drop' });
      expect(snapshot(fs, '/db')).toEqual(first);
    }
  });
});

describe('crash(): names', () => {
  it("loses a file that was created and synced but never directory-synced, with names: 'drop'", () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    const file = fs.createWritable('/db/000007.sst');
    file.append(utf8('table'));
    file.sync();
    fs.crash({ names: 'drop' });
    expect(fs.exists('/db/000007.sst'), 'sync() makes bytes durable, not the name: syncDir does that').toBe(false);
    expect(fs.list('/db')).toEqual([]);
  });

  it("keeps it with names: 'keep', and always once the directory was synced", () => {
    for (const names of ['keep', 'drop', 'random'] as const) {
      const fs = new MemoryFileSystem();
      fs.mkdir('/db');
      const file = fs.createWritable('/db/000007.sst');
      file.append(utf8('table'));
      file.sync();
      if (names !== 'keep') fs.syncDir('/db');
      fs.crash({ names });
      expect(read(fs, '/db/000007.sst'), `names: '${names}'`).toBe('table');
    }
  });

  it("brings back a removed file whose removal was never directory-synced, with names: 'drop'", () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    durableFile(fs, '/db/000003.log', 'old log');
    fs.remove('/db/000003.log');
    expect(fs.exists('/db/000003.log')).toBe(false);
    fs.crash({ names: 'drop' });
    expect(read(fs, '/db/000003.log'), 'an unsynced unlink can be undone by a crash').toBe('old log');
  });

  it('keeps a removal once the directory is synced', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    durableFile(fs, '/db/000003.log', 'old log');
    fs.remove('/db/000003.log');
    fs.syncDir('/db');
    fs.crash({ names: 'drop' });
    expect(fs.exists('/db/000003.log')).toBe(false);
  });

  it("replays unsynced name changes as a prefix, in order, with names: 'random'", () => {
    const seen = new Set<string>();
    for (const seed of SEEDS) {
      const fs = new MemoryFileSystem({ seed });
      fs.mkdir('/db');
      for (const name of ['a', 'b', 'c']) {
        const file = fs.createWritable(`/db/${name}`);
        file.sync();
      }
      fs.crash({ names: 'random' });
      const names = fs.list('/db').join('');
      expect(['', 'a', 'ab', 'abc'], `seed ${seed}: a later change never survives without an earlier one`).toContain(names);
      seen.add(names);
    }
    expect(seen.size, 'every prefix turns up over 200 seeds').toBe(4);
  });

  it("makes a rename atomic with names: 'random': the target holds the old or the new file, never nothing", () => {
    const outcomes = new Set<string>();
    for (const seed of SEEDS) {
      const fs = new MemoryFileSystem({ seed });
      fs.mkdir('/db');
      durableFile(fs, '/db/CURRENT', 'MANIFEST-000001');
      const temp = fs.createWritable('/db/CURRENT.tmp');
      temp.append(utf8('MANIFEST-000002'));
      temp.sync();
      fs.rename('/db/CURRENT.tmp', '/db/CURRENT');
      fs.crash({ names: 'random' });
      const current = read(fs, '/db/CURRENT');
      const leftover = fs.exists('/db/CURRENT.tmp');
      expect(['MANIFEST-000001', 'MANIFEST-000002'], `seed ${seed}`).toContain(current);
      if (current === 'MANIFEST-000002') {
        expect(leftover, `seed ${seed}: the rename survived, so its source name is gone with it`).toBe(false);
      }
      outcomes.add(`${current} ${leftover ? 'with' : 'without'} tmp`);
    }
    expect([...outcomes].sort()).toEqual([
      'MANIFEST-000001 with tmp',
      'MANIFEST-000001 without tmp',
      'MANIFEST-000002 without tmp',
    ]);
  });

  it('keeps a file renamed within a directory under exactly one of its two names', () => {
    for (const seed of SEEDS) {
      for (const names of NAME_MODES) {
        const fs = new MemoryFileSystem({ seed });
        fs.mkdir('/db');
        durableFile(fs, '/db/a', 'x');
        fs.rename('/db/a', '/db/b');
        fs.crash({ names });
        expect(fs.list('/db'), `names: '${names}', seed ${seed}`).toHaveLength(1);
      }
    }
  });

  it('keeps a file renamed to itself', () => {
    for (const names of NAME_MODES) {
      const fs = new MemoryFileSystem();
      fs.mkdir('/db');
      durableFile(fs, '/db/a', 'x');
      fs.rename('/db/a', '/db/a');
      fs.crash({ names });
      expect(read(fs, '/db/a'), `names: '${names}'`).toBe('x');
    }
  });

  it('keeps a hard-linked file reachable through its durable name after its other name was removed', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    fs.mkdir('/checkpoint');
    durableFile(fs, '/db/000009.sst', 'table');
    fs.link('/db/000009.sst', '/checkpoint/000009.sst');
    fs.syncDir('/checkpoint');
    fs.remove('/db/000009.sst');
    fs.syncDir('/db');
    fs.crash({ names: 'drop', data: 'drop' });
    expect(read(fs, '/checkpoint/000009.sst')).toBe('table');
    expect(fs.exists('/db/000009.sst')).toBe(false);
  });
});

describe('crash(): handles and locks', () => {
  it('makes every handle opened before the crash throw IOError ESTALE', () => {
    const fs = halfSyncedFile(1);
    const writer = fs.createWritable('/db/000002.log');
    const reader = fs.openReadable('/db/000001.log');
    fs.crash();
    for (const call of [() => writer.append(utf8('x')), () => writer.sync(), () => reader.read(0, 4)]) {
      let caught: unknown;
      try {
        call();
      } catch (error) {
        caught = error;
      }
      expect(caught, 'a handle from before the crash belongs to a dead process').toBeInstanceOf(IOError);
      expect((caught as IOError).errno).toBe('ESTALE');
    }
    expect(fs.openReadable('/db/000001.log').read(0, 4), 'a handle opened after the crash works').toEqual(SYNCED.subarray(0, 4));
  });

  it('releases every lock, and a release from before the crash does not free the new holder', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/db');
    const before = fs.lock('/db/LOCK');
    fs.crash();
    const after = fs.lock('/db/LOCK');
    before.release();
    expect(() => fs.lock('/db/LOCK'), 'the old release must not free the lock taken after the crash').toThrow('locked');
    after.release();
    fs.lock('/db/LOCK').release();
  });
});

describe('crashAfter(n) and mutations', () => {
  /** Nine state-changing operations: mkdir, create, append, sync, syncDir, create, append, rename, remove. */
  function workload(fs: MemoryFileSystem): void {
    fs.mkdir('/db');
    const log = fs.createWritable('/db/000001.log');
    log.append(utf8('record'));
    log.sync();
    fs.syncDir('/db');
    const temp = fs.createWritable('/db/CURRENT.tmp');
    temp.append(utf8('MANIFEST-000001'));
    fs.rename('/db/CURRENT.tmp', '/db/CURRENT');
    fs.remove('/db/000001.log');
  }
  const WORKLOAD_MUTATIONS = 9;

  it('counts every state-changing operation and no read', () => {
    const fs = new MemoryFileSystem();
    workload(fs);
    expect(fs.mutations).toBe(WORKLOAD_MUTATIONS);
    fs.readFile('/db/CURRENT');
    fs.list('/db');
    fs.exists('/db/CURRENT');
    fs.fileSize('/db/CURRENT');
    fs.openReadable('/db/CURRENT').read(0, 1);
    fs.lock('/db/LOCK').release();
    expect(fs.mutations, 'reads, stats, lists and locks are not mutations').toBe(WORKLOAD_MUTATIONS);
    fs.link('/db/CURRENT', '/db/CURRENT.bak');
    expect(fs.mutations).toBe(WORKLOAD_MUTATIONS + 1);
  });

  it('lets exactly n mutations run, then throws SimulatedCrash on every operation until crash()', () => {
    for (let n = 0; n <= WORKLOAD_MUTATIONS; n++) {
      const fs = new MemoryFileSystem();
      fs.crashAfter(n);
      let died: unknown;
      try {
        workload(fs);
      } catch (error) {
        died = error;
      }
      expect(fs.mutations, `crashAfter(${n})`).toBe(n);
      if (n === WORKLOAD_MUTATIONS) {
        expect(died, 'the budget covers the whole workload').toBeUndefined();
        continue;
      }
      expect(died).toBeInstanceOf(SimulatedCrash);
      expect(died, 'a simulated crash is not an IOError: nothing may catch it and carry on').not.toBeInstanceOf(IOError);
      expect(() => fs.exists('/db'), 'the process is dead: even reads fail').toThrow(SimulatedCrash);
      expect(() => fs.list('/')).toThrow(SimulatedCrash);
      expect(() => fs.mkdir('/elsewhere')).toThrow(SimulatedCrash);
      expect(fs.mutations, 'operations after death change nothing').toBe(n);
      fs.crash();
      expect(fs.list('/'), 'after crash() the file system works again').toEqual(n === 0 ? [] : ['db']);
      fs.mkdir('/after');
      expect(fs.exists('/after')).toBe(true);
    }
  });

  it('gives the same crash outcome for the same seed and the same operations', () => {
    const run = (seed: number): Record<string, string> => {
      const fs = new MemoryFileSystem({ seed });
      fs.mkdir('/db');
      for (let i = 0; i < 6; i++) {
        const file = fs.createWritable(`/db/00000${i}.log`);
        file.append(FULL.subarray(0, 20 + i * 10));
        if (i % 2 === 0) file.sync();
        file.append(FULL.subarray(0, 30));
        if (i === 2) fs.syncDir('/db');
      }
      fs.rename('/db/000001.log', '/db/000009.log');
      fs.crash({ data: 'tear-with-garbage', names: 'random' });
      return snapshot(fs, '/db');
    };
    const outcomes = new Set<string>();
    for (const seed of SEEDS.slice(0, 30)) {
      expect(run(seed), `seed ${seed}`).toEqual(run(seed));
      outcomes.add(JSON.stringify(run(seed)));
    }
    expect(outcomes.size, 'different seeds give different crashes').toBeGreaterThan(20);
  });
});
