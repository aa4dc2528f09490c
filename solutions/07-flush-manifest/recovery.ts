/**
 * Opening a database: create it, or recover it after a clean close or a
 * crash. Recovery is the same either way, because a clean close does not
 * flush anything: the WAL holds every write not yet in a table.
 *
 *     1. mkdir, take the LOCK                     one opener at a time
 *     2. CURRENT → MANIFEST → Version             VersionSet.recover, and the WAL segment its log
 *                                                 number names must exist; or, without CURRENT, a
 *                                                 new, empty set, if no table or WAL record is there
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
 *
 * Step 2's checks keep damage from turning into silent loss. Without them,
 * a MANIFEST that lost its last edit (a flush) would be recovered without
 * the writes of the WAL segments that edit had let the engine delete
 * (checkLogSegmentExists), and a directory that lost its CURRENT would be
 * made a new database, its tables and WAL deleted in step 8
 * (checkNoDatabaseWithoutCurrent).
 */

import { CorruptionError, InvalidArgumentError } from '#toolkit/errors.ts';
import type { FileLock, FileSystem } from '#toolkit/file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { MemTable } from '#memtable/memtable.ts';
import { WriteAheadLog } from '#wal/write-ahead-log.ts';
import { CURRENT_FILE, FileKind, LOCK_FILE, logFileName, manifestFileName, parseFileName, tableFileName } from './file-names.ts';
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
 *   damaged anywhere but at a torn tail, a table the MANIFEST names or the
 *   WAL segment its log number names is missing, or CURRENT is missing
 *   while tables or WAL records are there. Nothing is written or deleted then.
 * @throws IOError if the file system fails.
 */
export function openDatabase(dir: string, options: ResolvedOptions): OpenedDatabase {
  const fs = options.fileSystem;
  if (!options.createIfMissing && !fs.exists(joinPath(dir, CURRENT_FILE))) {
    // Refused before mkdir, so that a refused open leaves nothing behind, not even an empty directory.
    throw new InvalidArgumentError(`there is no database in '${dir}' (no CURRENT file), and createIfMissing is false`);
  }
  fs.mkdir(dir);
  const lock = fs.lock(joinPath(dir, LOCK_FILE));
  let versions: VersionSet | undefined;
  let wal: WriteAheadLog | undefined;
  try {
    const exists = fs.exists(joinPath(dir, CURRENT_FILE));
    if (!exists && !options.createIfMissing) {
      // CURRENT vanished between the check above and taking the lock.
      throw new InvalidArgumentError(`there is no database in '${dir}' (no CURRENT file), and createIfMissing is false`);
    }
    if (exists && options.errorIfExists) {
      throw new InvalidArgumentError(`a database already exists in '${dir}', and errorIfExists is true`);
    }
    if (!exists) checkNoDatabaseWithoutCurrent(fs, dir);
    versions = exists ? VersionSet.recover(fs, dir, options) : VersionSet.createNew(fs, dir, options);
    // Before step 3: it reads the counters as the MANIFEST recorded them.
    if (exists) checkLogSegmentExists(fs, dir, versions);
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

/**
 * Checks that the WAL segment the recovered log number names exists.
 *
 * The engine makes a segment's name durable before any MANIFEST edit names
 * it (WriteAheadLog.startSegment, called by rotate and by step 6), and
 * deletes a segment only once a durable edit has moved the log number past
 * it. So in a whole database this segment is always there. If it is not,
 * either a file was deleted, or the MANIFEST lost its last edit: damage in
 * the last record looks exactly like a torn tail, and scanManifest drops
 * it. When that edit was a flush, the segments it covered are already
 * deleted and its table would be deleted as an orphan (step 8): replaying
 * from the old log number would silently lose every write in them.
 *
 * One MANIFEST names a segment that never existed: a checkpoint's (chapter
 * 10), whose writes are all in its tables. It takes the number after its
 * own as the log number and hands out nothing beyond it (log number =
 * MANIFEST number + 1, next file number = log number + 1), which no MANIFEST
 * the engine writes ever records: its first edit names a segment numbered
 * below the MANIFEST, and a later edit that moves the log number to the
 * segment after the MANIFEST also adds a table numbered after that segment.
 * A checkpoint's first open creates a segment and names it in a new
 * MANIFEST; a crash in between leaves the checkpoint's MANIFEST in charge
 * and that segment on disk, which is why this looks at the counters the
 * MANIFEST recorded, before step 3 counts the files on disk.
 *
 * @throws CorruptionError naming the missing segment.
 */
function checkLogSegmentExists(fs: FileSystem, dir: string, set: VersionSet): void {
  const segment = joinPath(dir, logFileName(set.logNumber));
  if (fs.exists(segment)) return;
  const checkpoint = set.logNumber === set.manifestNumber + 1 && set.nextFileNumber === set.logNumber + 1;
  if (checkpoint) return;
  throw new CorruptionError({
    file: segment,
    offset: 0,
    reason:
      `${manifestFileName(set.manifestNumber)} says the writes not yet in tables are in the WAL from segment ${set.logNumber} on, ` +
      'but that segment is missing: the MANIFEST has lost its last edit (damage at its end reads as a torn tail), ' +
      'or the segment was deleted',
  });
}

/**
 * Checks that a directory without CURRENT holds no table and no WAL record,
 * before it is made a new database (whose step 8 would delete every file of
 * the old one as obsolete).
 *
 * Creating a database writes CURRENT last (VersionSet.startManifest), and
 * nothing can be written to it before its open returns; so a crash while
 * creating one leaves at most an empty WAL segment, a MANIFEST and
 * CURRENT.tmp, which the new database deletes. A table, or a segment with a
 * record in it, means a database was here and its CURRENT was lost (or a
 * checkpoint was cut short: chapter 10). Either way the files are not this
 * open's to delete.
 *
 * @throws CorruptionError naming CURRENT and the files found.
 */
function checkNoDatabaseWithoutCurrent(fs: FileSystem, dir: string): void {
  const found = fs.list(dir).filter((name) => {
    const kind = parseFileName(name)?.kind;
    return kind === FileKind.Table || (kind === FileKind.Log && fs.fileSize(joinPath(dir, name)) > 0);
  });
  if (found.length === 0) return;
  const listed = found.length > 5 ? `${found.slice(0, 5).join(', ')}, ...` : found.join(', ');
  throw new CorruptionError({
    file: joinPath(dir, CURRENT_FILE),
    offset: 0,
    reason: `CURRENT is missing, but the directory holds a database's files (${listed}): opening it as a new database would delete them`,
  });
}

/** Runs a cleanup after a failure, so that its own failure does not hide the first one. */
function closeQuietly(close: () => void): void {
  try {
    close();
  } catch {
    // The first error is the one to report.
  }
}
