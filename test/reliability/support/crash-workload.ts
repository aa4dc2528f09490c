/**
 * The workload the crash-at-every-operation test crashes, and the log that
 * says what a crashed run may leave behind.
 *
 * The workload is a seeded list of writes planned in advance (so the dry run
 * that counts its file-system operations and every crashed run do exactly the
 * same thing): puts and deletes, synced and not, deletes of keys that hold a
 * value (so a resurrected value would be visible), multi-entry WriteBatches,
 * and now and then an explicit flush(). The memtable, tables and triggers are
 * the smallest allowed, so a few hundred writes flush many times, compact
 * several times (writes pace compaction work in small slices) and start a
 * new MANIFEST a few times along the way.
 *
 * The contract a crash must keep: the recovered database holds exactly the
 * state after some prefix of the writes attempted, and that prefix covers
 * every write acknowledged as durable (a synced write that returned, or any
 * write before a flush() that returned). So batches are all-or-nothing,
 * later writes are present or absent in order, nothing deleted comes back
 * and nothing is invented. {@link WriteLog.match} finds that prefix.
 */

import { WriteBatch } from '#wal/write-batch.ts';
import { SeededRandom } from '#toolkit/random.ts';
import type { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';
import { openOn, utf8, valueFor } from '../../07-flush-manifest/support/engine.ts';

/** The strategies the test crashes, one run each. */
export type Strategy = 'leveled' | 'tiered';

/**
 * Returns options that make a small workload flush and compact often: the
 * smallest memtable, blocks and tables allowed, level 0 compacted at two
 * tables (or two sorted runs), compaction paced by the writes in slices
 * small enough that a compaction spans several writes, and the smallest
 * MANIFEST, so it is replaced by a new one (CURRENT switched) a few times too.
 */
export function workloadOptions(strategy: Strategy): LsmOptions {
  const compaction =
    strategy === 'leveled'
      ? ({ strategy, l0CompactionTrigger: 2, levelSizeRatio: 2, baseLevelSize: 1024, targetFileSize: 1024 } as const)
      : ({ strategy, maxRuns: 2, targetFileSize: 1024 } as const);
  return {
    memtableSize: 1024,
    blockSize: 128,
    blockCacheSize: 0, // Every read after recovery comes from the recovered files, not from memory.
    manifestMaxSize: 1024,
    compactionPacing: 16,
    maxSliceBytes: 400,
    compaction,
  };
}

/** One key's change: a put (value) or a delete (null). */
export interface Change {
  readonly key: string;
  readonly value: string | null;
}

/** One step of the workload: a write of one or more changes (a batch when more), or a flush(). */
export type Operation =
  | { readonly kind: 'write'; readonly changes: readonly Change[]; readonly batch: boolean; readonly sync: boolean }
  | { readonly kind: 'flush' };

/** The keys the workload writes: few, so keys are overwritten and deleted many times. */
export const KEY_COUNT = 40;

/** Returns the name of key `index`: `keyName(7)` is `'key007'`. */
export function keyName(index: number): string {
  return `key${String(index).padStart(3, '0')}`;
}

/**
 * Plans `length` operations from `seed`: about 1 in 4 writes synced, 1 in 5
 * a delete (always of a key that holds a value), 1 in 8 a batch of 2
 * to 4 changes, and 1 in 40 operations a flush().
 */
export function planWorkload(seed: number, length: number): Operation[] {
  const random = new SeededRandom(seed);
  const live = new Set<string>();
  const operations: Operation[] = [];
  let version = 0;
  const change = (): Change => {
    const holdingValues = [...live];
    if (holdingValues.length > 0 && random.below(5) === 0) {
      const key = holdingValues[random.below(holdingValues.length)]!;
      live.delete(key);
      return { key, value: null };
    }
    const key = keyName(random.below(KEY_COUNT));
    live.add(key);
    return { key, value: valueFor(key, ++version, 20 + random.below(40)) };
  };
  for (let i = 0; i < length; i++) {
    if (random.below(40) === 0) {
      operations.push({ kind: 'flush' });
      continue;
    }
    const batch = random.below(8) === 0;
    const changes = batch ? Array.from({ length: 2 + random.below(3) }, change) : [change()];
    operations.push({ kind: 'write', changes, batch, sync: random.below(4) === 0 });
  }
  return operations;
}

/**
 * What a run of the workload did, as its caller saw it.
 *
 * Invariants:
 * 1. `writes` holds every write attempted, in order, the one a crash
 *    interrupted included (it may or may not have reached the disk).
 * 2. `durable` <= `acknowledged` <= `writes.length`: the writes before
 *    `durable` must survive a crash; those from `acknowledged` on never
 *    returned.
 */
export class WriteLog {
  readonly writes: (readonly Change[])[] = [];
  /** How many writes returned. */
  acknowledged = 0;
  /** How many writes must survive: up to the last synced write that returned, or the last flush() that returned. */
  durable = 0;
  flushes = 0;

  /**
   * Returns the prefix length p (durable <= p <= writes.length) whose state
   * equals `recovered`, or a description, in words, of why none does.
   * States are built one write at a time from the durable point, so the
   * search costs one pass over the candidates.
   */
  match(recovered: ReadonlyMap<string, string>): { prefix: number } | { problem: string } {
    const state = this.stateAfter(this.durable);
    if (sameState(state, recovered)) return { prefix: this.durable };
    for (let p = this.durable; p < this.writes.length; p++) {
      apply(state, this.writes[p]!);
      if (sameState(state, recovered)) return { prefix: p + 1 };
    }
    const differences = describeDifferences(this.stateAfter(this.durable), recovered);
    return {
      problem:
        `the recovered contents are not the state after any prefix of ${this.durable}..${this.writes.length} of the attempted writes ` +
        `(${this.durable} must survive: synced or flushed); against the state after the ${this.durable} durable writes: ${differences}`,
    };
  }

  /** The state after the first `p` writes. */
  stateAfter(p: number): Map<string, string> {
    const state = new Map<string, string>();
    for (let i = 0; i < p; i++) apply(state, this.writes[i]!);
    return state;
  }
}

function apply(state: Map<string, string>, write: readonly Change[]): void {
  for (const { key, value } of write) {
    if (value === null) state.delete(key);
    else state.set(key, value);
  }
}

function sameState(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

/** Up to five differing keys, as "key007: durable state 'key007=v12:...', found none". */
function describeDifferences(expected: ReadonlyMap<string, string>, found: ReadonlyMap<string, string>): string {
  const keys = [...new Set([...expected.keys(), ...found.keys()])].sort();
  const shown = (value: string | undefined): string => (value === undefined ? 'none' : `'${value}'`);
  const lines = keys
    .filter((key) => expected.get(key) !== found.get(key))
    .map((key) => `${key}: durable state ${shown(expected.get(key))}, found ${shown(found.get(key))}`);
  return lines.length === 0 ? 'no difference (a later prefix is missing in between?)' : lines.slice(0, 5).join('; ');
}

/**
 * Opens the database on `fs` and runs `operations`, recording each write in
 * `log` before it is made and acknowledging it once it returns. Returns the
 * open database (the caller reads its metrics, or crashes it). A
 * SimulatedCrash propagates from whichever call it hit.
 */
export function runWorkload(fs: MemoryFileSystem, options: LsmOptions, operations: readonly Operation[], log: WriteLog): LsmTree {
  const db = openOn(fs, options);
  for (const operation of operations) {
    if (operation.kind === 'flush') {
      db.flush();
      log.durable = log.acknowledged;
      log.flushes++;
      continue;
    }
    log.writes.push(operation.changes);
    const sync = { sync: operation.sync };
    if (operation.batch) {
      const batch = new WriteBatch();
      for (const { key, value } of operation.changes) {
        if (value === null) batch.delete(utf8(key));
        else batch.put(utf8(key), utf8(value));
      }
      db.write(batch, sync);
    } else {
      const { key, value } = operation.changes[0]!;
      if (value === null) db.delete(key, sync);
      else db.put(key, value, sync);
    }
    log.acknowledged = log.writes.length;
    if (operation.sync) log.durable = log.acknowledged;
  }
  return db;
}
