/**
 * VersionSet: the current Version, the counters that go with it, and the
 * MANIFEST that makes every change durable.
 *
 *     CURRENT ──names──> MANIFEST-000009:  [snapshot edit][edit][edit]...
 *                                              │ replayed in order on open
 *                                              ▼
 *                       current Version  +  logNumber, nextFileNumber, lastSequence
 *
 * `logAndApply(edit)` is the only way the set of tables changes: the edit
 * is appended to the MANIFEST and synced, and only then does the new
 * Version become current. A crash before the sync loses the edit, and the
 * tables it would have added are simply not part of the database; a crash
 * after it keeps the edit. Either way, no reader ever saw a table that a
 * restart could lose.
 *
 * The MANIFEST only grows, so when it passes `manifestMaxSize` the next
 * logAndApply starts a new one holding a single snapshot edit (every table
 * of the new version), and replaces CURRENT to name it. Every open starts a
 * new MANIFEST too, so the engine never appends after a torn tail.
 *
 * Invariants:
 * 1. Every file number in use (tables, logs, MANIFESTs) is below
 *    `nextFileNumber`; numbers are handed out once and never reused.
 * 2. `current` is what the MANIFEST named by CURRENT rebuilds to, plus
 *    nothing: it changes only after its edit is durable.
 * 3. `logNumber` never decreases; every WAL segment below it is in tables.
 * 4. After a failed MANIFEST write, every further logAndApply throws: the
 *    file may end in a partial record that must stay the last one.
 * 5. `refs` (chapter 10's VersionRefs) holds one reference to the current
 *    Version and one per pin (an open iterator); a Version with none is
 *    dead. The new current Version is referenced before the old one is
 *    released, and the tables a dying Version leaves unreferenced are
 *    reported to `onTablesUnreferenced`, never before the edit that dropped
 *    them is durable (invariant 2).
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { CorruptionError, InvalidArgumentError, requireArgument } from '#toolkit/errors.ts';
import { writeFileAtomically, type FileSystem } from '#toolkit/file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { VersionRefs } from '#snapshots/version-refs.ts';
import { CURRENT_FILE, manifestFileName, parseManifestFileName } from './file-names.ts';
import { MANIFEST_FORMAT_VERSION, RECORD_HEADER_SIZE } from './manifest-format.ts';
import { ManifestWriter, readManifest } from './manifest-log.ts';
import { decodeVersionEdit, encodeVersionEdit, type VersionEdit } from './version-edit.ts';
import { Version } from './version.ts';

/** What the VersionSet needs from the engine's options. */
export interface VersionSetOptions {
  /** Start a new MANIFEST once the current one passes this many bytes (and twice its starting size). */
  readonly manifestMaxSize: number;
}

/** A Version held for a reader until `release()`; see invariant 5. */
export interface PinnedVersion {
  readonly version: Version;
  /** Ends the pin. Releasing twice is allowed. */
  release(): void;
}

/** The current Version, its counters and its MANIFEST; see the file comment for its invariants. */
export class VersionSet {
  /** Reference counts of the live Versions and their tables (invariant 5). */
  readonly refs = new VersionRefs();
  /** The current Version; assigned only through the `currentVersion` setter. */
  private installed: Version = Version.EMPTY;
  private next = 1;
  private log = 0;
  private manifestNo = 0;
  private manifest: ManifestWriter | undefined;
  /** The size of the current MANIFEST's snapshot record: it is rewritten only after doubling. */
  private manifestStartSize = 0;
  private failure: unknown;
  /**
   * Called with the tables no live Version names any more, each time a
   * Version dies (replaced and unpinned): the engine deletes the obsolete
   * ones (chapter 10's FileLifetimes). Defaults to doing nothing.
   */
  onTablesUnreferenced: (tables: number[]) => void = () => {};

  /**
   * The sequence number of the last write applied. The engine advances it
   * with every write; each edit records it, so a restart continues above it.
   */
  lastSequence = 0;

  private constructor(
    private readonly fs: FileSystem,
    /** The database directory. */
    readonly dir: string,
    private readonly options: VersionSetOptions,
  ) {
    this.refs.ref(this.installed);
  }

  /** The current Version (invariant 2). */
  private get currentVersion(): Version {
    return this.installed;
  }

  /** Makes `version` current: referenced first, then the old one released (invariant 5). */
  private set currentVersion(version: Version) {
    if (version === this.installed) return;
    this.refs.ref(version);
    const old = this.installed;
    this.installed = version;
    this.release(old);
  }

  /** Drops one reference to `version`; reports the tables its death leaves unreferenced. */
  private release(version: Version): void {
    const dead = this.refs.unref(version);
    if (dead.length > 0) this.onTablesUnreferenced(dead);
  }

  /**
   * Returns the VersionSet of a new, empty database. Nothing is written
   * until the first logAndApply, which creates the first MANIFEST and CURRENT.
   */
  static createNew(fs: FileSystem, dir: string, options: VersionSetOptions): VersionSet {
    return new VersionSet(fs, dir, options);
  }

  /**
   * Rebuilds the VersionSet of an existing database: reads CURRENT, then the
   * MANIFEST it names, and applies every edit in order (a torn last record
   * is ignored). The recovered MANIFEST is not appended to: the first
   * logAndApply starts a new one.
   * @throws CorruptionError if CURRENT does not name an existing MANIFEST,
   *   the MANIFEST is damaged before its end, holds no edit, lacks the log
   *   number, next file number or last sequence, has a newer format version,
   *   or holds edits that contradict each other (a table added twice,
   *   deleted before it was added, overlapping tables in a level >= 1).
   * @throws IOError if the file system fails.
   */
  static recover(fs: FileSystem, dir: string, options: VersionSetOptions): VersionSet {
    const set = new VersionSet(fs, dir, options);
    // TODO(task 7.4): CURRENT names the MANIFEST; replay its edits into a Version and the counters
    throw new NotImplementedError("task 7.4 in chapters/07-flush-manifest/version-set.ts: CURRENT names the MANIFEST; replay its edits into a Version and the counters");
    return set;
  }

  /** The current Version. */
  get current(): Version {
    return this.currentVersion;
  }

  /** The next file number {@link newFileNumber} will hand out. */
  get nextFileNumber(): number {
    return this.next;
  }

  /** The oldest WAL segment still needed: every segment below it is in tables. */
  get logNumber(): number {
    return this.log;
  }

  /** The number of the live MANIFEST (0 for a new database before its first edit). */
  get manifestNumber(): number {
    return this.manifestNo;
  }

  /** The size of the MANIFEST being appended to, in bytes (0 before the first edit since open). */
  get manifestSize(): number {
    return this.manifest?.size ?? 0;
  }

  /** Hands out a file number never used before (invariant 1). */
  newFileNumber(): number {
    return this.next++;
  }

  /** Makes sure `number` is never handed out: for numbers found on disk at open. */
  markFileNumberUsed(number: number): void {
    if (number >= this.next) this.next = number + 1;
  }

  /**
   * Makes `edit` durable, then makes the version it produces current.
   * The edit is recorded with the current `nextFileNumber` and
   * `lastSequence`. Appends it to the MANIFEST and syncs it; or, for the
   * first edit since open or when the MANIFEST has grown past
   * `manifestMaxSize`, starts a new MANIFEST (see {@link startManifest}).
   *
   * @throws InvalidArgumentError if the edit does not apply to the current
   *   version, or moves the log number backwards; nothing changes then.
   * @throws IOError if the file system fails: the current version is
   *   unchanged, and every later call throws (invariant 4).
   */
  logAndApply(edit: VersionEdit): void {
    if (this.failure !== undefined) throw this.failure;
    requireArgument(
      edit.logNumber === undefined || (edit.logNumber >= this.log && edit.logNumber < this.next),
      `the log number may only move forward, to a number already handed out: ${this.log} to ${edit.logNumber} (next file number ${this.next})`,
    );
    // TODO(task 7.3): compute the new version, make the edit durable (append + sync, or a new MANIFEST), then install it
    throw new NotImplementedError("task 7.3 in chapters/07-flush-manifest/version-set.ts: compute the new version, make the edit durable (append + sync, or a new MANIFEST), then install it");
  }

  /**
   * Starts a new MANIFEST holding one snapshot edit of `version` (with the
   * counters of `edit`), then points CURRENT at it, then removes the old
   * MANIFEST. The order is what makes it crash-safe:
   *
   * 1. write MANIFEST-n with the snapshot, sync it;
   * 2. sync the directory, so the name MANIFEST-n is durable;
   * 3. replace CURRENT atomically: write CURRENT.tmp, sync it, rename it over
   *    CURRENT, sync the directory;
   * 4. only now remove the old MANIFEST.
   *
   * A crash before step 3's rename leaves CURRENT naming the old MANIFEST,
   * which is intact; a crash after it, the new one. A leftover MANIFEST is
   * deleted by the next open.
   */
  private startManifest(version: Version, edit: VersionEdit): void {
    // TODO(task 7.3): write the snapshot to a new MANIFEST, sync it and the directory, replace CURRENT, drop the old one
    throw new NotImplementedError("task 7.3 in chapters/07-flush-manifest/version-set.ts: write the snapshot to a new MANIFEST, sync it and the directory, replace CURRENT, drop the old one");
  }

  /**
   * Pins the current Version for a reader (an iterator, a checkpoint): one
   * more reference, so its tables are kept until `release()` (invariant 5).
   */
  pin(): PinnedVersion {
    const version = this.currentVersion;
    this.refs.ref(version);
    let released = false;
    return {
      version,
      release: () => {
        if (released) return;
        released = true;
        this.release(version);
      },
    };
  }

  /** Returns the numbers of every table that must be kept: those of the current Version and of every pinned one. */
  liveTableNumbers(): Set<number> {
    return this.refs.liveTableNumbers();
  }

  /** Closes the MANIFEST (its records are synced already). Closing twice is allowed. */
  close(): void {
    this.manifest?.close();
    this.manifest = undefined;
  }
}
