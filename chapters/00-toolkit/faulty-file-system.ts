/**
 * FaultyFileSystem: wraps another FileSystem, counts its operations by kind,
 * and makes chosen ones fail with an errno such as EIO or ENOSPC. Error tests
 * use it to fail "the 3rd sync" or "every write after the 10th", and the
 * counters tell tests how much I/O an operation did (a cache hit reads nothing).
 */

import { IOError } from './errors.ts';
import type { FileLock, FileSystem, ReadableFile, WritableFile } from './file-system.ts';

/** The kinds of operation that can be counted and failed. */
export type FaultKind =
  | 'create'
  | 'open'
  | 'write'
  | 'sync'
  | 'read'
  | 'rename'
  | 'remove'
  | 'link'
  | 'mkdir'
  | 'syncDir'
  | 'list';

export const FAULT_KINDS: readonly FaultKind[] = [
  'create', 'open', 'write', 'sync', 'read', 'rename', 'remove', 'link', 'mkdir', 'syncDir', 'list',
];

/** A rule: fail the `nth` operation of `kind` (1-based), and every later one too if `sticky`. */
export interface Fault {
  readonly kind: FaultKind;
  readonly nth: number;
  /** The errno to fail with. Defaults to `'EIO'`. */
  readonly errno?: 'EIO' | 'ENOSPC' | string;
  /** Fail every operation of `kind` from the nth on, like a disk that stays broken. Defaults to false. */
  readonly sticky?: boolean;
}

export class FaultyFileSystem implements FileSystem {
  /** How many operations of each kind were attempted (failed ones included). */
  readonly counts: Record<FaultKind, number> = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<
    FaultKind,
    number
  >;
  /** Bytes returned by reads and passed to appends. */
  bytesRead = 0;
  bytesWritten = 0;
  /** Paths currently open through this wrapper, readable or writable. */
  readonly openFiles = new Set<object>();
  private faults: Fault[] = [];
  /** How many injected faults have fired. */
  faultsFired = 0;

  constructor(readonly inner: FileSystem) {}

  /** Adds a fault rule. Counting starts from now for that kind. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, nth: fault.nth + this.counts[fault.kind] });
  }

  /** Removes every fault rule: the disk is healthy again. */
  heal(): void {
    this.faults = [];
  }

  /** Resets the counters (not the faults). */
  resetCounts(): void {
    for (const k of FAULT_KINDS) this.counts[k] = 0;
    this.bytesRead = 0;
    this.bytesWritten = 0;
  }

  /** Counts an operation and throws if a rule says it fails. */
  tick(kind: FaultKind, path: string): void {
    const n = ++this.counts[kind];
    for (const f of this.faults) {
      if (f.kind === kind && (n === f.nth || (f.sticky === true && n > f.nth))) {
        this.faultsFired++;
        const op = kind === 'open' ? 'open' : kind;
        throw new IOError(op, path, f.errno ?? 'EIO', { cause: new Error('injected fault') });
      }
    }
  }

  createWritable(path: string): WritableFile {
    this.tick('create', path);
    const file = this.inner.createWritable(path);
    const tracked = this.openFiles;
    const self = this;
    const handle: WritableFile = {
      path,
      get size() {
        return file.size;
      },
      append(data) {
        self.tick('write', path);
        file.append(data);
        self.bytesWritten += data.length;
      },
      sync() {
        self.tick('sync', path);
        file.sync();
      },
      close() {
        tracked.delete(handle);
        file.close();
      },
    };
    tracked.add(handle);
    return handle;
  }

  openReadable(path: string): ReadableFile {
    this.tick('open', path);
    const file = this.inner.openReadable(path);
    const tracked = this.openFiles;
    const self = this;
    const handle: ReadableFile = {
      path,
      size: file.size,
      read(offset, length) {
        self.tick('read', path);
        const bytes = file.read(offset, length);
        self.bytesRead += bytes.length;
        return bytes;
      },
      close() {
        tracked.delete(handle);
        file.close();
      },
    };
    tracked.add(handle);
    return handle;
  }

  readFile(path: string): Uint8Array {
    this.tick('read', path);
    const bytes = this.inner.readFile(path);
    this.bytesRead += bytes.length;
    return bytes;
  }

  exists(path: string): boolean {
    return this.inner.exists(path);
  }

  fileSize(path: string): number {
    return this.inner.fileSize(path);
  }

  list(dir: string): string[] {
    this.tick('list', dir);
    return this.inner.list(dir);
  }

  remove(path: string): void {
    this.tick('remove', path);
    this.inner.remove(path);
  }

  rename(from: string, to: string): void {
    this.tick('rename', from);
    this.inner.rename(from, to);
  }

  link(existing: string, newPath: string): void {
    this.tick('link', newPath);
    this.inner.link(existing, newPath);
  }

  mkdir(dir: string): void {
    this.tick('mkdir', dir);
    this.inner.mkdir(dir);
  }

  syncDir(dir: string): void {
    this.tick('syncDir', dir);
    this.inner.syncDir(dir);
  }

  lock(path: string): FileLock {
    return this.inner.lock(path);
  }
}
