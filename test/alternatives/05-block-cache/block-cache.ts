/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 5's
 * BlockCache, written differently from solutions/05-block-cache/block-cache.ts.
 *
 * Fixed by the lesson and kept: one byte-bounded LRU over every table's
 * blocks, keyed by `"<fileNumber>:<offset>"`; a block larger than the
 * capacity is not cached (nor counted); eraseFile finds a table's blocks
 * without scanning the whole cache.
 *
 * What differs:
 * - The LRU holds the `Block` itself; the reference wraps it in a record with
 *   its file number and offset. The eviction callback gets the file number
 *   back by parsing the key up to its ':'.
 * - The per-file index holds the cache KEYS of a table's blocks, and it is
 *   exact (every key in it is cached), where the reference keeps offsets and
 *   allows a superset. To stay exact, an insert refused because the block is
 *   too large also drops the key: that `set` removed the old entry under it.
 * - It counts lookups and hits; misses are lookups − hits.
 *
 * Why it is still correct: a key is produced only by blockCacheKey, whose
 * file number is an integer, so the text before the first ':' is exactly that
 * number. Every way a block leaves the LRU (eviction: callback; too-large
 * replacement: insert; eraseFile: erase) also leaves the index, and every
 * block cached enters it, so eraseFile drops exactly the table's cached
 * blocks. The counters are the same quantities as the reference's.
 */

import type { Block } from '#sstable/block.ts';
import type { BlockCacheLike } from '#sstable/block-cache-like.ts';
import { LruCache } from './lru-cache.ts';

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

/** The file number of a key made by blockCacheKey. */
function fileNumberOf(key: string): number {
  return Number(key.slice(0, key.indexOf(':')));
}

/** Caches decoded data blocks by (file number, offset), evicting the least recently used; see the file comment. */
export class BlockCache implements BlockCacheLike {
  private readonly lru: LruCache<string, Block>;
  /** file number → the keys of exactly its cached blocks (never an empty set). */
  private readonly keysByFile = new Map<number, Set<string>>();
  private lookups = 0;
  private hits = 0;
  private inserts = 0;
  private evictions = 0;

  /**
   * @param capacityBytes the most bytes of blocks to keep.
   * @throws InvalidArgumentError if capacityBytes is not an integer >= 0.
   */
  constructor(capacityBytes: number) {
    this.lru = new LruCache<string, Block>(capacityBytes, (key) => {
      this.evictions++;
      this.unindex(fileNumberOf(key), key);
    });
  }

  /** Returns the cached block at `offset` of table `fileNumber`, or undefined; counts a hit or a miss. */
  get(fileNumber: number, offset: number): Block | undefined {
    this.lookups++;
    const block = this.lru.get(blockCacheKey(fileNumber, offset));
    if (block !== undefined) this.hits++;
    return block;
  }

  /**
   * Caches `block`, read at `offset` of table `fileNumber`, charging `charge`
   * bytes, as the most recently used block; may evict others. A block larger
   * than the whole capacity is not cached.
   * @throws InvalidArgumentError if charge is not an integer >= 0.
   */
  insert(fileNumber: number, offset: number, block: Block, charge: number): void {
    const key = blockCacheKey(fileNumber, offset);
    if (this.lru.set(key, block, charge)) {
      this.inserts++;
      let keys = this.keysByFile.get(fileNumber);
      if (keys === undefined) {
        keys = new Set();
        this.keysByFile.set(fileNumber, keys);
      }
      keys.add(key);
    } else {
      // Refused as too large; set still dropped any old block under the key.
      this.unindex(fileNumber, key);
    }
  }

  /** Drops every cached block of table `fileNumber` (e.g. after it was deleted); returns how many. */
  eraseFile(fileNumber: number): number {
    const keys = this.keysByFile.get(fileNumber);
    if (keys === undefined) return 0;
    this.keysByFile.delete(fileNumber);
    let dropped = 0;
    for (const key of keys) if (this.lru.delete(key)) dropped++;
    return dropped;
  }

  /** Returns true iff block `offset` of table `fileNumber` is cached. Not a use. */
  contains(fileNumber: number, offset: number): boolean {
    return this.lru.has(blockCacheKey(fileNumber, offset));
  }

  /** The keys of the cached blocks, least recently used first. */
  keys(): string[] {
    return this.lru.keys();
  }

  /** Returns a snapshot of the counters. */
  get stats(): BlockCacheStats {
    return {
      hits: this.hits,
      misses: this.lookups - this.hits,
      inserts: this.inserts,
      evictions: this.evictions,
      usage: this.lru.usage,
      capacity: this.lru.capacity,
      entries: this.lru.size,
    };
  }

  /** The fraction of lookups that hit, in 0..1; 0 before the first lookup. */
  get hitRate(): number {
    return this.lookups === 0 ? 0 : this.hits / this.lookups;
  }

  /** Sets hits, misses, inserts and evictions back to 0 (the cached blocks stay). */
  resetStats(): void {
    this.lookups = 0;
    this.hits = 0;
    this.inserts = 0;
    this.evictions = 0;
  }

  /** Takes `key` out of table `fileNumber`'s index, dropping the set when it empties. */
  private unindex(fileNumber: number, key: string): void {
    const keys = this.keysByFile.get(fileNumber);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) this.keysByFile.delete(fileNumber);
  }
}
