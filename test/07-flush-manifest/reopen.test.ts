/**
 * Chapter 7, close and reopen (tasks 7.3-7.5 with the write and read paths):
 * everything comes back, from the tables and from the WAL; file numbers and
 * sequence numbers carry on; no obsolete file is left behind; a MANIFEST
 * that grows too big is replaced by a snapshot.
 */

import { describe, expect, test } from 'vitest';
import { fromUtf8 } from '#toolkit/bytes.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { FileKind, parseFileName } from '#engine/file-names.ts';
import { contents, DIR, openOn, text, TINY, valueFor } from './support/engine.ts';

function names(fs: MemoryFileSystem): string[] {
  return fs.list(DIR);
}

function currentManifest(fs: MemoryFileSystem): string {
  return fromUtf8(fs.readFile(joinPath(DIR, 'CURRENT'))).trim();
}

describe('reopen', () => {
  test('close and reopen restores every key: from the tables and from the WAL', () => {
    const fs = new MemoryFileSystem();
    let db = openOn(fs);
    db.put('flushed', 'in a table');
    db.put('changed', 'old');
    db.flush();
    db.put('changed', 'new');
    db.put('unflushed', 'only in the WAL');
    db.delete('flushed');
    db.close();
    db = openOn(fs);
    expect(contents(db), 'close() does not flush: the last three writes must come back from the WAL').toEqual([
      ['changed', 'new'],
      ['unflushed', 'only in the WAL'],
    ]);
    expect(db.metrics().recovery.walEntries, 'exactly the three writes after the flush were replayed').toBe(3);
    db.close();
  });

  test('sequence numbers continue after a reopen: a write made after it beats an older version in a table', () => {
    const fs = new MemoryFileSystem();
    let db = openOn(fs);
    db.put('k', 'first');
    db.flush();
    const sequence = db.metrics().lastSequence;
    db.close();
    db = openOn(fs);
    expect(db.metrics().lastSequence, 'the MANIFEST records the last sequence').toBe(sequence);
    db.put('k', 'second');
    db.flush();
    db.close();
    db = openOn(fs);
    expect(text(db.get('k')), 'a reopen that restarted sequences at 1 would let the older table win').toBe('second');
    db.close();
  });

  test('after many flushes and reopens nothing is lost, file numbers only grow, and no obsolete file is left', () => {
    const fs = new MemoryFileSystem();
    const model = new Map<string, string>();
    let highest = 0;
    for (let round = 0; round < 6; round++) {
      const db = openOn(fs, TINY);
      for (let i = 0; i < 60; i++) {
        const key = `k${(i * 7 + round * 13) % 90}`;
        if (i % 9 === 4) {
          db.delete(key);
          model.delete(key);
        } else {
          db.put(key, valueFor(key, round * 100 + i));
          model.set(key, valueFor(key, round * 100 + i));
        }
      }
      db.close();
      const numbers = names(fs).map((n) => parseFileName(n)?.number ?? 0);
      const newest = Math.max(...numbers);
      expect(newest, `round ${round}: a new file got a number not above every earlier one`).toBeGreaterThan(highest);
      highest = newest;
    }
    const db = openOn(fs, TINY);
    expect(contents(db)).toEqual([...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const tables = db.metrics().levels[0]!.files;
    const kinds = names(fs).map((n) => parseFileName(n)?.kind);
    expect(kinds.filter((k) => k === FileKind.Table).length, 'every table on disk is in the version: orphans are deleted at open').toBe(tables);
    expect(kinds.filter((k) => k === FileKind.Log).length, 'one WAL segment: the new one').toBe(1);
    expect(kinds.filter((k) => k === FileKind.Manifest).length, 'one MANIFEST: the one CURRENT names').toBe(1);
    expect(kinds.filter((k) => k === FileKind.Temp).length).toBe(0);
    db.close();
  });

  test('every open starts a new MANIFEST holding one snapshot edit, and deletes the old one', () => {
    const fs = new MemoryFileSystem();
    let db = openOn(fs);
    db.put('a', '1');
    db.flush();
    const first = currentManifest(fs);
    db.close();
    db = openOn(fs);
    const second = currentManifest(fs);
    expect(second, 'recovery never appends to the MANIFEST it read (it may end in a torn record)').not.toBe(first);
    expect(names(fs)).not.toContain(first);
    expect(text(db.get('a'))).toBe('1');
    db.close();
  });

  test('a MANIFEST past manifestMaxSize is rewritten as one snapshot: it shrinks, CURRENT names it, and the contents stay', () => {
    const fs = new MemoryFileSystem();
    const options = { memtableSize: 1024, manifestMaxSize: 1024 };
    let db = openOn(fs, options);
    const sizes: number[] = [];
    const manifests: string[] = [];
    for (let i = 0; i < 40; i++) {
      db.put(`key${String(i).padStart(3, '0')}`, 'v'.repeat(20));
      db.flush();
      sizes.push(db.metrics().manifest.bytes);
      manifests.push(currentManifest(fs));
    }
    const drop = sizes.findIndex((size, i) => i > 0 && size < sizes[i - 1]!);
    expect(drop, `the MANIFEST grew to ${Math.max(...sizes)} bytes and was never rewritten`).toBeGreaterThan(0);
    expect(sizes[drop - 1], 'it is rewritten only once past manifestMaxSize').toBeGreaterThanOrEqual(1024);
    expect(manifests[drop], 'CURRENT must name the new MANIFEST').not.toBe(manifests[drop - 1]);
    expect(names(fs).filter((n) => n.startsWith('MANIFEST-')), 'the old MANIFEST is deleted once CURRENT names the new one').toEqual([
      currentManifest(fs),
    ]);
    expect(db.metrics().levels[0]!.files).toBe(40);
    db.close();
    db = openOn(fs, options);
    expect(db.metrics().levels[0]!.files, 'the snapshot must list every table').toBe(40);
    expect(text(db.get('key000'))).toBe('v'.repeat(20));
    expect(text(db.get('key039'))).toBe('v'.repeat(20));
    db.close();
  });
});
