/**
 * Reliability campaign, crash at every operation: a power loss after any
 * single file-system operation of a workload that flushes and compacts must
 * leave a database that opens, holds exactly the writes of some prefix of
 * the workload (every synced or flushed write included, batches whole,
 * nothing deleted come back, nothing invented), and goes on working.
 *
 * The workload (support/crash-workload.ts) runs once per compaction
 * strategy. A dry run counts its file-system mutations, N; then for each k
 * in 0..N a fresh disk lets the workload run k mutations and "loses power"
 * there, keeping unsynced bytes and name changes as the crash modes say
 * (cycled, so every combination is tried many times). That is every point
 * at which a real process could die between two writes to the disk: in a
 * WAL append, between a table's sync and its directory sync, between a
 * MANIFEST edit and the deletion of the files it retires, and so on.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem, SimulatedCrash, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';
import type { WritableFile } from '#toolkit/file-system.ts';
import { baseName } from '#toolkit/path.ts';
import { MANIFEST_PREFIX } from '#engine/file-names.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';
import { contents, openOn, text } from '../07-flush-manifest/support/engine.ts';
import { CAMPAIGN_SEED, reportFigure, sized } from './support/campaign.ts';
import { KEY_COUNT, keyName, planWorkload, runWorkload, WriteLog, workloadOptions, type Strategy } from './support/crash-workload.ts';

const DATA_MODES: UnsyncedData[] = ['tear', 'drop', 'tear-with-garbage', 'keep'];
const NAME_MODES: UnsyncedNames[] = ['random', 'drop', 'keep'];

/** Operations per workload: at CI size about 650 file-system mutations each, so the two strategies give well over 1,000 crash points. */
const OPERATIONS = sized(220, 400);
/** Workloads (seeds) per strategy. */
const SEEDS = sized(1, 5);
/**
 * The issue asks for at least 1,000 crash points in all in `npm test`; each
 * of the two strategies must bring half of them, so each test holds its
 * share whichever runs alone.
 */
const MIN_CRASH_POINTS_PER_STRATEGY = 500;

/** Each strategy's test takes seconds at CI size and a minute or so at long size; allow it ample time for a slow machine. */
const TIMEOUT_MS = sized(60_000, 30 * 60_000);

/** A key no workload writes, put after recovery to check the database takes writes again. */
const AFTERWARDS = 'zz-after-recovery';

/** A MemoryFileSystem that counts the MANIFEST files created, to show the dry run replaced its MANIFEST. */
class ManifestCountingFileSystem extends MemoryFileSystem {
  manifestsStarted = 0;

  override createWritable(path: string): WritableFile {
    if (baseName(path).startsWith(MANIFEST_PREFIX)) this.manifestsStarted++;
    return super.createWritable(path);
  }
}

/**
 * Crashes the workload of `seed` after each of its mutations in turn and
 * checks what every crash leaves. Returns the number of crash points tried;
 * fails (through expect) at the first crash point that loses or invents anything.
 */
function crashEveryOperation(strategy: Strategy, seed: number): number {
  const options = workloadOptions(strategy);
  const operations = planWorkload(seed, OPERATIONS);

  // The dry run: how many mutations, and proof that the workload does what it is for.
  const clean = new ManifestCountingFileSystem();
  const cleanLog = new WriteLog();
  const db = runWorkload(clean, options, operations, cleanLog);
  const mutations = clean.mutations;
  const metrics = db.metrics();
  db.close();
  const workload = `the ${strategy} workload of seed ${seed}`;
  expect(metrics.writes.flushes, `${workload} flushes several memtables`).toBeGreaterThanOrEqual(8);
  expect(metrics.compaction.compactions, `${workload} runs several compactions`).toBeGreaterThanOrEqual(4);
  expect(cleanLog.writes.some((write) => write.length > 1), `${workload} writes batches`).toBe(true);
  expect(cleanLog.writes.some((write) => write.some((change) => change.value === null)), `${workload} deletes keys`).toBe(true);
  expect(cleanLog.flushes, `${workload} calls flush()`).toBeGreaterThan(0);
  // One MANIFEST is started at the first edit after open; the others replace a full one.
  expect(clean.manifestsStarted, `${workload} replaces its MANIFEST at least twice`).toBeGreaterThanOrEqual(3);

  for (let k = 0; k <= mutations; k++) {
    const fs = new MemoryFileSystem({ seed: seed * 10_007 + k });
    const log = new WriteLog();
    fs.crashAfter(k);
    try {
      runWorkload(fs, options, operations, log);
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) throw error;
    }
    const data = DATA_MODES[k % DATA_MODES.length]!;
    const names = NAME_MODES[Math.floor(k / DATA_MODES.length) % NAME_MODES.length]!;
    fs.crash({ data, names });
    const context =
      `${workload}, crash after mutation ${k} of ${mutations} (unsynced data: ${data}, names: ${names}; ` +
      `${log.writes.length} writes attempted, ${log.durable} durable)`;
    checkRecovery(fs, options, log, context);
  }
  return mutations + 1;
}

/**
 * Reopens the crashed database and checks it: its contents equal the state
 * after some allowed prefix of the writes, a get of every key agrees, and
 * it takes a write and a full compaction afterwards without losing anything.
 */
function checkRecovery(fs: MemoryFileSystem, options: LsmOptions, log: WriteLog, context: string): void {
  let db: LsmTree;
  try {
    db = openOn(fs, options);
  } catch (error) {
    throw new Error(`${context}: the database must open after the crash, but open failed: ${String(error)}`, { cause: error });
  }
  const recovered = new Map(contents(db));
  const match = log.match(recovered);
  if ('problem' in match) expect.fail(`${context}: ${match.problem}`);
  const expected = log.stateAfter(match.prefix);
  // The point-read path (memtable, then level 0 newest first, then each level) must agree with the scan.
  for (let i = 0; i < KEY_COUNT; i++) {
    const key = keyName(i);
    expect(text(db.get(key)), `${context}: get('${key}') after recovering the first ${match.prefix} writes`).toBe(expected.get(key));
  }
  // The recovered tree is a valid starting point: it takes a write, and compaction merges it all without loss.
  db.put(AFTERWARDS, 'written after recovery', { sync: true });
  db.compact();
  expected.set(AFTERWARDS, 'written after recovery');
  expect(contents(db), `${context}: the contents after a put and a compact() following recovery`).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)));
  db.close();
}

describe('crash at every operation', () => {
  for (const strategy of ['leveled', 'tiered'] as const) {
    test(`a crash after any file-system operation of a ${strategy} workload that flushes and compacts keeps every durable write and invents nothing`, () => {
      let crashPoints = 0;
      for (let s = 0; s < SEEDS; s++) crashPoints += crashEveryOperation(strategy, CAMPAIGN_SEED + s);
      // Any loss fails an expect above, so reaching here means none was seen.
      const lost = 0;
      expect(crashPoints, `crash points of the ${strategy} workloads`).toBeGreaterThanOrEqual(MIN_CRASH_POINTS_PER_STRATEGY);
      reportFigure({ part: 'crash at every operation', what: `crash points (${strategy})`, count: crashPoints, lost });
    }, TIMEOUT_MS);
  }
});
