/**
 * SortedRunIterator: one InternalIterator over a sorted run of tables (a
 * level >= 1), opening one table at a time.
 *
 *     level 3:  [a..f] 000015.sst   [g..m] 000016.sst   [n..z] 000019.sst
 *                                    ▲ the only table open
 *
 * The tables of a level hold disjoint, increasing user-key ranges, and all
 * the versions of a key are in one table, so walking the tables in order,
 * one after another, yields the run's entries in internal-key order. A
 * compaction's merge then has one child per run instead of one per table:
 * it keeps one table of each run open rather than every input table.
 *
 * Invariants:
 * 1. `current` is undefined, or the open cursor of `files[index]`.
 * 2. Outside a method, valid() iff `current` is valid: a table that ran
 *    out was closed and the next (or previous) one opened, until one has
 *    an entry or the run ends.
 */

import { ClosedError } from '#toolkit/errors.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import type { ValueKind } from '#memtable/internal-key.ts';
import { compareUserKeyWithEncoded, type FileMetadata } from '#engine/file-metadata.ts';

/** Walks the tables of one sorted run in key order; see the file comment. */
export class SortedRunIterator implements InternalIterator {
  private index = -1;
  private current: InternalIterator | undefined;
  private closed = false;

  /**
   * @param files the run's tables, in key order with disjoint user-key ranges.
   * @param open returns a cursor over one table (closed by this iterator when it moves on).
   */
  constructor(
    private readonly files: readonly FileMetadata[],
    private readonly open: (file: FileMetadata) => InternalIterator,
  ) {}

  valid(): boolean {
    return this.current !== undefined && this.current.valid();
  }

  seekToFirst(): void {
    this.moveTo(0)?.seekToFirst();
    this.skipForward();
  }

  seekToLast(): void {
    this.moveTo(this.files.length - 1)?.seekToLast();
    this.skipBackward();
  }

  seek(userKey: Uint8Array, sequence: number): void {
    // The first table whose largest user key is >= userKey.
    let lo = 0;
    let hi = this.files.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareUserKeyWithEncoded(userKey, this.files[mid]!.largest) > 0) lo = mid + 1;
      else hi = mid;
    }
    this.moveTo(lo)?.seek(userKey, sequence);
    this.skipForward();
  }

  next(): void {
    this.cursor().next();
    this.skipForward();
  }

  prev(): void {
    this.cursor().prev();
    this.skipBackward();
  }

  key(): Uint8Array {
    return this.cursor().key();
  }

  sequence(): number {
    return this.cursor().sequence();
  }

  kind(): ValueKind {
    return this.cursor().kind();
  }

  value(): Uint8Array {
    return this.cursor().value();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const current = this.current;
    this.current = undefined;
    current?.close();
  }

  /** Closes the open table and opens `files[index]` (none if out of range); returns its cursor, not positioned. */
  private moveTo(index: number): InternalIterator | undefined {
    if (this.closed) throw new ClosedError('SortedRunIterator used after close()');
    if (this.current !== undefined && this.index === index) return this.current;
    const previous = this.current;
    this.current = undefined;
    previous?.close();
    this.index = index;
    const file = this.files[index];
    if (file !== undefined) this.current = this.open(file);
    return this.current;
  }

  /** While the open table has run out, moves to the next one's first entry (invariant 2). */
  private skipForward(): void {
    while (this.current !== undefined && !this.current.valid()) {
      this.moveTo(this.index + 1)?.seekToFirst();
    }
  }

  /** While the open table has run out, moves to the previous one's last entry (invariant 2). */
  private skipBackward(): void {
    while (this.current !== undefined && !this.current.valid()) {
      this.moveTo(this.index - 1)?.seekToLast();
    }
  }

  private cursor(): InternalIterator {
    if (this.closed) throw new ClosedError('SortedRunIterator used after close()');
    const current = this.current;
    if (current === undefined || !current.valid()) {
      throw new Error('iterator is not valid: check valid() before key(), value(), next() or prev()');
    }
    return current;
  }
}
