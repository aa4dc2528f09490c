/**
 * Shared by corruption.test.ts: a small database whose every file kind is
 * worth damaging, images of its directory that a test can damage and load
 * onto a fresh disk, and a judge that opens a damaged copy, reads
 * everything, and says what came of it.
 *
 * The database (`buildSampleDatabase`) is closed cleanly and holds:
 *
 *     three tables flushed, then compacted together   one table, below level 0
 *     one more flushed table, newer                   level 0: overwrites and deletes over the compacted keys
 *     a live WAL segment                              several synced records, never flushed
 *     a MANIFEST                                      its snapshot, three flushes, the compaction, the last flush
 *
 * The last MANIFEST edit is a flush on purpose: losing it to damage is the
 * case where recovery could silently lose writes (recovery.ts,
 * checkLogSegmentExists).
 *
 * What a damaged copy may do (`openAndRead`): refuse, with a CorruptionError
 * (at open or at a read); or open and read back exactly what was written,
 * or, when the damage is in the live WAL segment, what was written minus a
 * suffix of that segment's records (damage in the last record looks like a
 * torn tail, which recovery drops). Anything else is wrong data: a value that
 * differs, a key never written or deleted, a key missing.
 */

import { CorruptionError } from '#toolkit/errors.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { WriteBatch } from '#wal/write-batch.ts';
import { parseFileName } from '#engine/file-names.ts';
import { scanManifest } from '#engine/manifest-log.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';
import { contents, DIR, text, utf8, valueFor } from '../../07-flush-manifest/support/engine.ts';

export { DIR };

/** The files of a database directory, by name: what a test damages and loads onto a fresh disk. */
export type DiskImage = ReadonlyMap<string, Uint8Array>;

/** One write: a put of `value`, or a delete when `value` is undefined. */
export interface Write {
  readonly key: string;
  readonly value: string | undefined;
}

/** The sample database, closed, and what it must read back. */
export interface SampleDatabase {
  /** The seed it was built from. */
  readonly seed: number;
  /** Its directory, every file durable. */
  readonly image: DiskImage;
  /** The options it was made with (and is opened with). */
  readonly options: LsmOptions;
  /** What its tables hold: everything written up to the last flush. */
  readonly flushed: ReadonlyMap<string, string>;
  /** The live WAL segment's records, oldest first: one synced write or batch each. */
  readonly walRecords: readonly (readonly Write[])[];
  /**
   * What the database may read back: `states[k]` holds the tables' contents
   * plus the first k records of the live WAL segment (what is left if
   * recovery drops the others as a torn tail); the last state is everything.
   */
  readonly states: readonly ReadonlyMap<string, string>[];
  /** Every key ever written, deleted ones included: each is read back with get(). */
  readonly keys: readonly string[];
  /** The names of the files worth damaging. */
  readonly walSegment: string;
  /** The newest table: level 0, holding deletes and overwrites of the compacted keys. */
  readonly newestTable: string;
  /** The table the compaction wrote. */
  readonly compactedTable: string;
  readonly manifest: string;
}

/**
 * The engine options of the sample database: memtables too big to flush by
 * themselves (the builder flushes), small blocks (so a table has several),
 * leveled compaction that runs only when asked (pacing 0).
 */
export const SAMPLE_OPTIONS: LsmOptions = {
  memtableSize: 64 * 1024,
  blockSize: 128,
  compaction: { strategy: 'leveled' },
  compactionPacing: 0,
};

/** The keys the sample database writes: few, so that later writes overwrite and delete earlier ones. */
const KEY_COUNT = 24;
/** Values are short, so the files (and the bits to flip) stay few. */
const VALUE_LENGTH = 14;

/**
 * Builds the sample database (see the file comment) on a new disk from
 * `seed`, closes it, and returns its image and what it must read back.
 */
export function buildSampleDatabase(seed: number): SampleDatabase {
  const fs = new MemoryFileSystem({ seed });
  const db = LsmTree.open(DIR, { fileSystem: fs, ...SAMPLE_OPTIONS });
  const random = new SeededRandom(seed);
  const model = new Map<string, string>();
  const keys = new Set<string>();
  let version = 0;
  const nextWrite = (deleteChance: number): Write => {
    const key = `key${String(random.below(KEY_COUNT)).padStart(2, '0')}`;
    keys.add(key);
    return { key, value: random.chance(deleteChance) ? undefined : valueFor(key, ++version, VALUE_LENGTH) };
  };
  const apply = (write: Write): void => {
    if (write.value === undefined) model.delete(write.key);
    else model.set(write.key, write.value);
  };
  const write = (one: Write): void => {
    if (one.value === undefined) db.delete(one.key);
    else db.put(one.key, one.value);
    apply(one);
  };
  const writeAndFlush = (count: number, deleteChance: number): void => {
    for (let i = 0; i < count; i++) write(nextWrite(deleteChance));
    db.flush();
  };

  writeAndFlush(12, 0);
  writeAndFlush(10, 0.2);
  writeAndFlush(10, 0.2);
  db.compact();
  const compacted = tableNames(fs);
  // The newest table deletes at least one compacted key: damage there must not bring it back.
  write({ key: [...model.keys()].sort()[0]!, value: undefined });
  writeAndFlush(8, 0.4);
  const flushed = new Map(model);

  // The live segment: single writes and batches, each synced, none flushed.
  const walRecords: Write[][] = [];
  for (const size of [1, 1, 3, 1, 2]) {
    const writes = Array.from({ length: size }, () => nextWrite(0.3));
    const batch = new WriteBatch();
    for (const { key, value } of writes) {
      if (value === undefined) batch.delete(utf8(key));
      else batch.put(utf8(key), utf8(value));
    }
    db.write(batch, { sync: true });
    writes.forEach(apply);
    walRecords.push(writes);
  }
  if (contents(db).join() !== sorted(model).join()) throw new Error('the sample database does not hold what the builder wrote');
  db.close();

  const image = imageOf(fs);
  const names = [...image.keys()];
  const logs = names.filter((name) => parseFileName(name)?.kind === 'log');
  const manifests = names.filter((name) => parseFileName(name)?.kind === 'manifest');
  const tables = tableNames(fs);
  const newest = tables.filter((name) => !compacted.includes(name));
  const edits = manifests.length === 1 ? scanManifest(image.get(manifests[0]!)!, manifests[0]!).records.length : 0;
  if (logs.length !== 1 || edits < 6 || compacted.length !== 1 || newest.length !== 1) {
    throw new Error(`the sample database is not shaped as planned: ${names.join(', ')}, ${edits} MANIFEST edits`);
  }
  return {
    seed,
    image,
    options: SAMPLE_OPTIONS,
    flushed,
    walRecords,
    states: statesAfter(flushed, walRecords),
    keys: [...keys].sort(),
    walSegment: logs[0]!,
    newestTable: newest[0]!,
    compactedTable: compacted[0]!,
    manifest: manifests[0]!,
  };
}

/** The names of the table files in DIR, ascending. */
function tableNames(fs: MemoryFileSystem): string[] {
  return fs.list(DIR).filter((name) => parseFileName(name)?.kind === 'table');
}

/** A model's pairs in key order. */
export function sorted(model: ReadonlyMap<string, string>): [string, string][] {
  return [...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The tables' contents `flushed`, then after each of `records` in turn. */
function statesAfter(flushed: ReadonlyMap<string, string>, records: readonly (readonly Write[])[]): ReadonlyMap<string, string>[] {
  const states: ReadonlyMap<string, string>[] = [flushed];
  for (const record of records) {
    const state = new Map(states[states.length - 1]!);
    for (const { key, value } of record) {
      if (value === undefined) state.delete(key);
      else state.set(key, value);
    }
    states.push(state);
  }
  return states;
}

// ---- disk images ----

/** Every file of `dir` on `fs`, by name (a copy of its bytes). */
export function imageOf(fs: MemoryFileSystem, dir = DIR): DiskImage {
  const image = new Map<string, Uint8Array>();
  for (const name of fs.list(dir)) image.set(name, fs.readFile(joinPath(dir, name)));
  return image;
}

/** A new disk holding `image` in `dir`, every file and name durable. */
export function diskFrom(image: DiskImage, dir = DIR): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  fs.mkdir(dir);
  for (const [name, bytes] of image) {
    const file = fs.createWritable(joinPath(dir, name));
    file.append(bytes);
    file.sync();
    file.close();
  }
  fs.syncDir(dir);
  return fs;
}

/** `image` with `name` replaced by `bytes`, or removed when `bytes` is undefined. */
export function withFile(image: DiskImage, name: string, bytes: Uint8Array | undefined): DiskImage {
  const changed = new Map(image);
  if (bytes === undefined) changed.delete(name);
  else changed.set(name, bytes);
  return changed;
}

/** A copy of `bytes` with bit `bit` flipped (bit 0 is the lowest bit of byte 0). */
export function withBitFlipped(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

/** Describes the first difference between two images, or returns undefined if they are the same. */
export function imageDifference(before: DiskImage, after: DiskImage): string | undefined {
  for (const name of before.keys()) if (!after.has(name)) return `${name} was deleted`;
  for (const name of after.keys()) if (!before.has(name)) return `${name} was created`;
  for (const [name, bytes] of before) {
    const now = after.get(name)!;
    if (now.length !== bytes.length) return `${name} changed size from ${bytes.length} to ${now.length} bytes`;
    const at = bytes.findIndex((byte, i) => byte !== now[i]);
    if (at >= 0) return `${name} changed at byte ${at}`;
  }
  return undefined;
}

// ---- opening a damaged copy ----

/** What came of opening a damaged copy and reading everything. */
export type Outcome =
  /** The open, or a read, threw a CorruptionError (the directory is left as it was when the open threw). */
  | { readonly kind: 'corruption'; readonly error: CorruptionError; readonly atOpen: boolean }
  /** Everything read back equals `sample.states[recordsKept]`, recordsKept being what recovery replayed. */
  | { readonly kind: 'read back'; readonly recordsKept: number }
  /** Something else: wrong data, another error, or files changed by a failed open. Always a failure. */
  | { readonly kind: 'wrong'; readonly problem: string };

/**
 * Loads `image` onto a fresh disk (or uses `fs`, which must hold it), opens
 * the sample database from it and reads everything: a full scan, then get()
 * of every key ever written. Returns what came of it (see {@link Outcome}).
 *
 * How many WAL records recovery kept is read from what it replayed (the
 * open's `recovery.walEntries`), so the reads are judged against exactly
 * that state: a dropped record whose writes changed nothing is still seen
 * as dropped, and a record cut in half (a partial batch) is wrong.
 */
export function openAndRead(sample: SampleDatabase, image: DiskImage, fs: MemoryFileSystem = diskFrom(image)): Outcome {
  let db: LsmTree;
  try {
    db = LsmTree.open(DIR, { fileSystem: fs, ...sample.options });
  } catch (error) {
    if (!(error instanceof CorruptionError)) return { kind: 'wrong', problem: `the open threw ${describeError(error)}` };
    const changed = imageDifference(image, imageOf(fs));
    if (changed !== undefined) return { kind: 'wrong', problem: `the open threw ${describeError(error)}, but ${changed}` };
    return { kind: 'corruption', error, atOpen: true };
  }
  try {
    const replayed = db.metrics().recovery.walEntries;
    const recordsKept = recordsIn(sample, replayed);
    if (recordsKept === undefined) {
      return { kind: 'wrong', problem: `recovery replayed ${replayed} WAL entries, which is not a whole number of records` };
    }
    const problem = difference(db, sample.keys, sample.states[recordsKept]!);
    if (problem !== undefined) return { kind: 'wrong', problem: `with ${recordsKept} WAL records kept, ${problem}` };
    return { kind: 'read back', recordsKept };
  } catch (error) {
    if (!(error instanceof CorruptionError)) return { kind: 'wrong', problem: `a read threw ${describeError(error)}` };
    return { kind: 'corruption', error, atOpen: false };
  } finally {
    db.close();
  }
}

/** How many of the live segment's first records hold exactly `entries` entries; undefined if none do. */
function recordsIn(sample: SampleDatabase, entries: number): number | undefined {
  let total = 0;
  for (let kept = 0; kept <= sample.walRecords.length; kept++) {
    if (total === entries) return kept;
    total += sample.walRecords[kept]?.length ?? 0;
  }
  return undefined;
}

/**
 * Reads `db` whole (a full scan, then get() of every key in `keys`) and
 * describes the first way it differs from `state`; undefined if it does not.
 */
function difference(db: LsmTree, keys: readonly string[], state: ReadonlyMap<string, string>): string | undefined {
  const scan = contents(db);
  for (let i = 1; i < scan.length; i++) {
    const [before, after] = [scan[i - 1]![0], scan[i]![0]];
    if (!(before < after)) return `the scan read ${after} after ${before}: out of order`;
  }
  const scanned = new Map(scan);
  for (const [key, value] of scan) {
    if (!state.has(key)) return `the scan read ${key} = ${show(value)}, a key that is not in the database`;
  }
  for (const [key, value] of sorted(state)) {
    const read = scanned.get(key);
    if (read !== value) return `the scan read ${show(read)} for ${key}, expected ${show(value)}`;
  }
  for (const key of keys) {
    const value = text(db.get(key));
    if (value !== state.get(key)) return `get(${key}) returned ${show(value)}, expected ${show(state.get(key))}`;
  }
  return undefined;
}

function show(value: string | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
