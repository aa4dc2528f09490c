/**
 * CompactionSchedule: what the engine's events add up to, for drawing.
 * Fed one event at a time (live, or from a recorded run), it keeps the
 * tree's shape (files and bytes per level), every compaction as a span of
 * logical time, the flushes, stalls and slowdowns, and a sample of the
 * level sizes after every change.
 *
 * The levels are rebuilt from the events alone: a flush adds its tables
 * to level 0; a finished compaction takes its inputs out of their levels
 * and puts its outputs in the output level (a trivial move takes one table
 * out and puts the same table in). So for a run that starts from an empty
 * database, the shape at the end equals metrics().levels.
 */

import type { CompactionReason, CompactionStartEvent, EventTables, LsmEvent, StallEvent } from '../../index.ts';

/** The levels of the engine: L0..L6. */
export const LEVELS = 7;

/** One compaction, from its start to its finish (or abandon). */
export interface CompactionSpan {
  readonly id: number;
  readonly reason: CompactionReason;
  readonly inputs: readonly EventTables[];
  readonly outputLevel: number;
  readonly trivialMove: boolean;
  /** Logical time (user bytes) at its start. */
  readonly startBytes: number;
  /** Logical time at its end; undefined while it runs. */
  endBytes: number | undefined;
  /** Its outputs, once finished. */
  outputs: EventTables | undefined;
  bytesRead: number;
  bytesWritten: number;
  /** Why it was given up, if it was. */
  abandoned: string | undefined;
}

/** A stretch of logical time during which writes were slowed down. */
export interface SlowdownSpan {
  readonly startBytes: number;
  endBytes: number | undefined;
}

/** The size of every level at one moment. */
export interface LevelSample {
  readonly userBytes: number;
  /** Tables per level, L0 first. */
  readonly files: readonly number[];
  /** Bytes per level, L0 first. */
  readonly bytes: readonly number[];
}

/** See the file comment. */
export class CompactionSchedule {
  readonly files: number[] = new Array<number>(LEVELS).fill(0);
  readonly bytes: number[] = new Array<number>(LEVELS).fill(0);
  readonly compactions: CompactionSpan[] = [];
  /** Logical time of each flush. */
  readonly flushes: number[] = [];
  readonly stalls: StallEvent[] = [];
  readonly slowdowns: SlowdownSpan[] = [];
  /** The levels at the start, then after every flush and every finished compaction. */
  readonly samples: LevelSample[] = [{ userBytes: 0, files: new Array<number>(LEVELS).fill(0), bytes: new Array<number>(LEVELS).fill(0) }];
  /** Finished compactions, trivial moves included. */
  finished = 0;
  trivialMoves = 0;
  abandoned = 0;
  maxLevel0Files = 0;
  /** The compaction debt the last flush or compaction reported. */
  pendingBytes = 0;
  /** Logical time of the last event. */
  userBytes = 0;
  /** The deepest level that ever held a table. */
  deepestLevel = 0;
  /** The job running now, if any. */
  running: CompactionSpan | undefined;
  private readonly byId = new Map<number, CompactionSpan>();

  /** Builds the schedule of a whole recorded run. */
  static of(events: Iterable<LsmEvent>): CompactionSchedule {
    const schedule = new CompactionSchedule();
    for (const event of events) schedule.add(event);
    return schedule;
  }

  /** Takes the next event into account. */
  add(event: LsmEvent): void {
    this.userBytes = event.userBytes;
    switch (event.type) {
      case 'flush':
        this.flushes.push(event.userBytes);
        this.change(0, event.tables.length, event.bytes);
        this.pendingBytes = event.pendingBytes;
        this.sample();
        return;
      case 'compaction-start':
        this.start(event);
        return;
      case 'compaction-finish': {
        const span = this.byId.get(event.id);
        if (span !== undefined) {
          span.endBytes = event.userBytes;
          span.outputs = event.outputs;
          span.bytesRead = event.bytesRead;
          span.bytesWritten = event.bytesWritten;
        }
        if (this.running?.id === event.id) this.running = undefined;
        for (const input of event.inputs) this.change(input.level, -input.files, -input.bytes);
        this.change(event.outputs.level, event.outputs.files, event.outputs.bytes);
        this.finished++;
        if (event.trivialMove) this.trivialMoves++;
        this.pendingBytes = event.pendingBytes;
        this.sample();
        return;
      }
      case 'compaction-abandon': {
        const span = this.byId.get(event.id);
        if (span !== undefined) {
          span.endBytes = event.userBytes;
          span.abandoned = event.cause;
          span.bytesWritten = event.bytesWritten;
        }
        if (this.running?.id === event.id) this.running = undefined;
        this.abandoned++;
        return;
      }
      case 'slowdown': {
        const last = this.slowdowns[this.slowdowns.length - 1];
        if (event.active && (last === undefined || last.endBytes !== undefined)) {
          this.slowdowns.push({ startBytes: event.userBytes, endBytes: undefined });
        } else if (!event.active && last !== undefined && last.endBytes === undefined) {
          last.endBytes = event.userBytes;
        }
        return;
      }
      case 'stall':
        this.stalls.push(event);
        return;
    }
  }

  /** Bytes written by compactions: finished ones, and what abandoned ones had written. */
  get compactionBytes(): number {
    let total = 0;
    for (const span of this.compactions) total += span.bytesWritten;
    return total;
  }

  private start(event: CompactionStartEvent): void {
    const span: CompactionSpan = {
      id: event.id,
      reason: event.reason,
      inputs: event.inputs,
      outputLevel: event.outputLevel,
      trivialMove: event.trivialMove,
      startBytes: event.userBytes,
      endBytes: undefined,
      outputs: undefined,
      bytesRead: 0,
      bytesWritten: 0,
      abandoned: undefined,
    };
    this.compactions.push(span);
    this.byId.set(span.id, span);
    this.running = span;
  }

  private change(level: number, files: number, bytes: number): void {
    this.files[level]! += files;
    this.bytes[level]! += bytes;
    if (this.files[level]! > 0) this.deepestLevel = Math.max(this.deepestLevel, level);
    if (level === 0) this.maxLevel0Files = Math.max(this.maxLevel0Files, this.files[0]!);
  }

  private sample(): void {
    this.samples.push({ userBytes: this.userBytes, files: [...this.files], bytes: [...this.bytes] });
  }
}
