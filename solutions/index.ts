/**
 * The reference engine, for engineers who want to use it rather than build it.
 *
 *     import { LsmTree } from './solutions/index.ts';
 *
 *     const db = LsmTree.open('/var/lib/myapp/db');
 *     db.put('user:42', JSON.stringify({ name: 'Ada' }), { sync: true });
 *     const value = db.get('user:42');
 *     for (const [key, value] of db.range('user:', 'user;')) { ... }
 *     db.close();
 *
 * Everything here is the reference in solutions/, whatever tree the
 * chapters' tests are pointed at.
 */

export { LsmTree } from './07-flush-manifest/lsm-tree.ts';
export type { Bytes, IteratorOptions, MetricsOptions, RangeOptions, ReadOptions, WriteOptions } from './07-flush-manifest/lsm-tree.ts';
export { DEFAULT_OPTIONS } from './07-flush-manifest/options.ts';
export type { LsmOptions, ResolvedOptions } from './07-flush-manifest/options.ts';
export type {
  AmplificationMetrics,
  CompactionMetrics,
  LsmMetrics,
  LevelMetrics,
  RecoveryMetrics,
  RunningCompactionMetrics,
} from './07-flush-manifest/metrics.ts';
export type { Snapshot } from './07-flush-manifest/snapshot-list.ts';
export type { CompactionHost } from './07-flush-manifest/compaction-hook.ts';
export type { CompactionOptions, CompactionStrategyName } from './07-flush-manifest/compaction-strategies.ts';
export type { CompactionStepResult } from './07-flush-manifest/compaction-scheduler.ts';
export type {
  AbandonCause,
  CompactionAbandonEvent,
  CompactionFinishEvent,
  CompactionStartEvent,
  EventClock,
  EventTables,
  FlushEvent,
  LsmEvent,
  LsmEventListener,
  LsmEventType,
  SlowdownEvent,
  StallEvent,
} from './07-flush-manifest/events.ts';
export type { CompactionPlan, CompactionReason } from './08-tiered-compaction/compaction-plan.ts';
export { WriteBatch } from './02-wal/write-batch.ts';
export { DbIterator } from './06-merge-iterators/db-iterator.ts';
export type { FileLock, FileSystem, ReadableFile, WritableFile } from './00-toolkit/file-system.ts';
export { NodeFileSystem } from './00-toolkit/node-file-system.ts';
export { MemoryFileSystem, SimulatedCrash } from './00-toolkit/memory-file-system.ts';
export type { CrashOptions, MemoryFileSystemOptions, UnsyncedData, UnsyncedNames } from './00-toolkit/memory-file-system.ts';
export { FaultyFileSystem } from './00-toolkit/faulty-file-system.ts';
export {
  ClosedError,
  CorruptionError,
  InvalidArgumentError,
  IOError,
  LockedError,
  LsmError,
  NotImplementedError,
} from './00-toolkit/errors.ts';
export type { LsmErrorCode } from './00-toolkit/errors.ts';
