import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as nodeFs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { IOError, LockedError } from '#toolkit/errors.ts';
import { NodeFileSystem } from '#toolkit/node-file-system.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const holdLock = fileURLToPath(new URL('./fixtures/hold-lock.ts', import.meta.url));

let dir: string;
const fs = new NodeFileSystem();
const children: ChildProcessWithoutNullStreams[] = [];

beforeEach(() => {
  dir = nodeFs.mkdtempSync(join(os.tmpdir(), 'lsm-toolkit-'));
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  nodeFs.rmSync(dir, { recursive: true, force: true });
});

function ioErrorOf(body: () => unknown): IOError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(IOError);
    return error as IOError;
  }
  throw new Error('expected an IOError, but nothing was thrown');
}

/** Starts the fixture holding the lock at `path` in a second process; resolves once it prints "locked". */
function lockInAnotherProcess(path: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, ['--import', 'tsx', holdLock, path], { cwd: root });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('locked\n')) resolve(child);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the lock holder exited (${code}) before locking:\n${err}`)));
  });
}

/** Resolves when `child` has exited (and been reaped, so its process id is free). */
function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.on('exit', () => resolve()));
}

describe('NodeFileSystem on a real directory', () => {
  it('creates, appends, syncs and reads files at any offset', () => {
    const path = join(dir, '000001.log');
    const file = fs.createWritable(path);
    file.append(utf8('hello '));
    file.append(utf8('world'));
    file.sync();
    expect(file.size).toBe(11);
    file.close();
    file.close();
    expect(fromUtf8(nodeFs.readFileSync(path)), 'the bytes are really on disk').toBe('hello world');
    expect(fs.fileSize(path)).toBe(11);
    expect(fromUtf8(fs.readFile(path))).toBe('hello world');
    const reader = fs.openReadable(path);
    expect(reader.size).toBe(11);
    expect(fromUtf8(reader.read(6, 5))).toBe('world');
    expect(fromUtf8(reader.read(6, 100)), 'a read past the end returns what there is').toBe('world');
    expect(reader.read(20, 4).length).toBe(0);
    reader.close();
    expect(ioErrorOf(() => reader.read(0, 1)).errno).toBe('EBADF');
    expect(ioErrorOf(() => file.append(utf8('x'))).errno).toBe('EBADF');
  });

  it('gives a reader the file as it was when opened, like MemoryFileSystem', () => {
    const path = join(dir, '000001.log');
    const file = fs.createWritable(path);
    file.append(utf8('abc'));
    const reader = fs.openReadable(path);
    file.append(utf8('def'));
    expect(reader.size).toBe(3);
    expect(fromUtf8(reader.read(0, 10))).toBe('abc');
    const later = fs.openReadable(path);
    expect(fromUtf8(later.read(0, 10))).toBe('abcdef');
    for (const handle of [reader, later, file]) handle.close();
  });

  it('truncates an existing file when it is created again', () => {
    const path = join(dir, 'CURRENT');
    nodeFs.writeFileSync(path, 'old contents');
    const file = fs.createWritable(path);
    file.append(utf8('new'));
    file.close();
    expect(fromUtf8(fs.readFile(path))).toBe('new');
  });

  it('lists, renames (replacing the target), links, removes and syncs the directory', () => {
    fs.mkdir(join(dir, 'db', 'archive'));
    const db = join(dir, 'db');
    for (const [name, text] of [['CURRENT', 'old'], ['CURRENT.tmp', 'new'], ['000005.sst', 'table']] as const) {
      const file = fs.createWritable(join(db, name));
      file.append(utf8(text));
      file.sync();
      file.close();
    }
    fs.syncDir(db);
    expect(fs.list(db)).toEqual(['000005.sst', 'CURRENT', 'CURRENT.tmp', 'archive']);
    fs.rename(join(db, 'CURRENT.tmp'), join(db, 'CURRENT'));
    expect(fromUtf8(fs.readFile(join(db, 'CURRENT')))).toBe('new');
    fs.link(join(db, '000005.sst'), join(db, 'archive', '000005.sst'));
    fs.remove(join(db, '000005.sst'));
    fs.syncDir(db);
    expect(fs.list(db)).toEqual(['CURRENT', 'archive']);
    expect(fs.exists(join(db, '000005.sst'))).toBe(false);
    expect(fromUtf8(fs.readFile(join(db, 'archive', '000005.sst'))), 'the link kept the file').toBe('table');
    expect(fs.exists(join(db, 'archive'))).toBe(true);
    fs.mkdir(join(db, 'archive'));
    expect(fs.list(join(db, 'archive')), 'mkdir of an existing directory does nothing').toEqual(['000005.sst']);
  });

  it.each([
    ['openReadable', 'open', (d: string) => fs.openReadable(join(d, 'missing'))],
    ['readFile', 'read', (d: string) => fs.readFile(join(d, 'missing'))],
    ['fileSize', 'stat', (d: string) => fs.fileSize(join(d, 'missing'))],
    ['remove', 'remove', (d: string) => fs.remove(join(d, 'missing'))],
    ['rename', 'rename', (d: string) => fs.rename(join(d, 'missing'), join(d, 'other'))],
    ['link', 'link', (d: string) => fs.link(join(d, 'missing'), join(d, 'other'))],
    ['createWritable', 'create', (d: string) => fs.createWritable(join(d, 'nowhere', 'missing'))],
    ['list', 'list', (d: string) => fs.list(join(d, 'missing'))],
    ['syncDir', 'syncDir', (d: string) => fs.syncDir(join(d, 'missing'))],
  ])('%s of a missing path throws IOError ENOENT with the operation and the path', (_name, operation, call) => {
    const error = ioErrorOf(() => call(dir));
    expect(error.errno).toBe('ENOENT');
    expect(error.operation).toBe(operation);
    expect(error.path.startsWith(dir)).toBe(true);
    expect(error.path).toMatch(/missing$/);
    expect(error.cause, 'the Node error is kept as the cause').toBeInstanceOf(Error);
  });
});

describe('NodeFileSystem locks', () => {
  it('writes its process id into the LOCK file and removes the file on release', () => {
    const path = join(dir, 'LOCK');
    const lock = fs.lock(path);
    expect(nodeFs.readFileSync(path, 'utf8')).toBe(String(process.pid));
    expect(nodeFs.readdirSync(dir), 'no temporary file is left behind').toEqual(['LOCK']);
    lock.release();
    lock.release();
    expect(nodeFs.existsSync(path)).toBe(false);
  });

  it('refuses a second lock in the same process, even through another spelling of the path', () => {
    const path = join(dir, 'LOCK');
    const lock = fs.lock(path);
    expect(() => fs.lock(path)).toThrow(LockedError);
    expect(() => new NodeFileSystem().lock(join(dir, '.', 'LOCK')), 'one process, one holder').toThrow(LockedError);
    lock.release();
    fs.lock(path).release();
  });

  it('throws IOError when the directory does not exist', () => {
    const error = ioErrorOf(() => fs.lock(join(dir, 'missing', 'LOCK')));
    expect(error.errno).toBe('ENOENT');
    expect(error.operation).toBe('lock');
  });

  it('refuses a lock held by another process, and takes over the stale LOCK file once that process is killed', async () => {
    const path = join(dir, 'LOCK');
    const holder = await lockInAnotherProcess(path);
    let caught: unknown;
    try {
      fs.lock(path);
    } catch (error) {
      caught = error;
    }
    expect(caught, 'another live process holds the LOCK file').toBeInstanceOf(LockedError);
    expect((caught as Error).message).toContain(String(holder.pid));

    holder.kill('SIGKILL');
    await exited(holder);
    expect(nodeFs.readFileSync(path, 'utf8'), 'a killed process cannot remove its LOCK file').toBe(String(holder.pid));
    const lock = fs.lock(path);
    expect(nodeFs.readFileSync(path, 'utf8'), 'the stale lock now names this process').toBe(String(process.pid));
    lock.release();
  });

  it('can be taken once the other process releases its lock', async () => {
    const path = join(dir, 'LOCK');
    const holder = await lockInAnotherProcess(path);
    expect(() => fs.lock(path)).toThrow(LockedError);
    holder.stdin.end();
    await exited(holder);
    expect(holder.exitCode).toBe(0);
    expect(nodeFs.existsSync(path), 'release removes the LOCK file').toBe(false);
    fs.lock(path).release();
  });

  it.each([
    ['empty', ''],
    ['holding no number', 'not a pid'],
    ['naming process 0 (which would signal a whole process group)', '0'],
    ['naming a negative process id', '-1'],
  ])('takes over a LOCK file %s', (_label, text) => {
    const path = join(dir, 'LOCK');
    nodeFs.writeFileSync(path, text);
    const lock = fs.lock(path);
    expect(nodeFs.readFileSync(path, 'utf8')).toBe(String(process.pid));
    lock.release();
  });
});
