/**
 * The small pieces the page's SVG charts share: escaping, the x scale in
 * logical time (bytes the user wrote), its axis, and the colours.
 */

import { formatBytesSize } from '../format.ts';
import type { CompactionReason } from '../../index.ts';

/** Escapes text for an HTML or SVG text node or attribute. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A number for an SVG attribute: at most one decimal. */
export function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Where the plot area of every chart starts and how wide it is, so all charts share one x scale. */
export interface XScale {
  /** Left edge of the plot, in pixels from the SVG's left. */
  readonly left: number;
  readonly width: number;
  /** User bytes at the right edge. */
  readonly maxBytes: number;
}

/** Returns the x coordinate of logical time `userBytes`. */
export function xOf(scale: XScale, userBytes: number): number {
  return scale.left + (Math.min(userBytes, scale.maxBytes) / Math.max(1, scale.maxBytes)) * scale.width;
}

/** Returns about `count` round tick values from 0 to `max` (1, 2 or 5 times a power of two of a byte unit). */
export function ticks(max: number, count: number): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const unit = 1024 ** Math.max(0, Math.floor(Math.log(raw) / Math.log(1024)));
  const base = raw / unit;
  const step = unit * ([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((s) => s >= base) ?? 1000);
  const out: number[] = [];
  for (let t = 0; t <= max + step / 1000; t += step) out.push(t);
  return out;
}

/** The x axis under a chart at height `y`: tick marks and labels in bytes written. */
export function xAxis(scale: XScale, y: number, label: string): string {
  const parts = [`<line class="axis" x1="${n(scale.left)}" y1="${n(y)}" x2="${n(scale.left + scale.width)}" y2="${n(y)}"/>`];
  for (const t of ticks(scale.maxBytes, 8)) {
    const x = xOf(scale, t);
    parts.push(`<line class="axis" x1="${n(x)}" y1="${n(y)}" x2="${n(x)}" y2="${n(y + 4)}"/>`);
    parts.push(`<text class="tick" x="${n(x)}" y="${n(y + 16)}" text-anchor="middle">${escapeXml(t === 0 ? '0' : formatBytesSize(t))}</text>`);
  }
  parts.push(`<text class="axis-label" x="${n(scale.left + scale.width)}" y="${n(y + 30)}" text-anchor="end">${escapeXml(label)}</text>`);
  return parts.join('');
}

/** The colour of a compaction bar, by the reason its strategy gave. */
export const REASON_COLORS: Readonly<Record<CompactionReason, string>> = {
  'level0-files': '#4c78a8',
  'level-size': '#54a24b',
  'size-ratio': '#f58518',
  'run-count': '#e0b000',
  'space-amplification': '#b279a2',
  manual: '#9d755d',
};

/** The colour of each level in the level-size chart: deeper is darker. */
export const LEVEL_COLORS: readonly string[] = ['#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];

/** Stalls are red, slowdowns orange. */
export const STALL_COLOR = '#d62728';
export const SLOWDOWN_COLOR = '#ff9f40';
