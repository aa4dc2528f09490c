/**
 * MemoryFileSystem: the FileSystem interface in memory, with power-loss
 * simulation. Tests use it to crash the engine at any point and check what
 * survives; the browser playground uses it as its disk.
 *
 * The model (what `crash()` keeps), following POSIX as ext4 behaves:
 *
 * 1. A file is an inode: bytes plus `syncedLength`, how many leading bytes
 *    `sync()` made durable. Files only grow by appending, so the durable
 *    bytes are always a prefix of the current ones.
 * 2. A directory maps names to inodes twice: `entries` (what you see now) and
 *    `durable` (what survives a crash), plus `pending`, the log of name
 *    changes (create, rename, remove, link) since the last `syncDir`, one
 *    group of changes per operation.
 * 3. `durable` with every group of `pending` applied in order equals `entries`.
 * 4. `syncDir(dir)` makes `durable` equal `entries` and empties `pending`.
 * 5. `crash()` rebuilds every directory from `durable` plus a random prefix
 *    of whole groups of `pending` (a journal replays in order: a rename within
 *    a directory is atomic, and a later change never survives without the
 *    earlier ones), then cuts every file to its synced bytes plus a random
 *    part of the unsynced tail, optionally with garbage in it. Open handles
 *    die; locks are released.
 *
 * Directories themselves are always durable once made (the engine makes its
 * directory once, before it writes anything that matters). Paths are absolute;
 * a relative path is taken from the root ('db/LOCK' is '/db/LOCK'). Locks are
 * kept in a table, not as files: `lock()` does not create a LOCK file.
 *
 * Every random choice comes from a seeded generator, so a failing crash test
 * replays exactly from its seed.
 */

import { IOError, LockedError, type IOOperation } from './errors.ts';
import type { FileLock, FileSystem, ReadableFile, WritableFile } from './file-system.ts';
import { baseName, dirName, normalizePath } from './path.ts';
import { SeededRandom } from './random.ts';

/** What a crash does to bytes appended but never synced. */
export type UnsyncedData =
  /** All unsynced bytes are lost. */
  | 'drop'
  /** A random prefix of the unsynced bytes survives (a torn write). */
  | 'tear'
  /** A random prefix survives, and part of it is overwritten with random bytes. */
  | 'tear-with-garbage'
  /** Everything survives, as if the disk had flushed its cache just in time. */
  | 'keep';

/** What a crash does to name changes (create, rename, remove) not yet made durable by `syncDir`. */
export type UnsyncedNames =
  /** All are undone. */
  | 'drop'
  /** A random prefix of them, in order, survives. */
  | 'random'
  /** All survive. */
  | 'keep';

export interface CrashOptions {
  /** Defaults to `'tear'`. */
  readonly data?: UnsyncedData;
  /** Defaults to `'random'`. */
  readonly names?: UnsyncedNames;
}

export interface MemoryFileSystemOptions {
  /** Seed of the generator behind every crash decision. Defaults to 1. */
  readonly seed?: number;
  /** Whether `link` works; when false it fails with ENOTSUP, like a file system without hard links. Defaults to true. */
  readonly supportsLinks?: boolean;
}

/** Thrown by every operation once the budget set by {@link MemoryFileSystem.crashAfter} runs out. */
export class SimulatedCrash extends Error {
  constructor(operation: string, path: string) {
    super(`simulated crash before ${operation} of '${path}'`);
    this.name = 'SimulatedCrash';
  }
}

class Inode {
  bytes = new Uint8Array(64);
  length = 0;
  syncedLength = 0;

  append(data: Uint8Array): void {
    const needed = this.length + data.length;
    if (needed > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(data, this.length);
    this.length = needed;
  }

  contents(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

type NameChange = { readonly name: string; readonly inode: Inode | undefined };

class Directory {
  entries = new Map<string, Inode>();
  durable = new Map<string, Inode>();
  /** One group per operation: a crash keeps a prefix of whole groups. */
  pending: (readonly NameChange[])[] = [];

  /** Applies the changes of one operation now, and logs them as one group a crash keeps or undoes whole. */
  change(...changes: NameChange[]): void {
    applyChanges(this.entries, changes);
    this.pending.push(changes);
  }
}

function applyChanges(entries: Map<string, Inode>, changes: readonly NameChange[]): void {
  for (const { name, inode } of changes) {
    if (inode === undefined) entries.delete(name);
    else entries.set(name, inode);
  }
}

export class MemoryFileSystem implements FileSystem {
  private readonly directories = new Map<string, Directory>([['/', new Directory()]]);
  private readonly locks = new Set<string>();
  private readonly random: SeededRandom;
  private readonly supportsLinks: boolean;
  /** Bumped by every crash; handles from an older generation are dead. */
  private generation = 0;
  private budget = Infinity;
  private crashed = false;

  /** Number of state-changing operations so far (create, append, sync, rename, remove, link, mkdir, syncDir). */
  mutations = 0;

  constructor(options: MemoryFileSystemOptions = {}) {
    this.random = new SeededRandom(options.seed ?? 1);
    this.supportsLinks = options.supportsLinks ?? true;
  }

  /**
   * Lets the next `n` state-changing operations run, then makes every
   * operation throw {@link SimulatedCrash} until `crash()` is called: the
   * process "dies" at exactly that point. Crash tests call this with each n
   * in turn to crash a workload after every one of its operations.
   */
  crashAfter(n: number): void {
    this.budget = n;
  }

  /**
   * Simulates power loss and restart: keeps what was made durable, keeps or
   * loses the rest as `options` say (randomly, from the seed, by default),
   * kills every open handle and releases every lock.
   */
  crash(options: CrashOptions = {}): void {
    const data = options.data ?? 'tear';
    const names = options.names ?? 'random';
    this.generation++;
    this.budget = Infinity;
    this.crashed = false;
    this.locks.clear();
    const survivors = new Set<Inode>();
    for (const dir of this.directories.values()) {
      const kept =
        names === 'keep' ? dir.pending.length : names === 'drop' ? 0 : this.random.below(dir.pending.length + 1);
      const entries = new Map(dir.durable);
      for (const group of dir.pending.slice(0, kept)) applyChanges(entries, group);
      dir.entries = entries;
      dir.durable = new Map(entries);
      dir.pending = [];
      for (const inode of entries.values()) survivors.add(inode);
    }
    for (const inode of survivors) this.crashInode(inode, data);
  }

  private crashInode(inode: Inode, data: UnsyncedData): void {
    const unsynced = inode.length - inode.syncedLength;
    if (unsynced > 0 && data !== 'keep') {
      const keep = data === 'drop' ? 0 : this.random.below(unsynced + 1);
      inode.length = inode.syncedLength + keep;
      if (data === 'tear-with-garbage' && keep > 0) {
        const from = inode.syncedLength + this.random.below(keep);
        for (let i = from; i < inode.length; i++) inode.bytes[i] = this.random.below(256);
      }
    }
    // After a restart everything on disk is, by definition, what the disk holds.
    inode.syncedLength = inode.length;
  }

  /** Total bytes in all files, counting hard-linked files once. For space measurements in tests. */
  totalBytes(): number {
    const seen = new Set<Inode>();
    let total = 0;
    for (const dir of this.directories.values()) {
      for (const inode of dir.entries.values()) {
        if (seen.has(inode)) continue;
        seen.add(inode);
        total += inode.length;
      }
    }
    return total;
  }

  // ---- FileSystem ----

  createWritable(path: string): WritableFile {
    const p = this.mutate('create', path);
    const dir = this.parentOf(p, 'create');
    if (this.directories.has(p)) throw new IOError('create', path, 'EISDIR');
    const inode = new Inode();
    dir.change({ name: baseName(p), inode });
    return new MemoryWritableFile(this, p, inode, this.generation);
  }

  openReadable(path: string): ReadableFile {
    const p = this.observe('open', path);
    const inode = this.inodeAt(p, 'open');
    return new MemoryReadableFile(this, p, inode, this.generation);
  }

  readFile(path: string): Uint8Array {
    const p = this.observe('read', path);
    return this.inodeAt(p, 'read').contents().slice();
  }

  exists(path: string): boolean {
    const p = this.observe('stat', path);
    if (this.directories.has(p)) return true;
    return this.directories.get(dirName(p))?.entries.has(baseName(p)) ?? false;
  }

  fileSize(path: string): number {
    const p = this.observe('stat', path);
    return this.inodeAt(p, 'stat').length;
  }

  list(dir: string): string[] {
    const d = this.observe('list', dir);
    const directory = this.directories.get(d);
    if (directory === undefined) throw new IOError('list', dir, 'ENOENT');
    const names = new Set(directory.entries.keys());
    for (const other of this.directories.keys()) {
      if (other !== d && dirName(other) === d) names.add(baseName(other));
    }
    return [...names].sort();
  }

  remove(path: string): void {
    const p = this.mutate('remove', path);
    this.inodeAt(p, 'remove');
    this.parentOf(p, 'remove').change({ name: baseName(p), inode: undefined });
  }

  rename(from: string, to: string): void {
    const f = this.mutate('rename', from);
    const t = absolutePath(to);
    const inode = this.inodeAt(f, 'rename');
    const target = this.parentOf(t, 'rename');
    const source = this.parentOf(f, 'rename');
    if (this.directories.has(t)) throw new IOError('rename', to, 'EISDIR');
    // Renaming a file to itself changes nothing (POSIX), and must log nothing.
    if (f === t) return;
    if (source === target) {
      // One directory, one group: a crash keeps both halves or neither.
      source.change({ name: baseName(f), inode: undefined }, { name: baseName(t), inode });
    } else {
      target.change({ name: baseName(t), inode });
      source.change({ name: baseName(f), inode: undefined });
    }
  }

  link(existing: string, newPath: string): void {
    const e = this.mutate('link', existing);
    if (!this.supportsLinks) throw new IOError('link', newPath, 'ENOTSUP');
    const inode = this.inodeAt(e, 'link');
    const n = absolutePath(newPath);
    const dir = this.parentOf(n, 'link');
    if (dir.entries.has(baseName(n)) || this.directories.has(n)) throw new IOError('link', newPath, 'EEXIST');
    dir.change({ name: baseName(n), inode });
  }

  mkdir(dir: string): void {
    let d = this.mutate('mkdir', dir);
    const missing: string[] = [];
    while (!this.directories.has(d)) {
      if (this.directories.get(dirName(d))?.entries.has(baseName(d))) throw new IOError('mkdir', dir, 'EEXIST');
      missing.push(d);
      d = dirName(d);
    }
    for (const m of missing) this.directories.set(m, new Directory());
  }

  syncDir(dir: string): void {
    const d = this.mutate('syncDir', dir);
    const directory = this.directories.get(d);
    if (directory === undefined) throw new IOError('syncDir', dir, 'ENOENT');
    directory.durable = new Map(directory.entries);
    directory.pending = [];
  }

  lock(path: string): FileLock {
    const p = this.observe('lock', path);
    if (this.locks.has(p)) throw new LockedError(`'${path}' is locked: the database is already open`);
    this.locks.add(p);
    const generation = this.generation;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        // A lock from before a crash was released by the crash itself.
        if (generation === this.generation) this.locks.delete(p);
      },
    };
  }

  // ---- used by the handles ----

  /** Records a state-changing operation, or throws if the crash budget is spent. */
  mutate(operation: IOOperation, path: string): string {
    this.checkAlive(operation, path);
    if (this.budget <= 0) {
      this.crashed = true;
      throw new SimulatedCrash(operation, path);
    }
    this.budget--;
    this.mutations++;
    return absolutePath(path);
  }

  /** Checks a read-only operation may run. */
  observe(operation: IOOperation, path: string): string {
    this.checkAlive(operation, path);
    return absolutePath(path);
  }

  /** Throws if a handle outlived a crash. */
  checkHandle(generation: number, operation: IOOperation, path: string): void {
    if (generation !== this.generation) {
      throw new IOError(operation, path, 'ESTALE', {
        cause: new Error('this handle was opened before a simulated crash'),
      });
    }
  }

  private checkAlive(operation: IOOperation, path: string): void {
    if (this.crashed) throw new SimulatedCrash(operation, path);
  }

  private parentOf(path: string, operation: IOOperation): Directory {
    const dir = this.directories.get(dirName(path));
    if (dir === undefined) throw new IOError(operation, path, 'ENOENT');
    return dir;
  }

  private inodeAt(path: string, operation: IOOperation): Inode {
    const inode = this.directories.get(dirName(path))?.entries.get(baseName(path));
    if (inode === undefined) {
      throw new IOError(operation, path, this.directories.has(path) ? 'EISDIR' : 'ENOENT');
    }
    return inode;
  }
}

/** Normalises `path` and takes a relative one from the root, so every path names one place. */
function absolutePath(path: string): string {
  return normalizePath(path.startsWith('/') ? path : `/${path}`);
}

class MemoryWritableFile implements WritableFile {
  private closed = false;

  constructor(
    private readonly fs: MemoryFileSystem,
    readonly path: string,
    private readonly inode: Inode,
    private readonly generation: number,
  ) {}

  get size(): number {
    return this.inode.length;
  }

  append(data: Uint8Array): void {
    this.check('write');
    this.fs.mutate('write', this.path);
    this.inode.append(data);
  }

  sync(): void {
    this.check('sync');
    this.fs.mutate('sync', this.path);
    this.inode.syncedLength = this.inode.length;
  }

  close(): void {
    this.closed = true;
  }

  private check(operation: IOOperation): void {
    this.fs.checkHandle(this.generation, operation, this.path);
    if (this.closed) throw new IOError(operation, this.path, 'EBADF');
  }
}

class MemoryReadableFile implements ReadableFile {
  readonly size: number;
  private closed = false;

  constructor(
    private readonly fs: MemoryFileSystem,
    readonly path: string,
    private readonly inode: Inode,
    private readonly generation: number,
  ) {
    this.size = inode.length;
  }

  read(offset: number, length: number): Uint8Array {
    this.fs.checkHandle(this.generation, 'read', this.path);
    this.fs.observe('read', this.path);
    if (this.closed) throw new IOError('read', this.path, 'EBADF');
    // Like NodeFileSystem, a reader sees the file as it was when opened.
    const end = Math.min(this.inode.length, this.size, offset + length);
    // A copy, as a real read would give: the caller may keep it in a cache.
    return this.inode.bytes.slice(Math.min(offset, end), end);
  }

  close(): void {
    this.closed = true;
  }
}
