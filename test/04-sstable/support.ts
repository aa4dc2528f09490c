/**
 * Helpers shared by chapter 4's tests: entries in the `apple#12,PUT=red`
 * notation, a model of what a table holds, building a table in a
 * MemoryFileSystem, and fast-check arbitraries for sorted sets of entries.
 * Not a test file: it exercises nothing by itself.
 */

import fc from 'fast-check';
import { compareBytes, formatBytes, utf8 } from '#toolkit/bytes.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { compareInternalKeys, formatInternalKey, ValueKind } from '#memtable/internal-key.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { TableBuilder, type TableBuilderOptions } from '#sstable/table-builder.ts';
import type { TableProperties } from '#sstable/table-properties.ts';

/** One entry of a table. */
export interface Entry {
  readonly userKey: Uint8Array;
  readonly sequence: number;
  readonly kind: ValueKind;
  readonly value: Uint8Array;
}

/** Formats an entry as `apple#12,PUT=red` (long values as their length). */
export function show(e: { userKey: Uint8Array; sequence: number; kind: ValueKind; value: Uint8Array }): string {
  const value = e.value.length > 24 ? `<${e.value.length} bytes>` : formatBytes(e.value);
  return `${formatInternalKey(e)}=${value}`;
}

/** Makes an entry from text: `entry('apple', 12, 'red')`, or a tombstone with value undefined. */
export function entry(userKey: string, sequence: number, value?: string): Entry {
  return value === undefined
    ? { userKey: utf8(userKey), sequence, kind: ValueKind.Delete, value: new Uint8Array(0) }
    : { userKey: utf8(userKey), sequence, kind: ValueKind.Put, value: utf8(value) };
}

/** Sorts entries in internal-key order (a copy). */
export function sortEntries(entries: readonly Entry[]): Entry[] {
  return [...entries].sort(compareInternalKeys);
}

/** A built table: where it is and what the builder said. */
export interface BuiltTable {
  readonly fs: MemoryFileSystem;
  readonly path: string;
  readonly properties: TableProperties;
  readonly fileSize: number;
}

/**
 * Builds a table of `entries` (already sorted) at `path` in `fs` (a new
 * MemoryFileSystem by default), syncs and closes it.
 */
export function buildTable(
  entries: readonly Entry[],
  options: Readonly<Partial<TableBuilderOptions>> = {},
  fs: MemoryFileSystem = new MemoryFileSystem(),
  path = '/000001.sst',
): BuiltTable {
  const file = fs.createWritable(path);
  const builder = new TableBuilder(file, options);
  for (const e of entries) builder.add(e.userKey, e.sequence, e.kind, e.value);
  const properties = builder.finish();
  file.sync();
  file.close();
  return { fs, path, properties, fileSize: builder.fileSize };
}

/** Returns the whole file at `path`. */
export function fileBytes(fs: FileSystem, path: string): Uint8Array {
  return fs.readFile(path);
}

/** Writes `bytes` as the file at `path`, replacing it. */
export function writeBytes(fs: FileSystem, path: string, bytes: Uint8Array): void {
  const file = fs.createWritable(path);
  file.append(bytes);
  file.close();
}

/** Reads every entry of an iterator from seekToFirst, as text. */
export function scanForward(it: InternalIterator): string[] {
  const out: string[] = [];
  for (it.seekToFirst(); it.valid(); it.next()) {
    out.push(show({ userKey: it.key(), sequence: it.sequence(), kind: it.kind(), value: it.value() }));
  }
  return out;
}

/** Reads every entry of an iterator from seekToLast backwards, as text. */
export function scanBackward(it: InternalIterator): string[] {
  const out: string[] = [];
  for (it.seekToLast(); it.valid(); it.prev()) {
    out.push(show({ userKey: it.key(), sequence: it.sequence(), kind: it.kind(), value: it.value() }));
  }
  return out;
}

/** Returns what the iterator is at, as text, or "(not valid)". */
export function here(it: InternalIterator): string {
  return it.valid()
    ? show({ userKey: it.key(), sequence: it.sequence(), kind: it.kind(), value: it.value() })
    : '(not valid)';
}

/** Runs `f` and returns what it threw (undefined if nothing). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Runs `f`, expecting a CorruptionError; returns it, or throws a message saying what happened instead. */
export function corruption(f: () => unknown, what: string): CorruptionError {
  const error = thrown(f);
  if (error instanceof CorruptionError) return error;
  if (error === undefined) throw new Error(`${what}: expected a CorruptionError, but nothing was thrown`);
  throw new Error(`${what}: expected a CorruptionError, got ${String(error)}`, { cause: error });
}

/** Long prefixes, so that many keys share most of their bytes. */
const PREFIXES = [
  '',
  'a',
  'user:',
  'user:0000000000000000000000000000000000000000000000000000000000:',
  'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/',
];

/** A user key: a shared prefix and a short suffix, sometimes long random bytes. */
export const userKeyArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom(...PREFIXES), fc.uint8Array({ maxLength: 3, min: 0x61, max: 0x64 }))
      .map(([p, s]) => Uint8Array.from([...utf8(p), ...s])),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 200, maxLength: 600 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4 }) },
);

const sequenceArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 1000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER) },
);

const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 100, maxLength: 700 }) },
);

/**
 * A sorted set of 1 to `maxUserKeys` user keys with 1 to 4 versions each
 * (distinct sequences per key), about a quarter of them tombstones.
 */
export function entriesArb(maxUserKeys = 40): fc.Arbitrary<Entry[]> {
  const versions = fc.uniqueArray(
    fc.record({ sequence: sequenceArb, tombstone: fc.boolean(), putBias: fc.boolean(), value: valueArb }),
    { minLength: 1, maxLength: 4, selector: (v) => v.sequence },
  );
  return fc
    .uniqueArray(fc.tuple(userKeyArb, versions), {
      minLength: 1,
      maxLength: maxUserKeys,
      selector: ([k]) => formatBytes(k),
    })
    .map((keys) =>
      sortEntries(
        keys.flatMap(([userKey, vs]) =>
          vs.map((v) =>
            v.tombstone && !v.putBias
              ? { userKey, sequence: v.sequence, kind: ValueKind.Delete, value: new Uint8Array(0) }
              : { userKey, sequence: v.sequence, kind: ValueKind.Put, value: v.value },
          ),
        ),
      ),
    );
}

/** Table layouts worth testing: one entry per block, tiny and default blocks; restarts every 1, 2, 16 entries. */
export const optionsArb: fc.Arbitrary<Readonly<Partial<TableBuilderOptions>>> = fc.record({
  blockSize: fc.constantFrom(1, 40, 256, 4096),
  restartInterval: fc.constantFrom(1, 2, 16),
  bitsPerKey: fc.constantFrom(0, 10),
});

/**
 * The model of get(userKey, sequence): the newest entry of `userKey` with a
 * sequence <= `sequence`, or undefined.
 */
export function modelGet(sorted: readonly Entry[], userKey: Uint8Array, sequence: number): Entry | undefined {
  for (const e of sorted) {
    if (compareBytes(e.userKey, userKey) === 0 && e.sequence <= sequence) return e;
  }
  return undefined;
}

/** The model of seek(userKey, sequence): the index of the first entry >= (userKey, sequence, PUT). */
export function modelSeek(sorted: readonly Entry[], userKey: Uint8Array, sequence: number): number {
  const target = { userKey, sequence, kind: ValueKind.Put };
  const i = sorted.findIndex((e) => compareInternalKeys(e, target) >= 0);
  return i === -1 ? sorted.length : i;
}
