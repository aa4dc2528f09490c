/**
 * The merging iterator (tasks 6.1–6.3): many sorted sources read as one,
 * every entry of every source in internal-key order, exact ties from the
 * lower source index first; seek; steps both ways and changes of direction;
 * errors from a source come out; close() closes every source.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { utf8 } from '#toolkit/bytes.ts';
import { IOError } from '#toolkit/errors.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { compareInternalKeys, MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import { MemTable } from '#memtable/memtable.ts';
import { MergingIterator } from '#merge/merging-iterator.ts';
import { ArrayIterator, at, formatEntry } from './support/array-iterator.ts';
import { build, mergedOrder, PROBES, scenarioArb } from './support/layers.ts';

/** Stops a cursor that never becomes invalid from looping forever. */
const STEP_LIMIT = 500;

function forward(it: InternalIterator): string[] {
  const out: string[] = [];
  for (it.seekToFirst(); it.valid() && out.length < STEP_LIMIT; it.next()) out.push(at(it));
  return out;
}

function backward(it: InternalIterator): string[] {
  const out: string[] = [];
  for (it.seekToLast(); it.valid() && out.length < STEP_LIMIT; it.prev()) out.push(at(it));
  return out;
}

/** A sequence of cursor moves: true is next(), false is prev(). */
const movesArb = fc.array(fc.boolean(), { maxLength: 12 });

describe('MergingIterator', () => {
  test('an exact tie (same key, sequence and kind in two sources) comes from the lower source index first', () => {
    const sources = () => [
      new ArrayIterator('a#5,PUT=newer-source b#2,PUT=x'),
      new ArrayIterator('a#5,PUT=older-source c#1,PUT=y'),
    ];
    expect(forward(new MergingIterator(sources())), 'index 0 is the newest source: it wins ties').toEqual([
      'a#5,PUT=newer-source',
      'a#5,PUT=older-source',
      'b#2,PUT=x',
      'c#1,PUT=y',
    ]);
    expect(backward(new MergingIterator(sources())), 'backwards, the same order reversed').toEqual([
      'c#1,PUT=y',
      'b#2,PUT=x',
      'a#5,PUT=older-source',
      'a#5,PUT=newer-source',
    ]);
  });

  test('next, next, prev, prev, next across overlapping memtables lands on the right entries', () => {
    const newer = new MemTable();
    newer.put(6, utf8('b'), utf8('b6'));
    newer.delete(7, utf8('c'));
    const older = new MemTable();
    older.put(1, utf8('a'), utf8('a1'));
    older.put(2, utf8('b'), utf8('b2'));
    older.put(3, utf8('c'), utf8('c3'));
    const it = new MergingIterator([newer.iterator(), older.iterator()]);
    it.seek(utf8('b'), MAX_SEQUENCE);
    expect(at(it)).toBe('b#6,PUT=b6');
    it.next();
    expect(at(it)).toBe('b#2,PUT=b2');
    it.next();
    expect(at(it)).toBe('c#7,DEL=');
    it.prev();
    expect(at(it), 'prev() after next(): the other sources sat after the current entry and must be moved before it').toBe(
      'b#2,PUT=b2',
    );
    it.prev();
    expect(at(it)).toBe('b#6,PUT=b6');
    it.next();
    expect(at(it), 'next() after prev(): the other sources sat before the current entry and must be moved after it').toBe(
      'b#2,PUT=b2',
    );
    it.prev();
    it.prev();
    expect(at(it)).toBe('a#1,PUT=a1');
    it.prev();
    expect(at(it), 'prev() before the first entry makes the cursor invalid').toBe('invalid');
  });

  test('empty sources and a single source merge like the source alone', () => {
    const only = 'a#3,PUT=x a#1,DEL b#2,PUT=y';
    const want = forward(new ArrayIterator(only));
    expect(forward(new MergingIterator([new ArrayIterator(only)]))).toEqual(want);
    expect(forward(new MergingIterator([new ArrayIterator(''), new ArrayIterator(only), new ArrayIterator('')]))).toEqual(want);
    expect(backward(new MergingIterator([new ArrayIterator(''), new ArrayIterator(only)]))).toEqual([...want].reverse());
    const none = new MergingIterator([new ArrayIterator(''), new MemTable().iterator()]);
    none.seekToFirst();
    expect(none.valid(), 'no entries anywhere: not valid').toBe(false);
    none.seek(utf8('a'), MAX_SEQUENCE);
    expect(none.valid()).toBe(false);
  });

  test('an error from a source comes out of next() and prev(): it is not the end of the data', () => {
    const disk = new IOError('read', '000012.sst', 'EIO');
    const it = new MergingIterator([
      new ArrayIterator('a#4,PUT=x c#3,PUT=y'),
      new ArrayIterator('b#2,PUT=z d#1,PUT=w', { failOn: { op: 'next', call: 1, error: disk } }),
    ]);
    it.seekToFirst();
    expect(at(it)).toBe('a#4,PUT=x');
    it.next();
    expect(at(it)).toBe('b#2,PUT=z');
    expect(() => it.next(), 'the failing source’s next() threw: pass the error on, never treat it as "no more entries"').toThrow(
      disk,
    );

    const back = new MergingIterator([
      new ArrayIterator('a#4,PUT=x c#3,PUT=y'),
      new ArrayIterator('b#2,PUT=z d#1,PUT=w', { failOn: { op: 'prev', call: 1, error: disk } }),
    ]);
    back.seekToLast();
    expect(at(back)).toBe('d#1,PUT=w');
    expect(() => back.prev()).toThrow(disk);
  });

  test('close() closes every source, even when one of them throws on close', () => {
    const sources = [new ArrayIterator('a#1,PUT=x'), new ArrayIterator('b#2,PUT=y'), new ArrayIterator('')];
    const it = new MergingIterator(sources);
    expect(forward(it)).toEqual(['a#1,PUT=x', 'b#2,PUT=y']);
    it.close();
    expect(
      sources.map((s) => s.closed),
      'the merging iterator owns its sources: close() must close each one',
    ).toEqual([true, true, true]);
    expect(it.valid()).toBe(false);

    const failing = new ArrayIterator('c#3,PUT=z');
    failing.close = () => {
      throw new IOError('close', '000007.sst', 'EIO');
    };
    const after = new ArrayIterator('d#4,PUT=w');
    const it2 = new MergingIterator([failing, after]);
    expect(forward(it2)).toEqual(['c#3,PUT=z', 'd#4,PUT=w']);
    expect(() => it2.close()).toThrow(IOError);
    expect(after.closed, 'a source that fails to close must not keep the others open').toBe(true);
  });
});

describe('MergingIterator against a model', () => {
  test('a forward scan lists the sorted union of every source', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const built = build(scenario);
        expect(
          forward(new MergingIterator(built.open())),
          'every entry of every source, in internal-key order (key ascending, sequence descending); exact ties: lower source index first',
        ).toEqual(mergedOrder(built.layers).map(formatEntry));
      }),
    );
  });

  test('a backward scan lists the same union in exactly the reverse order', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const built = build(scenario);
        expect(
          backward(new MergingIterator(built.open())),
          'seekToLast then prev() must visit the forward scan’s entries in exactly the reverse order (a max-heap, ties: higher index first)',
        ).toEqual(mergedOrder(built.layers).map(formatEntry).reverse());
      }),
    );
  });

  test('seek(key, sequence) lands on the first entry >= (key, sequence), then any mix of next and prev follows the model', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.constantFrom(...PROBES),
        fc.oneof(fc.constant(MAX_SEQUENCE), fc.integer({ min: 0, max: 70 })),
        movesArb,
        (scenario, probe, sequence, moves) => {
          const built = build(scenario);
          const merged = mergedOrder(built.layers);
          const target = { userKey: probe, sequence, kind: ValueKind.Put };
          let p = merged.findIndex((e) => compareInternalKeys({ userKey: e.key, sequence: e.sequence, kind: e.kind }, target) >= 0);
          if (p < 0) p = merged.length;
          const expectAt = (pos: number): string => (pos >= 0 && pos < merged.length ? formatEntry(merged[pos]!) : 'invalid');

          const it = new MergingIterator(built.open());
          it.seek(probe, sequence);
          expect(at(it), `seek(${new TextDecoder().decode(probe)}, ${sequence}): the first entry >= that internal key in any source`).toBe(
            expectAt(p),
          );
          const trail: string[] = [];
          for (const forwardStep of moves) {
            if (!it.valid()) break;
            trail.push(forwardStep ? 'next' : 'prev');
            if (forwardStep) it.next();
            else it.prev();
            p += forwardStep ? 1 : -1;
            expect(
              at(it),
              `after seek then ${trail.join(', ')}: changing direction must re-position the other sources around the current entry`,
            ).toBe(expectAt(p));
          }
        },
      ),
    );
  });
});
