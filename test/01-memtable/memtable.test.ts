/**
 * Tasks 1.6 (add) and 1.7 (get): the memtable. Every write is a new entry
 * `key#sequence,KIND`; get(key, s) returns the newest version of key with a
 * sequence <= s, tombstones included.
 */

import { describe, expect, test } from 'vitest';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import { ENTRY_OVERHEAD, MemTable, type MemTableEntry } from '#memtable/memtable.ts';

/** An entry as text, e.g. "#5,PUT=red" or "#9,DEL=", or "none", for readable failures. */
function show(entry: MemTableEntry | undefined): string {
  if (entry === undefined) return 'none';
  return `#${entry.sequence},${entry.kind === ValueKind.Put ? 'PUT' : 'DEL'}=${fromUtf8(entry.value)}`;
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('MemTable.put and get (tasks 1.6, 1.7)', () => {
  test('get returns the value put for a key, and nothing for a key never written', () => {
    const mt = new MemTable();
    mt.put(1, utf8('apple'), utf8('red'));
    mt.put(2, utf8('banana'), utf8('yellow'));
    expect(show(mt.get(utf8('apple'))), 'get(apple) after put(1, apple, red)').toBe('#1,PUT=red');
    expect(show(mt.get(utf8('banana')))).toBe('#2,PUT=yellow');
    expect(show(mt.get(utf8('cherry'))), 'a key never written').toBe('none');
  });

  test('get finds a key by its bytes, not by the identity of the Uint8Array', () => {
    const mt = new MemTable();
    const key = utf8('apple');
    mt.put(1, key, utf8('red'));
    expect(show(mt.get(Uint8Array.from(key))), 'a copy of the key must find the entry: compare bytes, never with ===').toBe('#1,PUT=red');
  });

  test('an overwrite: get returns the newest value', () => {
    const mt = new MemTable();
    mt.put(1, utf8('apple'), utf8('green'));
    mt.put(2, utf8('apple'), utf8('red'));
    mt.put(3, utf8('apple'), utf8('brown'));
    expect(show(mt.get(utf8('apple'))), 'the newest version (largest sequence) wins').toBe('#3,PUT=brown');
    expect(mt.entryCount, 'nothing is overwritten in place: every write is its own entry').toBe(3);
  });

  test('a delete hides the value: get returns the tombstone, with kind Delete and an empty value', () => {
    const mt = new MemTable();
    mt.put(1, utf8('apple'), utf8('red'));
    mt.delete(2, utf8('apple'));
    const got = mt.get(utf8('apple'));
    expect(
      show(got),
      'get must return the tombstone itself, not skip it to the older value: the caller stops there and reports "not found"',
    ).toBe('#2,DEL=');
    expect(got?.kind).toBe(ValueKind.Delete);
    expect(got?.value.length, 'a tombstone has an empty value').toBe(0);
    mt.put(3, utf8('apple'), utf8('green'));
    expect(show(mt.get(utf8('apple'))), 'a put after a delete brings the key back').toBe('#3,PUT=green');
  });

  test('a read at an older sequence sees the version that was newest then (snapshot visibility)', () => {
    const mt = new MemTable();
    mt.put(2, utf8('k'), utf8('v2'));
    mt.put(5, utf8('k'), utf8('v5'));
    mt.delete(9, utf8('k'));
    const at = (s: number): string => show(mt.get(utf8('k'), s));
    expect(at(MAX_SEQUENCE), 'the default reads everything').toBe('#9,DEL=');
    expect(at(9), 'a read at s sees sequences <= s: s itself is included').toBe('#9,DEL=');
    expect(at(8), 'at 8 the delete (9) has not happened yet').toBe('#5,PUT=v5');
    expect(at(5), 'a read at s sees sequences <= s: s itself is included').toBe('#5,PUT=v5');
    expect(at(4), 'at 4 only the first put (2) is visible').toBe('#2,PUT=v2');
    expect(at(2)).toBe('#2,PUT=v2');
  });

  test('a read at a sequence before the first write of a key sees nothing, not a neighbouring key', () => {
    const mt = new MemTable();
    mt.put(1, utf8('a'), utf8('x'));
    mt.put(5, utf8('b'), utf8('y'));
    mt.put(6, utf8('c'), utf8('z'));
    const hint = 'the entry found belongs to another user key: stop when the user key differs';
    expect(show(mt.get(utf8('b'), 4)), `b was first written at 5, so a read at 4 sees no b; ${hint}`).toBe('none');
    expect(show(mt.get(utf8('b'), 0)), `a read at sequence 0 sees nothing; ${hint}`).toBe('none');
    expect(show(mt.get(utf8('a'), 0))).toBe('none');
    expect(show(mt.get(utf8('aa'))), `aa was never written (a and b were); ${hint}`).toBe('none');
    expect(show(mt.get(utf8(''))), `the empty key was never written; ${hint}`).toBe('none');
    expect(show(mt.get(utf8('d'))), 'a key past the last one').toBe('none');
  });

  test('the empty key and the empty value are ordinary keys and values', () => {
    const mt = new MemTable();
    mt.put(1, utf8(''), utf8(''));
    mt.put(2, bytes(0x00), utf8('zero'));
    expect(show(mt.get(utf8(''))), 'the empty key with an empty value is a PUT, not a delete').toBe('#1,PUT=');
    expect(mt.get(utf8(''))?.kind).toBe(ValueKind.Put);
    mt.put(3, utf8(''), utf8('x'));
    expect(show(mt.get(utf8('')))).toBe('#3,PUT=x');
    expect(show(mt.get(utf8(''), 2)), 'the empty key has versions like any other').toBe('#1,PUT=');
    expect(show(mt.get(bytes(0x00))), '"" and "\\x00" are different keys').toBe('#2,PUT=zero');
  });

  test('binary keys with 0x00 and 0xff are distinct and found exactly', () => {
    const mt = new MemTable();
    const keys = [bytes(0xff, 0xff), bytes(0x00), bytes(0x61, 0x00), bytes(0xff), bytes(0x00, 0x00), bytes(0x61), bytes(0x80)];
    keys.forEach((k, i) => mt.put(i + 1, k, utf8(`value${i + 1}`)));
    keys.forEach((k, i) => {
      expect(show(mt.get(Uint8Array.from(k))), `key [${[...k].join(', ')}]: compare as unsigned bytes, length included`).toBe(
        `#${i + 1},PUT=value${i + 1}`,
      );
    });
    for (const missing of [bytes(0x00, 0x01), bytes(0xfe), bytes(0xff, 0xff, 0xff), bytes(0x61, 0x00, 0x00)]) {
      expect(show(mt.get(missing)), `key [${[...missing].join(', ')}] was never written`).toBe('none');
    }
  });
});

describe('MemTable sequence numbers (task 1.6)', () => {
  test('a reused or decreasing sequence number is rejected with InvalidArgumentError and changes nothing', () => {
    const mt = new MemTable();
    mt.put(5, utf8('apple'), utf8('red'));
    const before = { bytes: mt.approximateBytes, count: mt.entryCount, first: mt.firstSequence, last: mt.lastSequence };
    const attempts: [string, () => void][] = [
      ['put at the same sequence 5', () => mt.put(5, utf8('apple'), utf8('green'))],
      ['put at the same sequence 5, another key', () => mt.put(5, utf8('banana'), utf8('yellow'))],
      ['put at a smaller sequence 3', () => mt.put(3, utf8('banana'), utf8('yellow'))],
      ['delete at the same sequence 5', () => mt.delete(5, utf8('apple'))],
      ['delete at a smaller sequence 1', () => mt.delete(1, utf8('apple'))],
    ];
    for (const [what, attempt] of attempts) {
      expect(attempt, `${what}: sequence numbers must strictly increase, so "newest" is never ambiguous`).toThrow(
        InvalidArgumentError,
      );
      const after = { bytes: mt.approximateBytes, count: mt.entryCount, first: mt.firstSequence, last: mt.lastSequence };
      expect(after, `${what}: check the sequence before changing anything`).toEqual(before);
      expect(show(mt.get(utf8('apple'))), `${what}: the entry at 5 is untouched`).toBe('#5,PUT=red');
      expect(show(mt.get(utf8('banana'))), `${what}: no entry was added`).toBe('none');
    }
    let message = '';
    try {
      mt.put(3, utf8('banana'), utf8('yellow'));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message, 'the error names the sequence it refused (3), so the caller can find the bad write').toMatch(/\b3\b/);
    expect(message, 'and the last sequence added (5), which the next one must exceed').toMatch(/\b5\b/);
    mt.put(6, utf8('apple'), utf8('green'));
    expect(show(mt.get(utf8('apple'))), 'the next larger sequence is accepted').toBe('#6,PUT=green');
  });

  test('a sequence that is not an integer in 1 .. 2^53 - 1 is rejected', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_SEQUENCE + 1]) {
      const mt = new MemTable();
      expect(() => mt.put(bad, utf8('k'), utf8('v')), `sequence ${bad} must be rejected with InvalidArgumentError`).toThrow(
        InvalidArgumentError,
      );
      expect(mt.entryCount, `sequence ${bad}: nothing is added`).toBe(0);
    }
    const mt = new MemTable();
    mt.put(MAX_SEQUENCE, utf8('k'), utf8('v'));
    expect(show(mt.get(utf8('k'))), 'MAX_SEQUENCE itself is a valid sequence').toBe(`#${MAX_SEQUENCE},PUT=v`);
  });

  test('firstSequence and lastSequence are the oldest and newest sequences (0 when empty)', () => {
    const mt = new MemTable();
    expect([mt.firstSequence, mt.lastSequence, mt.entryCount, mt.isEmpty()]).toEqual([0, 0, 0, true]);
    mt.put(10, utf8('b'), utf8('1'));
    expect([mt.firstSequence, mt.lastSequence], 'after one write both are its sequence').toEqual([10, 10]);
    mt.delete(11, utf8('a'));
    mt.put(25, utf8('a'), utf8('2'));
    expect([mt.firstSequence, mt.lastSequence], 'first stays at the oldest write; last follows the newest').toEqual([10, 25]);
    expect([mt.entryCount, mt.isEmpty()]).toEqual([3, false]);
  });
});

describe('MemTable.approximateBytes (task 1.6)', () => {
  test('grows by key + value + ENTRY_OVERHEAD per entry; a tombstone counts its key', () => {
    const mt = new MemTable();
    expect(mt.approximateBytes, 'an empty memtable holds 0 bytes').toBe(0);
    mt.put(1, utf8('apple'), utf8('red'));
    expect(mt.approximateBytes, 'key 5 + value 3 + ENTRY_OVERHEAD').toBe(5 + 3 + ENTRY_OVERHEAD);
    mt.put(2, utf8('apple'), utf8('a longer value'));
    expect(mt.approximateBytes, 'an overwrite adds a whole entry: the old version still takes memory').toBe(
      5 + 3 + ENTRY_OVERHEAD + (5 + 14 + ENTRY_OVERHEAD),
    );
    mt.delete(3, utf8('apple'));
    expect(mt.approximateBytes, 'a tombstone counts its key and ENTRY_OVERHEAD').toBe(
      5 + 3 + ENTRY_OVERHEAD + (5 + 14 + ENTRY_OVERHEAD) + (5 + ENTRY_OVERHEAD),
    );
    mt.put(4, utf8(''), utf8(''));
    expect(mt.approximateBytes, 'even an empty key and value cost ENTRY_OVERHEAD, so tiny writes still fill the memtable').toBe(
      5 + 3 + ENTRY_OVERHEAD + (5 + 14 + ENTRY_OVERHEAD) + (5 + ENTRY_OVERHEAD) + ENTRY_OVERHEAD,
    );
  });
});
