/**
 * The writer of the real-process kill campaign (kill-test.ts): a child
 * process that opens a database on the real disk and writes to it forever,
 * until the campaign kills it with SIGKILL.
 *
 *     node --import tsx scripts/reliability/kill-writer.ts <dir> <leveled|tiered> <first write index> <seed>
 *
 * Write number i is always the same operation (`operationAt(seed, i)`): a
 * synced put, a synced delete, a synced batch, or a put or delete without
 * sync. So the campaign knows what every write was without being told; the
 * writer only says how far it got, on stdout, one line at a time:
 *
 *     opening          about to call LsmTree.open (a kill now lands in open and recovery)
 *     open             the database is open; writing starts
 *     ack <i>          synced write i has returned: it must survive anything from now on
 *     stats <f> <c>    flushes and compactions this process has done so far
 *
 * The acknowledgement is written after the call returns, so the log of
 * acknowledged writes lives outside the database, in the campaign. Writes
 * after the last "ack" may or may not have happened: they are in flight.
 * Since an "ack" is printed before the next write starts, the writes in
 * flight never go past the next synced write.
 *
 * Values name their key and their write ("key00042@1234.0:...."), so the
 * campaign can tell which write a value it reads back came from. The key
 * space is small, so keys are overwritten and deleted again and again, and
 * the memtable and table sizes are small, so the writer flushes and compacts
 * often: a kill lands in a flush or a compaction as easily as in a write.
 */

import { pathToFileURL } from 'node:url';
import { utf8 } from '#toolkit/bytes.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { WriteBatch } from '#wal/write-batch.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';

/** The number of distinct keys: small, so that overwrites and deletes of live keys are common. */
export const KEY_SPACE = 1500;

/** The strategies the campaign alternates between. */
export type KillStrategy = 'leveled' | 'tiered';

/** One key's write inside an operation: a put of `value`, or a delete when `value` is undefined. */
export interface KeyWrite {
  readonly key: string;
  readonly value: string | undefined;
}

/** Write number `index` of the workload. */
export interface Operation {
  readonly index: number;
  readonly kind: 'put' | 'delete' | 'batch';
  /** Synced writes are acknowledged ("ack <index>"); the others are not. */
  readonly sync: boolean;
  /** The keys it writes, in order (a batch may write one key twice: the last write wins). */
  readonly writes: readonly KeyWrite[];
}

/**
 * Small sizes so that a few hundred writes fill the memtable and a few
 * flushes start a compaction, under either strategy. Compaction runs paced
 * inside the writes (the default), so the writer compacts as it goes.
 */
export function writerOptions(strategy: KillStrategy): LsmOptions {
  const compaction =
    strategy === 'leveled'
      ? ({ strategy: 'leveled', l0CompactionTrigger: 2, levelSizeRatio: 4, baseLevelSize: 64 * 1024, targetFileSize: 32 * 1024 } as const)
      : ({ strategy: 'tiered', maxRuns: 4, targetFileSize: 32 * 1024 } as const);
  // A small MANIFEST limit: it is replaced by a fresh one every few dozen edits, so kills land in that too.
  return { memtableSize: 32 * 1024, blockSize: 1024, manifestMaxSize: 4 * 1024, compaction };
}

/** The name of key number n, e.g. "key00042". */
export function keyName(n: number): string {
  return `key${String(n).padStart(5, '0')}`;
}

/** The value that entry `entry` of write `index` puts under `key`: it names all three, padded to `length`. */
export function valueOf(key: string, index: number, entry: number, length: number): string {
  return `${key}@${index}.${entry}:`.padEnd(length, '.');
}

/** Which write a value came from, or undefined if it is not a value this workload writes. */
export function parseValue(value: string): { key: string; index: number; entry: number } | undefined {
  const match = /^(key\d{5})@(\d+)\.(\d+):\.*$/.exec(value);
  if (match === null) return undefined;
  return { key: match[1]!, index: Number(match[2]), entry: Number(match[3]) };
}

/**
 * Write number `index` of the workload that `seed` picks. Each write has a
 * generator of its own, seeded from (seed, index), so any write can be
 * computed alone: the campaign replays the writes of a dead writer without it.
 *
 * The mix: 55% synced puts, 10% synced deletes, 10% synced batches of 2 to 6
 * puts and deletes, 25% puts and deletes without sync.
 */
export function operationAt(seed: number, index: number): Operation {
  const random = new SeededRandom(Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(index, 0x85ebca6b) ^ (index >>> 16));
  const key = (): string => keyName(random.below(KEY_SPACE));
  // Values from 40 to 400 bytes: some blocks hold many entries, some few.
  const put = (k: string, entry: number): KeyWrite => ({ key: k, value: valueOf(k, index, entry, 40 + random.below(361)) });
  const roll = random.below(100);
  if (roll < 55) return { index, kind: 'put', sync: true, writes: [put(key(), 0)] };
  if (roll < 65) return { index, kind: 'delete', sync: true, writes: [{ key: key(), value: undefined }] };
  if (roll < 75) {
    const count = 2 + random.below(5);
    const writes: KeyWrite[] = [];
    for (let entry = 0; entry < count; entry++) writes.push(random.chance(0.25) ? { key: key(), value: undefined } : put(key(), entry));
    return { index, kind: 'batch', sync: true, writes };
  }
  return random.chance(0.8)
    ? { index, kind: 'put', sync: false, writes: [put(key(), 0)] }
    : { index, kind: 'delete', sync: false, writes: [{ key: key(), value: undefined }] };
}

/** Carries out `operation` on `db`. */
function perform(db: LsmTree, operation: Operation): void {
  const options = { sync: operation.sync };
  if (operation.kind === 'batch') {
    const batch = new WriteBatch();
    for (const { key, value } of operation.writes) {
      if (value === undefined) batch.delete(utf8(key));
      else batch.put(utf8(key), utf8(value));
    }
    db.write(batch, options);
    return;
  }
  const { key, value } = operation.writes[0]!;
  if (value === undefined) db.delete(key, options);
  else db.put(key, value, options);
}

/**
 * Writes one line to stdout. On Linux, writes to a pipe are synchronous in
 * Node: when this returns the line is in the pipe, and the parent reads it
 * even if this process is killed the next instant.
 */
function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Opens the database and writes from `first` on, until killed (or orphaned: see below). */
function main(args: string[]): void {
  const [dir, strategy, firstText, seedText] = args;
  if (dir === undefined || (strategy !== 'leveled' && strategy !== 'tiered') || !/^\d+$/.test(firstText ?? '') || !/^\d+$/.test(seedText ?? '')) {
    console.error('usage: kill-writer.ts <dir> <leveled|tiered> <first write index> <seed>');
    process.exit(2);
  }
  const seed = Number(seedText);
  const parent = process.ppid;
  say('opening');
  const db = LsmTree.open(dir, writerOptions(strategy));
  say('open');
  for (let index = Number(firstText); ; index++) {
    const operation = operationAt(seed, index);
    perform(db, operation);
    if (operation.sync) say(`ack ${index}`);
    if (index % 64 === 0) {
      // The loop never yields, so a closed stdout never surfaces as an error: if the campaign died
      // (the process was re-parented), stop instead of writing forever.
      if (process.ppid !== parent) process.exit(3);
      const metrics = db.metrics();
      say(`stats ${metrics.writes.flushes} ${metrics.compaction.compactions}`);
    }
  }
}

// Run only as a script: the campaign imports this file for the workload.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
