/**
 * Reliability campaign, the model-based test of the whole engine: fast-check
 * generates sequences of everything a user can do (puts, deletes, batches,
 * gets, ranges, iterators and cursor walks, snapshots, iterators held open
 * across later work, flushes, compactions whole, by level and in slices,
 * strategy switches, power losses and clean reopens) on a randomly
 * configured engine, runs them against the engine and a model side by side
 * (fc.modelRun), and checks every read against the model. After each
 * flush, compaction, switch and reopen it also checks every live snapshot,
 * that levels >= 1 are sorted runs, and that the table files on disk are
 * exactly the live ones (none missing, none leaked); a reopen may change
 * the options a database does not store (memtable and block size, filter,
 * cache).
 *
 * The configurations are chosen so that the machinery really runs: 1-8 KiB
 * memtables and 128-1024-byte blocks (many flushes, many-blocked tables),
 * leveled or tiered compaction with small triggers and sizes, with and
 * without Bloom filters, block cache, automatic (paced) compaction, a small
 * table cache, a small MANIFEST that is rewritten often. The test asserts at
 * the end that both strategies did flush and compact, so it is not vacuous.
 *
 * A power loss may lose unsynced writes, but only a suffix of them: the
 * recovered database must equal the model after some prefix of the writes
 * that keeps every synced or flushed one; a process crash (the file system
 * keeps every byte) loses none (support/engine-model.ts explains the model).
 *
 * Replays: LSM_SEED picks the seed, LSM_RELIABILITY=long runs many more
 * sequences; fast-check prints the counterexample, shrunk, on failure.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MemoryFileSystem, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';
import type { CompactionOptions } from '#engine/compaction-strategies.ts';
import type { LsmOptions } from '#engine/options.ts';
import { CAMPAIGN_SEED, reportFigure, sized } from './support/campaign.ts';
import {
  BatchCommand,
  type Bounds,
  CampaignStats,
  CompactCommand,
  CompactionStepCommand,
  CrashCommand,
  DeleteCommand,
  EngineModel,
  EngineUnderTest,
  FlushCommand,
  GetCommand,
  HoldIteratorCommand,
  IteratorCommand,
  KEYS,
  PutCommand,
  PutManyCommand,
  type Reconfiguration,
  RangeCommand,
  ReleaseSnapshotCommand,
  ReopenCommand,
  SetCompactionCommand,
  TakeSnapshotCommand,
  WalkHeldIteratorCommand,
  type Walk,
} from './support/engine-model.ts';

/** Command sequences tried, and the longest one. */
const RUNS = sized(40, 2000);
const MAX_COMMANDS = 100;

// ---- configurations ----

const KiB = 1024;

/** Leveled with small triggers and sizes: a few kilobytes make several levels. */
const leveledArb: fc.Arbitrary<CompactionOptions> = fc.record({
  strategy: fc.constant('leveled' as const),
  l0CompactionTrigger: fc.integer({ min: 1, max: 4 }),
  levelSizeRatio: fc.integer({ min: 2, max: 4 }),
  baseLevelSize: fc.integer({ min: KiB, max: 4 * KiB }),
  targetFileSize: fc.integer({ min: KiB, max: 4 * KiB }),
});

/** Tiered with few runs allowed and narrow merges: merges of every kind happen within a few flushes. */
const tieredArb: fc.Arbitrary<CompactionOptions> = fc.record({
  strategy: fc.constant('tiered' as const),
  maxRuns: fc.integer({ min: 2, max: 5 }),
  maxMergeWidth: fc.integer({ min: 2, max: 6 }),
  sizeRatioPercent: fc.integer({ min: 0, max: 100 }),
  maxSpaceAmplificationPercent: fc.integer({ min: 25, max: 300 }),
  targetFileSize: fc.integer({ min: KiB, max: 4 * KiB }),
});

/** One engine configuration per run. */
const configArb = fc.record({
  /** Seeds the disk's crash decisions (how much of an unsynced tail survives). */
  diskSeed: fc.nat(),
  memtableSize: fc.integer({ min: KiB, max: 8 * KiB }),
  blockSize: fc.integer({ min: 128, max: 1024 }),
  bitsPerKey: fc.constantFrom(0, 10),
  blockCacheSize: fc.oneof(fc.constant(0), fc.integer({ min: KiB, max: 32 * KiB })),
  /** Paced: writes do compaction work themselves (the default pacing); otherwise only compact() and compactionStep() do. */
  paced: fc.boolean(),
  /** The fewest tables open allowed, so the table cache evicts. */
  smallTableCache: fc.boolean(),
  /** The smallest MANIFEST allowed, so it is rewritten every few edits. */
  smallManifest: fc.boolean(),
  /** Small slices, and low level-0 limits so that paced writes slow down and stall. */
  maxSliceBytes: fc.option(fc.integer({ min: 256, max: 4 * KiB }), { nil: undefined }),
  l0Limits: fc.option(fc.record({ slowdown: fc.integer({ min: 2, max: 4 }), extra: fc.integer({ min: 0, max: 4 }) }), { nil: undefined }),
  compaction: fc.oneof(leveledArb, tieredArb),
});

type Config = typeof configArb extends fc.Arbitrary<infer C> ? C : never;

function optionsOf(config: Config): LsmOptions & { readonly compaction: CompactionOptions } {
  return {
    memtableSize: config.memtableSize,
    blockSize: config.blockSize,
    bitsPerKey: config.bitsPerKey,
    blockCacheSize: config.blockCacheSize,
    compaction: config.compaction,
    ...(config.paced ? {} : { compactionPacing: 0 }),
    ...(config.smallTableCache ? { maxOpenFiles: 8 } : {}),
    ...(config.smallManifest ? { manifestMaxSize: KiB } : {}),
    ...(config.maxSliceBytes === undefined ? {} : { maxSliceBytes: config.maxSliceBytes }),
    ...(config.l0Limits === undefined
      ? {}
      : { l0SlowdownTrigger: config.l0Limits.slowdown, l0StopTrigger: config.l0Limits.slowdown + config.l0Limits.extra }),
  };
}

// ---- commands ----

const keyArb = fc.constantFrom(...KEYS);

/** Value lengths: empty, small, a good part of a block, bigger than a block (and than a small memtable's share). */
const lengthArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 40 }) },
  { weight: 4, arbitrary: fc.integer({ min: 41, max: 400 }) },
  { weight: 1, arbitrary: fc.integer({ min: 401, max: 2000 }) },
);

/** One write in four is synced. */
const syncArb = fc.nat({ max: 3 }).map((n) => n === 0);

/** Which live snapshot a read goes through (modulo their number), or none: the latest state. */
const snapshotPickArb = fc.option(fc.nat({ max: 15 }), { nil: undefined, freq: 2 });

/** A scan's limit: none, or a small one (0 included). */
const limitArb = fc.oneof(fc.constant(Infinity), fc.nat({ max: 8 }));

const boundArb = fc.record({ key: keyArb, inclusive: fc.boolean() });
const boundsArb: fc.Arbitrary<Bounds> = fc.record({ lower: boundArb, upper: boundArb }, { requiredKeys: [] });

const walkArb: fc.Arbitrary<Walk> = fc.record({
  start: fc.oneof(
    fc.constant({ to: 'first' as const }),
    fc.constant({ to: 'last' as const }),
    keyArb.map((key) => ({ to: 'seek' as const, key })),
  ),
  moves: fc.array(fc.constantFrom('next' as const, 'prev' as const), { maxLength: 12 }),
});

/** Most reopens keep the options; the others change some of those a database does not store. */
const reconfigurationArb: fc.Arbitrary<Reconfiguration> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        memtableSize: fc.integer({ min: KiB, max: 8 * KiB }),
        blockSize: fc.integer({ min: 128, max: 1024 }),
        bitsPerKey: fc.constantFrom(0, 10),
        blockCacheSize: fc.oneof(fc.constant(0), fc.integer({ min: KiB, max: 32 * KiB })),
      },
      { requiredKeys: [] },
    ),
  },
);

const DATA_MODES: UnsyncedData[] = ['drop', 'tear', 'tear-with-garbage', 'keep'];
const NAME_MODES: UnsyncedNames[] = ['drop', 'random', 'keep'];

const commandArb = fc.oneof(
  { weight: 25, arbitrary: fc.tuple(keyArb, lengthArb, syncArb).map(([key, length, sync]) => new PutCommand(key, length, sync)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.nat({ max: KEYS.length - 1 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 5, max: 40 }), lengthArb, fc.boolean())
      .map(([start, stride, count, length, syncLast]) => new PutManyCommand(start, stride, count, length, syncLast)),
  },
  { weight: 8, arbitrary: fc.tuple(keyArb, syncArb).map(([key, sync]) => new DeleteCommand(key, sync)) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.array(fc.record({ key: keyArb, length: fc.option(lengthArb, { nil: undefined, freq: 4 }) }), { maxLength: 8 }), syncArb)
      .map(([writes, sync]) => new BatchCommand(writes, sync)),
  },
  { weight: 8, arbitrary: fc.tuple(keyArb, snapshotPickArb).map(([key, pick]) => new GetCommand(key, pick)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(keyArb, keyArb, fc.boolean(), limitArb, snapshotPickArb)
      .map(([a, b, reverse, limit, pick]) => new RangeCommand(a <= b ? a : b, a <= b ? b : a, reverse, limit, pick)),
  },
  {
    weight: 6,
    arbitrary: fc
      .tuple(boundsArb, fc.boolean(), limitArb, fc.option(walkArb, { nil: undefined }), snapshotPickArb)
      .map(([bounds, reverse, limit, walk, pick]) => new IteratorCommand(bounds, reverse, limit, walk, pick)),
  },
  { weight: 3, arbitrary: fc.constant(new TakeSnapshotCommand()) },
  { weight: 2, arbitrary: fc.nat({ max: 15 }).map((pick) => new ReleaseSnapshotCommand(pick)) },
  { weight: 2, arbitrary: fc.tuple(boundsArb, fc.boolean()).map(([bounds, reverse]) => new HoldIteratorCommand(bounds, reverse)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.nat({ max: 15 }), walkArb, fc.boolean())
      .map(([pick, walk, close]) => new WalkHeldIteratorCommand(pick, walk, close)),
  },
  { weight: 3, arbitrary: fc.constant(new FlushCommand()) },
  { weight: 2, arbitrary: fc.option(fc.nat({ max: 6 }), { nil: undefined }).map((level) => new CompactCommand(level)) },
  { weight: 6, arbitrary: fc.constantFrom(1, 64, 512, 4096, Infinity).map((budget) => new CompactionStepCommand(budget)) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(leveledArb, tieredArb, fc.constant<CompactionOptions>({ strategy: 'none' }))
      .map((compaction) => new SetCompactionCommand(compaction)),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...DATA_MODES), fc.constantFrom(...NAME_MODES)) },
        // A process crash (the file system keeps everything), a case of its own, so that it comes often enough.
        { weight: 1, arbitrary: fc.constant(['keep', 'keep'] as [UnsyncedData, UnsyncedNames]) },
      )
      .chain(([data, names]) => reconfigurationArb.map((changes) => new CrashCommand(data, names, changes))),
  },
  { weight: 1, arbitrary: fc.tuple(fc.boolean(), reconfigurationArb).map(([after, changes]) => new ReopenCommand(after, changes)) },
);

/** The name of every command, as its class gives it: each must have run. */
const COMMAND_NAMES = ['put', 'put many', 'delete', 'batch', 'get', 'range', 'iterator', 'snapshot', 'release', 'hold iterator'].concat(
  ['walk held iterator', 'flush', 'compact', 'compactionStep', 'setCompaction', 'crash', 'close and reopen'],
);

// ---- the test ----

describe('the whole engine against a model', () => {
  test('every sequence reads like the model; a crash keeps a prefix of the writes with every synced one; a clean reopen keeps all', () => {
    const stats = new CampaignStats();
    const property = fc.property(configArb, fc.commands([commandArb], { maxCommands: MAX_COMMANDS, size: 'max' }), (config, commands) => {
      const real = new EngineUnderTest(new MemoryFileSystem({ seed: config.diskSeed }), optionsOf(config), stats);
      const model = new EngineModel();
      stats.add('runs');
      try {
        fc.modelRun(() => ({ model, real }), commands);
        // Every run ends with a clean close and reopen: whatever the commands did, it all survives.
        new ReopenCommand(false, {}).run(model, real);
      } catch (error) {
        closeQuietly(real);
        throw error;
      }
      for (const cursor of real.cursors) cursor.close();
      real.db.close();
    });
    try {
      fc.assert(property, { seed: CAMPAIGN_SEED, numRuns: RUNS });
    } catch (error) {
      report(stats, Math.max(1, stats.wrong));
      throw error;
    }
    report(stats, stats.wrong);
    expect(stats.wrong, 'wrong states seen').toBe(0);

    // Not vacuous: the sequences did what they were generated to do.
    for (const strategy of ['leveled', 'tiered'] as const) {
      expect(stats.flushes[strategy], `flushes under ${strategy} compaction`).toBeGreaterThan(0);
      expect(stats.compactions[strategy], `compactions finished under ${strategy} compaction`).toBeGreaterThan(0);
    }
    expect(stats.trivialMoves, 'trivial moves').toBeGreaterThan(0);
    expect(stats.deepestLevel, 'the deepest level reached').toBeGreaterThanOrEqual(2);
    expect(stats.crashes, 'crashes recovered').toBeGreaterThan(0);
    expect(stats.crashesWithDurableWrites, 'crashes that had synced or flushed writes to keep').toBeGreaterThan(0);
    expect(stats.processCrashes, 'process crashes (every byte and name kept)').toBeGreaterThan(0);
    expect(stats.crashesThatLostWrites, 'crashes that lost an unsynced suffix (so the prefix rule was exercised)').toBeGreaterThan(0);
    expect(stats.readsThroughSnapshots, 'reads through snapshots').toBeGreaterThan(0);
    expect(stats.cursorSteps, 'cursor steps').toBeGreaterThan(0);
    for (const name of COMMAND_NAMES) expect(stats.byCommand.get(name) ?? 0, `'${name}' commands run`).toBeGreaterThan(0);
  }, sized(60_000, 60 * 60_000)); // the long run takes minutes
});

/** Closes what a failed run left open; the engine may be in any state then, and the failure is what matters. */
function closeQuietly(real: EngineUnderTest): void {
  try {
    for (const cursor of real.cursors) cursor.close();
    real.db.close();
  } catch {
    // Already reported: the run failed.
  }
}

function report(stats: CampaignStats, lost: number): void {
  const commands = stats.commands.toLocaleString('en-US');
  reportFigure({ part: 'model-based test', what: `command sequences (${commands} commands)`, count: stats.runs, lost });
  reportFigure({ part: 'model-based test', what: 'crashes recovered to an allowed prefix of the writes', count: stats.crashes, lost });
  const detail = {
    compactions: stats.compactions,
    flushes: stats.flushes,
    trivialMoves: stats.trivialMoves,
    deepestLevel: stats.deepestLevel,
    stalls: stats.stalls,
    syncedWrites: stats.syncedWrites,
    crashesThatLostWrites: stats.crashesThatLostWrites,
    crashesWithDurableWrites: stats.crashesWithDurableWrites,
    processCrashes: stats.processCrashes,
    readsThroughSnapshots: stats.readsThroughSnapshots,
    cursorSteps: stats.cursorSteps,
    byCommand: Object.fromEntries(stats.byCommand),
  };
  console.log(`[reliability] model-based test details: ${JSON.stringify(detail)}`);
}
