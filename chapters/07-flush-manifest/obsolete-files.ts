/**
 * Deleting the files the database no longer needs.
 *
 * A file becomes obsolete when a durable MANIFEST edit stops needing it:
 *
 *     000005.log        every segment below the recorded log number: its writes are in tables
 *     000012.sst        a table no version references (replaced by a compaction, or
 *                       written by a flush that crashed before its edit was logged)
 *     MANIFEST-000004   every MANIFEST but the one CURRENT names
 *     CURRENT.tmp       a temporary file left by a crash
 *
 * The rule that keeps this safe: decide from durable state only, and never
 * delete a table a reader still pins. Deleting is not synced: a deletion a
 * crash undoes leaves an obsolete file, which the next open deletes again.
 * Files whose names the engine does not make are never touched.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { FileKind, parseFileName } from './file-names.ts';

/** What must be kept. */
export interface LiveFiles {
  /** WAL segments numbered at or above this are kept. */
  readonly logNumber: number;
  /** The MANIFEST that CURRENT names. */
  readonly manifestNumber: number;
  /** Tables that a version references, a reader pins, or a flush or compaction is writing. */
  readonly tables: ReadonlySet<number>;
}

/**
 * Deletes every file in `dir` that the engine made and `live` does not
 * keep; calls `onTableDeleted` with the number of each table deleted (to
 * drop it from the caches). Returns the names deleted.
 * @throws IOError if the directory cannot be listed or a file cannot be removed.
 */
export function deleteObsoleteFiles(
  fs: FileSystem,
  dir: string,
  live: LiveFiles,
  onTableDeleted: (number: number) => void = () => {},
): string[] {
  const deleted: string[] = [];
  // TODO(task 7.5): list the directory; remove old logs, unreferenced tables, other MANIFESTs and temporary files
  throw new NotImplementedError("task 7.5 in chapters/07-flush-manifest/obsolete-files.ts: list the directory; remove old logs, unreferenced tables, other MANIFESTs and temporary files");
  return deleted;
}
