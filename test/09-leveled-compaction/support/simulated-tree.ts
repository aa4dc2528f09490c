/**
 * A simulated tree for testing pickers without an engine: each table is a
 * map of user key → sequence (its newest version of that key), and a
 * compaction is carried out in memory, exactly as the plan says (newest
 * version of each key wins; outputs cut every `entriesPerFile` keys; a
 * trivial move re-files the table). The Version is kept through its own
 * `apply`, which refuses overlapping tables in levels >= 1.
 *
 * `lookup` reads like the engine: level 0 newest first, then one table per
 * level, so a plan that puts old data above new data is caught.
 */

import { utf8 } from '#toolkit/bytes.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { encodeInternalKey } from '#sstable/internal-key-codec.ts';
import { fileMayHoldKey, type FileMetadata } from '#engine/file-metadata.ts';
import type { NewFile, VersionEdit } from '#engine/version-edit.ts';
import { Version } from '#engine/version.ts';
import type { CompactionPlan } from '#tiered/compaction-plan.ts';

/** Bytes each entry counts for in a table's size. */
export const ENTRY_SIZE = 100_000;

export class SimulatedTree {
  version: Version = Version.EMPTY;
  /** Every table's entries, by file number. */
  private readonly tables = new Map<number, Map<string, number>>();
  /** The newest sequence written for each key: what a read must find. */
  readonly newest = new Map<string, number>();
  private nextNumber = 1;
  private nextSequence = 1;

  constructor(private readonly entriesPerFile: number) {}

  /** Adds a level-0 table holding a new version of each of `keys`. */
  flush(keys: readonly string[]): void {
    const entries = new Map<string, number>();
    for (const key of keys) {
      const sequence = this.nextSequence++;
      entries.set(key, sequence);
      this.newest.set(key, sequence);
    }
    if (entries.size > 0) this.apply({ newFiles: [{ level: 0, file: this.table(entries) }], deletedFiles: [] });
  }

  /**
   * Puts a sorted run of new versions of `keys` straight into `level`, as
   * another strategy might have left it. REQUIRES: called from the bottom
   * level up, before any flush, so deeper levels hold older data.
   */
  seedRun(level: number, keys: readonly string[]): void {
    const entries = new Map<string, number>();
    for (const key of [...new Set(keys)].sort()) {
      const sequence = this.nextSequence++;
      entries.set(key, sequence);
      this.newest.set(key, sequence);
    }
    this.apply({ newFiles: this.cut(entries).map((file) => ({ level, file })), deletedFiles: [] });
  }

  /** Carries out `plan`: a trivial move re-files its table; otherwise a merge, newest version of each key winning. */
  run(plan: CompactionPlan): void {
    const deletedFiles = plan.inputs.flatMap((input) => input.files.map((file) => ({ level: input.level, number: file.number })));
    if (plan.trivialMove) {
      const input = plan.inputs[0]!;
      this.version = this.version.apply({ deletedFiles, newFiles: [{ level: plan.outputLevel, file: input.files[0]! }] });
      return;
    }
    const merged = new Map<string, number>();
    for (const input of plan.inputs) {
      for (const file of input.files) {
        for (const [key, sequence] of this.tables.get(file.number)!) {
          if ((merged.get(key) ?? -1) < sequence) merged.set(key, sequence);
        }
      }
    }
    const newFiles: NewFile[] = this.cut(merged).map((file) => ({ level: plan.outputLevel, file }));
    this.apply({ deletedFiles, newFiles });
    for (const { number } of deletedFiles) this.tables.delete(number);
  }

  /** Returns the sequence a read of `key` finds: level 0 newest first, then levels 1..6. */
  lookup(key: string): number | undefined {
    const userKey = utf8(key);
    for (const file of this.version.files(0)) {
      const found = fileMayHoldKey(file, userKey) ? this.tables.get(file.number)!.get(key) : undefined;
      if (found !== undefined) return found;
    }
    for (let level = 1; level < this.version.levels.length; level++) {
      const file = this.version.findFile(level, userKey);
      const found = file === undefined ? undefined : this.tables.get(file.number)!.get(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Returns the first key whose read does not find its newest version, with what was found; undefined if all are right. */
  staleRead(): string | undefined {
    for (const [key, sequence] of this.newest) {
      const found = this.lookup(key);
      if (found !== sequence) return `${key}: a read finds sequence ${String(found)}, but the newest is ${sequence}`;
    }
    return undefined;
  }

  private apply(edit: VersionEdit): void {
    this.version = this.version.apply(edit);
  }

  /** Cuts sorted entries into tables of at most entriesPerFile keys each. */
  private cut(entries: Map<string, number>): FileMetadata[] {
    const keys = [...entries.keys()].sort();
    const files: FileMetadata[] = [];
    for (let i = 0; i < keys.length; i += this.entriesPerFile) {
      const part = new Map(keys.slice(i, i + this.entriesPerFile).map((k) => [k, entries.get(k)!] as const));
      files.push(this.table(part));
    }
    return files;
  }

  /** Registers a table of `entries` under a new file number and returns its metadata. */
  private table(entries: Map<string, number>): FileMetadata {
    const keys = [...entries.keys()].sort();
    const sequences = [...entries.values()];
    const number = this.nextNumber++;
    this.tables.set(number, entries);
    const first = keys[0]!;
    const last = keys[keys.length - 1]!;
    return {
      number,
      size: entries.size * ENTRY_SIZE,
      smallest: encodeInternalKey(utf8(first), entries.get(first)!, ValueKind.Put),
      largest: encodeInternalKey(utf8(last), entries.get(last)!, ValueKind.Put),
      smallestSequence: Math.min(...sequences),
      largestSequence: Math.max(...sequences),
      entryCount: entries.size,
      tombstoneCount: 0,
    };
  }
}
