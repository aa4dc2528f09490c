/**
 * A text notation for level layouts and compaction plans, so a picker test
 * reads like the lesson's examples:
 *
 *     L0: 12[a..f] 11[c..k]
 *     L4: 5[a..c]:4M 6[d..m#20]:4M,busy
 *     L6: 7[a..z]:1G,del=3,seq=1..90
 *
 * A file is `number[smallest..largest]`, then optionally `:` and
 * comma-separated attributes:
 * - a size: `300` bytes, or `4K`, `4M`, `1G`, `1T` (powers of 1000, so
 *   ratios come out round: 1G / 10 = 100M); 1M when absent;
 * - `del=N`: N tombstones (0 when absent);
 * - `seq=A..B` or `seq=N`: the file's sequences (the file number when absent);
 * - `busy`: the file is an input of a running compaction.
 * A key may carry its sequence, `f#20`; it defaults to the file's largest
 * sequence. Level 0 is listed newest first, as a Version holds it.
 *
 * A plan prints as
 *
 *     level0-files: L0 12 11 + L4 5 -> L4 bottommost
 *     level-size: L4 6 -> L5 trivial-move
 *
 * and no plan as `none`.
 */

import { utf8 } from '#toolkit/bytes.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { encodeInternalKey } from '#sstable/internal-key-codec.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import type { NewFile } from '#engine/version-edit.ts';
import { Version } from '#engine/version.ts';
import type { CompactionPlan } from '#tiered/compaction-plan.ts';
import type { LeveledPickContext } from '#leveled/leveled-picker.ts';

/** A layout read from the notation: the version, and the files marked busy. */
export interface Layout {
  readonly version: Version;
  readonly busy: ReadonlySet<number>;
}

const UNITS: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Parses a size: `300`, `4K`, `4M`, `1.5G`. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(text);
  if (match === null) throw new Error(`bad size '${text}': write e.g. 300, 4K, 4M, 1G`);
  return Math.round(Number(match[1]) * UNITS[match[2]!]!);
}

/** Formats a size with the largest unit that divides it: `4M`, `1500K`, `1234`. */
export function formatSize(bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K'] as const) {
    const scale = UNITS[unit]!;
    if (bytes >= scale && Number.isInteger(bytes / scale)) return `${bytes / scale}${unit}`;
  }
  return String(bytes);
}

/** Parses one file token: `5[a..c#3]:4M,del=2,seq=1..9,busy`. */
function parseFile(token: string): { file: FileMetadata; busy: boolean } {
  const match = /^(\d+)\[([^.\]#]*)(?:#(\d+))?\.\.([^.\]#]*)(?:#(\d+))?\](?::(.*))?$/.exec(token);
  if (match === null) throw new Error(`bad file '${token}': write e.g. 5[a..c] or 5[a..c]:4M,busy`);
  const [, num, small, smallSeq, large, largeSeq, attrs] = match;
  const number = Number(num);
  let size = 1e6;
  let tombstoneCount = 0;
  let smallestSequence = number;
  let largestSequence = number;
  let busy = false;
  for (const attr of (attrs ?? '').split(',').filter((a) => a.length > 0)) {
    if (attr === 'busy') busy = true;
    else if (attr.startsWith('del=')) tombstoneCount = Number(attr.slice(4));
    else if (attr.startsWith('seq=')) {
      const [a, b] = attr.slice(4).split('..');
      smallestSequence = Number(a);
      largestSequence = Number(b ?? a);
    } else size = parseSize(attr);
  }
  const file: FileMetadata = {
    number,
    size,
    smallest: encodeInternalKey(utf8(small!), smallSeq === undefined ? largestSequence : Number(smallSeq), ValueKind.Put),
    largest: encodeInternalKey(utf8(large!), largeSeq === undefined ? largestSequence : Number(largeSeq), ValueKind.Put),
    smallestSequence,
    largestSequence,
    entryCount: 100,
    tombstoneCount,
  };
  return { file, busy };
}

/** Builds a Version (through its own `apply`) from layout lines such as `L0: 12[a..f] 11[c..k]`. */
export function parseLayout(text: string): Layout {
  const newFiles: NewFile[] = [];
  const busy = new Set<number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const match = /^L(\d):(.*)$/.exec(line);
    if (match === null) throw new Error(`bad layout line '${line}': write e.g. "L1: 5[a..c] 6[d..m]"`);
    const level = Number(match[1]);
    for (const token of match[2]!.split(/\s+/).filter((t) => t.length > 0)) {
      const { file, busy: isBusy } = parseFile(token);
      newFiles.push({ level, file });
      if (isBusy) busy.add(file.number);
    }
  }
  return { version: Version.EMPTY.apply({ newFiles, deletedFiles: [] }), busy };
}

/** Returns a pick context for a memtable of `memtableSize` bytes in which the files of `busy` are being compacted. */
export function contextFor(busy: ReadonlySet<number>, memtableSize = 1e6, smallestSnapshotSequence?: number): LeveledPickContext {
  return {
    memtableSize,
    isBeingCompacted: (number) => busy.has(number),
    ...(smallestSnapshotSequence === undefined ? {} : { smallestSnapshotSequence }),
  };
}

/** Formats a plan as `level0-files: L0 12 11 + L4 5 -> L4 bottommost`, or `none`. */
export function formatPlan(plan: CompactionPlan | undefined): string {
  if (plan === undefined) return 'none';
  const inputs = plan.inputs.map((input) => `L${input.level} ${input.files.map((f) => f.number).join(' ')}`).join(' + ');
  const flags = [plan.trivialMove ? ' trivial-move' : '', plan.bottommost ? ' bottommost' : ''].join('');
  return `${plan.reason}: ${inputs} -> L${plan.outputLevel}${flags}`;
}
