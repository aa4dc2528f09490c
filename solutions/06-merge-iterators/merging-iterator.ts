/**
 * MergingIterator: many sorted sources read as one sorted source.
 *
 * One user key can live in the active memtable, an immutable memtable, and
 * any number of tables. Each of them is an {@link InternalIterator} in
 * internal-key order; this class merges k of them (a k-way merge) into one
 * InternalIterator that yields EVERY entry of every child, in internal-key
 * order (user key ascending, sequence descending). It hides nothing: picking
 * the visible version of each key is {@link DbIterator}'s job.
 *
 * Children are ordered newest first: index 0 is the active memtable, then the
 * immutable memtables, then the level-0 tables newest first, then L1, L2...
 * Sequence numbers already say which version is newer, so the order matters
 * only on an exact tie (same user key, sequence and kind: only possible when
 * one source appears twice): the lower index comes first. The merged order
 * is therefore (internal key, child index), and a backward scan yields
 * exactly the forward scan reversed.
 *
 * Moving forward, a min-heap holds the valid children keyed by their current
 * entry; its top is the current entry. next() advances the top child and
 * re-sifts it: O(log k). Moving backward, a max-heap does the same with
 * prev(). Each child is positioned on one side of the current entry, so a
 * change of direction first re-positions every other child on the other side.
 *
 * Invariants (after every public call that did not throw):
 * 1. valid() iff `current` >= 0, and then `current` is the top of the heap of
 *    `direction`, and children[current] is valid and sits on the current entry.
 * 2. Forward: the min-heap holds exactly the valid children, and every child
 *    other than `current` sits on its first entry after the current one in
 *    merged order. Reverse: the max-heap holds exactly the valid children, and
 *    every other child sits on its last entry before the current one.
 *
 * Errors: an exception from a child (say, a checksum failure in a table)
 * propagates to the caller unchanged; it never looks like the end of the
 * data. After one, the position is undefined: seek again or close.
 *
 * REQUIRES: each child yields strictly increasing internal keys.
 */

import { compareBytes } from '#toolkit/bytes.ts';
import { ClosedError } from '#toolkit/errors.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import type { ValueKind } from '#memtable/internal-key.ts';
import { BinaryHeap } from './binary-heap.ts';

/** Which way the cursor last moved; it decides which heap is in use. */
const Direction = { Forward: 0, Reverse: 1 } as const;
type Direction = (typeof Direction)[keyof typeof Direction];

/** Merges sorted children into one sorted InternalIterator; see the file comment. */
export class MergingIterator implements InternalIterator {
  /** Child indexes by current entry, smallest on top: used moving forward. */
  private readonly minHeap: BinaryHeap<number>;
  /** Child indexes by current entry, largest on top: used moving backward. */
  private readonly maxHeap: BinaryHeap<number>;
  private direction: Direction = Direction.Forward;
  /** The index of the child holding the current entry, or -1 when not valid. */
  private current = -1;
  private closed = false;

  /**
   * @param children the sources, newest first (index 0 wins exact ties). The
   *   merging iterator owns them: close() closes them.
   */
  constructor(private readonly children: readonly InternalIterator[]) {
    this.minHeap = new BinaryHeap<number>((a, b) => this.compareChildren(a, b));
    this.maxHeap = new BinaryHeap<number>((a, b) => this.compareChildren(b, a));
  }

  valid(): boolean {
    return this.current >= 0;
  }

  seekToFirst(): void {
    for (const child of this.open()) child.seekToFirst();
    this.fillHeap(Direction.Forward);
  }

  seekToLast(): void {
    for (const child of this.open()) child.seekToLast();
    this.fillHeap(Direction.Reverse);
  }

  seek(userKey: Uint8Array, sequence: number): void {
    for (const child of this.open()) child.seek(userKey, sequence);
    this.fillHeap(Direction.Forward);
  }

  next(): void {
    this.checkValid();
    if (this.direction !== Direction.Forward) this.turnForward();
    // #region task 6.2: advance the child on top of the min-heap, then re-sift it (or drop it when it runs out)
    const top = this.current;
    const child = this.children[top]!;
    child.next();
    if (child.valid()) this.minHeap.replaceTop(top);
    else this.minHeap.pop();
    this.current = this.minHeap.peek() ?? -1;
    // #endregion
  }

  prev(): void {
    this.checkValid();
    if (this.direction !== Direction.Reverse) this.turnBackward();
    // #region task 6.3: step the child on top of the max-heap back, then re-sift it (or drop it when it runs out)
    const top = this.current;
    const child = this.children[top]!;
    child.prev();
    if (child.valid()) this.maxHeap.replaceTop(top);
    else this.maxHeap.pop();
    this.current = this.maxHeap.peek() ?? -1;
    // #endregion
  }

  key(): Uint8Array {
    return this.currentChild().key();
  }

  sequence(): number {
    return this.currentChild().sequence();
  }

  kind(): ValueKind {
    return this.currentChild().kind();
  }

  value(): Uint8Array {
    return this.currentChild().value();
  }

  /**
   * Closes every child, even when one of them throws; then rethrows the first
   * error. Closing twice is allowed and does nothing the second time.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.current = -1;
    this.minHeap.clear();
    this.maxHeap.clear();
    let failure: unknown;
    let failed = false;
    for (const child of this.children) {
      try {
        child.close();
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
    if (failed) throw failure;
  }

  /**
   * Starts a scan after every child was positioned (seekToFirst, seekToLast
   * or seek): puts the valid children in the heap of `direction`, empties the
   * other heap, and makes the heap's top the current entry.
   */
  private fillHeap(direction: Direction): void {
    // #region task 6.2: put every valid child into the heap of this direction; its top is the current entry
    const heap = direction === Direction.Forward ? this.minHeap : this.maxHeap;
    this.minHeap.clear();
    this.maxHeap.clear();
    this.children.forEach((child, index) => {
      if (child.valid()) heap.push(index);
    });
    this.direction = direction;
    this.current = heap.peek() ?? -1;
    // #endregion
  }

  /**
   * Called by next() when the last move was backwards: every child other than
   * the current one sits BEFORE the current entry. Moves each onto its first
   * entry AFTER the current entry (in merged order, so an exact tie from a
   * higher index counts as after), then refills the min-heap, whose top is
   * then the current child again.
   */
  private turnForward(): void {
    // #region task 6.3: seek every other child to the current key, step past entries that merge before it, refill the min-heap
    const current = this.current;
    const target = this.children[current]!;
    const key = target.key();
    const sequence = target.sequence();
    this.children.forEach((child, index) => {
      if (index === current) return;
      child.seek(key, sequence);
      // seek() lands on the first entry >= (key, sequence) by internal key; an
      // exact tie from a lower index still merges before the current entry.
      while (child.valid() && this.compareChildren(index, current) < 0) child.next();
    });
    this.fillHeap(Direction.Forward);
    // #endregion
  }

  /**
   * Called by prev() when the last move was forwards: every child other than
   * the current one sits AFTER the current entry. Moves each onto its last
   * entry BEFORE the current entry, then refills the max-heap.
   */
  private turnBackward(): void {
    // #region task 6.3: put every other child on its last entry before the current one, refill the max-heap
    const current = this.current;
    const target = this.children[current]!;
    const key = target.key();
    const sequence = target.sequence();
    this.children.forEach((child, index) => {
      if (index === current) return;
      // First the first entry after the current one (as in turnForward), then one step back.
      child.seek(key, sequence);
      while (child.valid() && this.compareChildren(index, current) < 0) child.next();
      if (child.valid()) child.prev();
      else child.seekToLast(); // Every entry of this child merges before the current one.
    });
    this.fillHeap(Direction.Reverse);
    // #endregion
  }

  /**
   * Compares the current entries of children `a` and `b` in merged order:
   * internal-key order (the order of compareInternalKeys, without allocating a
   * key object per comparison), then the lower index first.
   * REQUIRES: both children are valid.
   */
  private compareChildren(a: number, b: number): number {
    const x = this.children[a]!;
    const y = this.children[b]!;
    const byKey = compareBytes(x.key(), y.key());
    if (byKey !== 0) return byKey;
    const xs = x.sequence();
    const ys = y.sequence();
    if (xs !== ys) return xs > ys ? -1 : 1;
    return y.kind() - x.kind() || a - b;
  }

  private open(): readonly InternalIterator[] {
    if (this.closed) throw new ClosedError('merging iterator used after close()');
    return this.children;
  }

  private checkValid(): void {
    if (this.closed) throw new ClosedError('merging iterator used after close()');
    if (this.current < 0) throw new Error('iterator is not valid: check valid() before key(), value(), next() or prev()');
  }

  private currentChild(): InternalIterator {
    this.checkValid();
    return this.children[this.current]!;
  }
}
