/**
 * ClosingIterator: an InternalIterator that runs a cleanup when it is
 * closed. The engine wraps the merged iterator it hands to a DbIterator in
 * one, so that closing the user's iterator also releases what it held: the
 * pinned Version (its tables must not be deleted meanwhile) and the pinned
 * table readers (the table cache must not close them meanwhile).
 *
 * It can also run a check before every move (a seek, next or prev): the
 * engine uses one that throws ClosedError once the database is closed, so a
 * user's iterator stops then, even over data still in a memtable.
 */

import type { InternalIterator } from '#memtable/internal-iterator.ts';
import type { ValueKind } from '#memtable/internal-key.ts';

/** Delegates every call to `inner`, runs `beforeMove` before every move, and runs `cleanup` once, after closing it. */
export class ClosingIterator implements InternalIterator {
  private cleaned = false;

  constructor(
    private readonly inner: InternalIterator,
    private readonly cleanup: () => void,
    /** Runs before every seek, next and prev; it may throw to refuse the move. */
    private readonly beforeMove: () => void = () => {},
  ) {}

  valid(): boolean {
    return this.inner.valid();
  }

  seekToFirst(): void {
    this.beforeMove();
    this.inner.seekToFirst();
  }

  seekToLast(): void {
    this.beforeMove();
    this.inner.seekToLast();
  }

  seek(userKey: Uint8Array, sequence: number): void {
    this.beforeMove();
    this.inner.seek(userKey, sequence);
  }

  next(): void {
    this.beforeMove();
    this.inner.next();
  }

  prev(): void {
    this.beforeMove();
    this.inner.prev();
  }

  key(): Uint8Array {
    return this.inner.key();
  }

  sequence(): number {
    return this.inner.sequence();
  }

  kind(): ValueKind {
    return this.inner.kind();
  }

  value(): Uint8Array {
    return this.inner.value();
  }

  /** Closes the inner iterator, then runs the cleanup (once, even if closing throws). */
  close(): void {
    try {
      this.inner.close();
    } finally {
      if (!this.cleaned) {
        this.cleaned = true;
        this.cleanup();
      }
    }
  }
}
