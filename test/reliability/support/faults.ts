/**
 * The machinery of the I/O fault campaign (test/reliability/faults.test.ts):
 * the operations faults are injected into, a model of what the database must
 * hold, and `runFaultCase`, which runs one operation with one fault and
 * checks everything the engine promises about a failing disk.
 *
 * A case, from start to end:
 *
 *     durable copy of a prepared database ─> open on FaultyFileSystem(copy)
 *       ─> prepare: writes (synced, then an unsynced tail) and maybe flushes
 *       ─> inject(kind, nth, errno, sticky) ─> the operation (flush or compaction)
 *       ─> it succeeded, or it threw IOError with that errno; if it failed,
 *          writes throw that same error, reads give right values or typed errors
 *       ─> close (an IOError is allowed) ─> no file handle left open
 *       ─> sticky: open while the disk is still broken (typed error or success)
 *       ─> heal ─> crash() or not ─> reopen
 *       ─> the contents match the model, the MANIFEST's levels do not overlap
 *       ─> the reopened database writes, flushes, compacts and reads right
 *
 * Every problem found is returned as a sentence naming the case, so one run
 * lists every failing case at once; nothing here throws for a finding.
 */

import { IOError, LsmError } from '#toolkit/errors.ts';
import { FaultyFileSystem, type Fault, type FaultKind } from '#toolkit/faulty-file-system.ts';
import { MemoryFileSystem, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';
import { durableVersion, overlapIn, valueFor } from '../../09-leveled-compaction/support/engine.ts';
import { contents, text } from '../../10-snapshots/support/engine.ts';
import { CAMPAIGN_SEED } from './campaign.ts';

/** The database directory on the in-memory disk. */
export const DIR = '/db';

/** The errnos injected: a failing disk and a full one. */
export const ERRNOS = ['EIO', 'ENOSPC'] as const;

/** The kinds of operation every size fails; the long size adds {@link EXTRA_KINDS}. */
export const CORE_KINDS: readonly FaultKind[] = ['write', 'sync', 'rename', 'read', 'create', 'syncDir'];

/** Kinds the long size fails too: opening a file, removing one, listing the directory. */
export const EXTRA_KINDS: readonly FaultKind[] = ['open', 'remove', 'list'];

/** What a crash before the reopen does, cycled through by case number. */
const DATA_MODES: readonly UnsyncedData[] = ['tear', 'drop', 'tear-with-garbage', 'keep'];
const NAME_MODES: readonly UnsyncedNames[] = ['random', 'drop', 'keep'];

/**
 * 1 KiB memtables and 512-byte blocks (tables of a few blocks), compaction
 * only where the test asks for it (pacing 0), and a MANIFEST rewritten
 * once it passes 1 KiB.
 */
const COMMON: LsmOptions = { memtableSize: 1024, blockSize: 512, manifestMaxSize: 1024, compactionPacing: 0 };

/** Leveled with ratio 2 and the smallest base level: a small tree, several levels deep. */
const LEVELED: LsmOptions = {
  ...COMMON,
  compaction: { strategy: 'leveled', l0CompactionTrigger: 2, levelSizeRatio: 2, baseLevelSize: 1024, targetFileSize: 1024 },
};

/** Tiered with few runs and small output tables. */
const TIERED: LsmOptions = { ...COMMON, compaction: { strategy: 'tiered', maxRuns: 4, targetFileSize: 2048 } };

/**
 * What the database must hold. `known` keys must be there with exactly
 * their value, and no other key but a `tail` one may be. A `tail` key was
 * written without sync after the last synced write: after a crash it is
 * there with its value or not at all; without a crash it is `known`.
 */
export class Expected {
  readonly known: Map<string, string>;
  readonly tail = new Map<string, string>();
  /** Keys deleted at some point: each must read as absent unless `known` says otherwise. */
  readonly deleted = new Set<string>();

  constructor(base: ReadonlyMap<string, string> = new Map()) {
    this.known = new Map(base);
  }

  put(key: string, value: string): void {
    this.known.set(key, value);
    this.deleted.delete(key);
  }

  delete(key: string): void {
    this.known.delete(key);
    this.deleted.add(key);
  }

  /** Records an unsynced write of a key never written before. */
  putInTail(key: string, value: string): void {
    this.tail.set(key, value);
  }

  /** Every tail write survived: a flush made it durable, or there was no crash. */
  settleTail(): void {
    for (const [key, value] of this.tail) this.known.set(key, value);
    this.tail.clear();
  }
}

/** An operation the campaign injects faults into, with the database it starts from. */
export interface Scenario {
  /** Names the operation in messages, e.g. "a leveled compaction". */
  readonly name: string;
  readonly options: LsmOptions;
  /** True iff the operation, when it succeeds, makes every earlier write durable (a flush syncs the WAL it rotates). */
  readonly makesWritesDurable: boolean;
  /** Writes the prepared database (on a new disk, closed afterwards) and returns what it holds. */
  build(db: LsmTree): Map<string, string>;
  /** Writes to the opened copy before the fault is injected; records them in `expected`. */
  prepare(db: LsmTree, expected: Expected): void;
  /** The operation under test. */
  run(db: LsmTree): void;
}

/** A scenario together with its prepared database, built once. */
export interface PreparedScenario {
  readonly scenario: Scenario;
  readonly disk: MemoryFileSystem;
  readonly contents: ReadonlyMap<string, string>;
}

/** Builds the prepared database of `scenario` on a new disk, and closes it. */
export function prepareScenario(scenario: Scenario): PreparedScenario {
  const disk = new MemoryFileSystem({ seed: CAMPAIGN_SEED });
  const db = LsmTree.open(DIR, { fileSystem: disk, ...scenario.options });
  const model = scenario.build(db);
  db.close();
  return { scenario, disk, contents: model };
}

/**
 * Returns a new disk holding a durable copy of every file of the database
 * directory on `source`, so that each case starts from the same files and a
 * crash can only lose what the case itself did not sync.
 */
export function durableCopy(source: MemoryFileSystem, seed: number): MemoryFileSystem {
  const disk = new MemoryFileSystem({ seed });
  disk.mkdir(DIR);
  for (const name of source.list(DIR)) {
    const file = disk.createWritable(joinPath(DIR, name));
    file.append(source.readFile(joinPath(DIR, name)));
    file.sync();
    file.close();
  }
  disk.syncDir(DIR);
  return disk;
}

/** Writes `count` random puts and deletes over `keys` keys, into the database and the model; `tag` makes the values of each call distinct. */
function writeSome(db: LsmTree, model: Map<string, string>, random: SeededRandom, count: number, keys: number, tag: number): void {
  for (let i = 0; i < count; i++) {
    const key = `key${String(random.below(keys)).padStart(3, '0')}`;
    if (i % 5 === 4) {
      db.delete(key);
      model.delete(key);
    } else {
      const value = valueFor(key, tag * 1000 + i, 30);
      db.put(key, value);
      model.set(key, value);
    }
  }
}

/**
 * The writes every case makes before the fault: synced puts and deletes of
 * old keys (they must survive anything), then an unsynced tail of new keys.
 * The last synced write syncs the WAL, so only the tail can be lost.
 */
function writeBeforeTheFault(db: LsmTree, expected: Expected, count: number): void {
  const random = new SeededRandom(CAMPAIGN_SEED + 1);
  for (let i = 0; i < count; i++) {
    const key = `key${String(random.below(100)).padStart(3, '0')}`;
    if (i % 4 === 3) {
      db.delete(key, { sync: true });
      expected.delete(key);
    } else {
      const value = valueFor(key, 900_000 + i, 30);
      db.put(key, value, { sync: true });
      expected.put(key, value);
    }
  }
  for (let i = 0; i < 4; i++) {
    const key = `tail${i}`;
    const value = valueFor(key, i, 30);
    db.put(key, value);
    expected.putInTail(key, value);
  }
}

/**
 * Flushes one small table at a time until the MANIFEST has grown to where
 * the next edit starts a new one (past manifestMaxSize, 1 KiB here, and
 * twice its starting size): the operation under test then rewrites it,
 * with a snapshot, a new CURRENT by rename, and the old MANIFEST removed.
 * Each table holds one long key: its edit records it twice (smallest and
 * largest), so a few flushes are enough.
 */
function growManifestUntilTheNextEditRewritesIt(db: LsmTree, expected: Expected): void {
  const start = db.metrics().manifest.bytes;
  const rewritesNext = (bytes: number): boolean => bytes >= 1024 && bytes >= 2 * start;
  for (let i = 0; !rewritesNext(db.metrics().manifest.bytes); i++) {
    const key = `grow${String(i).padStart(3, '0')}`.padEnd(160, '-');
    const value = valueFor(key, i, 30);
    db.put(key, value);
    expected.put(key, value);
    db.flush();
  }
}

/** A database of a few flushed tables in a leveled tree, for the flush scenarios. */
function buildSmallTree(db: LsmTree): Map<string, string> {
  const model = new Map<string, string>();
  const random = new SeededRandom(CAMPAIGN_SEED);
  writeSome(db, model, random, 80, 100, 1);
  db.compact();
  writeSome(db, model, random, 30, 100, 2);
  db.flush();
  return model;
}

/** The flush of a memtable holding synced writes, deletes and an unsynced tail: a table, a MANIFEST edit, a WAL segment removed. */
export const FLUSH: Scenario = {
  name: 'a flush',
  options: LEVELED,
  makesWritesDurable: true,
  build: buildSmallTree,
  prepare: (db, expected) => writeBeforeTheFault(db, expected, 12),
  run: (db) => db.flush(),
};

/**
 * A flush whose MANIFEST edit starts a new MANIFEST: a snapshot written and
 * synced, CURRENT replaced by a rename, the old MANIFEST removed. Before the
 * fault, small flushes grow the MANIFEST up to the point where the next edit
 * rewrites it (past manifestMaxSize and twice its starting size).
 */
export const FLUSH_NEW_MANIFEST: Scenario = {
  name: 'a flush that starts a new MANIFEST',
  options: LEVELED,
  makesWritesDurable: true,
  build: buildSmallTree,
  prepare: (db, expected) => {
    growManifestUntilTheNextEditRewritesIt(db, expected);
    writeBeforeTheFault(db, expected, 12);
  },
  run: (db) => db.flush(),
};

/** Runs every due compaction in slices of `STEP_BYTES`, as paced compaction does: a job's state survives between slices. */
const STEP_BYTES = 512;

function compactInSlices(db: LsmTree): void {
  while (db.compactionStep(STEP_BYTES).state !== 'idle');
}

/**
 * Leveled compactions of a tree several levels deep with a pile of level-0
 * tables: level-0 merges, level-size merges, trivial moves, MANIFEST rewrites.
 * The memtable holds synced writes and an unsynced tail meanwhile.
 */
export const LEVELED_COMPACTION: Scenario = {
  name: 'leveled compactions',
  options: LEVELED,
  makesWritesDurable: false,
  build: (db) => {
    const model = new Map<string, string>();
    const random = new SeededRandom(CAMPAIGN_SEED);
    writeSome(db, model, random, 150, 100, 1);
    db.compact();
    writeSome(db, model, random, 80, 100, 2);
    db.compact(0);
    // New keys past all the others, flushed first: the oldest level-0 table overlaps nothing and moves down trivially.
    for (let i = 0; i < 10; i++) {
      db.put(`zz${i}`, valueFor(`zz${i}`, i, 30));
      model.set(`zz${i}`, valueFor(`zz${i}`, i, 30));
    }
    db.flush();
    writeSome(db, model, random, 60, 100, 3);
    db.flush();
    return model;
  },
  prepare: (db, expected) => {
    growManifestUntilTheNextEditRewritesIt(db, expected);
    writeBeforeTheFault(db, expected, 10);
  },
  run: compactInSlices,
};

/** Tiered compactions of more runs than maxRuns allows, one of them a big run from an earlier full compaction. */
export const TIERED_COMPACTION: Scenario = {
  name: 'tiered compactions',
  options: TIERED,
  makesWritesDurable: false,
  build: (db) => {
    const model = new Map<string, string>();
    const random = new SeededRandom(CAMPAIGN_SEED);
    writeSome(db, model, random, 150, 100, 1);
    db.compact();
    for (let run = 0; run < 6; run++) {
      writeSome(db, model, random, 18, 100, 2 + run);
      db.flush();
    }
    return model;
  },
  prepare: (db, expected) => {
    growManifestUntilTheNextEditRewritesIt(db, expected);
    writeBeforeTheFault(db, expected, 10);
  },
  run: compactInSlices,
};

/** How many operations of each kind an operation did. */
export type OperationCounts = Record<FaultKind, number>;

/** One fault to inject, and what happens before the reopen. */
export interface FaultCase {
  /** The fault; undefined for the dry run that counts the operations. */
  readonly fault: Fault | undefined;
  /** Simulate a power loss (with these modes) between the close and the reopen. */
  readonly crash: { readonly data: UnsyncedData; readonly names: UnsyncedNames } | undefined;
  /** Seeds the copy's disk, so that each case's crash decisions differ and replay exactly. */
  readonly seed: number;
}

/** What one case found. */
export interface CaseOutcome {
  /** How many operations of each kind the operation did (until it failed). */
  readonly counts: OperationCounts;
  /** Whether the operation threw (with the expected IOError or not). */
  readonly failed: boolean;
  /** How many times the injected fault fired. */
  readonly fired: number;
  /** Everything that went wrong, as sentences; empty when the engine kept every promise. */
  readonly problems: string[];
  /** Synced writes lost, deleted keys come back, wrong values read. */
  readonly lost: number;
}

/** The crash modes of case number `index`: every other case crashes, cycling through the data and name modes. */
export function crashFor(index: number): FaultCase['crash'] {
  if (index % 2 === 0) return undefined;
  const k = (index - 1) / 2;
  return { data: DATA_MODES[k % DATA_MODES.length]!, names: NAME_MODES[Math.floor(k / DATA_MODES.length) % NAME_MODES.length]! };
}

/** Describes a case for messages: "leveled compactions, EIO on sync #3 of 21, then no crash before reopening". */
export function describeCase(scenario: Scenario, c: FaultCase, counts?: OperationCounts): string {
  const f = c.fault;
  const fault =
    f === undefined
      ? 'no fault (dry run)'
      : `${f.errno ?? 'EIO'} on ${f.kind} #${f.nth}${counts === undefined ? '' : ` of ${counts[f.kind]}`}${f.sticky === true ? ' and every later one (sticky)' : ''}`;
  const crash = c.crash === undefined ? 'no crash' : `a crash (unsynced data: ${c.crash.data}, names: ${c.crash.names})`;
  return `${scenario.name}, ${fault}, then ${crash} before reopening`;
}

/** Describes an unexpected error for a message: its class, errno for an IOError, and message. */
function describeError(error: unknown): string {
  if (error instanceof IOError) return `IOError ${error.errno} (${error.operation} '${error.path}')`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `a thrown ${typeof error}: ${String(error)}`;
}

/** Opens the database on `fs` with the scenario's options. */
function openOn(fs: FaultyFileSystem, scenario: Scenario): LsmTree {
  return LsmTree.open(DIR, { fileSystem: fs, ...scenario.options });
}

/**
 * Compares the database with `expected`: every known key with its value
 * (by a scan and by get), every deleted key absent, a tail key absent or
 * with its value, nothing else. Returns the problems and how many of them
 * are lost or wrong data; `resolved` is what the database holds, when it
 * matches (tail keys settled either way).
 */
function compareWithModel(db: LsmTree, expected: Expected): { problems: string[]; lost: number; resolved: Map<string, string> } {
  const problems: string[] = [];
  const resolved = new Map(expected.known);
  const seen = new Set<string>();
  for (const [key, value] of contents(db)) {
    seen.add(key);
    const want = expected.known.get(key) ?? expected.tail.get(key);
    if (want === undefined) {
      const why = expected.deleted.has(key) ? 'a deleted key came back' : 'a key that was never written appeared';
      problems.push(`${why}: ${key} = ${value}`);
    } else if (value !== want) {
      problems.push(`wrong value for ${key}: expected ${want}, read ${value}`);
    } else if (expected.tail.has(key)) {
      resolved.set(key, value);
    }
  }
  for (const [key, value] of expected.known) {
    if (!seen.has(key)) problems.push(`lost: ${key} (expected ${value}) is missing from a scan`);
    const got = text(db.get(key));
    if (got !== value) problems.push(`get(${key}) returned ${String(got)}, expected ${value}`);
  }
  for (const key of expected.deleted) {
    if (expected.known.has(key)) continue;
    const got = text(db.get(key));
    if (got !== undefined) problems.push(`get(${key}) of a deleted key returned ${got}`);
  }
  return { problems, lost: problems.length, resolved };
}

/**
 * Checks the reads of a database whose operation failed: every get gives
 * the right value or throws a typed error (a disk that still fails may
 * fail a read); none may give a wrong value. Returns the problems.
 */
function readsAfterFailure(db: LsmTree, expected: Expected): { problems: string[]; lost: number } {
  const problems: string[] = [];
  let lost = 0;
  const check = (key: string, want: string | undefined): void => {
    try {
      const got = text(db.get(key));
      if (got !== want) {
        lost++;
        problems.push(`after the failure, get(${key}) returned ${String(got)}, expected ${String(want)}`);
      }
    } catch (error) {
      if (!(error instanceof LsmError)) problems.push(`after the failure, get(${key}) threw ${describeError(error)}, not a typed error`);
    }
  };
  for (const [key, value] of expected.known) check(key, value);
  for (const [key, value] of expected.tail) check(key, value); // No crash yet: the tail is still there.
  for (const key of expected.deleted) if (!expected.known.has(key)) check(key, undefined);
  return { problems, lost };
}

/** Closes `db`; an IOError is allowed (the last WAL sync may fail on a broken disk). Returns a problem, if any. */
function closeAllowingIOError(db: LsmTree, what: string): string | undefined {
  try {
    db.close();
    return undefined;
  } catch (error) {
    return error instanceof IOError ? undefined : `${what}: close() threw ${describeError(error)}, not an IOError`;
  }
}

/** Returns a problem if `fs` still has files open (a handle leaked). */
function leakedHandles(fs: FaultyFileSystem, when: string): string | undefined {
  if (fs.openFiles.size === 0) return undefined;
  const paths = [...fs.openFiles].map((file) => (file as { path: string }).path);
  return `${when}, ${paths.length} file(s) are still open: ${paths.join(', ')}`;
}

/**
 * Runs one case: `prepared`'s operation with `c.fault` injected, then every
 * check in the file comment. Never throws for a finding: the problems are
 * in the outcome, each prefixed with the case's description.
 */
export function runFaultCase(prepared: PreparedScenario, c: FaultCase): CaseOutcome {
  const { scenario } = prepared;
  const memory = durableCopy(prepared.disk, c.seed);
  const fs = new FaultyFileSystem(memory);
  const problems: string[] = [];
  let lost = 0;

  // Up to the fault: a healthy disk. A failure here is the harness's, so it is thrown.
  const expected = new Expected(prepared.contents);
  const db = openOn(fs, scenario);
  scenario.prepare(db, expected);
  const before: OperationCounts = { ...fs.counts };
  const firedBefore = fs.faultsFired;
  if (c.fault !== undefined) fs.inject(c.fault);

  // The operation: success, or the injected IOError and nothing else.
  let failed = false;
  let failure: unknown;
  try {
    scenario.run(db);
  } catch (error) {
    failed = true;
    failure = error;
  }
  const operationCounts = Object.fromEntries(
    Object.entries(fs.counts).map(([kind, n]) => [kind, n - before[kind as FaultKind]]),
  ) as OperationCounts;
  const outcome = (): CaseOutcome => {
    const context = describeCase(scenario, c, operationCounts);
    return { counts: operationCounts, failed, fired: fs.faultsFired - firedBefore, problems: problems.map((p) => `${context}: ${p}`), lost };
  };
  const errno = c.fault?.errno ?? 'EIO';
  if (failed) {
    if (!(failure instanceof IOError) || failure.errno !== errno) {
      problems.push(`the operation threw ${describeError(failure)}, expected an IOError with errno ${errno}`);
      if (failure instanceof Error && !(failure instanceof LsmError)) problems.push(`stack: ${failure.stack ?? ''}`);
    }
    // Invariant 4 of the engine: every later write throws the stored failure.
    for (const [what, write] of [
      ['put', () => db.put('after-the-failure', 'x')],
      ['flush', () => db.flush()],
      ['compact', () => db.compact()],
    ] as const) {
      try {
        write();
        problems.push(`${what}() succeeded after the operation failed; it must throw the stored failure`);
      } catch (error) {
        if (error !== failure) problems.push(`${what}() after the failure threw ${describeError(error)}, not the stored failure`);
      }
    }
    const reads = readsAfterFailure(db, expected);
    problems.push(...reads.problems);
    lost += reads.lost;
  } else {
    // The fault, if it fired, was absorbed: the database must go on as if nothing happened.
    const key = 'after-the-operation';
    const value = valueFor(key, 1, 30);
    try {
      db.put(key, value, { sync: true });
      expected.put(key, value);
    } catch (error) {
      problems.push(`the operation succeeded, but the next put threw ${describeError(error)}`);
    }
  }
  const closed = closeAllowingIOError(db, 'closing after the operation');
  if (closed !== undefined) problems.push(closed);
  const leak = leakedHandles(fs, 'after close()');
  if (leak !== undefined) problems.push(leak);

  // A disk that stays broken: opening fails with a typed error (or succeeds), and leaves nothing open behind.
  if (c.fault?.sticky === true) {
    try {
      const early = openOn(fs, scenario);
      const problem = closeAllowingIOError(early, 'an open while the disk is still broken succeeded, but');
      if (problem !== undefined) problems.push(problem);
    } catch (error) {
      if (!(error instanceof IOError)) problems.push(`opening while the disk is still broken threw ${describeError(error)}, not an IOError`);
    }
    const leakedByOpen = leakedHandles(fs, 'after an open on the still-broken disk');
    if (leakedByOpen !== undefined) problems.push(leakedByOpen);
  }

  fs.heal();
  if (c.crash !== undefined) memory.crash(c.crash);
  if (c.crash === undefined || (scenario.makesWritesDurable && !failed)) expected.settleTail();

  let reopened: LsmTree;
  try {
    reopened = openOn(fs, scenario);
  } catch (error) {
    // Every write it held is out of reach.
    problems.push(`the database did not reopen on the healed disk: ${describeError(error)}`);
    lost += expected.known.size;
    return outcome();
  }
  try {
    const found = compareWithModel(reopened, expected);
    problems.push(...found.problems.map((p) => `after reopening, ${p}`));
    lost += found.lost;
    const overlap = overlapIn(durableVersion(memory));
    if (overlap !== undefined) problems.push(`after reopening, the MANIFEST's levels overlap: ${overlap}`);
    if (found.problems.length === 0) {
      const works = worksAfterReopen(reopened, found.resolved);
      problems.push(...works.problems);
      lost += works.lost;
    }
  } catch (error) {
    // A read that throws after a clean reopen is data out of reach: counted as one loss at least.
    problems.push(`after reopening, reading or writing threw ${describeError(error)}`);
    lost++;
  }
  const finalClose = closeAllowingIOError(reopened, 'the final close');
  if (finalClose !== undefined) problems.push(finalClose);
  const finalLeak = leakedHandles(fs, 'after the final close');
  if (finalLeak !== undefined) problems.push(finalLeak);
  return outcome();
}

/** The reopened database takes writes, flushes, compacts and reads them back with the rest. Returns the problems. */
function worksAfterReopen(db: LsmTree, holds: Map<string, string>): { problems: string[]; lost: number } {
  const expected = new Expected(holds);
  const random = new SeededRandom(CAMPAIGN_SEED + 2);
  for (let i = 0; i < 15; i++) {
    const key = `key${String(random.below(120)).padStart(3, '0')}`;
    if (i % 3 === 2) {
      db.delete(key);
      expected.delete(key);
    } else {
      const value = valueFor(key, 700_000 + i, 30);
      db.put(key, value);
      expected.put(key, value);
    }
  }
  db.flush();
  db.compact();
  const found = compareWithModel(db, expected);
  return { problems: found.problems.map((p) => `after reopening, writing, flushing and compacting, ${p}`), lost: found.lost };
}
