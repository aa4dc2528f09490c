/**
 * The pieces of the model-based test of the whole engine
 * (engine-model.test.ts): the model (what the database must hold, and what
 * it may hold after a crash), the system under test (an LsmTree on an
 * in-memory disk that can lose power), and one fast-check command class per
 * operation a user can do.
 *
 * The model of a crash: writes since the last reopen are kept in order in a
 * log. A crash may lose writes, but only a suffix of them, and never one up
 * to the last write that was made durable: by `{ sync: true }`, by a flush
 * (explicit, or the one a full memtable triggered inside a write), or by
 * compact(). So the recovered database must read exactly as the log's state
 * after some prefix of at least that many writes. A batch is one entry of
 * the log, so a batch that survived only in part matches no prefix. A crash
 * that keeps every byte and name written (a process crash, not a power
 * loss) must keep every write.
 */

import fc from 'fast-check';
import { expect } from 'vitest';
import { ClosedError, InvalidArgumentError } from '#toolkit/errors.ts';
import type { MemoryFileSystem, UnsyncedData, UnsyncedNames } from '#toolkit/memory-file-system.ts';
import { WriteBatch } from '#wal/write-batch.ts';
import type { DbIterator } from '#merge/db-iterator.ts';
import type { CompactionOptions, CompactionStrategyName } from '#engine/compaction-strategies.ts';
import type { IteratorOptions, LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';
import type { Snapshot } from '#engine/snapshot-list.ts';
import { tableFileName } from '#engine/file-names.ts';
import type { Version } from '#engine/version.ts';
import { DIR, durableVersion, overlapIn } from '../../09-leveled-compaction/support/engine.ts';
import { fromUtf8, openOn, pairs, text, utf8, valueFor } from '../../10-snapshots/support/engine.ts';

// ---- keys, values, states ----

/**
 * The keys: few, so that puts, overwrites and deletes of the same key meet
 * in every table and compaction; short and long, prefixes of each other,
 * the empty key, and one long enough to fill a 128-byte block by itself.
 */
export const KEYS: readonly string[] = [
  ...['', 'a', 'aa', 'ab', 'abc', 'b', 'ba', 'bb', 'c', 'cab', 'd', 'e', 'ee', 'f', 'g', 'hello', 'm', 'z', 'zz'],
  `z${'y'.repeat(150)}`,
];

/** A key as failure messages show it: quoted, the long one cut short. */
export function shown(key: string): string {
  return `'${key.length > 12 ? `${key.slice(0, 12)}…` : key}'`;
}

/** The state of the database: key to value. */
export type State = ReadonlyMap<string, string>;

/** A state's entries in key order (keys are ASCII, so string order is byte order). */
export function sortedEntries(state: State): [string, string][] {
  return [...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The value a write of `key` stores: `length` 0 is the empty value; otherwise about `length` bytes naming the key and the write. */
export function valueOf(key: string, version: number, length: number): string {
  return length === 0 ? '' : valueFor(key, version, length);
}

/** One key's change in a write: a value, or undefined for a delete. */
export interface Change {
  readonly key: string;
  readonly value: string | undefined;
}

/** A write as the log keeps it: one put, one delete, or a whole batch (all of it survives a crash, or none). */
export interface LoggedWrite {
  readonly label: string;
  readonly changes: readonly Change[];
}

function applyChanges(state: Map<string, string>, changes: readonly Change[]): void {
  for (const { key, value } of changes) {
    if (value === undefined) state.delete(key);
    else state.set(key, value);
  }
}

function sameEntries(a: readonly [string, string][], b: readonly [string, string][]): boolean {
  return a.length === b.length && a.every(([k, v], i) => b[i]![0] === k && b[i]![1] === v);
}

/** A short description of a state for failure messages: its keys and each value's write ("ab=v12"). */
export function describeEntries(entries: readonly [string, string][]): string {
  // A value names its write ("ab=v12:...."): show the key and "v12".
  const parts = entries.map(([k, v]) => `${shown(k)}=${v === '' ? "''" : v.slice(v.indexOf('=v') + 1, v.indexOf(':'))}`);
  return `{${parts.join(' ')}}`;
}

// ---- bounds and cursor walks ----

/** The bounds of an iterator, on keys of KEYS. */
export interface Bounds {
  readonly lower?: { readonly key: string; readonly inclusive: boolean };
  readonly upper?: { readonly key: string; readonly inclusive: boolean };
}

function iteratorOptions(bounds: Bounds): IteratorOptions {
  const { lower, upper } = bounds;
  return {
    ...(lower === undefined ? {} : lower.inclusive ? { gte: lower.key } : { gt: lower.key }),
    ...(upper === undefined ? {} : upper.inclusive ? { lte: upper.key } : { lt: upper.key }),
  };
}

function describeBounds(bounds: Bounds): string {
  const { lower, upper } = bounds;
  const lo = lower === undefined ? '(-inf' : `${lower.inclusive ? '[' : '('}${shown(lower.key)}`;
  const hi = upper === undefined ? '+inf)' : `${shown(upper.key)}${upper.inclusive ? ']' : ')'}`;
  return `${lo}, ${hi}`;
}

function withinBounds(key: string, bounds: Bounds): boolean {
  const { lower, upper } = bounds;
  if (lower !== undefined && (lower.inclusive ? key < lower.key : key <= lower.key)) return false;
  if (upper !== undefined && (upper.inclusive ? key > upper.key : key >= upper.key)) return false;
  return true;
}

/** A cursor walk: where it starts, then moves while the cursor is valid. */
export interface Walk {
  readonly start: { readonly to: 'first' } | { readonly to: 'last' } | { readonly to: 'seek'; readonly key: string };
  readonly moves: readonly ('next' | 'prev')[];
}

function describeWalk(walk: Walk): string {
  const { start } = walk;
  const first = start.to === 'seek' ? `seek(${shown(start.key)})` : start.to === 'first' ? 'seekToFirst()' : 'seekToLast()';
  return [first, ...walk.moves].join(' ');
}

/**
 * Walks `cursor` as `walk` says and checks every position against
 * `entries`, the keys the cursor may see in ascending order. A forward
 * cursor's seek(k) lands on the first key >= k, a reverse one's on the last
 * key <= k (DbIterator's contract).
 */
function checkWalk(cursor: DbIterator, entries: readonly [string, string][], walk: Walk, context: string): void {
  const { start } = walk;
  let index: number;
  if (start.to === 'first') {
    cursor.seekToFirst();
    index = 0;
  } else if (start.to === 'last') {
    cursor.seekToLast();
    index = entries.length - 1;
  } else {
    cursor.seek(utf8(start.key));
    if (cursor.reverse) {
      index = entries.length - 1;
      while (index >= 0 && entries[index]![0] > start.key) index--;
    } else {
      index = entries.findIndex(([k]) => k >= start.key);
      if (index < 0) index = entries.length;
    }
  }
  const steps = [describeWalk({ start, moves: [] })];
  for (let i = 0; ; i++) {
    const where = `${context}, after ${steps.join(' ')}`;
    const expected = entries[index];
    if (expected === undefined) {
      expect(cursor.valid(), `${where}: the cursor must be past the end (no key there in the model)`).toBe(false);
      return;
    }
    expect(cursor.valid(), `${where}: the cursor must be on '${expected[0]}'`).toBe(true);
    expect([fromUtf8(cursor.key()), fromUtf8(cursor.value())], `${where}: the cursor's entry`).toEqual(expected);
    const move = walk.moves[i];
    if (move === undefined) return;
    steps.push(move);
    if (move === 'next') {
      cursor.next();
      index++;
    } else {
      cursor.prev();
      index--;
    }
  }
}

// ---- the model ----

/** A snapshot as the model keeps it: the state it sees. */
interface SnapshotView {
  readonly state: State;
  /** The write count when it was taken, for messages. */
  readonly takenAt: number;
}

/** A held iterator as the model keeps it: the entries it may see, in ascending key order. */
interface CursorView {
  readonly entries: readonly [string, string][];
  readonly reverse: boolean;
  readonly bounds: Bounds;
}

/**
 * What the database must hold. Invariants:
 * 1. `current` is `base` with every write of `log` applied in order.
 * 2. `mustSurvive` <= log.length: the writes log[0..mustSurvive) are durable.
 * 3. `snapshots` and `cursors` are parallel to the handles in EngineUnderTest.
 */
export class EngineModel {
  /** What the database held when the log began: empty, or what the last reopen found. */
  base: State = new Map();
  /** The writes since then, in order. */
  log: LoggedWrite[] = [];
  /** How many writes of `log` a crash must keep. */
  mustSurvive = 0;
  current = new Map<string, string>();
  snapshots: SnapshotView[] = [];
  cursors: CursorView[] = [];
  /** Numbers the writes of the whole run, so every value names the write that stored it. */
  nextVersion = 1;
  /** The writes of the whole run, for messages. */
  writes = 0;

  /** Appends a write; `durable` says that it, and every write before it, now survives a crash. */
  write(label: string, changes: readonly Change[], durable: boolean): void {
    this.log.push({ label, changes });
    applyChanges(this.current, changes);
    this.writes++;
    if (durable) this.mustSurvive = this.log.length;
  }

  /** Every write so far must survive a crash (after a flush or compact()). */
  allDurable(): void {
    this.mustSurvive = this.log.length;
  }

  /** The states a crash may leave: after each prefix of the log that keeps at least `mustSurvive` writes, as [writes kept, entries]. */
  allowedAfterCrash(): [number, [string, string][]][] {
    const state = new Map(this.base);
    const allowed: [number, [string, string][]][] = [];
    for (let kept = 0; kept <= this.log.length; kept++) {
      if (kept > 0) applyChanges(state, this.log[kept - 1]!.changes);
      if (kept >= this.mustSurvive) allowed.push([kept, sortedEntries(state)]);
    }
    return allowed;
  }

  /** After a reopen: the database now holds `state`, durably; snapshots and iterators are gone. */
  restart(state: State): void {
    this.base = new Map(state);
    this.current = new Map(state);
    this.log = [];
    this.mustSurvive = 0;
    this.snapshots = [];
    this.cursors = [];
  }

  /** The state a read sees: through the snapshot `pick` chooses among the live ones, or the latest if there is none. */
  readView(pick: number | undefined): { state: State; snapshotIndex: number | undefined } {
    if (pick === undefined || this.snapshots.length === 0) return { state: this.current, snapshotIndex: undefined };
    const snapshotIndex = pick % this.snapshots.length;
    return { state: this.snapshots[snapshotIndex]!.state, snapshotIndex };
  }
}

// ---- the system under test ----

/** Figures summed over every run of the campaign, to report and to show the test is not vacuous. */
export class CampaignStats {
  runs = 0;
  commands = 0;
  readonly byCommand = new Map<string, number>();
  /** Finished compactions and flushes, by the strategy in force when they ran. */
  readonly compactions: Record<CompactionStrategyName, number> = { leveled: 0, tiered: 0, none: 0 };
  readonly flushes: Record<CompactionStrategyName, number> = { leveled: 0, tiered: 0, none: 0 };
  trivialMoves = 0;
  stalls = 0;
  syncedWrites = 0;
  crashes = 0;
  /** Crashes after which the database came back with fewer writes than were made (the unsynced suffix lost). */
  crashesThatLostWrites = 0;
  /** Crashes that had to keep some writes (a sync or a flush since the last reopen). */
  crashesWithDurableWrites = 0;
  /** Crashes that kept every byte and name (a process crash): no write may be lost. */
  processCrashes = 0;
  readsThroughSnapshots = 0;
  cursorSteps = 0;
  /** The deepest level that held a table. */
  deepestLevel = 0;
  /** Wrong states seen before the first failure; fast-check stops at the first, so 0 or 1. */
  wrong = 0;
  /** Set at the first failure: the figures then stop counting, so the runs that shrink it are not counted. */
  frozen = false;

  /** Adds `n` to a counter, unless the figures are frozen. */
  add(counter: CountedFigure, n = 1): void {
    if (!this.frozen) this[counter] += n;
  }
}

type CountedFigure =
  | 'runs'
  | 'commands'
  | 'trivialMoves'
  | 'stalls'
  | 'syncedWrites'
  | 'crashes'
  | 'crashesThatLostWrites'
  | 'crashesWithDurableWrites'
  | 'processCrashes'
  | 'readsThroughSnapshots'
  | 'cursorSteps';

/** The engine under test: an LsmTree on a MemoryFileSystem, and the handles the model's snapshots and cursors stand for. */
export class EngineUnderTest {
  db: LsmTree;
  snapshots: Snapshot[] = [];
  cursors: DbIterator[] = [];
  /** The strategy to reopen with: the last one set. */
  compaction: CompactionOptions;

  /** The options to reopen with (a reopen may change them: they are not stored in the database). */
  options: LsmOptions;

  constructor(
    readonly fs: MemoryFileSystem,
    options: LsmOptions & { readonly compaction: CompactionOptions },
    readonly stats: CampaignStats,
  ) {
    this.options = options;
    this.compaction = options.compaction;
    this.db = this.open();
  }

  /** Opens the database with the options in force, after applying `changes` to them. */
  open(changes: Reconfiguration = {}): LsmTree {
    this.options = { ...this.options, ...changes };
    return openOn(this.fs, { ...this.options, compaction: this.compaction });
  }

  /** The snapshot handle the model's snapshot `index` stands for (undefined: read the latest). */
  snapshot(index: number | undefined): Snapshot | undefined {
    return index === undefined ? undefined : this.snapshots[index];
  }
}

/**
 * Options a reopen may change: tables written with one block size, filter
 * or memtable size must read the same with another.
 */
export type Reconfiguration = Pick<LsmOptions, 'memtableSize' | 'blockSize' | 'bitsPerKey' | 'blockCacheSize'>;

function describeReconfiguration(changes: Reconfiguration): string {
  const entries = Object.entries(changes);
  return entries.length === 0 ? '' : ` with ${entries.map(([name, value]) => `${name} ${String(value)}`).join(', ')}`;
}

// ---- the commands ----

type Model = EngineModel;
type Real = EngineUnderTest;

/**
 * What every command shares: counting, crediting the compactions and
 * flushes it caused to the strategy in force, and turning a failed check
 * into a counted wrong state.
 */
abstract class EngineCommand implements fc.Command<Model, Real> {
  abstract readonly name: string;

  check(_model: Readonly<Model>): boolean {
    return true;
  }

  run(model: Model, real: Real): void {
    const stats = real.stats;
    const db = real.db;
    const before = db.metrics();
    try {
      this.apply(model, real);
    } catch (error) {
      if (!stats.frozen) stats.wrong++;
      stats.frozen = true;
      throw error;
    }
    if (stats.frozen) return;
    stats.add('commands');
    stats.byCommand.set(this.name, (stats.byCommand.get(this.name) ?? 0) + 1);
    // A reopen starts the counters over (and neither close nor a crash compacts): only credit a command that kept its engine.
    if (real.db === db) credit(stats, before, db.metrics());
  }

  protected abstract apply(model: Model, real: Real): void;
  abstract toString(): string;
}

type Metrics = ReturnType<LsmTree['metrics']>;

function credit(stats: CampaignStats, before: Metrics, after: Metrics): void {
  const strategy = before.compaction.strategy;
  stats.compactions[strategy] += after.compaction.compactions - before.compaction.compactions;
  stats.flushes[strategy] += after.writes.flushes - before.writes.flushes;
  stats.add('trivialMoves', after.compaction.trivialMoves - before.compaction.trivialMoves);
  stats.add('stalls', after.compaction.stalls - before.compaction.stalls);
}

/** Checks the whole database and every live snapshot against the model, that levels >= 1 are sorted runs, and the table files. */
function checkEverything(model: Model, real: Real, context: string): void {
  expect(pairs(real.db.iterator()), `${context}: the database must hold exactly the model's entries`).toEqual(sortedEntries(model.current));
  model.snapshots.forEach((view, i) => {
    const snapshot = real.snapshots[i]!;
    expect(
      pairs(real.db.iterator({ snapshot })),
      `${context}: snapshot ${i} (taken after write ${view.takenAt}) must still see the database as it was then`,
    ).toEqual(sortedEntries(view.state));
  });
  const version = durableVersion(real.fs);
  const levels = version.levels.map((files, level) => (files.length > 0 ? level : 0));
  if (!real.stats.frozen) real.stats.deepestLevel = Math.max(real.stats.deepestLevel, ...levels);
  expect(overlapIn(version), `${context}: every level >= 1 of the MANIFEST's version must be one sorted run`).toBeUndefined();
  checkTableFiles(real, version, context);
}

/**
 * Checks the table files on disk: every table the MANIFEST names exists (or
 * the next open would fail), and every table file on disk is live or being
 * written (none leaked by a compaction given up, a crash or an iterator).
 */
function checkTableFiles(real: Real, version: Version, context: string): void {
  const onDisk = new Set(real.fs.list(DIR).filter((name) => name.endsWith('.sst')));
  for (const files of version.levels) {
    for (const file of files) {
      const name = tableFileName(file.number);
      expect(onDisk.has(name), `${context}: the MANIFEST names table ${file.number}, so ${name} must be on disk`).toBe(true);
    }
  }
  const { liveTables, pendingOutputs } = real.db.metrics().files;
  const files = [...onDisk].join(' ');
  const expected = `the live ones (${liveTables}) and those being written (${pendingOutputs})`;
  expect(onDisk.size, `${context}: the table files on disk (${files}) must be ${expected}`).toBe(liveTables + pendingOutputs);
}

/** What a read goes through: the state it must see, the read options that say so, and how messages name it. */
interface ReadView {
  readonly state: State;
  readonly options: { readonly snapshot?: Snapshot };
  readonly through: string;
}

/** The view of a read whose snapshot `pick` chooses among the live ones (the latest state if none, or no pick). */
function readView(model: Model, real: Real, pick: number | undefined): ReadView {
  const { state, snapshotIndex } = model.readView(pick);
  const snapshot = real.snapshot(snapshotIndex);
  if (snapshot === undefined) return { state, options: {}, through: 'the latest state' };
  real.stats.add('readsThroughSnapshots');
  const takenAt = model.snapshots[snapshotIndex!]!.takenAt;
  return { state, options: { snapshot }, through: `snapshot ${snapshotIndex} (taken after write ${takenAt})` };
}

/** Writes `changes` as a put, a delete or a batch, and records it in the model. */
function doWrite(model: Model, real: Real, label: string, changes: readonly Change[], sync: boolean, asBatch: boolean): void {
  const flushesBefore = real.db.metrics().writes.flushes;
  const options = { sync };
  if (!asBatch) {
    const { key, value } = changes[0]!;
    if (value === undefined) real.db.delete(key, options);
    else real.db.put(key, value, options);
  } else {
    const batch = new WriteBatch();
    for (const { key, value } of changes) {
      if (value === undefined) batch.delete(utf8(key));
      else batch.put(utf8(key), utf8(value));
    }
    real.db.write(batch, options);
  }
  // A flush inside the write (its memtable filled up) made it, and every write before it, durable.
  const flushed = real.db.metrics().writes.flushes > flushesBefore;
  model.write(label, changes, sync || flushed);
  if (sync) real.stats.add('syncedWrites');
  for (const { key } of changes) {
    expect(text(real.db.get(key)), `right after ${label}: get(${shown(key)})`).toBe(model.current.get(key));
  }
}

/** put(key, value): a value of `length` bytes (0: the empty value). */
export class PutCommand extends EngineCommand {
  readonly name = 'put';
  constructor(
    readonly key: string,
    readonly length: number,
    readonly sync: boolean,
  ) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    const value = valueOf(this.key, model.nextVersion++, this.length);
    doWrite(model, real, `write ${model.writes} (${this.toString()})`, [{ key: this.key, value }], this.sync, false);
  }
  toString(): string {
    return `put(${shown(this.key)}, ${this.length} bytes${this.sync ? ', sync' : ''})`;
  }
}

/**
 * `count` puts in a row, each its own write, over the keys from `start` by
 * `stride`: enough data to fill memtables and grow the tree in one command,
 * and a long unsynced tail for a crash to cut (only the last put may be synced).
 */
export class PutManyCommand extends EngineCommand {
  readonly name = 'put many';
  constructor(
    readonly start: number,
    readonly stride: number,
    readonly count: number,
    readonly length: number,
    readonly syncLast: boolean,
  ) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    for (let i = 0; i < this.count; i++) {
      const key = KEYS[(this.start + i * this.stride) % KEYS.length]!;
      // Lengths vary around `length`, so the tables' blocks are not all alike.
      const value = valueOf(key, model.nextVersion++, this.length === 0 ? 0 : this.length + ((i * 37) % 50));
      const sync = this.syncLast && i === this.count - 1;
      doWrite(model, real, `write ${model.writes} (put ${i + 1} of ${this.toString()})`, [{ key, value }], sync, false);
    }
  }
  toString(): string {
    const sync = this.syncLast ? ', last synced' : '';
    return `put many(${this.count} keys from ${this.start} by ${this.stride}, ~${this.length} bytes${sync})`;
  }
}

/** delete(key). */
export class DeleteCommand extends EngineCommand {
  readonly name = 'delete';
  constructor(
    readonly key: string,
    readonly sync: boolean,
  ) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    doWrite(model, real, `write ${model.writes} (${this.toString()})`, [{ key: this.key, value: undefined }], this.sync, false);
  }
  toString(): string {
    return `delete(${shown(this.key)}${this.sync ? ', sync' : ''})`;
  }
}

/** write(batch): several puts and deletes, possibly of the same key, that a crash keeps all or none of. */
export class BatchCommand extends EngineCommand {
  readonly name = 'batch';
  constructor(
    readonly writes: readonly { readonly key: string; readonly length: number | undefined }[],
    readonly sync: boolean,
  ) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    if (this.writes.length === 0) {
      // An empty batch writes nothing (no sequence number, no WAL record), but with { sync: true } it
      // syncs the WAL: a barrier that makes every write before it durable (LsmTree.write, as in LevelDB).
      const lastSequence = real.db.metrics().lastSequence;
      real.db.write(new WriteBatch(), { sync: this.sync });
      expect(real.db.metrics().lastSequence, 'an empty batch takes no sequence number').toBe(lastSequence);
      if (this.sync) model.allDurable();
      return;
    }
    const changes = this.writes.map(({ key, length }) => ({
      key,
      value: length === undefined ? undefined : valueOf(key, model.nextVersion++, length),
    }));
    doWrite(model, real, `write ${model.writes} (${this.toString()})`, changes, this.sync, true);
  }
  toString(): string {
    const parts = this.writes.map(({ key, length }) => (length === undefined ? `del ${shown(key)}` : `put ${shown(key)} ${length}B`));
    return `batch(${parts.join(', ')}${this.sync ? '; sync' : ''})`;
  }
}

/** get(key), of the latest state or through a snapshot. */
export class GetCommand extends EngineCommand {
  readonly name = 'get';
  constructor(
    readonly key: string,
    readonly snapshotPick: number | undefined,
  ) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    const { state, options, through } = readView(model, real, this.snapshotPick);
    expect(text(real.db.get(this.key, options)), `get(${shown(this.key)}) of ${through}`).toBe(state.get(this.key));
  }
  toString(): string {
    return `get(${shown(this.key)}${this.snapshotPick === undefined ? '' : `, snapshot pick ${this.snapshotPick}`})`;
  }
}

/** range(start, end) with start <= end, forward or reverse, with a limit. */
export class RangeCommand extends EngineCommand {
  readonly name = 'range';
  constructor(
    readonly start: string,
    readonly end: string,
    readonly reverse: boolean,
    readonly limit: number,
    readonly snapshotPick: number | undefined,
  ) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    const { state, options, through } = readView(model, real, this.snapshotPick);
    const expected = sortedEntries(state).filter(([k]) => k >= this.start && k < this.end);
    if (this.reverse) expected.reverse();
    const got = pairs(real.db.range(this.start, this.end, { ...options, reverse: this.reverse, limit: this.limit }));
    expect(got, `${this.toString()} of ${through}`).toEqual(expected.slice(0, this.limit));
  }
  toString(): string {
    return `range(${shown(this.start)}, ${shown(this.end)}${this.reverse ? ', reverse' : ''}, limit ${this.limit}${
      this.snapshotPick === undefined ? '' : `, snapshot pick ${this.snapshotPick}`
    })`;
  }
}

/** iterator(bounds): a for...of scan (with a limit), or a cursor walk; forward or reverse; latest or through a snapshot. */
export class IteratorCommand extends EngineCommand {
  readonly name = 'iterator';
  constructor(
    readonly bounds: Bounds,
    readonly reverse: boolean,
    readonly limit: number,
    readonly walk: Walk | undefined,
    readonly snapshotPick: number | undefined,
  ) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    const { state, options, through } = readView(model, real, this.snapshotPick);
    const entries = sortedEntries(state).filter(([k]) => withinBounds(k, this.bounds));
    const cursor = real.db.iterator({ ...options, ...iteratorOptions(this.bounds), reverse: this.reverse, limit: this.limit });
    if (this.walk === undefined) {
      const expected = this.reverse ? [...entries].reverse() : entries;
      expect(pairs(cursor), `${this.toString()} of ${through}`).toEqual(expected.slice(0, this.limit));
    } else {
      try {
        checkWalk(cursor, entries, this.walk, `${this.toString()} of ${through}`);
        real.stats.add('cursorSteps', this.walk.moves.length + 1);
      } finally {
        cursor.close();
      }
    }
  }
  toString(): string {
    const how = this.walk === undefined ? `scan, limit ${this.limit}` : `walk ${describeWalk(this.walk)}`;
    return `iterator(${describeBounds(this.bounds)}${this.reverse ? ', reverse' : ''}, ${how}${
      this.snapshotPick === undefined ? '' : `, snapshot pick ${this.snapshotPick}`
    })`;
  }
}

/** The most snapshots, and held iterators, alive at once. */
export const MAX_SNAPSHOTS = 4;
export const MAX_CURSORS = 3;

/** snapshot(): the model remembers the state it must keep seeing. */
export class TakeSnapshotCommand extends EngineCommand {
  readonly name = 'snapshot';
  override check(model: Readonly<Model>): boolean {
    return model.snapshots.length < MAX_SNAPSHOTS;
  }
  protected apply(model: Model, real: Real): void {
    real.snapshots.push(real.db.snapshot());
    model.snapshots.push({ state: new Map(model.current), takenAt: model.writes });
    expect(real.db.metrics().snapshots, 'metrics().snapshots after snapshot()').toBe(model.snapshots.length);
  }
  toString(): string {
    return 'snapshot()';
  }
}

/** snapshot.release(); a read through it afterwards must be refused. */
export class ReleaseSnapshotCommand extends EngineCommand {
  readonly name = 'release';
  constructor(readonly pick: number) {
    super();
  }
  override check(model: Readonly<Model>): boolean {
    return model.snapshots.length > 0;
  }
  protected apply(model: Model, real: Real): void {
    const index = this.pick % model.snapshots.length;
    const [snapshot] = real.snapshots.splice(index, 1);
    model.snapshots.splice(index, 1);
    snapshot!.release();
    expect(real.db.metrics().snapshots, 'metrics().snapshots after release()').toBe(model.snapshots.length);
    expect(() => real.db.get('a', { snapshot: snapshot! }), 'a read through a released snapshot').toThrow(InvalidArgumentError);
  }
  toString(): string {
    return `release(snapshot pick ${this.pick})`;
  }
}

/** Opens an iterator and keeps it: later commands write, flush and compact while it must keep seeing the state of now. */
export class HoldIteratorCommand extends EngineCommand {
  readonly name = 'hold iterator';
  constructor(
    readonly bounds: Bounds,
    readonly reverse: boolean,
  ) {
    super();
  }
  override check(model: Readonly<Model>): boolean {
    return model.cursors.length < MAX_CURSORS;
  }
  protected apply(model: Model, real: Real): void {
    real.cursors.push(real.db.iterator({ ...iteratorOptions(this.bounds), reverse: this.reverse }));
    const entries = sortedEntries(model.current).filter(([k]) => withinBounds(k, this.bounds));
    model.cursors.push({ entries, reverse: this.reverse, bounds: this.bounds });
  }
  toString(): string {
    return `hold iterator(${describeBounds(this.bounds)}${this.reverse ? ', reverse' : ''})`;
  }
}

/** Walks a held iterator, which must still see the state of when it was opened; then maybe closes it. */
export class WalkHeldIteratorCommand extends EngineCommand {
  readonly name = 'walk held iterator';
  constructor(
    readonly pick: number,
    readonly walk: Walk,
    readonly close: boolean,
  ) {
    super();
  }
  override check(model: Readonly<Model>): boolean {
    return model.cursors.length > 0;
  }
  protected apply(model: Model, real: Real): void {
    const index = this.pick % model.cursors.length;
    const view = model.cursors[index]!;
    const context = `held iterator ${index} ${describeBounds(view.bounds)}${view.reverse ? ' reverse' : ''}`;
    checkWalk(real.cursors[index]!, view.entries, this.walk, context);
    real.stats.add('cursorSteps', this.walk.moves.length + 1);
    if (this.close) {
      real.cursors.splice(index, 1)[0]!.close();
      model.cursors.splice(index, 1);
    }
  }
  toString(): string {
    return `walk held iterator(pick ${this.pick}, ${describeWalk(this.walk)}${this.close ? ', then close' : ''})`;
  }
}

/** flush(): afterwards every write so far is durable. */
export class FlushCommand extends EngineCommand {
  readonly name = 'flush';
  protected apply(model: Model, real: Real): void {
    real.db.flush();
    model.allDurable();
    checkEverything(model, real, 'after flush()');
  }
  toString(): string {
    return 'flush()';
  }
}

/** compact() or compact(level): flushes first, so every write so far is durable. */
export class CompactCommand extends EngineCommand {
  readonly name = 'compact';
  constructor(readonly level: number | undefined) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    real.db.compact(this.level);
    model.allDurable();
    checkEverything(model, real, `after ${this.toString()}`);
  }
  toString(): string {
    return `compact(${this.level ?? ''})`;
  }
}

/** compactionStep(budget): one slice of compaction work. */
export class CompactionStepCommand extends EngineCommand {
  readonly name = 'compactionStep';
  constructor(readonly budget: number) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    real.db.compactionStep(this.budget);
    checkEverything(model, real, `after ${this.toString()}`);
  }
  toString(): string {
    return `compactionStep(${this.budget})`;
  }
}

/** setCompaction(...): switches strategy, abandoning a compaction in progress. */
export class SetCompactionCommand extends EngineCommand {
  readonly name = 'setCompaction';
  constructor(readonly compaction: CompactionOptions) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    real.db.setCompaction(this.compaction);
    real.compaction = this.compaction;
    expect(real.db.metrics().compaction.strategy, 'the strategy after setCompaction').toBe(this.compaction.strategy);
    checkEverything(model, real, `after ${this.toString()}`);
  }
  toString(): string {
    return `setCompaction(${JSON.stringify(this.compaction)})`;
  }
}

/**
 * Power loss, then reopen: the database must come back as the model after
 * some prefix of the writes that keeps every durable one. With data and
 * names both 'keep' it is a process crash instead, and every write must
 * come back (an unsynced write "survives a process crash"). Snapshots and
 * iterators die with the process.
 */
export class CrashCommand extends EngineCommand {
  readonly name = 'crash';
  constructor(
    readonly data: UnsyncedData,
    readonly names: UnsyncedNames,
    readonly changes: Reconfiguration,
  ) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    // The process dies: its engine, snapshots and iterators are dropped, not closed (closing would touch the disk).
    real.fs.crash({ data: this.data, names: this.names });
    const context = `after ${this.toString()} following write ${model.writes}`;
    let db: LsmTree;
    try {
      db = real.open(this.changes);
    } catch (error) {
      throw new Error(`${context}: the database must open, but: ${String(error)}`, { cause: error });
    }
    real.db = db;
    real.snapshots = [];
    real.cursors = [];
    const recovered = pairs(db.iterator());
    // With every byte and name kept, the crash was the process's, not the machine's: an unsynced write survives that too.
    const processCrash = this.data === 'keep' && this.names === 'keep';
    const hadDurableWrites = model.mustSurvive > 0;
    if (processCrash) model.allDurable();
    const allowed = model.allowedAfterCrash();
    const match = allowed.find(([, entries]) => sameEntries(entries, recovered));
    if (match === undefined) {
      const lines = allowed.map(([kept, entries]) => `  after ${kept} of the ${model.log.length} writes: ${describeEntries(entries)}`);
      throw new Error(
        `${context}: the recovered database matches no allowed state. Writes since the last reopen: ${model.log.length}, ` +
          `of which the first ${model.mustSurvive} must survive ` +
          `(${processCrash ? 'a process crash, where the file system kept every byte written, loses no write' : 'synced or flushed'}).\n` +
          `recovered: ${describeEntries(recovered)}\nallowed:\n${lines.join('\n')}\n` +
          `the writes: ${model.log.map((w) => w.label).join('; ')}`,
      );
    }
    const [kept, entries] = match;
    const stats = real.stats;
    stats.add('crashes');
    if (kept < model.log.length) stats.add('crashesThatLostWrites');
    if (hadDurableWrites) stats.add('crashesWithDurableWrites');
    if (processCrash) stats.add('processCrashes');
    model.restart(new Map(entries));
    for (const key of KEYS) {
      expect(text(db.get(key)), `${context}: get(${shown(key)}) must agree with the recovered scan`).toBe(model.current.get(key));
    }
    checkEverything(model, real, context);
  }
  toString(): string {
    return `crash(data: ${this.data}, names: ${this.names}) and reopen${describeReconfiguration(this.changes)}`;
  }
}

/**
 * close() and reopen, perhaps with other options: every write survives,
 * synced or not. Held iterators are closed before or after the engine.
 */
export class ReopenCommand extends EngineCommand {
  readonly name = 'close and reopen';
  constructor(
    readonly iteratorsAfterClose: boolean,
    readonly changes: Reconfiguration,
  ) {
    super();
  }
  protected apply(model: Model, real: Real): void {
    const old = real.db;
    if (!this.iteratorsAfterClose) {
      for (const cursor of real.cursors) cursor.close();
      real.cursors = [];
    }
    old.close();
    expect(() => old.get('a'), 'a read from the closed engine').toThrow(ClosedError);
    for (const cursor of real.cursors) {
      expect(() => cursor.seekToFirst(), 'an iterator of the closed engine').toThrow(ClosedError);
      // Closed after the engine, it releases nothing the engine could still delete: the next open sweeps.
      cursor.close();
    }
    real.db = real.open(this.changes);
    real.snapshots = [];
    real.cursors = [];
    model.restart(model.current);
    checkEverything(model, real, `after ${this.toString()}`);
  }
  toString(): string {
    return `close()${this.iteratorsAfterClose ? ', close iterators' : ''} and reopen${describeReconfiguration(this.changes)}`;
  }
}
