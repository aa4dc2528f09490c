/**
 * Reliability, the bad-input matrix: every way of calling the engine wrong
 * that we could list, one row each, and what the engine must answer.
 *
 * Each row says what the caller does, the error it must get (the class, and
 * so its stable `code`), and a pattern its message must match: the message
 * must help the caller, naming the argument or option and what is allowed,
 * or what to do instead. After every refused call the database must be as
 * it was: the same contents and the same last sequence number, both in the
 * open database and after a reopen (so nothing reached the WAL either). A
 * refused open must leave no file behind.
 *
 * The tables below are the documentation of what the API refuses; read them
 * as such. The last table lists the edge cases that are NOT errors (an
 * empty key, a key of exactly maxKeySize bytes, an empty range...), so the
 * line between the two is written down too.
 *
 * The figure reported is the number of refusals checked (every row of the
 * first five tables); `lost` counts the rows that did not get their typed,
 * helpful error, and must be 0.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { ClosedError, InvalidArgumentError, LockedError, LsmError } from '#toolkit/errors.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { NodeFileSystem } from '#toolkit/node-file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { WriteBatch } from '#wal/write-batch.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';
import { contents, DIR, finished, openOn, pairs, ROOT, spawnTsx, text, utf8 } from '../07-flush-manifest/support/engine.ts';
import { reportFigure } from './support/campaign.ts';

// ---- the database every row of the first tables runs against ----

/** Small limits, so that oversize keys and values are cheap to make. */
const LIMITS = { maxKeySize: 16, maxValueSize: 32 } as const;
const KEY_AT_LIMIT = 'k'.repeat(LIMITS.maxKeySize);
const KEY_TOO_LONG = 'k'.repeat(LIMITS.maxKeySize + 1);
const VALUE_AT_LIMIT = 'v'.repeat(LIMITS.maxValueSize);
const VALUE_TOO_LONG = 'v'.repeat(LIMITS.maxValueSize + 1);

/**
 * A database on an in-memory disk holding a table (a=1, b=2, flushed) and a
 * memtable write (c=3), so refused calls meet both kinds of source.
 */
class Bench {
  readonly fs = new MemoryFileSystem();
  readonly db: LsmTree;
  /** Set by `closed()`: the after-close rows close the database first. */
  isClosed = false;

  constructor() {
    this.db = openOn(this.fs, LIMITS);
    this.db.put('a', '1');
    this.db.put('b', '2');
    this.db.flush();
    this.db.put('c', '3');
  }

  /** Closes the database and returns it, for the rows about use after close. */
  closed(): LsmTree {
    this.db.close();
    this.isClosed = true;
    return this.db;
  }

  /** Reopens the database on the same disk (with the same limits). */
  reopen(): LsmTree {
    return openOn(this.fs, LIMITS);
  }
}

/** What a refused call must leave exactly as it was. */
interface State {
  readonly contents: [string, string][];
  readonly lastSequence: number;
  readonly strategy: string;
}

function stateOf(db: LsmTree): State {
  const metrics = db.metrics();
  return { contents: contents(db), lastSequence: metrics.lastSequence, strategy: metrics.compaction.strategy };
}

// ---- rows and how they are checked ----

/** The error classes a refusal may throw. */
type ErrorClass = typeof InvalidArgumentError | typeof ClosedError | typeof LockedError;

/** One row of the matrix: a call the engine must refuse, and how. */
interface Refusal<Act> {
  /** What the caller does, in words: the row's name in the test output. */
  readonly does: string;
  readonly act: Act;
  /** The class of the error it must throw. */
  readonly error: ErrorClass;
  /** What the message must say: the argument or option, and what is allowed or what to do. */
  readonly says: RegExp;
  /** "InvalidArgumentError (INVALID_ARGUMENT)": the error and its code, for the row's name. */
  readonly throws: string;
}

/** Makes a row; the error's code is read from the class itself. */
function refuses<Act>(does: string, act: Act, error: ErrorClass, says: RegExp): Refusal<Act> {
  return { does, act, error, says, throws: `${error.name} (${new error('').code})` };
}

/** Runs `call` and returns what it threw (undefined if it returned). */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

function describeThrown(error: unknown): string {
  if (error === undefined) return 'nothing (the call was accepted)';
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Escapes `text` for use inside a RegExp. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The number of refusal rows defined, and of those that got their typed,
 * helpful error: the figure reported at the end. Every row's test counts
 * itself once it has passed every check.
 */
const tally = { rows: 0, refused: 0 };

/** Checks that `error` is the row's class, with its code, and a message matching the row's pattern. */
function expectRefusal(row: Refusal<unknown>, error: unknown): void {
  expect(error, `${row.does}: expected ${row.throws}, got ${describeThrown(error)}`).toBeInstanceOf(row.error);
  const typed = error as LsmError;
  expect(typed.code, `${row.does}: the error's code`).toBe(new row.error('').code);
  expect(typed.message, `${row.does}: the message must tell the caller what is allowed or what to do`).toMatch(row.says);
}

/** Registers `rows` with the tally and returns them, for `test.each`. */
function table<Act>(rows: Refusal<Act>[]): Refusal<Act>[] {
  tally.rows += rows.length;
  return rows;
}

/**
 * The rows as `test.each` arguments named "%s → %s" (what is done → the
 * error): printed whole, where `$does` would be cut at 40 characters.
 */
function named<Row extends { readonly does: string; readonly throws?: string }>(rows: readonly Row[]): [string, string, Row][] {
  return rows.map((row) => [row.does, row.throws ?? 'accepted', row]);
}

/**
 * Runs a row against a fresh Bench: the call must be refused as the row
 * says, and the database must be unchanged, open and after a reopen.
 */
function checkOnBench(row: Refusal<(bench: Bench) => unknown>): void {
  const bench = new Bench();
  const before = stateOf(bench.db);
  expectRefusal(row, thrown(() => row.act(bench)));
  if (!bench.isClosed) {
    expect(stateOf(bench.db), `${row.does}: a refused call must change nothing (contents, last sequence, strategy)`).toEqual(before);
    bench.db.close();
  }
  const again = bench.reopen();
  expect(contents(again), `${row.does}: after a reopen, nothing refused may have reached the WAL`).toEqual(before.contents);
  expect(again.metrics().lastSequence, `${row.does}: a refused write must not use a sequence number`).toBe(before.lastSequence);
  again.close();
  tally.refused++;
}

type OnBench = (bench: Bench) => unknown;

// ---- table 1: keys and values of the wrong type ----

/** Values that are neither bytes nor a string, and how the engine names each in its message ("got ..."). */
const NOT_BYTES: readonly { readonly what: string; readonly value: unknown; readonly got: string }[] = [
  { what: 'a number', value: 42, got: 'number' },
  { what: 'null', value: null, got: 'null' },
  { what: 'undefined', value: undefined, got: 'undefined' },
  { what: 'an object', value: { key: 'k' }, got: 'object' },
  { what: 'an array', value: [107], got: 'an array' },
  { what: 'a boolean', value: true, got: 'boolean' },
  { what: 'a bigint', value: 42n, got: 'bigint' },
];

/**
 * Every place a key or a value goes, and the name the message gives it. An
 * iterator bound left undefined means "no bound" (see the last table), so
 * undefined is no bad value there. A WriteBatch takes bytes only (the engine
 * turns strings into bytes for put and delete, not for a batch).
 */
const BYTES_PLACES: readonly {
  readonly place: string;
  readonly named: string;
  readonly batch?: true;
  readonly undefinedMeansAbsent?: true;
  readonly call: (db: LsmTree, bad: never) => unknown;
}[] = [
  { place: 'put(key, …)', named: 'key', call: (db, bad) => db.put(bad, 'v') },
  { place: 'put(…, value)', named: 'value', call: (db, bad) => db.put('k', bad) },
  { place: 'delete(key)', named: 'key', call: (db, bad) => db.delete(bad) },
  { place: 'get(key)', named: 'key', call: (db, bad) => db.get(bad) },
  { place: 'range(start, …)', named: 'start', call: (db, bad) => db.range(bad, 'z') },
  { place: 'range(…, end)', named: 'end', call: (db, bad) => db.range('a', bad) },
  { place: 'iterator({ gt })', named: 'gt', undefinedMeansAbsent: true, call: (db, bad) => db.iterator({ gt: bad }) },
  { place: 'iterator({ gte })', named: 'gte', undefinedMeansAbsent: true, call: (db, bad) => db.iterator({ gte: bad }) },
  { place: 'iterator({ lt })', named: 'lt', undefinedMeansAbsent: true, call: (db, bad) => db.iterator({ lt: bad }) },
  { place: 'iterator({ lte })', named: 'lte', undefinedMeansAbsent: true, call: (db, bad) => db.iterator({ lte: bad }) },
  {
    place: 'WriteBatch.put(key, …)',
    named: 'a batch key',
    batch: true,
    call: (db, bad) => db.write(new WriteBatch().put(utf8('x'), utf8('1')).put(bad, utf8('v'))),
  },
  {
    place: 'WriteBatch.put(…, value)',
    named: 'a batch value',
    batch: true,
    call: (db, bad) => db.write(new WriteBatch().put(utf8('x'), utf8('1')).put(utf8('k'), bad)),
  },
  {
    place: 'WriteBatch.delete(key)',
    named: 'a batch key',
    batch: true,
    call: (db, bad) => db.write(new WriteBatch().put(utf8('x'), utf8('1')).delete(bad)),
  },
];

/** What a batch's message adds: a batch takes bytes only. */
const BATCH_HINT = literal(' (encode a string as UTF-8 bytes)');

const WRONG_TYPES = table<OnBench>(
  BYTES_PLACES.flatMap(({ place, named, batch, undefinedMeansAbsent, call }) =>
    NOT_BYTES.filter(({ value }) => !(undefinedMeansAbsent === true && value === undefined)).map(({ what, value, got }) =>
      refuses<OnBench>(
        `${place} with ${what}${batch === true ? ', after a good entry: the batch is not written' : ''}`,
        (bench) => call(bench.db, value as never),
        InvalidArgumentError,
        new RegExp(`^${literal(named)} must be a Uint8Array${batch === true ? BATCH_HINT : ' or a string'}, got ${got}$`),
      ),
    ),
  ),
);

describe('table 1: a key or value that is not bytes or a string is refused, naming the argument and the allowed types', () => {
  test.each(named(WRONG_TYPES))('%s → %s', (_does, _throws, row) => checkOnBench(row));
});

// ---- table 2: sizes, ranges, options of calls, snapshots, on an open database ----

const keySize = (named: string, bytes: number): RegExp =>
  new RegExp(`^${named} is ${bytes} bytes; a key may be 0 to ${LIMITS.maxKeySize} bytes \\(maxKeySize\\)$`);
const valueSize = (bytes: number): RegExp =>
  new RegExp(`^value is ${bytes} bytes; a value may be 0 to ${LIMITS.maxValueSize} bytes \\(maxValueSize\\)$`);
const NOT_LIVE = /^snapshot must be a live snapshot of this database \(taken by its snapshot\(\) and not released\)$/;
const LIMIT = /^limit must be an integer >= 0 or Infinity, got /;

/** Opens a second database on its own disk, runs `use` with it, and closes it. */
function withOtherDatabase<T>(use: (other: LsmTree, fs: MemoryFileSystem) => T): T {
  const fs = new MemoryFileSystem();
  const other = openOn(fs);
  try {
    return use(other, fs);
  } finally {
    other.close();
  }
}

/** A released snapshot of the bench's database. */
function releasedSnapshot(db: LsmTree): ReturnType<LsmTree['snapshot']> {
  const snapshot = db.snapshot();
  snapshot.release();
  return snapshot;
}

const ON_AN_OPEN_DATABASE = table<OnBench>([
  // Sizes: maxKeySize is 16 and maxValueSize 32 here; the limits count UTF-8 bytes.
  refuses(`put(a key of maxKeySize + 1 bytes, …)`, (b) => b.db.put(KEY_TOO_LONG, 'v'), InvalidArgumentError, keySize('key', 17)),
  refuses(
    `put(a key of 9 "é": 9 characters, 18 UTF-8 bytes)`,
    (b) => b.db.put('é'.repeat(9), 'v'),
    InvalidArgumentError,
    keySize('key', 18),
  ),
  refuses(`put(…, a value of maxValueSize + 1 bytes)`, (b) => b.db.put('k', VALUE_TOO_LONG), InvalidArgumentError, valueSize(33)),
  refuses(`delete(a key of maxKeySize + 1 bytes)`, (b) => b.db.delete(KEY_TOO_LONG), InvalidArgumentError, keySize('key', 17)),
  refuses(`get(a key of maxKeySize + 1 bytes)`, (b) => b.db.get(KEY_TOO_LONG), InvalidArgumentError, keySize('key', 17)),
  refuses(`range(a start of maxKeySize + 1 bytes, …)`, (b) => b.db.range(KEY_TOO_LONG, '~'), InvalidArgumentError, keySize('start', 17)),
  refuses(
    `iterator({ lt: a key of maxKeySize + 1 bytes })`,
    (b) => b.db.iterator({ lt: KEY_TOO_LONG }),
    InvalidArgumentError,
    keySize('lt', 17),
  ),
  refuses(
    `write(a batch whose 2nd entry's key has maxKeySize + 1 bytes): the 1st is not applied either`,
    (b) => b.db.write(new WriteBatch().put(utf8('x'), utf8('1')).put(utf8(KEY_TOO_LONG), utf8('v'))),
    InvalidArgumentError,
    keySize('key', 17),
  ),
  refuses(
    `write(a batch whose 3rd entry's value has maxValueSize + 1 bytes): the 1st and 2nd are not applied either`,
    (b) => b.db.write(new WriteBatch().put(utf8('x'), utf8('1')).delete(utf8('a')).put(utf8('y'), utf8(VALUE_TOO_LONG))),
    InvalidArgumentError,
    valueSize(33),
  ),

  // Batches and write options.
  refuses(
    `WriteBatch.put(a string key): a batch takes bytes`,
    (b) => b.db.write(new WriteBatch().put('k' as never, utf8('v'))),
    InvalidArgumentError,
    /^a batch key must be a Uint8Array \(encode a string as UTF-8 bytes\), got string$/,
  ),
  refuses(
    `write({ entries: [] }): not a WriteBatch`,
    (b) => b.db.write({ entries: [] } as never),
    InvalidArgumentError,
    /^write\(\) takes a WriteBatch, got an object$/,
  ),
  refuses(`write(null)`, (b) => b.db.write(null as never), InvalidArgumentError, /^write\(\) takes a WriteBatch, got null$/),
  refuses(
    `put(…, …, { sync: 'yes' })`,
    (b) => b.db.put('k', 'v', { sync: 'yes' as never }),
    InvalidArgumentError,
    /^sync must be true or false, got the string "yes"$/,
  ),
  refuses(
    `write(batch, { sync: 1 })`,
    (b) => b.db.write(new WriteBatch().put(utf8('k'), utf8('v')), { sync: 1 as never }),
    InvalidArgumentError,
    /^sync must be true or false, got number 1$/,
  ),
  refuses(
    `put(…, …, { synch: true }): a misspelt option would silently not sync`,
    (b) => b.db.put('k', 'v', { synch: true } as never),
    InvalidArgumentError,
    /^unknown write option 'synch'; the options are: sync$/,
  ),
  refuses(
    `delete(key, 'sync'): options that are not an object`,
    (b) => b.db.delete('a', 'sync' as never),
    InvalidArgumentError,
    /^write options must be an object, got the string "sync"$/,
  ),

  // Ranges and iterator options.
  refuses(
    `range('z', 'a'): start > end`,
    (b) => b.db.range('z', 'a'),
    InvalidArgumentError,
    /^range\(start, end\) needs start <= end: it covers \[start, end\); to scan backwards, pass \{ reverse: true \}$/,
  ),
  refuses(
    `iterator({ gt: 'a', gte: 'b' }): two lower bounds`,
    (b) => b.db.iterator({ gt: 'a', gte: 'b' }),
    InvalidArgumentError,
    /^give at most one lower bound: gt or gte, not both$/,
  ),
  refuses(
    `iterator({ lt: 'y', lte: 'z' }): two upper bounds`,
    (b) => b.db.iterator({ lt: 'y', lte: 'z' }),
    InvalidArgumentError,
    /^give at most one upper bound: lt or lte, not both$/,
  ),
  refuses(`range(…, { limit: -1 })`, (b) => b.db.range('a', 'z', { limit: -1 }), InvalidArgumentError, LIMIT),
  refuses(`iterator({ limit: 2.5 })`, (b) => b.db.iterator({ limit: 2.5 }), InvalidArgumentError, LIMIT),
  refuses(`iterator({ limit: NaN })`, (b) => b.db.iterator({ limit: Number.NaN }), InvalidArgumentError, LIMIT),
  refuses(
    `iterator({ limit: '5' })`,
    (b) => b.db.iterator({ limit: '5' as never }),
    InvalidArgumentError,
    /^limit must be an integer >= 0 or Infinity, got the string "5"$/,
  ),
  refuses(
    `iterator({ reverse: 'yes' })`,
    (b) => b.db.iterator({ reverse: 'yes' as never }),
    InvalidArgumentError,
    /^reverse must be true or false, got the string "yes"$/,
  ),
  refuses(`iterator(null)`, (b) => b.db.iterator(null as never), InvalidArgumentError, /^iterator options must be an object, got null$/),
  refuses(
    `iterator({ gtee: 'b' }): a misspelt bound would silently scan from the first key`,
    (b) => b.db.iterator({ gtee: 'b' } as never),
    InvalidArgumentError,
    /^unknown iterator option 'gtee'; the options are: gt, gte, lt, lte, snapshot, reverse, limit$/,
  ),
  refuses(
    `range('a', 'z', { gte: 'b' }): range takes its bounds as arguments`,
    (b) => b.db.range('a', 'z', { gte: 'b' } as never),
    InvalidArgumentError,
    /^unknown range option 'gte'; the options are: snapshot, reverse, limit$/,
  ),
  refuses(
    `get(key, 5): options that are not an object`,
    (b) => b.db.get('a', 5 as never),
    InvalidArgumentError,
    /^get options must be an object, got number 5$/,
  ),
  refuses(
    `get(key, { snapshto: s }): a misspelt option would silently read the latest data`,
    (b) => b.db.get('a', { snapshto: b.db.snapshot() } as never),
    InvalidArgumentError,
    /^unknown get option 'snapshto'; the options are: snapshot$/,
  ),
  refuses(
    `metrics({ exact: 'yes' })`,
    (b) => b.db.metrics({ exact: 'yes' as never }),
    InvalidArgumentError,
    /^exact must be true or false, got the string "yes"$/,
  ),
  refuses(`metrics(null)`, (b) => b.db.metrics(null as never), InvalidArgumentError, /^metrics options must be an object, got null$/),

  // Snapshots.
  refuses(
    `get(key, { snapshot: a released snapshot })`,
    (b) => b.db.get('a', { snapshot: releasedSnapshot(b.db) }),
    InvalidArgumentError,
    NOT_LIVE,
  ),
  refuses(
    `range(…, { snapshot: a released snapshot })`,
    (b) => b.db.range('a', 'z', { snapshot: releasedSnapshot(b.db) }),
    InvalidArgumentError,
    NOT_LIVE,
  ),
  refuses(
    `iterator({ snapshot: a released snapshot })`,
    (b) => b.db.iterator({ snapshot: releasedSnapshot(b.db) }),
    InvalidArgumentError,
    NOT_LIVE,
  ),
  refuses(
    `get(key, { snapshot: a live snapshot of another database })`,
    (b) => withOtherDatabase((other) => b.db.get('a', { snapshot: other.snapshot() })),
    InvalidArgumentError,
    NOT_LIVE,
  ),
  refuses(
    `get(key, { snapshot: one taken before the database was closed and reopened })`,
    () =>
      withOtherDatabase((first, fs) => {
        const snapshot = first.snapshot();
        first.close();
        const reopened = openOn(fs);
        try {
          return reopened.get('a', { snapshot });
        } finally {
          reopened.close();
        }
      }),
    InvalidArgumentError,
    NOT_LIVE,
  ),
  refuses(
    `get(key, { snapshot: a look-alike { sequence: 1, release() {} } })`,
    (b) => b.db.get('a', { snapshot: { sequence: 1, release: () => {} } }),
    InvalidArgumentError,
    NOT_LIVE,
  ),
  refuses(
    `get(key, { snapshot: 3 }): a sequence number is not a snapshot`,
    (b) => b.db.get('a', { snapshot: 3 as never }),
    InvalidArgumentError,
    NOT_LIVE,
  ),

  // Compaction calls.
  refuses(
    `compact(7): there are levels 0 to 6`,
    (b) => b.db.compact(7),
    InvalidArgumentError,
    /^level must be an integer from 0 to 6, or undefined for every level; got number 7$/,
  ),
  refuses(
    `compact(1.5)`,
    (b) => b.db.compact(1.5),
    InvalidArgumentError,
    /^level must be an integer from 0 to 6, or undefined for every level; got number 1\.5$/,
  ),
  refuses(
    `compact('1')`,
    (b) => b.db.compact('1' as never),
    InvalidArgumentError,
    /^level must be an integer from 0 to 6, or undefined for every level; got the string "1"$/,
  ),
  refuses(
    `compactionStep(0)`,
    (b) => b.db.compactionStep(0),
    InvalidArgumentError,
    /^budgetBytes must be an integer >= 1 or Infinity, got number 0$/,
  ),
  refuses(
    `compactionStep(undefined)`,
    (b) => b.db.compactionStep(undefined as never),
    InvalidArgumentError,
    /^budgetBytes must be an integer >= 1 or Infinity, got undefined$/,
  ),
  refuses(
    `setCompaction({ strategy: 'size-tiered' }): an unknown strategy`,
    (b) => b.db.setCompaction({ strategy: 'size-tiered' } as never),
    InvalidArgumentError,
    /^compaction strategy must be one of 'leveled', 'tiered', 'none', got 'size-tiered'$/,
  ),
  refuses(
    `setCompaction({}): no strategy`,
    (b) => b.db.setCompaction({} as never),
    InvalidArgumentError,
    /^compaction strategy must be one of 'leveled', 'tiered', 'none', got undefined$/,
  ),
  refuses(
    `setCompaction(null)`,
    (b) => b.db.setCompaction(null as never),
    InvalidArgumentError,
    /^compaction must be an object like \{ strategy: 'leveled' \}, got null$/,
  ),
  refuses(
    `setCompaction({ strategy: 'leveled', levelSizeRatio: 1 }): below its range`,
    (b) => b.db.setCompaction({ strategy: 'leveled', levelSizeRatio: 1 }),
    InvalidArgumentError,
    /^levelSizeRatio must be a number from 2 to 1000, got 1$/,
  ),
  refuses(
    `setCompaction({ strategy: 'leveled', l0Trigger: 4 }): an unknown leveled option`,
    (b) => b.db.setCompaction({ strategy: 'leveled', l0Trigger: 4 } as never),
    InvalidArgumentError,
    /^unknown leveled compaction option 'l0Trigger'; the options are: l0CompactionTrigger, levelSizeRatio, baseLevelSize, targetFileSize$/,
  ),
  refuses(
    `setCompaction({ strategy: 'tiered', minMergeWidth: 1 }): below its range`,
    (b) => b.db.setCompaction({ strategy: 'tiered', minMergeWidth: 1 }),
    InvalidArgumentError,
    /^tiered compaction option minMergeWidth must be an integer from 2 to 1000, got 1$/,
  ),
  refuses(
    `setCompaction({ strategy: 'tiered', minMergeWidth: 8, maxMergeWidth: 4 })`,
    (b) => b.db.setCompaction({ strategy: 'tiered', minMergeWidth: 8, maxMergeWidth: 4 }),
    InvalidArgumentError,
    /^tiered compaction option maxMergeWidth \(4\) must be at least minMergeWidth \(8\)$/,
  ),
  refuses(
    `setCompaction({ strategy: 'none', l0CompactionTrigger: 4 })`,
    (b) => b.db.setCompaction({ strategy: 'none', l0CompactionTrigger: 4 } as never),
    InvalidArgumentError,
    /^compaction strategy 'none' takes no options, got strategy, l0CompactionTrigger$/,
  ),

  // Checkpoints.
  refuses(
    `checkpoint(42)`,
    (b) => b.db.checkpoint(42 as never),
    InvalidArgumentError,
    /^the checkpoint directory must be a non-empty string, got number$/,
  ),
  refuses(
    `checkpoint('')`,
    (b) => b.db.checkpoint(''),
    InvalidArgumentError,
    /^the checkpoint directory must be a non-empty string, got an empty string$/,
  ),
  refuses(
    `checkpoint(the database's own directory)`,
    (b) => b.db.checkpoint(DIR),
    InvalidArgumentError,
    /^the checkpoint directory '\/db' is the database's own directory$/,
  ),
  refuses(
    `checkpoint(a directory that holds a file)`,
    (b) => {
      b.fs.mkdir('/elsewhere');
      b.fs.createWritable('/elsewhere/notes.txt').close();
      return b.db.checkpoint('/elsewhere');
    },
    InvalidArgumentError,
    /^the checkpoint directory '\/elsewhere' must not exist or must be empty; it holds 1 file\(s\)$/,
  ),

  // A second opener in this process.
  refuses(
    `LsmTree.open(the directory this database has open)`,
    (b) => openOn(b.fs, LIMITS),
    LockedError,
    /^'\/db\/LOCK' is locked: the database is already open$/,
  ),
]);

describe('table 2: sizes over the limits, bad ranges, bad call options and misused snapshots are refused, and change nothing', () => {
  test.each(named(ON_AN_OPEN_DATABASE))('%s → %s', (_does, _throws, row) => checkOnBench(row));
});

// ---- table 3: use after close ----

const CLOSED = /^the database in '\/db' is closed; open it again with LsmTree\.open to use it$/;
const ITERATOR_CLOSED = /^the database in '\/db' is closed, and its iterators with it; open it again for a new iterator$/;

/** Every public method of LsmTree but close() (which may be called again), each called as it would be on an open database. */
const EVERY_METHOD: readonly [string, (db: LsmTree) => unknown][] = [
  ['put', (db) => db.put('k', 'v')],
  ['delete', (db) => db.delete('a')],
  ['write', (db) => db.write(new WriteBatch().put(utf8('k'), utf8('v')))],
  ['get', (db) => db.get('a')],
  ['range', (db) => db.range('a', 'z')],
  ['iterator', (db) => db.iterator()],
  ['snapshot', (db) => db.snapshot()],
  ['flush', (db) => db.flush()],
  ['compact', (db) => db.compact()],
  ['compactionStep', (db) => db.compactionStep(1024)],
  ['setCompaction', (db) => db.setCompaction({ strategy: 'leveled' })],
  ['checkpoint', (db) => db.checkpoint('/checkpoint')],
  ['metrics', (db) => db.metrics()],
];

const AFTER_CLOSE = table<OnBench>([
  ...EVERY_METHOD.map(([name, call]) => refuses<OnBench>(`${name}() after close()`, (b) => call(b.closed()), ClosedError, CLOSED)),
  refuses(
    `an iterator opened before close() (tables and memtable), moved after it`,
    (b) => {
      const it = b.db.iterator();
      it.seekToFirst();
      b.closed();
      it.next();
    },
    ClosedError,
    ITERATOR_CLOSED,
  ),
  refuses(
    `a range() opened before close(), looped over after it`,
    (b) => {
      const scan = b.db.range('a', 'z');
      b.closed();
      return [...scan];
    },
    ClosedError,
    ITERATOR_CLOSED,
  ),
  refuses(
    `an iterator over writes still in the memtable only, moved after close()`,
    (b) => {
      b.closed(); // The bench is only for the checks; this row needs a database without tables.
      const fs = new MemoryFileSystem();
      const db = openOn(fs);
      db.put('m', '1');
      db.put('n', '2');
      const it = db.iterator();
      it.seekToFirst();
      db.close();
      it.next();
    },
    ClosedError,
    /^the database in '\/db' is closed, and its iterators with it/,
  ),
  refuses(
    `an iterator used after its own close()`,
    (b) => {
      const it = b.db.iterator();
      it.close();
      it.seekToFirst();
    },
    ClosedError,
    /^iterator used after close\(\)$/,
  ),
]);

describe('table 3: every method after close() throws ClosedError saying what to do; open iterators stop with the database', () => {
  test.each(named(AFTER_CLOSE))('%s → %s', (_does, _throws, row) => checkOnBench(row));
});

// ---- table 4: bad options to LsmTree.open ----

/** A real directory for the refused opens: a fileSystem check that failed would fall back to the real disk, and be seen. */
const root = mkdtempSync(join(tmpdir(), 'lsm-bad-input-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NEVER_CREATED = join(root, 'never-created');

type OnEmptyDisk = (fs: MemoryFileSystem) => unknown;

/** A row that opens a database on an empty in-memory disk with `options` (which may replace the file system). */
function badOpen(does: string, options: Record<string, unknown>, says: RegExp): Refusal<OnEmptyDisk> {
  const open = (fs: MemoryFileSystem): LsmTree => LsmTree.open(NEVER_CREATED, { fileSystem: fs, ...options } as LsmOptions);
  return refuses<OnEmptyDisk>(does, open, InvalidArgumentError, says);
}

const integerOption = (name: string, range: string, got: string): RegExp =>
  new RegExp(`^${name} must be an integer from ${literal(range)}, got ${literal(got)}$`);
const MEMTABLE_RANGE = '1024 (1 KiB) to 1073741824 (1 GiB) bytes';

/** An object with every FileSystem method of a MemoryFileSystem but `lock`. */
const fileSystemWithoutLock = Object.create(new MemoryFileSystem(), { lock: { value: undefined } }) as unknown;

const BAD_OPENS = table<OnEmptyDisk>([
  refuses<OnEmptyDisk>(
    `LsmTree.open(42)`,
    (fs) => LsmTree.open(42 as never, { fileSystem: fs }),
    InvalidArgumentError,
    /^the directory must be a non-empty string, got number$/,
  ),
  refuses<OnEmptyDisk>(
    `LsmTree.open('')`,
    (fs) => LsmTree.open('', { fileSystem: fs }),
    InvalidArgumentError,
    /^the directory must be a non-empty string, got an empty string$/,
  ),
  refuses<OnEmptyDisk>(
    `LsmTree.open(dir, 42)`,
    () => LsmTree.open(NEVER_CREATED, 42 as never),
    InvalidArgumentError,
    /^options must be an object, got 42$/,
  ),
  refuses<OnEmptyDisk>(
    `LsmTree.open(dir, [])`,
    () => LsmTree.open(NEVER_CREATED, [] as never),
    InvalidArgumentError,
    /^options must be an object, got an array$/,
  ),
  // Integer options: a few below, above, between and beside their ranges (bad-input.test.ts tries every one).
  badOpen(`memtableSize: 1023, below its range`, { memtableSize: 1023 }, integerOption('memtableSize', MEMTABLE_RANGE, '1023')),
  badOpen(
    `memtableSize: 2^30 + 1, above its range`,
    { memtableSize: 2 ** 30 + 1 },
    integerOption('memtableSize', MEMTABLE_RANGE, String(2 ** 30 + 1)),
  ),
  badOpen(`memtableSize: 4096.5, not an integer`, { memtableSize: 4096.5 }, integerOption('memtableSize', MEMTABLE_RANGE, '4096.5')),
  badOpen(`memtableSize: '4096', a string`, { memtableSize: '4096' }, integerOption('memtableSize', MEMTABLE_RANGE, '"4096"')),
  badOpen(`memtableSize: null`, { memtableSize: null }, integerOption('memtableSize', MEMTABLE_RANGE, 'null')),
  badOpen(`blockSize: 127`, { blockSize: 127 }, integerOption('blockSize', '128 to 1048576 (1 MiB) bytes', '127')),
  badOpen(`bitsPerKey: 65`, { bitsPerKey: 65 }, integerOption('bitsPerKey', '0 (no filter) to 64 bits', '65')),
  badOpen(
    `maxKeySize: 0 (an empty key must stay possible)`,
    { maxKeySize: 0 },
    integerOption('maxKeySize', '1 to 16777216 (16 MiB) bytes', '0'),
  ),
  badOpen(`maxValueSize: -1`, { maxValueSize: -1 }, integerOption('maxValueSize', '0 to 536870912 (512 MiB) bytes', '-1')),
  badOpen(`maxOpenFiles: 7`, { maxOpenFiles: 7 }, integerOption('maxOpenFiles', '8 to 1000000 files', '7')),
  badOpen(
    `compactionPacing: NaN`,
    { compactionPacing: Number.NaN },
    integerOption('compactionPacing', '0 (no automatic compaction) to 1000000', 'NaN'),
  ),
  badOpen(
    `l0StopTrigger: 5 below l0SlowdownTrigger: 10`,
    { l0SlowdownTrigger: 10, l0StopTrigger: 5 },
    /^l0StopTrigger \(5\) must be at least l0SlowdownTrigger \(10\)$/,
  ),
  badOpen(
    `hardPendingBytes: 1000 below softPendingBytes: 2000`,
    { softPendingBytes: 2000, hardPendingBytes: 1000 },
    /^hardPendingBytes \(1000\) must be at least softPendingBytes \(2000\)$/,
  ),
  badOpen(`createIfMissing: 'no'`, { createIfMissing: 'no' }, /^createIfMissing must be true or false, got "no"$/),
  badOpen(`errorIfExists: 1`, { errorIfExists: 1 }, /^errorIfExists must be true or false, got 1$/),
  badOpen(
    `memtablesize: 1024, a misspelt option name`,
    { memtablesize: 1024 },
    /^unknown option 'memtablesize'; the options are: .*\bmemtableSize\b/,
  ),
  badOpen(
    `strategy: 'tiered', a compaction option given at the top level`,
    { strategy: 'tiered' },
    /^unknown option 'strategy'; the options are: .*\bcompaction\b/,
  ),
  // Compaction.
  badOpen(
    `compaction: { strategy: 'size-tiered' }, an unknown strategy`,
    { compaction: { strategy: 'size-tiered' } },
    /^compaction strategy must be one of 'leveled', 'tiered', 'none', got 'size-tiered'$/,
  ),
  badOpen(
    `compaction: 'leveled', a name instead of an object`,
    { compaction: 'leveled' },
    /^compaction must be an object like \{ strategy: 'leveled' \}, got string$/,
  ),
  badOpen(`compaction: null`, { compaction: null }, /^compaction must be an object like \{ strategy: 'leveled' \}, got null$/),
  badOpen(
    `compaction: { strategy: 'leveled', baseLevelSize: 1000 }, below its range`,
    { compaction: { strategy: 'leveled', baseLevelSize: 1000 } },
    /^baseLevelSize must be an integer from 1024 \(1 KiB\) to 1099511627776 \(1 TiB\) bytes, got 1000$/,
  ),
  badOpen(
    `compaction: { strategy: 'leveled', levelSizeRatio: 1001 }, above its range`,
    { compaction: { strategy: 'leveled', levelSizeRatio: 1001 } },
    /^levelSizeRatio must be a number from 2 to 1000, got 1001$/,
  ),
  badOpen(
    `compaction: { strategy: 'tiered', maxRuns: 0 }, below its range`,
    { compaction: { strategy: 'tiered', maxRuns: 0 } },
    /^tiered compaction option maxRuns must be an integer from 1 to 1000, got 0$/,
  ),
  badOpen(
    `compaction: { strategy: 'tiered', sizeRatio: 10 }, an unknown tiered option`,
    { compaction: { strategy: 'tiered', sizeRatio: 10 } },
    /^unknown tiered compaction option 'sizeRatio'; the options are: .*\bsizeRatioPercent\b/,
  ),
  // The file system.
  badOpen(
    `fileSystem: {}`,
    { fileSystem: {} },
    /^fileSystem must implement the FileSystem interface; it lacks createWritable, openReadable, .*, lock$/,
  ),
  badOpen(
    `fileSystem: an object without lock()`,
    { fileSystem: fileSystemWithoutLock },
    /^fileSystem must implement the FileSystem interface; it lacks lock$/,
  ),
  badOpen(
    `fileSystem: null (it must not quietly become the real disk)`,
    { fileSystem: null },
    /^fileSystem must be a FileSystem \(a NodeFileSystem, a MemoryFileSystem\.\.\.\), got null$/,
  ),
  badOpen(
    `fileSystem: 'memory', a name instead of an object`,
    { fileSystem: 'memory' },
    /^fileSystem must be a FileSystem \(a NodeFileSystem, a MemoryFileSystem\.\.\.\), got "memory"$/,
  ),
  badOpen(
    `fileSystem: MemoryFileSystem, the class instead of an instance`,
    { fileSystem: MemoryFileSystem },
    /^fileSystem must be a FileSystem \(a NodeFileSystem, a MemoryFileSystem\.\.\.\), got a value of type function$/,
  ),
  // Creating.
  badOpen(
    `createIfMissing: false on an empty disk`,
    { createIfMissing: false },
    new RegExp(`^there is no database in '${literal(NEVER_CREATED)}' \\(no CURRENT file\\), and createIfMissing is false$`),
  ),
]);

describe('table 4: bad options to LsmTree.open are refused, naming the option and its allowed values, and create nothing', () => {
  test.each(named(BAD_OPENS))('%s → %s', (_does, _throws, row) => {
    const fs = new MemoryFileSystem();
    expectRefusal(row, thrown(() => row.act(fs)));
    expect(fs.list('/'), `${row.does}: a refused open must create no file, not even an empty directory`).toEqual([]);
    expect(existsSync(NEVER_CREATED), `${row.does}: a refused open must not touch the real disk`).toBe(false);
    tally.refused++;
  });
});

// ---- table 5: a second opener, in this process or another (the real disk) ----

const HOLD_LOCK = join(ROOT, 'test/07-flush-manifest/support/hold-lock.ts');
const TRY_OPEN = join(ROOT, 'test/reliability/support/try-open.ts');

/** An error as the test sees it: thrown here, or reported by a child process as JSON. */
interface SeenError {
  readonly error: unknown;
  /** True when the error was thrown in another process: only its name, code and message came back. */
  readonly reported?: true;
}

/** Resolves once the child prints `line`, or rejects with its stderr if it exits first. No sleeping, no polling. */
function untilLine(child: ChildProcessWithoutNullStreams, line: string, exit: ReturnType<typeof finished>): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').includes(line)) resolve();
    });
    void exit.then(({ code, stderr }) => {
      reject(new Error(`the child exited (code ${code}) before printing "${line}":\n${stderr.slice(-2000)}`));
    });
  });
}

type WithRealDirectory = (dir: string) => Promise<SeenError>;

const SECOND_OPENERS = table<WithRealDirectory>([
  refuses<WithRealDirectory>(
    `LsmTree.open(a real directory this process has open)`,
    async (dir) => {
      const fs = new NodeFileSystem();
      const db = LsmTree.open(dir, { fileSystem: fs });
      db.put('k', 'v', { sync: true });
      const error = thrown(() => LsmTree.open(dir, { fileSystem: fs }));
      expect(text(db.get('k')), 'the refused open must not disturb the open database').toBe('v');
      expect(db.metrics().lastSequence).toBe(1);
      db.close();
      return { error };
    },
    LockedError,
    /^'.*\/LOCK' is locked: the database is already open in this process$/,
  ),
  refuses<WithRealDirectory>(
    `LsmTree.open(a real directory another process has open)`,
    async (dir) => {
      const child = spawnTsx(HOLD_LOCK, [dir]);
      const exit = finished(child);
      await untilLine(child, 'open', exit);
      const error = thrown(() => LsmTree.open(dir, { fileSystem: new NodeFileSystem() }).close());
      child.stdin.end();
      const { code, stderr } = await exit;
      expect(code, `the holder closes its database and exits cleanly:\n${stderr.slice(-2000)}`).toBe(0);
      expect((error as Error).message, 'the message names the process that holds the database').toContain(`process ${child.pid}:`);
      const db = LsmTree.open(dir, { fileSystem: new NodeFileSystem() });
      expect(contents(db), 'the refused opener wrote nothing').toEqual([]);
      expect(db.metrics().lastSequence).toBe(0);
      db.close();
      return { error };
    },
    LockedError,
    /^'.*\/LOCK' is locked by process \d+: the database is open elsewhere$/,
  ),
  refuses<WithRealDirectory>(
    `another process's LsmTree.open(a real directory this process has open)`,
    async (dir) => {
      const db = LsmTree.open(dir, { fileSystem: new NodeFileSystem() });
      db.put('k', 'v', { sync: true });
      const { code, stdout, stderr } = await finished(spawnTsx(TRY_OPEN, [dir]));
      expect(code, `try-open.ts must run to its end:\n${stderr.slice(-2000)}`).toBe(0);
      const report = JSON.parse(stdout.trim()) as { opened: boolean; name?: string; code?: string; message?: string };
      expect(report.opened, 'the other process must not open a database this one holds').toBe(false);
      expect(report.message, 'the message names this process, which holds the database').toContain(`process ${process.pid}:`);
      expect(text(db.get('k')), 'the refused open must not disturb the open database').toBe('v');
      expect(db.metrics().lastSequence).toBe(1);
      db.close();
      const again = LsmTree.open(dir, { fileSystem: new NodeFileSystem() });
      expect(contents(again)).toEqual([['k', 'v']]);
      again.close();
      const error = Object.assign(new Error(report.message), { name: report.name, code: report.code });
      return { error, reported: true };
    },
    LockedError,
    new RegExp(`^'.*/LOCK' is locked by process ${process.pid}: the database is open elsewhere$`),
  ),
]);

describe('table 5: a second opener of an open directory gets LockedError, in this process or another', () => {
  let next = 0;
  test.each(named(SECOND_OPENERS))('%s → %s', async (_does, _throws, row) => {
    const seen = await row.act(join(root, `locked-${next++}`));
    if (seen.reported === true) {
      // Thrown in the child: the class cannot cross the process boundary, its name and code can.
      const error = seen.error as Error & { code?: string };
      expect(error.name, `${row.does}: the child's error`).toBe(row.error.name);
      expect(error.code).toBe(new row.error('').code);
      expect(error.message, `${row.does}: the message`).toMatch(row.says);
    } else {
      expectRefusal(row, seen.error);
    }
    tally.refused++;
  });
});

// ---- the line: edge cases that are not errors ----

/** One edge case the engine accepts, and what the call gives back (as text). */
interface Accepted {
  readonly does: string;
  readonly act: (db: LsmTree) => unknown;
  readonly gives: unknown;
}

/** The bench's contents, from which the expected scans below are derived. */
const BENCH_CONTENTS: [string, string][] = [
  ['a', '1'],
  ['b', '2'],
  ['c', '3'],
];

const ACCEPTED: Accepted[] = [
  { does: `put('', value): the empty key is a key like any other`, act: (db) => { db.put('', 'e'); return text(db.get('')); }, gives: 'e' },
  {
    does: `put(new Uint8Array(0), value) is the same key as ''`,
    act: (db) => { db.put(new Uint8Array(0), 'e'); return text(db.get('')); },
    gives: 'e',
  },
  { does: `delete(''), then get('')`, act: (db) => { db.put('', 'e'); db.delete(''); return db.get(''); }, gives: undefined },
  { does: `put(key, ''): an empty value is a value, not a delete`, act: (db) => { db.put('k', ''); return text(db.get('k')); }, gives: '' },
  {
    does: `put(a key of exactly maxKeySize bytes, …)`,
    act: (db) => { db.put(KEY_AT_LIMIT, 'v'); return text(db.get(KEY_AT_LIMIT)); },
    gives: 'v',
  },
  {
    does: `put(a key of 8 "é": exactly maxKeySize UTF-8 bytes, …)`,
    act: (db) => { db.put('é'.repeat(8), 'v'); return text(db.get('é'.repeat(8))); },
    gives: 'v',
  },
  {
    does: `put(…, a value of exactly maxValueSize bytes)`,
    act: (db) => { db.put('k', VALUE_AT_LIMIT); return text(db.get('k')); },
    gives: VALUE_AT_LIMIT,
  },
  { does: `get(a key of exactly maxKeySize bytes that was never set)`, act: (db) => db.get(KEY_AT_LIMIT), gives: undefined },
  { does: `delete(a key that was never set)`, act: (db) => { db.delete('zz'); return contents(db); }, gives: BENCH_CONTENTS },
  {
    does: `write(an empty batch) does nothing, not even take a sequence number`,
    act: (db) => { db.write(new WriteBatch()); return db.metrics().lastSequence; },
    gives: 3,
  },
  {
    does: `put(…, …, {}) and put(…, …, { sync: undefined }): the defaults`,
    act: (db) => { db.put('k', '1', {}); db.put('k', '2', { sync: undefined }); return text(db.get('k')); },
    gives: '2',
  },
  { does: `range('b', 'b'): start = end is an empty range`, act: (db) => pairs(db.range('b', 'b')), gives: [] },
  {
    does: `iterator({ gte: 'c', lt: 'a' }): a lower bound above the upper one is an empty range`,
    act: (db) => pairs(db.iterator({ gte: 'c', lt: 'a' })),
    gives: [],
  },
  {
    does: `iterator({ gt: undefined, lt: undefined }): an undefined bound is no bound`,
    act: (db) => pairs(db.iterator({ gt: undefined, lt: undefined })),
    gives: BENCH_CONTENTS,
  },
  { does: `range(…, { limit: 0 }) yields nothing`, act: (db) => pairs(db.range('a', 'z', { limit: 0 })), gives: [] },
  {
    does: `range(…, { limit: Infinity }) yields everything`,
    act: (db) => pairs(db.range('a', 'z', { limit: Infinity })),
    gives: BENCH_CONTENTS,
  },
  {
    does: `iterator({ lte: a key of exactly maxKeySize bytes })`,
    act: (db) => pairs(db.iterator({ lte: KEY_AT_LIMIT })),
    gives: BENCH_CONTENTS,
  },
  {
    does: `compact() and compactionStep(Infinity) with compaction 'none'`,
    act: (db) => { db.compact(); return db.compactionStep(Infinity).state; },
    gives: 'idle',
  },
  {
    does: `snapshot.release() twice, and once more after close()`,
    act: (db) => {
      const snapshot = db.snapshot();
      snapshot.release();
      snapshot.release();
      db.close();
      snapshot.release();
      return 'no error';
    },
    gives: 'no error',
  },
  { does: `close() twice`, act: (db) => { db.close(); db.close(); return 'no error'; }, gives: 'no error' },
];

describe('not errors: the edge cases the engine accepts, written down so the line is clear', () => {
  test.each(named(ACCEPTED))('%s → %s', (_does, _accepted, { does, act, gives }) => {
    const bench = new Bench();
    expect(act(bench.db), does).toEqual(gives);
    bench.db.close();
  });
});

// ---- the figure ----

describe('the matrix', () => {
  test('every row got its typed error with a helpful message', () => {
    const lost = tally.rows - tally.refused;
    expect(lost, `${lost} of ${tally.rows} rows did not get their typed, helpful error: see the failures above`).toBe(0);
    reportFigure({ part: 'bad input', what: 'cases (each a typed error with a helpful message)', count: tally.refused, lost });
  });
});
