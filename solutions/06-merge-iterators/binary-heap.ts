/**
 * BinaryHeap: a priority queue in an array, the smallest item on top.
 *
 * The merging iterator keeps one entry per source in a heap, so that finding
 * the smallest of k entries costs O(1) and replacing it costs O(log k)
 * instead of O(k). The heap is a complete binary tree laid out level by level
 * in an array: the children of index i are 2i + 1 and 2i + 2, its parent is
 * ⌊(i − 1) / 2⌋.
 *
 *              [0]                   items = [ a, c, b, f, d, e ]
 *            /     \
 *         [1]       [2]              a <= c, a <= b   (parent <= children)
 *        /   \      /                c <= f, c <= d
 *      [3]   [4]  [5]                b <= e
 *
 * "Smallest" is whatever `compare` says: pass a reversed comparator for a
 * max-heap (the merging iterator does, to walk backwards).
 *
 * Invariants:
 * 1. Heap order: for every index i > 0, compare(items[parent(i)], items[i]) <= 0,
 *    so items[0] is a smallest item.
 * 2. `items` has no holes: the tree is complete, filled left to right.
 *
 * The comparator may read mutable state (the merging iterator compares its
 * sources' current keys). When the top item's key changes, call
 * `replaceTop(top)` to restore invariant 1; a change to any other item's key
 * breaks the heap.
 */

import { requireArgument } from '#toolkit/errors.ts';

/** Keeps items so the smallest (by `compare`) is always on top; see the file comment. */
export class BinaryHeap<T> {
  private readonly items: T[] = [];

  /**
   * @param compare returns a negative number iff `a` should come out before `b`,
   *   0 iff either may come first, a positive number iff after. It must be a
   *   total order over the items in the heap.
   */
  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** The number of items in the heap. */
  get size(): number {
    return this.items.length;
  }

  /** Returns the smallest item without removing it, or undefined when the heap is empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds `item` in O(log n). */
  push(item: T): void {
    this.items.push(item);
    this.siftUp(this.items.length - 1);
  }

  /** Removes and returns the smallest item, or undefined when the heap is empty; O(log n). */
  pop(): T | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length > 0) {
      // Move the last leaf to the root (the tree stays complete), then sink it.
      this.items[0] = last as T;
      this.siftDown(0);
    }
    return top;
  }

  /**
   * Replaces the smallest item with `item` and restores the heap order, in
   * O(log n): one sift instead of a pop and a push. Passing the top item
   * itself re-sifts it after its key changed.
   * @throws InvalidArgumentError if the heap is empty.
   */
  replaceTop(item: T): void {
    requireArgument(this.items.length > 0, 'replaceTop() needs a non-empty heap');
    this.items[0] = item;
    this.siftDown(0);
  }

  /** Removes every item. */
  clear(): void {
    this.items.length = 0;
  }

  /**
   * Moves the item at `index` up while it is smaller than its parent.
   * REQUIRES: the heap order holds everywhere except between `index` and its ancestors.
   */
  private siftUp(index: number): void {
    // #region task 6.1: swap the item with its parent while it is smaller than the parent
    const items = this.items;
    const item = items[index] as T;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as T;
      if (this.compare(item, above) >= 0) break;
      // Shift the parent down and keep climbing; the item is written once, at the end.
      items[i] = above;
      i = parent;
    }
    items[i] = item;
    // #endregion
  }

  /**
   * Moves the item at `index` down while a child is smaller, always swapping
   * with the smaller child.
   * REQUIRES: the heap order holds everywhere except between `index` and its descendants.
   */
  private siftDown(index: number): void {
    // #region task 6.1: swap the item with its smaller child while that child is smaller
    const items = this.items;
    const n = items.length;
    const item = items[index] as T;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      // The smaller child: promoting the larger one would put it above its sibling.
      const child = right < n && this.compare(items[right] as T, items[left] as T) < 0 ? right : left;
      const below = items[child] as T;
      if (this.compare(below, item) >= 0) break;
      items[i] = below;
      i = child;
    }
    items[i] = item;
    // #endregion
  }
}
