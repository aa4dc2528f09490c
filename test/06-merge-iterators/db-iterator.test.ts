/**
 * The user's iterator, case by case (tasks 6.4–6.7): each test pins one rule
 * of the read path with a small example in the `apple#12,PUT=red` notation,
 * and its failure message names the usual mistake. Then errors, buffers and
 * close().
 */

import { describe, expect, test } from 'vitest';
import { formatBytes, utf8 } from '#toolkit/bytes.ts';
import { ClosedError, IOError } from '#toolkit/errors.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { MAX_SEQUENCE } from '#memtable/internal-key.ts';
import { DbIterator, type DbIteratorOptions } from '#merge/db-iterator.ts';
import { MergingIterator } from '#merge/merging-iterator.ts';
import { RangeBounds, type RangeOptions } from '#merge/range-bounds.ts';
import { ArrayIterator, type ArrayIteratorOptions } from './support/array-iterator.ts';

/** A DbIterator over a MergingIterator of layers written in the entry notation, newest layer first. */
function db(
  layers: readonly string[],
  options: Omit<DbIteratorOptions, 'bounds'> & { range?: RangeOptions } = {},
  sourceOptions: ArrayIteratorOptions = {},
): DbIterator {
  const { range, ...rest } = options;
  const sources = layers.map((text) => new ArrayIterator(text, sourceOptions));
  return new DbIterator(new MergingIterator(sources), { ...rest, bounds: new RangeBounds(range ?? {}) });
}

/** Everything `for...of` yields, as "key=value" strings. */
function scan(it: DbIterator): string[] {
  const out: string[] = [];
  for (const [k, v] of it) {
    out.push(`${formatBytes(k)}=${formatBytes(v)}`);
    if (out.length > 100) break; // a cursor that never ends
  }
  return out;
}

function now(it: DbIterator): string {
  return it.valid() ? `${formatBytes(it.key())}=${formatBytes(it.value())}` : 'invalid';
}

const ABCDE = ['a#1,PUT=1 b#2,PUT=2 c#3,PUT=3 d#4,PUT=4 e#5,PUT=5'];

describe('DbIterator: the rules of the read path', () => {
  test('range [b, d) returns b and c, not d, in both directions', () => {
    const range = { gte: utf8('b'), lt: utf8('d') };
    expect(scan(db(ABCDE, { range })), 'the end bound is exclusive: did you include it?').toEqual(['b=2', 'c=3']);
    expect(scan(db(ABCDE, { range, reverse: true })), 'reverse: start just below the exclusive end, at c').toEqual([
      'c=3',
      'b=2',
    ]);
    expect(scan(db(ABCDE, { range: { gte: utf8('b'), lte: utf8('d') } })), 'lte includes its key').toEqual([
      'b=2',
      'c=3',
      'd=4',
    ]);
  });

  test('an lt bound in reverse starts below the bound, an lte bound at it; gt in forward starts above the bound', () => {
    expect(scan(db(ABCDE, { range: { lt: utf8('c') }, reverse: true })), 'lt c, reverse: the largest key < c is b').toEqual([
      'b=2',
      'a=1',
    ]);
    expect(scan(db(ABCDE, { range: { lte: utf8('c') }, reverse: true })), 'lte c, reverse: starts at c itself').toEqual([
      'c=3',
      'b=2',
      'a=1',
    ]);
    expect(scan(db(ABCDE, { range: { lt: utf8('bz') }, reverse: true })), 'a bound between keys: start at the key below it').toEqual([
      'b=2',
      'a=1',
    ]);
    expect(scan(db(ABCDE, { range: { gt: utf8('c') } })), 'gt c: the smallest key > c is d').toEqual(['d=4', 'e=5']);
    expect(scan(db(ABCDE, { range: { gt: utf8('c'), lt: utf8('c') } })), 'an empty range yields nothing').toEqual([]);
    expect(scan(db(ABCDE, { range: { gte: utf8('d'), lte: utf8('b') } })), 'lower above upper: empty, not an error').toEqual([]);
  });

  test('a tombstone in a newer layer hides the value in an older layer', () => {
    const layers = ['k#5,DEL', 'j#1,PUT=j k#2,PUT=old z#3,PUT=z'];
    const hint = 'tombstones hide older values: did you return the older PUT?';
    expect(scan(db(layers)), hint).toEqual(['j=j', 'z=z']);
    expect(scan(db(layers, { reverse: true })), hint).toEqual(['z=z', 'j=j']);
  });

  test('a tombstone hides every older version of its key, not just the next one', () => {
    const layers = ['k#9,DEL', 'k#5,PUT=mid', 'k#2,PUT=old l#1,PUT=l'];
    const hint = 'after a tombstone, skip ALL older versions of its key: did you skip only one?';
    expect(scan(db(layers)), hint).toEqual(['l=l']);
    expect(scan(db(layers, { reverse: true })), hint).toEqual(['l=l']);
    expect(scan(db(layers, { sequence: 6 })), 'at snapshot 6 the tombstone (#9) is not yet written: k=mid').toEqual([
      'k=mid',
      'l=l',
    ]);
  });

  test('a version newer than the snapshot is invisible; an older visible one shows instead', () => {
    const layers = ['k#7,PUT=new', 'k#3,PUT=old m#8,PUT=m'];
    const hint = 'versions with a sequence above the snapshot were written after it: skip them';
    expect(scan(db(layers, { sequence: 5 })), hint).toEqual(['k=old']);
    expect(scan(db(layers, { sequence: 5, reverse: true })), hint).toEqual(['k=old']);
    expect(scan(db(layers, { sequence: 2 })), 'at snapshot 2 nothing was written yet').toEqual([]);
    expect(scan(db(layers, { sequence: 7 })), 'a version with sequence == snapshot is visible').toEqual(['k=new']);
    expect(scan(db(layers))).toEqual(['k=new', 'm=m']);
  });

  test('reverse iteration returns the NEWEST visible version of each key', () => {
    const layers = ['a#9,PUT=a-new b#8,PUT=b-new', 'a#4,PUT=a-old b#2,PUT=b-old', 'b#1,PUT=b-oldest'];
    expect(
      scan(db(layers, { reverse: true })),
      'walking backwards meets the OLDEST version of a key first: keep going until the key changes, and return the newest visible one',
    ).toEqual(['b=b-new', 'a=a-new']);
    expect(scan(db(layers, { reverse: true, sequence: 5 })), 'at snapshot 5, the newest visible versions are #4 and #2').toEqual([
      'b=b-old',
      'a=a-old',
    ]);
    expect(
      scan(db(['a#3,PUT=again', 'a#2,DEL', 'a#1,PUT=first'], { reverse: true })),
      'put, delete, put again: the newest version (a PUT) wins, backwards too',
    ).toEqual(['a=again']);
  });

  test('an exact tie between two sources: the lower source index (the newer one) wins, in both directions', () => {
    const layers = ['a#5,PUT=newer-source', 'a#5,PUT=older-source'];
    expect(scan(db(layers))).toEqual(['a=newer-source']);
    expect(scan(db(layers, { reverse: true }))).toEqual(['a=newer-source']);
  });

  test('seek(key) lands on the first key >= key, or with reverse on the last key <= key', () => {
    const layers = ['b#2,PUT=2 d#4,PUT=4 d#6,DEL f#7,PUT=7', 'd#1,PUT=old'];
    const forward = db(layers);
    forward.seek(utf8('c'));
    expect(now(forward), 'c is absent: the first key >= c is f (d is deleted at #6)').toBe('f=7');
    forward.seek(utf8('b'));
    expect(now(forward), 'seek can move backwards too: it repositions from scratch').toBe('b=2');
    forward.seek(utf8('g'));
    expect(now(forward), 'nothing >= g').toBe('invalid');

    const reverse = db(layers, { reverse: true });
    reverse.seek(utf8('e'));
    expect(now(reverse), 'reverse: the last key <= e is b (d is deleted)').toBe('b=2');
    reverse.seek(utf8('f'));
    expect(now(reverse), 'reverse: f itself is <= f').toBe('f=7');
    reverse.seek(utf8('a'));
    expect(now(reverse), 'nothing <= a').toBe('invalid');

    const bounded = db(layers, { range: { gt: utf8('b'), lt: utf8('f') } });
    bounded.seek(utf8('a'));
    expect(now(bounded), 'a target below the lower bound starts at the bound; d is deleted and f is out').toBe('invalid');
    const seekThenIterate = db(ABCDE);
    seekThenIterate.seek(utf8('c'));
    expect(scan(seekThenIterate), 'for...of after a seek continues from the seek').toEqual(['c=3', 'd=4', 'e=5']);
  });

  test('next and prev can be mixed: each is the next larger or smaller visible key', () => {
    const it = db(['a#10,PUT=a b#11,DEL c#12,PUT=c-new', 'a#1,PUT=a-old b#2,PUT=b c#3,PUT=c-old d#4,PUT=d']);
    it.seekToFirst();
    expect(now(it)).toBe('a=a');
    it.next();
    expect(now(it), 'b is deleted').toBe('c=c-new');
    it.prev();
    expect(now(it), 'prev() after next() skips the deleted b and returns a').toBe('a=a');
    it.next();
    expect(now(it), 'next() after prev(): skip every version of a, then b (deleted)').toBe('c=c-new');
    it.next();
    expect(now(it)).toBe('d=d');
    it.prev();
    expect(now(it), 'prev() must return c’s NEWEST version, c-new').toBe('c=c-new');
    it.seekToLast();
    expect(now(it)).toBe('d=d');
    it.next();
    expect(now(it)).toBe('invalid');
  });

  test('limit caps the entries for...of yields', () => {
    expect(scan(db(ABCDE, { limit: 2 }))).toEqual(['a=1', 'b=2']);
    expect(scan(db(ABCDE, { limit: 2, reverse: true }))).toEqual(['e=5', 'd=4']);
    expect(scan(db(ABCDE, { limit: 0 })), 'limit 0 yields nothing').toEqual([]);
    expect(scan(db(ABCDE, { limit: 99 }))).toEqual(['a=1', 'b=2', 'c=3', 'd=4', 'e=5']);
  });
});

describe('DbIterator: buffers, errors and close()', () => {
  test('a source that reuses one buffer for every key: keys returned stay intact, and deleted keys stay hidden', () => {
    // "b" after a deleted "apple": if the tombstone's key is kept as a view of
    // the source's buffer, the next step overwrites it with "byell..." and b
    // looks like an older version of the deleted key.
    const layers = ['apple#9,DEL b#8,PUT=yellow', 'apple#2,PUT=red c#3,PUT=dark', 'apple#1,PUT=green'];
    const want = ['b=yellow', 'c=dark'];
    const hint = 'the source overwrites its key buffer on every step: copy what you keep (the tombstone’s key, the current key)';
    expect(scan(db(layers, {}, { reuseBuffers: true })), hint).toEqual(want);
    expect(scan(db(layers, { reverse: true }, { reuseBuffers: true })), hint).toEqual([...want].reverse());

    for (const reverse of [false, true]) {
      const it = db(['a#1,PUT=first b#2,PUT=second'], {}, { reuseBuffers: true });
      if (reverse) it.seekToLast();
      else it.seekToFirst();
      const key = it.key();
      const value = it.value();
      if (reverse) it.prev();
      else it.next();
      expect(
        `${formatBytes(key)}=${formatBytes(value)}`,
        'a key and value returned earlier must not change when the cursor moves: return copies',
      ).toBe(reverse ? 'b=second' : 'a=first');
    }
  });

  test('a caller may modify the keys and values it was given: the scan goes on unaffected', () => {
    const layers = ['b#5,PUT=b-new c#6,DEL', 'b#1,PUT=b-old c#2,PUT=c d#3,PUT=d'];
    for (const reverse of [false, true]) {
      const got: string[] = [];
      for (const [k, v] of db(layers, { reverse })) {
        got.push(`${formatBytes(k)}=${formatBytes(v)}`);
        k.fill(0x7a); // a caller reusing the arrays it was given
        v.fill(0x7a);
      }
      expect(got, 'the iterator must not hand out the buffer it uses to skip older versions').toEqual(
        reverse ? ['d=d', 'b=b-new'] : ['b=b-new', 'd=d'],
      );
    }
  });

  test('a bounded scan stops at its bound: it does not read the rest of the data', () => {
    const many = Array.from({ length: 500 }, (_, i) => `k${String(i).padStart(3, '0')}#${i + 1},PUT=v`).join(' ');
    const source = new ArrayIterator(many);
    const forward = new DbIterator(source, { bounds: new RangeBounds({ gte: utf8('k100'), lt: utf8('k105') }) });
    expect(scan(forward)).toEqual(['k100=v', 'k101=v', 'k102=v', 'k103=v', 'k104=v']);
    expect(source.steps, 'stop at the first key past the upper bound: every later key is past it too').toBeLessThan(10);

    const back = new ArrayIterator(many);
    const reverse = new DbIterator(back, { bounds: new RangeBounds({ gt: utf8('k395'), lte: utf8('k399') }), reverse: true });
    expect(scan(reverse)).toEqual(['k399=v', 'k398=v', 'k397=v', 'k396=v']);
    expect(back.steps, 'reverse: stop at the first key below the lower bound, and seek to the upper bound instead of walking to it').toBeLessThan(10);

    const seeking = new ArrayIterator(many);
    const it = new DbIterator(seeking);
    it.seek(utf8('k250'));
    expect(now(it)).toBe('k250=v');
    const reverseSeeking = new ArrayIterator(many);
    const rit = new DbIterator(reverseSeeking, { reverse: true });
    rit.seek(utf8('k250'));
    expect(now(rit)).toBe('k250=v');
    expect(seeking.steps + reverseSeeking.steps, 'seek() must use the source’s seek, not walk from one end').toBeLessThan(10);
  });

  test('an error from a source comes out of next() and out of for...of: it is not the end of the data', () => {
    const disk = new IOError('read', '000012.sst', 'EIO');
    const failing: ArrayIteratorOptions = { failOn: { op: 'next', call: 3, error: disk } };
    const got: string[] = [];
    expect(() => {
      for (const [k] of db(ABCDE, {}, failing)) got.push(formatBytes(k));
    }, 'a failing read must surface as an error, never end the scan quietly').toThrow(disk);
    expect(got, 'the entries read before the failure were returned').toEqual(['a', 'b', 'c']);

    const it = db(ABCDE, {}, failing);
    it.seekToFirst();
    it.next();
    it.next();
    expect(now(it)).toBe('c=3');
    expect(() => it.next()).toThrow(disk);
    expect(it.valid(), 'after an error the cursor is not valid').toBe(false);

    const back = db(ABCDE, { reverse: true }, { failOn: { op: 'prev', call: 4, error: disk } });
    expect(() => scan(back), 'errors while walking backwards surface too').toThrow(disk);
  });

  test('close() closes every source; so does the end of a for...of loop, even one left early', () => {
    const sources = [new ArrayIterator('a#3,PUT=x'), new ArrayIterator('b#2,PUT=y'), new ArrayIterator('c#1,PUT=z')];
    const it = new DbIterator(new MergingIterator(sources), { bounds: new RangeBounds() });
    it.seekToFirst();
    it.next();
    expect(now(it)).toBe('b=y');
    it.close();
    expect(
      sources.map((s) => s.closed),
      'close() must reach every source through the merging iterator',
    ).toEqual([true, true, true]);
    expect(it.valid()).toBe(false);
    expect(() => it.seekToFirst(), 'an iterator used after close()').toThrow(ClosedError);
    it.close(); // closing twice is allowed

    const early = [new ArrayIterator('a#3,PUT=x'), new ArrayIterator('b#2,PUT=y')];
    const loop = new DbIterator(new MergingIterator(early));
    for (const [k] of loop) {
      expect(formatBytes(k)).toBe('a');
      break;
    }
    expect(
      early.map((s) => s.closed),
      'a for...of loop owns the iterator: leaving it closes the sources',
    ).toEqual([true, true]);
  });

  test('a DbIterator works over any InternalIterator, a single source too, and at every snapshot', () => {
    const source: InternalIterator = new ArrayIterator('a#3,PUT=x a#1,PUT=y b#2,DEL');
    expect(scan(new DbIterator(source, { sequence: MAX_SEQUENCE }))).toEqual(['a=x']);
    expect(scan(new DbIterator(new ArrayIterator('a#3,PUT=x a#1,PUT=y b#2,PUT=z'), { sequence: 2 }))).toEqual(['a=y', 'b=z']);
    expect(scan(new DbIterator(new ArrayIterator('a#3,PUT=x'), { sequence: 0 })), 'snapshot 0 sees nothing').toEqual([]);
  });
});
