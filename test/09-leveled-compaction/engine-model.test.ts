/**
 * Chapter 9, the engine with leveled compaction (every task together,
 * carried out by chapter 8's compaction job): whatever mix of puts,
 * deletes, flushes, compaction slices, manual compactions and reopens,
 * the database holds exactly what a Map would, and every level >= 1 stays
 * one sorted run after every step.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import { contents, durableVersion, fromUtf8, openOn, outOfShape, overlapIn, sorted, valueFor } from './support/engine.ts';

type Command =
  | { readonly op: 'put'; readonly key: number; readonly length: number }
  | { readonly op: 'delete'; readonly key: number }
  | { readonly op: 'fill'; readonly start: number }
  | { readonly op: 'flush' }
  | { readonly op: 'step'; readonly budget: number }
  | { readonly op: 'compact'; readonly level: number | undefined }
  | { readonly op: 'reopen' };

const KEYS = 300;
const keyArb = fc.nat({ max: KEYS - 1 });
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ op: fc.constant('put' as const), key: keyArb, length: fc.integer({ min: 8, max: 80 }) }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('fill' as const), start: keyArb }) },
  { weight: 2, arbitrary: fc.constant({ op: 'flush' as const }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('step' as const), budget: fc.constantFrom(64, 512, 4096, Infinity) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const), level: fc.option(fc.nat({ max: 6 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reopen' as const }) },
);

/** Ratio 2 and the smallest base level: a few kilobytes make a tree three or four levels deep. */
const DEEP = { strategy: 'leveled', l0CompactionTrigger: 2, levelSizeRatio: 2, baseLevelSize: 1024, targetFileSize: 1024 } as const;

const keyName = (n: number): string => `key${String(n).padStart(3, '0')}`;

describe('the engine with leveled compaction, against a model', () => {
  test('any sequence of writes, flushes, compaction slices, compact() and reopens reads like a Map, and levels >= 1 never overlap', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { minLength: 10, maxLength: 80, size: 'max' }), fc.boolean(), (commands, paced) => {
        const fs = new MemoryFileSystem();
        const options = { compaction: DEEP, compactionPacing: paced ? 16 : 0 };
        let db: LsmTree = openOn(fs, options);
        const model = new Map<string, string>();
        try {
          commands.forEach((command, i) => {
            switch (command.op) {
              case 'put': {
                const key = keyName(command.key);
                const value = valueFor(key, i, command.length);
                db.put(key, value);
                model.set(key, value);
                break;
              }
              case 'fill':
                // 40 puts spread over the key space: the tree grows several levels deep.
                for (let j = 0; j < 40; j++) {
                  const key = keyName((command.start + j * 37) % KEYS);
                  const value = valueFor(key, i * 100 + j);
                  db.put(key, value);
                  model.set(key, value);
                }
                break;
              case 'delete':
                db.delete(keyName(command.key));
                model.delete(keyName(command.key));
                break;
              case 'flush':
                db.flush();
                break;
              case 'step':
                db.compactionStep(command.budget);
                break;
              case 'compact':
                db.compact(command.level);
                break;
              case 'reopen':
                db.close();
                db = openOn(fs, options);
                break;
            }
            if (command.op === 'put' || command.op === 'delete') return;
            const context = `after command ${i} (${JSON.stringify(command)})`;
            expect(overlapIn(durableVersion(fs)), `${context}: levels >= 1 must each be one sorted run`).toBeUndefined();
            expect(contents(db), `${context}: the database must read like the model`).toEqual(sorted(model));
          });
          for (let k = 0; k < KEYS; k++) {
            const got = db.get(keyName(k));
            expect(got === undefined ? undefined : fromUtf8(got), `get(${keyName(k)}) at the end`).toBe(model.get(keyName(k)));
          }
          db.compact();
          expect(contents(db), 'after a final compact()').toEqual(sorted(model));
          expect(outOfShape(durableVersion(fs), DEEP), 'after compact() the tree is within its targets').toBeUndefined();
        } finally {
          db.close();
        }
      }),
      { numRuns: 20 },
    );
  });
});
