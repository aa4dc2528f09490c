/**
 * A recorded run: the settings, every engine event in order, and the
 * engine's final counters. `lsm viz --events FILE` writes runs as JSON
 * lines, and `lsm viz --from FILE` draws them again without running
 * anything:
 *
 *     {"type":"viz-run","strategy":"leveled","num":200000,...}      one per run, first
 *     {"type":"flush","tables":[5],"bytes":263302,...}              the engine's events (events.ts)
 *     {"type":"compaction-start","id":1,...}
 *     ...
 *     {"type":"viz-summary","writeAmplification":7.9,...}           one per run, last
 *
 * Several runs (--strategy both) follow one another in the same file.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import type { LsmEvent } from '../../index.ts';
import type { VizStrategy } from './viz-options.ts';

/** How a run was set up. */
export interface RunSettings {
  readonly strategy: VizStrategy;
  readonly num: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly memtableSize: number;
  readonly seed: number;
  readonly l0SlowdownTrigger: number;
  readonly l0StopTrigger: number;
}

/** The engine's counters at the end of a run (from metrics()), and the run's duration. */
export interface RunSummary {
  readonly puts: number;
  /** Wall-clock seconds of the fill. */
  readonly seconds: number;
  readonly userBytes: number;
  readonly walBytes: number;
  readonly flushBytes: number;
  readonly compactionBytes: number;
  readonly writeAmplification: number;
  readonly flushes: number;
  readonly compactions: number;
  readonly trivialMoves: number;
  readonly stalls: number;
  readonly stallTimeMs: number;
  readonly slowdownWrites: number;
  /** Every level at the end, L0 first. */
  readonly levels: readonly { readonly files: number; readonly bytes: number }[];
}

/** One run, recorded. */
export interface RunRecord {
  readonly settings: RunSettings;
  readonly events: readonly LsmEvent[];
  readonly summary: RunSummary;
}

/** Thrown for a file that is not an event log. */
export class EventLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventLogError';
  }
}

/** Returns `runs` as JSON lines (see the file comment). */
export function formatEventLog(runs: readonly RunRecord[]): string {
  const lines: string[] = [];
  for (const run of runs) {
    lines.push(JSON.stringify({ type: 'viz-run', ...run.settings }));
    for (const event of run.events) lines.push(JSON.stringify(event));
    lines.push(JSON.stringify({ type: 'viz-summary', ...run.summary }));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads the runs back from JSON lines.
 * @throws EventLogError naming the line, for a line that is not JSON or is out of place.
 */
export function parseEventLog(text: string, name = 'the event log'): RunRecord[] {
  const runs: RunRecord[] = [];
  let current: { settings: RunSettings; events: LsmEvent[] } | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    const where = `${name} line ${i + 1}`;
    let record: { type?: unknown };
    try {
      record = JSON.parse(line) as { type?: unknown };
    } catch {
      throw new EventLogError(`${where} is not JSON: an event log has one JSON object per line (lsm viz --events writes one)`);
    }
    if (typeof record !== 'object' || record === null || typeof record.type !== 'string') {
      throw new EventLogError(`${where} is not an event: it has no "type"`);
    }
    const { type, ...fields } = record;
    if (type === 'viz-run') {
      if (current !== undefined) throw new EventLogError(`${where}: a run begins before the previous one ended`);
      current = { settings: fields as unknown as RunSettings, events: [] };
    } else if (type === 'viz-summary') {
      if (current === undefined) throw new EventLogError(`${where}: a summary without a run`);
      runs.push({ ...current, summary: fields as unknown as RunSummary });
      current = undefined;
    } else {
      if (current === undefined) throw new EventLogError(`${where}: an event before any "viz-run" line`);
      current.events.push(record as LsmEvent);
    }
  }
  if (current !== undefined) throw new EventLogError(`${name} ends in the middle of a run (no "viz-summary" line): was the run interrupted?`);
  if (runs.length === 0) throw new EventLogError(`${name} holds no run`);
  return runs;
}

/** Writes `runs` to `path`. */
export function writeEventLog(path: string, runs: readonly RunRecord[]): void {
  writeFileSync(path, formatEventLog(runs));
}

/** Reads the runs in `path`. @throws EventLogError for a file that is not an event log. */
export function readEventLog(path: string): RunRecord[] {
  return parseEventLog(readFileSync(path, 'utf8'), path);
}
