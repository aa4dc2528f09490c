/**
 * Chapter 9, what leveled compaction costs, as `db.metrics()` reports it
 * (the picker's plans, tasks 9.2 to 9.5, and the formulas of task 9.6):
 * per-level bytes that add up to the tables on disk, compactions counted by
 * reason, trivial moves for sequential keys, write amplification above 2
 * for random keys, and debt that is paid off.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { joinPath } from '#toolkit/path.ts';
import { FileKind, parseFileName } from '#engine/file-names.ts';
import type { LsmTree } from '#engine/lsm-tree.ts';
import { estimatedSpaceAmplification, writeAmplification } from '#leveled/amplification.ts';
import { DIR, durableVersion, openOn, valueFor } from './support/engine.ts';

/** Bytes of every table file in the database directory. */
function tableBytesOnDisk(fs: MemoryFileSystem): number {
  let bytes = 0;
  for (const name of fs.list(DIR)) {
    if (parseFileName(name)?.kind === FileKind.Table) bytes += fs.fileSize(joinPath(DIR, name));
  }
  return bytes;
}

function idle(db: LsmTree): void {
  while (db.compactionStep(Infinity).state !== 'idle');
}

describe('leveled compaction metrics', () => {
  test('a random fill: level bytes add up to the tables on disk, compactions are counted by reason, write amplification is above 2', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, { compactionPacing: 8 });
    const random = new SeededRandom(17);
    for (let i = 0; i < 1500; i++) {
      const key = `key${String(random.below(500)).padStart(3, '0')}`;
      db.put(key, valueFor(key, i, 40));
    }
    idle(db);
    const m = db.metrics();
    const version = durableVersion(fs);
    expect(m.compaction.strategy).toBe('leveled');
    m.levels.forEach(({ level, files, bytes }) => {
      expect(files, `L${level} tables`).toBe(version.files(level).length);
      expect(bytes, `L${level} bytes`).toBe(version.levelBytes(level));
    });
    const total = m.levels.reduce((sum, level) => sum + level.bytes, 0);
    expect(total, 'the levels together hold every table file on disk, and nothing else').toBe(tableBytesOnDisk(fs));
    const { byReason } = m.compaction;
    expect(byReason['level0-files'], 'level 0 reached its trigger: level0-files compactions').toBeGreaterThan(0);
    expect(byReason['level-size'], 'levels grew past their targets: level-size compactions').toBeGreaterThan(0);
    expect(byReason['size-ratio'] + byReason['run-count'] + byReason['space-amplification'], 'leveled never gives a tiered reason').toBe(0);
    expect(m.compaction.compactions).toBe(Object.values(byReason).reduce((a, b) => a + b, 0));
    const written = m.levels.reduce((sum, level) => sum + level.compactionBytesWritten, 0);
    expect(written, 'per-level bytes written add up to the compaction total').toBe(m.compaction.bytesWritten);
    expect(m.writes.writeAmplification, 'WAL + flush alone make about 2; rewriting through the levels adds more').toBeGreaterThan(2);
    expect(m.writes.writeAmplification).toBeCloseTo(writeAmplification(m.writes), 10);
    expect(m.compaction.pendingBytes, 'idle: no compaction debt left').toBe(0);
    const levelBytes = m.levels.map((level) => level.bytes);
    expect(m.amplification.space, 'estimated space amplification: all levels over the deepest').toBeCloseTo(estimatedSpaceAmplification(levelBytes), 10);
    expect(m.amplification.space, 'a leveled tree in shape wastes little').toBeLessThan(2);
    db.close();
  });

  test('debt builds up while compaction waits, and is paid off by compacting', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs);
    const random = new SeededRandom(4);
    for (let i = 0; i < 600; i++) {
      const key = `key${String(random.below(300)).padStart(3, '0')}`;
      db.put(key, valueFor(key, i, 40));
    }
    const owed = db.metrics().compaction.pendingBytes;
    const level0 = db.metrics().levels[0]!.bytes;
    expect(owed, 'with pacing 0, level 0 piles up: the debt is at least its bytes').toBeGreaterThanOrEqual(level0);
    idle(db);
    expect(db.metrics().compaction.pendingBytes, 'all paid').toBe(0);
    db.close();
  });

  test('sequential keys move down by trivial moves, and cost far less than random keys', () => {
    const run = (sequential: boolean): { trivialMoves: number; writeAmplification: number; compactions: number } => {
      const fs = new MemoryFileSystem();
      const db = openOn(fs, { compactionPacing: 8 });
      const random = new SeededRandom(8);
      for (let i = 0; i < 1200; i++) {
        const n = sequential ? i : random.below(1_000_000);
        const key = `key${String(n).padStart(7, '0')}`;
        db.put(key, valueFor(key, i, 40));
      }
      idle(db);
      const m = db.metrics();
      db.close();
      return { trivialMoves: m.compaction.trivialMoves, writeAmplification: m.writes.writeAmplification, compactions: m.compaction.compactions };
    };
    const sequential = run(true);
    const random = run(false);
    expect(sequential.trivialMoves, 'sequential tables overlap nothing: they move down without a rewrite').toBeGreaterThan(10);
    expect(sequential.trivialMoves / sequential.compactions, 'most compactions of a sequential fill are trivial moves').toBeGreaterThan(0.8);
    expect(sequential.writeAmplification, `sequential ${sequential.writeAmplification.toFixed(2)} vs random ${random.writeAmplification.toFixed(2)}`).toBeLessThan(
      random.writeAmplification / 2,
    );
  });

  test('after compaction a get probes at most one table per level', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, { compactionPacing: 8 });
    const random = new SeededRandom(12);
    for (let i = 0; i < 1000; i++) {
      const key = `key${String(random.below(400)).padStart(3, '0')}`;
      db.put(key, valueFor(key, i, 40));
    }
    idle(db);
    const before = db.metrics().reads;
    for (let i = 0; i < 400; i++) db.get(`key${String(i).padStart(3, '0')}`);
    const after = db.metrics();
    const nonEmpty = after.levels.filter((level) => level.files > 0).length;
    const probedPerGet = (after.reads.tablesProbed - before.tablesProbed) / (after.reads.gets - before.gets);
    expect(probedPerGet, `${nonEmpty} non-empty levels: at most one table each (level 0 counts its tables)`).toBeLessThanOrEqual(
      after.levels[0]!.files + nonEmpty,
    );
    db.close();
  });
});
