/**
 * Chapter 9, switching strategies at runtime (the leveled picker, tasks 9.1
 * to 9.5, reading whatever shape tiered compaction left, and the reverse):
 * back and forth, several times, in the middle of compactions and across
 * reopens, nothing is lost, and leveled brings the tree back into shape.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { SeededRandom } from '#toolkit/random.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import { contents, durableVersion, LEVELED, openOn, outOfShape, overlapIn, sorted, valueFor } from './support/engine.ts';

const TIERED = { strategy: 'tiered' } as const;

describe('switching between leveled and tiered', () => {
  test('switching back and forth mid-stream, mid-compaction and across reopens loses nothing, and leveled ends in shape', () => {
    const fs = new MemoryFileSystem();
    let db: LsmTree = openOn(fs);
    const model = new Map<string, string>();
    const random = new SeededRandom(21);
    let abandonedMidJob = 0;
    const strategies = [LEVELED, TIERED, LEVELED, TIERED, LEVELED, LEVELED, TIERED, LEVELED];
    strategies.forEach((strategy, phase) => {
      for (let i = 0; i < 150; i++) {
        const key = `key${String(random.below(200)).padStart(3, '0')}`;
        if (random.below(6) === 0) {
          db.delete(key);
          model.delete(key);
        } else {
          const value = valueFor(key, phase * 1000 + i, 20 + random.below(40));
          db.put(key, value);
          model.set(key, value);
        }
        if (i % 8 === 0) db.compactionStep(300);
        if (i % 40 === 0) expect(overlapIn(durableVersion(fs)), `phase ${phase} (${strategy.strategy}), write ${i}`).toBeUndefined();
      }
      // Leave a compaction half done, then switch: the job is abandoned and its outputs deleted.
      for (let s = 0; s < 50; s++) {
        const result = db.compactionStep(200);
        if (result.state === 'progressed') {
          abandonedMidJob++;
          break;
        }
        if (result.state === 'idle') break;
      }
      const next = strategies[phase + 1];
      if (next === undefined) return;
      if (phase === 3) {
        // Switch by reopening with the other strategy.
        db.close();
        db = openOn(fs, { compaction: next });
      } else {
        db.setCompaction(next);
      }
      expect(contents(db), `after switching from ${strategy.strategy} to ${next.strategy} (phase ${phase})`).toEqual(sorted(model));
    });
    expect(abandonedMidJob, 'some switches must happen in the middle of a compaction').toBeGreaterThan(2);
    // Whatever tiered left, leveled brings the tree within its targets.
    while (db.compactionStep(Infinity).state !== 'idle') {
      expect(overlapIn(durableVersion(fs))).toBeUndefined();
    }
    const version = durableVersion(fs);
    expect(outOfShape(version), `leveled must reshape what tiered left:\n${version.toString()}`).toBeUndefined();
    expect(contents(db)).toEqual(sorted(model));
    db.close();
    db = openOn(fs);
    expect(contents(db), 'after a final reopen').toEqual(sorted(model));
    db.close();
  });

  test('tiered takes over a tree leveled made, and leveled takes back the tree tiered made, each compacting until idle', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, { compactionPacing: 8 });
    const model = new Map<string, string>();
    const random = new SeededRandom(33);
    const fill = (n: number, tag: number): void => {
      for (let i = 0; i < n; i++) {
        const key = `key${String(random.below(400)).padStart(3, '0')}`;
        const value = valueFor(key, tag * 10_000 + i, 30);
        db.put(key, value);
        model.set(key, value);
      }
    };
    const idle = (): void => {
      while (db.compactionStep(Infinity).state !== 'idle') expect(overlapIn(durableVersion(fs))).toBeUndefined();
    };
    fill(800, 1);
    idle();
    const leveledShape = durableVersion(fs);
    expect(outOfShape(leveledShape)).toBeUndefined();
    db.setCompaction(TIERED);
    fill(600, 2);
    idle();
    expect(db.metrics().compaction.strategy).toBe('tiered');
    expect(contents(db), 'tiered over a leveled tree').toEqual(sorted(model));
    db.setCompaction(LEVELED);
    idle();
    const version = durableVersion(fs);
    expect(outOfShape(version), `leveled over a tiered tree:\n${version.toString()}`).toBeUndefined();
    expect(contents(db), 'leveled over a tiered tree').toEqual(sorted(model));
    db.close();
  });
});
