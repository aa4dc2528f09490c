/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): the memtable's
 * cursor, written differently from solutions/01-memtable/memtable-iterator.ts.
 *
 * What differs (the bookkeeping):
 * - "closed" is not a flag: close() drops the cursor's reference to the
 *   skiplist (`list = undefined`), and every method finds out from that.
 * - The position is kept as a state object, `{ at: node }` or `undefined`,
 *   rather than a bare node, and one `move` helper sets it from whatever a
 *   skiplist search returned.
 * - prev() asks for the last node strictly before the current entry's
 *   internal key through findLessThan, with a key it rebuilds from the
 *   accessors, rather than passing the node's key object along.
 *
 * Why it is still correct: every positioning call is the same skiplist
 * search the lesson's table names (first, findLast, findGreaterOrEqual of
 * (key, s, PUT), next[0], findLessThan of the current internal key), so the
 * cursor lands on the same entries. Because sequence numbers are unique,
 * (key, sequence, kind) of the current entry identifies it, and the last
 * node strictly before it is the previous entry.
 */

import { ClosedError } from '#toolkit/errors.ts';
import { ValueKind, type InternalKey } from './internal-key.ts';
import type { InternalIterator } from './internal-iterator.ts';
import type { SkipList, SkipListNode } from './skiplist.ts';

type Node = SkipListNode<InternalKey, Uint8Array>;

/** Walks a memtable's skiplist in internal-key order; created by `MemTable.iterator()`. */
export class MemTableIterator implements InternalIterator {
  private position: { readonly at: Node } | undefined = undefined;
  /** The skiplist; undefined once the cursor is closed. */
  private list: SkipList<InternalKey, Uint8Array> | undefined;

  constructor(list: SkipList<InternalKey, Uint8Array>) {
    this.list = list;
  }

  valid(): boolean {
    return this.list !== undefined && this.position !== undefined;
  }

  seekToFirst(): void {
    this.move(this.source().first());
  }

  seekToLast(): void {
    this.move(this.source().findLast());
  }

  seek(userKey: Uint8Array, sequence: number): void {
    // PUT is the larger kind, so (userKey, sequence, PUT) is the smallest internal key at `sequence`.
    this.move(this.source().findGreaterOrEqual({ userKey, sequence, kind: ValueKind.Put }));
  }

  next(): void {
    this.move(this.here().next[0]);
  }

  prev(): void {
    const target: InternalKey = { userKey: this.key(), sequence: this.sequence(), kind: this.kind() };
    this.move(this.source().findLessThan(target));
  }

  key(): Uint8Array {
    return this.here().key.userKey;
  }

  sequence(): number {
    return this.here().key.sequence;
  }

  kind(): ValueKind {
    return this.here().key.kind;
  }

  value(): Uint8Array {
    return this.here().value;
  }

  close(): void {
    this.list = undefined;
    this.position = undefined;
  }

  private move(node: Node | undefined): void {
    this.position = node === undefined ? undefined : { at: node };
  }

  private source(): SkipList<InternalKey, Uint8Array> {
    if (this.list === undefined) throw new ClosedError('memtable iterator used after close()');
    return this.list;
  }

  private here(): Node {
    this.source(); // Throws ClosedError first: after close() that is the real reason.
    if (this.position === undefined) throw new Error('iterator is not valid: check valid() before key(), value(), next() or prev()');
    return this.position.at;
  }
}
