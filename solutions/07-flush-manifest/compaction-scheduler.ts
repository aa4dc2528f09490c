/**
 * CompactionScheduler: decides WHEN compaction work runs, so that it keeps
 * up with the writes without ever freezing one of them for long.
 *
 * Compaction runs inside the write path, synchronously and
 * deterministically, in slices measured in bytes (bLSM's "spring and
 * gear": the writes drive the merges forward at a rate tied to their own):
 *
 *     put(k, v) ─> WAL ─> memtable ─> (flush, if full) ─> afterWrite(n bytes):
 *
 *       L0 tables >= l0StopTrigger, or debt >= hardPendingBytes
 *           STALL: run compaction slices until back under both limits
 *       otherwise
 *           ratio  = max(compactionPacing, gear)
 *           budget = n × ratio, × 4 if L0 tables >= l0SlowdownTrigger
 *                    or debt >= softPendingBytes (SLOW DOWN)
 *           run one slice of min(budget, maxSliceBytes) bytes of the current
 *           job (picking a new one first if none is running)
 *
 * The gear: a fixed ratio cannot keep up with every job. A tiered merge of
 * every run rewrites the whole database, while level 0 fills at the rate
 * of the writes; so the running job's remaining bytes are divided by the
 * bytes the writes may still add before level 0 reaches its slowdown
 * trigger (the "headroom"), and that ratio is used when it is higher: the
 * job finishes just as the headroom runs out, and the next flushes find
 * the tree ready for them (bLSM's gear scheduler, in bytes).
 *
 * So a write never does more than maxSliceBytes of compaction work unless
 * the tree is at a stop limit, and a steady stream of writes carries the
 * compactions it makes necessary. The flush itself stays in the write that
 * fills the memtable (bounded by memtableSize).
 *
 * Only one job runs at a time. A picker is asked again only when the
 * version changed since it last said "nothing to do".
 *
 * Each job's start and end, each stall, and each change into or out of
 * slowdown go to the host's EventReporter (events.ts), for `onEvent`.
 *
 * Invariants:
 * 1. `job` is undefined or running; its inputs are in the current version.
 * 2. `idleVersion` is undefined or a version the picker found nothing to
 *    do in; while it is current, picking again is skipped.
 * 3. Without a picker (strategy 'none'), no job runs and every step is idle.
 */

import { InvalidArgumentError } from '#toolkit/errors.ts';
import type { CompactionPicker, CompactionPlan, CompactionReason, PickContext } from '#tiered/compaction-plan.ts';
import { CompactionJob } from '#tiered/compaction-job.ts';
import type { LeveledPickContext } from '#leveled/leveled-picker.ts';
import type { CompactionHost } from './compaction-hook.ts';
import { createPicker, type CompactionOptions, type CompactionStrategyName } from './compaction-strategies.ts';
import type { AbandonCause, EventReporter, EventTables } from './events.ts';
import type { FileMetadata } from './file-metadata.ts';
import { NUM_LEVELS } from './manifest-format.ts';
import type { CompactionMetrics } from './metrics.ts';
import type { ResolvedOptions } from './options.ts';
import type { Version } from './version.ts';

/** A write past a slowdown limit does this many times its paced share of compaction work. */
export const SLOWDOWN_FACTOR = 4;

/** `db.compact()` gives up (and throws) after this many compactions in one call: a picker that never settles is a bug. */
export const MAX_COMPACTIONS_PER_CALL = 100_000;

/** What one `compactionStep` did. */
export type CompactionStepResult =
  /** Nothing to do: no compaction is due (or the strategy is 'none'). */
  | { readonly state: 'idle' }
  /** A job made progress and is not done. */
  | { readonly state: 'progressed'; readonly plan: CompactionPlan; readonly bytes: number }
  /** A job finished: its edit is durable and current. */
  | {
      readonly state: 'finished';
      readonly plan: CompactionPlan;
      readonly bytes: number;
      /** The tables the job wrote (a trivial move: the table it moved). */
      readonly outputs: readonly FileMetadata[];
    };

/** What the scheduler needs from the engine: the compaction host, plus the current version. */
export interface SchedulerHost extends CompactionHost {
  /** Returns the current version. */
  currentVersion(): Version;
  /** Where the scheduler reports its jobs, stalls and slowdowns. */
  readonly events: EventReporter;
}

const IDLE: CompactionStepResult = { state: 'idle' };

const REASONS: readonly CompactionReason[] = ['space-amplification', 'size-ratio', 'run-count', 'level0-files', 'level-size', 'manual'];

/** Runs compaction jobs in paced slices; see the file comment. */
export class CompactionScheduler {
  private picker: CompactionPicker | undefined;
  private strategy: CompactionStrategyName;
  private job: CompactionJob | undefined;
  /** The running job's id in events (jobs are numbered from 1). */
  private jobId = 0;
  /** True iff the last write was past a slowdown limit (events report the changes). */
  private slowedDown = false;
  private idleVersion: Version | undefined;
  private pendingCache: { version: Version; picker: CompactionPicker; bytes: number } | undefined;
  private readonly context: LeveledPickContext;
  /** For the debt estimate, nothing counts as being compacted: a running job's inputs are still owed. */
  private readonly estimateContext: PickContext;
  private readonly counters = {
    compactions: 0,
    trivialMoves: 0,
    abandoned: 0,
    bytesRead: 0,
    bytesWritten: 0,
    workBytes: 0,
    entriesDropped: 0,
    tombstonesDropped: 0,
    seconds: 0,
    slowdownWrites: 0,
    stalls: 0,
    stallTimeMs: 0,
  };
  private readonly byReason = Object.fromEntries(REASONS.map((reason) => [reason, 0])) as Record<CompactionReason, number>;
  private readonly levelRead: number[] = new Array<number>(NUM_LEVELS).fill(0);
  private readonly levelWritten: number[] = new Array<number>(NUM_LEVELS).fill(0);

  constructor(
    private readonly host: SchedulerHost,
    private readonly options: ResolvedOptions,
  ) {
    this.picker = createPicker(options.compaction);
    this.strategy = options.compaction.strategy;
    const scheduler = this;
    this.context = {
      memtableSize: options.memtableSize,
      isBeingCompacted: (number) => this.isBeingCompacted(number),
      // The leveled picker's manual plans also rewrite bottom tables whose tombstones every reader may forget.
      get smallestSnapshotSequence(): number {
        return scheduler.host.smallestSnapshotSequence();
      },
    };
    this.estimateContext = { memtableSize: options.memtableSize, isBeingCompacted: () => false };
  }

  /** The strategy in force. */
  get strategyName(): CompactionStrategyName {
    return this.strategy;
  }

  /** The plan of the job in progress, if any. */
  get runningPlan(): CompactionPlan | undefined {
    return this.job?.plan;
  }

  /**
   * Switches to the strategy `options` name. A running job is abandoned:
   * its outputs are deleted, its inputs stay; the new strategy starts from
   * the tree as it is.
   * @throws InvalidArgumentError for an unknown strategy or a bad option (nothing changes then).
   */
  setStrategy(options: CompactionOptions): void {
    const picker = createPicker(options);
    this.abandon('strategy-change');
    this.picker = picker;
    this.strategy = options.strategy;
    this.idleVersion = undefined;
    this.pendingCache = undefined;
  }

  /**
   * Runs one slice of up to `budgetBytes` of work: of the running job, or of
   * a new job if one is due. Returns what it did.
   * @throws IOError or CorruptionError from the job (which is then abandoned).
   */
  step(budgetBytes: number): CompactionStepResult {
    let job = this.job;
    if (job === undefined) {
      const picker = this.picker;
      const version = this.host.currentVersion();
      if (picker === undefined || version === this.idleVersion) return IDLE;
      const plan = picker.pick(version, this.context);
      if (plan === undefined) {
        this.idleVersion = version;
        return IDLE;
      }
      job = this.start(plan);
    }
    return this.run(job, budgetBytes);
  }

  /**
   * Does the compaction work a write of `bytes` bytes owes (see the file
   * comment): a paced slice, a slowed-down slice, or a stall.
   * `memtableBytes` is what the active memtable holds now.
   */
  afterWrite(bytes: number, memtableBytes: number): void {
    const pacing = this.options.compactionPacing;
    if (this.picker === undefined || pacing === 0) return;
    const level0 = this.host.currentVersion().files(0).length;
    const pending = this.pendingBytes();
    if (level0 >= this.options.l0StopTrigger || pending >= this.options.hardPendingBytes) {
      this.stall(level0, pending);
      return;
    }
    let budget = bytes * Math.max(pacing, this.gear(level0, memtableBytes));
    const slow = level0 >= this.options.l0SlowdownTrigger || pending >= this.options.softPendingBytes;
    if (slow) {
      budget *= SLOWDOWN_FACTOR;
      this.counters.slowdownWrites++;
    }
    if (slow !== this.slowedDown) {
      this.slowedDown = slow;
      this.host.events.emit({ type: 'slowdown', active: slow, level0Files: level0, pendingBytes: pending });
    }
    budget = Math.min(budget, this.options.maxSliceBytes);
    if (budget >= 1) this.step(budget);
  }

  /**
   * Runs compaction to completion now: finishes the running job, then the
   * strategy's manual plans for `level` (or the whole tree) until it has
   * none, then every compaction that is due.
   * @throws Error if the strategy never settles (over MAX_COMPACTIONS_PER_CALL compactions).
   */
  compact(level: number | undefined): void {
    const picker = this.picker;
    if (picker === undefined) return;
    let count = 0;
    const counted = (): void => {
      if (++count > MAX_COMPACTIONS_PER_CALL) {
        throw new Error(`compaction did not settle after ${MAX_COMPACTIONS_PER_CALL} compactions: the '${this.strategy}' picker keeps finding work`);
      }
    };
    if (this.job !== undefined) this.run(this.job, Infinity);
    let previousOutputs: readonly FileMetadata[] | undefined;
    for (;;) {
      const plan = picker.pickManual(this.host.currentVersion(), level, this.context);
      // A manual plan that would only rewrite what the last one wrote makes no progress (a snapshot may pin what it would drop).
      if (plan === undefined || (previousOutputs !== undefined && sameTables(plan, previousOutputs))) break;
      counted();
      const result = this.run(this.start(plan), Infinity);
      previousOutputs = result.state === 'finished' ? result.outputs : undefined;
    }
    while (this.step(Infinity).state !== 'idle') counted();
  }

  /** Gives up the running job, if any (its outputs are deleted); `cause` says why, for the event. Never throws. */
  abandon(cause: Exclude<AbandonCause, 'error'>): void {
    const job = this.job;
    if (job === undefined) return;
    this.job = undefined;
    job.abandon();
    this.counters.abandoned++;
    this.counters.bytesWritten += job.stats.outputBytes;
    this.host.events.emit({ type: 'compaction-abandon', id: this.jobId, cause, bytesWritten: job.stats.outputBytes });
  }

  /** The strategy's estimate of the bytes compaction still owes (0 for 'none'); computed once per version. */
  pendingBytes(): number {
    const picker = this.picker;
    if (picker === undefined) return 0;
    const version = this.host.currentVersion();
    const cached = this.pendingCache;
    if (cached !== undefined && cached.version === version && cached.picker === picker) return cached.bytes;
    const bytes = picker.pendingBytes(version, this.estimateContext);
    this.pendingCache = { version, picker, bytes };
    return bytes;
  }

  /** Returns the compaction counters (see metrics.ts), and per level the bytes read and written. */
  metrics(): { compaction: CompactionMetrics; levelRead: readonly number[]; levelWritten: readonly number[] } {
    const c = this.counters;
    const job = this.job;
    return {
      compaction: {
        strategy: this.strategy,
        running:
          job === undefined
            ? undefined
            : {
                reason: job.plan.reason,
                inputLevels: job.plan.inputs.map((input) => input.level),
                outputLevel: job.plan.outputLevel,
                inputBytes: job.stats.inputBytes,
                workBytes: job.stats.workBytes,
              },
        compactions: c.compactions,
        trivialMoves: c.trivialMoves,
        byReason: { ...this.byReason },
        abandoned: c.abandoned,
        bytesRead: c.bytesRead,
        bytesWritten: c.bytesWritten,
        workBytes: c.workBytes,
        entriesDropped: c.entriesDropped,
        tombstonesDropped: c.tombstonesDropped,
        seconds: c.seconds,
        bytesPerSecond: c.seconds === 0 ? 0 : c.bytesWritten / c.seconds,
        pendingBytes: this.pendingBytes(),
        slowdownWrites: c.slowdownWrites,
        stalls: c.stalls,
        stallTimeMs: c.stallTimeMs,
      },
      levelRead: [...this.levelRead],
      levelWritten: [...this.levelWritten],
    };
  }

  /**
   * Returns the running job's remaining work per byte the writes may still
   * add before level 0 reaches the slowdown trigger (see the file comment);
   * 0 when no job is running.
   */
  private gear(level0: number, memtableBytes: number): number {
    const job = this.job;
    if (job === undefined) return 0;
    const { inputBytes, workBytes } = job.stats;
    const remaining = Math.max(0, inputBytes - workBytes);
    const { memtableSize, l0SlowdownTrigger } = this.options;
    const headroom = Math.max(0, l0SlowdownTrigger - 1 - level0) * memtableSize + Math.max(0, memtableSize - memtableBytes);
    return remaining / Math.max(1, headroom);
  }

  /**
   * Runs compaction slices until level 0 and the debt are under their stop
   * limits, or nothing is left to do. `level0` and `pending` are the tree's
   * state as the stall begins.
   */
  private stall(level0: number, pending: number): void {
    const start = performance.now();
    const workBefore = this.counters.workBytes;
    this.counters.stalls++;
    try {
      for (;;) {
        const level0 = this.host.currentVersion().files(0).length;
        if (level0 < this.options.l0StopTrigger && this.pendingBytes() < this.options.hardPendingBytes) return;
        if (this.step(this.options.maxSliceBytes).state === 'idle') return;
      }
    } finally {
      this.counters.stallTimeMs += performance.now() - start;
      this.host.events.emit({
        type: 'stall',
        trigger: level0 >= this.options.l0StopTrigger ? 'level0-files' : 'pending-bytes',
        level0Files: level0,
        pendingBytes: pending,
        workBytes: this.counters.workBytes - workBefore,
      });
    }
  }

  /** Starts a job for `plan`. */
  private start(plan: CompactionPlan): CompactionJob {
    if (!Number.isSafeInteger(plan.outputLevel) || plan.outputLevel < 1 || plan.outputLevel >= NUM_LEVELS) {
      throw new InvalidArgumentError(`a compaction plan must output to a level from 1 to ${NUM_LEVELS - 1}, got ${plan.outputLevel}`);
    }
    this.job = new CompactionJob(plan, this.host);
    this.jobId++;
    const events = this.host.events;
    if (events.listening) {
      events.emit({
        type: 'compaction-start',
        id: this.jobId,
        reason: plan.reason,
        strategy: this.strategy,
        inputs: plan.inputs.map(({ level, files }) => eventTables(level, files)),
        outputLevel: plan.outputLevel,
        trivialMove: plan.trivialMove,
      });
    }
    return this.job;
  }

  /** Runs one slice of `job`, timing it; on its end, counts it and forgets it. */
  private run(job: CompactionJob, budgetBytes: number): CompactionStepResult {
    const start = performance.now();
    let bytes: number;
    try {
      bytes = job.step(budgetBytes);
    } catch (error) {
      // The job abandoned itself (or, if the MANIFEST failed, left its outputs for the next open).
      this.job = undefined;
      this.counters.abandoned++;
      this.host.events.emit({ type: 'compaction-abandon', id: this.jobId, cause: 'error', bytesWritten: 0 });
      throw error;
    } finally {
      this.counters.seconds += (performance.now() - start) / 1000;
    }
    this.counters.workBytes += bytes;
    if (job.state === 'running') return { state: 'progressed', plan: job.plan, bytes };
    this.job = undefined;
    this.record(job);
    const outputs = job.plan.trivialMove ? job.plan.inputs.flatMap((input) => input.files) : job.outputs;
    if (this.host.events.listening) this.reportFinish(job, outputs);
    return { state: 'finished', plan: job.plan, bytes, outputs };
  }

  /** Emits the compaction-finish event of `job`, which wrote (or moved) `outputs`. */
  private reportFinish(job: CompactionJob, outputs: readonly FileMetadata[]): void {
    const { plan, stats } = job;
    this.host.events.emit({
      type: 'compaction-finish',
      id: this.jobId,
      reason: plan.reason,
      inputs: plan.inputs.map(({ level, files }) => eventTables(level, files)),
      outputs: eventTables(plan.outputLevel, outputs),
      // As record() counts them: a trivial move reads and writes nothing.
      bytesRead: plan.trivialMove ? 0 : stats.inputBytes,
      bytesWritten: plan.trivialMove ? 0 : stats.outputBytes,
      trivialMove: plan.trivialMove,
      entriesDropped: stats.entriesDropped,
      pendingBytes: this.pendingBytes(),
    });
  }

  /** Adds a finished job to the counters. */
  private record(job: CompactionJob): void {
    const { plan } = job;
    const c = this.counters;
    c.compactions++;
    this.byReason[plan.reason]++;
    if (plan.trivialMove) {
      c.trivialMoves++;
      return;
    }
    const stats = job.stats;
    for (const { level, files } of plan.inputs) for (const file of files) this.levelRead[level]! += file.size;
    this.levelWritten[plan.outputLevel]! += stats.outputBytes;
    c.bytesRead += stats.inputBytes;
    c.bytesWritten += stats.outputBytes;
    c.entriesDropped += stats.entriesDropped;
    c.tombstonesDropped += stats.tombstonesDropped;
  }

  /** Returns true iff table `number` is an input of the running job. */
  private isBeingCompacted(number: number): boolean {
    const job = this.job;
    if (job === undefined) return false;
    return job.plan.inputs.some((input) => input.files.some((file) => file.number === number));
  }
}

/** Describes the tables `files` of `level` for an event. */
function eventTables(level: number, files: readonly FileMetadata[]): EventTables {
  let bytes = 0;
  for (const file of files) bytes += file.size;
  return { level, files: files.length, bytes, tables: files.map((file) => file.number) };
}

/** Returns true iff `plan`'s inputs are exactly `tables`. */
function sameTables(plan: CompactionPlan, tables: readonly FileMetadata[]): boolean {
  const inputs = plan.inputs.flatMap((input) => input.files.map((file) => file.number));
  return inputs.length === tables.length && tables.every((file) => inputs.includes(file.number));
}
