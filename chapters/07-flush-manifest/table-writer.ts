/**
 * Writes a sorted stream of entries into new, durable table files: what a
 * flush does with a memtable, and what a compaction (chapters 8 and 9)
 * does with the merge of its input tables.
 *
 * "Durable" is the first half of the durability order:
 *
 *     1. write the table            (TableBuilder, chapter 4)
 *     2. sync the table file        its bytes survive a power loss
 *     3. sync the directory         its NAME survives a power loss
 *     ── writeTables returns here ──
 *     4. the MANIFEST edit that adds it, synced (the caller: logAndApply)
 *
 * If 4 could happen before 2 or 3, a crash could leave the MANIFEST naming
 * a table that is missing or truncated, and the database would not open.
 * Tables written but never recorded (a crash between 3 and 4) are just
 * unreferenced files: the next open deletes them.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { bytesEqual, copyBytes } from '#toolkit/bytes.ts';
import type { FileSystem, WritableFile } from '#toolkit/file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { tableFileName } from '#sstable/table-format.ts';
import { TableBuilder, type TableBuilderOptions } from '#sstable/table-builder.ts';
import { fileMetadataOf, type FileMetadata } from './file-metadata.ts';

/** A table being written. */
export interface OpenTable {
  /** Its file number. */
  readonly number: number;
  /** Its path: `dir/NNNNNN.sst`. */
  readonly path: string;
  /** The file, open for appending. */
  readonly file: WritableFile;
  /** The builder writing into the file. */
  readonly builder: TableBuilder;
}

/**
 * Creates table `number` in `dir` and a builder for it. Compaction (chapter
 * 8) uses it too: its outputs are written a slice at a time, so it keeps
 * the open table between calls instead of calling writeTables.
 */
export function openTable(fs: FileSystem, dir: string, number: number, options: Readonly<Partial<TableBuilderOptions>>): OpenTable {
  const path = joinPath(dir, tableFileName(number));
  const file = fs.createWritable(path);
  return { number, path, file, builder: new TableBuilder(file, options) };
}

/**
 * Writes every entry of `source`, from its first, into new tables in `dir`:
 * one table, or several when `maxFileSize` is given (a table is finished at
 * the first new user key after it reaches maxFileSize bytes, so all the
 * versions of a key stay in one table). Each table is synced, and then the
 * directory, before this returns. Returns their metadata in key order; an
 * empty source writes nothing and returns [].
 *
 * @param newFileNumber hands out the number of each table.
 * @throws IOError if the file system fails; the tables begun are removed
 *   (as far as the file system still allows).
 */
export function writeTables(
  fs: FileSystem,
  dir: string,
  source: InternalIterator,
  newFileNumber: () => number,
  options: Readonly<Partial<TableBuilderOptions>> = {},
  maxFileSize = Infinity,
): FileMetadata[] {
  const outputs: FileMetadata[] = [];
  let table: OpenTable | undefined;
  try {
    // TODO(task 7.7): build tables from the source (cutting at user-key boundaries), sync each, then sync the directory
    throw new NotImplementedError("task 7.7 in chapters/07-flush-manifest/table-writer.ts: build tables from the source (cutting at user-key boundaries), sync each, then sync the directory");
  } catch (error) {
    if (table !== undefined) {
      table.builder.abandon();
      table.file.close();
      bestEffortRemove(fs, table.path);
    }
    for (const output of outputs) bestEffortRemove(fs, joinPath(dir, tableFileName(output.number)));
    throw error;
  }
}

/** Completes a table: footer written, file synced and closed. Returns its metadata. */
export function finishTable(table: OpenTable): FileMetadata {
  // TODO(task 7.7): finish the table, sync and close its file, return its metadata
  throw new NotImplementedError("task 7.7 in chapters/07-flush-manifest/table-writer.ts: finish the table, sync and close its file, return its metadata");
}

/** Removes `path` if it can: cleanup after a failure must not hide the failure. */
export function bestEffortRemove(fs: FileSystem, path: string): void {
  try {
    if (fs.exists(path)) fs.remove(path);
  } catch {
    // The next open deletes what is left: a table no MANIFEST names.
  }
}
