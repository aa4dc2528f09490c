/**
 * Chapter 8 in the engine (every task together): with tiered compaction
 * paced in the write path or driven step by step, the database always
 * reads back what a simple model says, the tree keeps its age order by
 * level, iterators and snapshots survive compactions, deleted space comes
 * back, strategies switch at runtime, and the metrics add up.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import type { Snapshot } from '#engine/snapshot-list.ts';
import { ageOrderProblem, contents, durableVersion, openOn, sorted, tableFiles, valueFor } from './support/engine.ts';

type Op =
  | { readonly op: 'put'; readonly key: number; readonly size: number }
  | { readonly op: 'delete'; readonly key: number }
  | { readonly op: 'flush' }
  | { readonly op: 'step'; readonly budget: number }
  | { readonly op: 'compact'; readonly level: number | undefined }
  | { readonly op: 'snapshot' }
  | { readonly op: 'release' }
  | { readonly op: 'iterator' }
  | { readonly op: 'reopen' };

const keyName = (k: number): string => `key${String(k).padStart(3, '0')}`;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ op: fc.constant('put' as const), key: fc.nat({ max: 40 }), size: fc.integer({ min: 10, max: 120 }) }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('delete' as const), key: fc.nat({ max: 40 }) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'flush' as const }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('step' as const), budget: fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.constant(Infinity)) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const), level: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'snapshot' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'release' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'iterator' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reopen' as const }) },
);

describe('tiered compaction in the engine', () => {
  test('after any sequence of puts, deletes, flushes, compaction steps, compact(), snapshots, iterators and reopens, reads match the model and the runs keep their age order', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.constantFrom(0, 1, 16),
        fc.constantFrom(64, 1024, 262_144),
        (ops, compactionPacing, maxSliceBytes) => {
          const fs = new MemoryFileSystem();
          const options = { compactionPacing, maxSliceBytes };
          let db: LsmTree = openOn(fs, options);
          const model = new Map<string, string>();
          const snapshots: { snapshot: Snapshot; expected: [string, string][] }[] = [];
          let iterator: { it: ReturnType<LsmTree['iterator']>; expected: [string, string][] } | undefined;
          const checkIterator = (): void => {
            if (iterator === undefined) return;
            const got: [string, string][] = [];
            for (const [k, v] of iterator.it) got.push([new TextDecoder().decode(k), new TextDecoder().decode(v)]);
            expect(got, 'an iterator reads the database as it was when it was opened, compactions or not').toEqual(iterator.expected);
            iterator = undefined;
          };
          ops.forEach((op, n) => {
            switch (op.op) {
              case 'put': {
                const value = valueFor(keyName(op.key), n, op.size);
                db.put(keyName(op.key), value);
                model.set(keyName(op.key), value);
                break;
              }
              case 'delete':
                db.delete(keyName(op.key));
                model.delete(keyName(op.key));
                break;
              case 'flush':
                db.flush();
                break;
              case 'step':
                db.compactionStep(op.budget);
                break;
              case 'compact':
                db.compact(op.level);
                break;
              case 'snapshot':
                snapshots.push({ snapshot: db.snapshot(), expected: sorted(model) });
                break;
              case 'release': {
                const oldest = snapshots.shift();
                if (oldest !== undefined) {
                  expect(contents(db, oldest.snapshot), 'a snapshot still reads what it saw: compaction must keep the versions it needs').toEqual(oldest.expected);
                  oldest.snapshot.release();
                }
                break;
              }
              case 'iterator':
                checkIterator();
                iterator = { it: db.iterator(), expected: sorted(model) };
                break;
              case 'reopen':
                checkIterator();
                for (const { snapshot, expected } of snapshots.splice(0)) {
                  expect(contents(db, snapshot)).toEqual(expected);
                }
                db.close();
                db = openOn(fs, options);
                break;
            }
            expect(contents(db), `after op ${n} (${JSON.stringify(op)})`).toEqual(sorted(model));
            const problem = ageOrderProblem(durableVersion(fs));
            expect(problem, `after op ${n} (${JSON.stringify(op)}): a higher level must hold older writes`).toBeUndefined();
          });
          checkIterator();
          for (const { snapshot, expected } of snapshots) expect(contents(db, snapshot)).toEqual(expected);
          for (let k = 0; k <= 40; k++) expect(db.get(keyName(k)) !== undefined, keyName(k)).toBe(model.has(keyName(k)));
          db.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  test('compactionStep drives compaction by hand: progressed slices, then finished with its plan, then idle; tables pile up without it when pacing is 0', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, { compactionPacing: 0 });
    for (let i = 0; i < 300; i++) db.put(`k${i % 97}`, valueFor(`k${i % 97}`, i));
    const before = db.metrics();
    expect(before.levels[0]!.files, 'with compactionPacing 0 writes do no compaction: tables pile up in level 0').toBeGreaterThan(8);
    expect(before.compaction.compactions).toBe(0);
    const states: string[] = [];
    let finished: ReturnType<LsmTree['compactionStep']> | undefined;
    for (let i = 0; i < 10_000; i++) {
      const result = db.compactionStep(256);
      states.push(result.state);
      if (result.state === 'progressed') {
        expect(result.bytes, 'a slice stays within its budget (or one entry)').toBeLessThanOrEqual(256);
        expect(db.metrics().compaction.running?.reason).toBe(result.plan.reason);
      }
      if (result.state === 'finished') {
        finished = result;
        break;
      }
    }
    expect(states.slice(0, -1).every((s) => s === 'progressed'), 'a job takes many small slices').toBe(true);
    expect(states.length).toBeGreaterThan(5);
    expect(finished?.state).toBe('finished');
    if (finished?.state === 'finished') {
      expect(finished.plan.reason, 'a pile of level-0 tables holds many times the bytes of the oldest: space amplification fires first').toBe('space-amplification');
      expect(finished.outputs.length).toBeGreaterThan(0);
    }
    expect(db.metrics().compaction.compactions).toBe(1);
    let guard = 0;
    while (db.compactionStep(Infinity).state !== 'idle') expect(++guard).toBeLessThan(100);
    expect(db.compactionStep(1).state, 'nothing is due any more').toBe('idle');
    expect(db.metrics().levels[0]!.files).toBeLessThanOrEqual(4);
    expect(() => db.compactionStep(0)).toThrow(InvalidArgumentError);
    expect(() => db.compactionStep(1.5)).toThrow(InvalidArgumentError);
    db.close();
  });

  test('an iterator opened before a compaction reads its view to the end; the tables it reads are deleted only after it is closed and the next compaction runs', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, { compactionPacing: 0 });
    const model = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const key = `k${String(i % 60).padStart(2, '0')}`;
      db.put(key, valueFor(key, i));
      model.set(key, valueFor(key, i));
    }
    db.flush();
    const expected = sorted(model);
    const it = db.iterator();
    it.seekToFirst();
    const got: [string, string][] = [];
    for (let i = 0; i < 10 && it.valid(); i++, it.next()) got.push([new TextDecoder().decode(it.key()), new TextDecoder().decode(it.value())]);
    const pinnedTables = tableFiles(fs);
    for (let i = 0; i < 60; i++) db.delete(`k${String(i).padStart(2, '0')}`);
    db.compact();
    expect(db.metrics().levels.reduce((n, l) => n + l.files, 0), 'every key is deleted: compact() leaves no table').toBe(0);
    expect(tableFiles(fs), 'the iterator still reads the old tables: they stay on disk').toEqual(expect.arrayContaining(pinnedTables));
    for (; it.valid(); it.next()) got.push([new TextDecoder().decode(it.key()), new TextDecoder().decode(it.value())]);
    expect(got, 'the iterator sees the database as it was when it was opened').toEqual(expected);
    it.close();
    db.put('x', 'y');
    db.flush();
    db.put('x', 'z');
    db.compact();
    expect(tableFiles(fs).filter((n) => pinnedTables.includes(n)), 'once the iterator is closed, the next compaction deletes them').toEqual([]);
    db.close();
  });

  test('space comes back: after every key is deleted, compact() leaves no table; a live snapshot keeps what it sees until released', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs);
    for (let i = 0; i < 400; i++) db.put(`k${i % 150}`, valueFor(`k${i % 150}`, i, 80));
    db.compact();
    const full = db.metrics().levels.reduce((n, l) => n + l.bytes, 0);
    expect(full).toBeGreaterThan(10_000);
    const snapshot = db.snapshot();
    const seen = contents(db, snapshot);
    for (let i = 0; i < 150; i++) db.delete(`k${i}`);
    db.compact();
    const pinned = db.metrics().levels.reduce((n, l) => n + l.bytes, 0);
    expect(pinned, 'the snapshot still reads every value: compaction must keep them').toBeGreaterThanOrEqual(full);
    expect(contents(db, snapshot)).toEqual(seen);
    expect(contents(db)).toEqual([]);
    snapshot.release();
    db.compact();
    const m = db.metrics({ exact: true });
    expect(m.levels.reduce((n, l) => n + l.bytes, 0), 'no reader needs the deleted data: a bottommost compaction drops it, tombstones too').toBe(0);
    expect(m.compaction.tombstonesDropped).toBeGreaterThanOrEqual(150);
    expect(tableFiles(fs)).toEqual([]);
    db.close();
  });

  test('switching strategy mid-stream, both ways and several times, loses nothing; a switch abandons the running compaction and deletes its outputs', () => {
    const fs = new MemoryFileSystem();
    let db = openOn(fs, { compactionPacing: 4, maxSliceBytes: 512 });
    const model = new Map<string, string>();
    const strategies = [
      { strategy: 'leveled' },
      { strategy: 'tiered', maxRuns: 3 },
      { strategy: 'none' },
      { strategy: 'leveled', l0CompactionTrigger: 2 },
      { strategy: 'tiered' },
    ] as const;
    let abandonedWithOutputs = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 150; i++) {
        const key = `k${(i * 31 + round * 7) % 120}`;
        if ((i + round) % 9 === 0) {
          db.delete(key);
          model.delete(key);
        } else {
          db.put(key, valueFor(key, round * 1000 + i));
          model.set(key, valueFor(key, round * 1000 + i));
        }
      }
      // Leave a compaction half done, with an output table being written, then switch.
      db.setCompaction({ strategy: 'tiered', maxRuns: 2 });
      let result = db.compactionStep(300);
      for (let i = 0; i < 3 && result.state === 'progressed'; i++) result = db.compactionStep(300);
      const tablesDuring = tableFiles(fs);
      const inVersion = new Set(durableVersion(fs).fileNumbers());
      if (result.state === 'progressed' && tablesDuring.some((n) => !inVersion.has(n))) abandonedWithOutputs++;
      db.setCompaction(strategies[round % strategies.length]!);
      expect(tableFiles(fs), `round ${round}: the abandoned compaction's outputs are deleted`).toEqual([...inVersion].sort((a, b) => a - b));
      expect(db.metrics().compaction.strategy).toBe(strategies[round % strategies.length]!.strategy);
      expect(contents(db), `round ${round}, after switching to ${JSON.stringify(strategies[round % strategies.length])}`).toEqual(sorted(model));
      if (round === 5) {
        db.close();
        db = openOn(fs, { compactionPacing: 4, maxSliceBytes: 512, compaction: { strategy: 'leveled' } });
      }
    }
    expect(abandonedWithOutputs, 'the test should catch compactions with outputs in progress').toBeGreaterThan(3);
    db.compact();
    expect(contents(db)).toEqual(sorted(model));
    expect(() => db.setCompaction({ strategy: 'fastest' } as never), 'an unknown strategy is refused').toThrow(InvalidArgumentError);
    expect(() => db.setCompaction({ strategy: 'tiered', maxRuns: 0 }), 'a bad option is refused').toThrow(InvalidArgumentError);
    expect(db.metrics().compaction.strategy, 'a refused switch changes nothing').toBe('tiered');
    db.close();
  });

  test('compact(level) merges that level and the newer runs only; a bad level is refused', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, { compactionPacing: 0 });
    for (let i = 0; i < 400; i++) db.put(`a${i}`, valueFor(`a${i}`, i));
    db.compact();
    const bottom = durableVersion(fs).files(6).map((f) => f.number);
    expect(bottom.length, 'compact() puts everything in the bottom level').toBeGreaterThan(0);
    for (let i = 0; i < 40; i++) db.put(`b${i}`, valueFor(`b${i}`, i));
    db.compact(0); // Then only what is due: level 5 is small next to level 6, so nothing more.
    const version = durableVersion(fs);
    expect(version.files(0), 'compact(0) merges the level-0 tables').toEqual([]);
    expect(version.files(6).map((f) => f.number), 'and leaves the older run below alone').toEqual(bottom);
    expect(version.files(5).length, 'the merged level-0 data goes just above it').toBeGreaterThan(0);
    expect(() => db.compact(7)).toThrow(InvalidArgumentError);
    expect(() => db.compact(-1)).toThrow(InvalidArgumentError);
    db.close();
  });

  test('metrics add up: write amplification above 1, per-level bytes sum to the tables on disk, compactions counted by reason, bytes read and written per level', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs);
    for (let i = 0; i < 2000; i++) db.put(`key${(i * 7919) % 500}`, valueFor(`key${i}`, i, 60));
    const m = db.metrics({ exact: true });
    const c = m.compaction;
    expect(c.strategy).toBe('tiered');
    expect(c.compactions).toBeGreaterThan(3);
    expect(Object.values(c.byReason).reduce((a, b) => a + b, 0), 'every compaction has one reason').toBe(c.compactions);
    expect(c.byReason['size-ratio'] + c.byReason['space-amplification'] + c.byReason['run-count']).toBe(c.compactions);
    expect(m.levels.reduce((n, l) => n + l.compactionBytesWritten, 0)).toBe(c.bytesWritten);
    expect(m.levels.reduce((n, l) => n + l.compactionBytesRead, 0)).toBe(c.bytesRead);
    expect(m.writes.compactionBytes).toBe(c.bytesWritten);
    expect(c.workBytes).toBeGreaterThan(0);
    expect(m.writes.writeAmplification, 'WAL + flush already make 2; compaction adds more').toBeGreaterThan(2);
    expect(m.amplification.write).toBe(m.writes.writeAmplification);
    const onDisk = tableFiles(fs).reduce((n, t) => n + fs.fileSize(`/db/${String(t).padStart(6, '0')}.sst`), 0);
    const inVersion = new Set(durableVersion(fs).fileNumbers());
    const runningOutputs = tableFiles(fs)
      .filter((t) => !inVersion.has(t))
      .reduce((n, t) => n + fs.fileSize(`/db/${String(t).padStart(6, '0')}.sst`), 0);
    expect(m.levels.reduce((n, l) => n + l.bytes, 0), 'per-level bytes sum to the tables on disk (but a running compaction\'s outputs)').toBe(onDisk - runningOutputs);
    expect(m.amplification.spaceExact).toBe(true);
    expect(m.amplification.space, 'overwritten versions not yet merged away cost space').toBeGreaterThan(1);
    db.compact();
    const after = db.metrics({ exact: true });
    expect(after.amplification.space, 'after a full compaction, only table overhead is left').toBeLessThan(m.amplification.space);
    expect(after.compaction.byReason.manual).toBeGreaterThan(0);
    expect(after.compaction.pendingBytes, 'nothing is owed after compact()').toBe(0);
    expect(after.compaction.running).toBeUndefined();
    db.close();
  });
});
