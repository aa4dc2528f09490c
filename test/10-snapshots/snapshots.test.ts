/**
 * Chapter 10, snapshots in the running engine (every task together, with
 * chapters 8 and 9's compaction): several snapshots and open iterators held
 * across random writes, deletes, flushes, compactions of both strategies
 * (switched at runtime, run whole or a slice at a time) and releases; every
 * read at a snapshot equals the model's state at its sequence, and
 * releasing snapshots gives the space back.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import type { DbIterator } from '#merge/db-iterator.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import type { Snapshot } from '#snapshots/snapshot-list.ts';
import { openOn, pairs, sortedEntries, tableBytes, tableFiles, text, valueFor } from './support/engine.ts';

type Strategy = 'leveled' | 'tiered';

type Op =
  | { readonly type: 'put'; readonly key: string; readonly size: number }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'flush' }
  | { readonly type: 'compact' }
  | { readonly type: 'step'; readonly budget: number }
  | { readonly type: 'strategy'; readonly strategy: Strategy }
  | { readonly type: 'take' }
  | { readonly type: 'release'; readonly which: number }
  | { readonly type: 'open'; readonly which: number | null; readonly reverse: boolean }
  | { readonly type: 'advance'; readonly which: number; readonly count: number }
  | { readonly type: 'read'; readonly which: number | null; readonly how: 'get' | 'range' | 'iterator' | 'reverse'; readonly key: string; readonly end: string };

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];
const keyArb = fc.constantFrom(...KEYS);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ type: fc.constant('put' as const), key: keyArb, size: fc.integer({ min: 20, max: 400 }) }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('delete' as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.constant({ type: 'flush' as const }) },
  { weight: 2, arbitrary: fc.constant({ type: 'compact' as const }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('step' as const), budget: fc.integer({ min: 1, max: 4000 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('strategy' as const), strategy: fc.constantFrom<Strategy>('leveled', 'tiered') }) },
  { weight: 2, arbitrary: fc.constant({ type: 'take' as const }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('release' as const), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('open' as const), which: fc.option(fc.nat(), { nil: null }), reverse: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('advance' as const), which: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('read' as const),
      which: fc.option(fc.nat(), { nil: null }),
      how: fc.constantFrom('get' as const, 'range' as const, 'iterator' as const, 'reverse' as const),
      key: keyArb,
      end: keyArb,
    }),
  },
);

/** A snapshot and the model's state when it was taken. */
interface Held {
  readonly snapshot: Snapshot;
  readonly state: ReadonlyMap<string, string>;
}

/** An open iterator, what it must yield in all, and how much it has yielded so far. */
interface OpenIterator {
  readonly iterator: DbIterator;
  readonly expected: [string, string][];
  readonly reverse: boolean;
  got: [string, string][];
  started: boolean;
}

/** Reads up to `count` entries from an open iterator with the cursor API, leaving it open. */
function advance(open: OpenIterator, count: number): void {
  const it = open.iterator;
  if (!open.started) {
    if (open.reverse) it.seekToLast();
    else it.seekToFirst();
    open.started = true;
  }
  for (let i = 0; i < count && it.valid(); i++) {
    open.got.push(pairs([[it.key(), it.value()]])[0]!);
    if (open.reverse) it.prev();
    else it.next();
  }
}

/** Reads what is left of an open iterator (closing it) and checks the whole. */
function finish(open: OpenIterator, where: string): void {
  advance(open, Infinity);
  open.iterator.close();
  expect(open.got, `${where}: an iterator yields exactly the state at its open, whatever happened since`).toEqual(open.expected);
}

/** Checks that nothing leaked and nothing was deleted early: every table on disk is live, pending, or being written. */
function checkFiles(db: LsmTree, fs: MemoryFileSystem, where: string): void {
  const { files } = db.metrics();
  const onDisk = tableFiles(fs).length;
  expect(onDisk, `${where}: a table some live version names is missing from disk`).toBeGreaterThanOrEqual(files.liveTables);
  expect(onDisk, `${where}: tables on disk that no live version names and nothing is writing: obsolete files leaked`).toBeLessThanOrEqual(
    files.liveTables + files.pendingOutputs,
  );
}

describe('snapshots under compaction', () => {
  test('every read at every live snapshot, and every open iterator, matches the model through writes, flushes, compactions of both strategies and releases', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Strategy>('leveled', 'tiered'),
        fc.constantFrom(0, 16),
        fc.array(opArb, { minLength: 30, maxLength: 90, size: 'max' }),
        (initial, compactionPacing, ops) => {
          const fs = new MemoryFileSystem();
          const db = openOn(fs, { memtableSize: 1024, blockSize: 128, compactionPacing, compaction: { strategy: initial } });
          const model = new Map<string, string>();
          let held: Held[] = [];
          let iterators: OpenIterator[] = [];
          let version = 0;
          try {
            ops.forEach((op, step) => {
              const where = `step ${step} (${JSON.stringify(op)})`;
              const pick = <T>(list: T[], which: number | null): T | undefined => (which === null || list.length === 0 ? undefined : list[which % list.length]);
              switch (op.type) {
                case 'put': {
                  const value = valueFor(op.key, ++version, op.size);
                  db.put(op.key, value);
                  model.set(op.key, value);
                  break;
                }
                case 'delete':
                  db.delete(op.key);
                  model.delete(op.key);
                  break;
                case 'flush':
                  db.flush();
                  break;
                case 'compact':
                  db.compact();
                  break;
                case 'step':
                  db.compactionStep(op.budget);
                  break;
                case 'strategy':
                  db.setCompaction({ strategy: op.strategy });
                  break;
                case 'take':
                  held.push({ snapshot: db.snapshot(), state: new Map(model) });
                  break;
                case 'release': {
                  const h = pick(held, op.which);
                  if (h === undefined) break;
                  h.snapshot.release();
                  held = held.filter((x) => x !== h);
                  break;
                }
                case 'open': {
                  const h = pick(held, op.which);
                  const state = h?.state ?? model;
                  const expected = sortedEntries(state);
                  if (op.reverse) expected.reverse();
                  const iterator = db.iterator({ reverse: op.reverse, ...(h === undefined ? {} : { snapshot: h.snapshot }) });
                  iterators.push({ iterator, expected, reverse: op.reverse, got: [], started: false });
                  break;
                }
                case 'advance': {
                  const open = pick(iterators, op.which);
                  if (open === undefined) break;
                  advance(open, op.count);
                  expect(open.got, `${where}: a partly read iterator`).toEqual(open.expected.slice(0, open.got.length));
                  if (open.got.length === open.expected.length) {
                    finish(open, where);
                    iterators = iterators.filter((x) => x !== open);
                  }
                  break;
                }
                case 'read': {
                  const h = pick(held, op.which);
                  const state = h?.state ?? model;
                  const options = h === undefined ? {} : { snapshot: h.snapshot };
                  const at = h === undefined ? 'latest' : `a snapshot at sequence ${h.snapshot.sequence}`;
                  if (op.how === 'get') {
                    expect(text(db.get(op.key, options)), `${where}: get(${op.key}) at ${at}`).toBe(state.get(op.key));
                  } else if (op.how === 'range') {
                    const [start, end] = op.key <= op.end ? [op.key, op.end] : [op.end, op.key];
                    const want = sortedEntries(state).filter(([k]) => k >= start && k < end);
                    expect(pairs(db.range(start, end, options)), `${where}: range(${start}, ${end}) at ${at}`).toEqual(want);
                  } else {
                    const want = sortedEntries(state);
                    if (op.how === 'reverse') want.reverse();
                    expect(pairs(db.iterator({ ...options, reverse: op.how === 'reverse' })), `${where}: a whole ${op.how} scan at ${at}`).toEqual(want);
                  }
                  break;
                }
              }
              checkFiles(db, fs, where);
            });
            for (const open of iterators) finish(open, 'at the end');
            iterators = [];
            for (const h of held) {
              expect(pairs(db.iterator({ snapshot: h.snapshot })), `at the end: a scan at the snapshot at ${h.snapshot.sequence}`).toEqual(sortedEntries(h.state));
              h.snapshot.release();
            }
            held = [];
            db.compact();
            expect(pairs(db.iterator()), 'at the end: the latest state').toEqual(sortedEntries(model));
            const { files, levels } = db.metrics();
            expect(files.zombieTables, 'every iterator is closed: no zombie table is left').toBe(0);
            expect(tableFiles(fs).length, 'at the end: exactly the tables of the current version are on disk').toBe(
              levels.reduce((n, level) => n + level.files, 0),
            );
          } finally {
            for (const open of iterators) open.iterator.close();
            db.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  for (const strategy of ['leveled', 'tiered'] as const) {
    test(`${strategy}: a held snapshot keeps the versions it sees through compaction; once released, compaction gives their space back`, () => {
      const run = (release: boolean): { held: number; after: number } => {
        const fs = new MemoryFileSystem();
        const db = openOn(fs, { memtableSize: 4096, blockSize: 256, compactionPacing: 0, compaction: { strategy } });
        const keys = Array.from({ length: 80 }, (_, i) => `key${String(i).padStart(3, '0')}`);
        for (const key of keys) db.put(key, valueFor(key, 1, 200));
        const snapshot = db.snapshot();
        for (const key of keys) db.put(key, valueFor(key, 2, 200));
        db.compact();
        const held = tableBytes(fs);
        for (const key of keys) {
          expect(text(db.get(key, { snapshot })), `${key} at the snapshot: compaction must keep the version it sees`).toBe(valueFor(key, 1, 200));
          expect(text(db.get(key))).toBe(valueFor(key, 2, 200));
        }
        if (release) snapshot.release();
        for (const key of keys) db.put(key, valueFor(key, 3, 200));
        db.compact();
        const after = tableBytes(fs);
        if (!release) {
          expect(pairs(db.iterator({ snapshot })).map(([, v]) => v), 'still held: every version 1 is still readable').toEqual(keys.map((k) => valueFor(k, 1, 200)));
        }
        db.close();
        return { held, after };
      };
      const kept = run(false);
      const released = run(true);
      expect(kept.after, 'while the snapshot is held, compaction cannot drop version 1 (nor 2, above the snapshot)').toBeGreaterThan(kept.held);
      expect(released.after, 'after the release only version 3 is needed: the tables shrink to about a third').toBeLessThan(kept.after / 2);
      expect(released.after, 'and to below what the two versions took while held').toBeLessThan(released.held * 0.7);
    });
  }
});
