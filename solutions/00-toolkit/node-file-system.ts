/**
 * NodeFileSystem: the FileSystem interface on a real disk, through the
 * synchronous `node:fs` calls (one system call per method, no hidden
 * buffering: what `append` returns from is in the operating system's cache
 * and survives the death of this process, though not a power cut before `sync`).
 */

import * as fs from 'node:fs';
import { IOError, LockedError, type IOOperation } from './errors.ts';
import type { FileLock, FileSystem, ReadableFile, WritableFile } from './file-system.ts';
import { baseName, dirName } from './path.ts';

/** Wraps a Node error as an IOError with the operation and path. */
function ioError(operation: IOOperation, path: string, error: unknown): IOError {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  return new IOError(operation, path, errno, { cause: error });
}

function attempt<T>(operation: IOOperation, path: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof IOError) throw error;
    throw ioError(operation, path, error);
  }
}

class NodeWritableFile implements WritableFile {
  size = 0;
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = attempt('create', path, () => fs.openSync(path, 'w'));
  }

  append(data: Uint8Array): void {
    const fd = this.openFd('write');
    attempt('write', this.path, () => {
      let written = 0;
      while (written < data.length) {
        written += fs.writeSync(fd, data, written, data.length - written, this.size + written);
      }
    });
    this.size += data.length;
  }

  sync(): void {
    const fd = this.openFd('sync');
    attempt('sync', this.path, () => fs.fsyncSync(fd));
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    attempt('close', this.path, () => fs.closeSync(fd));
  }

  private openFd(operation: IOOperation): number {
    if (this.fd === undefined) throw new IOError(operation, this.path, 'EBADF');
    return this.fd;
  }
}

class NodeReadableFile implements ReadableFile {
  readonly size: number;
  private fd: number | undefined;

  constructor(readonly path: string) {
    const fd = attempt('open', path, () => fs.openSync(path, 'r'));
    this.fd = fd;
    this.size = attempt('stat', path, () => fs.fstatSync(fd).size);
  }

  read(offset: number, length: number): Uint8Array {
    const fd = this.fd;
    if (fd === undefined) throw new IOError('read', this.path, 'EBADF');
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    const buffer = new Uint8Array(wanted);
    attempt('read', this.path, () => {
      let got = 0;
      while (got < wanted) {
        const n = fs.readSync(fd, buffer, got, wanted - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      if (got < wanted) throw new IOError('read', this.path, 'EIO');
    });
    return buffer;
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    attempt('close', this.path, () => fs.closeSync(fd));
  }
}

/** Locks held by this process, so a second open in the same process is refused too. */
const locksHeldByThisProcess = new Set<string>();

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class NodeFileSystem implements FileSystem {
  createWritable(path: string): WritableFile {
    return new NodeWritableFile(path);
  }

  openReadable(path: string): ReadableFile {
    return new NodeReadableFile(path);
  }

  readFile(path: string): Uint8Array {
    return attempt('read', path, () => new Uint8Array(fs.readFileSync(path)));
  }

  exists(path: string): boolean {
    return fs.existsSync(path);
  }

  fileSize(path: string): number {
    return attempt('stat', path, () => fs.statSync(path).size);
  }

  list(dir: string): string[] {
    return attempt('list', dir, () => fs.readdirSync(dir).sort());
  }

  remove(path: string): void {
    attempt('remove', path, () => fs.unlinkSync(path));
  }

  rename(from: string, to: string): void {
    attempt('rename', from, () => fs.renameSync(from, to));
  }

  link(existing: string, newPath: string): void {
    attempt('link', newPath, () => fs.linkSync(existing, newPath));
  }

  mkdir(dir: string): void {
    attempt('mkdir', dir, () => fs.mkdirSync(dir, { recursive: true }));
  }

  syncDir(dir: string): void {
    attempt('syncDir', dir, () => {
      const fd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  /**
   * Locks by creating the LOCK file exclusively and writing this process's
   * id into it. Node has no portable `flock`, so a LOCK file left behind by a
   * killed process is recognised as stale when its process id is no longer
   * alive, and taken over. (A recycled process id can make a stale lock look
   * held; deleting the LOCK file by hand then frees it.)
   */
  lock(path: string): FileLock {
    const key = attempt('lock', path, () => fs.realpathSync(dirName(path))) + '/' + baseName(path);
    if (locksHeldByThisProcess.has(key)) {
      throw new LockedError(`'${path}' is locked: the database is already open in this process`);
    }
    const pidText = String(process.pid);
    try {
      fs.writeFileSync(path, pidText, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('lock', path, error);
      const owner = Number.parseInt(attempt('lock', path, () => fs.readFileSync(path, 'utf8')), 10);
      if (Number.isInteger(owner) && owner !== process.pid && processIsAlive(owner)) {
        throw new LockedError(`'${path}' is locked by process ${owner}: the database is open elsewhere`);
      }
      // Stale: its owner is gone. Take it over atomically.
      const temp = `${path}.${process.pid}.tmp`;
      attempt('lock', path, () => {
        fs.writeFileSync(temp, pidText);
        fs.renameSync(temp, path);
      });
    }
    locksHeldByThisProcess.add(key);
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        locksHeldByThisProcess.delete(key);
        try {
          fs.unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      },
    };
  }
}
