/**
 * Chapter 7, misuse of the API: every bad argument is a typed error whose
 * message names what is allowed, and nothing is written when one is refused.
 * (Each test also opens a database, so it needs the engine: tasks 7.3-7.6.)
 */

import { describe, expect, test } from 'vitest';
import { ClosedError, InvalidArgumentError } from '#toolkit/errors.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { WriteBatch } from '#wal/write-batch.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import { INTEGER_OPTION_NAMES, optionRange } from '#engine/options.ts';
import { contents, DIR, openOn, text, utf8 } from './support/engine.ts';

/** Runs `call` and returns what it threw. */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

const NOT_BYTES: [string, unknown][] = [
  ['a number', 42],
  ['null', null],
  ['undefined', undefined],
  ['an object', { key: 'k' }],
  ['an array', [1, 2, 3]],
];

describe('bad keys and values', () => {
  test('a key or value that is not bytes or a string is an InvalidArgumentError saying so, and nothing is written', () => {
    const fs = new MemoryFileSystem();
    let db = openOn(fs);
    db.put('ok', 'ok');
    for (const [what, bad] of NOT_BYTES) {
      const calls: [string, () => unknown][] = [
        ['put key', () => db.put(bad as string, 'v')],
        ['put value', () => db.put('k', bad as string)],
        ['delete key', () => db.delete(bad as string)],
        ['get key', () => db.get(bad as string)],
      ];
      for (const [call, run] of calls) {
        const error = thrown(run);
        expect(error, `${call} with ${what}`).toBeInstanceOf(InvalidArgumentError);
        expect((error as Error).message, `${call} with ${what}: the message names the allowed types`).toMatch(/must be a Uint8Array or a string/);
      }
    }
    expect(db.metrics().lastSequence, 'a refused write must not use a sequence number').toBe(1);
    db.close();
    db = openOn(fs);
    expect(contents(db), 'nothing refused reached the WAL').toEqual([['ok', 'ok']]);
    db.close();
  });

  test('a key longer than maxKeySize or a value longer than maxValueSize is refused, naming the limit; at the limit it is accepted', () => {
    const fs = new MemoryFileSystem();
    const db = openOn(fs, { maxKeySize: 10, maxValueSize: 20 });
    const keyError = thrown(() => db.put('k'.repeat(11), 'v'));
    expect(keyError).toBeInstanceOf(InvalidArgumentError);
    expect((keyError as Error).message, 'the message names the allowed range').toMatch(/0 to 10 bytes/);
    const valueError = thrown(() => db.put('k', 'v'.repeat(21)));
    expect(valueError).toBeInstanceOf(InvalidArgumentError);
    expect((valueError as Error).message).toMatch(/0 to 20 bytes/);
    expect(thrown(() => db.put('é'.repeat(6), 'v')), 'the limit counts UTF-8 bytes: "é" is 2').toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => db.get('k'.repeat(11))), 'get checks the key too').toBeInstanceOf(InvalidArgumentError);
    db.put('k'.repeat(10), 'v'.repeat(20));
    db.put('', '');
    expect(text(db.get('k'.repeat(10)))).toBe('v'.repeat(20));
    expect(text(db.get(''))).toBe('');
    expect(db.metrics().lastSequence).toBe(2);
    db.close();
  });

  test('a batch with one bad entry writes none of its entries, before or after a reopen', () => {
    const fs = new MemoryFileSystem();
    let db = openOn(fs, { maxValueSize: 100 });
    const batch = new WriteBatch().put(utf8('a'), utf8('1')).delete(utf8('b')).put(utf8('c'), new Uint8Array(101));
    expect(thrown(() => db.write(batch))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => db.write({ entries: [] } as unknown as WriteBatch)), 'write() takes a WriteBatch').toBeInstanceOf(InvalidArgumentError);
    expect(db.get('a'), 'the good entries of a refused batch must not be applied either').toBeUndefined();
    db.close();
    db = openOn(fs);
    expect(contents(db)).toEqual([]);
    db.close();
  });

  test('bad write and read options are refused: sync not a boolean, a released snapshot, a negative limit, two lower bounds', () => {
    const db = openOn(new MemoryFileSystem());
    db.put('k', 'v');
    expect(thrown(() => db.put('k', 'v', { sync: 'yes' as unknown as boolean }))).toBeInstanceOf(InvalidArgumentError);
    const snapshot = db.snapshot();
    snapshot.release();
    expect(thrown(() => db.get('k', { snapshot })), 'a released snapshot may no longer be read through').toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => db.range('a', 'z', { limit: -1 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => db.iterator({ gt: 'a', gte: 'b' }))).toBeInstanceOf(InvalidArgumentError);
    expect(text(db.get('k'))).toBe('v');
    db.close();
  });

  test('range(start, end) with start > end is an InvalidArgumentError naming [start, end); start = end is an empty range', () => {
    const db = openOn(new MemoryFileSystem());
    db.put('m', 'v');
    const error = thrown(() => db.range('z', 'a'));
    expect(error, 'a backwards range is almost always a bug in the caller').toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/start <= end/);
    expect([...db.range('m', 'm')]).toEqual([]);
    db.close();
  });
});

describe('bad options', () => {
  test('every integer option below, above or between its allowed values is refused, naming the option and its range; each boundary opens', () => {
    for (const name of INTEGER_OPTION_NAMES) {
      const { min, max } = optionRange(name);
      for (const bad of [min - 1, max + 1, min + 0.5, Number.NaN, '64' as unknown as number]) {
        const fs = new MemoryFileSystem();
        const error = thrown(() => LsmTree.open(DIR, { fileSystem: fs, [name]: bad }));
        expect(error, `${name}: ${String(bad)}`).toBeInstanceOf(InvalidArgumentError);
        expect((error as Error).message, `${name}: the message names the option`).toContain(name);
        expect((error as Error).message, `${name}: the message names the allowed range`).toContain(String(min));
        expect(fs.list('/'), `${name}: ${String(bad)}: nothing is created when an option is refused`).toEqual([]);
      }
      for (const good of [min, max]) {
        const db = LsmTree.open(DIR, { fileSystem: new MemoryFileSystem(), [name]: good });
        expect(db.options[name]).toBe(good);
        db.close();
      }
    }
  });

  test('an unknown option, a non-boolean flag, createIfMissing on an empty directory and errorIfExists on a database are refused', () => {
    const fs = new MemoryFileSystem();
    expect(thrown(() => openOn(fs, { memtablesize: 1024 } as never)), 'a misspelt option must not be silently ignored').toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(thrown(() => openOn(fs, { createIfMissing: 'no' as unknown as boolean }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => openOn(fs, { createIfMissing: false })), 'there is no database yet').toBeInstanceOf(InvalidArgumentError);
    openOn(fs).close();
    expect(thrown(() => openOn(fs, { errorIfExists: true }))).toBeInstanceOf(InvalidArgumentError);
    const db = openOn(fs, { createIfMissing: false });
    db.close();
  });
});

describe('use after close', () => {
  test('every method after close() throws ClosedError; closing twice is allowed; open iterators stop', () => {
    const db = openOn(new MemoryFileSystem());
    db.put('a', '1');
    db.flush();
    db.put('b', '2');
    const it = db.iterator();
    db.close();
    db.close();
    const calls: [string, () => unknown][] = [
      ['put', () => db.put('k', 'v')],
      ['delete', () => db.delete('k')],
      ['write', () => db.write(new WriteBatch())],
      ['get', () => db.get('a')],
      ['range', () => db.range('a', 'z')],
      ['iterator', () => db.iterator()],
      ['snapshot', () => db.snapshot()],
      ['flush', () => db.flush()],
      ['metrics', () => db.metrics()],
    ];
    for (const [name, call] of calls) expect(thrown(call), `${name} after close`).toBeInstanceOf(ClosedError);
    expect(thrown(() => [...it]), 'an iterator over closed tables fails instead of returning partial data').toBeInstanceOf(ClosedError);
  });
});
