/**
 * CompactionIterator: walks the merged input of a compaction, entry by
 * entry, and decides for each whether the output keeps it (the drop rules).
 *
 * The merge yields every version of every key, newest first within a key:
 *
 *     apple#40,PUT  apple#31,DEL  apple#12,PUT  banana#25,PUT  banana#7,PUT
 *
 * Let S be the smallest sequence any reader may still read at: the oldest
 * live snapshot's, or the last sequence written when there is none. A
 * reader at sequence s sees, of each key, the newest version <= s; every
 * reader has s >= S. Walking one key's versions newest to oldest:
 *
 * Rule 1. A version is dropped iff a NEWER version of the same key has a
 *         sequence <= S: every reader sees that newer version instead.
 * Rule 2. A tombstone with sequence <= S is dropped (and, by rule 1, every
 *         older version of its key) iff the compaction is bottommost: no
 *         level below the output can hold the key, so the tombstone hides
 *         nothing any more. Otherwise it stays: it still hides older
 *         versions in the levels below.
 * Never is anything with a sequence > S dropped: some reader may need it.
 *
 * With S = 35 (a snapshot at 35), not bottommost:
 *
 *     apple#40,PUT    kept: 40 > S
 *     apple#31,DEL    kept: the newer version (40) is above S; the snapshot at 35 sees this tombstone
 *     apple#12,PUT    DROPPED by rule 1: the tombstone at 31 <= S hides it from every reader
 *     banana#25,PUT   kept: the newest version
 *     banana#7,PUT    DROPPED by rule 1
 *
 * The iterator stops at EVERY input entry, dropped or not (`dropped` says
 * which), so the compaction job can count its work in input bytes and stop
 * a slice at any entry: a long run of dropped versions never turns into one
 * long, unbounded step.
 *
 * Invariants (while valid):
 * 1. `currentKey` is a copy of the current entry's user key.
 * 2. `newerSequence` is the sequence of the entry just before this one if
 *    it has the same user key, or Infinity if this is the key's newest
 *    (above every S, even S = MAX_SEQUENCE).
 * 3. `drop` is the rules' verdict on the current entry.
 *
 * REQUIRES: the input yields entries in internal-key order, moving forward only.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { bytesEqual, copyBytes } from '#toolkit/bytes.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { INTERNAL_KEY_TRAILER_SIZE } from '#sstable/internal-key-codec.ts';

/** What the drop rules need to know about a compaction. */
export interface DropRules {
  /** S: the smallest sequence any reader may still read at. */
  readonly smallestSnapshot: number;
  /** True iff no level below the output level can hold any key of the inputs. */
  readonly bottommost: boolean;
}

/** Counts of what the iterator has walked over. */
export interface CompactionIteratorStats {
  /** Input entries visited. */
  readonly entries: number;
  /** Of those, dropped by rule 1 or rule 2. */
  readonly dropped: number;
  /** Of the dropped ones, tombstones. */
  readonly droppedTombstones: number;
}

/** Walks a compaction's merged input and applies the drop rules; see the file comment. */
export class CompactionIterator {
  private currentKey: Uint8Array | undefined;
  private newerSequence = Infinity;
  private drop = false;
  private entries = 0;
  private droppedEntries = 0;
  private droppedTombstones = 0;

  /** @param input the merged input tables, newest source first; the iterator owns it and closes it. */
  constructor(
    private readonly input: InternalIterator,
    private readonly rules: DropRules,
  ) {}

  /** Positions at the first input entry and judges it. */
  seekToFirst(): void {
    this.currentKey = undefined;
    this.input.seekToFirst();
    if (this.input.valid()) this.judge();
  }

  /** Returns true iff positioned at an input entry. */
  valid(): boolean {
    return this.input.valid();
  }

  /** Moves to the next input entry (dropped or not) and judges it. REQUIRES: valid(). */
  next(): void {
    this.input.next();
    if (this.input.valid()) this.judge();
  }

  /** True iff the drop rules drop the current entry: the output must not contain it. REQUIRES: valid(). */
  get dropped(): boolean {
    return this.drop;
  }

  /** The current entry's user key. REQUIRES: valid(). */
  key(): Uint8Array {
    return this.input.key();
  }

  /** The current entry's sequence. REQUIRES: valid(). */
  sequence(): number {
    return this.input.sequence();
  }

  /** The current entry's kind. REQUIRES: valid(). */
  kind(): ValueKind {
    return this.input.kind();
  }

  /** The current entry's value. REQUIRES: valid(). */
  value(): Uint8Array {
    return this.input.value();
  }

  /** The current entry's size as compaction work: user key + 8-byte trailer + value. REQUIRES: valid(). */
  entryBytes(): number {
    return this.input.key().length + INTERNAL_KEY_TRAILER_SIZE + this.input.value().length;
  }

  /** Returns the counts so far. */
  get stats(): CompactionIteratorStats {
    return { entries: this.entries, dropped: this.droppedEntries, droppedTombstones: this.droppedTombstones };
  }

  /** Closes the input. */
  close(): void {
    this.input.close();
  }

  /** Applies the drop rules to the input's current entry (invariants 1-3). */
  private judge(): void {
    const key = this.input.key();
    const sequence = this.input.sequence();
    const kind = this.input.kind();
    const S = this.rules.smallestSnapshot;
    // TODO(task 8.6): a new user key resets the newer sequence; rule 1, then rule 2; remember this sequence for the next version
    throw new NotImplementedError("task 8.6 in chapters/08-tiered-compaction/compaction-iterator.ts: a new user key resets the newer sequence; rule 1, then rule 2; remember this sequence for the next version");
    this.entries++;
    if (this.drop) {
      this.droppedEntries++;
      if (kind === ValueKind.Delete) this.droppedTombstones++;
    }
  }
}
