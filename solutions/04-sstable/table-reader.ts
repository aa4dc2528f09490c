/**
 * Reads a table: open() reads the footer, then the index, filter and meta
 * blocks, and keeps them in memory; get() and iterators read data blocks on
 * demand, one read each, through the block cache if there is one. Nothing
 * reads the whole table: a reader's memory is its index and filter.
 *
 * A point lookup, get(apple, 12):
 *
 *     filter.mayContain(apple)?   no  → undefined, no data block read
 *        │ maybe
 *     index.seek(apple#12,PUT)    the first block whose last key >= target
 *        │                        (binary search, in memory)
 *     read that data block        1 read (or a cache hit), checksum verified
 *        │
 *     block.seek(apple#12,PUT)    binary search over restart points, short scan
 *        │
 *     same user key?  yes → { sequence, kind, value }    no → undefined
 *
 * So a lookup costs at most one read, and none when the filter says no.
 */

import { ClosedError, CorruptionError, requireArgument } from '#toolkit/errors.ts';
import type { FileSystem, ReadableFile } from '#toolkit/file-system.ts';
import { MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { BloomFilter } from '#bloom/bloom-filter.ts';
import { Block, type BlockIterator } from './block.ts';
import type { BlockCacheLike } from './block-cache-like.ts';
import { decodeFooter, type Footer } from './footer.ts';
import { encodeInternalKey } from './internal-key-codec.ts';
import { BLOCK_TRAILER_SIZE, checkBlockTrailer, decodeBlockHandle, FOOTER_SIZE, type BlockHandle } from './table-format.ts';
import { TableIterator } from './table-iterator.ts';
import { decodeTableProperties, type TableProperties } from './table-properties.ts';

/** How a table is opened. */
export interface TableReaderOptions {
  /** The table's file number, which names its blocks in the cache. Required with a cache. */
  readonly fileNumber: number;
  /** A block cache shared by every open table (chapter 5). Defaults to none: every data block is read from the file. */
  readonly cache: BlockCacheLike;
  /**
   * Verify the checksum of every data block read from the file. Defaults to
   * true. The footer, index, filter and meta blocks are always verified.
   */
  readonly verifyChecksums: boolean;
}

/** One version of a key, as get() finds it. */
export interface TableEntry {
  readonly sequence: number;
  readonly kind: ValueKind;
  /** The value (empty for a tombstone): a view into the data block; do not modify it. */
  readonly value: Uint8Array;
}

/** Counters for tests and metrics. */
export interface TableReaderStats {
  /** Data blocks read from the file (cache misses, or every read without a cache). */
  blockReads: number;
  /** Data blocks found in the block cache. */
  cacheHits: number;
  /** get() calls answered "absent" by the filter alone, without reading a block. */
  filterNegatives: number;
}

/**
 * An open table.
 *
 * Invariants:
 * 1. `index`, `filter` and `properties` were read and checked by open() and
 *    never change (a table is immutable); data blocks are read on demand.
 * 2. The index has one entry per data block (properties.dataBlockCount).
 * 3. After close(), every method but close() throws ClosedError.
 *
 * Not thread-safe.
 */
export class TableReader {
  /** Counters of the work done so far; see {@link TableReaderStats}. */
  readonly stats: TableReaderStats = { blockReads: 0, cacheHits: 0, filterNegatives: 0 };
  private closed = false;

  private constructor(
    private readonly file: ReadableFile,
    /** The table's path. */
    readonly path: string,
    /** The table's file number (0 when opened without one). */
    readonly fileNumber: number,
    /** Where the filter, meta and index blocks are, and the format version. */
    readonly footer: Footer,
    /** The table's properties, from its meta block. */
    readonly properties: TableProperties,
    private readonly index: Block,
    private readonly filter: BloomFilter | undefined,
    private readonly cache: BlockCacheLike | undefined,
    private readonly verifyChecksums: boolean,
  ) {}

  /**
   * Opens the table at `path`: reads its footer, then its index, filter and
   * meta blocks, 4 reads in all (3 without a filter), and no data block.
   *
   * @throws CorruptionError if the file is not a complete table of a version
   *   this reader knows: too short, bad magic, newer format version, a
   *   checksum mismatch, or blocks that contradict each other.
   * @throws InvalidArgumentError if a cache is given without a fileNumber.
   * @throws IOError if the file cannot be opened or read.
   */
  static open(fs: FileSystem, path: string, options: Readonly<Partial<TableReaderOptions>> = {}): TableReader {
    const fileNumber = options.fileNumber ?? 0;
    requireArgument(
      options.cache === undefined || (options.fileNumber !== undefined && Number.isSafeInteger(fileNumber) && fileNumber >= 0),
      'a table opened with a block cache needs its fileNumber (a non-negative integer): it names its blocks in the cache',
    );
    const verifyChecksums = options.verifyChecksums ?? true;
    const file = fs.openReadable(path);
    try {
      // #region task 4.12: read and decode the footer, then the index, filter and meta blocks; check they agree
      const size = file.size;
      const footer = decodeFooter(file.read(Math.max(0, size - FOOTER_SIZE), FOOTER_SIZE), path, size);
      const index = Block.decode(readBlock(file, footer.index, path, true), path, footer.index.offset);
      const filter =
        footer.filter.size === 0 ? undefined : BloomFilter.decode(readBlock(file, footer.filter, path, true), path);
      const properties = decodeTableProperties(readBlock(file, footer.meta, path, true), path, footer.meta.offset);
      // Each block passed its own checks; now they must tell the same story.
      const disagree = (reason: string): never => {
        throw new CorruptionError({ file: path, offset: footer.meta.offset, reason });
      };
      if (properties.formatVersion !== footer.formatVersion) {
        disagree(`the meta block says format version ${properties.formatVersion}, the footer ${footer.formatVersion}`);
      }
      if ((properties.bitsPerKey === 0) !== (filter === undefined)) {
        const presence = filter === undefined ? 'absent' : 'present';
        disagree(`the meta block says ${properties.bitsPerKey} filter bits per key, but the filter block is ${presence}`);
      }
      if (index.restartCount !== properties.dataBlockCount) {
        // The index restarts at every entry, so its restart count is its entry count.
        disagree(`the index has ${index.restartCount} entries for ${properties.dataBlockCount} data blocks`);
      }
      return new TableReader(file, path, fileNumber, footer, properties, index, filter, options.cache, verifyChecksums);
      // #endregion
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /**
   * Finds the newest version of `userKey` with a sequence <= `sequence`.
   * Returns it, a tombstone too (the caller must not look in older tables),
   * or undefined if the table has no such version. Reads at most one data
   * block, and none when the filter rules the key out.
   * @throws InvalidArgumentError unless sequence is an integer from 0 to 2^53 - 1.
   * @throws CorruptionError if the data block is damaged.
   * @throws ClosedError after close().
   */
  get(userKey: Uint8Array, sequence: number = MAX_SEQUENCE): TableEntry | undefined {
    this.requireOpen('get');
    requireArgument(
      Number.isSafeInteger(sequence) && sequence >= 0,
      `sequence must be an integer from 0 to 2^53 - 1, got ${sequence}`,
    );
    // #region task 4.13: ask the filter, then find the block in the index, then the entry in the block
    if (this.filter !== undefined && !this.filter.mayContain(userKey)) {
      this.stats.filterNegatives++;
      return undefined;
    }
    // PUT is the larger kind, so (userKey, sequence, PUT) is the first internal key of (userKey, <= sequence).
    const target = encodeInternalKey(userKey, sequence, ValueKind.Put);
    const index = this.index.iterator();
    index.seek(target);
    if (!index.valid()) return undefined; // The target sorts after the table's last key.
    const entry = this.dataBlockAt(index).iterator();
    entry.seek(target);
    if (!entry.valid() || !entry.hasUserKey(userKey)) return undefined;
    return { sequence: entry.sequence(), kind: entry.kind(), value: entry.value() };
    // #endregion
  }

  /**
   * Returns a new cursor over every entry of the table in internal-key
   * order (not yet positioned). It reads data blocks as it moves.
   * @throws ClosedError after close().
   */
  iterator(): InternalIterator {
    this.requireOpen('iterator');
    return new TableIterator(this);
  }

  /**
   * Returns false iff the filter proves `userKey` is not in the table; true
   * ("maybe") otherwise, and always when the table has no filter. Reads nothing.
   * @throws ClosedError after close().
   */
  mayContain(userKey: Uint8Array): boolean {
    this.requireOpen('mayContain');
    return this.filter === undefined || this.filter.mayContain(userKey);
  }

  /** Returns true iff the table has a filter block. */
  get hasFilter(): boolean {
    return this.filter !== undefined;
  }

  /**
   * Returns a new cursor over the index block (kept in memory). For the
   * table iterator. @throws ClosedError after close().
   */
  indexIterator(): BlockIterator {
    this.requireOpen('indexIterator');
    return this.index.iterator();
  }

  /**
   * Returns the data block that the index entry under `index` points to:
   * from the cache if it is there, else read from the file (one read of the
   * block and its trailer, checksum verified) and put in the cache.
   * REQUIRES: index.valid().
   * @throws CorruptionError if the handle or the block is damaged.
   * @throws ClosedError after close().
   */
  dataBlockAt(index: BlockIterator): Block {
    this.requireOpen('read');
    const handle = decodeBlockHandle(index.value(), this.path, index.entryOffset);
    if (this.cache !== undefined) {
      const cached = this.cache.get(this.fileNumber, handle.offset);
      if (cached !== undefined) {
        this.stats.cacheHits++;
        return cached;
      }
    }
    const contents = readBlock(this.file, handle, this.path, this.verifyChecksums);
    this.stats.blockReads++;
    const block = Block.decode(contents, this.path, handle.offset);
    this.cache?.insert(this.fileNumber, handle.offset, block, block.size);
    return block;
  }

  /** Closes the file. Later calls throw ClosedError; closing twice is allowed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
  }

  private requireOpen(what: string): void {
    if (this.closed) throw new ClosedError(`table ${this.path} used (${what}) after close()`);
  }
}

/**
 * Reads the block at `handle` with its trailer, in one read, and returns its
 * checked contents. The handle is checked against the file size BEFORE
 * reading: a damaged size must give a CorruptionError, not a huge read.
 * @throws CorruptionError if the block does not end before the footer, or
 *   fails checkBlockTrailer.
 */
function readBlock(file: ReadableFile, handle: BlockHandle, path: string, verifyChecksum: boolean): Uint8Array {
  const limit = file.size - FOOTER_SIZE;
  if (handle.offset + handle.size + BLOCK_TRAILER_SIZE > limit) {
    throw new CorruptionError({
      file: path,
      offset: handle.offset,
      reason: `block (offset ${handle.offset}, size ${handle.size}) runs past the end of the blocks at ${limit}`,
    });
  }
  const bytes = file.read(handle.offset, handle.size + BLOCK_TRAILER_SIZE);
  return checkBlockTrailer(bytes, handle, path, verifyChecksum);
}

