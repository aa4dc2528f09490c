/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 5's
 * LruCache, written differently from solutions/05-block-cache/lru-cache.ts.
 *
 * What differs:
 * - No linked list. The recency order is the insertion order of one
 *   JavaScript `Map`: a hit deletes the key and sets it again, which moves it
 *   to the end, so the map iterates least recently used first and
 *   `map.keys().next()` is the entry to evict. (The lesson mentions this
 *   trick and has learners build the list instead, to learn the list; the
 *   behaviour it asks for is the same.)
 * - The budget is tracked as `free` bytes (capacity − usage), not as usage.
 * - `set` makes room BEFORE it inserts: it evicts from the old end while
 *   `free < charge`, then inserts. The reference inserts first and then
 *   evicts while `usage > capacity`.
 *
 * Why it is still correct:
 * - Order: every get hit and every set re-inserts the key, so the map's order
 *   is exactly "least recently used first", the order the lesson asks for;
 *   a miss, has, peek and delete re-insert nothing.
 * - Evictions: both versions evict the oldest entries, in order, until the
 *   other entries' charges plus the new charge fit in the capacity; the new
 *   entry is never a candidate in either (here it is not in the map yet).
 *   So the same entries are evicted, in the same order, each reported once
 *   to onEvict after it has left the map and its charge is back in `free`.
 *   The loop ends: charge <= capacity, and free reaches capacity when the
 *   map is empty.
 * - Bounded: free >= 0 after every call, i.e. usage <= capacity; an entry
 *   whose charge exceeds the capacity is refused before anything is evicted,
 *   but the old entry under its key is still removed (it is stale).
 */

import { requireArgument } from '#toolkit/errors.ts';

/**
 * One cached entry: key, value and charge. Here it is only the record the map
 * holds; `next` and `prev` exist so that this module exports the same class
 * shape as the reference, and are never followed.
 */
export class LruNode<K, V> {
  /** Unused in this version (the map's order is the recency order). */
  next: LruNode<K, V> = this;
  /** Unused in this version (the map's order is the recency order). */
  prev: LruNode<K, V> = this;

  constructor(
    readonly key: K,
    public value: V,
    public charge: number,
  ) {}
}

/** Called with each entry the cache throws out to stay within its capacity. */
export type EvictionListener<K, V> = (key: K, value: V) => void;

/** Caches values by key within a capacity, evicting the least recently used first; see the file comment. */
export class LruCache<K, V> {
  /** key → entry, iterated least recently used first. */
  private readonly byRecency = new Map<K, LruNode<K, V>>();
  /** capacity − (sum of the cached charges). Never negative. */
  private free: number;

  /**
   * @param capacity the most the charges of the cached entries may add up to
   *   (bytes for a block cache). 0 caches nothing.
   * @param onEvict called with each entry thrown out to stay within the
   *   capacity, least recently used first, after it has left the cache.
   *   Not called for entries removed by `delete`, replaced by `set`, or
   *   dropped by `clear`.
   * @throws InvalidArgumentError if capacity is not an integer >= 0.
   */
  constructor(
    readonly capacity: number,
    private readonly onEvict?: EvictionListener<K, V>,
  ) {
    requireArgument(Number.isSafeInteger(capacity) && capacity >= 0, `capacity: expected an integer >= 0, got ${capacity}`);
    this.free = capacity;
  }

  /** The sum of the charges of the cached entries. */
  get usage(): number {
    return this.capacity - this.free;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.byRecency.size;
  }

  /** Returns true iff `key` is cached. Does not count as a use. */
  has(key: K): boolean {
    return this.byRecency.has(key);
  }

  /** Returns the value cached for `key`, or undefined, WITHOUT counting it as a use. */
  peek(key: K): V | undefined {
    return this.byRecency.get(key)?.value;
  }

  /** Returns the value cached for `key`, or undefined; a hit becomes the most recently used. */
  get(key: K): V | undefined {
    const node = this.byRecency.get(key);
    if (node === undefined) return undefined;
    // Delete and set again: the key moves to the end of the map's order.
    this.byRecency.delete(key);
    this.byRecency.set(key, node);
    return node.value;
  }

  /**
   * Caches `value` under `key` with cost `charge` as the most recently used
   * entry, replacing any entry under `key`, evicting least recently used
   * entries (reported to `onEvict`) first if it would not fit. An entry whose
   * charge alone exceeds the capacity is not cached and evicts nothing, but
   * the old entry under `key` is removed. Returns true iff the value was cached.
   * @throws InvalidArgumentError if charge is not an integer >= 0.
   */
  set(key: K, value: V, charge: number): boolean {
    requireArgument(Number.isSafeInteger(charge) && charge >= 0, `charge: expected an integer >= 0, got ${charge}`);
    this.remove(key);
    if (charge > this.capacity) return false;
    while (this.free < charge) {
      // free < charge <= capacity, so something is cached: the map's first key is the oldest.
      const victim = this.byRecency.values().next().value as LruNode<K, V>;
      this.byRecency.delete(victim.key);
      this.free += victim.charge;
      this.onEvict?.(victim.key, victim.value);
    }
    this.byRecency.set(key, new LruNode(key, value, charge));
    this.free -= charge;
    return true;
  }

  /** Removes the entry under `key`. Returns true iff there was one. */
  delete(key: K): boolean {
    return this.remove(key);
  }

  /** Removes every entry, without reporting them to `onEvict`. */
  clear(): void {
    this.byRecency.clear();
    this.free = this.capacity;
  }

  /** Returns the entries as [key, value] pairs, least recently used first. */
  entries(): [K, V][] {
    return Array.from(this.byRecency.values(), (node): [K, V] => [node.key, node.value]);
  }

  /** Returns the keys, least recently used first (LRU → MRU). */
  keys(): K[] {
    return Array.from(this.byRecency.keys());
  }

  /**
   * Checks this version's invariants: every entry is filed under its own key,
   * no charge exceeds the capacity, and free = capacity − (sum of charges) >= 0.
   * O(n), for tests. @throws Error naming the first broken one.
   */
  checkInvariants(): void {
    let sum = 0;
    for (const [key, node] of this.byRecency) {
      if (node.key !== key) throw new Error(`entry filed under ${String(key)} has key ${String(node.key)}`);
      if (!Number.isSafeInteger(node.charge) || node.charge < 0 || node.charge > this.capacity) {
        throw new Error(`entry ${String(key)} has charge ${node.charge}, outside 0..${this.capacity}`);
      }
      sum += node.charge;
    }
    if (this.free !== this.capacity - sum) throw new Error(`free is ${this.free}, but capacity − charges is ${this.capacity - sum}`);
    if (this.free < 0) throw new Error(`usage ${this.usage} > capacity ${this.capacity}`);
  }

  /** Removes `key`'s entry and returns its charge to `free`; no onEvict. */
  private remove(key: K): boolean {
    const node = this.byRecency.get(key);
    if (node === undefined) return false;
    this.byRecency.delete(key);
    this.free += node.charge;
    return true;
  }
}
