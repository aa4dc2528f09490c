/**
 * The compaction timeline of one run, as SVG: one lane per level (L0 at
 * the top), x = bytes the user had written (logical time).
 *
 *     L0 │ ╷ ╷ ╷ ╷ ╷ ╷ ╷ ╷    flush ticks, and the level-0 file count as a
 *        │ ▁▂▃▄▁▂▃▄▁▂▃▄       step line against the slowdown / stop triggers
 *     L1 │ ●──█████  ●──███    a bar per compaction, in its output level's
 *     L2 │ ●──────────█████    lane, from its start to its finish; a line from
 *        ┆                     each input level; hover for inputs → outputs
 *
 * Slowdowns are shaded orange across every lane, stalls are red lines.
 * Levels that never held a table get a thin lane, so the busy ones stay
 * readable.
 */

import { formatBytesSize, formatCount } from '../format.ts';
import type { EventTables } from '../../index.ts';
import { LEVELS, type CompactionSchedule, type CompactionSpan } from './compaction-schedule.ts';
import type { RunSettings } from './event-log.ts';
import { escapeXml, n, REASON_COLORS, SLOWDOWN_COLOR, STALL_COLOR, xAxis, xOf, type XScale } from './svg.ts';

const LEVEL0_LANE_HEIGHT = 46;
const LANE_HEIGHT = 30;
const EMPTY_LANE_HEIGHT = 14;
const TOP = 8;
/** The narrowest bar drawn: a compaction that started and finished within one write is still visible. */
const MIN_BAR_WIDTH = 3;

/** Which levels get a full lane: those that ever held a table in any of the runs drawn together. */
export type UsedLevels = readonly boolean[];

/** Returns the SVG of `schedule`'s timeline; `used` says which lanes are full height. */
export function timelineSvg(schedule: CompactionSchedule, settings: RunSettings, scale: XScale, used: UsedLevels): string {
  const lanes = laneLayout(used);
  const bottom = lanes[LEVELS - 1]!.top + lanes[LEVELS - 1]!.height;
  const height = bottom + 40;
  const right = scale.left + scale.width;
  const parts: string[] = [];
  parts.push(`<svg class="timeline" viewBox="0 0 ${n(right + 12)} ${n(height)}" width="${n(right + 12)}" height="${n(height)}">`);
  // Lanes: background bands and labels.
  for (let level = 0; level < LEVELS; level++) {
    const { top, height: h } = lanes[level]!;
    parts.push(`<g class="lane" data-level="${level}">`);
    parts.push(`<rect class="lane-bg${level % 2 === 1 ? ' odd' : ''}" x="${n(scale.left)}" y="${n(top)}" width="${n(scale.width)}" height="${n(h)}"/>`);
    const label = level === 0 ? 'L0 tables' : used[level] ? `L${level}` : `L${level} (empty)`;
    parts.push(`<text class="lane-label${used[level] ? '' : ' empty'}" x="${n(scale.left - 8)}" y="${n(top + h / 2 + 4)}" text-anchor="end">${label}</text>`);
    parts.push('</g>');
  }
  // Slowdowns: shaded across every lane.
  for (const span of schedule.slowdowns) {
    const x0 = xOf(scale, span.startBytes);
    const x1 = Math.max(x0 + 1, xOf(scale, span.endBytes ?? schedule.userBytes));
    const title = `slowdown from ${formatBytesSize(span.startBytes)} to ${formatBytesSize(span.endBytes ?? schedule.userBytes)} written: level 0 or the compaction debt passed a slowdown limit, so each write did 4 times its share of compaction`;
    parts.push(
      `<rect class="slowdown" x="${n(x0)}" y="${n(TOP)}" width="${n(x1 - x0)}" height="${n(bottom - TOP)}" fill="${SLOWDOWN_COLOR}"><title>${escapeXml(title)}</title></rect>`,
    );
  }
  parts.push(level0Lane(schedule, settings, scale, lanes[0]!));
  // Compactions: connectors first, so the bars are drawn over them.
  for (const span of schedule.compactions) parts.push(connectors(span, scale, lanes));
  for (const span of schedule.compactions) parts.push(compactionBar(span, schedule, scale, lanes));
  // Stalls: red lines across every lane.
  for (const stall of schedule.stalls) {
    const x = xOf(scale, stall.userBytes);
    const limit = stall.trigger === 'level0-files' ? `level 0 held ${stall.level0Files} tables (stop trigger ${settings.l0StopTrigger})` : `the compaction debt was ${formatBytesSize(stall.pendingBytes)}`;
    const title = `stall at ${formatBytesSize(stall.userBytes)} written: ${limit}; the write ran ${formatBytesSize(stall.workBytes)} of compaction before it went on`;
    parts.push(`<rect class="stall" x="${n(x - 1)}" y="${n(TOP)}" width="2" height="${n(bottom - TOP)}" fill="${STALL_COLOR}"><title>${escapeXml(title)}</title></rect>`);
  }
  parts.push(xAxis(scale, bottom, 'bytes written by the user (logical time)'));
  parts.push('</svg>');
  return parts.join('\n');
}

interface Lane {
  readonly top: number;
  readonly height: number;
}

/** Stacks the lanes from the top: level 0 taller (it shows its file count), unused levels thin. */
function laneLayout(used: UsedLevels): Lane[] {
  const lanes: Lane[] = [];
  let top = TOP;
  for (let level = 0; level < LEVELS; level++) {
    const height = level === 0 ? LEVEL0_LANE_HEIGHT : used[level] ? LANE_HEIGHT : EMPTY_LANE_HEIGHT;
    lanes.push({ top, height });
    top += height;
  }
  return lanes;
}

/** Level 0: a tick per flush, and the file count as a step line against the two triggers. */
function level0Lane(schedule: CompactionSchedule, settings: RunSettings, scale: XScale, lane: Lane): string {
  const parts: string[] = [];
  const ceiling = Math.max(settings.l0StopTrigger, schedule.maxLevel0Files, 1);
  // The flush ticks take the lane's top 8 pixels; the count is drawn below them.
  const yOf = (files: number): number => lane.top + lane.height - 3 - (files / ceiling) * (lane.height - 16);
  for (const [name, files] of [
    ['slowdown trigger', settings.l0SlowdownTrigger],
    ['stop trigger', settings.l0StopTrigger],
  ] as const) {
    const y = yOf(files);
    parts.push(`<line class="trigger" x1="${n(scale.left)}" y1="${n(y)}" x2="${n(scale.left + scale.width)}" y2="${n(y)}"><title>${escapeXml(`level 0 ${name}: ${files} tables`)}</title></line>`);
    parts.push(`<text class="trigger-label" x="${n(scale.left + scale.width + 3)}" y="${n(y + 3)}">${files}</text>`);
  }
  for (const userBytes of schedule.flushes) {
    const x = xOf(scale, userBytes);
    parts.push(`<line class="flush" x1="${n(x)}" y1="${n(lane.top + 2)}" x2="${n(x)}" y2="${n(lane.top + 8)}"/>`);
  }
  // The file count, from the samples (one per flush and per finished compaction).
  let d = '';
  for (const sample of schedule.samples) {
    const x = xOf(scale, sample.userBytes);
    const y = yOf(sample.files[0]!);
    d += d === '' ? `M${n(x)},${n(y)}` : `H${n(x)}V${n(y)}`;
  }
  d += `H${n(xOf(scale, schedule.userBytes))}`;
  const title = `level-0 tables over time (at most ${schedule.maxLevel0Files}); the ticks above are the ${formatCount(schedule.flushes.length)} flushes`;
  parts.push(`<path class="l0-count" d="${d}"><title>${escapeXml(title)}</title></path>`);
  return parts.join('\n');
}

/** Lines from each input level down to the compaction's bar, at its start. */
function connectors(span: CompactionSpan, scale: XScale, lanes: readonly Lane[]): string {
  const x = xOf(scale, span.startBytes) + 0.5;
  const output = lanes[span.outputLevel]!;
  const parts: string[] = [];
  for (const input of span.inputs) {
    if (input.level === span.outputLevel) continue;
    const from = lanes[input.level]!;
    const y0 = from.top + from.height / 2;
    parts.push(`<line class="connector" x1="${n(x)}" y1="${n(y0)}" x2="${n(x)}" y2="${n(output.top + 4)}" stroke="${REASON_COLORS[span.reason]}"/>`);
    parts.push(`<circle class="input-dot" cx="${n(x)}" cy="${n(y0)}" r="2.5" fill="${REASON_COLORS[span.reason]}"/>`);
  }
  return parts.join('');
}

/** The bar of one compaction, in its output lane, with its tooltip. */
function compactionBar(span: CompactionSpan, schedule: CompactionSchedule, scale: XScale, lanes: readonly Lane[]): string {
  const lane = lanes[span.outputLevel]!;
  const x0 = xOf(scale, span.startBytes);
  const x1 = Math.max(x0 + MIN_BAR_WIDTH, xOf(scale, span.endBytes ?? schedule.userBytes));
  const color = REASON_COLORS[span.reason];
  const kind = span.abandoned !== undefined ? 'abandoned' : span.trivialMove ? 'trivial' : 'merge';
  const style = kind === 'merge' ? `fill="${color}"` : `fill="none" stroke="${color}"`;
  return (
    `<rect class="compaction ${kind}" data-id="${span.id}" x="${n(x0)}" y="${n(lane.top + 4)}" width="${n(x1 - x0)}" height="${n(lane.height - 8)}" ${style}>` +
    `<title>${escapeXml(compactionTitle(span, schedule))}</title></rect>`
  );
}

/** The tooltip of a compaction: "#12 level0-files: L0 4 tables 1.0 MiB + L1 ... → L1 ..., read ..., wrote ...". */
export function compactionTitle(span: CompactionSpan, schedule: CompactionSchedule): string {
  const inputs = span.inputs.map(tablesText).join(' + ');
  const outputs = span.outputs === undefined ? `L${span.outputLevel}` : tablesText(span.outputs);
  const what = span.trivialMove ? 'trivial move (a MANIFEST edit, nothing rewritten)' : span.reason;
  let text = `#${span.id} ${what}: ${inputs} → ${outputs}`;
  if (!span.trivialMove && span.outputs !== undefined) text += `; read ${formatBytesSize(span.bytesRead)}, wrote ${formatBytesSize(span.bytesWritten)}`;
  const end = span.endBytes ?? schedule.userBytes;
  text += `; from ${formatBytesSize(span.startBytes)} to ${formatBytesSize(end)} written`;
  if (span.abandoned !== undefined) text += `; abandoned (${span.abandoned})`;
  else if (span.endBytes === undefined) text += '; still running at the end';
  if (span.trivialMove) text = `${text}; reason ${span.reason}`;
  return text;
}

function tablesText(tables: EventTables): string {
  return `L${tables.level} ${tables.files} table${tables.files === 1 ? '' : 's'} ${formatBytesSize(tables.bytes)}`;
}
