/**
 * The memtable's cursor (built on tasks 1.2–1.6): entries in internal-key
 * order, seek by (user key, sequence), steps both ways, close.
 */

import { describe, expect, test } from 'vitest';
import { EMPTY_BYTES, formatBytes, utf8 } from '#toolkit/bytes.ts';
import { ClosedError } from '#toolkit/errors.ts';
import { formatInternalKey, MAX_SEQUENCE } from '#memtable/internal-key.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { MemTable } from '#memtable/memtable.ts';

/** The cursor's entry in the notation `apple#6,DEL=`, or "invalid". */
function at(it: InternalIterator): string {
  if (!it.valid()) return 'invalid';
  return `${formatInternalKey({ userKey: it.key(), sequence: it.sequence(), kind: it.kind() })}=${formatBytes(it.value())}`;
}

/** Six writes to three keys; their internal-key order is ORDER below. */
function fruit(): MemTable {
  const mt = new MemTable();
  mt.put(1, utf8('apple'), utf8('red'));
  mt.put(2, utf8('banana'), utf8('yellow'));
  mt.put(3, utf8('apple'), utf8('green'));
  mt.delete(4, utf8('cherry'));
  mt.put(5, utf8('banana'), utf8('ripe'));
  mt.delete(6, utf8('apple'));
  return mt;
}

const ORDER = [
  'apple#6,DEL=',
  'apple#3,PUT=green',
  'apple#1,PUT=red',
  'banana#5,PUT=ripe',
  'banana#2,PUT=yellow',
  'cherry#4,DEL=',
];

/** Stops a cursor that never becomes invalid (a cycle, or prev() that does not move) from looping forever. */
const STEP_LIMIT = 100;

function forward(it: InternalIterator): string[] {
  const out: string[] = [];
  for (it.seekToFirst(); it.valid() && out.length < STEP_LIMIT; it.next()) out.push(at(it));
  return out;
}

describe('MemTableIterator', () => {
  test('seekToFirst then next visits every entry in internal-key order: all versions, newest first per key', () => {
    const it = fruit().iterator();
    expect(forward(it), 'user key ascending; for one key, sequence descending (newest first); tombstones included').toEqual(ORDER);
  });

  test('next past the last entry makes the cursor invalid', () => {
    const it = fruit().iterator();
    it.seekToLast();
    expect(at(it)).toBe('cherry#4,DEL=');
    it.next();
    expect(at(it), 'there is nothing after the last entry').toBe('invalid');
  });

  test('seek(key, MAX_SEQUENCE) lands on the newest entry of the first user key >= key', () => {
    const it = fruit().iterator();
    const seek = (key: string): string => {
      it.seek(utf8(key), MAX_SEQUENCE);
      return at(it);
    };
    expect(seek('apple'), 'an existing key: its newest version').toBe('apple#6,DEL=');
    expect(seek('banana')).toBe('banana#5,PUT=ripe');
    expect(seek(''), 'the empty key is before everything').toBe('apple#6,DEL=');
    expect(seek('b'), 'between keys: the next user key').toBe('banana#5,PUT=ripe');
    expect(seek('apples'), 'a key just past "apple" lands on the next user key').toBe('banana#5,PUT=ripe');
    expect(seek('c')).toBe('cherry#4,DEL=');
    expect(seek('cherry\x00'), 'past the last key: invalid').toBe('invalid');
  });

  test('seek(key, s) lands on the newest version of key with a sequence <= s', () => {
    const it = fruit().iterator();
    const seek = (key: string, s: number): string => {
      it.seek(utf8(key), s);
      return at(it);
    };
    expect(seek('apple', 5), 'apple#6 is newer than 5; the newest visible is apple#3').toBe('apple#3,PUT=green');
    expect(seek('apple', 3), 'sequence s itself is visible').toBe('apple#3,PUT=green');
    expect(seek('apple', 2)).toBe('apple#1,PUT=red');
    expect(seek('banana', 4)).toBe('banana#2,PUT=yellow');
    expect(seek('apple', 0), 'no apple at or before 0: the first entry of the next user key').toBe('banana#5,PUT=ripe');
    expect(seek('cherry', 3), 'no cherry at or before 3, and nothing after it').toBe('invalid');
    expect(seek('cherry', 4)).toBe('cherry#4,DEL=');
  });

  test('prev steps back one entry; prev from the first entry makes the cursor invalid', () => {
    const it = fruit().iterator();
    it.seek(utf8('banana'), MAX_SEQUENCE);
    it.prev();
    expect(at(it), 'the entry before banana#5 is the oldest apple').toBe('apple#1,PUT=red');
    it.prev();
    expect(at(it)).toBe('apple#3,PUT=green');
    it.next();
    expect(at(it), 'next after prev comes back').toBe('apple#1,PUT=red');
    it.seekToFirst();
    it.prev();
    expect(at(it), 'nothing is before the first entry (and never the head sentinel)').toBe('invalid');
  });

  test('seekToLast lands on the last entry, and prev walks every entry backwards', () => {
    const it = fruit().iterator();
    const out: string[] = [];
    for (it.seekToLast(); it.valid() && out.length < STEP_LIMIT; it.prev()) out.push(at(it));
    expect(out, 'the reverse of the forward order; prev() moves to the last entry strictly before the current one').toEqual(
      [...ORDER].reverse(),
    );
  });

  test('an empty memtable: the cursor is invalid after every kind of seek', () => {
    const it = new MemTable().iterator();
    it.seekToLast();
    expect(at(it), 'seekToLast on an empty memtable').toBe('invalid');
    it.seek(EMPTY_BYTES, MAX_SEQUENCE);
    expect(at(it), 'seek on an empty memtable').toBe('invalid');
    it.seekToFirst();
    expect(at(it), 'seekToFirst on an empty memtable').toBe('invalid');
  });

  test('after close(), the cursor is invalid and using it throws ClosedError', () => {
    const it = fruit().iterator();
    it.seek(utf8('banana'), MAX_SEQUENCE);
    expect(at(it)).toBe('banana#5,PUT=ripe');
    it.close();
    expect(it.valid(), 'a closed cursor is not valid').toBe(false);
    const uses: [string, () => unknown][] = [
      ['seekToFirst', () => it.seekToFirst()],
      ['seekToLast', () => it.seekToLast()],
      ['seek', () => it.seek(utf8('apple'), MAX_SEQUENCE)],
      ['next', () => it.next()],
      ['prev', () => it.prev()],
      ['key', () => it.key()],
      ['value', () => it.value()],
    ];
    for (const [name, use] of uses) expect(use, `${name}() after close()`).toThrow(ClosedError);
  });
});
