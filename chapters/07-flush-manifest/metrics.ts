/**
 * The shape of `LsmTree.metrics()`: numbers that show what the engine is
 * doing and what it costs. Chapter 7's engine fills the basic ones; the
 * compaction chapters add to them.
 *
 * Write amplification: bytes the engine wrote to disk per byte the user
 * wrote. Every write goes to the WAL once and to a table once (at flush),
 * so without compaction it is a little above 2; every compaction that
 * rewrites the data adds to it.
 *
 * Read amplification: tables probed per get. Without compaction every flush
 * adds a level-0 table whose key range overlaps the others, so a get for a
 * missing key may have to ask every one of them (the bloom filters keep
 * most of those asks from reading a block).
 */

import type { BlockCacheStats } from '#cache/block-cache.ts';
import type { TableCacheStats } from '#cache/table-cache.ts';

/** One level's tables. */
export interface LevelMetrics {
  readonly level: number;
  /** Number of tables. */
  readonly files: number;
  /** Their total size in bytes. */
  readonly bytes: number;
}

/** What the last open recovered. */
export interface RecoveryMetrics {
  /** WAL segments replayed. */
  readonly walSegments: number;
  /** Entries (puts and deletes) replayed from them. */
  readonly walEntries: number;
  /** True iff the last segment ended in a torn record (the last write before a crash, cut off and ignored). */
  readonly tornTail: boolean;
  /** Level-0 tables written from the replayed entries. */
  readonly tablesWritten: number;
  /** Obsolete files deleted by the open. */
  readonly obsoleteFilesDeleted: number;
}

/** A snapshot of the engine's counters and sizes. */
export interface LsmMetrics {
  /** Every level, L0 first, empty ones included. */
  readonly levels: readonly LevelMetrics[];
  /** The active memtable and the immutable ones waiting to be flushed. */
  readonly memtable: {
    readonly bytes: number;
    readonly entries: number;
    readonly immutableCount: number;
    readonly immutableBytes: number;
  };
  /** The WAL segment being written. */
  readonly wal: { readonly logNumber: number; readonly bytes: number };
  /** The MANIFEST being appended to. */
  readonly manifest: { readonly number: number; readonly bytes: number };
  readonly writes: {
    /** Keys and values the user wrote (puts, deletes and batches), in bytes. */
    readonly userBytes: number;
    /** Bytes appended to the WAL. */
    readonly walBytes: number;
    /** Memtables flushed to level 0. */
    readonly flushes: number;
    /** Bytes of tables written by flushes. */
    readonly flushBytes: number;
    /** Bytes of tables written by compactions. */
    readonly compactionBytes: number;
    /** (walBytes + flushBytes + compactionBytes) / userBytes; 0 before the first write. */
    readonly writeAmplification: number;
  };
  readonly reads: {
    /** get() calls. */
    readonly gets: number;
    /** Tables asked for a key (their key range held it), over all gets. */
    readonly tablesProbed: number;
    /** tablesProbed / gets; 0 before the first get. */
    readonly tablesProbedPerGet: number;
    /** Of the tables probed, how many the bloom filter answered "no" for without reading a block. */
    readonly filterNegatives: number;
  };
  /** The block cache's counters, or undefined when it is disabled (blockCacheSize 0). */
  readonly blockCache: BlockCacheStats | undefined;
  /** The table cache's counters. */
  readonly tableCache: TableCacheStats;
  /** The sequence number of the last write. */
  readonly lastSequence: number;
  /** Live snapshots. */
  readonly snapshots: number;
  /** What the last open recovered. */
  readonly recovery: RecoveryMetrics;
}
