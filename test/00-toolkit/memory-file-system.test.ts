import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { IOError, LockedError } from '#toolkit/errors.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';

/** Runs `body` and returns the IOError it threw, failing the test otherwise. */
function ioErrorOf(body: () => unknown): IOError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(IOError);
    return error as IOError;
  }
  throw new Error('expected an IOError, but nothing was thrown');
}

function writeFile(fs: MemoryFileSystem, path: string, text: string): void {
  const file = fs.createWritable(path);
  file.append(utf8(text));
  file.close();
}

function freshFs(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  fs.mkdir('/db');
  return fs;
}

describe('MemoryFileSystem: files', () => {
  it('appends, reports the size, and reads back at any offset', () => {
    const fs = freshFs();
    const file = fs.createWritable('/db/000001.log');
    expect(file.path).toBe('/db/000001.log');
    expect(file.size).toBe(0);
    file.append(utf8('hello '));
    file.append(utf8('world'));
    expect(file.size).toBe(11);
    expect(fs.fileSize('/db/000001.log')).toBe(11);
    expect(fromUtf8(fs.readFile('/db/000001.log'))).toBe('hello world');

    const reader = fs.openReadable('/db/000001.log');
    expect(reader.size).toBe(11);
    expect(fromUtf8(reader.read(6, 5))).toBe('world');
    expect(fromUtf8(reader.read(6, 100)), 'a read past the end returns what there is').toBe('world');
    expect(reader.read(11, 4).length).toBe(0);
    expect(reader.read(50, 4).length).toBe(0);
  });

  it('gives a reader the file as it was when opened, like NodeFileSystem', () => {
    const fs = freshFs();
    const file = fs.createWritable('/db/000001.log');
    file.append(utf8('abc'));
    const reader = fs.openReadable('/db/000001.log');
    file.append(utf8('def'));
    expect(reader.size).toBe(3);
    expect(fromUtf8(reader.read(0, 10))).toBe('abc');
    expect(fromUtf8(fs.openReadable('/db/000001.log').read(0, 10))).toBe('abcdef');
  });

  it('returns copies from reads, so a caller may keep or change them', () => {
    const fs = freshFs();
    writeFile(fs, '/db/a', 'abc');
    const first = fs.readFile('/db/a');
    first[0] = 0x7a;
    expect(fromUtf8(fs.readFile('/db/a'))).toBe('abc');
    const view = fs.openReadable('/db/a').read(0, 3);
    view[0] = 0x7a;
    expect(fromUtf8(fs.readFile('/db/a'))).toBe('abc');
  });

  it('truncates an existing file when it is created again', () => {
    const fs = freshFs();
    writeFile(fs, '/db/CURRENT', 'old contents');
    writeFile(fs, '/db/CURRENT', 'new');
    expect(fromUtf8(fs.readFile('/db/CURRENT'))).toBe('new');
  });

  it('refuses appends through a closed handle, and closing twice is allowed', () => {
    const fs = freshFs();
    const file = fs.createWritable('/db/a');
    file.close();
    file.close();
    expect(ioErrorOf(() => file.append(utf8('x'))).errno).toBe('EBADF');
    const reader = fs.openReadable('/db/a');
    reader.close();
    expect(ioErrorOf(() => reader.read(0, 1)).errno).toBe('EBADF');
  });
});

describe('MemoryFileSystem: names and directories', () => {
  it('lists names sorted, subdirectories included', () => {
    const fs = freshFs();
    for (const name of ['b', 'C', 'a', '000010.sst', '000002.log']) writeFile(fs, `/db/${name}`, name);
    fs.mkdir('/db/archive');
    expect(fs.list('/db')).toEqual(['000002.log', '000010.sst', 'C', 'a', 'archive', 'b']);
    expect(fs.list('/')).toEqual(['db']);
    expect(fs.list('/db/archive')).toEqual([]);
  });

  it('removes a file: gone from exists, list and reads', () => {
    const fs = freshFs();
    writeFile(fs, '/db/a', 'x');
    writeFile(fs, '/db/b', 'y');
    fs.remove('/db/a');
    expect(fs.exists('/db/a')).toBe(false);
    expect(fs.list('/db')).toEqual(['b']);
    expect(ioErrorOf(() => fs.readFile('/db/a')).errno).toBe('ENOENT');
  });

  it('renames a file, replacing the target', () => {
    const fs = freshFs();
    writeFile(fs, '/db/CURRENT', 'MANIFEST-000001');
    writeFile(fs, '/db/CURRENT.tmp', 'MANIFEST-000002');
    fs.rename('/db/CURRENT.tmp', '/db/CURRENT');
    expect(fromUtf8(fs.readFile('/db/CURRENT'))).toBe('MANIFEST-000002');
    expect(fs.exists('/db/CURRENT.tmp')).toBe(false);
    expect(fs.list('/db')).toEqual(['CURRENT']);
  });

  it('renames a file to itself without losing it', () => {
    const fs = freshFs();
    writeFile(fs, '/db/a', 'x');
    fs.rename('/db/a', '/db/a');
    expect(fromUtf8(fs.readFile('/db/a'))).toBe('x');
  });

  it('renames across directories', () => {
    const fs = freshFs();
    fs.mkdir('/db/archive');
    writeFile(fs, '/db/000003.log', 'log');
    fs.rename('/db/000003.log', '/db/archive/000003.log');
    expect(fs.list('/db')).toEqual(['archive']);
    expect(fromUtf8(fs.readFile('/db/archive/000003.log'))).toBe('log');
  });

  it('hard-links: both names share one file, which lives until its last name is removed', () => {
    const fs = freshFs();
    fs.mkdir('/backup');
    const file = fs.createWritable('/db/000005.sst');
    file.append(utf8('table'));
    fs.link('/db/000005.sst', '/backup/000005.sst');
    file.append(utf8('+more'));
    expect(fromUtf8(fs.readFile('/backup/000005.sst')), 'a link is the same file, not a copy').toBe('table+more');
    fs.remove('/db/000005.sst');
    expect(fromUtf8(fs.readFile('/backup/000005.sst'))).toBe('table+more');
    expect(fs.totalBytes(), 'a linked file is counted once').toBe(10);
  });

  it('refuses to link over an existing name, or at all without link support', () => {
    const fs = freshFs();
    writeFile(fs, '/db/a', 'x');
    writeFile(fs, '/db/b', 'y');
    expect(ioErrorOf(() => fs.link('/db/a', '/db/b')).errno).toBe('EEXIST');
    const noLinks = new MemoryFileSystem({ supportsLinks: false });
    writeFile(noLinks, '/a', 'x');
    const error = ioErrorOf(() => noLinks.link('/a', '/b'));
    expect(error.errno, 'callers fall back to copying on ENOTSUP').toBe('ENOTSUP');
    expect(error.operation).toBe('link');
  });

  it('creates missing parent directories in mkdir, and mkdir of an existing directory does nothing', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('/data/dbs/one');
    expect(fs.exists('/data')).toBe(true);
    expect(fs.exists('/data/dbs')).toBe(true);
    expect(fs.list('/data')).toEqual(['dbs']);
    writeFile(fs, '/data/dbs/one/a', 'x');
    fs.mkdir('/data/dbs/one');
    expect(fs.list('/data/dbs/one'), 'mkdir of an existing directory keeps its files').toEqual(['a']);
    expect(ioErrorOf(() => fs.mkdir('/data/dbs/one/a')).errno).toBe('EEXIST');
  });

  it('takes relative paths from the root and normalises every path', () => {
    const fs = new MemoryFileSystem();
    fs.mkdir('db');
    writeFile(fs, 'db/a', 'x');
    expect(fs.exists('/db/a')).toBe(true);
    expect(fromUtf8(fs.readFile('/db//./a'))).toBe('x');
    expect(fs.list('db/')).toEqual(['a']);
  });

  it.each([
    ['openReadable', 'open', (fs: MemoryFileSystem) => fs.openReadable('/db/missing')],
    ['readFile', 'read', (fs: MemoryFileSystem) => fs.readFile('/db/missing')],
    ['fileSize', 'stat', (fs: MemoryFileSystem) => fs.fileSize('/db/missing')],
    ['remove', 'remove', (fs: MemoryFileSystem) => fs.remove('/db/missing')],
    ['rename', 'rename', (fs: MemoryFileSystem) => fs.rename('/db/missing', '/db/other')],
    ['link', 'link', (fs: MemoryFileSystem) => fs.link('/db/missing', '/db/other')],
    ['createWritable', 'create', (fs: MemoryFileSystem) => fs.createWritable('/nowhere/missing')],
    ['list', 'list', (fs: MemoryFileSystem) => fs.list('/nowhere/missing')],
    ['syncDir', 'syncDir', (fs: MemoryFileSystem) => fs.syncDir('/nowhere/missing')],
  ])('%s of a missing path throws IOError ENOENT naming the operation and the path', (_name, operation, call) => {
    const fs = freshFs();
    const error = ioErrorOf(() => call(fs));
    expect(error.errno).toBe('ENOENT');
    expect(error.operation).toBe(operation);
    expect(error.path).toMatch(/missing/);
    expect(fs.exists('/db/missing')).toBe(false);
  });
});

describe('MemoryFileSystem: locks', () => {
  it('refuses a second lock on the same file until the first is released', () => {
    const fs = freshFs();
    const lock = fs.lock('/db/LOCK');
    expect(() => fs.lock('/db/LOCK')).toThrow(LockedError);
    expect(() => fs.lock('/db//LOCK'), 'the same file under another spelling').toThrow(LockedError);
    const other = fs.lock('/db/OTHER.LOCK');
    lock.release();
    lock.release();
    const again = fs.lock('/db/LOCK');
    again.release();
    other.release();
  });
});
