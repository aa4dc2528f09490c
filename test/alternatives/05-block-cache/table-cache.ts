/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 5's
 * TableCache, written differently from solutions/05-block-cache/table-cache.ts.
 *
 * Fixed by the lesson and kept: an LRU of open readers by file number, each
 * charged 1, capacity maxOpenFiles; open first, then insert (a failed open
 * evicts nothing); a reader leaving the cache is closed at once unless
 * pinned, and then at its last release; `evict` also erases the table's
 * blocks; close() closes everything.
 *
 * What differs: one reference count per open reader, as LevelDB counts
 * references on its cache handles. Each open reader has an `OpenTable`
 * record whose `refs` is 1 while the LRU holds it plus 1 per unreleased pin;
 * every way of letting go (eviction, evict(), release()) is one `unref`,
 * and the reader is closed when refs reaches 0. All open readers are in one
 * set, `open`, whose size is `openReaders`. The reference instead keeps a
 * pin count per reader in a map and a separate `retired` set of readers that
 * left the cache while pinned.
 *
 * Why it is still correct: refs > 0 exactly while the LRU holds the reader
 * or a pin is unreleased, which is exactly when the lesson says it must be
 * open; each pin's release runs once (a flag), so refs cannot go below 0 or
 * close a reader early. A reader that leaves the LRU and is re-asked for is
 * opened anew with a new record, as in the reference.
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

/** A reader held open until `release()`. */
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

/** One open reader and the references that keep it open. */
interface OpenTable {
  readonly reader: TableReader;
  /** 1 while the LRU holds it, plus 1 per unreleased pin; closed at 0. */
  refs: number;
}

/** Opens tables on demand and keeps at most maxOpenFiles of them open, closing the least recently used; see the file comment. */
export class TableCache {
  /** The largest number of readers cached at once. */
  readonly maxOpenFiles: number;
  private readonly blockCache: BlockCache | undefined;
  /** file number → its open table, charged 1 each. */
  private readonly lru: LruCache<number, OpenTable>;
  /** Every reader open now, cached or only pinned. */
  private readonly open = new Set<OpenTable>();
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
    requireArgument(Number.isSafeInteger(maxOpenFiles) && maxOpenFiles >= 1, `maxOpenFiles: expected an integer >= 1, got ${maxOpenFiles}`);
    this.maxOpenFiles = maxOpenFiles;
    this.blockCache = options.blockCache;
    this.lru = new LruCache<number, OpenTable>(maxOpenFiles, (_fileNumber, table) => {
      this.evictions++;
      this.unref(table);
    });
  }

  /** Returns the path of table `fileNumber`, e.g. `<dir>/000012.sst`. */
  pathOf(fileNumber: number): string {
    return joinPath(this.dir, tableFileName(fileNumber));
  }

  /**
   * Returns an open reader of table `fileNumber` (cached, or opened now),
   * valid until the next call into this cache.
   * @throws IOError if the table's file cannot be opened.
   * @throws CorruptionError if its footer, index, filter or meta block is damaged.
   * @throws ClosedError after close().
   */
  get(fileNumber: number): TableReader {
    return this.acquire(fileNumber).reader;
  }

  /** Returns table `fileNumber`'s reader pinned open until `release()`. Throws as `get` does. */
  pin(fileNumber: number): PinnedTable {
    const table = this.acquire(fileNumber);
    table.refs++;
    let released = false;
    return {
      reader: table.reader,
      release: () => {
        if (released || this.closed) return;
        released = true;
        this.unref(table);
      },
    };
  }

  /** Closes and forgets table `fileNumber`'s reader (if open and not pinned), and drops its blocks from the block cache. */
  evict(fileNumber: number): void {
    const table = this.lru.peek(fileNumber);
    if (table !== undefined) {
      this.lru.delete(fileNumber);
      this.unref(table);
    }
    this.blockCache?.eraseFile(fileNumber);
  }

  /** Returns true iff table `fileNumber` has a cached open reader. Not a use. */
  isOpen(fileNumber: number): boolean {
    return this.lru.has(fileNumber);
  }

  /** The file numbers of the cached readers, least recently used first. */
  fileNumbers(): number[] {
    return this.lru.keys();
  }

  /** Returns a snapshot of the counters. */
  get stats(): TableCacheStats {
    return { opens: this.opens, hits: this.hits, evictions: this.evictions, openReaders: this.open.size };
  }

  /** Closes every reader, pinned ones included; later calls to get or pin throw ClosedError. Closing twice is allowed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const table of this.open) table.reader.close();
    this.open.clear();
    this.lru.clear();
  }

  /** The cached table, or the table opened now and cached (the LRU's reference). */
  private acquire(fileNumber: number): OpenTable {
    if (this.closed) throw new ClosedError('the table cache is closed');
    const cached = this.lru.get(fileNumber);
    if (cached !== undefined) {
      this.hits++;
      return cached;
    }
    const reader = TableReader.open(this.fs, this.pathOf(fileNumber), { fileNumber, cache: this.blockCache });
    this.opens++;
    const table: OpenTable = { reader, refs: 1 };
    this.open.add(table);
    this.lru.set(fileNumber, table, 1);
    return table;
  }

  /** Drops one reference; the last one closes the reader. */
  private unref(table: OpenTable): void {
    table.refs--;
    if (table.refs > 0) return;
    this.open.delete(table);
    table.reader.close();
  }
}
