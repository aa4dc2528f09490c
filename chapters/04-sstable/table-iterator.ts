/**
 * TableIterator: the InternalIterator over a whole table, made of two
 * block iterators — one over the index (in memory), one over the data block
 * the index entry points to (read on demand). A "two-level" iterator:
 *
 *     index:  [ apricot#3 → block 0 ][ cherry#1 → block 1 ][ plum#4 → block 2 ]
 *                                          ▲ index iterator
 *     block 1:  [ banana#9 ][ banana#2 ][ cherry#1 ]
 *                               ▲ data iterator: the table iterator's position
 *
 * Moving inside a data block is the data iterator's job. When it runs off
 * the end (or the start) of its block, the index iterator steps to the next
 * (or previous) block, which is read and entered at its first (or last)
 * entry. Only one data block is held at a time.
 *
 * After close(), valid() is false and every other method throws ClosedError.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { ClosedError } from '#toolkit/errors.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import type { BlockIterator } from './block.ts';
import { encodeInternalKey } from './internal-key-codec.ts';
import type { TableReader } from './table-reader.ts';

/**
 * Walks one table in internal-key order; created by `TableReader.iterator()`.
 *
 * Invariants:
 * 1. `data` is undefined iff the index iterator is not valid; otherwise it
 *    iterates the data block of the index entry the index iterator is at.
 * 2. Outside a method call, the table iterator is valid iff `data` is
 *    defined and valid: a data iterator that ran off its block has been
 *    moved to a neighbouring block, or the index has run out.
 * 3. `cachedKey` is undefined or a copy of the current user key.
 */
export class TableIterator implements InternalIterator {
  private readonly index: BlockIterator;
  private data: BlockIterator | undefined;
  private cachedKey: Uint8Array | undefined;
  private closed = false;

  constructor(private readonly reader: TableReader) {
    this.index = reader.indexIterator();
  }

  valid(): boolean {
    return this.data !== undefined && this.data.valid();
  }

  seekToFirst(): void {
    this.requireOpen();
    this.index.seekToFirst();
    this.enterBlock();
    this.data?.seekToFirst();
    this.skipForward();
  }

  seekToLast(): void {
    this.requireOpen();
    this.index.seekToLast();
    this.enterBlock();
    this.data?.seekToLast();
    this.skipBackward();
  }

  seek(userKey: Uint8Array, sequence: number): void {
    this.requireOpen();
    // PUT is the larger kind, so (userKey, sequence, PUT) is the first internal key of (userKey, <= sequence).
    const target = encodeInternalKey(userKey, sequence, ValueKind.Put);
    // The first block whose last key is >= target holds the first entry >= target.
    this.index.seek(target);
    this.enterBlock();
    this.data?.seek(target);
    this.skipForward();
  }

  next(): void {
    this.current().next();
    this.skipForward();
  }

  prev(): void {
    this.current().prev();
    this.skipBackward();
  }

  /** The current user key: a copy, so it stays valid after the iterator moves. */
  key(): Uint8Array {
    this.cachedKey ??= this.current().userKey();
    return this.cachedKey;
  }

  sequence(): number {
    return this.current().sequence();
  }

  /** @throws CorruptionError if the stored kind byte is not a ValueKind. */
  kind(): ValueKind {
    return this.current().kind();
  }

  /** The current value: a view into the data block (valid after the iterator moves); do not modify it. */
  value(): Uint8Array {
    return this.current().value();
  }

  close(): void {
    this.closed = true;
    this.data = undefined;
    this.cachedKey = undefined;
  }

  /**
   * Makes `data` iterate the block of the index iterator's entry (read
   * through the reader: cache or file), not yet positioned; or undefined
   * when the index iterator is not valid.
   */
  private enterBlock(): void {
    this.data = this.index.valid() ? this.reader.dataBlockAt(this.index).iterator() : undefined;
  }

  /**
   * Restores invariant 2 after a forward move: while the data iterator has
   * run off the end of its block, enter the next block at its first entry;
   * stop when an entry is found or the index runs out.
   */
  private skipForward(): void {
    this.cachedKey = undefined;
    // TODO(task 4.14): while the data iterator is past its block's end, step the index forward and start the next block at its first entry
    throw new NotImplementedError("task 4.14 in chapters/04-sstable/table-iterator.ts: while the data iterator is past its block's end, step the index forward and start the next block at its first entry");
  }

  /**
   * Restores invariant 2 after a backward move: while the data iterator has
   * run off the start of its block, enter the previous block at its last
   * entry; stop when an entry is found or the index runs out.
   */
  private skipBackward(): void {
    this.cachedKey = undefined;
    // TODO(task 4.15): while the data iterator is before its block's start, step the index back and start the previous block at its last entry
    throw new NotImplementedError("task 4.15 in chapters/04-sstable/table-iterator.ts: while the data iterator is before its block's start, step the index back and start the previous block at its last entry");
  }

  private requireOpen(): void {
    if (this.closed) throw new ClosedError('table iterator used after close()');
  }

  private current(): BlockIterator {
    // Closed first: after close() the block is gone too, and "closed" is the real reason.
    this.requireOpen();
    if (this.data === undefined || !this.data.valid()) {
      throw new Error('iterator is not valid: check valid() before key(), value(), next() or prev()');
    }
    return this.data;
  }
}
