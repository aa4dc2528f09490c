/**
 * Tasks 1.2–1.5: the skiplist. Small lists of numbers first, then its shape
 * (walking `node.next` at every level), then a property against a sorted
 * array. The list is generic, so numbers keep these cases easy to read.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SeededRandom } from '#toolkit/random.ts';
import { MAX_HEIGHT, SkipList, type SkipListNode } from '#memtable/skiplist.ts';

const byNumber = (a: number, b: number): number => a - b;

/** Builds a list of numbers; each value is the key's label, e.g. 30 -> "v30". */
function listOf(keys: readonly number[], seed?: number): SkipList<number, string> {
  const list = new SkipList<number, string>(byNumber, seed);
  for (const k of keys) list.insert(k, `v${k}`);
  return list;
}

/** The keys of level 0, read by following node.next[0] from the first node (at most length + 1 of them, in case of a cycle). */
function levelZeroKeys<K, V>(list: SkipList<K, V>): K[] {
  const keys: K[] = [];
  for (let node = list.first(); node !== undefined && keys.length <= list.length; node = node.next[0]) keys.push(node.key);
  return keys;
}

/** Returns `count` distinct integers 0..count-1 in a shuffled order (deterministic). */
function shuffled(count: number, seed: number): number[] {
  const random = new SeededRandom(seed);
  const keys = Array.from({ length: count }, (_, i) => i);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  return keys;
}

const keyOf = <K, V>(node: SkipListNode<K, V> | undefined): K | undefined => node?.key;

describe('SkipList: insert and search on small cases (tasks 1.2, 1.3)', () => {
  test('every inserted key is found again, with its value, and level 0 holds them in order', () => {
    const list = listOf([30, 5, 47, 12, 19, 41]);
    expect(list.length, 'length counts the nodes inserted').toBe(6);
    for (const k of [5, 12, 19, 30, 41, 47]) {
      const node = list.findGreaterOrEqual(k);
      expect(node?.key, `findGreaterOrEqual(${k}) must find the node with key ${k}`).toBe(k);
      expect(node?.value, `the node for ${k} must hold the value inserted with it`).toBe(`v${k}`);
    }
    expect(levelZeroKeys(list), 'level 0 links every node in ascending key order, whatever the insert order').toEqual([
      5, 12, 19, 30, 41, 47,
    ]);
    expect([...list.entries()].map(([k]) => k)).toEqual([5, 12, 19, 30, 41, 47]);
  });

  test('inserting a key that is already present returns false and changes nothing', () => {
    const list = listOf([10, 20, 30]);
    expect(list.insert(20, 'other'), 'insert must return false when an equal key is present').toBe(false);
    expect(list.length, 'a rejected insert must not change the length').toBe(3);
    expect(list.findGreaterOrEqual(20)?.value, 'a rejected insert must keep the old value').toBe('v20');
    expect(levelZeroKeys(list), 'a rejected insert must not link a second node').toEqual([10, 20, 30]);
    expect(list.insert(25, 'v25'), 'insert returns true when the key is new').toBe(true);
    expect(list.length).toBe(4);
  });

  test('a one-node list: the first insert works at any height', () => {
    // Seeds give the first node different heights: the levels above the list's
    // height start at the head, so prev[] must be filled in for them.
    for (let seed = 1; seed <= 40; seed++) {
      const list = listOf([7], seed);
      expect(list.findGreaterOrEqual(7)?.key, `seed ${seed}: the only key must be found`).toBe(7);
      expect(list.findGreaterOrEqual(8), `seed ${seed}: nothing is >= 8`).toBeUndefined();
      expect(levelZeroKeys(list)).toEqual([7]);
    }
  });
});

describe('SkipList: searches at, between and outside keys (tasks 1.2, 1.4, 1.5)', () => {
  test('findGreaterOrEqual returns the first node >= the key', () => {
    const list = listOf([20, 10, 30]);
    expect(keyOf(list.findGreaterOrEqual(20)), 'at a key: that node ("or equal")').toBe(20);
    expect(keyOf(list.findGreaterOrEqual(15)), 'between keys: the next larger one').toBe(20);
    expect(keyOf(list.findGreaterOrEqual(0)), 'before the first key: the first node').toBe(10);
    expect(keyOf(list.findGreaterOrEqual(10))).toBe(10);
    expect(keyOf(list.findGreaterOrEqual(30))).toBe(30);
    expect(list.findGreaterOrEqual(31), 'past the last key: undefined').toBeUndefined();
  });

  test('findLessThan returns the last node strictly < the key', () => {
    const list = listOf([20, 10, 30]);
    expect(keyOf(list.findLessThan(20)), 'at a key: the node before it (strictly less, not equal)').toBe(10);
    expect(keyOf(list.findLessThan(25)), 'between keys: the next smaller one').toBe(20);
    expect(keyOf(list.findLessThan(30))).toBe(20);
    expect(keyOf(list.findLessThan(100)), 'past the last key: the last node').toBe(30);
    expect(list.findLessThan(10), 'at the first key: nothing is smaller, so undefined (never the head sentinel)').toBeUndefined();
    expect(list.findLessThan(5), 'before the first key: undefined').toBeUndefined();
  });

  test('findLast returns the largest key, whatever the order of inserts', () => {
    for (const keys of [[42], [2, 1], [1, 2], shuffled(100, 7), shuffled(1000, 8)]) {
      const list = listOf(keys);
      expect(keyOf(list.findLast()), `last of ${keys.length} keys`).toBe(Math.max(...keys));
      list.insert(-1, 'small');
      expect(keyOf(list.findLast()), 'a smaller key inserted later does not change the last').toBe(Math.max(...keys));
      list.insert(5000, 'big');
      expect(keyOf(list.findLast()), 'a larger key inserted later becomes the last').toBe(5000);
    }
  });

  test('an empty list: every search finds nothing', () => {
    const list = new SkipList<number, string>(byNumber);
    expect(list.length).toBe(0);
    expect(list.findGreaterOrEqual(0), 'findGreaterOrEqual on an empty list').toBeUndefined();
    expect(list.findLessThan(0), 'findLessThan on an empty list: never return the head sentinel').toBeUndefined();
    expect(list.findLast(), 'findLast on an empty list: never return the head sentinel').toBeUndefined();
    expect(list.first()).toBeUndefined();
  });
});

describe('SkipList: shape (task 1.3)', () => {
  test('level 0 is sorted and each level links exactly the nodes tall enough for it, in order', () => {
    const keys = shuffled(2000, 42);
    const list = listOf(keys);
    const nodes: SkipListNode<number, string>[] = [];
    for (let node = list.first(); node !== undefined; node = node.next[0]) nodes.push(node);
    expect(nodes.length, 'level 0 must link every node').toBe(keys.length);
    for (let i = 1; i < nodes.length; i++) {
      expect(nodes[i - 1]!.key < nodes[i]!.key, `level 0 must be strictly increasing at position ${i}`).toBe(true);
    }
    for (const node of nodes) {
      expect(node.next.length, 'a node is 1 to MAX_HEIGHT levels tall').toBeGreaterThanOrEqual(1);
      expect(node.next.length).toBeLessThanOrEqual(MAX_HEIGHT);
    }
    for (let level = 1; level < MAX_HEIGHT; level++) {
      // Level `level` must be the subsequence of level 0 made of the nodes with a height > level.
      const want = nodes.filter((n) => n.next.length > level).map((n) => n.key);
      const got: number[] = [];
      const first = nodes.find((n) => n.next.length > level);
      for (let node = first; node !== undefined && got.length <= want.length; node = node.next[level]) got.push(node.key);
      expect(
        got,
        `level ${level} must link, in key order, every node whose height is > ${level}: ` +
          'did insert link the new node at each of its levels, after prev[level]?',
      ).toEqual(want);
    }
  });

  test('node heights follow p = 1/4: about a quarter reach level 1, a sixteenth level 2', () => {
    const list = listOf(shuffled(8000, 3));
    const heights: number[] = [];
    for (let node = list.first(); node !== undefined; node = node.next[0]) heights.push(node.next.length);
    const atLeast = (h: number): number => heights.filter((x) => x >= h).length / heights.length;
    const hint = 'give each new node the height randomHeight() returns';
    expect(atLeast(2), `about 1/4 of the nodes have height >= 2: ${hint}`).toBeGreaterThan(0.2);
    expect(atLeast(2), `about 1/4 of the nodes have height >= 2: ${hint}`).toBeLessThan(0.3);
    expect(atLeast(3), `about 1/16 of the nodes have height >= 3: ${hint}`).toBeGreaterThan(0.04);
    expect(atLeast(3), `about 1/16 of the nodes have height >= 3: ${hint}`).toBeLessThan(0.09);
  });

  test('findLast takes the express lanes: O(log n) steps, not a walk along level 0', () => {
    const n = 4096;
    const list = listOf(shuffled(n, 5));
    // Count every read of a node's links by wrapping each node's next array in a Proxy.
    let steps = 0;
    const nodes: SkipListNode<number, string>[] = [];
    for (let node = list.first(); node !== undefined; node = node.next[0]) nodes.push(node);
    for (const node of nodes) {
      const counted = new Proxy(node.next, {
        get(target, property, receiver) {
          if (typeof property === 'string' && /^\d+$/.test(property)) steps++;
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
      Object.defineProperty(node, 'next', { value: counted });
    }
    expect(keyOf(list.findLast())).toBe(n - 1);
    // With p = 1/4, about 4 * log4(4096) = 24 steps; level 0 alone takes 4096.
    expect(steps, 'findLast: move right on the top level as far as you can, then drop a level; level 0 alone is O(n)').toBeLessThan(150);
  });

  test('a search costs O(log n) comparisons, not a walk along level 0', () => {
    let comparisons = 0;
    const counting = (a: number, b: number): number => {
      comparisons++;
      return a - b;
    };
    const n = 4096;
    const list = new SkipList<number, string>(counting);
    for (const k of shuffled(n, 11)) list.insert(2 * k, `v${k}`); // even keys, so odd targets fall between
    const average = (search: (target: number) => unknown): number => {
      comparisons = 0;
      for (let t = 0; t < 2 * n; t++) search(t);
      return comparisons / (2 * n);
    };
    // With p = 1/4, a search takes about 4 * log4(n) = 24 comparisons here; level 0 alone takes n/2 = 2048.
    const hint = 'start at the top level and drop a level only when the next key is not smaller than the target';
    expect(average((t) => list.findGreaterOrEqual(t)), `findGreaterOrEqual: ${hint}`).toBeLessThan(60);
    expect(average((t) => list.findLessThan(t)), `findLessThan: ${hint}`).toBeLessThan(60);
    comparisons = 0;
    list.insert(-1, 'new');
    expect(comparisons, 'insert searches like findGreaterOrEqual: O(log n) comparisons').toBeLessThan(120);
  });
});

describe('SkipList, by property (tasks 1.2–1.5)', () => {
  test('random inserts then seeks agree with a sorted array', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -40, max: 40 }), { maxLength: 120 }),
        fc.array(fc.integer({ min: -45, max: 45 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 0xffff }),
        (inserts, queries, seed) => {
          const list = new SkipList<number, number>(byNumber, seed);
          const model: number[] = []; // sorted, no duplicates
          for (const [i, k] of inserts.entries()) {
            const isNew = !model.includes(k);
            expect(list.insert(k, i), `insert(${k}) returns true iff ${k} was not present`).toBe(isNew);
            if (isNew) {
              model.push(k);
              model.sort(byNumber);
            }
          }
          expect(list.length).toBe(model.length);
          expect(levelZeroKeys(list)).toEqual(model);
          expect(keyOf(list.findLast()), 'findLast is the largest key').toBe(model.at(-1));
          for (const q of queries) {
            expect(keyOf(list.findGreaterOrEqual(q)), `findGreaterOrEqual(${q})`).toBe(model.find((k) => k >= q));
            expect(keyOf(list.findLessThan(q)), `findLessThan(${q})`).toBe([...model].reverse().find((k) => k < q));
          }
        },
      ),
    );
  });
});
