/**
 * The terminal view of a running fill. In a terminal it is a block of
 * lines redrawn in place (ANSI "cursor up n lines", then each line
 * cleared and rewritten), at most 10 times a second:
 *
 *     leveled  [██████████░░░░░░░░░░░░░░]  41%  82,432 / 200,000 puts  231,804 puts/s
 *       L0     3 files    781 KiB  ████                      slowdown at 8, stop at 12
 *       L1     4 files   3.95 MiB  ████████████████████
 *       ...
 *       compacting  #21 level0-files  L0 4 files + L1 4 files -> L1   37%
 *       pending 2.10 MiB · flushes 36 · compactions 20 (2 trivial) · stalls 0
 *
 * Anywhere else (a pipe, a log file, CI) it prints one compact line at
 * every 10% of the fill instead.
 */

import { formatBytesSize, formatCount } from '../format.ts';
import { LEVELS } from './compaction-schedule.ts';
import type { FillProgress } from './fill-run.ts';

/** Redraws per second, at most, in a terminal. */
const REDRAWS_PER_SECOND = 10;
/** Lines printed per run without a terminal: one per this many percent. */
const PERCENT_PER_LINE = 10;
const BAR_WIDTH = 24;

/** Shows the progress of runs; see the file comment. */
export class LiveView {
  private drawnLines = 0;
  private lastDrawMs = -Infinity;
  private nextPercent = PERCENT_PER_LINE;

  /**
   * @param out writes one line.
   * @param terminal true to redraw in place (ANSI), false for one line per 10%.
   */
  constructor(
    private readonly out: (line: string) => void,
    private readonly terminal: boolean,
  ) {}

  /** Shows `progress` if it is time to. */
  update(progress: FillProgress): void {
    if (this.terminal) {
      const now = performance.now();
      if (!progress.finished && now - this.lastDrawMs < 1000 / REDRAWS_PER_SECOND) return;
      this.lastDrawMs = now;
      this.redraw(terminalLines(progress));
      if (progress.finished) this.drawnLines = 0; // The next run draws below this one.
      return;
    }
    const percent = (progress.done / progress.settings.num) * 100;
    if (progress.finished || percent >= this.nextPercent) {
      this.out(compactLine(progress));
      while (this.nextPercent <= percent) this.nextPercent += PERCENT_PER_LINE;
    }
    if (progress.finished) this.nextPercent = PERCENT_PER_LINE;
  }

  /** Moves up over the lines drawn last time and writes `lines` in their place. */
  private redraw(lines: readonly string[]): void {
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : '';
    this.out(up + lines.map((line) => `\x1b[2K${line}`).join('\n'));
    this.drawnLines = lines.length;
  }
}

/** The block a terminal shows; see the file comment. */
export function terminalLines(p: FillProgress): string[] {
  const { schedule, settings } = p;
  const fraction = p.done / settings.num;
  const lines = [
    `${settings.strategy.padEnd(8)} [${bar(fraction, BAR_WIDTH, '░')}] ${percentText(fraction).padStart(4)}  ` +
      `${formatCount(p.done)} / ${formatCount(settings.num)} puts  ${rate(p)}`,
  ];
  const largest = Math.max(1, ...schedule.bytes);
  for (let level = 0; level < LEVELS; level++) {
    const files = schedule.files[level]!;
    const bytes = schedule.bytes[level]!;
    const tables = `${String(files).padStart(4)} ${files === 1 ? 'file ' : 'files'}`;
    let line = `  L${level}  ${tables}  ${formatBytesSize(bytes).padStart(9)}  ${bar(bytes / largest, BAR_WIDTH, ' ')}`;
    if (level === 0) line += `  slowdown at ${settings.l0SlowdownTrigger}, stop at ${settings.l0StopTrigger}`;
    lines.push(line.trimEnd());
  }
  lines.push(`  ${runningText(p)}`);
  lines.push(`  ${countsText(p)}`);
  return lines;
}

/** The one line printed every 10% without a terminal. */
export function compactLine(p: FillProgress): string {
  const { schedule, settings } = p;
  const levels: string[] = [];
  for (let level = 0; level < LEVELS; level++) {
    const files = schedule.files[level]!;
    if (files > 0 || level === 0) levels.push(`L${level} ${files}/${formatBytesSize(schedule.bytes[level]!)}`);
  }
  return [
    `${settings.strategy} ${percentText(p.done / settings.num).padStart(4)} ${formatCount(p.done)} puts ${rate(p)}`,
    levels.join(' '),
    countsText(p),
    runningText(p),
  ].join(' | ');
}

function runningText(p: FillProgress): string {
  const span = p.schedule.running;
  const running = p.running;
  if (span === undefined || running === undefined) return 'compacting  nothing';
  const inputs = span.inputs.map((input) => `L${input.level} ${input.files} file${input.files === 1 ? '' : 's'}`).join(' + ');
  const done = running.inputBytes === 0 ? 1 : Math.min(1, running.workBytes / running.inputBytes);
  return `compacting  #${span.id} ${span.reason}  ${inputs} -> L${span.outputLevel}  ${percentText(done)}`;
}

function countsText(p: FillProgress): string {
  const s = p.schedule;
  return (
    `pending ${formatBytesSize(s.pendingBytes)} · flushes ${s.flushes.length} · compactions ${s.finished}` +
    `${s.trivialMoves > 0 ? ` (${s.trivialMoves} trivial)` : ''} · stalls ${s.stalls.length} · max L0 ${s.maxLevel0Files}`
  );
}

function rate(p: FillProgress): string {
  return p.seconds > 0 ? `${formatCount(p.done / p.seconds)} puts/s` : '';
}

function percentText(fraction: number): string {
  return `${Math.floor(fraction * 100)}%`;
}

/** A bar of `width` characters, `fraction` of it filled. */
function bar(fraction: number, width: number, empty: string): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '█'.repeat(filled) + empty.repeat(width - filled);
}
