/**
 * The FileSystem interface: every byte the engine reads or writes goes
 * through it. Two implementations ship with the toolkit:
 *
 * - `NodeFileSystem`: a real disk, through `node:fs`.
 * - `MemoryFileSystem`: in memory, for tests and the browser, with `crash()`
 *   to simulate power loss: what was synced stays, what was not may be lost.
 *
 * and a wrapper, `FaultyFileSystem`, that makes the k-th operation of a kind
 * fail with EIO or ENOSPC.
 *
 * The interface is synchronous, like the engine's API. Files are written only
 * by appending (a WAL, a table, a MANIFEST): that is all an LSM-tree needs,
 * and it makes crash behaviour simple to state.
 *
 * Durability contract, the same as POSIX:
 * 1. `WritableFile.sync()` makes the file's bytes durable (fsync).
 * 2. Creating, renaming or removing a name is durable only after
 *    `syncDir(dir)` of the directory holding it; until then a crash may undo it.
 * 3. `rename(from, to)` replaces `to` atomically: after a crash, `to` is the
 *    old file or the new one, never a mix or nothing.
 *
 * Every method throws an `IOError` naming the operation, the path and the
 * errno (ENOENT for a missing file, EEXIST, EIO, ENOSPC...).
 */

/** A file open for appending. */
export interface WritableFile {
  /** The path the file was created at. */
  readonly path: string;
  /** Number of bytes appended so far. */
  readonly size: number;
  /** Appends `data` to the end of the file. Not durable until `sync()`. */
  append(data: Uint8Array): void;
  /** Makes every byte appended so far durable. */
  sync(): void;
  /** Closes the file. Does not sync. Closing twice is allowed. */
  close(): void;
}

/** A file open for reading at any offset. */
export interface ReadableFile {
  /** The path the file was opened at. */
  readonly path: string;
  /** The file's size in bytes when it was opened. */
  readonly size: number;
  /**
   * Reads `length` bytes starting at `offset`. Returns fewer bytes only when
   * the file ends first (at `size`: bytes appended after the open are not
   * seen); the caller decides whether that is corruption.
   */
  read(offset: number, length: number): Uint8Array;
  /** Closes the file. Closing twice is allowed. */
  close(): void;
}

/** A held lock on a LOCK file; see {@link FileSystem.lock}. */
export interface FileLock {
  /** Releases the lock. Releasing twice is allowed. */
  release(): void;
}

export interface FileSystem {
  /** Creates `path`, truncating it if it exists, and opens it for appending. */
  createWritable(path: string): WritableFile;
  /** Opens an existing file for reading. @throws IOError (ENOENT) if it does not exist. */
  openReadable(path: string): ReadableFile;
  /** Reads a whole (small) file, such as CURRENT. */
  readFile(path: string): Uint8Array;
  /** Returns true iff `path` names an existing file or directory. */
  exists(path: string): boolean;
  /** Returns the size of the file at `path` in bytes. */
  fileSize(path: string): number;
  /** Returns the names (not paths) in directory `dir`, sorted. */
  list(dir: string): string[];
  /** Removes the file at `path`. @throws IOError (ENOENT) if it does not exist. */
  remove(path: string): void;
  /** Renames `from` to `to`, atomically replacing `to` if it exists. */
  rename(from: string, to: string): void;
  /**
   * Makes `newPath` a hard link to `existing`.
   * @throws IOError with errno ENOTSUP or EXDEV where links are impossible; callers then copy.
   */
  link(existing: string, newPath: string): void;
  /** Creates directory `dir` and any missing parents; does nothing if it exists. */
  mkdir(dir: string): void;
  /** Makes the creations, renames and removals of names in `dir` durable. */
  syncDir(dir: string): void;
  /**
   * Takes an exclusive lock on the file at `path`, creating it if needed.
   * @throws LockedError if another holder, in this process or another, has it.
   */
  lock(path: string): FileLock;
}

/**
 * Writes `data` to `path` so that, after a crash, `path` holds either its old
 * contents or `data`, never a mix: write a temporary file, sync it, rename it
 * over `path`, sync the directory. CURRENT is replaced this way.
 */
export function writeFileAtomically(fs: FileSystem, dir: string, name: string, data: Uint8Array): void {
  const temp = `${dir}/${name}.tmp`;
  const file = fs.createWritable(temp);
  try {
    file.append(data);
    file.sync();
  } finally {
    file.close();
  }
  fs.rename(temp, `${dir}/${name}`);
  fs.syncDir(dir);
}
