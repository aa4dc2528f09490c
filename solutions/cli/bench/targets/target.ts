/**
 * A benchmark target: one engine, called one way (LevelDB per call and
 * LevelDB batched are two targets). Each adapter runs every operation of a
 * workload in its own loop, timing each call the way a Node user would make
 * it: our engine and lmdb's reads synchronously, classic-level with an
 * `await` per call or per batch.
 */

import type { KeySpace } from '../key-space.ts';
import type { Meter } from '../meter.ts';
import type { Operation } from '../workloads.ts';

/** The engine settings the bench passes on, where an engine has an equivalent. */
export interface TargetOptions {
  /** Fsync each write (or batch) before it returns. */
  readonly sync: boolean;
  /** Bytes of the memtable (LevelDB's write buffer). */
  readonly memtableSize: number;
  /** Bytes of the block cache (LevelDB's cache). */
  readonly blockCacheSize: number;
  /** Bloom filter bits per key (ours only: classic-level does not expose LevelDB's filter policy). */
  readonly bitsPerKey: number;
  /** Further options for our engine only, by name; `compaction.<name>` for its compaction options. */
  readonly engineOptions: Readonly<Record<string, number | boolean>>;
  /** The compaction strategy, for engines that have a choice; undefined: the engine's default. */
  readonly strategy: 'leveled' | 'tiered' | undefined;
}

/** One engine, called one way; see the file comment. */
export interface BenchTarget {
  /** The row label in the results, e.g. "classic-level batch". */
  readonly name: string;
  /** How the library is called, for the report's notes. */
  readonly calling: string;
  /** Returns why this target cannot run `operation` (then it is reported as n/a), or undefined if it can. */
  unsupported(operation: Operation): string | undefined;
  /** Opens (creating) the database in the empty directory `dir`. */
  open(dir: string): Promise<void>;
  /** Closes the database; waits for its background work. */
  close(): Promise<void>;
  /**
   * Runs the operations of `operation`, recording each call in `meter`,
   * until they are done or `meter.timeUp()`. With `bulk`, the run is not
   * being measured (the rest of a write workload cut short by --duration):
   * a target may then use its fastest way, e.g. batches.
   */
  run(operation: Operation, keys: KeySpace, meter: Meter, bulk?: boolean): Promise<void>;
  /** The engine's own counters after a run, for the JSON report (ours only). */
  engineMetrics?(): EngineMetrics;
}

/** Counters our engine keeps, reported with each of its runs. */
export interface EngineMetrics {
  /** Bytes the engine wrote (WAL + tables) per byte the user wrote, by its own count. */
  readonly writeAmplification: number;
  /** Bytes the engine wrote: WAL, flushes and compactions. */
  readonly writtenBytes: number;
  /** The compaction strategy in force. */
  readonly strategy: string;
  /** Tables per level, L0 first. */
  readonly filesPerLevel: readonly number[];
  /** Tables probed per get, over the engine's life. */
  readonly tablesProbedPerGet: number;
  /** Block cache hit rate, over the engine's life; undefined without a cache. */
  readonly blockCacheHitRate: number | undefined;
  /** Gets, tables probed by them, block cache hits and misses, over the engine's life (for per-run figures). */
  readonly gets: number;
  readonly tablesProbed: number;
  readonly blockCacheHits: number;
  readonly blockCacheMisses: number;
  /** Any further counters the engine has. */
  readonly [name: string]: unknown;
}
