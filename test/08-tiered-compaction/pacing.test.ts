/**
 * Chapter 8, pacing and backpressure (every task together): compaction
 * runs in the write path in slices measured in bytes, so no single write
 * does more than maxSliceBytes of it unless level 0 is at its stop
 * trigger; a sustained fill keeps level 0 below that trigger; and when
 * compaction falls behind, writes first slow down (more work each), then
 * stall until the tree is back under the limit. Everything is counted in
 * bytes, not time, so these tests are deterministic.
 */

import { describe, expect, test } from 'vitest';
import { SeededRandom } from '#toolkit/random.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import { contents, openOn, sorted } from './support/engine.ts';

/** A 16-byte key, as in the db_bench workloads. */
function key(n: number): string {
  return `k${String(n).padStart(15, '0')}`;
}

/** A 100-byte value. */
function value(n: number, version: number): string {
  return `v${n}:${version}:`.padEnd(100, 'x');
}

/** Puts `count` random keys (out of `keySpace`), calling `after` after each put with the work and stalls it caused. */
function fill(db: LsmTree, count: number, keySpace: number, model: Map<string, string>, after: (work: number, stalled: boolean, i: number) => void): void {
  const random = new SeededRandom(42);
  let m = db.metrics().compaction;
  for (let i = 0; i < count; i++) {
    const n = random.below(keySpace);
    db.put(key(n), value(n, i));
    model.set(key(n), value(n, i));
    const next = db.metrics().compaction;
    after(next.workBytes - m.workBytes, next.stalls > m.stalls, i);
    m = next;
  }
}

describe('pacing and backpressure', () => {
  test('no put does more than maxSliceBytes of compaction work, counted in bytes, unless it stalls at the stop trigger', () => {
    const maxSliceBytes = 4096;
    const db = openOn(new MemoryFileSystem(), { memtableSize: 8192, compactionPacing: 16, maxSliceBytes });
    const model = new Map<string, string>();
    let most = 0;
    let total = 0;
    let working = 0;
    fill(db, 4000, 3000, model, (work, stalled, i) => {
      total += work;
      if (work > 0) working++;
      if (stalled) return;
      most = Math.max(most, work);
      expect(work, `put ${i} did ${work} bytes of compaction work: a slice may not pass maxSliceBytes`).toBeLessThanOrEqual(maxSliceBytes);
    });
    expect(db.metrics().compaction.stalls, 'with pacing 16 compaction keeps up: no stall').toBe(0);
    expect(total, 'compaction ran in the write path').toBeGreaterThan(0);
    expect(working, 'spread over many puts, a little each').toBeGreaterThan(1000);
    expect(most).toBeGreaterThan(0);
    expect(contents(db)).toEqual(sorted(model));
    db.close();
  });

  test('a sustained random fill of 20,000 puts with a tiny memtable keeps level 0 under the stop trigger, never stalls, and reads back exactly', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, { memtableSize: 8192, compaction: { strategy: 'tiered', targetFileSize: 64 * 1024 } });
    const model = new Map<string, string>();
    let level0 = 0;
    fill(db, 20_000, 10_000, model, () => {
      level0 = Math.max(level0, db.metrics().levels[0]!.files);
    });
    const m = db.metrics();
    expect(m.writes.flushes, 'hundreds of flushes').toBeGreaterThan(300);
    expect(m.compaction.slowdownWrites, 'the gear lets level 0 reach the slowdown trigger only rarely').toBeLessThan(200);
    expect(level0, 'level 0 never reached the stop trigger (12)').toBeLessThan(12);
    expect(m.compaction.stalls, 'the paced work kept up: no write had to stall').toBe(0);
    expect(m.compaction.compactions).toBeGreaterThan(20);
    expect(contents(db)).toEqual(sorted(model));
    const random = new SeededRandom(7);
    for (let i = 0; i < 500; i++) {
      const n = random.below(10_000);
      const got = db.get(key(n));
      expect(got === undefined ? undefined : new TextDecoder().decode(got)).toBe(model.get(key(n)));
    }
    db.close();
  });

  test('when compaction falls behind, writes slow down (more work each), then stall at the stop trigger until level 0 is back under it', () => {
    const db = openOn(new MemoryFileSystem(), {
      memtableSize: 2048,
      compactionPacing: 1,
      maxSliceBytes: 1024,
      l0SlowdownTrigger: 3,
      l0StopTrigger: 5,
      compaction: { strategy: 'tiered', maxRuns: 8 },
    });
    const model = new Map<string, string>();
    let bigStall = false;
    fill(db, 3000, 2000, model, (work, stalled, i) => {
      expect(db.metrics().levels[0]!.files, `after put ${i}: a write at the stop trigger must not return until level 0 is under it`).toBeLessThan(5);
      if (stalled && work > 1024) bigStall = true;
    });
    const m = db.metrics().compaction;
    expect(m.slowdownWrites, 'level 0 passed the slowdown trigger: those writes did 4 times the work').toBeGreaterThan(0);
    expect(m.stalls, 'pacing 1 is too slow to keep up: some writes stalled').toBeGreaterThan(0);
    expect(bigStall, 'a stalled write runs as much compaction as it takes, past maxSliceBytes').toBe(true);
    expect(m.stallTimeMs).toBeGreaterThanOrEqual(0);
    expect(contents(db)).toEqual(sorted(model));
    db.close();
  });

  test('with compactionPacing 0 writes do no compaction and never stall (tables pile up); compact() then brings the tree into shape', () => {
    const db = openOn(new MemoryFileSystem(), { memtableSize: 2048, compactionPacing: 0, l0StopTrigger: 4 });
    const model = new Map<string, string>();
    fill(db, 2000, 1000, model, (work, stalled) => {
      expect(work).toBe(0);
      expect(stalled).toBe(false);
    });
    expect(db.metrics().levels[0]!.files, 'past the stop trigger, but pacing 0 means: no automatic compaction').toBeGreaterThan(20);
    db.compact();
    const m = db.metrics();
    expect(m.levels[0]!.files).toBe(0);
    expect(m.levels.filter((l) => l.files > 0).length, 'compact() merges every run into one').toBe(1);
    expect(contents(db)).toEqual(sorted(model));
    db.close();
  });
});
