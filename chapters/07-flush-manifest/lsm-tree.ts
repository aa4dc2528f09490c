/**
 * LsmTree: the storage engine. Every component of chapters 1 to 6 comes
 * together here.
 *
 * The write path (put, delete, write):
 *
 *     validate ─> WAL append (+ fsync if sync) ─> active memtable
 *                                                   │ full?
 *                                                   ▼
 *              freeze: it becomes immutable, the WAL rotates to a new segment
 *                                                   ▼
 *              flush: level-0 table written + synced, directory synced,
 *                     MANIFEST edit appended + synced, old segments deleted
 *
 * The read path (get): active memtable ─> immutable memtables ─> level-0
 * tables, newest first ─> levels 1..6, one table each (binary search). The
 * first version found at or below the read's sequence decides; a tombstone
 * means "not found". Iterators merge all of those sources (chapter 6).
 *
 * A flush runs inside the write that filled the memtable. Compaction
 * (chapters 8 and 9) runs in the write path too, in small paced slices
 * after each write (compaction-scheduler.ts); with `compaction: { strategy:
 * 'none' }`, as in this chapter's tests, nothing merges tables and they
 * pile up in level 0.
 *
 * Invariants:
 * 1. Every write is in the WAL before it is in a memtable, and gets the next
 *    sequence numbers: `versions.lastSequence` is the last one applied.
 * 2. `immutables` are frozen memtables waiting to be flushed, newest first;
 *    each remembers the WAL segment its writes begin in (`logNumber`), and
 *    the active memtable's writes begin in segment `memtableLogNumber`.
 *    Every WAL segment below the oldest of those is in level-0 tables, and
 *    `versions.logNumber` says so durably.
 * 3. Outside a call, the active memtable is below `memtableSize`, unless a
 *    flush failed.
 * 4. After an I/O error in a write or a flush (`failure`), every write
 *    throws that error; reads still work. Reopening clears it.
 * 5. After close(), every method but close() throws ClosedError.
 * 6. At most one compaction job runs (the scheduler's); the tables it
 *    writes, like a flush's, are pending outputs in `lifetimes` until an
 *    edit installs them or the job is abandoned, so they are never taken
 *    for obsolete files.
 * 7. A table file is deleted exactly when it becomes obsolete: no live
 *    version names it (the current one, or one an open iterator holds) and
 *    nothing is writing it (chapter 10's FileLifetimes). A snapshot pins no
 *    file: compaction keeps the versions it sees in its outputs.
 *
 * Not thread-safe: one call at a time (JavaScript runs one at a time anyway).
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { toBytes } from '#toolkit/bytes.ts';
import { ClosedError, InvalidArgumentError, IOError } from '#toolkit/errors.ts';
import type { FileLock, FileSystem } from '#toolkit/file-system.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { Arena } from '#memtable/arena.ts';
import { MemTable, type MemTableEntry } from '#memtable/memtable.ts';
import type { WriteAheadLog } from '#wal/write-ahead-log.ts';
import { WriteBatch } from '#wal/write-batch.ts';
import { INTERNAL_KEY_TRAILER_SIZE } from '#sstable/internal-key-codec.ts';
import type { TableEntry } from '#sstable/table-reader.ts';
import { BlockCache } from '#cache/block-cache.ts';
import { TableCache, type PinnedTable } from '#cache/table-cache.ts';
import { DbIterator } from '#merge/db-iterator.ts';
import { copyValue } from '#merge/value-copies.ts';
import { MergingIterator } from '#merge/merging-iterator.ts';
import { RangeBounds } from '#merge/range-bounds.ts';
import { estimatedSpaceAmplification, readAmplification, spaceAmplification, writeAmplification } from '#leveled/amplification.ts';
import { checkCheckpointTarget, writeCheckpoint, type CheckpointInfo } from '#snapshots/checkpoint.ts';
import { FileLifetimes } from '#snapshots/file-lifetimes.ts';
import { SnapshotList, type Snapshot } from '#snapshots/snapshot-list.ts';
import { ClosingIterator } from './closing-iterator.ts';
import { CompactionScheduler, type CompactionStepResult, type SchedulerHost } from './compaction-scheduler.ts';
import type { CompactionOptions } from './compaction-strategies.ts';
import { EventReporter } from './events.ts';
import { fileMayHoldKey, type FileMetadata } from './file-metadata.ts';
import { NUM_LEVELS } from './manifest-format.ts';
import type { AmplificationMetrics, FileLifetimeMetrics, LsmMetrics, RecoveryMetrics } from './metrics.ts';
import { resolveOptions, tableBuilderOptions, type LsmOptions, type ResolvedOptions } from './options.ts';
import { openDatabase, type OpenedDatabase } from './recovery.ts';
import { writeTables } from './table-writer.ts';
import type { VersionEdit } from './version-edit.ts';
import type { VersionSet } from './version-set.ts';

/** A key or a value: bytes, or a string taken as UTF-8. */
export type Bytes = Uint8Array | string;

/** Options of put, delete and write. */
export interface WriteOptions {
  /** Fsync the WAL before returning, so the write survives a power loss. Defaults to false (it survives a process crash). */
  readonly sync?: boolean;
}

/** Options of get. */
export interface ReadOptions {
  /** Read as of this snapshot. Defaults to the latest write. */
  readonly snapshot?: Snapshot;
}

/** Options of range. */
export interface RangeOptions extends ReadOptions {
  /** Yield in descending key order. Defaults to false. */
  readonly reverse?: boolean;
  /** Yield at most this many entries: an integer >= 0, or Infinity. Defaults to Infinity. */
  readonly limit?: number;
}

/** Options of iterator: at most one lower bound (gt or gte) and one upper bound (lt or lte). */
export interface IteratorOptions extends RangeOptions {
  readonly gt?: Bytes;
  readonly gte?: Bytes;
  readonly lt?: Bytes;
  readonly lte?: Bytes;
}

/** Options of metrics. */
export interface MetricsOptions {
  /** Measure space amplification exactly, by scanning every live key (slow on a big database). Defaults to false. */
  readonly exact?: boolean;
}

/** A memtable frozen for flushing, with the WAL segment its writes begin in. */
interface FrozenMemTable {
  readonly memtable: MemTable;
  readonly logNumber: number;
}

/** The engine; see the file comment for its paths and invariants. */
export class LsmTree {
  /** The database directory. */
  readonly directory: string;
  /** The options in force, every default filled in. */
  readonly options: ResolvedOptions;
  private readonly fs: FileSystem;
  private readonly lock: FileLock;
  private readonly versions: VersionSet;
  private readonly wal: WriteAheadLog;
  private readonly blockCache: BlockCache | undefined;
  private readonly tableCache: TableCache;
  private readonly snapshots = new SnapshotList();
  private readonly recovery: RecoveryMetrics;
  private readonly scheduler: CompactionScheduler;
  /** Tells the `onEvent` listener about flushes and compactions (events.ts). */
  private readonly events: EventReporter;
  private memtable = new MemTable();
  private memtableLogNumber: number;
  private readonly immutables: FrozenMemTable[] = [];
  /** When each table may be deleted: pending outputs, and tables no live version names (chapter 10). */
  private readonly lifetimes: FileLifetimes;
  /** Reused by put and delete, so a single write allocates no batch. */
  private readonly single = new WriteBatch();
  /** Holds the engine's copies of the keys and values written, in big shared chunks (arena.ts explains why). */
  private readonly arena = new Arena();
  private failure: unknown;
  private closed = false;
  private readonly counters = {
    userBytes: 0,
    walBytesOfOldSegments: 0,
    flushes: 0,
    flushBytes: 0,
    gets: 0,
    tablesProbed: 0,
    filterNegatives: 0,
    deleteFailures: 0,
  };

  private constructor(options: ResolvedOptions, opened: OpenedDatabase) {
    this.options = options;
    this.directory = opened.dir;
    this.fs = opened.fs;
    this.lock = opened.lock;
    this.versions = opened.versions;
    this.wal = opened.wal;
    this.recovery = opened.recovery;
    this.memtableLogNumber = opened.wal.logNumber;
    this.blockCache = options.blockCacheSize > 0 ? new BlockCache(options.blockCacheSize) : undefined;
    this.tableCache = new TableCache(this.fs, this.directory, {
      maxOpenFiles: options.maxOpenFiles,
      ...(this.blockCache === undefined ? {} : { blockCache: this.blockCache }),
    });
    this.lifetimes = new FileLifetimes(this.versions.refs, (table) => this.removeTable(table));
    // Whenever a version dies (replaced, and its last iterator closed), its
    // tables that no live version names are deleted at once (invariant 7).
    this.versions.onTablesUnreferenced = (tables) => this.lifetimes.collect(tables);
    this.events = new EventReporter(options.onEvent, () => ({ userBytes: this.counters.userBytes, sequence: this.versions.lastSequence }));
    this.scheduler = new CompactionScheduler(this.makeCompactionHost(), options);
  }

  /**
   * Opens the database in `dir`, creating it if needed (see recovery.ts).
   * @throws InvalidArgumentError for a bad option or directory name, or when
   *   createIfMissing / errorIfExists forbid the open.
   * @throws LockedError if the database is already open, here or in another process.
   * @throws CorruptionError if its files are damaged beyond a torn tail.
   * @throws IOError if the file system fails.
   */
  static open(dir: string, options?: LsmOptions): LsmTree {
    if (typeof dir !== 'string' || dir.length === 0) {
      throw new InvalidArgumentError(`the directory must be a non-empty string, got ${dir === '' ? 'an empty string' : typeof dir}`);
    }
    const resolved = resolveOptions(options);
    return new LsmTree(resolved, openDatabase(dir, resolved));
  }

  /**
   * Sets `key` to `value`. The engine copies both: the caller may reuse them.
   * @throws InvalidArgumentError if the key or value is not bytes or a
   *   string, or is longer than maxKeySize / maxValueSize; nothing is written.
   * @throws IOError if the file system fails (then the database refuses
   *   writes until reopened; if the failure came from the flush that
   *   followed, the write itself was applied).
   * @throws ClosedError after close().
   */
  put(key: Bytes, value: Bytes, options?: WriteOptions): void {
    this.checkOpen();
    const sync = syncOption(options);
    const k = this.ownedKey(key);
    const v = this.ownedValue(value);
    this.single.clear();
    this.single.put(k, v);
    this.apply(this.single, sync);
  }

  /**
   * Deletes `key` (writes a tombstone; deleting a missing key is not an error).
   * @throws as {@link put} does.
   */
  delete(key: Bytes, options?: WriteOptions): void {
    this.checkOpen();
    const sync = syncOption(options);
    const k = this.ownedKey(key);
    this.single.clear();
    this.single.delete(k);
    this.apply(this.single, sync);
  }

  /**
   * Applies every write of `batch` atomically: after a crash, all of them
   * or none. Every entry is checked before anything is written. An empty
   * batch writes nothing; with `{ sync: true }` it still syncs the WAL, so
   * it works as a barrier that makes every earlier write durable (as in
   * LevelDB).
   * @throws as {@link put} does; a single bad entry rejects the whole batch.
   */
  write(batch: WriteBatch, options?: WriteOptions): void {
    this.checkOpen();
    const sync = syncOption(options);
    if (!(batch instanceof WriteBatch)) {
      throw new InvalidArgumentError(`write() takes a WriteBatch, got ${describeValue(batch)}`);
    }
    const owned = new WriteBatch();
    for (const entry of batch.entries) {
      if (entry.kind === ValueKind.Put) owned.put(this.ownedKey(entry.key), this.ownedValue(entry.value));
      else owned.delete(this.ownedKey(entry.key));
    }
    if (owned.count > 0) this.apply(owned, sync);
    else if (sync) this.syncLog();
  }

  /** Makes every write logged so far durable, without writing anything. */
  private syncLog(): void {
    this.checkWritable();
    try {
      this.wal.sync();
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  /**
   * Returns the value of `key`, or undefined if it has none (never set, or
   * deleted), as of `options.snapshot` or else the latest write. The value
   * is a copy the caller owns.
   * @throws InvalidArgumentError for a bad key or a released snapshot.
   * @throws CorruptionError if a table block it reads is damaged.
   * @throws ClosedError after close().
   */
  get(key: Bytes, options?: ReadOptions): Uint8Array | undefined {
    this.checkOpen();
    checkOptions(options, READ_OPTION_NAMES, 'get');
    const userKey = this.lookupKey(key, 'key');
    const sequence = this.readSequence(options);
    this.counters.gets++;
    // TODO(task 7.8): look in the active memtable, then the immutable ones, then the tables; a tombstone means undefined
    throw new NotImplementedError("task 7.8 in chapters/07-flush-manifest/lsm-tree.ts: look in the active memtable, then the immutable ones, then the tables; a tombstone means undefined");
  }

  /**
   * Returns the entries with start <= key < end, in key order (descending
   * with `reverse`), at most `limit` of them, as of the snapshot or the
   * latest write at the time of the call. Iterate it with `for...of`; it
   * closes itself at the end of the loop (call `close()` if you stop early
   * without a loop).
   * @throws InvalidArgumentError if start > end, or for a bad key, snapshot or option.
   * @throws ClosedError after close().
   */
  range(start: Bytes, end: Bytes, options: RangeOptions = {}): DbIterator {
    this.checkOpen();
    checkOptions(options, RANGE_OPTION_NAMES, 'range');
    const bounds = RangeBounds.halfOpen(this.lookupKey(start, 'start'), this.lookupKey(end, 'end'));
    return this.newIterator(bounds, options);
  }

  /**
   * Returns a cursor over the keys within the given bounds (chapter 6's
   * DbIterator: seek, next, prev, key, value, and `for...of`), as of the
   * snapshot or the latest write at the time of the call: later writes are
   * not seen. Close it when done; until then the tables it reads are kept.
   * @throws InvalidArgumentError for a bad bound, snapshot or option, or two lower (upper) bounds.
   * @throws ClosedError after close().
   */
  iterator(options: IteratorOptions = {}): DbIterator {
    this.checkOpen();
    checkOptions(options, ITERATOR_OPTION_NAMES, 'iterator');
    const bound = (value: Bytes | undefined, name: string): Uint8Array | undefined =>
      value === undefined ? undefined : this.lookupKey(value, name);
    const bounds = new RangeBounds({
      gt: bound(options.gt, 'gt'),
      gte: bound(options.gte, 'gte'),
      lt: bound(options.lt, 'lt'),
      lte: bound(options.lte, 'lte'),
    });
    return this.newIterator(bounds, options);
  }

  /**
   * Takes a snapshot of the database as it is now: reads through it ignore
   * every later write, flush and compaction. Release it when done: until
   * then compaction keeps every version it can see (chapter 10).
   * @throws ClosedError after close().
   */
  snapshot(): Snapshot {
    this.checkOpen();
    return this.snapshots.create(this.versions.lastSequence);
  }

  /**
   * Writes a checkpoint into `dir`: a directory that opens as a database
   * (on the same file system) holding exactly the writes made before this
   * call, and none made later. Flushes the memtable first, then hard-links
   * every table (copies where the file system cannot link), and writes
   * CURRENT last, so a crash leaves either a complete checkpoint or a
   * directory without CURRENT (chapter 10's checkpoint.ts). Later
   * compactions of this database do not affect it.
   * @throws InvalidArgumentError if `dir` is not a string, is the
   *   database's own directory, or exists and is not empty; nothing is done then.
   * @throws IOError if the file system fails (a partial checkpoint without
   *   CURRENT may be left in `dir`; delete it).
   * @throws ClosedError after close().
   */
  checkpoint(dir: string): CheckpointInfo {
    this.checkWritable();
    checkCheckpointTarget(this.fs, this.directory, dir);
    this.flush();
    // Referenced while its tables are linked; nothing else runs meanwhile, but the rule costs nothing.
    const pinned = this.versions.pin();
    try {
      return writeCheckpoint(
        {
          fs: this.fs,
          dir: this.directory,
          version: pinned.version,
          lastSequence: this.versions.lastSequence,
          nextFileNumber: this.versions.nextFileNumber,
        },
        dir,
      );
    } finally {
      pinned.release();
    }
  }

  /**
   * Writes the memtable (if it holds anything) to a level-0 table now, and
   * returns when the table is durable and recorded in the MANIFEST.
   * @throws IOError if the file system fails (the database then refuses writes).
   * @throws ClosedError after close().
   */
  flush(): void {
    this.checkWritable();
    try {
      if (!this.memtable.isEmpty()) this.freezeMemtable();
      this.flushImmutables();
    } catch (error) {
      this.failure ??= error;
      this.events.dropListenerError();
      throw error;
    }
    this.events.rethrowListenerError();
  }

  /**
   * Returns the engine's counters and sizes; see metrics.ts. With `exact`,
   * space amplification is measured by scanning every live key.
   * @throws ClosedError after close().
   */
  metrics(options: MetricsOptions = {}): LsmMetrics {
    this.checkOpen();
    checkOptions(options, METRICS_OPTION_NAMES, 'metrics');
    if (typeof (options.exact ?? false) !== 'boolean') {
      throw new InvalidArgumentError(`exact must be true or false, got ${describeValue(options.exact)}`);
    }
    const version = this.versions.current;
    const c = this.counters;
    const walBytes = c.walBytesOfOldSegments + this.wal.size;
    let immutableBytes = 0;
    for (const { memtable } of this.immutables) immutableBytes += memtable.approximateBytes;
    const { compaction, levelRead, levelWritten } = this.scheduler.metrics();
    const write = writeAmplification({ userBytes: c.userBytes, walBytes, flushBytes: c.flushBytes, compactionBytes: compaction.bytesWritten });
    return {
      levels: Array.from({ length: NUM_LEVELS }, (_, level) => ({
        level,
        files: version.files(level).length,
        bytes: version.levelBytes(level),
        compactionBytesRead: levelRead[level]!,
        compactionBytesWritten: levelWritten[level]!,
      })),
      memtable: {
        bytes: this.memtable.approximateBytes,
        entries: this.memtable.entryCount,
        immutableCount: this.immutables.length,
        immutableBytes,
      },
      wal: { logNumber: this.wal.logNumber, bytes: this.wal.size },
      manifest: { number: this.versions.manifestNumber, bytes: this.versions.manifestSize },
      writes: {
        userBytes: c.userBytes,
        walBytes,
        flushes: c.flushes,
        flushBytes: c.flushBytes,
        compactionBytes: compaction.bytesWritten,
        writeAmplification: write,
      },
      reads: {
        gets: c.gets,
        tablesProbed: c.tablesProbed,
        tablesProbedPerGet: c.gets === 0 ? 0 : c.tablesProbed / c.gets,
        filterNegatives: c.filterNegatives,
      },
      blockCache: this.blockCache?.stats,
      tableCache: this.tableCache.stats,
      compaction,
      amplification: this.amplification(write, options.exact === true),
      lastSequence: this.versions.lastSequence,
      snapshots: this.snapshots.size,
      oldestSnapshotSequence: this.snapshots.oldestSequence(),
      files: this.fileLifetimeMetrics(),
      recovery: this.recovery,
    };
  }

  /**
   * Closes the database: syncs the WAL (so every acknowledged write survives
   * a power loss), closes every file, releases the snapshots and the LOCK.
   * It does not flush the memtable: the next open replays the WAL. Closing
   * twice is allowed; every other method then throws ClosedError. Open
   * iterators stop working.
   * @throws IOError if the final WAL sync fails (the database is closed anyway).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.abandon('close'); // Its unfinished outputs are deleted; the next open would delete them anyway.
    try {
      this.wal.close();
    } finally {
      this.versions.close();
      this.tableCache.close();
      this.snapshots.releaseAll();
      // Iterators still open release their versions later: what they leave
      // behind is for the next open's sweep, not for this closed engine.
      this.versions.onTablesUnreferenced = () => {};
      this.lock.release();
    }
    this.events.rethrowListenerError();
  }

  // ---- the write path ----

  /**
   * Logs `batch` and applies it to the memtable at the next sequence
   * numbers; freezes and flushes the memtable if it is full.
   * REQUIRES: the batch's keys and values are the engine's own copies, checked.
   */
  private apply(batch: WriteBatch, sync: boolean): void {
    this.checkWritable();
    this.counters.userBytes += batch.byteSize;
    try {
      // TODO(task 7.6): WAL first, then the memtable, then advance lastSequence; freeze and flush a full memtable
      throw new NotImplementedError("task 7.6 in chapters/07-flush-manifest/lsm-tree.ts: WAL first, then the memtable, then advance lastSequence; freeze and flush a full memtable");
      this.scheduler.afterWrite(batch.byteSize, this.memtable.approximateBytes);
    } catch (error) {
      this.failure ??= error;
      this.events.dropListenerError(); // The write's own error wins over a listener's.
      throw error;
    }
    this.events.rethrowListenerError();
  }

  /**
   * Makes the active memtable immutable and starts a new one, with a new
   * WAL segment (rotate syncs the old one), so the frozen memtable's writes
   * and the new one's are in different segments.
   */
  private freezeMemtable(): void {
    // TODO(task 7.6): take a new file number, rotate the WAL to it, push the memtable onto the immutables
    throw new NotImplementedError("task 7.6 in chapters/07-flush-manifest/lsm-tree.ts: take a new file number, rotate the WAL to it, push the memtable onto the immutables");
  }

  /** Flushes every immutable memtable, oldest first. */
  private flushImmutables(): void {
    while (this.immutables.length > 0) {
      const files = this.flushOldestImmutable();
      this.counters.flushes++;
      let bytes = 0;
      for (const file of files) bytes += file.size;
      this.counters.flushBytes += bytes;
      if (this.events.listening) {
        const level0Files = this.versions.current.files(0).length;
        this.events.emit({ type: 'flush', tables: files.map((f) => f.number), bytes, level0Files, pendingBytes: this.scheduler.pendingBytes() });
      }
    }
  }

  /**
   * Writes the oldest immutable memtable to level 0, in the durability
   * order: table written and synced, directory synced (writeTables), then
   * the edit that adds it and advances the log number logged and synced
   * (logAndApply), and only then the WAL segments it covers deleted.
   * Returns the tables written (none for an empty memtable).
   */
  private flushOldestImmutable(): FileMetadata[] {
    // TODO(task 7.7): write the table, log the edit (new file + the next memtable's log number), drop the memtable, delete old segments
    throw new NotImplementedError("task 7.7 in chapters/07-flush-manifest/lsm-tree.ts: write the table, log the edit (new file + the next memtable's log number), drop the memtable, delete old segments");
  }

  /**
   * Writes `source` into new durable tables (see table-writer.ts); they stay
   * pending outputs (never obsolete) until an edit installs them. If the
   * writing fails, the tables it began are given up.
   */
  private writeTables(source: InternalIterator, maxFileSize?: number): FileMetadata[] {
    const numbers: number[] = [];
    const allocate = (): number => {
      const number = this.versions.newFileNumber();
      this.lifetimes.beginOutput(number);
      numbers.push(number);
      return number;
    };
    try {
      return writeTables(this.fs, this.directory, source, allocate, tableBuilderOptions(this.options), maxFileSize);
    } catch (error) {
      for (const number of numbers) this.lifetimes.endOutput(number);
      throw error;
    }
  }

  /**
   * Records `edit` durably and makes it current (VersionSet.logAndApply),
   * which deletes the tables the replaced version was the last to name;
   * then its new tables stop being pending.
   */
  private logAndApply(edit: VersionEdit): void {
    this.versions.logAndApply(edit);
    for (const { file } of edit.newFiles) this.lifetimes.endOutput(file.number);
  }

  // ---- the read path ----

  /** Returns the newest version of `userKey` at or below `sequence` in the tables, a tombstone included. */
  private getFromTables(userKey: Uint8Array, sequence: number): TableEntry | undefined {
    // TODO(task 7.8): level 0 newest first (every table whose range holds the key), then one table per deeper level
    throw new NotImplementedError("task 7.8 in chapters/07-flush-manifest/lsm-tree.ts: level 0 newest first (every table whose range holds the key), then one table per deeper level");
  }

  /** Asks one table for `userKey` (through the table cache), counting the probe and whether the filter answered. */
  private probe(file: FileMetadata, userKey: Uint8Array, sequence: number): TableEntry | undefined {
    const reader = this.tableCache.get(file.number);
    const negatives = reader.stats.filterNegatives;
    const entry = reader.get(userKey, sequence);
    this.counters.tablesProbed++;
    this.counters.filterNegatives += reader.stats.filterNegatives - negatives;
    return entry;
  }

  /** Builds the user's iterator over `bounds`; checks the options first, so a bad one pins nothing. */
  private newIterator(bounds: RangeBounds, options: RangeOptions): DbIterator {
    const sequence = this.readSequence(options);
    const reverse = options.reverse ?? false;
    if (typeof reverse !== 'boolean') throw new InvalidArgumentError(`reverse must be true or false, got ${describeValue(reverse)}`);
    const limit = options.limit ?? Infinity;
    if (limit !== Infinity && !(Number.isSafeInteger(limit) && limit >= 0)) {
      throw new InvalidArgumentError(`limit must be an integer >= 0 or Infinity, got ${describeValue(limit)}`);
    }
    // Invariant 5: a user's iterator stops when the database closes. Without
    // this check one over writes still in a memtable would go on reading, and
    // one over tables would fail only on reaching a closed table.
    const refuseAfterClose = (): void => {
      if (this.closed) {
        throw new ClosedError(`the database in '${this.directory}' is closed, and its iterators with it; open it again for a new iterator`);
      }
    };
    const source = new ClosingIterator(this.mergedIterator(), () => {}, refuseAfterClose);
    return new DbIterator(source, { sequence, bounds, reverse, limit });
  }

  /**
   * Returns one InternalIterator over every source, newest first: the active
   * memtable, the immutable ones, then every table of the current version
   * (level 0 newest first, then levels 1..6). The version and the table
   * readers stay pinned until it is closed.
   */
  private mergedIterator(): InternalIterator {
    // TODO(task 7.9): memtable iterators, then pin the version and each table's reader; merge; release the pins on close
    throw new NotImplementedError("task 7.9 in chapters/07-flush-manifest/lsm-tree.ts: memtable iterators, then pin the version and each table's reader; merge; release the pins on close");
  }

  // ---- compaction (chapters 8 and 9) ----

  /**
   * Runs compaction to completion now: flushes the memtable, finishes the
   * running compaction, then compacts `level` (or the whole tree when
   * undefined) as the strategy's manual plans say, then every compaction
   * that is due. Returns when the tree is in the shape the strategy wants.
   * Does nothing more than the flush with `compaction: { strategy: 'none' }`.
   * @throws InvalidArgumentError if level is not undefined or an integer from 0 to 6.
   * @throws IOError if the file system fails (the database then refuses writes).
   * @throws ClosedError after close().
   */
  compact(level?: number): void {
    this.checkWritable();
    if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level < NUM_LEVELS)) {
      throw new InvalidArgumentError(`level must be an integer from 0 to ${NUM_LEVELS - 1}, or undefined for every level; got ${describeValue(level)}`);
    }
    try {
      if (!this.memtable.isEmpty()) this.freezeMemtable();
      this.flushImmutables();
      this.scheduler.compact(level);
    } catch (error) {
      this.failure ??= error;
      this.events.dropListenerError();
      throw error;
    }
    this.events.rethrowListenerError();
  }

  /**
   * Runs one slice of compaction work, at most `budgetBytes` bytes of input
   * entries (or one entry, if it is bigger): of the running compaction, or
   * of a new one if the strategy finds one due. Returns what happened:
   * `idle` (nothing due), `progressed`, or `finished` (with the plan).
   * Tests and the visualiser drive compaction with it, usually with
   * `compactionPacing: 0` so that writes do none by themselves.
   * @throws InvalidArgumentError if budgetBytes is not an integer >= 1 or Infinity.
   * @throws IOError if the file system fails (the database then refuses writes).
   * @throws ClosedError after close().
   */
  compactionStep(budgetBytes: number): CompactionStepResult {
    this.checkWritable();
    if (!(budgetBytes === Infinity || (Number.isSafeInteger(budgetBytes) && budgetBytes >= 1))) {
      throw new InvalidArgumentError(`budgetBytes must be an integer >= 1 or Infinity, got ${describeValue(budgetBytes)}`);
    }
    let result: CompactionStepResult;
    try {
      result = this.scheduler.step(budgetBytes);
    } catch (error) {
      this.failure ??= error;
      this.events.dropListenerError();
      throw error;
    }
    this.events.rethrowListenerError();
    return result;
  }

  /**
   * Switches the compaction strategy at runtime: `{ strategy: 'leveled' |
   * 'tiered' | 'none', ...its options }`. A compaction in progress is
   * abandoned (its unfinished outputs deleted); the new strategy takes the
   * tree as it is, whatever shape the old one left.
   * @throws InvalidArgumentError for an unknown strategy or option; nothing changes then.
   * @throws ClosedError after close().
   */
  setCompaction(options: CompactionOptions): void {
    this.checkWritable();
    this.scheduler.setStrategy(options);
    this.events.rethrowListenerError();
  }

  /** The window compaction jobs get into the engine; see compaction-hook.ts. */
  private makeCompactionHost(): SchedulerHost {
    return {
      fs: this.fs,
      dir: this.directory,
      tableOptions: tableBuilderOptions(this.options),
      currentVersion: () => this.versions.current,
      events: this.events,
      smallestSnapshotSequence: () => this.snapshots.oldestSequence() ?? this.versions.lastSequence,
      tableIterator: (file) => {
        const table = this.tableCache.pin(file.number);
        return new ClosingIterator(table.reader.iterator(), () => table.release());
      },
      newTableNumber: () => {
        const number = this.versions.newFileNumber();
        this.lifetimes.beginOutput(number);
        return number;
      },
      // The inputs are deleted as the replaced version dies: now, or when
      // the last iterator reading it closes (invariant 7).
      installEdit: (edit) => this.logAndApply(edit),
      // No version names them: giving them up deletes them.
      discardTables: (numbers) => {
        for (const number of numbers) this.lifetimes.endOutput(number);
      },
    };
  }

  /**
   * Write, read and space amplification (metrics.ts, computed by chapter 9's
   * amplification.ts); space exactly by a scan when `exact`: the live data is
   * the newest version of every key not deleted, as a table stores it
   * (user key + 8-byte trailer + value).
   */
  private amplification(write: number, exact: boolean): AmplificationMetrics {
    const version = this.versions.current;
    const levelBytes = Array.from({ length: NUM_LEVELS }, (_, level) => version.levelBytes(level));
    let space = estimatedSpaceAmplification(levelBytes);
    if (exact) {
      let live = 0;
      const it = this.iterator();
      try {
        for (it.seekToFirst(); it.valid(); it.next()) live += it.key().length + INTERNAL_KEY_TRAILER_SIZE + it.value().length;
      } finally {
        it.close();
      }
      space = spaceAmplification(levelBytes.reduce((a, b) => a + b, 0), live);
    }
    return { write, read: readAmplification(this.counters.tablesProbed, this.counters.gets), space, spaceExact: exact };
  }

  // ---- file lifetimes (chapter 10) ----

  /**
   * Deletes table `table`'s file, which FileLifetimes found obsolete, after
   * forgetting its reader and blocks. A file already gone is fine (a failed
   * writer removed it); one that cannot be deleted is left for the next
   * open's sweep (recovery.ts): deleting garbage must not fail a read or a
   * write.
   */
  private removeTable(table: number): void {
    // Close the reader first: some file systems refuse to delete an open file.
    this.tableCache.evict(table);
    try {
      this.fs.remove(this.tableCache.pathOf(table));
    } catch (error) {
      if (!(error instanceof IOError)) throw error;
      if (error.errno !== 'ENOENT') this.counters.deleteFailures++;
    }
  }

  /** The versions and tables alive now, and what FileLifetimes has done; see metrics.ts. */
  private fileLifetimeMetrics(): FileLifetimeMetrics {
    const refs = this.versions.refs;
    const liveTables = refs.liveTableNumbers().size;
    return {
      liveVersions: refs.liveVersions,
      liveTables,
      zombieTables: liveTables - this.versions.current.fileCount,
      pendingOutputs: this.lifetimes.pendingCount,
      obsoleteTablesDeleted: this.lifetimes.deleted,
      deleteFailures: this.counters.deleteFailures,
    };
  }

  // ---- arguments and state ----

  /** Returns `key` as bytes the engine owns (a copy), after checking its type and length. */
  private ownedKey(key: unknown): Uint8Array {
    const bytes = this.lookupKey(key, 'key');
    return typeof key === 'string' ? bytes : this.arena.copy(bytes);
  }

  /** Returns `value` as bytes the engine owns (a copy), after checking its type and length. */
  private ownedValue(value: unknown): Uint8Array {
    const bytes = toBytes(value, 'value');
    const max = this.options.maxValueSize;
    if (bytes.length > max) {
      throw new InvalidArgumentError(`value is ${bytes.length} bytes; a value may be 0 to ${max} bytes (maxValueSize)`);
    }
    return typeof value === 'string' ? bytes : this.arena.copy(bytes);
  }

  /** Returns `key` as bytes (not copied), after checking its type and length. `what` names it in errors. */
  private lookupKey(key: unknown, what: string): Uint8Array {
    const bytes = toBytes(key, what);
    const max = this.options.maxKeySize;
    if (bytes.length > max) {
      throw new InvalidArgumentError(`${what} is ${bytes.length} bytes; a key may be 0 to ${max} bytes (maxKeySize)`);
    }
    return bytes;
  }

  /** Returns the sequence a read sees: its snapshot's, or the last write's. */
  private readSequence(options: ReadOptions | undefined): number {
    if (options === undefined) return this.versions.lastSequence;
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`read options must be an object, got ${describeValue(options)}`);
    }
    const snapshot: unknown = options.snapshot;
    if (snapshot === undefined) return this.versions.lastSequence;
    if (!this.snapshots.isLive(snapshot)) {
      throw new InvalidArgumentError('snapshot must be a live snapshot of this database (taken by its snapshot() and not released)');
    }
    return snapshot.sequence;
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError(`the database in '${this.directory}' is closed; open it again with LsmTree.open to use it`);
  }

  private checkWritable(): void {
    this.checkOpen();
    // Invariant 4: after an I/O error the state on disk is uncertain; reopening recovers it.
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Reads the `sync` option of a write. */
function syncOption(options: WriteOptions | undefined): boolean {
  if (options === undefined) return false;
  checkOptions(options, WRITE_OPTION_NAMES, 'write');
  const sync: unknown = options.sync ?? false;
  if (typeof sync !== 'boolean') throw new InvalidArgumentError(`sync must be true or false, got ${describeValue(sync)}`);
  return sync;
}

/** Describes a bad argument for a message. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** The names each call's options may have; see checkOptions. */
const WRITE_OPTION_NAMES: readonly string[] = ['sync'];
const READ_OPTION_NAMES: readonly string[] = ['snapshot'];
const RANGE_OPTION_NAMES: readonly string[] = ['snapshot', 'reverse', 'limit'];
const ITERATOR_OPTION_NAMES: readonly string[] = ['gt', 'gte', 'lt', 'lte', ...RANGE_OPTION_NAMES];
const METRICS_OPTION_NAMES: readonly string[] = ['exact'];

/**
 * Checks that a call's `options` are undefined or an object whose every
 * name is one of `names`. A misspelt name would otherwise be ignored, and
 * the call would quietly do something else than asked: `{ synch: true }`
 * would not sync, `{ snapshto: s }` would read the latest data, `{ gtee: k }`
 * would scan from the first key. `what` names the call in messages.
 */
function checkOptions(options: unknown, names: readonly string[], what: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`${what} options must be an object, got ${describeValue(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!names.includes(name)) throw new InvalidArgumentError(`unknown ${what} option '${name}'; the options are: ${names.join(', ')}`);
  }
}
