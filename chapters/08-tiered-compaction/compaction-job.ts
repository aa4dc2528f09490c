/**
 * CompactionJob: carries out one compaction plan, a slice at a time.
 *
 * A compaction can read and write gigabytes. Done in one go inside a put,
 * that put would take seconds. So the job is resumable: `step(budget)`
 * processes input entries until `budget` bytes of work are spent, then
 * returns, keeping its place: the merged input cursor and the output table
 * half built. The engine calls it from the write path with a small budget
 * per write (pacing), and `db.compactionStep(budget)` lets tests and the
 * visualiser drive it by hand.
 *
 *     inputs (newest first)          CompactionIterator          outputs
 *     L0 000031 ─┐                   (the drop rules)
 *     L0 000027 ─┼─ MergingIterator ──> keep? ──> TableBuilder ──> 000040.sst  cut at a user-key
 *     L4 run    ─┘                        │                       000041.sst  boundary past
 *                                      dropped                    ...         targetFileSize
 *
 * The end is the durability order again:
 *
 *     1. every output table finished and synced   (as each is cut)
 *     2. the directory synced                      the outputs' names are durable
 *     3. ONE edit: delete the inputs, add the outputs, appended to the MANIFEST and synced
 *     4. only then the input tables deleted        (and only those no reader pins)
 *
 * A crash before 3 leaves the inputs in charge and the outputs as orphans
 * (deleted at the next open); a crash after 3 leaves the outputs in charge.
 * Never both, never neither.
 *
 * A trivial move (one table, nothing to merge with) is step 3 alone: the
 * same file, recorded in another level.
 *
 * Invariants:
 * 1. state 'running': `input` is open; `output` is the table being written,
 *    or undefined; every table in `finished` is synced. None is installed.
 * 2. `cutAfter` is set iff the output reached targetFileSize; it holds the
 *    user key of the last entry written, and the output is finished before
 *    the next entry with a different user key: all the versions of a key
 *    end up in one table (levels >= 1 must not overlap by user key).
 * 3. state 'finished': the edit is durable; 'abandoned': every output was
 *    deleted and nothing was installed. Either way, nothing is open.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { bytesEqual, copyBytes } from '#toolkit/bytes.ts';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { MergingIterator } from '#merge/merging-iterator.ts';
import type { CompactionHost } from '#engine/compaction-hook.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import { finishTable, openTable, type OpenTable } from '#engine/table-writer.ts';
import type { VersionEdit } from '#engine/version-edit.ts';
import { CompactionIterator } from './compaction-iterator.ts';
import type { CompactionPlan } from './compaction-plan.ts';
import { SortedRunIterator } from './sorted-run-iterator.ts';

/** Where a job is in its life. */
export type CompactionJobState = 'running' | 'finished' | 'abandoned';

/** What a job has done so far. */
export interface CompactionJobStats {
  /** Work done: bytes of the input entries processed (user key + 8 + value), dropped ones included. */
  readonly workBytes: number;
  /** Total size of the input tables. */
  readonly inputBytes: number;
  /** Total size of the output tables finished so far. */
  readonly outputBytes: number;
  /** Input entries processed. */
  readonly entriesIn: number;
  /** Entries written to outputs. */
  readonly entriesOut: number;
  /** Entries the drop rules dropped. */
  readonly entriesDropped: number;
  /** Of those, tombstones. */
  readonly tombstonesDropped: number;
}

/** Carries out one plan in slices; see the file comment. */
export class CompactionJob {
  private jobState: CompactionJobState = 'running';
  private readonly input: CompactionIterator | undefined;
  private output: OpenTable | undefined;
  private cutAfter: Uint8Array | undefined;
  private readonly finished: FileMetadata[] = [];
  private workBytes = 0;
  private outputBytes = 0;
  private entriesOut = 0;
  /** Set while the edit is being installed: after a failure there, the outputs may be named by a durable edit. */
  private installing = false;
  private readonly inputBytes: number;

  /**
   * Opens the inputs of `plan` (not a trivial move) and positions at the
   * first entry. The smallest snapshot is read from the host now: a
   * snapshot taken later has a larger sequence and sees only versions the
   * rules keep anyway.
   * @throws IOError or CorruptionError if an input table cannot be opened.
   */
  constructor(
    /** The plan this job carries out. */
    readonly plan: CompactionPlan,
    private readonly host: CompactionHost,
  ) {
    let inputBytes = 0;
    for (const { files } of plan.inputs) for (const file of files) inputBytes += file.size;
    this.inputBytes = inputBytes;
    if (plan.trivialMove) {
      const files = plan.inputs.reduce((n, input) => n + input.files.length, 0);
      if (files !== 1) throw new InvalidArgumentError(`a trivial move moves exactly one table; this plan has ${files}`);
      return;
    }
    const children: InternalIterator[] = [];
    try {
      for (const { level, files } of plan.inputs) {
        if (level === 0) for (const file of files) children.push(host.tableIterator(file));
        else children.push(new SortedRunIterator(files, (file) => host.tableIterator(file)));
      }
    } catch (error) {
      for (const child of children) child.close();
      throw error;
    }
    this.input = new CompactionIterator(new MergingIterator(children), {
      smallestSnapshot: host.smallestSnapshotSequence(),
      bottommost: plan.bottommost,
    });
    try {
      this.input.seekToFirst();
    } catch (error) {
      this.input.close();
      throw error;
    }
  }

  /** 'running' until the edit is installed ('finished') or the job is given up ('abandoned'). */
  get state(): CompactionJobState {
    return this.jobState;
  }

  /** The output tables finished so far (all of them once the job has finished). */
  get outputs(): readonly FileMetadata[] {
    return this.finished;
  }

  /** Returns the counts so far. */
  get stats(): CompactionJobStats {
    const dropped = this.input?.stats;
    return {
      workBytes: this.workBytes,
      inputBytes: this.inputBytes,
      outputBytes: this.outputBytes,
      entriesIn: dropped?.entries ?? 0,
      entriesOut: this.entriesOut,
      entriesDropped: dropped?.dropped ?? 0,
      tombstonesDropped: dropped?.droppedTombstones ?? 0,
    };
  }

  /**
   * Does up to `budgetBytes` of work: processes input entries while their
   * bytes fit in the budget (always at least one, so every step makes
   * progress), writing the kept ones. When the input runs out it finishes
   * the job: last output synced, directory synced, the edit installed.
   * Returns the work done, in bytes: at most budgetBytes, or one entry.
   * On an error the job abandons itself and rethrows: its outputs are
   * deleted, unless the error came from installing the edit (it may have
   * reached the MANIFEST, so they stay for the next open to sort out).
   * @throws InvalidArgumentError if budgetBytes is not a number > 0, or the job is not running.
   * @throws IOError or CorruptionError from the file system or an input table.
   */
  step(budgetBytes: number): number {
    if (!(budgetBytes > 0)) throw new InvalidArgumentError(`a compaction step needs a budget > 0 bytes, got ${budgetBytes}`);
    if (this.jobState !== 'running') throw new InvalidArgumentError(`step() on a compaction job that is ${this.jobState}`);
    try {
      const input = this.input;
      if (input === undefined) {
        this.install([]); // A trivial move.
        return 0;
      }
      const spent = this.merge(input, budgetBytes);
      this.workBytes += spent;
      if (!input.valid()) {
        if (this.output !== undefined) this.finishOutput();
        input.close();
        this.install(this.finished);
      }
      return spent;
    } catch (error) {
      if (this.installing) {
        // The edit may or may not be in the MANIFEST: its outputs must stay (the next open sorts it out).
        this.jobState = 'abandoned';
      } else {
        this.abandon();
      }
      throw error;
    }
  }

  /**
   * Gives the job up: closes its input, deletes every output (finished or
   * not: no version names them). Does nothing unless running. Never throws:
   * cleanup must not hide the error that led to it.
   */
  abandon(): void {
    if (this.jobState !== 'running') return;
    this.jobState = 'abandoned';
    const numbers = this.finished.map((file) => file.number);
    const output = this.output;
    this.output = undefined;
    try {
      this.input?.close();
    } catch {
      // Closing readers of tables that stay in the version: nothing to undo.
    }
    if (output !== undefined) {
      numbers.push(output.number);
      try {
        output.builder.abandon();
        output.file.close();
      } catch {
        // The file is deleted below anyway.
      }
    }
    try {
      this.host.discardTables(numbers);
    } catch {
      // Orphan tables are deleted by the next open.
    }
  }

  /**
   * The merge loop: processes input entries while their bytes fit in
   * `budgetBytes` (always at least one), writing each kept entry to the
   * output table, and cutting the output at the first new user key once it
   * has reached targetFileSize (invariant 2). Returns the bytes processed.
   * Stops early, keeping its place, when the budget is spent.
   */
  private merge(input: CompactionIterator, budgetBytes: number): number {
    let spent = 0;
    // TODO(task 8.7): write kept entries while the budget lasts; cut the output at the first new user key past the target size
    throw new NotImplementedError("task 8.7 in chapters/08-tiered-compaction/compaction-job.ts: write kept entries while the budget lasts; cut the output at the first new user key past the target size");
    return spent;
  }

  /** Starts the next output table. */
  private openOutput(): OpenTable {
    return openTable(this.host.fs, this.host.dir, this.host.newTableNumber(), this.host.tableOptions);
  }

  /** Finishes the output being written: footer, sync, close (invariant 2 is why this waits for a user-key boundary). */
  private finishOutput(): void {
    // Until it is finished, a failure leaves it in `output`, for abandon() to delete.
    const file = finishTable(this.output!);
    this.output = undefined;
    this.cutAfter = undefined;
    this.finished.push(file);
    this.outputBytes += file.size;
  }

  /** Makes the outputs' names durable, then installs the one edit that swaps inputs for outputs. */
  private install(outputs: readonly FileMetadata[]): void {
    const { plan } = this;
    const moved = plan.trivialMove ? plan.inputs.flatMap((input) => input.files) : outputs;
    if (!plan.trivialMove && outputs.length > 0) this.host.fs.syncDir(this.host.dir);
    const edit: VersionEdit = {
      deletedFiles: plan.inputs.flatMap(({ level, files }) => files.map((file) => ({ level, number: file.number }))),
      newFiles: moved.map((file) => ({ level: plan.outputLevel, file })),
    };
    this.installing = true;
    this.host.installEdit(edit);
    this.installing = false;
    this.jobState = 'finished';
  }
}
