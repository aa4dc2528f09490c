/**
 * MemTableIterator: the InternalIterator cursor over a memtable's skiplist.
 * Forward steps follow level 0; a step back searches again from the top
 * (O(log n)), because nodes keep no back links: that halves the links per
 * node, and scans mostly go forward.
 *
 * After close(), valid() is false and every other method throws ClosedError.
 */

import { ClosedError } from '#toolkit/errors.ts';
import { ValueKind, type InternalKey } from './internal-key.ts';
import type { InternalIterator } from './internal-iterator.ts';
import type { SkipList, SkipListNode } from './skiplist.ts';

/** Walks a memtable's skiplist in internal-key order; created by `MemTable.iterator()`. */
export class MemTableIterator implements InternalIterator {
  private node: SkipListNode<InternalKey, Uint8Array> | undefined;
  private closed = false;

  constructor(private readonly list: SkipList<InternalKey, Uint8Array>) {}

  valid(): boolean {
    return this.node !== undefined;
  }

  seekToFirst(): void {
    this.node = this.open().first();
  }

  seekToLast(): void {
    this.node = this.open().findLast();
  }

  seek(userKey: Uint8Array, sequence: number): void {
    // PUT is the larger kind, so (key, sequence, PUT) is the first entry of (key, sequence).
    this.node = this.open().findGreaterOrEqual({ userKey, sequence, kind: ValueKind.Put });
  }

  next(): void {
    this.node = this.current().next[0];
  }

  prev(): void {
    this.node = this.open().findLessThan(this.current().key);
  }

  key(): Uint8Array {
    return this.current().key.userKey;
  }

  sequence(): number {
    return this.current().key.sequence;
  }

  kind(): ValueKind {
    return this.current().key.kind;
  }

  value(): Uint8Array {
    return this.current().value;
  }

  close(): void {
    this.closed = true;
    this.node = undefined;
  }

  private open(): SkipList<InternalKey, Uint8Array> {
    if (this.closed) throw new ClosedError('memtable iterator used after close()');
    return this.list;
  }

  private current(): SkipListNode<InternalKey, Uint8Array> {
    // Closed first: after close() the node is gone too, and "closed" is the real reason.
    if (this.closed) throw new ClosedError('memtable iterator used after close()');
    if (this.node === undefined) throw new Error('iterator is not valid: check valid() before key(), value(), next() or prev()');
    return this.node;
  }
}
