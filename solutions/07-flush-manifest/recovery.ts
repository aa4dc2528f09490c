/**
 * Opening a database: create it, or recover it after a clean close or a
 * crash. Recovery is the same either way, because a clean close does not
 * flush anything: the WAL holds every write not yet in a table.
 *
 *     1. mkdir, take the LOCK                     one opener at a time
 *     2. CURRENT → MANIFEST → Version             VersionSet.recover (or a new, empty set)
 *     3. count every file number on disk as used  numbers are never reused
 *     4. check every table the Version names exists
 *     5. replay WAL segments >= logNumber         into a memtable; write it to a level-0
 *                                                 table whenever it fills, and at the end
 *     6. start a new WAL segment                  a fresh number, its name durable
 *     7. logAndApply({ new tables, logNumber })   a new MANIFEST, then CURRENT names it
 *     8. delete obsolete files                    old segments, orphan tables, old MANIFESTs
 *
 * After step 7 the replayed segments are below the log number: they are
 * never replayed again, so a torn tail in one of them can never end up in
 * the middle of the log. A crash anywhere before step 7 leaves the old
 * MANIFEST in charge, and the next open repeats steps 5-8 from the same
 * segments (the tables step 5 wrote are then orphans, deleted in step 8).
 */

import { CorruptionError, InvalidArgumentError } from '#toolkit/errors.ts';
import type { FileLock, FileSystem } from '#toolkit/file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { MemTable } from '#memtable/memtable.ts';
import { WriteAheadLog } from '#wal/write-ahead-log.ts';
import { CURRENT_FILE, LOCK_FILE, parseFileName, tableFileName } from './file-names.ts';
import type { RecoveryMetrics } from './metrics.ts';
import { deleteObsoleteFiles } from './obsolete-files.ts';
import { tableBuilderOptions, type ResolvedOptions } from './options.ts';
import { writeTables } from './table-writer.ts';
import type { NewFile } from './version-edit.ts';
import { VersionSet } from './version-set.ts';

/** An open database's durable state, as `openDatabase` leaves it. */
export interface OpenedDatabase {
  readonly fs: FileSystem;
  readonly dir: string;
  /** Held until the database is closed. */
  readonly lock: FileLock;
  readonly versions: VersionSet;
  /** A new, empty segment: every write from now on goes here. */
  readonly wal: WriteAheadLog;
  /** What the open recovered. */
  readonly recovery: RecoveryMetrics;
}

/**
 * Creates or recovers the database in `dir` (steps in the file comment).
 * Everything recovered is in level-0 tables when it returns; the memtable
 * starts empty.
 *
 * @throws LockedError if the database is open, in this process or another.
 * @throws InvalidArgumentError if there is no database and
 *   `createIfMissing` is false, or there is one and `errorIfExists` is true.
 * @throws CorruptionError if CURRENT, the MANIFEST or a WAL segment is
 *   damaged anywhere but at a torn tail, or a table the MANIFEST names is missing.
 * @throws IOError if the file system fails.
 */
export function openDatabase(dir: string, options: ResolvedOptions): OpenedDatabase {
  const fs = options.fileSystem;
  fs.mkdir(dir);
  const lock = fs.lock(joinPath(dir, LOCK_FILE));
  let versions: VersionSet | undefined;
  let wal: WriteAheadLog | undefined;
  try {
    const exists = fs.exists(joinPath(dir, CURRENT_FILE));
    if (!exists && !options.createIfMissing) {
      throw new InvalidArgumentError(`there is no database in '${dir}' (no CURRENT file), and createIfMissing is false`);
    }
    if (exists && options.errorIfExists) {
      throw new InvalidArgumentError(`a database already exists in '${dir}', and errorIfExists is true`);
    }
    versions = exists ? VersionSet.recover(fs, dir, options) : VersionSet.createNew(fs, dir, options);
    const set = versions;
    // #region task 7.5: mark numbers used, check tables, replay the WAL into level-0 tables, new segment, log the edit, delete obsolete files
    const names = fs.list(dir);
    for (const name of names) {
      const file = parseFileName(name);
      if (file !== undefined) set.markFileNumberUsed(file.number);
    }
    const present = new Set(names);
    for (const number of set.current.fileNumbers()) {
      if (!present.has(tableFileName(number))) {
        throw new CorruptionError({
          file: joinPath(dir, tableFileName(number)),
          offset: 0,
          reason: `the MANIFEST names table ${number}, but the file is missing`,
        });
      }
    }

    const newFiles: NewFile[] = [];
    let memtable = new MemTable();
    const writeLevel0 = (): void => {
      for (const file of writeTables(fs, dir, memtable.iterator(), () => set.newFileNumber(), tableBuilderOptions(options))) {
        newFiles.push({ level: 0, file });
      }
      memtable = new MemTable();
    };
    let walSegments = 0;
    let walEntries = 0;
    let tornTail = false;
    if (exists) {
      const replayed = WriteAheadLog.replay(fs, dir, set.logNumber, (sequence, kind, key, value) => {
        memtable.add(sequence, kind, key, value);
        walEntries++;
        if (memtable.approximateBytes >= options.memtableSize) writeLevel0();
      });
      walSegments = replayed.segments.length;
      tornTail = replayed.tornAt !== undefined;
      set.lastSequence = Math.max(set.lastSequence, replayed.lastSequence);
    }
    if (!memtable.isEmpty()) writeLevel0();

    wal = WriteAheadLog.create(fs, dir, set.newFileNumber());
    set.logAndApply({ newFiles, deletedFiles: [], logNumber: wal.logNumber, lastSequence: set.lastSequence });
    const deleted = deleteObsoleteFiles(fs, dir, {
      logNumber: set.logNumber,
      manifestNumber: set.manifestNumber,
      tables: set.liveTableNumbers(),
    });
    return {
      fs,
      dir,
      lock,
      versions: set,
      wal,
      recovery: { walSegments, walEntries, tornTail, tablesWritten: newFiles.length, obsoleteFilesDeleted: deleted.length },
    };
    // #endregion
  } catch (error) {
    closeQuietly(() => wal?.close());
    closeQuietly(() => versions?.close());
    lock.release();
    throw error;
  }
}

/** Runs a cleanup after a failure, so that its own failure does not hide the first one. */
function closeQuietly(close: () => void): void {
  try {
    close();
  } catch {
    // The first error is the one to report.
  }
}
