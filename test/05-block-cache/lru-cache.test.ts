/**
 * Tasks 5.1–5.5: the LRU cache. Scripted cases first (the exact LRU → MRU
 * order after each step), then a property against a model LRU kept in an
 * array. Keys are short strings and charges small numbers, so a failing
 * case reads like a worked example.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '#toolkit/errors.ts';
import { LruCache } from '#cache/lru-cache.ts';

/** A cache of strings with capacity `capacity`, recording every eviction in `evicted`. */
function cacheOf(capacity: number): { cache: LruCache<string, string>; evicted: string[] } {
  const evicted: string[] = [];
  const cache = new LruCache<string, string>(capacity, (key, value) => {
    evicted.push(key);
    expect(value, `onEvict('${key}') must receive the value cached under '${key}'`).toBe(`v-${key}`);
  });
  return { cache, evicted };
}

/** Sets each key with value "v-<key>" and charge 1. */
function fill(cache: LruCache<string, string>, keys: readonly string[]): void {
  for (const k of keys) cache.set(k, `v-${k}`, 1);
}

describe('LruCache: recency order (tasks 5.1–5.3)', () => {
  test('keys() lists entries least recently used first after a scripted mix of sets and gets', () => {
    const { cache } = cacheOf(100);
    fill(cache, ['a', 'b', 'c']);
    expect(cache.keys(), 'three sets: the first set is the least recent, the last set the most recent').toEqual([
      'a',
      'b',
      'c',
    ]);
    cache.get('a');
    expect(cache.keys(), "get('a') must move 'a' to the most recently used end").toEqual(['b', 'c', 'a']);
    cache.get('c');
    cache.set('d', 'v-d', 1);
    cache.get('b');
    expect(cache.keys(), "after get(a), get(c), set(d), get(b): b was touched last").toEqual(['a', 'c', 'd', 'b']);
    cache.get('b');
    expect(cache.keys(), 'getting the most recently used entry again changes nothing').toEqual(['a', 'c', 'd', 'b']);
    expect(cache.size).toBe(4);
    cache.checkInvariants();
  });

  test('a get returns the value and moves the entry to the front; a miss returns undefined and moves nothing', () => {
    const { cache } = cacheOf(10);
    fill(cache, ['x', 'y', 'z']);
    expect(cache.get('x'), 'a hit returns the cached value').toBe('v-x');
    expect(cache.keys()).toEqual(['y', 'z', 'x']);
    expect(cache.get('nope'), 'a miss returns undefined').toBeUndefined();
    expect(cache.keys(), 'a miss must not reorder anything').toEqual(['y', 'z', 'x']);
    expect(cache.get('y')).toBe('v-y');
    expect(cache.get('z')).toBe('v-z');
    expect(cache.keys()).toEqual(['x', 'y', 'z']);
    cache.checkInvariants();
  });

  test('the list stays linked both ways: a walk from the front and one from the back agree after every move', () => {
    // checkInvariants() follows `next` from the front; keys() follows `prev`
    // from the back. A pushFront or unlink that forgets one of its four
    // links passes one walk and fails the other.
    const { cache } = cacheOf(100);
    fill(cache, ['a', 'b', 'c', 'd']);
    for (const k of ['b', 'd', 'a', 'a', 'c', 'b']) {
      cache.get(k);
      expect(() => cache.checkInvariants(), `after get('${k}'): did unlink/pushFront update both prev and next?`).not.toThrow();
    }
    expect(cache.keys()).toEqual(['d', 'a', 'c', 'b']);
  });
});

describe('LruCache: set, replace and evict (task 5.4)', () => {
  test('replacing a key updates its value and charge and makes it the most recently used', () => {
    const { cache, evicted } = cacheOf(10);
    cache.set('a', 'v-a', 2);
    cache.set('b', 'v-b', 3);
    expect(cache.usage).toBe(5);
    cache.set('a', 'v-a', 6);
    expect(cache.get('a'), 'the replaced value is returned').toBe('v-a');
    expect(cache.usage, "replacing 'a' (2 → 6 bytes): usage must drop the old charge before adding the new one").toBe(9);
    expect(cache.size, 'a replace must not add a second entry for the same key').toBe(1 + 1);
    cache.set('b', 'v-b', 1);
    expect(cache.keys(), "replacing 'b' moves it to the front").toEqual(['a', 'b']);
    expect(cache.usage).toBe(7);
    expect(evicted, 'nothing was over capacity, so nothing is evicted').toEqual([]);
    cache.set('b', 'v-b', 4);
    expect(cache.usage).toBe(10);
    cache.checkInvariants();
  });

  test('eviction removes the least recently used entry first, not the most recent one', () => {
    const { cache, evicted } = cacheOf(3);
    fill(cache, ['a', 'b', 'c']);
    cache.get('a'); // Now 'b' is the least recently used.
    cache.set('d', 'v-d', 1);
    const hint =
      evicted[0] === 'a'
        ? "evicted 'a' but 'b' was least recently used: does get() move a hit to the front?"
        : evicted[0] === 'd'
          ? "evicted 'd', the entry just inserted: evict from the back (head.prev), not the front"
          : "the least recently used entry was 'b'";
    expect(evicted, hint).toEqual(['b']);
    expect(cache.keys()).toEqual(['c', 'a', 'd']);
    expect(cache.get('b'), 'an evicted entry is gone').toBeUndefined();
    expect(cache.usage).toBe(3);
    cache.checkInvariants();
  });

  test('one large insert evicts as many entries as it takes, oldest first, each reported once, in order', () => {
    const { cache, evicted } = cacheOf(10);
    for (const k of ['a', 'b', 'c', 'd', 'e']) cache.set(k, `v-${k}`, 2);
    cache.get('b');
    cache.set('big', 'v-big', 7);
    // LRU → MRU before the insert: a c d e b. Freeing 7 bytes of 10 takes a, c, d, e (8 bytes).
    expect(evicted, 'onEvict once per evicted entry, least recently used first').toEqual(['a', 'c', 'd', 'e']);
    expect(cache.keys()).toEqual(['b', 'big']);
    expect(cache.usage, 'usage after eviction: b (2) + big (7)').toBe(9);
    cache.set('f', 'v-f', 1);
    expect(evicted, 'exactly at capacity (10 of 10) is allowed: nothing more to evict').toEqual(['a', 'c', 'd', 'e']);
    expect(cache.usage).toBe(10);
    cache.checkInvariants();
  });

  test('charge is counted in bytes, not entries: one entry of 6 bytes pushes out three of 2', () => {
    const { cache, evicted } = cacheOf(8);
    for (const k of ['p', 'q', 'r', 's']) cache.set(k, `v-${k}`, 2);
    expect(cache.size).toBe(4);
    cache.set('t', 'v-t', 6);
    expect(evicted, 'usage 8 + 6 = 14 > 8: three 2-byte entries must go').toEqual(['p', 'q', 'r']);
    expect(cache.size).toBe(2);
    expect(cache.usage).toBe(8);
  });

  test('an entry larger than the whole capacity is not cached and evicts nothing', () => {
    const { cache, evicted } = cacheOf(5);
    fill(cache, ['a', 'b']);
    expect(cache.set('huge', 'v-huge', 6), 'set returns false when the entry cannot be cached').toBe(false);
    expect(evicted, 'an entry too large to ever fit must not flush the cache on its way').toEqual([]);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.keys()).toEqual(['a', 'b']);
    expect(cache.usage).toBe(2);
    expect(cache.set('fits', 'v-fits', 3), 'an entry exactly filling what is left fits').toBe(true);
    // A replace with a value too large drops the old one: it is stale now.
    expect(cache.set('a', 'v-a', 99)).toBe(false);
    expect(cache.get('a'), 'the old value under a key replaced by a too-large one must not be served').toBeUndefined();
    expect(cache.usage).toBe(4);
    expect(() => cache.set('neg', 'v-neg', -1)).toThrow(InvalidArgumentError);
    cache.checkInvariants();
  });

  test('a cache of capacity 0 caches nothing', () => {
    const { cache, evicted } = cacheOf(0);
    expect(cache.set('a', 'v-a', 1)).toBe(false);
    expect(cache.set('free', 'v-free', 0), 'a zero charge fits even in a zero capacity').toBe(true);
    expect(cache.keys()).toEqual(['free']);
    expect(evicted).toEqual([]);
  });
});

describe('LruCache: delete (task 5.5)', () => {
  test('delete removes the entry, gives its charge back, and keeps the order of the rest', () => {
    const { cache, evicted } = cacheOf(10);
    cache.set('a', 'v-a', 3);
    cache.set('b', 'v-b', 4);
    cache.set('c', 'v-c', 2);
    expect(cache.delete('b'), 'delete returns true when there was an entry').toBe(true);
    expect(cache.keys()).toEqual(['a', 'c']);
    expect(cache.usage, "deleting 'b' gives its 4 bytes back").toBe(5);
    expect(cache.get('b')).toBeUndefined();
    expect(evicted, 'a delete is not an eviction: onEvict is not called').toEqual([]);
    cache.set('d', 'v-d', 5);
    expect(evicted, "the 4 bytes of the deleted 'b' are free again: 10 of 10 fits").toEqual([]);
    cache.checkInvariants();
  });

  test('deleting a missing key, or the same key twice, is harmless', () => {
    const { cache } = cacheOf(10);
    fill(cache, ['a', 'b']);
    expect(cache.delete('zzz'), 'no entry: delete returns false').toBe(false);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a'), 'already deleted: false, and usage must not go down twice').toBe(false);
    expect(cache.usage).toBe(1);
    expect(cache.keys()).toEqual(['b']);
    expect(cache.delete('b')).toBe(true);
    expect(cache.keys(), 'deleting the last entry leaves an empty list').toEqual([]);
    expect(cache.usage).toBe(0);
    fill(cache, ['c']);
    expect(cache.keys(), 'an emptied cache works again').toEqual(['c']);
    cache.checkInvariants();
  });
});

/** One step of a random run. */
type Op =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'set'; readonly key: string; readonly charge: number }
  | { readonly op: 'delete'; readonly key: string };

/** The model: an array of [key, charge], least recently used first. Slow and obviously right. */
class ModelLru {
  entries: [string, number][] = [];
  evicted: string[] = [];
  constructor(readonly capacity: number) {}

  private indexOf(key: string): number {
    return this.entries.findIndex(([k]) => k === key);
  }

  get usage(): number {
    return this.entries.reduce((sum, [, c]) => sum + c, 0);
  }

  get(key: string): boolean {
    const i = this.indexOf(key);
    if (i < 0) return false;
    this.entries.push(...this.entries.splice(i, 1));
    return true;
  }

  set(key: string, charge: number): boolean {
    this.delete(key);
    if (charge > this.capacity) return false;
    this.entries.push([key, charge]);
    while (this.usage > this.capacity) this.evicted.push(this.entries.shift()![0]);
    return true;
  }

  delete(key: string): boolean {
    const i = this.indexOf(key);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
}

const opArbitrary = (capacity: number): fc.Arbitrary<Op> => {
  const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
  return fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('get' as const), key }), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant('set' as const), key, charge: fc.integer({ min: 0, max: capacity + 2 }) }), weight: 4 },
    { arbitrary: fc.record({ op: fc.constant('delete' as const), key }), weight: 1 },
  );
};

describe('LruCache: against a model (tasks 5.1–5.5)', () => {
  test('any sequence of get/set/delete: usage <= capacity, usage = sum of charges, same keys in the same order as the model', () => {
    const run = fc.integer({ min: 0, max: 12 }).chain((capacity) =>
      fc.tuple(fc.constant(capacity), fc.array(opArbitrary(capacity), { minLength: 1, maxLength: 60 })),
    );
    fc.assert(
      fc.property(run, ([capacity, ops]) => {
        const model = new ModelLru(capacity);
        const evicted: string[] = [];
        const cache = new LruCache<string, number>(capacity, (key) => evicted.push(key));
        ops.forEach((step, i) => {
          const where = `step ${i} (${JSON.stringify(step)})`;
          if (step.op === 'get') {
            const hit = model.get(step.key);
            expect(cache.get(step.key) !== undefined, `${where}: hit or miss`).toBe(hit);
          } else if (step.op === 'set') {
            expect(cache.set(step.key, step.charge, step.charge), `${where}: set's result`).toBe(model.set(step.key, step.charge));
          } else {
            expect(cache.delete(step.key), `${where}: delete's result`).toBe(model.delete(step.key));
          }
          expect(cache.usage, `${where}: usage must never exceed the capacity ${capacity}`).toBeLessThanOrEqual(capacity);
          expect(cache.usage, `${where}: usage must equal the sum of the cached charges`).toBe(model.usage);
          expect(cache.keys(), `${where}: keys, least recently used first`).toEqual(model.entries.map(([k]) => k));
          expect(cache.size).toBe(model.entries.length);
          expect(evicted, `${where}: evictions so far, in order`).toEqual(model.evicted);
          cache.checkInvariants();
        });
      }),
    );
  });
});
