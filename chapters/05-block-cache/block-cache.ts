/**
 * BlockCache: the table readers' shared cache of decoded data blocks,
 * bounded in bytes.
 *
 * A point lookup in a table reads one data block (chapter 4). Hot keys hit
 * the same few blocks again and again; keeping them decoded in memory saves
 * the read, the checksum and the parse. The cache holds blocks, not whole
 * tables, so its memory is bounded by its capacity however large the
 * database grows.
 *
 * A block is keyed by the table's file number AND the block's offset:
 * `"<fileNumber>:<offset>"`, e.g. `"12:4096"`. Offsets alone repeat across
 * tables (every table has a block at offset 0). File numbers are never
 * reused, so a key can never name a block of some other, later table, and a
 * table re-opened after its reader was closed finds its blocks still cached.
 * A string key is exact for any file number and offset; packing both into
 * one JavaScript number (2^53) would cap file numbers at 2^21 with 32-bit
 * offsets.
 *
 * Invariants:
 * 1. Every cached block is the decoded contents of block (fileNumber, offset)
 *    of a table that existed when it was inserted; the table's bytes never
 *    change (tables are immutable), so a cached block is never stale.
 * 2. `offsetsOf` lists, for each file number, a superset of the offsets of
 *    its blocks in `lru`: eraseFile uses it to find them without a scan.
 * 3. usage <= capacity (the LRU's own invariant).
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import type { Block } from '#sstable/block.ts';
import type { BlockCacheLike } from '#sstable/block-cache-like.ts';
import { LruCache } from './lru-cache.ts';

/** What the cache knows about one cached block. */
interface CachedBlock {
  readonly fileNumber: number;
  readonly offset: number;
  readonly block: Block;
}

/** A snapshot of the block cache's counters, for metrics and tests. */
export interface BlockCacheStats {
  /** Lookups that found the block. */
  readonly hits: number;
  /** Lookups that did not: each one costs the reader a file read. */
  readonly misses: number;
  /** Blocks cached (a block larger than the whole capacity is not). */
  readonly inserts: number;
  /** Blocks thrown out to stay within the capacity (eraseFile's are not counted). */
  readonly evictions: number;
  /** Bytes charged for the blocks cached now. */
  readonly usage: number;
  /** The most bytes the cache holds. */
  readonly capacity: number;
  /** Blocks cached now. */
  readonly entries: number;
}

/** Returns the cache key of block `offset` of table `fileNumber`: `"<fileNumber>:<offset>"`. */
export function blockCacheKey(fileNumber: number, offset: number): string {
  return `${fileNumber}:${offset}`;
}

/** Caches decoded data blocks by (file number, offset), evicting the least recently used; see the file comment. */
export class BlockCache implements BlockCacheLike {
  private readonly lru: LruCache<string, CachedBlock>;
  /** file number → offsets of its blocks that may be cached (invariant 2). */
  private readonly offsetsOf = new Map<number, Set<number>>();
  private hits = 0;
  private misses = 0;
  private inserts = 0;
  private evictions = 0;

  /**
   * @param capacityBytes the most bytes of blocks to keep. LevelDB's default is 8 MiB.
   * @throws InvalidArgumentError if capacityBytes is not an integer >= 0.
   */
  constructor(capacityBytes: number) {
    this.lru = new LruCache<string, CachedBlock>(capacityBytes, (_key, cached) => {
      this.evictions++;
      this.forget(cached.fileNumber, cached.offset);
    });
  }

  /**
   * Returns the cached block at `offset` of table `fileNumber`, or undefined.
   * Counts a hit or a miss; a hit makes the block the most recently used.
   */
  get(fileNumber: number, offset: number): Block | undefined {
    // TODO(task 5.6): look the block up by its (file number, offset) key and count a hit or a miss
    throw new NotImplementedError("task 5.6 in chapters/05-block-cache/block-cache.ts: look the block up by its (file number, offset) key and count a hit or a miss");
  }

  /**
   * Caches `block`, read at `offset` of table `fileNumber`, charging `charge`
   * bytes (its size), as the most recently used block; may evict others. A
   * block larger than the whole capacity is not cached. Call `remember` for
   * every block that is cached, so that `eraseFile` can find it.
   * @throws InvalidArgumentError if charge is not an integer >= 0.
   */
  insert(fileNumber: number, offset: number, block: Block, charge: number): void {
    // TODO(task 5.7): store the block under its key; if it was cached, count it and remember its offset
    throw new NotImplementedError("task 5.7 in chapters/05-block-cache/block-cache.ts: store the block under its key; if it was cached, count it and remember its offset");
  }

  /**
   * Drops every cached block of table `fileNumber`, e.g. after the table was
   * deleted: its blocks can never be asked for again (file numbers are not
   * reused), so they would only take space until they aged out.
   * Returns the number of blocks dropped.
   */
  eraseFile(fileNumber: number): number {
    const offsets = this.offsetsOf.get(fileNumber);
    if (offsets === undefined) return 0;
    this.offsetsOf.delete(fileNumber);
    let dropped = 0;
    for (const offset of offsets) if (this.lru.delete(blockCacheKey(fileNumber, offset))) dropped++;
    return dropped;
  }

  /** Returns true iff block `offset` of table `fileNumber` is cached. Not a use: moves nothing, counts nothing. */
  contains(fileNumber: number, offset: number): boolean {
    return this.lru.has(blockCacheKey(fileNumber, offset));
  }

  /** The keys of the cached blocks, least recently used first (`"<fileNumber>:<offset>"`), for tests and the visualiser. */
  keys(): string[] {
    return this.lru.keys();
  }

  /** Returns a snapshot of the counters. */
  get stats(): BlockCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      inserts: this.inserts,
      evictions: this.evictions,
      usage: this.lru.usage,
      capacity: this.lru.capacity,
      entries: this.lru.size,
    };
  }

  /** The fraction of lookups that hit, in 0..1; 0 before the first lookup. */
  get hitRate(): number {
    const lookups = this.hits + this.misses;
    return lookups === 0 ? 0 : this.hits / lookups;
  }

  /** Sets hits, misses, inserts and evictions back to 0 (the cached blocks stay), e.g. between benchmark phases. */
  resetStats(): void {
    this.hits = 0;
    this.misses = 0;
    this.inserts = 0;
    this.evictions = 0;
  }

  /** Records that block `offset` of table `fileNumber` is cached (invariant 2). */
  private remember(fileNumber: number, offset: number): void {
    let offsets = this.offsetsOf.get(fileNumber);
    if (offsets === undefined) {
      offsets = new Set();
      this.offsetsOf.set(fileNumber, offsets);
    }
    offsets.add(offset);
  }

  /** Records that block `offset` of table `fileNumber` left the cache. */
  private forget(fileNumber: number, offset: number): void {
    const offsets = this.offsetsOf.get(fileNumber);
    if (offsets === undefined) return;
    offsets.delete(offset);
    if (offsets.size === 0) this.offsetsOf.delete(fileNumber);
  }
}
