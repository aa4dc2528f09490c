/**
 * Meter: what one run of one workload on one engine measured — operations,
 * calls, bytes, keys found, and a latency histogram — plus the progress bar
 * it moves.
 *
 * Latency is per call the user makes: one put or get for a per-call engine,
 * one batch for a batched one (then `ops / calls` is the batch size). Each
 * call is timed with `performance.now()` (sub-microsecond resolution on
 * Node) and recorded in nanoseconds in an HdrHistogram with 3 significant
 * digits, so p99.9 of a million samples costs a few kilobytes, not a sort.
 * The histogram auto-resizes, so a multi-second stall is recorded as it is.
 *
 * The engine adapter's loop is
 *
 *     const t0 = performance.now();
 *     db.put(key, value);
 *     meter.recordWrite(t0, 1, key.length + value.length);
 */

import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** How a run reports progress: a callback with the operations done so far. */
export type ProgressSink = (opsDone: number) => void;

/** Latency percentiles of a run, in microseconds. */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/** What one run measured; see the file comment. */
export class Meter {
  /** Operations done (a batch of 1,000 puts is 1,000). */
  ops = 0;
  /** Calls made (a batch is one). */
  calls = 0;
  /** Bytes of keys and values written or read. */
  bytes = 0;
  /** Of those, the bytes written (puts and deletes). */
  writtenBytes = 0;
  /** Of the operations, the puts and deletes. */
  writeOps = 0;
  /** Point reads and seeks that found an entry. */
  found = 0;
  /** True once `timeUp()` has said the run's time budget is spent. */
  timedOut = false;
  private readonly histogram: Histogram = hdr.build({ numberOfSignificantValueDigits: 3 });
  private nextProgressAt: number;
  private readonly progressStep: number;

  /**
   * @param expectedOps the run's size, for the progress bar.
   * @param progress called about a hundred times per run, if given.
   * @param deadline a `performance.now()` after which `timeUp()` is true (--duration); Infinity for none.
   */
  constructor(
    expectedOps: number,
    private readonly progress?: ProgressSink,
    private readonly deadline = Infinity,
  ) {
    this.progressStep = Math.max(1, Math.floor(expectedOps / 200));
    this.nextProgressAt = progress === undefined ? Infinity : this.progressStep;
  }

  /**
   * Returns true iff the run's time budget is spent: the adapters' loops
   * stop there. The clock is read every 16th call, so the check costs
   * nothing next to an operation.
   */
  timeUp(): boolean {
    if (this.timedOut) return true;
    if ((this.calls & 15) !== 0 || this.deadline === Infinity) return false;
    this.timedOut = performance.now() >= this.deadline;
    return this.timedOut;
  }

  /** Records one call that started at `t0` (a `performance.now()`) and wrote `bytes` bytes in `ops` puts or deletes. */
  recordWrite(t0: number, ops: number, bytes: number): void {
    this.writtenBytes += bytes;
    this.writeOps += ops;
    this.record(t0, ops, bytes);
  }

  /** Records one call that started at `t0` (a `performance.now()`) and did `ops` operations over `bytes` bytes. */
  record(t0: number, ops: number, bytes: number): void {
    const nanoseconds = Math.round((performance.now() - t0) * 1e6);
    this.histogram.recordValue(nanoseconds < 0 ? 0 : nanoseconds);
    this.calls++;
    this.ops += ops;
    this.bytes += bytes;
    if (this.ops >= this.nextProgressAt) {
      this.nextProgressAt = this.ops + this.progressStep;
      this.progress?.(this.ops);
    }
  }

  /** Returns the latency percentiles, in microseconds; all 0 if no call was recorded. */
  latency(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return { p50: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    // A percentile is reported as the top of its histogram bucket, which can
    // pass the exact maximum by a fraction of a percent: clamp it.
    const max = h.maxValue;
    const us = (ns: number): number => Math.round(Math.min(ns, max)) / 1000;
    return {
      p50: us(h.getValueAtPercentile(50)),
      p99: us(h.getValueAtPercentile(99)),
      p999: us(h.getValueAtPercentile(99.9)),
      max: us(max),
      mean: us(h.mean),
    };
  }

  /** Frees the histogram's memory. */
  destroy(): void {
    this.histogram.destroy();
  }
}
