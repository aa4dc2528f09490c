/**
 * `lsm viz`: watch compaction keep up with a random fill. Runs the fill
 * once per strategy (../viz/fill-run.ts) on the real disk, shows it live
 * in the terminal (../viz/live-view.ts), and writes one self-contained
 * HTML page with each run's compaction timeline and level sizes
 * (../viz/html-report.ts). With --events it also saves the engine's events,
 * which --from draws again later without running anything.
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { processOutput, UsageError, userPath, type Command, type Output } from '../command.ts';
import { formatBytesSize, formatCount } from '../format.ts';
import { readEventLog, writeEventLog, type RunRecord } from '../viz/event-log.ts';
import { runFill } from '../viz/fill-run.ts';
import { renderHtml } from '../viz/html-report.ts';
import { LiveView } from '../viz/live-view.ts';
import { parseVizOptions, VIZ_USAGE, type VizOptions } from '../viz/viz-options.ts';

/** Returns the directory the databases go in, and whether to remove it at the end. */
function baseDirectory(options: VizOptions): { dir: string; remove: boolean } {
  if (options.dir === undefined) return { dir: mkdtempSync(join(tmpdir(), 'lsm-viz-')), remove: true };
  const dir = resolve(userPath(options.dir));
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new UsageError(`--dir ${options.dir} is not empty: viz creates a new database per strategy in it`);
  return { dir, remove: false };
}

/** Runs the fill once per strategy and returns the records. */
function runAll(options: VizOptions, output: Output): RunRecord[] {
  // A terminal gets the redrawn view; captured output (tests) and pipes get a line per 10%.
  const terminal = output === processOutput && process.stdout.isTTY === true;
  const view = options.live ? new LiveView(output.out, terminal) : undefined;
  const { dir, remove } = baseDirectory(options);
  const runs: RunRecord[] = [];
  try {
    for (const strategy of options.strategies) {
      const settings = { strategy, num: options.num, valueSize: options.valueSize, memtableSize: options.memtableSize, seed: options.seed };
      runs.push(runFill(settings, join(dir, strategy), view === undefined ? {} : { onProgress: (p) => view.update(p) }));
    }
  } finally {
    if (remove) rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}

/** The page's default name: viz.html for several strategies, viz-<strategy>.html for one. */
function defaultHtmlName(runs: readonly RunRecord[]): string {
  const strategies = [...new Set(runs.map((run) => run.settings.strategy))];
  return strategies.length === 1 ? `viz-${strategies[0]}.html` : 'viz.html';
}

export const command: Command = {
  name: 'viz',
  summary: 'a random fill per compaction strategy, live in the terminal, then an HTML timeline of every compaction',
  usage: VIZ_USAGE,
  async run(args, output) {
    const options = parseVizOptions(args);
    let runs: RunRecord[];
    if (options.from !== undefined) {
      runs = readEventLog(userPath(options.from));
    } else {
      const { num, valueSize, memtableSize, seed } = options;
      output.out(
        `lsm viz: ${options.strategies.join(' then ')} · ${formatCount(num)} random puts · ${valueSize}-byte values · ` +
          `memtable ${formatBytesSize(memtableSize)} · seed ${seed}`,
      );
      runs = runAll(options, output);
    }
    if (options.events !== undefined) {
      const path = userPath(options.events);
      writeEventLog(path, runs);
      output.out(`events: ${path} (draw it again with: lsm viz --from ${options.events})`);
    }
    for (const run of runs) {
      const s = run.summary;
      output.out(
        `${run.settings.strategy.padEnd(8)} write amplification ${s.writeAmplification.toFixed(2)} · ${formatCount(s.compactions)} compactions ` +
          `(${formatCount(s.trivialMoves)} trivial) · ${formatCount(s.flushes)} flushes · ${formatCount(s.stalls)} stalls · ` +
          `${formatCount(s.puts / Math.max(s.seconds, 1e-9))} puts/s`,
      );
    }
    const htmlPath = userPath(options.html ?? defaultHtmlName(runs));
    writeFileSync(htmlPath, renderHtml(runs));
    output.out(`page: ${htmlPath} (${formatBytesSize(statSync(htmlPath).size)}; open it in a browser)`);
    return 0;
  },
};
