/**
 * A skiplist: a sorted linked list with express lanes.
 *
 *     level 2:  head ────────────────────────► 30 ──────────────────► nil
 *     level 1:  head ──────────► 12 ─────────► 30 ─────────► 47 ────► nil
 *     level 0:  head ──► 5 ────► 12 ──► 19 ──► 30 ──► 41 ──► 47 ────► nil
 *
 * Each node gets a random height when inserted: 1 with probability 3/4, 2
 * with 3/16, ... (each further level with probability 1/4). A search starts
 * at the top level of the head, moves right while the next key is smaller
 * than the target, and drops a level when it is not: O(log n) expected steps,
 * with no rebalancing ever. That is why LevelDB, RocksDB and most LSM engines
 * keep their memtable in one: inserts are cheap and iteration in order is a
 * walk along level 0.
 *
 * Invariants:
 * 1. Level 0 links every node in strictly increasing key order (no duplicates).
 * 2. Every level i > 0 links a subsequence of the nodes of level i - 1.
 * 3. A node of height h is linked at levels 0 .. h - 1 and nowhere else.
 * 4. `height` is the largest height of any node (1 when empty); head links
 *    at levels >= height are undefined.
 *
 * Not thread-safe; JavaScript has one thread per memtable anyway.
 */

import { SeededRandom } from '#toolkit/random.ts';

/** The tallest a node can be: enough for 4^12 = 16 M entries at p = 1/4. */
export const MAX_HEIGHT = 12;

/** A node links to the next node at each of its levels. */
export class SkipListNode<K, V> {
  /** next[i] is the following node at level i, or undefined at the end. */
  readonly next: (SkipListNode<K, V> | undefined)[];

  constructor(
    readonly key: K,
    readonly value: V,
    height: number,
  ) {
    // Pushed one by one rather than `new Array(height)`: V8 keeps an array
    // made this way "packed" (no holes), and reads from it are faster.
    const next: (SkipListNode<K, V> | undefined)[] = [];
    for (let i = 0; i < height; i++) next.push(undefined);
    this.next = next;
  }
}

/** Keeps nodes sorted by key under `compare`, with O(log n) expected search and insert; see the file comment. */
export class SkipList<K, V> {
  /** A sentinel before the first node, as tall as a node can be. Its key is never read. */
  private readonly head = new SkipListNode<K, V>(undefined as K, undefined as V, MAX_HEIGHT);
  private height = 1;
  private count = 0;
  private readonly random: SeededRandom;
  /** Scratch space for insert's predecessors, reused so an insert allocates only its node. */
  private readonly prev: SkipListNode<K, V>[] = Array.from({ length: MAX_HEIGHT }, () => this.head);

  /**
   * @param compare returns a negative number iff a < b, 0 iff equal, positive iff a > b.
   * @param seed seeds the node heights, so the shape is the same on every run.
   */
  constructor(
    private readonly compare: (a: K, b: K) => number,
    seed = 0x5eed,
  ) {
    this.random = new SeededRandom(seed);
  }

  /** Number of nodes. */
  get length(): number {
    return this.count;
  }

  /** Returns a random height in 1..MAX_HEIGHT: each extra level with probability 1/4. */
  randomHeight(): number {
    let height = 1;
    while (height < MAX_HEIGHT && this.random.below(4) === 0) height++;
    return height;
  }

  /**
   * Returns the first node whose key is >= `key`, or undefined if there is none.
   * If `prev` is given, sets prev[i] to the last node before that position at
   * each level i < height (the head where nothing smaller is linked): exactly
   * the nodes whose links an insert must change.
   */
  findGreaterOrEqual(key: K, prev?: SkipListNode<K, V>[]): SkipListNode<K, V> | undefined {
    // #region task 1.2: walk down from the top level, moving right while the next key is smaller
    let node = this.head;
    // Stryker disable next-line ArithmeticOperator: starting above the height only reads the head's empty links and drops.
    let level = this.height - 1;
    for (;;) {
      const next = node.next[level];
      if (next !== undefined && this.compare(next.key, key) < 0) {
        node = next; // Still smaller: keep moving along this level.
      } else {
        if (prev !== undefined) prev[level] = node;
        if (level === 0) return next;
        level--; // Overshot (or the end): drop to a finer level.
      }
    }
    // #endregion
  }

  /**
   * Inserts `key` with `value`. Returns false, and changes nothing, if an
   * equal key is already present.
   */
  insert(key: K, value: V): boolean {
    // #region task 1.3: find the predecessors, pick a height, link the node in at each of its levels
    const prev = this.prev;
    const found = this.findGreaterOrEqual(key, prev);
    if (found !== undefined && this.compare(found.key, key) === 0) return false;
    const height = this.randomHeight();
    // Stryker disable next-line EqualityOperator: with height === this.height the block changes nothing.
    if (height > this.height) {
      // Levels the list never used before start at the head. (In this file prev
      // already holds the head there: searches only write below the height,
      // which never shrinks. The loop says so instead of relying on it.)
      // Stryker disable next-line ConditionalExpression,EqualityOperator: redundant with prev's initial value; see above.
      for (let level = this.height; level < height; level++) prev[level] = this.head;
      this.height = height;
    }
    const node = new SkipListNode(key, value, height);
    for (let level = 0; level < height; level++) {
      node.next[level] = prev[level]!.next[level];
      prev[level]!.next[level] = node;
    }
    this.count++;
    return true;
    // #endregion
  }

  /** Returns the last node whose key is < `key`, or undefined if there is none. */
  findLessThan(key: K): SkipListNode<K, V> | undefined {
    // #region task 1.4: like findGreaterOrEqual, but return the node you stop at
    let node = this.head;
    // Stryker disable next-line ArithmeticOperator: starting above the height only reads the head's empty links.
    for (let level = this.height - 1; level >= 0; level--) {
      for (let next = node.next[level]; next !== undefined && this.compare(next.key, key) < 0; next = node.next[level]) {
        node = next;
      }
    }
    return node === this.head ? undefined : node;
    // #endregion
  }

  /** Returns the last node, or undefined if the list is empty. */
  findLast(): SkipListNode<K, V> | undefined {
    // #region task 1.5: take the express lanes to the end
    let node = this.head;
    // Stryker disable next-line ArithmeticOperator: starting above the height only reads the head's empty links.
    for (let level = this.height - 1; level >= 0; level--) {
      for (let next = node.next[level]; next !== undefined; next = node.next[level]) node = next;
    }
    return node === this.head ? undefined : node;
    // #endregion
  }

  /** Returns the first node, or undefined if the list is empty. */
  first(): SkipListNode<K, V> | undefined {
    return this.head.next[0];
  }

  /** Iterates over [key, value] pairs in order. */
  *entries(): IterableIterator<[K, V]> {
    for (let node = this.first(); node !== undefined; node = node.next[0]) yield [node.key, node.value];
  }
}
