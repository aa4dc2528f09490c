/**
 * The engine's events: what it tells an `onEvent` listener (an option of
 * `LsmTree.open`) as it flushes, compacts and holds writes back. The
 * visualiser (`npm run viz`) draws the compaction schedule from them; a
 * test can check the schedule without reaching into the engine.
 *
 *     put ─> ... memtable full ─> flush ───────────────> { type: 'flush' }
 *            afterWrite ─> compaction job picked ──────> { type: 'compaction-start', id }
 *                          ... slices of work ...
 *                          edit installed ─────────────> { type: 'compaction-finish', id }
 *                          or given up ────────────────> { type: 'compaction-abandon', id }
 *            level 0 / debt past a slowdown limit ─────> { type: 'slowdown', active: true } (then false)
 *            past a stop limit, compaction until under ─> { type: 'stall' }
 *
 * Time is logical: every event carries `userBytes` (bytes of keys and
 * values the user has written since the database was opened) and
 * `sequence` (the sequence number of the last write), which do not depend
 * on the machine, so two runs of the same workload give the same events.
 * `timeMs` (performance.now()) is there for rates, and is the only field
 * that differs between two such runs.
 *
 * Listeners are called synchronously, in the middle of a write: keep them
 * short. A listener that throws cannot corrupt the engine: the engine
 * catches the exception, finishes what it was doing (the write, its flush,
 * its compaction slice), and then throws the first such exception from the
 * public call that emitted it (put, delete, write, flush, compact,
 * compactionStep, setCompaction, close). If that call fails on its own
 * (an I/O error), its own error is thrown and the listener's is dropped.
 * `checkpoint` flushes first, so a listener's exception from that flush
 * ends it before the checkpoint is written.
 */

import type { CompactionReason } from '#tiered/compaction-plan.ts';
import type { CompactionStrategyName } from './compaction-strategies.ts';

/** When an event happened, in logical time (and wall time for rates). */
export interface EventClock {
  /** Bytes of keys and values the user has written since open, this write's included. */
  readonly userBytes: number;
  /** The sequence number of the last write applied: a count of puts and deletes. */
  readonly sequence: number;
  /** performance.now() at the event, in milliseconds: for rates only, it differs between runs. */
  readonly timeMs?: number;
}

/** Tables in one level, as an event describes them. */
export interface EventTables {
  readonly level: number;
  /** How many tables. */
  readonly files: number;
  /** Their total size in bytes. */
  readonly bytes: number;
  /** Their file numbers. */
  readonly tables: readonly number[];
}

/** A memtable was flushed to level 0 (metrics().writes.flushes counts these). */
export interface FlushEvent extends EventClock {
  readonly type: 'flush';
  /** The level-0 tables written: usually one, none if the memtable held nothing. */
  readonly tables: readonly number[];
  /** Their total size in bytes. */
  readonly bytes: number;
  /** Level-0 tables after the flush. */
  readonly level0Files: number;
  /** The compaction debt after the flush (metrics().compaction.pendingBytes). */
  readonly pendingBytes: number;
}

/** A compaction job began: the strategy picked it, or `db.compact()` asked for it. */
export interface CompactionStartEvent extends EventClock {
  readonly type: 'compaction-start';
  /** Numbers the jobs of this open from 1; the finish or abandon event carries the same id. */
  readonly id: number;
  readonly reason: CompactionReason;
  readonly strategy: CompactionStrategyName;
  /** The input tables, by level, newest level first. */
  readonly inputs: readonly EventTables[];
  readonly outputLevel: number;
  /** True iff it moves one table by a MANIFEST edit alone, rewriting nothing. */
  readonly trivialMove: boolean;
}

/** A compaction job's edit is durable and current (metrics().compaction.compactions counts these). */
export interface CompactionFinishEvent extends EventClock {
  readonly type: 'compaction-finish';
  readonly id: number;
  readonly reason: CompactionReason;
  readonly inputs: readonly EventTables[];
  /** The tables now in the output level (for a trivial move: the table moved). */
  readonly outputs: EventTables;
  /** Bytes of input tables read: 0 for a trivial move (as metrics count it). */
  readonly bytesRead: number;
  /** Bytes of output tables written: 0 for a trivial move. Their sum is metrics().writes.compactionBytes. */
  readonly bytesWritten: number;
  readonly trivialMove: boolean;
  /** Input entries the drop rules dropped (overwritten versions, tombstones at the bottom). */
  readonly entriesDropped: number;
  /** The compaction debt after it (metrics().compaction.pendingBytes). */
  readonly pendingBytes: number;
}

/** Why a job was given up: a strategy switch, close(), or an I/O or corruption error. */
export type AbandonCause = 'strategy-change' | 'close' | 'error';

/** A compaction job was given up; its inputs stay, its unfinished outputs are deleted. */
export interface CompactionAbandonEvent extends EventClock {
  readonly type: 'compaction-abandon';
  readonly id: number;
  readonly cause: AbandonCause;
  /** Bytes of output tables it had written, counted in metrics().writes.compactionBytes (0 after an error). */
  readonly bytesWritten: number;
}

/** Writes began (`active`) or stopped doing extra compaction work because level 0 or the debt passed a slowdown limit. */
export interface SlowdownEvent extends EventClock {
  readonly type: 'slowdown';
  readonly active: boolean;
  readonly level0Files: number;
  readonly pendingBytes: number;
}

/**
 * A write stalled at a stop limit and ran compaction until the tree was
 * back under it (metrics().compaction.stalls counts these). Emitted when
 * the stall ends; the compactions it ran come before it.
 */
export interface StallEvent extends EventClock {
  readonly type: 'stall';
  /** Which limit: level 0's l0StopTrigger, or hardPendingBytes of debt. */
  readonly trigger: 'level0-files' | 'pending-bytes';
  /** Level-0 tables and debt when the stall began. */
  readonly level0Files: number;
  readonly pendingBytes: number;
  /** Compaction work done during the stall, in bytes of input entries: its logical length. */
  readonly workBytes: number;
}

/** Everything the engine reports, told apart by `type`. */
export type LsmEvent = FlushEvent | CompactionStartEvent | CompactionFinishEvent | CompactionAbandonEvent | SlowdownEvent | StallEvent;

/** The type names of the events. */
export type LsmEventType = LsmEvent['type'];

/** A synchronous listener: the `onEvent` option. */
export type LsmEventListener = (event: LsmEvent) => void;

/** An event as the engine's parts describe it, before the reporter adds the clock. */
export type LsmEventBody = WithoutClock<LsmEvent>;

/** `Omit<E, clock fields>` for each member of the union `E` (a plain Omit would merge the members). */
type WithoutClock<E> = E extends unknown ? Omit<E, keyof EventClock> : never;

/**
 * Delivers events to the listener, stamped with the clock, and keeps the
 * first exception a listener throws until the public call that emitted
 * it is done (see the file comment).
 */
export class EventReporter {
  private listenerError: { readonly error: unknown } | undefined;

  /**
   * @param listener the `onEvent` option; with none, `emit` does nothing.
   * @param clock returns the logical time now.
   */
  constructor(
    private readonly listener: LsmEventListener | undefined,
    private readonly clock: () => { readonly userBytes: number; readonly sequence: number },
  ) {}

  /** True iff someone listens: callers skip building events nobody reads. */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  /** Calls the listener with `body` and the clock; keeps (does not throw) its exception. */
  emit(body: LsmEventBody): void {
    const listener = this.listener;
    if (listener === undefined) return;
    const { userBytes, sequence } = this.clock();
    try {
      listener({ ...body, userBytes, sequence, timeMs: performance.now() } as LsmEvent);
    } catch (error) {
      this.listenerError ??= { error };
    }
  }

  /** Throws the first exception a listener threw since the last call, if any, and forgets it. */
  rethrowListenerError(): void {
    const kept = this.listenerError;
    if (kept === undefined) return;
    this.listenerError = undefined;
    throw kept.error;
  }

  /** Forgets a listener's exception: the call failed on its own, and its own error wins. */
  dropListenerError(): void {
    this.listenerError = undefined;
  }
}
