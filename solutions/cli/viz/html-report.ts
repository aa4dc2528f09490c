/**
 * The page `lsm viz` writes: one self-contained HTML file (inline CSS and
 * SVG; no script, font, image or network request), so it opens anywhere
 * and can be mailed or attached to an issue.
 *
 *     Compaction schedule                       the workload, in one line
 *     ┌ metric            leveled   tiered ┐    the runs side by side
 *     └ write amp ...                       ┘
 *     legend
 *     ── leveled ─────────────────────────────
 *     timeline (timeline-svg.ts)               same x scale for every run:
 *     level sizes (level-size-chart.ts)        bytes the user wrote
 *     ── tiered ──────────────────────────────
 *     ...
 */

import { formatBytesSize, formatCount } from '../format.ts';
import { CompactionSchedule, LEVELS } from './compaction-schedule.ts';
import type { RunRecord } from './event-log.ts';
import { levelLegend, levelSizeSvg } from './level-size-chart.ts';
import { escapeXml, REASON_COLORS, SLOWDOWN_COLOR, STALL_COLOR, type XScale } from './svg.ts';
import { timelineSvg } from './timeline-svg.ts';

/** Pixels left of the plot (lane labels, y ticks) and the plot's width. */
const PLOT_LEFT = 84;
const PLOT_WIDTH = 1080;

/** Returns the page for `runs` (usually one per strategy, on the same workload). REQUIRES: runs is not empty. */
export function renderHtml(runs: readonly RunRecord[]): string {
  const schedules = runs.map((run) => CompactionSchedule.of(run.events));
  const maxBytes = Math.max(1, ...runs.map((run, i) => Math.max(run.summary.userBytes, schedules[i]!.userBytes)));
  const scale: XScale = { left: PLOT_LEFT, width: PLOT_WIDTH, maxBytes };
  const used = usedLevels(schedules);
  const maxLevelBytes = Math.max(1, ...schedules.flatMap((s) => s.samples.map((sample) => sample.bytes.reduce((a, b) => a + b, 0))));
  const first = runs[0]!.settings;
  const workload =
    `${formatCount(first.num)} random puts (each key once) · ${first.keySize}-byte keys · ${first.valueSize}-byte values · ` +
    `memtable ${formatBytesSize(first.memtableSize)} · seed ${first.seed}`;
  const sections = runs.map((run, i) => {
    const schedule = schedules[i]!;
    return `<section class="run">
<h2>${escapeXml(run.settings.strategy)}</h2>
<p class="numbers">${escapeXml(summaryLine(run, schedule))}</p>
<h3>Compactions by output level</h3>
${timelineSvg(schedule, run.settings, scale, used)}
<h3>Level sizes <span class="legend">${levelLegend(used)}</span></h3>
${levelSizeSvg(schedule, scale, maxLevelBytes)}
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lsm viz: compaction schedule (${escapeXml(runs.map((r) => r.settings.strategy).join(' vs '))})</title>
<style>${CSS}</style>
</head>
<body>
<h1>Compaction schedule</h1>
<p class="workload">${escapeXml(workload)}</p>
${comparisonTable(runs, schedules)}
${legend()}
${sections.join('\n')}
<p class="footnote">Drawn by <code>lsm viz</code> from the engine's events (the <code>onEvent</code> option). The x axis is logical
time, the bytes of keys and values the user had written, so the same workload draws the same picture on any machine.
Hover over a bar, a shaded stretch or a stall for details.</p>
</body>
</html>
`;
}

/** Levels that held a table at some point in some run: they get full-height lanes. Level 0 and 1 always do. */
function usedLevels(schedules: readonly CompactionSchedule[]): boolean[] {
  const used = new Array<boolean>(LEVELS).fill(false);
  used[0] = true;
  used[1] = true;
  for (const schedule of schedules) {
    for (const sample of schedule.samples) sample.files.forEach((files, level) => (used[level] ||= files > 0));
    for (const span of schedule.compactions) used[span.outputLevel] = true;
  }
  return used;
}

function summaryLine(run: RunRecord, schedule: CompactionSchedule): string {
  const s = run.summary;
  return (
    `write amplification ${s.writeAmplification.toFixed(2)} · ${formatCount(s.compactions)} compactions` +
    `${s.trivialMoves > 0 ? ` (${formatCount(s.trivialMoves)} trivial moves)` : ''} · ${formatCount(s.flushes)} flushes · ` +
    `at most ${schedule.maxLevel0Files} level-0 tables · ${formatCount(s.stalls)} stalls · ` +
    `${formatCount(s.puts / Math.max(s.seconds, 1e-9))} puts/s`
  );
}

/** The runs' numbers side by side. */
function comparisonTable(runs: readonly RunRecord[], schedules: readonly CompactionSchedule[]): string {
  const rows: [string, (run: RunRecord, schedule: CompactionSchedule) => string][] = [
    ['write amplification (WAL + flushes + compactions) / user bytes', (r) => r.summary.writeAmplification.toFixed(2)],
    ['bytes written by compactions', (r) => formatBytesSize(r.summary.compactionBytes)],
    ['compactions (trivial moves)', (r) => `${formatCount(r.summary.compactions)} (${formatCount(r.summary.trivialMoves)})`],
    ['flushes', (r) => formatCount(r.summary.flushes)],
    ['most level-0 tables at once', (_, s) => String(s.maxLevel0Files)],
    ['stalls (time)', (r) => `${formatCount(r.summary.stalls)} (${(r.summary.stallTimeMs / 1000).toFixed(2)} s)`],
    ['writes slowed down', (r) => formatCount(r.summary.slowdownWrites)],
    ['tables at the end, by level', (r) => r.summary.levels.map((l) => l.files).join(' · ')],
    ['size on disk at the end', (r) => formatBytesSize(r.summary.levels.reduce((sum, l) => sum + l.bytes, 0))],
    ['puts per second (this machine)', (r) => formatCount(r.summary.puts / Math.max(r.summary.seconds, 1e-9))],
  ];
  const head = `<tr><th></th>${runs.map((r) => `<th>${escapeXml(r.settings.strategy)}</th>`).join('')}</tr>`;
  const body = rows
    .map(([name, cell]) => `<tr><td>${escapeXml(name)}</td>${runs.map((r, i) => `<td class="num">${escapeXml(cell(r, schedules[i]!))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="comparison">\n${head}\n${body}\n</table>`;
}

/** What the marks of the timeline mean. */
function legend(): string {
  const reasons = Object.entries(REASON_COLORS)
    .map(([reason, color]) => `<span class="swatch" style="background:${color}"></span>${escapeXml(reason)}`)
    .join(' ');
  return `<p class="legend">Bars, by the reason the strategy gave: ${reasons}
<br><span class="swatch hollow"></span>trivial move (hollow) · <span class="swatch tick"></span>flush ·
<span class="swatch" style="background:${SLOWDOWN_COLOR};opacity:.35"></span>writes slowed down ·
<span class="swatch" style="background:${STALL_COLOR};width:3px"></span>stall ·
in the L0 lane, the step line counts level-0 tables against the dashed slowdown and stop triggers</p>`;
}

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 24px 32px; max-width: 1240px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 18px; margin: 28px 0 2px; border-bottom: 1px solid #ddd; padding-bottom: 2px; }
h3 { font-size: 13px; font-weight: 600; color: #555; margin: 10px 0 0; }
.workload, .numbers, .footnote { color: #555; margin: 2px 0 10px; }
.footnote { font-size: 12px; margin-top: 24px; }
table.comparison { border-collapse: collapse; margin: 8px 0 10px; font-size: 13px; }
table.comparison th, table.comparison td { padding: 3px 12px; border-bottom: 1px solid #eee; text-align: left; }
table.comparison td.num, table.comparison th + th { text-align: right; font-variant-numeric: tabular-nums; }
.legend { font-size: 12px; color: #444; font-weight: normal; }
.swatch { display: inline-block; width: 11px; height: 11px; margin: 0 4px 0 10px; vertical-align: -1px; border-radius: 2px; }
.swatch.hollow { border: 1.5px dashed #4c78a8; width: 9px; height: 9px; }
.swatch.tick { width: 1.5px; background: #666; }
svg { display: block; font: 11px system-ui, sans-serif; overflow: visible; }
.lane-bg { fill: #fafafa; }
.lane-bg.odd { fill: #f0f2f5; }
.lane-label { fill: #333; font-weight: 600; }
.lane-label.empty { fill: #aaa; font-weight: normal; font-size: 9px; }
.slowdown { opacity: .22; }
.trigger { stroke: #c44; stroke-width: 1; stroke-dasharray: 4 3; opacity: .6; }
.trigger-label { fill: #c44; font-size: 9px; }
.flush { stroke: #666; stroke-width: 1; }
.l0-count { fill: none; stroke: #333; stroke-width: 1.25; }
.connector { stroke-width: 1; opacity: .55; }
.compaction { stroke-width: 1.5; }
.compaction.merge { fill-opacity: .85; stroke: #fff; stroke-width: .5; }
.compaction.trivial { stroke-dasharray: 3 2; }
.compaction.abandoned { stroke: #999; stroke-dasharray: 2 2; }
.compaction:hover, .band:hover { filter: brightness(1.15); stroke: #000; }
.axis { stroke: #888; }
.grid { stroke: #e5e5e5; }
.tick { fill: #666; font-size: 10px; }
.axis-label { fill: #666; font-size: 10px; font-style: italic; }
.band { stroke: #fff; stroke-width: .5; }
`;
