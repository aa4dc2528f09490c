/**
 * The compaction hook: how a compaction strategy (chapters 8 and 9) plugs
 * into the engine without the engine knowing which one it is.
 *
 * In this chapter there is none, and every flush adds one more table to
 * level 0: reads get slower as tables pile up (read amplification), and
 * overwritten or deleted data is never reclaimed (space amplification).
 * A strategy fixes both by merging tables. The engine calls
 * `maybeCompact(host)` after every flush; the strategy looks at the current
 * version, decides whether there is work, and does it through the host:
 *
 *     inputs = pick tables from host.currentVersion()
 *     merged = a MergingIterator over host.tableIterator(file) for each input
 *     outputs = host.writeTables(merged without the versions no snapshot can see)
 *     host.installEdit({ deletedFiles: inputs, newFiles: outputs })
 *
 * installEdit makes the swap durable in one MANIFEST edit and then deletes
 * the input tables that no reader pins any more.
 */

import type { InternalIterator } from '#memtable/internal-iterator.ts';
import type { FileMetadata } from './file-metadata.ts';
import type { ResolvedOptions } from './options.ts';
import type { VersionEdit } from './version-edit.ts';
import type { Version } from './version.ts';

/** What the engine lets a compaction strategy see and do. */
export interface CompactionHost {
  /** The engine's options. */
  readonly options: ResolvedOptions;
  /** Returns the current version. */
  currentVersion(): Version;
  /**
   * Returns the smallest sequence a reader may still read at: the oldest
   * live snapshot's, or the last sequence written when there is none. Of the
   * versions of a key at or below it, only the newest one must be kept.
   */
  smallestSnapshotSequence(): number;
  /** Returns a cursor over every entry of `file`; the table stays open until the cursor is closed. */
  tableIterator(file: FileMetadata): InternalIterator;
  /**
   * Writes every entry of `source` (from its first) into new tables, cut at
   * user-key boundaries once a table reaches `maxFileSize` bytes (default:
   * one table), synced and with their names durable. Returns their metadata.
   * They are not part of the database until installEdit adds them.
   */
  writeTables(source: InternalIterator, maxFileSize?: number): FileMetadata[];
  /**
   * Records `edit` durably in the MANIFEST and makes it current, then
   * deletes the tables no version references and no reader pins.
   */
  installEdit(edit: VersionEdit): void;
}

/** A compaction strategy: chapters 8 (tiered) and 9 (leveled) implement it. */
export interface CompactionStrategy {
  /** A short name for metrics and messages, such as "tiered" or "leveled". */
  readonly name: string;
  /** Called after every flush: does whatever compaction work is due, or nothing. */
  maybeCompact(host: CompactionHost): void;
}
