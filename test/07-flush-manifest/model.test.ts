/**
 * Chapter 7, the engine against a model (tasks 7.3-7.9 together): random
 * puts, deletes, batches, flushes, snapshots and close/reopen cycles, with a
 * tiny memtable and tiny blocks, must read exactly like a Map.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { WriteBatch } from '#wal/write-batch.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import type { Snapshot } from '#engine/snapshot-list.ts';
import { openOn, pairs, text, TINY, utf8 } from './support/engine.ts';

type Op =
  | { readonly type: 'put'; readonly key: string; readonly value: string; readonly sync: boolean }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'batch'; readonly writes: readonly { key: string; value: string | null }[] }
  | { readonly type: 'flush' }
  | { readonly type: 'reopen' }
  | { readonly type: 'snapshot' }
  | { readonly type: 'get'; readonly key: string; readonly fromSnapshot: number | null }
  | { readonly type: 'range'; readonly start: string; readonly end: string; readonly reverse: boolean; readonly limit: number };

const keyArb = fc.constantFrom('a', 'b', 'ba', 'c', 'd', 'dd', 'e', 'f', 'g', 'h', 'hello', 'z', '');
const valueArb = fc.oneof(fc.stringMatching(/^[a-z]{0,8}$/), fc.integer({ min: 50, max: 300 }).map((n) => 'x'.repeat(n)));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ type: fc.constant('put' as const), key: keyArb, value: valueArb, sync: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('delete' as const), key: keyArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('batch' as const),
      writes: fc.array(fc.record({ key: keyArb, value: fc.option(valueArb, { nil: null }) }), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'snapshot' as const }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('get' as const), key: keyArb, fromSnapshot: fc.option(fc.nat(), { nil: null }) }) },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant('range' as const), start: keyArb, end: keyArb, reverse: fc.boolean(), limit: fc.integer({ min: 0, max: 6 }) }),
  },
);

function expectedRange(model: Map<string, string>, start: string, end: string, reverse: boolean, limit: number): [string, string][] {
  const entries = [...model].filter(([k]) => k >= start && k < end).sort(([a], [b]) => (a < b ? -1 : 1));
  if (reverse) entries.reverse();
  return entries.slice(0, limit);
}

describe('the engine behaves like a Map', () => {
  test('random puts, deletes, batches, flushes, snapshots and reopens read back exactly as the model says', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), (ops) => {
        const fs = new MemoryFileSystem();
        let db: LsmTree = openOn(fs, TINY);
        const model = new Map<string, string>();
        let snapshots: { snapshot: Snapshot; model: Map<string, string> }[] = [];
        try {
          ops.forEach((op, step) => {
            const where = `step ${step} (${op.type})`;
            switch (op.type) {
              case 'put':
                db.put(op.key, op.value, { sync: op.sync });
                model.set(op.key, op.value);
                break;
              case 'delete':
                db.delete(op.key);
                model.delete(op.key);
                break;
              case 'batch': {
                const batch = new WriteBatch();
                for (const { key, value } of op.writes) {
                  if (value === null) {
                    batch.delete(utf8(key));
                    model.delete(key);
                  } else {
                    batch.put(utf8(key), utf8(value));
                    model.set(key, value);
                  }
                }
                db.write(batch);
                break;
              }
              case 'flush':
                db.flush();
                break;
              case 'reopen':
                db.close();
                db = openOn(fs, TINY);
                snapshots = []; // Snapshots end with the database that took them.
                break;
              case 'snapshot':
                snapshots.push({ snapshot: db.snapshot(), model: new Map(model) });
                break;
              case 'get': {
                const taken = op.fromSnapshot === null || snapshots.length === 0 ? undefined : snapshots[op.fromSnapshot % snapshots.length]!;
                const got = text(db.get(op.key, taken === undefined ? {} : { snapshot: taken.snapshot }));
                const want = (taken?.model ?? model).get(op.key);
                expect(got, `${where}: get(${JSON.stringify(op.key)})${taken === undefined ? '' : ' at a snapshot'}`).toBe(want);
                break;
              }
              case 'range':
                expect(
                  pairs(db.range(op.start <= op.end ? op.start : op.end, op.start <= op.end ? op.end : op.start, { reverse: op.reverse, limit: op.limit })),
                  `${where}: range`,
                ).toEqual(expectedRange(model, op.start <= op.end ? op.start : op.end, op.start <= op.end ? op.end : op.start, op.reverse, op.limit));
                break;
            }
          });
          expect(pairs(db.iterator()), 'at the end, a full scan').toEqual(expectedRange(model, '', '\u{10ffff}', false, Infinity));
          db.close();
          db = openOn(fs, TINY);
          expect(pairs(db.iterator({ reverse: true })), 'after a last reopen, a full reverse scan').toEqual(
            expectedRange(model, '', '\u{10ffff}', true, Infinity),
          );
        } finally {
          db.close();
        }
      }),
    );
  });
});
