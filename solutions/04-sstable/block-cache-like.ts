/**
 * What a table reader needs from a block cache. Chapter 5 implements it
 * (`BlockCache`, a byte-bounded LRU); this chapter only defines the contract,
 * so a table works with no cache, with chapter 5's, or with a test's Map.
 *
 * A block is named by the table's file number and the block's offset in the
 * file: both are fixed for the table's whole life (tables are immutable), so
 * a cached block can never go stale. Only data blocks are cached: a reader
 * keeps its index, filter and meta blocks in memory from open to close.
 */

import type { Block } from './block.ts';

/** A cache of decoded data blocks, shared by every open table. */
export interface BlockCacheLike {
  /** Returns the cached block of (fileNumber, offset), or undefined. */
  get(fileNumber: number, offset: number): Block | undefined;
  /** Caches a block; `charge` is its size in bytes. */
  insert(fileNumber: number, offset: number, block: Block, charge: number): void;
}
