/**
 * Checkpoints: a directory that opens as a database holding exactly the
 * state of the source at one moment, made while the source stays open.
 *
 * Tables never change once written (chapter 4), so a checkpoint can SHARE
 * them with the source instead of copying them: a hard link is a second name
 * for the same file, made in microseconds whatever its size. When the
 * source later deletes its name (a compaction replaced the table), the
 * checkpoint's name keeps the bytes alive. Where links are impossible (the
 * checkpoint on another file system: EXDEV; a file system without them:
 * ENOTSUP, or EPERM on Linux), the table is copied instead.
 *
 *     source db/                                  checkpoint ckpt/
 *       000012.sst ──┐                              000012.sst  (same file: a link)
 *       000015.sst ──┼── one inode each ──────────  000015.sst
 *       000016.sst ──┘                              000016.sst
 *       MANIFEST-000020                             MANIFEST-000031  one snapshot edit
 *       000019.log                                  CURRENT          written last
 *       CURRENT
 *
 * The engine first flushes its memtables, so every write up to the last
 * sequence is in the tables of one version; the checkpoint needs no WAL.
 *
 * The order makes it crash-safe, like a MANIFEST switch (chapter 7):
 *
 *     1. mkdir, sync the parent directory          the checkpoint's own name
 *     2. link or copy every table                  copies are synced
 *     3. write a MANIFEST holding one snapshot
 *        edit of the version, sync it
 *     4. sync the checkpoint directory             every name above is durable
 *     5. CURRENT, atomically (temp, sync, rename, sync the directory)
 *
 * A crash before step 5's rename is durable leaves a directory without
 * CURRENT, which does not open (with createIfMissing: false) and can be
 * deleted; after it, a complete checkpoint. Never a checkpoint that opens
 * with the wrong contents: CURRENT names a MANIFEST only once that MANIFEST
 * and every table it names are durable.
 */

import { utf8 } from '#toolkit/bytes.ts';
import { InvalidArgumentError, IOError } from '#toolkit/errors.ts';
import { writeFileAtomically, type FileSystem } from '#toolkit/file-system.ts';
import { dirName, joinPath, normalizePath } from '#toolkit/path.ts';
import { tableFileName } from '#sstable/table-format.ts';
import { CURRENT_FILE, manifestFileName } from '#engine/file-names.ts';
import { MANIFEST_FORMAT_VERSION } from '#engine/manifest-format.ts';
import { ManifestWriter } from '#engine/manifest-log.ts';
import { encodeVersionEdit, type VersionEdit } from '#engine/version-edit.ts';
import type { Version } from '#engine/version.ts';

/**
 * The errno codes of a `link` that cannot work here, after which the file
 * is copied: ENOTSUP / EOPNOTSUPP (no hard links on this file system), EXDEV
 * (the two paths are on different file systems), EPERM (what Linux returns
 * when the file system does not support hard links), EMLINK (the file has
 * too many links already). Any other error (ENOENT, ENOSPC, EIO...) is real
 * and propagates.
 */
export const LINK_UNSUPPORTED_ERRNOS: ReadonlySet<string> = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EPERM', 'EMLINK']);

/** Bytes read and appended at a time when a table is copied. */
export const COPY_CHUNK_SIZE = 1 << 20;

/** What a checkpoint is made from: the source's durable state at one moment. */
export interface CheckpointSource {
  /** The file system of the source; the checkpoint is written on it too. */
  readonly fs: FileSystem;
  /** The source database's directory, where its tables are. */
  readonly dir: string;
  /** The tables to share: every write up to `lastSequence` is in them. */
  readonly version: Version;
  /** The sequence of the last write the checkpoint holds. */
  readonly lastSequence: number;
  /** The source's next file number: the checkpoint numbers its MANIFEST from it, above every table's. */
  readonly nextFileNumber: number;
}

/** What a checkpoint did. */
export interface CheckpointInfo {
  /** The checkpoint's directory. */
  readonly dir: string;
  /** The sequence of the last write it holds. */
  readonly lastSequence: number;
  /** Tables it holds. */
  readonly tables: number;
  /** Of those, how many were hard-linked... */
  readonly linked: number;
  /** ...and how many copied. */
  readonly copied: number;
  /** Bytes copied (0 when every table was linked). */
  readonly bytesCopied: number;
}

/** How {@link linkOrCopy} placed a file. */
export type Placement = 'linked' | 'copied';

/**
 * Makes `to` a hard link to `from` or, where the file system cannot link
 * them (an errno in {@link LINK_UNSUPPORTED_ERRNOS}), a synced copy of it.
 * A link needs no sync of the bytes (they are `from`'s, synced when it was
 * written); in both cases the NAME `to` is durable only after the caller
 * syncs its directory.
 * REQUIRES: `from` is immutable and durable; `to` does not exist.
 * @throws IOError for any other failure (ENOENT for a missing `from`, EEXIST, ENOSPC...).
 */
export function linkOrCopy(fs: FileSystem, from: string, to: string): Placement {
  // #region task 10.4: try fs.link; on an errno of LINK_UNSUPPORTED_ERRNOS copy in COPY_CHUNK_SIZE chunks and sync the copy; rethrow anything else
  try {
    fs.link(from, to);
    return 'linked';
  } catch (error) {
    if (!(error instanceof IOError) || !LINK_UNSUPPORTED_ERRNOS.has(error.errno)) throw error;
  }
  const source = fs.openReadable(from);
  try {
    const target = fs.createWritable(to);
    try {
      for (let offset = 0; offset < source.size; offset += COPY_CHUNK_SIZE) {
        target.append(source.read(offset, Math.min(COPY_CHUNK_SIZE, source.size - offset)));
      }
      target.sync();
    } finally {
      target.close();
    }
  } finally {
    source.close();
  }
  return 'copied';
  // #endregion
}

/**
 * Checks that a checkpoint of the database in `sourceDir` may be written to
 * `target`: a directory that does not exist yet or is empty, and is not the
 * source itself. Nothing is written.
 * @throws InvalidArgumentError if it may not.
 */
export function checkCheckpointTarget(fs: FileSystem, sourceDir: string, target: string): void {
  if (typeof target !== 'string' || target.length === 0) {
    throw new InvalidArgumentError(`the checkpoint directory must be a non-empty string, got ${target === '' ? 'an empty string' : typeof target}`);
  }
  if (normalizePath(target) === normalizePath(sourceDir)) {
    throw new InvalidArgumentError(`the checkpoint directory '${target}' is the database's own directory`);
  }
  if (fs.exists(target) && fs.list(target).length > 0) {
    throw new InvalidArgumentError(`the checkpoint directory '${target}' must not exist or must be empty; it holds ${fs.list(target).length} file(s)`);
  }
}

/**
 * Writes a checkpoint of `source` into `target` in the crash-safe order of
 * the file comment, and returns what it did. The checkpoint opens with
 * `LsmTree.open(target, { fileSystem: source.fs })` and holds exactly the
 * writes up to `source.lastSequence`.
 * REQUIRES: every table of `source.version` exists in `source.dir` and stays
 *   there until this returns (the caller pins the version).
 * @throws InvalidArgumentError if `target` is not a fit directory (see
 *   {@link checkCheckpointTarget}); nothing is written then.
 * @throws IOError if the file system fails: `target` may then hold a partial
 *   checkpoint without CURRENT, which does not open; delete it.
 */
export function writeCheckpoint(source: CheckpointSource, target: string): CheckpointInfo {
  const { fs, version } = source;
  checkCheckpointTarget(fs, source.dir, target);
  const tables = version.allFiles();
  let linked = 0;
  let copied = 0;
  let bytesCopied = 0;
  // #region task 10.5: mkdir + sync its parent; link or copy each table; MANIFEST with one snapshot edit, synced; sync the directory; CURRENT last, atomically
  fs.mkdir(target);
  fs.syncDir(dirName(target));
  for (const { file } of tables) {
    const name = tableFileName(file.number);
    if (linkOrCopy(fs, joinPath(source.dir, name), joinPath(target, name)) === 'linked') {
      linked++;
    } else {
      copied++;
      bytesCopied += file.size;
    }
  }
  // Numbers at or above the source's next file number are free in the
  // checkpoint: its tables all have smaller ones.
  const manifestNumber = source.nextFileNumber;
  const snapshot: VersionEdit = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    // No WAL segment exists: every write is in the tables.
    logNumber: manifestNumber + 1,
    nextFileNumber: manifestNumber + 2,
    lastSequence: source.lastSequence,
    deletedFiles: [],
    newFiles: tables,
  };
  const manifest = ManifestWriter.create(fs, joinPath(target, manifestFileName(manifestNumber)));
  try {
    manifest.append(encodeVersionEdit(snapshot));
    manifest.sync();
  } finally {
    manifest.close();
  }
  fs.syncDir(target);
  writeFileAtomically(fs, target, CURRENT_FILE, utf8(`${manifestFileName(manifestNumber)}\n`));
  // #endregion
  return { dir: target, lastSequence: source.lastSequence, tables: tables.length, linked, copied, bytesCopied };
}
