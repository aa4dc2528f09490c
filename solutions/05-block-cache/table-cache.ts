/**
 * TableCache: keeps the most recently used tables open, and at most
 * `maxOpenFiles` of them.
 *
 * Opening a table costs a file descriptor and four reads (the footer, then
 * the index, filter and meta blocks, which the reader keeps in memory). A
 * database may hold thousands of tables, more than the process may open
 * (`ulimit -n` is often 1024) and more index and filter memory than it
 * should hold. So the engine never opens a table itself: it asks this cache
 * for file number N, gets an open reader, and the cache closes the least
 * recently used reader when one more would pass the bound.
 *
 * Lifetime of a reader handed out:
 * - `get(n)` returns a reader that stays open until the cache evicts it,
 *   which only a later call into the cache can do. So use it right away
 *   (a point lookup) and do not keep it across other calls: a reader the
 *   cache has evicted is closed, and using it throws ClosedError.
 * - `pin(n)` returns the reader with a `release()`. While pinned, a reader
 *   the cache evicts is not closed; the last `release()` closes it. Iterators,
 *   which hold a reader for as long as the user scans, pin. A pinned reader
 *   no longer cached still holds its descriptor, so while readers are pinned
 *   more than `maxOpenFiles` tables can be open.
 *
 * Invariants:
 * 1. At most `maxOpenFiles` readers are cached; every cached reader is open.
 * 2. A reader leaves the cache (eviction, `evict`) and is closed at once,
 *    unless it is pinned: then it is closed by its last `release()`.
 * 3. `pins` counts, for each pinned reader, the pins not yet released; a
 *    reader is in `retired` iff it left the cache while pinned.
 *
 * Between opening a new reader and inserting it, one more than
 * `maxOpenFiles` tables are open for a moment (as in LevelDB); size
 * `maxOpenFiles` a little below the process's limit.
 */

import { ClosedError, requireArgument } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { tableFileName } from '#sstable/table-format.ts';
import { TableReader } from '#sstable/table-reader.ts';
import type { BlockCache } from './block-cache.ts';
import { LruCache } from './lru-cache.ts';

/** Options of a {@link TableCache}. */
export interface TableCacheOptions {
  /** The most tables kept open at once (pinned ones aside). Defaults to 1000, LevelDB's `max_open_files`. */
  readonly maxOpenFiles?: number;
  /** The block cache the readers share. Defaults to none: every data block is read from its file. */
  readonly blockCache?: BlockCache;
}

/** A reader held open until `release()`; see the file comment. */
export interface PinnedTable {
  readonly reader: TableReader;
  /** Ends the pin; the reader is closed now if the cache has evicted it meanwhile. Releasing twice is allowed. */
  release(): void;
}

/** A snapshot of the table cache's counters. */
export interface TableCacheStats {
  /** Tables opened (misses that succeeded). */
  readonly opens: number;
  /** Lookups answered by a reader already open. */
  readonly hits: number;
  /** Readers pushed out to stay within maxOpenFiles (evict() is not counted). */
  readonly evictions: number;
  /** Readers open now: the cached ones plus any evicted but still pinned. */
  readonly openReaders: number;
}

/** The default of {@link TableCacheOptions.maxOpenFiles}. */
export const DEFAULT_MAX_OPEN_FILES = 1000;

/** Opens tables on demand and keeps at most maxOpenFiles of them open, closing the least recently used; see the file comment. */
export class TableCache {
  /** The largest number of readers cached at once. */
  readonly maxOpenFiles: number;
  private readonly blockCache: BlockCache | undefined;
  /** file number → open reader, each charged 1: the capacity counts open files. */
  private readonly lru: LruCache<number, TableReader>;
  private readonly pins = new Map<TableReader, number>();
  private readonly retired = new Set<TableReader>();
  private opens = 0;
  private hits = 0;
  private evictions = 0;
  private closed = false;

  /**
   * @param fs the file system the tables live on.
   * @param dir the directory holding the tables, named by {@link tableFileName}.
   * @throws InvalidArgumentError if maxOpenFiles is not an integer >= 1.
   */
  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    options: TableCacheOptions = {},
  ) {
    const maxOpenFiles = options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES;
    requireArgument(
      Number.isSafeInteger(maxOpenFiles) && maxOpenFiles >= 1,
      `maxOpenFiles must be an integer >= 1, got ${maxOpenFiles}`,
    );
    this.maxOpenFiles = maxOpenFiles;
    this.blockCache = options.blockCache;
    this.lru = new LruCache<number, TableReader>(maxOpenFiles, (_fileNumber, reader) => {
      this.evictions++;
      this.retire(reader);
    });
  }

  /** Returns the path of table `fileNumber`, e.g. `<dir>/000012.sst`. */
  pathOf(fileNumber: number): string {
    return joinPath(this.dir, tableFileName(fileNumber));
  }

  /**
   * Returns an open reader of table `fileNumber`: the cached one (a hit, now
   * the most recently used), or one opened now with the block cache, which
   * may close the least recently used reader to stay within maxOpenFiles.
   * The reader is valid until the next call into this cache; see the file comment.
   * @throws IOError if the table's file cannot be opened (ENOENT names the path).
   * @throws CorruptionError if its footer, index, filter or meta block is damaged.
   * @throws ClosedError after close().
   */
  get(fileNumber: number): TableReader {
    if (this.closed) throw new ClosedError('the table cache is closed');
    // #region task 5.8: return the cached reader (a hit), or open the table, count the open, and cache it with charge 1
    const cached = this.lru.get(fileNumber);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    // Open before caching: if the open fails, nothing was evicted for it.
    const reader = TableReader.open(this.fs, this.pathOf(fileNumber), { fileNumber, cache: this.blockCache });
    this.opens++;
    this.lru.set(fileNumber, reader, 1);
    return reader;
    // #endregion
  }

  /**
   * Returns table `fileNumber`'s reader pinned open until `release()`, even if
   * the cache evicts it meanwhile. Throws as `get` does.
   */
  pin(fileNumber: number): PinnedTable {
    const reader = this.get(fileNumber);
    this.pins.set(reader, (this.pins.get(reader) ?? 0) + 1);
    let released = false;
    return {
      reader,
      release: () => {
        if (released) return;
        released = true;
        this.unpin(reader);
      },
    };
  }

  /**
   * Closes and forgets table `fileNumber`'s reader (if open and not pinned),
   * and drops its blocks from the block cache: call it after deleting the
   * table. A table not open is not an error.
   */
  evict(fileNumber: number): void {
    const reader = this.lru.peek(fileNumber);
    if (reader !== undefined) {
      this.lru.delete(fileNumber);
      this.retire(reader);
    }
    this.blockCache?.eraseFile(fileNumber);
  }

  /** Returns true iff table `fileNumber` has a cached open reader. Not a use: moves nothing. */
  isOpen(fileNumber: number): boolean {
    return this.lru.has(fileNumber);
  }

  /** The file numbers of the cached readers, least recently used first. */
  fileNumbers(): number[] {
    return this.lru.keys();
  }

  /** Returns a snapshot of the counters. */
  get stats(): TableCacheStats {
    return { opens: this.opens, hits: this.hits, evictions: this.evictions, openReaders: this.lru.size + this.retired.size };
  }

  /** Closes every reader, pinned ones included; later calls to get or pin throw ClosedError. Closing twice is allowed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, reader] of this.lru.entries()) reader.close();
    for (const reader of this.retired) reader.close();
    this.lru.clear();
    this.retired.clear();
    this.pins.clear();
  }

  /** A reader left the cache: close it now, or at its last release if pinned (invariant 2). */
  private retire(reader: TableReader): void {
    if (this.pins.has(reader)) this.retired.add(reader);
    else reader.close();
  }

  private unpin(reader: TableReader): void {
    const left = (this.pins.get(reader) ?? 0) - 1;
    if (left > 0) {
      this.pins.set(reader, left);
      return;
    }
    this.pins.delete(reader);
    if (this.retired.delete(reader)) reader.close();
  }
}
