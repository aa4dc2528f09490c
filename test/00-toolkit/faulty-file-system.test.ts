import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { IOError, LockedError } from '#toolkit/errors.ts';
import { FAULT_KINDS, FaultyFileSystem, type FaultKind } from '#toolkit/faulty-file-system.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';

/** A FaultyFileSystem over a fresh in-memory disk with /db and a 5-byte file /db/data. */
function setup(): { faulty: FaultyFileSystem; memory: MemoryFileSystem } {
  const memory = new MemoryFileSystem();
  memory.mkdir('/db');
  const file = memory.createWritable('/db/data');
  file.append(utf8('hello'));
  file.close();
  return { faulty: new FaultyFileSystem(memory), memory };
}

function ioErrorOf(body: () => unknown): IOError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(IOError);
    return error as IOError;
  }
  throw new Error('expected an IOError, but nothing was thrown');
}

/** One operation of each kind, and the path its IOError should name. */
const operations: Record<FaultKind, [(fs: FaultyFileSystem, i: number) => unknown, (i: number) => string]> = {
  create: [(fs, i) => fs.createWritable(`/db/new${i}`).close(), (i) => `/db/new${i}`],
  open: [(fs) => fs.openReadable('/db/data').close(), () => '/db/data'],
  write: [(fs, i) => fs.createWritable(`/db/w${i}`).append(utf8('x')), (i) => `/db/w${i}`],
  sync: [(fs, i) => fs.createWritable(`/db/s${i}`).sync(), (i) => `/db/s${i}`],
  read: [(fs) => fs.readFile('/db/data'), () => '/db/data'],
  rename: [
    (fs, i) => {
      fs.createWritable(`/db/m${i}.tmp`).close();
      fs.rename(`/db/m${i}.tmp`, `/db/m${i}`);
    },
    (i) => `/db/m${i}.tmp`,
  ],
  remove: [
    (fs, i) => {
      fs.createWritable(`/db/r${i}`).close();
      fs.remove(`/db/r${i}`);
    },
    (i) => `/db/r${i}`,
  ],
  link: [(fs, i) => fs.link('/db/data', `/db/link${i}`), (i) => `/db/link${i}`],
  mkdir: [(fs, i) => fs.mkdir(`/db/dir${i}`), (i) => `/db/dir${i}`],
  syncDir: [(fs) => fs.syncDir('/db'), () => '/db'],
  list: [(fs) => fs.list('/db'), () => '/db'],
};

describe('FaultyFileSystem', () => {
  it.each(FAULT_KINDS.map((k) => [k]))('fails exactly the nth %s, with an IOError naming the operation and the path', (kind) => {
    const [run, pathOf] = operations[kind];
    const { faulty } = setup();
    faulty.inject({ kind, nth: 3 });
    run(faulty, 1);
    run(faulty, 2);
    const error = ioErrorOf(() => run(faulty, 3));
    expect(error.errno, 'the default errno is EIO').toBe('EIO');
    expect(error.operation).toBe(kind);
    expect(error.path).toBe(pathOf(3));
    run(faulty, 4);
    expect(faulty.counts[kind], 'failed operations are counted too').toBe(4);
    expect(faulty.faultsFired).toBe(1);
  });

  it('fails with the errno asked for, and a failed append writes nothing', () => {
    const { faulty, memory } = setup();
    faulty.inject({ kind: 'write', nth: 2, errno: 'ENOSPC' });
    const file = faulty.createWritable('/db/000001.log');
    file.append(utf8('first'));
    expect(ioErrorOf(() => file.append(utf8('second'))).errno).toBe('ENOSPC');
    expect(file.size).toBe(5);
    expect(fromUtf8(memory.readFile('/db/000001.log'))).toBe('first');
  });

  it('with sticky, fails the nth operation and every later one, until heal()', () => {
    const { faulty } = setup();
    faulty.inject({ kind: 'sync', nth: 2, sticky: true });
    const file = faulty.createWritable('/db/000001.log');
    file.sync();
    for (let i = 0; i < 5; i++) expect(ioErrorOf(() => file.sync()).errno).toBe('EIO');
    faulty.heal();
    file.sync();
    expect(faulty.faultsFired).toBe(5);
    expect(faulty.counts.sync).toBe(7);
  });

  it('counts nth from the moment the fault is injected', () => {
    const { faulty } = setup();
    for (let i = 0; i < 3; i++) faulty.readFile('/db/data');
    faulty.inject({ kind: 'read', nth: 1 });
    expect(() => faulty.readFile('/db/data'), 'the first read after inject() is the 1st').toThrow(IOError);
    faulty.readFile('/db/data');
  });

  it('leaves other kinds alone', () => {
    const { faulty } = setup();
    faulty.inject({ kind: 'syncDir', nth: 1, sticky: true });
    const file = faulty.createWritable('/db/a');
    file.append(utf8('x'));
    file.sync();
    faulty.rename('/db/a', '/db/b');
    expect(() => faulty.syncDir('/db')).toThrow(IOError);
  });

  it('passes failures of the disk below through unchanged', () => {
    const { faulty } = setup();
    expect(ioErrorOf(() => faulty.openReadable('/db/missing')).errno).toBe('ENOENT');
    expect(faulty.counts.open).toBe(1);
  });

  it('counts operations and the bytes read and written; resetCounts starts again', () => {
    const { faulty } = setup();
    const file = faulty.createWritable('/db/a');
    file.append(utf8('abc'));
    file.append(utf8('defg'));
    file.sync();
    const reader = faulty.openReadable('/db/a');
    expect(fromUtf8(reader.read(2, 10))).toBe('cdefg');
    faulty.readFile('/db/data');
    expect(faulty.bytesWritten).toBe(7);
    expect(faulty.bytesRead, 'bytes actually returned: 5 + 5').toBe(10);
    expect(faulty.counts).toMatchObject({ create: 1, write: 2, sync: 1, open: 1, read: 2 });
    faulty.exists('/db/a');
    faulty.fileSize('/db/a');
    faulty.lock('/db/LOCK').release();
    faulty.resetCounts();
    expect(Object.values(faulty.counts).every((n) => n === 0)).toBe(true);
    expect(faulty.bytesRead + faulty.bytesWritten).toBe(0);
  });

  it('tracks the handles that are open, readable and writable', () => {
    const { faulty } = setup();
    const w = faulty.createWritable('/db/a');
    const r = faulty.openReadable('/db/data');
    expect(faulty.openFiles.size).toBe(2);
    expect(faulty.openFiles.has(w)).toBe(true);
    w.close();
    expect(faulty.openFiles.size).toBe(1);
    r.close();
    r.close();
    expect(faulty.openFiles.size, 'a test can check that nothing leaks a file handle').toBe(0);
    faulty.inject({ kind: 'open', nth: 1 });
    expect(() => faulty.openReadable('/db/data')).toThrow(IOError);
    expect(faulty.openFiles.size, 'a failed open holds nothing').toBe(0);
  });

  it('passes locks through to the disk below', () => {
    const { faulty, memory } = setup();
    const lock = faulty.lock('/db/LOCK');
    expect(() => memory.lock('/db/LOCK')).toThrow(LockedError);
    lock.release();
    memory.lock('/db/LOCK').release();
  });
});
