/**
 * Chapter 7, crash safety of the whole engine (every task together): a
 * power loss at any moment, in the middle of a write, a flush, a MANIFEST
 * rewrite, a close or a recovery, must leave a database that opens and
 * holds exactly the writes of some prefix of the workload:
 *
 * - every write acknowledged as durable before the crash is there (a put or
 *   batch with sync: true, and everything before it; everything before a
 *   completed flush or close);
 * - nothing comes back that a later durable write deleted or overwrote;
 * - nothing appears that was never written, and an unsynced write is there
 *   with its exact value or not at all;
 * - a batch is there whole or not at all.
 *
 * "Some prefix" states all four at once: the recovered contents must equal
 * the model after the first p writes, for a p between the durable count and
 * the number of writes begun.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MemoryFileSystem, SimulatedCrash, type UnsyncedData, type UnsyncedNames } from '#toolkit/memory-file-system.ts';
import { WriteBatch } from '#wal/write-batch.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';
import { contents, openOn, utf8, valueFor } from './support/engine.ts';

const OPTIONS: LsmOptions = { memtableSize: 1024, blockSize: 128, manifestMaxSize: 1024 };
const DATA_MODES: UnsyncedData[] = ['tear', 'drop', 'tear-with-garbage', 'keep'];
const NAME_MODES: UnsyncedNames[] = ['random', 'drop', 'keep'];

/** One user-visible write, as the model applies it. */
type Write = readonly { readonly key: string; readonly value: string | null }[];

/** What a workload did before the crash, as the caller saw it. */
class History {
  /** Every write begun, in order (the one the crash interrupted included). */
  readonly writes: Write[] = [];
  /** How many of them were acknowledged as durable. */
  durable = 0;

  constructor(private readonly base: ReadonlyMap<string, string> = new Map()) {}

  begin(write: Write): void {
    this.writes.push(write);
  }

  /** Everything begun so far is durable: a sync write, a flush or a close returned. */
  allDurable(): void {
    this.durable = this.writes.length;
  }

  /** The contents after the first `p` writes. */
  stateAfter(p: number): Map<string, string> {
    const state = new Map(this.base);
    for (const write of this.writes.slice(0, p)) {
      for (const { key, value } of write) {
        if (value === null) state.delete(key);
        else state.set(key, value);
      }
    }
    return state;
  }

  /** Returns the p whose state the recovered contents equal (the largest, if several), or a description of why none does. */
  match(recovered: [string, string][]): number | string {
    const got = JSON.stringify(recovered);
    for (let p = this.writes.length; p >= this.durable; p--) {
      const state = [...this.stateAfter(p)].sort(([a], [b]) => (a < b ? -1 : 1));
      if (JSON.stringify(state) === got) return p;
    }
    const durableState = [...this.stateAfter(this.durable)].sort(([a], [b]) => (a < b ? -1 : 1));
    return `the recovered contents ${got} are not the state after any prefix of ${this.durable}..${this.writes.length} writes; after the ${this.durable} durable ones it was ${JSON.stringify(durableState)}`;
  }
}

/** The workload: puts, deletes and batches around explicit and automatic flushes, a MANIFEST rewrite, a close and a reopen. */
function runWorkload(fs: MemoryFileSystem, history: History): void {
  let db: LsmTree = openOn(fs, OPTIONS);
  const put = (key: string, value: string, sync = false): void => {
    history.begin([{ key, value }]);
    db.put(key, value, { sync });
    if (sync) history.allDurable();
  };
  const del = (key: string, sync = false): void => {
    history.begin([{ key, value: null }]);
    db.delete(key, { sync });
    if (sync) history.allDurable();
  };
  const batch = (writes: Write, sync = false): void => {
    const b = new WriteBatch();
    for (const { key, value } of writes) {
      if (value === null) b.delete(utf8(key));
      else b.put(utf8(key), utf8(value));
    }
    history.begin(writes);
    db.write(b, { sync });
    if (sync) history.allDurable();
  };
  const flush = (): void => {
    db.flush();
    history.allDurable();
  };

  put('a', valueFor('a', 1), true);
  put('b', valueFor('b', 1));
  del('a', true);
  batch([{ key: 'c', value: valueFor('c', 1) }, { key: 'd', value: valueFor('d', 1) }, { key: 'b', value: null }], true);
  put('e', valueFor('e', 1));
  flush();
  put('a', valueFor('a', 2), true);
  // Long keys make big MANIFEST edits: these flushes also rewrite the MANIFEST.
  const longKey = (i: number): string => `k${i % 8}`.padEnd(60, '-');
  for (let i = 0; i < 80; i++) put(longKey(i), valueFor(longKey(i), i, 100), i % 5 === 0);
  del('c');
  batch([{ key: 'k1', value: null }, { key: 'f', value: valueFor('f', 1) }]);
  db.close();
  history.allDurable();
  db = openOn(fs, OPTIONS);
  put('g', valueFor('g', 1), true);
  del('k2');
  batch([{ key: 'h', value: valueFor('h', 1) }, { key: 'a', value: null }], true);
  put('i', valueFor('i', 1));
  flush();
  put('j', valueFor('j', 1));
}

/** Reopens the crashed file system and checks the contents against the history. */
function recoverAndCheck(fs: MemoryFileSystem, history: History, context: string): [string, string][] {
  let db: LsmTree;
  try {
    db = openOn(fs, OPTIONS);
  } catch (error) {
    throw new Error(`${context}: the database must open after a crash: ${String(error)}`, { cause: error });
  }
  const recovered = contents(db);
  db.close();
  const p = history.match(recovered);
  expect(typeof p === 'number' ? 'ok' : p, `${context}: durable writes lost, a deleted key came back, or a write was invented or split`).toBe('ok');
  return recovered;
}

describe('crash safety', () => {
  test('a crash after every single file-system mutation of a put-flush-put workload (including its close and reopen) loses nothing durable', () => {
    const clean = new MemoryFileSystem();
    runWorkload(clean, new History());
    const mutations = clean.mutations;
    expect(mutations, 'the workload should do a few hundred file-system mutations').toBeGreaterThan(100);
    for (let k = 0; k <= mutations; k++) {
      const fs = new MemoryFileSystem({ seed: k + 1 });
      const history = new History();
      fs.crashAfter(k);
      try {
        runWorkload(fs, history);
      } catch (error) {
        if (!(error instanceof SimulatedCrash)) throw error;
      }
      const data = DATA_MODES[k % DATA_MODES.length]!;
      const names = NAME_MODES[Math.floor(k / DATA_MODES.length) % NAME_MODES.length]!;
      fs.crash({ data, names });
      recoverAndCheck(fs, history, `crash after mutation ${k} of ${mutations} (unsynced data: ${data}, names: ${names})`);
    }
  });

  type Step = { readonly write: Write; readonly sync: boolean } | 'flush' | 'crash';

  const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
  const writeArb: fc.Arbitrary<Write> = fc.array(
    fc.record({ key: keyArb, value: fc.option(fc.nat({ max: 1000 }).map((n) => valueFor('v', n, 30 + (n % 120))), { nil: null }) }),
    { minLength: 1, maxLength: 3 },
  );
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    { weight: 12, arbitrary: fc.record({ write: writeArb, sync: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant('flush' as const) },
    { weight: 2, arbitrary: fc.constant('crash' as const) },
  );

  test('crashes at random points between operations, again and again, each in a random mode, keep every durable write', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(...DATA_MODES),
        fc.constantFrom(...NAME_MODES),
        (steps, seed, data, names) => {
          const fs = new MemoryFileSystem({ seed });
          let db = openOn(fs, OPTIONS);
          let history = new History();
          steps.forEach((step, n) => {
            if (step === 'crash') {
              fs.crash({ data, names });
              const recovered = recoverAndCheck(fs, history, `crash at step ${n}`);
              history = new History(new Map(recovered));
              db = openOn(fs, OPTIONS);
            } else if (step === 'flush') {
              db.flush();
              history.allDurable();
            } else {
              const batch = new WriteBatch();
              for (const { key, value } of step.write) {
                if (value === null) batch.delete(utf8(key));
                else batch.put(utf8(key), utf8(value));
              }
              history.begin(step.write);
              db.write(batch, { sync: step.sync });
              if (step.sync) history.allDurable();
            }
          });
          fs.crash({ data, names });
          recoverAndCheck(fs, history, 'crash at the end');
        },
      ),
    );
  });
});
