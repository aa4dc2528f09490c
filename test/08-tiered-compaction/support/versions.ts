/**
 * Hand-built versions for chapter 8's picker tests, written as a list of
 * sorted runs, newest first:
 *
 *     "L0:40 L0:35 L4:60 L6:50"     two level-0 tables of 40 and 35 bytes,
 *                                   level 4 holding 60 bytes, level 6 holding 50
 *     "L3:60x3"                     level 3 as three tables of 20 bytes (disjoint key ranges)
 *     "L6:50!"                      ! marks a run whose tables hold tombstones
 *
 * Every table spans the user keys 'a'..'z' (a level split in several tables
 * splits that range); the newest run gets the highest sequences, so level
 * 0 comes out newest first and every run is older than the ones before it.
 * Plans print back in the same notation: `size-ratio: L0:10 L0:10 L5:20 -> L5`.
 */

import { utf8 } from '#toolkit/bytes.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { encodeInternalKey } from '#sstable/internal-key-codec.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import type { NewFile } from '#engine/version-edit.ts';
import { Version } from '#engine/version.ts';
import type { CompactionPlan, PickContext } from '#tiered/compaction-plan.ts';

/** Sequences per run: run i (newest first, of n) gets [(n - i) × SPAN, (n - i) × SPAN + SPAN - 1]. */
const SPAN = 1000;

/** The key ranges of the tables of a run split in `parts`. */
function ranges(parts: number): [string, string][] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const out: [string, string][] = [];
  for (let i = 0; i < parts; i++) {
    const from = Math.floor((i * letters.length) / parts);
    const to = Math.floor(((i + 1) * letters.length) / parts) - 1;
    out.push([letters[from]!, letters[to]!]);
  }
  return out;
}

/** Returns a table's metadata. */
export function table(
  number: number,
  size: number,
  options: { smallest?: string; largest?: string; from?: number; to?: number; tombstones?: number } = {},
): FileMetadata {
  const from = options.from ?? 1;
  const to = options.to ?? from;
  return {
    number,
    size,
    smallest: encodeInternalKey(utf8(options.smallest ?? 'a'), to, ValueKind.Put),
    largest: encodeInternalKey(utf8(options.largest ?? 'z'), from, ValueKind.Put),
    smallestSequence: from,
    largestSequence: to,
    entryCount: 10,
    tombstoneCount: options.tombstones ?? 0,
  };
}

/** Builds the version a layout describes (see the file comment). */
export function layout(text: string): Version {
  const tokens = text.split(/\s+/).filter((t) => t.length > 0);
  const files: NewFile[] = [];
  let number = 1000;
  tokens.forEach((token, i) => {
    const match = /^L(\d):(\d+)(?:x(\d+))?(!?)$/.exec(token);
    if (match === null) throw new Error(`bad run "${token}": write L<level>:<bytes>, e.g. L0:40 or L3:60x3`);
    const level = Number(match[1]);
    const bytes = Number(match[2]);
    const parts = Number(match[3] ?? 1);
    const tombstones = match[4] === '!' ? 1 : 0;
    const base = (tokens.length - i) * SPAN;
    ranges(parts).forEach(([smallest, largest], part) => {
      const size = part === parts - 1 ? bytes - Math.floor(bytes / parts) * (parts - 1) : Math.floor(bytes / parts);
      files.push({ level, file: table(number--, size, { smallest, largest, from: base, to: base + SPAN - 1, tombstones }) });
    });
  });
  return Version.EMPTY.apply({ newFiles: files, deletedFiles: [] });
}

/** Describes a plan in the layout notation, or "none". */
export function describePlan(plan: CompactionPlan | undefined): string {
  if (plan === undefined) return 'none';
  const runs: string[] = [];
  for (const { level, files } of plan.inputs) {
    if (level === 0) for (const file of files) runs.push(`L0:${file.size}`);
    else runs.push(`L${level}:${files.reduce((n, f) => n + f.size, 0)}`);
  }
  const flags = [plan.bottommost ? ' bottommost' : '', plan.trivialMove ? ' trivial-move' : ''].join('');
  return `${plan.reason}: ${runs.join(' ')} -> L${plan.outputLevel}${flags}`;
}

/** A pick context: a 1 KiB memtable, and the given tables being compacted. */
export function context(beingCompacted: readonly number[] = []): PickContext {
  return { memtableSize: 1024, isBeingCompacted: (n) => beingCompacted.includes(n) };
}
