/**
 * Chapter 7, the compaction hook that chapters 8 and 9 plug into: with a
 * compaction strategy on (chapter 8's tiered one, from the reference),
 * flushes (task 7.7) still land in level 0, compactions move the data to
 * deeper levels, and reads (tasks 7.8 and 7.9) must find keys there.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { FileKind, parseFileName } from '#engine/file-names.ts';
import type { LsmOptions } from '#engine/options.ts';
import { contents, DIR, openOn, text, valueFor } from './support/engine.ts';

describe('the compaction hook', () => {
  test('with a strategy on, tables leave level 0; reads find keys in deeper levels; replaced tables are deleted; a reopen keeps it all', () => {
    const fs = new MemoryFileSystem();
    const options: LsmOptions = { memtableSize: 1024, blockSize: 128, compaction: { strategy: 'tiered', maxRuns: 3 } };
    let db = openOn(fs, options);
    const model = new Map<string, string>();
    for (let i = 0; i < 300; i++) {
      const key = `key${(i * 37) % 101}`;
      if (i % 11 === 0) {
        db.delete(key);
        model.delete(key);
      } else {
        db.put(key, valueFor(key, i));
        model.set(key, valueFor(key, i));
      }
    }
    expect(db.metrics().compaction.compactions, 'compaction runs in the write path, after flushes fill level 0').toBeGreaterThan(2);
    db.compact(); // Finishes the compaction in progress, whose outputs are not in the version yet.
    const m = db.metrics();
    expect(m.levels.slice(1).some((level) => level.files > 0), 'the merged tables live below level 0').toBe(true);
    expect(m.writes.compactionBytes).toBeGreaterThan(0);
    const expected = [...model].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [key, value] of expected) expect(text(db.get(key)), `get(${key}) must search levels 1 to 6 too`).toBe(value);
    expect(db.get('key55x')).toBeUndefined();
    expect(contents(db), 'iterators merge the deeper levels too').toEqual(expected);
    const tables = fs.list(DIR).filter((n) => parseFileName(n)?.kind === FileKind.Table).length;
    const inVersion = m.levels.reduce((n, level) => n + level.files, 0);
    expect(tables, 'tables a compaction replaced are deleted once the edit is durable').toBe(inVersion);
    db.close();
    db = openOn(fs, options);
    expect(contents(db)).toEqual(expected);
    db.close();
  });
});
