/**
 * LruCache: a cache bounded in bytes that, when full, throws out the entry
 * used least recently.
 *
 * Two structures hold the same entries. A `Map` finds a key's node in O(1).
 * A doubly-linked list orders the nodes by recency: a get or a set moves the
 * node to the front, so the back holds the least recently used one, and
 * eviction takes it from there, also in O(1). The list is circular around a
 * sentinel node, `head`, which holds no entry: `head.next` is the most
 * recently used node, `head.prev` the least recently used one, and an empty
 * list is the sentinel linked to itself. With the sentinel, unlinking and
 * pushing a node never need a special case for "first" or "last".
 *
 *     head ⇄ [most recent] ⇄ ... ⇄ [least recent] ⇄ (back to head)
 *
 * Every entry carries a `charge`: what it costs, in whatever unit the
 * capacity is in. The block cache charges a block's size in bytes; the table
 * cache charges 1 per open table, so its capacity counts open files.
 *
 * Invariants:
 * 1. `map` and the list hold the same nodes: node n is in the list iff
 *    `map.get(n.key) === n`.
 * 2. Following `next` from `head` visits every node once, most recently used
 *    first, and comes back to `head`; `prev` visits them in reverse
 *    (n.next.prev === n for every node, the sentinel included).
 * 3. `usage` is the sum of the charges of the entries, and after every public
 *    call usage <= capacity.
 * 4. No entry's charge exceeds the capacity: such an entry is never cached.
 *
 * Not thread-safe; JavaScript has one thread per cache anyway.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { requireArgument } from '#toolkit/errors.ts';

/** One entry of an {@link LruCache}: its key, value and charge, and its two list links. */
export class LruNode<K, V> {
  /** The next node towards the least recently used end (or the sentinel). */
  next: LruNode<K, V> = this;
  /** The next node towards the most recently used end (or the sentinel). */
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
  /** The sentinel: head.next is the most recently used node, head.prev the least. Its key and value are never read. */
  private readonly head = new LruNode<K, V>(undefined as K, undefined as V, 0);
  private readonly map = new Map<K, LruNode<K, V>>();
  private used = 0;

  /**
   * @param capacity the most the charges of the cached entries may add up to
   *   (bytes for a block cache). 0 caches nothing.
   * @param onEvict called with each entry thrown out to stay within the
   *   capacity, least recently used first, after it has left the cache.
   *   Not called for entries removed by `delete`, replaced by `set`, or
   *   dropped by `clear`: the caller did those itself.
   * @throws InvalidArgumentError if capacity is not an integer >= 0.
   */
  constructor(
    readonly capacity: number,
    private readonly onEvict?: EvictionListener<K, V>,
  ) {
    requireArgument(
      Number.isSafeInteger(capacity) && capacity >= 0,
      `cache capacity must be an integer >= 0, got ${capacity}`,
    );
  }

  /** The sum of the charges of the cached entries. */
  get usage(): number {
    return this.used;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.map.size;
  }

  /** Returns true iff `key` is cached. Does not count as a use. */
  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Returns the value cached for `key`, or undefined, WITHOUT counting it as a use (no move). */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  /**
   * Removes `node` from the list, joining its neighbours to each other.
   * REQUIRES: `node` is in the list (not the sentinel). Leaves `map` and
   * `usage` alone: the caller keeps those in step.
   */
  private unlink(node: LruNode<K, V>): void {
    // TODO(task 5.1): join the node's neighbours to each other, then point the node at itself
    throw new NotImplementedError("task 5.1 in chapters/05-block-cache/lru-cache.ts: join the node's neighbours to each other, then point the node at itself");
  }

  /**
   * Links `node` in at the front, right after the sentinel: it becomes the
   * most recently used. REQUIRES: `node` is not in the list.
   */
  private pushFront(node: LruNode<K, V>): void {
    // TODO(task 5.2): link the node between the sentinel and the current first node
    throw new NotImplementedError("task 5.2 in chapters/05-block-cache/lru-cache.ts: link the node between the sentinel and the current first node");
  }

  /**
   * Returns the value cached for `key`, or undefined if there is none. A hit
   * counts as a use: the entry becomes the most recently used.
   */
  get(key: K): V | undefined {
    // TODO(task 5.3): look the key up; on a hit, move its node to the front
    throw new NotImplementedError("task 5.3 in chapters/05-block-cache/lru-cache.ts: look the key up; on a hit, move its node to the front");
  }

  /**
   * Caches `value` under `key` with cost `charge`, as the most recently used
   * entry, replacing any entry already under `key`; then evicts least
   * recently used entries (reporting each to `onEvict`) until usage <=
   * capacity. An entry whose charge alone exceeds the capacity is not cached
   * and evicts nothing, but it still removes the old entry under `key`,
   * whose value is now stale.
   *
   * Returns true iff the value was cached.
   * @throws InvalidArgumentError if charge is not an integer >= 0.
   */
  set(key: K, value: V, charge: number): boolean {
    requireArgument(Number.isSafeInteger(charge) && charge >= 0, `cache charge must be an integer >= 0, got ${charge}`);
    // TODO(task 5.4): replace or insert at the front, keep usage right, then evict from the back while over capacity
    throw new NotImplementedError("task 5.4 in chapters/05-block-cache/lru-cache.ts: replace or insert at the front, keep usage right, then evict from the back while over capacity");
  }

  /** Removes the entry under `key`. Returns true iff there was one; a missing key is not an error. */
  delete(key: K): boolean {
    // TODO(task 5.5): unlink the node and forget it, and give its charge back
    throw new NotImplementedError("task 5.5 in chapters/05-block-cache/lru-cache.ts: unlink the node and forget it, and give its charge back");
  }

  /** Removes every entry, without reporting them to `onEvict`. */
  clear(): void {
    this.map.clear();
    this.head.next = this.head;
    this.head.prev = this.head;
    this.used = 0;
  }

  /** Returns the entries as [key, value] pairs, least recently used first: the order eviction would take them. */
  entries(): [K, V][] {
    const out: [K, V][] = [];
    for (let node = this.head.prev; node !== this.head; node = node.prev) out.push([node.key, node.value]);
    return out;
  }

  /** Returns the keys, least recently used first (LRU → MRU). */
  keys(): K[] {
    return this.entries().map(([key]) => key);
  }

  /**
   * Checks invariants 1-4 by walking the list both ways: O(n), for tests.
   * @throws Error naming the first broken invariant.
   */
  checkInvariants(): void {
    let count = 0;
    let sum = 0;
    for (let node = this.head.next; node !== this.head; node = node.next) {
      if (node.next.prev !== node) throw new Error(`invariant 2 broken: node ${String(node.key)}: next.prev is not the node`);
      if (this.map.get(node.key) !== node) throw new Error(`invariant 1 broken: node ${String(node.key)} is in the list but not in the map`);
      if (node.charge > this.capacity) throw new Error(`invariant 4 broken: node ${String(node.key)} is larger than the capacity`);
      sum += node.charge;
      if (++count > this.map.size) throw new Error('invariant 1 broken: the list holds more nodes than the map (or loops)');
    }
    if (this.head.next.prev !== this.head) throw new Error('invariant 2 broken: the first node does not link back to the sentinel');
    if (count !== this.map.size) throw new Error(`invariant 1 broken: the list holds ${count} nodes, the map ${this.map.size}`);
    if (sum !== this.used) throw new Error(`invariant 3 broken: usage is ${this.used}, the charges add up to ${sum}`);
    if (this.used > this.capacity) throw new Error(`invariant 3 broken: usage ${this.used} > capacity ${this.capacity}`);
  }
}
