/**
 * The level sizes of one run over logical time, as a stacked SVG area
 * chart: L0 at the bottom, each deeper level stacked on top, so the top
 * edge is the size of every table together. It changes in steps (a flush
 * adds a table, a compaction swaps its inputs for its outputs), so it is
 * drawn in steps.
 */

import { formatBytesSize } from '../format.ts';
import { LEVELS, type CompactionSchedule } from './compaction-schedule.ts';
import { escapeXml, LEVEL_COLORS, n, ticks, xAxis, xOf, type XScale } from './svg.ts';

const CHART_HEIGHT = 150;
const TOP = 10;

/** Returns the SVG of the chart; `maxBytes` is the top of the y axis, shared by the runs drawn together. */
export function levelSizeSvg(schedule: CompactionSchedule, scale: XScale, maxBytes: number): string {
  const bottom = TOP + CHART_HEIGHT;
  const right = scale.left + scale.width;
  const yOf = (bytes: number): number => bottom - (bytes / Math.max(1, maxBytes)) * CHART_HEIGHT;
  const parts: string[] = [];
  parts.push(`<svg class="levels" viewBox="0 0 ${n(right + 12)} ${n(bottom + 40)}" width="${n(right + 12)}" height="${n(bottom + 40)}">`);
  for (const t of ticks(maxBytes, 4)) {
    const y = yOf(t);
    parts.push(`<line class="grid" x1="${n(scale.left)}" y1="${n(y)}" x2="${n(right)}" y2="${n(y)}"/>`);
    parts.push(`<text class="tick" x="${n(scale.left - 6)}" y="${n(y + 4)}" text-anchor="end">${escapeXml(t === 0 ? '0' : formatBytesSize(t))}</text>`);
  }
  const samples = schedule.samples;
  const end = schedule.userBytes;
  // Stacked: the band of level k lies between the sum of levels < k and the sum of levels <= k.
  const below = samples.map(() => 0);
  for (let level = 0; level < LEVELS; level++) {
    const above = samples.map((sample, i) => below[i]! + sample.bytes[level]!);
    if (above.some((value, i) => value !== below[i])) {
      const peak = Math.max(...samples.map((sample) => sample.bytes[level]!));
      const title = `L${level}: up to ${formatBytesSize(peak)}, ${formatBytesSize(schedule.bytes[level]!)} at the end`;
      parts.push(`<path class="band" fill="${LEVEL_COLORS[level]}" d="${bandPath(samples.map((s) => s.userBytes), below, above, end, scale, yOf)}"><title>${escapeXml(title)}</title></path>`);
    }
    for (let i = 0; i < samples.length; i++) below[i] = above[i]!;
  }
  parts.push(xAxis(scale, bottom, 'bytes written by the user (logical time)'));
  parts.push('</svg>');
  return parts.join('\n');
}

/** A closed step path: along `upper` left to right, then back along `lower`. */
function bandPath(
  at: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
  end: number,
  scale: XScale,
  yOf: (bytes: number) => number,
): string {
  const steps = (values: readonly number[]): [number, number][] => {
    const points: [number, number][] = [];
    for (let i = 0; i < at.length; i++) {
      const x = xOf(scale, at[i]!);
      if (i > 0) points.push([x, yOf(values[i - 1]!)]);
      points.push([x, yOf(values[i]!)]);
    }
    points.push([xOf(scale, end), yOf(values[values.length - 1]!)]);
    return points;
  };
  const top = steps(upper);
  const bottom = steps(lower).reverse();
  return `M${[...top, ...bottom].map(([x, y]) => `${n(x)},${n(y)}`).join('L')}Z`;
}

/** The legend: one swatch per level that ever held a table. */
export function levelLegend(used: readonly boolean[]): string {
  const items: string[] = [];
  for (let level = 0; level < LEVELS; level++) {
    if (!used[level]) continue;
    items.push(`<span class="swatch" style="background:${LEVEL_COLORS[level]}"></span>L${level}`);
  }
  return items.join(' ');
}
