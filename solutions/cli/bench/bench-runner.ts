/**
 * Runs the chosen workloads on each target and collects the results.
 *
 * Engine after engine, not workload after workload: each target runs every
 * workload in its own directory, then is closed (LevelDB's close waits for
 * its background compaction) before the next one starts. So no engine's
 * background threads take CPU from another's measurement on this 2-core
 * machine, and each engine's database evolves through the workloads as it
 * would in db_bench. Every target gets the same keys in the same order: each
 * run rebuilds its key order and values from the seed.
 */

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { diskUsage, readIoCounters } from './disk-usage.ts';
import { KeySpace } from './key-space.ts';
import { Meter, type LatencySummary } from './meter.ts';
import type { Progress } from './progress.ts';
import type { BenchTarget, EngineMetrics } from './targets/target.ts';
import { WORKLOADS, type Operation, type WorkloadName } from './workloads.ts';

/** What writing cost the disk, for the write workloads. */
export interface WriteCost {
  /** Bytes of keys and values the workload wrote. */
  readonly userBytes: number;
  /** Bytes this process sent to the storage layer during the run (/proc/self/io write_bytes); undefined where unknown. */
  readonly diskWriteBytes: number | undefined;
  /** Of those, bytes thrown away before they reached the disk (deleted or truncated while dirty). */
  readonly cancelledWriteBytes: number | undefined;
  /** diskWriteBytes / userBytes; for our engine without /proc/self/io, its own count. Undefined where unknown. */
  readonly writeAmplification: number | undefined;
  /** Bytes the database directory takes on disk after the run (du). */
  readonly spaceBytes: number;
}

/** One workload measured on one target. */
export interface RunResult {
  readonly workload: WorkloadName;
  readonly engine: string;
  readonly ops: number;
  readonly calls: number;
  /** Operations per call: 1, or the batch size. */
  readonly opsPerCall: number;
  /** The operations the workload has; `ops` is smaller iff `sampled`. */
  readonly plannedOps: number;
  /**
   * True iff --duration cut the measurement short: the figures are of the
   * first `ops` operations. A workload that writes then did its other
   * writes unmeasured, so the workloads after it find the same database.
   */
  readonly sampled: boolean;
  readonly seconds: number;
  readonly opsPerSecond: number;
  /** Megabytes (10^6) of keys and values per second. */
  readonly mbPerSecond: number;
  /** Point reads and seeks made (reads and mixed workloads). */
  readonly lookups: number | undefined;
  /** Of those, how many found an entry. */
  readonly found: number | undefined;
  /** Per-call latency, in microseconds. */
  readonly latencyUs: LatencySummary;
  readonly writes: WriteCost | undefined;
  /** True iff an unmeasured fillseq ran first, because the database was not filled. */
  readonly setupFill: boolean;
  /** Our engine's counters after the run. */
  readonly engineMetrics: EngineMetrics | undefined;
  /** Our engine's read counters for this run alone (the engine's own are over its life). */
  readonly runReads: RunReads | undefined;
}

/** What this run's reads cost our engine. */
export interface RunReads {
  readonly gets: number;
  /** Tables asked per get (a bloom filter's "no" counts as asked). */
  readonly tablesProbedPerGet: number;
  /** Block cache hits ÷ lookups during the run (compaction's reads included); undefined without lookups. */
  readonly blockCacheHitRate: number | undefined;
}

/** Returns the read counters between two snapshots of our engine's metrics. */
function runReads(before: EngineMetrics, after: EngineMetrics): RunReads {
  const gets = after.gets - before.gets;
  const hits = after.blockCacheHits - before.blockCacheHits;
  const lookups = hits + after.blockCacheMisses - before.blockCacheMisses;
  return {
    gets,
    tablesProbedPerGet: gets === 0 ? 0 : (after.tablesProbed - before.tablesProbed) / gets,
    blockCacheHitRate: lookups === 0 ? undefined : hits / lookups,
  };
}

/** A workload a target cannot run. */
export interface SkippedRun {
  readonly workload: WorkloadName;
  readonly engine: string;
  readonly skipped: string;
}

export type BenchResult = RunResult | SkippedRun;

/** Returns true iff `result` was measured (not skipped). */
export function isMeasured(result: BenchResult): result is RunResult {
  return !('skipped' in result);
}

/** What the runner needs besides the targets. */
export interface RunnerSettings {
  readonly num: number;
  readonly reads: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly seed: number;
  readonly workloads: readonly WorkloadName[];
  /** Seconds each workload is measured for at most (--duration); 0 for no limit. */
  readonly duration: number;
  /** The directory the targets' directories go in. */
  readonly baseDir: string;
  readonly progress: Progress;
  /** Called with each result as soon as it is measured. */
  readonly onResult?: (result: BenchResult) => void;
}

/** Returns the directory name of a target: its name with spaces as dashes. */
export function targetDirName(target: BenchTarget): string {
  return target.name.replace(/[^a-zA-Z0-9_.-]+/g, '-');
}

/** Runs every workload on every target, engine after engine; see the file comment. */
export async function runBench(targets: readonly BenchTarget[], settings: RunnerSettings): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const target of targets) {
    const dir = join(settings.baseDir, targetDirName(target));
    const fresh = async (): Promise<void> => {
      await target.close();
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      await target.open(dir);
    };
    await fresh();
    let filled = false;
    try {
      for (const [index, name] of settings.workloads.entries()) {
        const workload = WORKLOADS[name];
        // The same seed for every target: the same keys in the same order.
        const seed = (settings.seed * 1_000_003 + index * 7919) >>> 0;
        const operation = workload.operation(settings, seed);
        const why = target.unsupported(operation);
        if (why !== undefined) {
          const skipped: SkippedRun = { workload: name, engine: target.name, skipped: why };
          results.push(skipped);
          settings.onResult?.(skipped);
          continue;
        }
        let setupFill = false;
        if (workload.needs === 'fresh') {
          if (index > 0) await fresh();
        } else if (!filled) {
          setupFill = true;
          const fill = WORKLOADS.fillseq.operation(settings, seed);
          const sink = settings.progress.start(`${target.name}: setup fillseq`, settings.num);
          const meter = new Meter(settings.num, sink);
          await target.run(fill, new KeySpace(settings.keySize, settings.valueSize, seed), meter);
          meter.destroy();
          settings.progress.stop();
        }
        const last = index === settings.workloads.length - 1;
        const result = await measure(target, name, settings, seed, dir, setupFill, last);
        filled = workload.leavesFilled;
        results.push(result);
        settings.onResult?.(result);
      }
    } finally {
      settings.progress.stop();
      await target.close();
    }
  }
  return results;
}

/**
 * Returns the writes a workload cut after `done` of its `planned`
 * operations still owes, as one write operation that continues its key
 * order (and, for a mixed workload, its coin flips, keeping only the puts);
 * undefined if it owes none. Reads change nothing, so they owe nothing.
 */
function remainingWrites(operation: Operation, done: number, planned: number): WriteOperation | undefined {
  if (done >= planned) return undefined;
  if (operation.kind === 'write') {
    const order = operation.keys;
    return { ...operation, keys: { count: planned - done, next: () => order.next() } };
  }
  if (operation.kind !== 'mixed') return undefined;
  const puts: number[] = [];
  for (let i = done; i < planned; i++) {
    const key = operation.keys.next();
    if (!operation.coin.chance(operation.readFraction)) puts.push(key);
  }
  let at = 0;
  return puts.length === 0 ? undefined : { kind: 'write', delete: false, keys: { count: puts.length, next: () => puts[at++]! } };
}

type WriteOperation = Extract<Operation, { kind: 'write' }>;

async function measure(
  target: BenchTarget,
  name: WorkloadName,
  settings: RunnerSettings,
  seed: number,
  dir: string,
  setupFill: boolean,
  last: boolean,
): Promise<RunResult> {
  const workload = WORKLOADS[name];
  const operation = workload.operation(settings, seed);
  const expected = operation.kind === 'scan' ? operation.limit : operation.keys.count;
  const keys = new KeySpace(settings.keySize, settings.valueSize, seed);
  const engineBefore = target.engineMetrics?.();
  const ioBefore = readIoCounters();
  const started = performance.now();
  const deadline = settings.duration > 0 ? started + settings.duration * 1000 : Infinity;
  const meter = new Meter(expected, settings.progress.start(`${target.name}: ${name}`, expected), deadline);
  try {
    await target.run(operation, keys, meter);
  } finally {
    settings.progress.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  // A workload cut short does its remaining writes unmeasured, so the next
  // workload finds the database a whole run would have left, on every
  // engine. Their bytes count in the write amplification (the disk counters
  // span both parts), not in the speed. The last workload has no next one.
  let restWrittenBytes = 0;
  const rest = last ? undefined : remainingWrites(operation, meter.ops, expected);
  if (rest !== undefined) {
    const restMeter = new Meter(rest.keys.count, settings.progress.start(`${target.name}: ${name} (rest, unmeasured)`, rest.keys.count));
    try {
      await target.run(rest, keys, restMeter, true);
    } finally {
      settings.progress.stop();
    }
    restWrittenBytes = restMeter.writtenBytes;
    restMeter.destroy();
  }
  const ioAfter = readIoCounters();
  const engineAfter = target.engineMetrics?.();
  const latencyUs = meter.latency();
  meter.destroy();

  let writes: WriteCost | undefined;
  if (workload.writes) {
    const userBytes = meter.writtenBytes + restWrittenBytes;
    const diskWriteBytes = ioBefore && ioAfter ? ioAfter.writeBytes - ioBefore.writeBytes : undefined;
    const cancelledWriteBytes = ioBefore && ioAfter ? ioAfter.cancelledWriteBytes - ioBefore.cancelledWriteBytes : undefined;
    let writeAmplification: number | undefined;
    if (diskWriteBytes !== undefined && userBytes > 0) writeAmplification = diskWriteBytes / userBytes;
    else if (engineBefore !== undefined && engineAfter !== undefined && userBytes > 0) {
      writeAmplification = (engineAfter.writtenBytes - engineBefore.writtenBytes) / userBytes;
    }
    writes = { userBytes, diskWriteBytes, cancelledWriteBytes, writeAmplification, spaceBytes: diskUsage(dir) };
  }
  const reads = operation.kind === 'get' || operation.kind === 'seek' || operation.kind === 'mixed';
  return {
    workload: name,
    engine: target.name,
    ops: meter.ops,
    plannedOps: expected,
    sampled: meter.timedOut && meter.ops < expected,
    calls: meter.calls,
    opsPerCall: meter.calls === 0 ? 0 : meter.ops / meter.calls,
    seconds,
    opsPerSecond: seconds > 0 ? meter.ops / seconds : 0,
    mbPerSecond: seconds > 0 ? meter.bytes / 1e6 / seconds : 0,
    lookups: reads ? meter.ops - meter.writeOps : undefined,
    found: reads ? meter.found : undefined,
    latencyUs,
    writes,
    setupFill,
    engineMetrics: engineAfter,
    runReads: engineBefore !== undefined && engineAfter !== undefined ? runReads(engineBefore, engineAfter) : undefined,
  };
}
