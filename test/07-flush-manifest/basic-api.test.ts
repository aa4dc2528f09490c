/**
 * Chapter 7, the engine's API (tasks 7.5-7.9): put, get, delete,
 * write(batch), range, iterator and snapshot, on the in-memory disk and once
 * on a real one.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { NodeFileSystem } from '#toolkit/node-file-system.ts';
import { WriteBatch } from '#wal/write-batch.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import { contents, openOn, pairs, text, TINY, utf8 } from './support/engine.ts';

describe('point reads and writes', () => {
  test('the newest put of a key wins, a delete hides it, and a put after the delete brings it back', () => {
    const db = openOn(new MemoryFileSystem());
    db.put('apple', 'red');
    db.put('banana', 'yellow');
    db.put('apple', 'green');
    expect(text(db.get('apple')), 'the newest version of a key wins').toBe('green');
    expect(text(db.get('banana'))).toBe('yellow');
    expect(db.get('cherry'), 'a key never written reads as undefined').toBeUndefined();
    db.delete('apple');
    expect(db.get('apple'), 'a delete writes a tombstone: get must treat it as "not found"').toBeUndefined();
    db.delete('never-written');
    expect(db.get('never-written')).toBeUndefined();
    db.put('apple', 'again');
    expect(text(db.get('apple'))).toBe('again');
    db.close();
  });

  test('write(batch) applies every put and delete of the batch, in order', () => {
    const db = openOn(new MemoryFileSystem());
    db.put('a', '1');
    db.put('b', '2');
    const batch = new WriteBatch().put(utf8('c'), utf8('3')).delete(utf8('a')).put(utf8('b'), utf8('20')).put(utf8('b'), utf8('21'));
    db.write(batch);
    expect(contents(db), 'later entries of a batch beat earlier ones: they get higher sequence numbers').toEqual([
      ['b', '21'],
      ['c', '3'],
    ]);
    db.write(new WriteBatch());
    expect(db.metrics().lastSequence, 'an empty batch writes nothing and uses no sequence number').toBe(6);
    db.close();
  });

  test('string keys are their UTF-8 bytes, and any byte string is a key, the empty one too', () => {
    const db = openOn(new MemoryFileSystem());
    db.put('é', 'accented');
    expect(text(db.get(Uint8Array.of(0xc3, 0xa9))), '"é" is the bytes c3 a9').toBe('accented');
    db.put(new Uint8Array(0), 'empty key');
    db.put(Uint8Array.of(0, 255, 0), Uint8Array.of(1, 2, 3));
    expect(text(db.get(''))).toBe('empty key');
    expect(db.get(Uint8Array.of(0, 255, 0))).toEqual(Uint8Array.of(1, 2, 3));
    expect(db.get(Uint8Array.of(0, 255)), 'a prefix of a key is another key').toBeUndefined();
    db.close();
  });

  test('the engine copies what it is given and what it returns: reusing buffers changes nothing stored', () => {
    const db = openOn(new MemoryFileSystem());
    const key = utf8('key');
    const value = utf8('value');
    db.put(key, value);
    key[0] = 0x4b; // 'K'
    value[0] = 0x56; // 'V'
    expect(text(db.get('key')), 'put must copy the key and the value: the caller may reuse its buffers').toBe('value');
    const got = db.get('key')!;
    got[0] = 0x58;
    expect(text(db.get('key')), 'get must return a copy: changing it must not change the database').toBe('value');
    db.close();
  });
});

describe('range and iterator', () => {
  function filled(): LsmTree {
    const db = openOn(new MemoryFileSystem(), TINY);
    for (const k of ['a', 'b', 'ba', 'c', 'd', 'e']) db.put(k, k.toUpperCase());
    return db;
  }

  test('range(start, end) is [start, end): the start is in, the end is out', () => {
    const db = filled();
    expect(pairs(db.range('b', 'd')), 'range end is exclusive: did you include it?').toEqual([
      ['b', 'B'],
      ['ba', 'BA'],
      ['c', 'C'],
    ]);
    expect(pairs(db.range('b', 'b')), 'an empty range [b, b)').toEqual([]);
    expect(pairs(db.range('', 'zz')).length).toBe(6);
    db.close();
  });

  test('range with reverse descends, and limit stops after that many entries', () => {
    const db = filled();
    expect(pairs(db.range('a', 'e', { reverse: true })).map(([k]) => k)).toEqual(['d', 'c', 'ba', 'b', 'a']);
    expect(pairs(db.range('a', 'z', { limit: 2 })).map(([k]) => k)).toEqual(['a', 'b']);
    expect(pairs(db.range('a', 'z', { reverse: true, limit: 2 })).map(([k]) => k)).toEqual(['e', 'd']);
    expect(pairs(db.range('a', 'z', { limit: 0 }))).toEqual([]);
    db.close();
  });

  test('iterator bounds: gt and gte, lt and lte; seek, next and prev', () => {
    const db = filled();
    expect(pairs(db.iterator({ gt: 'b', lte: 'd' })).map(([k]) => k)).toEqual(['ba', 'c', 'd']);
    expect(pairs(db.iterator({ gte: 'b', lt: 'd', reverse: true })).map(([k]) => k)).toEqual(['c', 'ba', 'b']);
    const it = db.iterator();
    it.seek(utf8('bb'));
    expect(text(it.key()), 'seek finds the first key >= the target').toBe('c');
    it.prev();
    expect(text(it.key())).toBe('ba');
    it.next();
    it.next();
    expect(text(it.value())).toBe('D');
    it.close();
    db.close();
  });

  test('an iterator reads at its snapshot: writes made after it was opened are not seen, across a flush too', () => {
    const db = filled();
    const it = db.iterator();
    db.put('b', 'changed');
    db.put('bb', 'new');
    db.delete('c');
    db.flush();
    expect(pairs(it).map(([k, v]) => `${k}=${v}`), 'the iterator must read at the sequence of its creation').toEqual([
      'a=A',
      'b=B',
      'ba=BA',
      'c=C',
      'd=D',
      'e=E',
    ]);
    expect(contents(db).map(([k, v]) => `${k}=${v}`)).toEqual(['a=A', 'b=changed', 'ba=BA', 'bb=new', 'd=D', 'e=E']);
    db.close();
  });

  test('snapshot(): get, range and iterator through a snapshot ignore later puts and deletes', () => {
    const db = openOn(new MemoryFileSystem(), TINY);
    db.put('k', 'old');
    db.put('gone', 'here');
    const snapshot = db.snapshot();
    db.put('k', 'new');
    db.delete('gone');
    db.put('later', 'x');
    for (let i = 0; i < 40; i++) db.put(`fill${i}`, 'x'.repeat(40)); // several flushes
    expect(db.metrics().writes.flushes).toBeGreaterThan(0);
    expect(text(db.get('k', { snapshot })), 'a read at a snapshot takes the newest version at or below its sequence').toBe('old');
    expect(text(db.get('gone', { snapshot })), 'a delete after the snapshot is invisible to it').toBe('here');
    expect(db.get('later', { snapshot })).toBeUndefined();
    expect(pairs(db.range('a', 'z', { snapshot }))).toEqual([
      ['gone', 'here'],
      ['k', 'old'],
    ]);
    expect(pairs(db.iterator({ snapshot, gte: 'k' }))).toEqual([['k', 'old']]);
    expect(text(db.get('k'))).toBe('new');
    expect(db.metrics().snapshots).toBe(1);
    snapshot.release();
    expect(db.metrics().snapshots).toBe(0);
    db.close();
  });
});

describe('on a real disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'lsm-07-api-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('NodeFileSystem: put, get, delete, range, flush, close and reopen', () => {
    const dir = join(root, 'db');
    const options = { fileSystem: new NodeFileSystem(), memtableSize: 1024 };
    let db = LsmTree.open(dir, options);
    for (let i = 0; i < 100; i++) db.put(`key${String(i).padStart(3, '0')}`, `value${i}`);
    db.delete('key050');
    expect(db.metrics().levels[0]!.files, 'a 1 KiB memtable fills many times over 100 writes').toBeGreaterThan(1);
    db.close();
    db = LsmTree.open(dir, options);
    expect(text(db.get('key007'))).toBe('value7');
    expect(db.get('key050')).toBeUndefined();
    expect(pairs(db.range('key048', 'key053')).map(([k]) => k)).toEqual(['key048', 'key049', 'key051', 'key052']);
    db.close();
  });
});
