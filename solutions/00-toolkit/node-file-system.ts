/**
 * NodeFileSystem: the FileSystem interface on a real disk, through the
 * synchronous `node:fs` calls (one system call per method, no hidden
 * buffering: what `append` returns from is in the operating system's cache
 * and survives the death of this process, though not a power cut before `sync`).
 */

import * as fs from 'node:fs';
import { IOError, LockedError, LsmError, type IOOperation } from './errors.ts';
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
    if (error instanceof LsmError) throw error;
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

/**
 * Creates `path` holding `content` iff no file is there; returns false if one is.
 * The content goes into a temporary file first, which is then hard-linked into
 * place (link fails if the name exists, atomically), so another process never
 * sees a LOCK file that exists but is still empty. Where hard links are
 * impossible it falls back to an exclusive create, which has that short window.
 */
function createWithContent(path: string, content: string): boolean {
  const temp = `${path}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content);
  try {
    fs.linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  try {
    fs.writeFileSync(path, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Reads the process id in a LOCK file; undefined if the file is gone or holds no valid id. */
function lockOwner(path: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Process ids are positive; 0 and negative ids would make kill() signal a whole group.
  return /^[1-9][0-9]*$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

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
    try {
      fs.linkSync(existing, newPath);
    } catch (error) {
      // Name the path that is at fault: the missing source, else the new name.
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(existing);
      throw ioError('link', missing ? existing : newPath, error);
    }
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
   * Locks by creating the LOCK file exclusively, already holding this
   * process's id. Node has no portable `flock`, so a LOCK file left behind by
   * a killed process is recognised as stale when its process id is no longer
   * alive (or it holds no valid id), and taken over. A table of this process's
   * locks refuses a second lock here too. (A recycled process id can make a
   * stale lock look held; deleting the LOCK file by hand then frees it.)
   * @throws LockedError if a live process, or this one, holds the lock.
   * @throws IOError if the directory is missing or unwritable.
   */
  lock(path: string): FileLock {
    const key = attempt('lock', path, () => fs.realpathSync(dirName(path))) + '/' + baseName(path);
    if (locksHeldByThisProcess.has(key)) {
      throw new LockedError(`'${path}' is locked: the database is already open in this process`);
    }
    const pidText = String(process.pid);
    attempt('lock', path, () => {
      if (createWithContent(path, pidText)) return;
      const owner = lockOwner(path);
      if (owner !== undefined && owner !== process.pid && processIsAlive(owner)) {
        throw new LockedError(`'${path}' is locked by process ${owner}: the database is open elsewhere`);
      }
      // Stale (its owner is gone, or it names no process): take it over in one
      // atomic step. Two processes taking over the same stale lock at the same
      // instant can both succeed: a pid file cannot rule that out (see the lesson).
      const temp = `${path}.${process.pid}.tmp`;
      fs.writeFileSync(temp, pidText);
      fs.renameSync(temp, path);
    });
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
