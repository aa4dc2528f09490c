/**
 * WalWriter: appends records to one segment file.
 *
 * Each record goes to the file in ONE `append` call. When `append` returns,
 * the bytes are in the operating system: they survive the process dying,
 * but not a power loss. `sync: true` (or `sync()`) also fsyncs before
 * returning: then they survive a power loss too.
 *
 * Invariants:
 * 1. The file holds whole records, one after another, unless an append or
 *    sync failed; after a failure the writer refuses every further append.
 * 2. Sequences strictly increase: every record's first sequence is larger
 *    than `lastSequence`, the sequence of the last entry written before it.
 * 3. `buffer` is reused for every record, so a steady stream of appends
 *    allocates nothing once it has grown to the largest record.
 *
 * Not thread-safe; the engine serialises writes.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { ByteWriter } from '#toolkit/byte-writer.ts';
import { ClosedError, IOError, requireArgument } from '#toolkit/errors.ts';
import type { WritableFile } from '#toolkit/file-system.ts';
import { encodeRecord } from './wal-record.ts';
import type { WriteBatch } from './write-batch.ts';

/** Options of one append. */
export interface AppendOptions {
  /** Fsync the segment before returning, so the record survives a power loss. Defaults to false. */
  readonly sync?: boolean;
}

export class WalWriter {
  private readonly buffer = new ByteWriter(4096);
  private last: number;
  private closed = false;
  /** The first I/O error: after it, the file may end in a partial record, so nothing more may go in. */
  private failure: IOError | undefined;

  /**
   * @param file the segment, open for appending (normally new and empty).
   * @param afterSequence every sequence appended must be larger than this:
   *   the last sequence of the previous segment, or 0.
   */
  constructor(
    private readonly file: WritableFile,
    afterSequence = 0,
  ) {
    this.last = afterSequence;
  }

  /** The segment's path. */
  get path(): string {
    return this.file.path;
  }

  /** Bytes in the segment so far. */
  get size(): number {
    return this.file.size;
  }

  /** The sequence of the last entry appended (or the `afterSequence` given at construction). */
  get lastSequence(): number {
    return this.last;
  }

  /** True iff an append or a sync failed; the writer then refuses further appends. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** True once `close()` has run. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Appends `batch` as one record, its entries numbered `firstSequence`,
   * `firstSequence + 1`, ... When this returns, the record survives the
   * process dying; with `{ sync: true }` it also survives a power loss.
   *
   * REQUIRES: `firstSequence` > {@link lastSequence}.
   * @throws InvalidArgumentError if the batch is empty or a sequence is out
   *   of range or not increasing (nothing is written then).
   * @throws IOError if the file system fails; the writer is unusable afterwards.
   * @throws ClosedError after `close()`.
   */
  append(batch: WriteBatch, firstSequence: number, options: AppendOptions = {}): void {
    this.checkWritable();
    try {
      // TODO(task 2.6): check the sequence increases, encode into the reused buffer, append once, sync if asked
      throw new NotImplementedError("task 2.6 in chapters/02-wal/wal-writer.ts: check the sequence increases, encode into the reused buffer, append once, sync if asked");
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
  }

  /**
   * Makes every record appended so far durable (fsync).
   * @throws IOError if the file system fails; the writer is unusable afterwards.
   * @throws ClosedError after `close()`.
   */
  sync(): void {
    this.checkWritable();
    try {
      this.file.sync();
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
  }

  /** Closes the segment file without syncing it. Closing twice is allowed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
  }

  private checkWritable(): void {
    if (this.closed) throw new ClosedError(`the log segment '${this.file.path}' is closed`);
    const f = this.failure;
    if (f !== undefined) {
      // An fsync that failed once may "succeed" when retried while the data is lost
      // (Linux drops the dirty pages), so a failed log is never written to again.
      throw new IOError(f.operation, f.path, f.errno, { cause: f });
    }
  }

  private noteFailure(error: unknown): void {
    if (error instanceof IOError && this.failure === undefined) this.failure = error;
  }
}
