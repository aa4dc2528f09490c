/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 1's
 * skiplist, written differently from solutions/01-memtable/skiplist.ts.
 *
 * What differs:
 * - Heights come from ONE draw per node of a different generator
 *   (Marsaglia's xorshift32, not the toolkit's SplitMix32): the height is
 *   1 + the number of whole pairs of zero bits at the low end of the 32-bit
 *   word. Each pair is 00 with probability 1/4, so P(height >= k) =
 *   (1/4)^(k-1), the same geometric law as the reference's repeated
 *   "below(4) === 0" coin, with one random number per node instead of one
 *   per level.
 * - MAX_HEIGHT is 16, not 12: a 32-bit word holds 16 pairs (4^16 ≈ 4.3
 *   billion entries, far more than needed; the extra head links cost
 *   nothing per node).
 * - No `height` field: every search starts at the head's top level. Levels
 *   nothing is linked at yet are crossed in one read each (head.next[level]
 *   is undefined), so they cost no comparison, and the predecessor at such a
 *   level is automatically the head: insert needs no "raise the height" case.
 * - The descent is recursive (`descend`: run along one level, then recurse
 *   one level down from where it stopped), and insert asks a separate
 *   predecessor search (`predecessors`) for a fresh array of every level's
 *   predecessor, instead of reusing one scratch array.
 *
 * Why it is still correct:
 * - `descend(key, node, level)` returns the last node < key on levels
 *   level..0, starting from `node` (the head or a node < key): at each level
 *   it moves right only over nodes < key, and a node reached on level i is
 *   also on every level below it, so continuing from it on level i - 1
 *   skips no smaller node. On level 0 every node is linked, so the result is
 *   the last node < key overall; its next[0] is the first node >= key.
 * - The predecessors it records are exactly the last node < key on each
 *   level, so splicing the new node after them at levels 0..h-1 keeps every
 *   level sorted and makes level i link exactly the nodes taller than i.
 * - Expected cost is the usual O(log n): at most MAX_HEIGHT extra reads of
 *   the head's empty levels, and about 4 nodes per level on the ~log4 n
 *   levels in use, as in the reference.
 *
 * Not thread-safe.
 */

/** The tallest a node can be: 16 pairs of bits in one 32-bit word, enough for 4^16 entries at p = 1/4. */
export const MAX_HEIGHT = 16;

/** A node links to the next node at each of its levels. */
export class SkipListNode<K, V> {
  /** next[i] is the following node at level i, or undefined at the end; next.length is the node's height. */
  readonly next: (SkipListNode<K, V> | undefined)[];

  constructor(
    readonly key: K,
    readonly value: V,
    height: number,
  ) {
    this.next = new Array<SkipListNode<K, V> | undefined>(height).fill(undefined);
  }
}

/** Keeps nodes sorted by key under `compare`, with O(log n) expected search and insert; see the file comment. */
export class SkipList<K, V> {
  /** The sentinel before the first node, MAX_HEIGHT tall. Its key is never compared. */
  private readonly head = new SkipListNode<K, V>(undefined as K, undefined as V, MAX_HEIGHT);
  private count = 0;
  /** xorshift32 state; never 0 (xorshift32 maps 0 to 0 forever). */
  private state: number;

  /**
   * @param compare returns a negative number iff a < b, 0 iff equal, positive iff a > b.
   * @param seed seeds the node heights, so the shape is the same on every run.
   */
  constructor(
    private readonly compare: (a: K, b: K) => number,
    seed = 0x5eed,
  ) {
    // Scatter small seeds (1, 2, 3, ...) over the 32 bits, and avoid the one forbidden state.
    this.state = Math.imul((seed >>> 0) ^ 0x6a09e667, 0x9e3779b1) >>> 0 || 0x6a09e667;
  }

  /** Number of nodes. */
  get length(): number {
    return this.count;
  }

  /** Returns a random height in 1..MAX_HEIGHT: each extra level with probability 1/4. */
  randomHeight(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    // x & -x keeps the lowest set bit; xorshift32 never yields 0, so it exists.
    const trailingZeros = 31 - Math.clz32(this.state & -this.state);
    return Math.min(1 + (trailingZeros >> 1), MAX_HEIGHT);
  }

  /**
   * Returns the first node whose key is >= `key`, or undefined if there is none.
   * If `prev` is given, sets prev[i] to the last node before that position at
   * every level i < MAX_HEIGHT (the head where nothing smaller is linked).
   */
  findGreaterOrEqual(key: K, prev?: SkipListNode<K, V>[]): SkipListNode<K, V> | undefined {
    return this.descend(key, this.head, MAX_HEIGHT - 1, prev).next[0];
  }

  /**
   * Inserts `key` with `value`. Returns false, and changes nothing, if an
   * equal key is already present.
   */
  insert(key: K, value: V): boolean {
    const before = this.predecessors(key);
    const successor = before[0]!.next[0];
    if (successor !== undefined && this.compare(successor.key, key) === 0) return false;
    const node = new SkipListNode(key, value, this.randomHeight());
    node.next.forEach((_, level) => {
      const left = before[level]!;
      node.next[level] = left.next[level];
      left.next[level] = node;
    });
    this.count++;
    return true;
  }

  /** Returns the last node whose key is < `key`, or undefined if there is none. */
  findLessThan(key: K): SkipListNode<K, V> | undefined {
    const node = this.descend(key, this.head, MAX_HEIGHT - 1);
    return node === this.head ? undefined : node;
  }

  /** Returns the last node, or undefined if the list is empty. */
  findLast(): SkipListNode<K, V> | undefined {
    let node = this.head;
    let level = MAX_HEIGHT - 1;
    while (level >= 0) {
      const next = node.next[level];
      if (next === undefined) level--; // The end of this level: drop.
      else node = next;
    }
    return node === this.head ? undefined : node;
  }

  /** Returns the first node, or undefined if the list is empty. */
  first(): SkipListNode<K, V> | undefined {
    return this.head.next[0];
  }

  /** Iterates over [key, value] pairs in order. */
  *entries(): IterableIterator<[K, V]> {
    for (let node = this.first(); node !== undefined; node = node.next[0]) yield [node.key, node.value];
  }

  /** The last node < key at every level, index = level: where a new node for `key` goes. */
  private predecessors(key: K): SkipListNode<K, V>[] {
    const before: SkipListNode<K, V>[] = [];
    this.descend(key, this.head, MAX_HEIGHT - 1, before);
    return before;
  }

  /**
   * From `node` (the head or a node < key) on `level`, moves right while the
   * next key is < `key`, records where it stopped in `prev[level]`, and
   * continues one level down from there. Returns the node it stops at on
   * level 0: the last node < key (the head if there is none).
   */
  private descend(key: K, node: SkipListNode<K, V>, level: number, prev?: SkipListNode<K, V>[]): SkipListNode<K, V> {
    let at = node;
    for (let next = at.next[level]; next !== undefined && this.compare(next.key, key) < 0; next = at.next[level]) at = next;
    if (prev !== undefined) prev[level] = at;
    return level === 0 ? at : this.descend(key, at, level - 1, prev);
  }
}
