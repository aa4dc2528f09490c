/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): the cursor
 * interface of solutions/01-memtable/internal-iterator.ts, copied unchanged
 * (it is a contract every later chapter implements, not a choice). Copied
 * rather than re-exported because it imports a sibling this folder rewrites
 * (internal-key.ts).
 *
 * The cursor every sorted source in the engine implements: the memtable
 * (chapter 1), a table (chapter 4) and the merge of many (chapter 6).
 *
 * A cursor is positioned at one entry or is not valid. Entries come in
 * internal-key order (user key ascending, sequence descending). It is an
 * explicit cursor, not a JavaScript iterator, because the engine needs to
 * seek, step back, and read key and value separately without allocating an
 * object per entry.
 *
 * REQUIRES for key(), sequence(), kind(), value(), next() and prev(): valid().
 */

import type { ValueKind } from './internal-key.ts';

export interface InternalIterator {
  /** Returns true iff the cursor is positioned at an entry. */
  valid(): boolean;
  /** Positions at the first entry; not valid if there is none. */
  seekToFirst(): void;
  /** Positions at the last entry; not valid if there is none. */
  seekToLast(): void;
  /**
   * Positions at the first entry at or after the internal key
   * (`userKey`, `sequence`): the newest version of `userKey` with a sequence
   * <= `sequence`, or else the first entry of a larger user key.
   * With `sequence` = MAX_SEQUENCE, that is the first entry with user key >= `userKey`.
   */
  seek(userKey: Uint8Array, sequence: number): void;
  /** Moves to the next entry; becomes not valid after the last. */
  next(): void;
  /** Moves to the previous entry; becomes not valid before the first. */
  prev(): void;
  /** The current entry's user key. */
  key(): Uint8Array;
  /** The current entry's sequence number. */
  sequence(): number;
  /** The current entry's kind. */
  kind(): ValueKind;
  /** The current entry's value (empty for a tombstone). */
  value(): Uint8Array;
  /** Releases what the cursor holds (files, pinned blocks). Using it afterwards is an error. */
  close(): void;
}
