/**
 * One run of `lsm viz`: a new database, filled with `num` keys in the
 * bench's seeded random order (fillrandom, ../bench/workloads.ts) with the
 * bench's values (../bench/key-space.ts), recording every engine event.
 * Compaction runs as it always does, paced inside the writes; the events
 * say when.
 */

import { LsmTree, type FileSystem, type LsmEvent, type RunningCompactionMetrics } from '../../index.ts';
import { KeySpace } from '../bench/key-space.ts';
import { WORKLOADS } from '../bench/workloads.ts';
import { CompactionSchedule } from './compaction-schedule.ts';
import type { RunRecord, RunSettings } from './event-log.ts';

/** Keys are 16 decimal digits, as in db_bench. */
export const KEY_SIZE = 16;

/** Puts between two looks at the clock for the live view. */
const PUTS_PER_CHECK = 512;

/** What the live view is shown while a run goes on. */
export interface FillProgress {
  readonly settings: RunSettings;
  readonly done: number;
  readonly seconds: number;
  readonly schedule: CompactionSchedule;
  /** The compaction running now, with its progress. */
  readonly running: RunningCompactionMetrics | undefined;
  /** True for the last call, when the fill is done. */
  readonly finished: boolean;
}

/** How to run. */
export interface FillOptions {
  /** Defaults to the real disk. Tests pass a MemoryFileSystem. */
  readonly fileSystem?: FileSystem;
  /** Called every few hundred puts and once at the end. */
  readonly onProgress?: (progress: FillProgress) => void;
}

/** What a run is asked to do; the record adds the key size and the engine's level-0 triggers. */
export type FillSettings = Omit<RunSettings, 'keySize' | 'l0SlowdownTrigger' | 'l0StopTrigger'>;

/**
 * Fills a new database in `dir` as `settings` say and returns the record
 * of the run: the settings (with the engine's triggers filled in), every
 * event, and the final counters. The database is closed at the end.
 * REQUIRES: `dir` holds no database.
 */
export function runFill(settings: FillSettings, dir: string, options: FillOptions = {}): RunRecord {
  const events: LsmEvent[] = [];
  const schedule = new CompactionSchedule();
  const db = LsmTree.open(dir, {
    memtableSize: settings.memtableSize,
    compaction: { strategy: settings.strategy },
    errorIfExists: true,
    onEvent: (event) => {
      events.push(event);
      schedule.add(event);
    },
    ...(options.fileSystem === undefined ? {} : { fileSystem: options.fileSystem }),
  });
  const resolved: RunSettings = { ...settings, keySize: KEY_SIZE, l0SlowdownTrigger: db.options.l0SlowdownTrigger, l0StopTrigger: db.options.l0StopTrigger };
  try {
    const operation = WORKLOADS.fillrandom.operation({ num: settings.num, reads: settings.num }, settings.seed);
    if (operation.kind !== 'write') throw new Error('fillrandom is a write workload');
    const keys = new KeySpace(KEY_SIZE, settings.valueSize, settings.seed);
    const started = performance.now();
    const report = (done: number, finished: boolean): void =>
      options.onProgress?.({
        settings: resolved,
        done,
        seconds: (performance.now() - started) / 1000,
        schedule,
        running: db.metrics().compaction.running,
        finished,
      });
    const order = operation.keys;
    for (let i = 0; i < order.count; i++) {
      db.put(keys.key(order.next()), keys.value());
      if (i % PUTS_PER_CHECK === PUTS_PER_CHECK - 1) report(i + 1, false);
    }
    const seconds = (performance.now() - started) / 1000;
    report(order.count, true);
    const m = db.metrics();
    return {
      settings: resolved,
      events,
      summary: {
        puts: order.count,
        seconds,
        userBytes: m.writes.userBytes,
        walBytes: m.writes.walBytes,
        flushBytes: m.writes.flushBytes,
        compactionBytes: m.writes.compactionBytes,
        writeAmplification: m.writes.writeAmplification,
        flushes: m.writes.flushes,
        compactions: m.compaction.compactions,
        trivialMoves: m.compaction.trivialMoves,
        stalls: m.compaction.stalls,
        stallTimeMs: m.compaction.stallTimeMs,
        slowdownWrites: m.compaction.slowdownWrites,
        levels: m.levels.map(({ files, bytes }) => ({ files, bytes })),
      },
    };
  } finally {
    db.close();
  }
}
