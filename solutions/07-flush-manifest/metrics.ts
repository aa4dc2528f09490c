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
import type { CompactionReason } from '#tiered/compaction-plan.ts';
import type { CompactionStrategyName } from './compaction-strategies.ts';

/** One level's tables. */
export interface LevelMetrics {
  readonly level: number;
  /** Number of tables. */
  readonly files: number;
  /** Their total size in bytes. */
  readonly bytes: number;
  /** Bytes of this level's tables that finished compactions read (took as inputs). */
  readonly compactionBytesRead: number;
  /** Bytes of tables that finished compactions wrote into this level. */
  readonly compactionBytesWritten: number;
}

/** The compaction running now. */
export interface RunningCompactionMetrics {
  readonly reason: CompactionReason;
  /** The input tables' levels, newest first. */
  readonly inputLevels: readonly number[];
  readonly outputLevel: number;
  /** Total size of the input tables. */
  readonly inputBytes: number;
  /** Work done so far, in bytes of input entries. */
  readonly workBytes: number;
}

/** What compaction has done, and what it still owes. */
export interface CompactionMetrics {
  /** The strategy in force. */
  readonly strategy: CompactionStrategyName;
  /** The job in progress, if any. */
  readonly running: RunningCompactionMetrics | undefined;
  /** Compactions finished (trivial moves included). */
  readonly compactions: number;
  /** Of those, trivial moves: a table moved to another level by a MANIFEST edit alone. */
  readonly trivialMoves: number;
  /** Compactions finished, by the reason their plan gave. */
  readonly byReason: Readonly<Record<CompactionReason, number>>;
  /** Compactions given up (a strategy switch, a close, an error); their outputs were deleted. */
  readonly abandoned: number;
  /** Bytes of input tables read by finished compactions. */
  readonly bytesRead: number;
  /** Bytes of output tables written (abandoned ones included: they were written). */
  readonly bytesWritten: number;
  /** Work done, in bytes of input entries processed: the unit of pacing. */
  readonly workBytes: number;
  /** Input entries the drop rules dropped. */
  readonly entriesDropped: number;
  /** Of those, tombstones. */
  readonly tombstonesDropped: number;
  /** Seconds spent doing compaction work (wall clock). */
  readonly seconds: number;
  /** bytesWritten / seconds; 0 before any work. */
  readonly bytesPerSecond: number;
  /** The strategy's estimate of the bytes compaction must still rewrite: the compaction debt. */
  readonly pendingBytes: number;
  /** Writes that did more compaction work because level 0 or the debt passed a slowdown limit. */
  readonly slowdownWrites: number;
  /** Writes that stalled at a stop limit, running compaction until back under it. */
  readonly stalls: number;
  /** Milliseconds spent in those stalls (wall clock). */
  readonly stallTimeMs: number;
}

/** Write, read and space amplification: what the engine's design costs, as ratios. */
export interface AmplificationMetrics {
  /** Bytes written to disk (WAL, flushes, compactions) per byte the user wrote; 0 before the first write. */
  readonly write: number;
  /** Tables probed per get; 0 before the first get. */
  readonly read: number;
  /**
   * Bytes of all tables per byte of live data. With `metrics({ exact: true })`,
   * live data is measured by a scan: the newest version of every live key,
   * as a table stores it (user key + 8-byte trailer + value); an empty
   * database gives 1 with no tables, Infinity with tables of garbage only.
   * Otherwise it is estimated from level sizes: total / the bytes of the
   * deepest non-empty level (1 with no tables).
   */
  readonly space: number;
  /** True iff `space` was measured by a scan. */
  readonly spaceExact: boolean;
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

/** Versions and table files, and their lifetimes (chapter 10). */
export interface FileLifetimeMetrics {
  /** Versions alive: the current one, and older ones that open iterators hold. */
  readonly liveVersions: number;
  /** Tables some live version names. */
  readonly liveTables: number;
  /** Of those, tables the current version no longer names, kept only for open iterators. */
  readonly zombieTables: number;
  /** Tables a flush or compaction is writing, not yet in a version. */
  readonly pendingOutputs: number;
  /** Tables deleted since open because they became obsolete. */
  readonly obsoleteTablesDeleted: number;
  /** Obsolete tables whose deletion failed (the next open deletes them). */
  readonly deleteFailures: number;
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
  /** Compaction: strategy, work done, debt, stalls. */
  readonly compaction: CompactionMetrics;
  /** Write, read and space amplification. */
  readonly amplification: AmplificationMetrics;
  /** The sequence number of the last write. */
  readonly lastSequence: number;
  /** Live snapshots. */
  readonly snapshots: number;
  /** The sequence of the oldest live snapshot (compaction keeps what it sees), or undefined when there is none. */
  readonly oldestSnapshotSequence: number | undefined;
  /** Versions and table files, and their lifetimes (chapter 10). */
  readonly files: FileLifetimeMetrics;
  /** What the last open recovered. */
  readonly recovery: RecoveryMetrics;
}
