/**
 * Progress bars for long runs (cli-progress), on standard error, and only
 * when both standard output and standard error are terminals: a bar in a
 * log file or a pipe is noise. The bar is redrawn from inside the run's
 * loop (cli-progress's synchronousUpdate), since our engine's loops never
 * yield to the event loop that would run a timer.
 */

import cliProgress from 'cli-progress';
import type { ProgressSink } from './meter.ts';

/** Starts and stops one bar per run, or does nothing when disabled. */
export class Progress {
  private bar: cliProgress.SingleBar | undefined;

  constructor(private readonly enabled: boolean) {}

  /** Returns true iff bars are drawn in this process with these options. */
  static wanted(json: boolean, requested: boolean): boolean {
    return requested && !json && process.stdout.isTTY === true && process.stderr.isTTY === true;
  }

  /** Starts a bar labelled `label` for `total` operations; returns the sink the meter calls, or undefined when disabled. */
  start(label: string, total: number): ProgressSink | undefined {
    if (!this.enabled) return undefined;
    this.stop();
    const bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(34)} [{bar}] {percentage}% | {value}/{total} ops | {rate} ops/s | eta {eta_formatted}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now();
    bar.start(total, 0, { rate: '-' });
    this.bar = bar;
    return (done) => {
      const seconds = (performance.now() - started) / 1000;
      bar.update(Math.min(done, total), { rate: seconds > 0 ? Math.round(done / seconds).toLocaleString('en-US') : '-' });
    };
  }

  /** Removes the current bar, if any. */
  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
