/**
 * Chapter 7, the compaction hook that chapters 8 and 9 plug into (flush,
 * task 7.7, calls it; reads, tasks 7.8 and 7.9, must then find keys in
 * level 1): a toy strategy that merges level 0 and level 1 into new level-1
 * tables whenever level 0 holds four tables.
 */

import { describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { MergingIterator } from '#merge/merging-iterator.ts';
import type { CompactionHost, CompactionStrategy } from '#engine/compaction-hook.ts';
import { FileKind, parseFileName } from '#engine/file-names.ts';
import { contents, DIR, openOn, text, valueFor } from './support/engine.ts';

/** Merges every level-0 and level-1 table into level-1 tables of about 600 bytes, keeping every version. */
class MergeEverything implements CompactionStrategy {
  readonly name = 'merge-everything';
  runs = 0;

  maybeCompact(host: CompactionHost): void {
    const version = host.currentVersion();
    if (version.files(0).length < 4) return;
    const inputs = [0, 1].flatMap((level) => version.files(level).map((file) => ({ level, file })));
    const merged = new MergingIterator(inputs.map(({ file }) => host.tableIterator(file)));
    try {
      const outputs = host.writeTables(merged, 600);
      host.installEdit({
        deletedFiles: inputs.map(({ level, file }) => ({ level, number: file.number })),
        newFiles: outputs.map((file) => ({ level: 1, file })),
      });
    } finally {
      merged.close();
    }
    this.runs++;
  }
}

describe('the compaction hook', () => {
  test('a strategy runs after every flush; reads find keys in level 1; replaced tables are deleted; a reopen keeps it all', () => {
    const fs = new MemoryFileSystem();
    const strategy = new MergeEverything();
    const options = { memtableSize: 1024, blockSize: 128, compaction: strategy };
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
    expect(strategy.runs, 'maybeCompact must be called after each flush').toBeGreaterThan(2);
    const m = db.metrics();
    expect(m.levels[1]!.files, 'the merged tables live in level 1').toBeGreaterThan(1);
    expect(m.levels[0]!.files).toBeLessThan(4);
    expect(m.writes.compactionBytes).toBeGreaterThan(0);
    const expected = [...model].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [key, value] of expected) expect(text(db.get(key)), `get(${key}) must search level 1 too`).toBe(value);
    expect(db.get('key55x')).toBeUndefined();
    expect(contents(db), 'iterators merge level 1 too').toEqual(expected);
    const tables = fs.list(DIR).filter((n) => parseFileName(n)?.kind === FileKind.Table).length;
    expect(tables, 'tables a compaction replaced are deleted once the edit is durable').toBe(m.levels[0]!.files + m.levels[1]!.files);
    db.close();
    db = openOn(fs, options);
    expect(contents(db)).toEqual(expected);
    db.close();
  });
});
