/**
 * The compaction hook: the window through which compaction (chapters 8 and
 * 9) works on the engine's files, without knowing the rest of the engine.
 *
 * In this chapter nothing merges tables, and with `compaction: { strategy:
 * 'none' }` every flush adds one more table to level 0: reads get slower as
 * tables pile up (read amplification), and overwritten or deleted data is
 * never reclaimed (space amplification). Compaction fixes both by merging
 * tables. Its two halves meet here:
 *
 *   - a picker (tiered, chapter 8; leveled, chapter 9) looks at the current
 *     Version and returns a plan: which tables to merge, into which level;
 *   - a compaction job (chapter 8) carries the plan out through this host,
 *     a slice at a time:
 *
 *         input  = merge of host.tableIterator(file) for each input table
 *         output = tables numbered by host.newTableNumber(), written and synced
 *         host.installEdit({ deletedFiles: inputs, newFiles: outputs })
 *
 * installEdit makes the swap durable in ONE MANIFEST edit and only then
 * deletes the input tables that no reader pins any more. The engine's
 * compaction scheduler (compaction-scheduler.ts) decides when jobs run.
 */

import type { FileSystem } from '#toolkit/file-system.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import type { TableBuilderOptions } from '#sstable/table-builder.ts';
import type { FileMetadata } from './file-metadata.ts';
import type { VersionEdit } from './version-edit.ts';

/** What the engine lets a compaction job see and do. */
export interface CompactionHost {
  /** The file system the database lives on. */
  readonly fs: FileSystem;
  /** The database directory: output tables are created in it. */
  readonly dir: string;
  /** How output tables are laid out (block size, restart interval, filter bits). */
  readonly tableOptions: Readonly<Partial<TableBuilderOptions>>;
  /**
   * Returns the smallest sequence a reader may still read at: the oldest
   * live snapshot's, or the last sequence written when there is none. Of the
   * versions of a key at or below it, only the newest one must be kept.
   */
  smallestSnapshotSequence(): number;
  /** Returns a cursor over every entry of `file`; the table stays open until the cursor is closed. */
  tableIterator(file: FileMetadata): InternalIterator;
  /**
   * Hands out the number of a new output table. Until an edit installs it
   * or `discardTables` gives it up, the engine never takes that table for
   * an obsolete file.
   */
  newTableNumber(): number;
  /**
   * Records `edit` durably in the MANIFEST and makes it current, then
   * deletes the tables no version references and no reader pins.
   * REQUIRES: every table the edit adds is synced, and so is the directory.
   */
  installEdit(edit: VersionEdit): void;
  /** Deletes output tables that will never be installed (an abandoned or failed job) and forgets them. */
  discardTables(numbers: readonly number[]): void;
}
