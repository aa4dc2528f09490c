/**
 * WriteAheadLog: the log as a directory of numbered segments.
 *
 *     wal/000003.log   older: synced whole, replayed, deleted once flushed
 *     wal/000005.log   older
 *     wal/000008.log   current: the only one being appended to
 *
 * The engine (chapter 7) appends every write here before it goes into the
 * memtable. When it freezes a memtable to flush it, it calls `rotate` so the
 * frozen memtable's writes and the new memtable's writes are in different
 * segments; once the flushed table is durable, every segment before the
 * current one is obsolete and `removeSegmentsBefore` deletes it. Segment
 * numbers come from the caller: the engine takes them from the one counter
 * it also numbers tables with.
 *
 * On open, `WriteAheadLog.replay` reads the segments from the oldest one not
 * yet flushed and hands every entry to the engine, which rebuilds its memtable.
 *
 * Invariants:
 * 1. Exactly one segment is open for appending: the newest one this object
 *    created, numbered `logNumber`.
 * 2. Every older segment was synced whole before the next one was created,
 *    so only the newest segment of a log can end in a torn write.
 * 3. A segment's name is made durable (directory sync) before any record is
 *    appended to it, so a synced record never vanishes with its file's name.
 * 4. Sequences increase across the log, from one segment to the next.
 *
 * After a replay that reported `tornAt`, that segment must not be replayed
 * again from behind a newer segment (its torn tail would then be in the
 * middle of the log): the engine flushes what it recovered and removes the
 * old segments before it writes to a new one.
 */

import { ClosedError, CorruptionError, requireArgument } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { logFileName, parseLogFileName } from './wal-format.ts';
import { readSegment } from './wal-reader.ts';
import type { EntryVisitor } from './wal-record.ts';
import { WalWriter, type AppendOptions } from './wal-writer.ts';
import type { WriteBatch } from './write-batch.ts';

/** What {@link WriteAheadLog.replay} found. */
export interface ReplayResult {
  /** The sequence of the last entry replayed; 0 if there was none. */
  readonly lastSequence: number;
  /** The numbers of the segments read, ascending. */
  readonly segments: readonly number[];
  /** Where the last segment's torn tail starts, if it has one. Absent iff the log ended cleanly. */
  readonly tornAt?: { readonly file: string; readonly offset: number };
}

export class WriteAheadLog {
  private writer: WalWriter;
  private current: number;
  private closed = false;

  private constructor(
    private readonly fs: FileSystem,
    /** The directory holding the segments. */
    readonly dir: string,
    logNumber: number,
    writer: WalWriter,
  ) {
    this.current = logNumber;
    this.writer = writer;
  }

  /**
   * Starts a log with a fresh, empty segment `dir/<logNumber>.log`
   * (replacing a file of that name), durable before this returns.
   * REQUIRES: `dir` exists.
   * @throws InvalidArgumentError if `logNumber` is not a non-negative integer.
   * @throws IOError if the file system fails.
   */
  static create(fs: FileSystem, dir: string, logNumber: number): WriteAheadLog {
    return new WriteAheadLog(fs, dir, logNumber, WriteAheadLog.startSegment(fs, dir, logNumber, 0));
  }

  /** The number of the segment being appended to. */
  get logNumber(): number {
    return this.current;
  }

  /** Bytes in the current segment. */
  get size(): number {
    return this.writer.size;
  }

  /** The sequence of the last entry appended (0 if none yet). */
  get lastSequence(): number {
    return this.writer.lastSequence;
  }

  /**
   * Appends `batch` as one record to the current segment; see {@link WalWriter.append}.
   * @throws InvalidArgumentError for an empty batch or a bad sequence.
   * @throws IOError if the file system fails.
   * @throws ClosedError after `close()`.
   */
  append(batch: WriteBatch, firstSequence: number, options: AppendOptions = {}): void {
    this.checkOpen();
    this.writer.append(batch, firstSequence, options);
  }

  /**
   * Makes every record appended so far durable.
   * @throws IOError if the file system fails.
   * @throws ClosedError after `close()`.
   */
  sync(): void {
    this.checkOpen();
    this.writer.sync();
  }

  /**
   * Finishes the current segment and starts `newLogNumber`: syncs and closes
   * the current one, then creates the new one and makes its name durable.
   * Records appended afterwards go to the new segment.
   *
   * REQUIRES: `newLogNumber` > {@link logNumber} (replay reads segments in number order).
   * @throws InvalidArgumentError if it is not.
   * @throws IOError if the file system fails.
   * @throws ClosedError after `close()`.
   */
  rotate(newLogNumber: number): void {
    this.checkOpen();
    // #region task 2.7: sync and close the current segment, then start the next one
    requireArgument(
      Number.isSafeInteger(newLogNumber) && newLogNumber > this.current,
      `the next log number must be larger than the current one (${this.current}), got ${newLogNumber}`,
    );
    // Synced whole first: then only the newest segment can ever end in a torn write.
    this.writer.sync();
    this.writer.close();
    this.writer = WriteAheadLog.startSegment(this.fs, this.dir, newLogNumber, this.writer.lastSequence);
    this.current = newLogNumber;
    // #endregion
  }

  /**
   * Returns the numbers of the segments in the directory, ascending.
   * @throws ClosedError after `close()`.
   */
  segments(): number[] {
    this.checkOpen();
    return WriteAheadLog.listSegments(this.fs, this.dir);
  }

  /**
   * Deletes every segment numbered below `number`: the engine calls it once
   * the memtables whose writes they hold are flushed and recorded durably.
   * Returns the numbers removed. The directory is not synced: a removal that
   * a crash undoes leaves an obsolete segment that replay skips (it starts at
   * the engine's recorded log number) and the next call deletes.
   *
   * REQUIRES: `number` <= {@link logNumber} (the current segment is never removed).
   * @throws InvalidArgumentError if it is not.
   * @throws ClosedError after `close()`.
   */
  removeSegmentsBefore(number: number): number[] {
    this.checkOpen();
    requireArgument(
      number <= this.current,
      `cannot remove segments up to ${number}: segment ${this.current} is still being written`,
    );
    const removed = WriteAheadLog.listSegments(this.fs, this.dir).filter((n) => n < number);
    for (const n of removed) this.fs.remove(joinPath(this.dir, logFileName(n)));
    return removed;
  }

  /**
   * Syncs the current segment (unless a write already failed) and closes it.
   * Closing twice is allowed; every other method then throws ClosedError.
   * @throws IOError if the final sync fails (the log is closed anyway).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      // A rotate that synced and closed the old segment, then failed to
      // start the next one, leaves the old writer here, already closed and
      // synced: there is nothing left to sync.
      if (!this.writer.failed && !this.writer.isClosed) this.writer.sync();
    } finally {
      this.writer.close();
    }
  }

  /**
   * Replays the log in `dir`: reads every segment numbered `fromNumber` or
   * more, in ascending order, and calls `onEntry` for each entry, oldest
   * first. Only the last segment may end in a torn tail; it is reported, not
   * thrown.
   *
   * @returns the last sequence replayed, the segments read, and where the
   *   torn tail starts if there is one.
   * @throws CorruptionError on damage in the middle of a segment, a damaged
   *   end of any segment but the last, or sequences that do not increase
   *   from one segment to the next. Entries before the damage have been
   *   visited by then; the caller discards them.
   * @throws IOError if the file system fails.
   */
  static replay(fs: FileSystem, dir: string, fromNumber: number, onEntry: EntryVisitor): ReplayResult {
    // #region task 2.8: read the segments from fromNumber in order; only the last may end torn
    const segments = WriteAheadLog.listSegments(fs, dir).filter((n) => n >= fromNumber);
    let lastSequence = 0;
    for (let i = 0; i < segments.length; i++) {
      const file = joinPath(dir, logFileName(segments[i]!));
      const read = readSegment(fs, file, lastSequence, onEntry);
      lastSequence = read.lastSequence;
      if (read.tornAt === undefined) continue;
      if (i < segments.length - 1) {
        throw new CorruptionError({
          file,
          offset: read.tornAt,
          reason: 'damaged record at the end of a segment that is not the newest: it was synced whole before the next one began, so no crash tore it',
        });
      }
      return { lastSequence, segments, tornAt: { file, offset: read.tornAt } };
    }
    return { lastSequence, segments };
    // #endregion
  }

  /**
   * Returns the numbers of the segment files in `dir`, ascending. Other
   * files (tables, MANIFEST, temporary files) are ignored.
   * @throws IOError if `dir` cannot be listed.
   */
  static listSegments(fs: FileSystem, dir: string): number[] {
    const numbers: number[] = [];
    for (const name of fs.list(dir)) {
      const n = parseLogFileName(name);
      if (n !== undefined) numbers.push(n);
    }
    return numbers.sort((a, b) => a - b);
  }

  /**
   * Creates segment `number` in `dir`, empty, and makes its name durable;
   * returns a writer for it whose sequences must exceed `afterSequence`.
   * @throws IOError if the file system fails.
   */
  private static startSegment(fs: FileSystem, dir: string, number: number, afterSequence: number): WalWriter {
    // #region task 2.5: create the segment file, sync the directory, return a writer for it
    const file = fs.createWritable(joinPath(dir, logFileName(number)));
    try {
      // Without this, a crash could undo the file's creation and take synced records with it.
      fs.syncDir(dir);
    } catch (error) {
      file.close();
      throw error;
    }
    return new WalWriter(file, afterSequence);
    // #endregion
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError(`the write-ahead log in '${this.dir}' is closed`);
  }
}
