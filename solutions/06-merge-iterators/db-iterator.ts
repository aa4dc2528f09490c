/**
 * DbIterator: what a user scanning the database sees.
 *
 * Underneath is an {@link InternalIterator}, usually a MergingIterator over
 * every memtable and table, yielding every version of every key:
 *
 *     apple#12,DEL  apple#7,PUT=red  banana#15,PUT=ripe  banana#9,PUT=green
 *     cherry#3,PUT=dark  date#6,DEL  date#2,PUT=old
 *
 * For each user key, the iterator takes the newest version with a sequence
 * <= the snapshot; if it is a PUT, the key appears with that value; if it is
 * a tombstone, or there is no such version, the key does not appear. Keys
 * outside the {@link RangeBounds} never appear. At snapshot 10 the entries
 * above read:
 *
 *     apple=red      apple#12,DEL is newer than the snapshot: invisible
 *     banana=green   banana#15 is invisible; #9 is the newest visible version
 *     cherry=dark
 *                    date: its newest visible version, #6, is a tombstone
 *
 * Moving forward is easy: a key's versions come newest first, so the first
 * visible one decides, and the rest are skipped. Moving backward meets each
 * key's OLDEST version first, so the iterator must walk back over all of a
 * key's versions, remembering the newest visible one, before it knows what
 * to return (LevelDB's DBIter does the same).
 *
 * Invariants (after every public call that did not throw):
 * 1. valid() iff the cursor is on a key; then `currentKey` and `currentValue`
 *    are copies of that key and the newest visible version's value.
 * 2. direction Forward: the source sits on the entry that produced the
 *    current key (its newest visible version).
 *    direction Reverse: the source sits on the last entry BEFORE every
 *    version of the current key (or is not valid when there is none).
 * 3. The current key satisfies the bounds.
 *
 * Buffers: key() and value() return copies the caller owns and may modify.
 * Sources may reuse their buffers (a table's block iterator rebuilds
 * prefix-compressed keys into one buffer), so nothing read from the source
 * is kept without a copy. Values are copied with copyValue
 * (value-copies.ts), which cuts small copies from a shared slab: a scan
 * copies one per entry, and that made it twice as fast.
 *
 * Errors: an exception from the source propagates from the call that hit it
 * (seek, next, prev, or the `for...of` loop); afterwards the position is
 * undefined: seek again or close.
 */

import { compareBytes, concatBytes, copyBytes, EMPTY_BYTES } from '#toolkit/bytes.ts';
import { ClosedError, InvalidArgumentError, requireArgument } from '#toolkit/errors.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import { RangeBounds } from './range-bounds.ts';
import { copyValue } from './value-copies.ts';

/** How a DbIterator is built. */
export interface DbIteratorOptions {
  /**
   * The snapshot: only versions with a sequence <= this are visible. An
   * integer in 0..MAX_SEQUENCE. Defaults to MAX_SEQUENCE (every version).
   */
  readonly sequence?: number;
  /** Which user keys may appear. Defaults to no bounds (every key). */
  readonly bounds?: RangeBounds;
  /**
   * Descending order: `for...of` starts at the last key and moves with
   * prev(), and seek(key) finds the last key <= key. Defaults to false.
   */
  readonly reverse?: boolean;
  /**
   * The most entries `for...of` yields: an integer >= 0, or Infinity. The
   * cursor methods ignore it. Defaults to Infinity.
   */
  readonly limit?: number;
}

/** Which way the source was last moved; see invariant 2. */
const Direction = { Forward: 0, Reverse: 1 } as const;
type Direction = (typeof Direction)[keyof typeof Direction];

/** Returns the smallest user key greater than `key`: `key` followed by a zero byte. */
function successor(key: Uint8Array): Uint8Array {
  return concatBytes([key, Uint8Array.of(0)]);
}

/** A cursor over the user keys visible at one snapshot, within bounds; see the file comment. */
export class DbIterator implements Iterable<[Uint8Array, Uint8Array]> {
  /** True iff `for...of` and seek() go in descending key order. */
  readonly reverse: boolean;
  /** The most entries `for...of` yields. */
  readonly limit: number;
  private readonly snapshot: number;
  private readonly bounds: RangeBounds;
  private direction: Direction = Direction.Forward;
  private isValid = false;
  private currentKey: Uint8Array = EMPTY_BYTES;
  private currentValue: Uint8Array = EMPTY_BYTES;
  /** Set by the seek methods: `for...of` continues from there instead of starting over. */
  private positioned = false;
  private yielded = 0;
  private closed = false;

  /**
   * @param source every version of every key, in internal-key order. The
   *   DbIterator owns it: close() closes it.
   * @throws InvalidArgumentError if `sequence` or `limit` is out of range.
   */
  constructor(
    private readonly source: InternalIterator,
    options: DbIteratorOptions = {},
  ) {
    const { sequence = MAX_SEQUENCE, reverse = false, limit = Infinity } = options;
    requireArgument(
      Number.isSafeInteger(sequence) && sequence >= 0,
      `sequence must be an integer in 0..2^53 - 1, got ${sequence}`,
    );
    requireArgument(
      limit === Infinity || (Number.isSafeInteger(limit) && limit >= 0),
      `limit must be an integer >= 0 or Infinity, got ${limit}`,
    );
    this.snapshot = sequence;
    this.bounds = options.bounds ?? new RangeBounds();
    this.reverse = reverse;
    this.limit = limit;
  }

  /** Returns true iff the cursor is on a key. False after close(). */
  valid(): boolean {
    return this.isValid;
  }

  /** Positions at the smallest visible key within the bounds; not valid if there is none. */
  seekToFirst(): void {
    this.checkOpen();
    this.positioned = true;
    this.isValid = false; // Until an entry is found: an exception from the source leaves the cursor not valid.
    // #region task 6.5: seek the source to the lower bound (or its first entry), then find the first visible entry
    const lower = this.bounds.lower;
    if (lower === undefined) {
      this.source.seekToFirst();
      this.findNextUserEntry(undefined);
    } else {
      // (lower, snapshot) skips the lower key's versions newer than the snapshot;
      // an exclusive bound then hides the lower key itself, like a deleted key.
      this.source.seek(lower.key, this.snapshot);
      this.findNextUserEntry(lower.inclusive ? undefined : lower.key);
    }
    // #endregion
  }

  /** Positions at the largest visible key within the bounds; not valid if there is none. */
  seekToLast(): void {
    this.checkOpen();
    this.positioned = true;
    this.isValid = false; // Until an entry is found: an exception from the source leaves the cursor not valid.
    // #region task 6.6: put the source on the last entry inside the upper bound, then find the previous visible entry
    const upper = this.bounds.upper;
    if (upper === undefined) this.source.seekToLast();
    else this.seekBefore(upper.inclusive ? successor(upper.key) : upper.key);
    this.findPrevUserEntry();
    // #endregion
  }

  /**
   * Forward (reverse false): positions at the smallest visible key >= `key`.
   * Reverse: positions at the largest visible key <= `key`.
   * Either way within the bounds: a target outside them is clamped to the
   * nearest bound. Not valid if there is no such key.
   */
  seek(key: Uint8Array): void {
    this.checkOpen();
    this.positioned = true;
    this.isValid = false; // Until an entry is found: an exception from the source leaves the cursor not valid.
    // #region task 6.7: clamp the target to the bounds, seek the source, then find the visible entry in the iterator's direction
    if (!this.reverse) {
      if (!this.bounds.aboveLower(key)) {
        this.seekToFirst();
        return;
      }
      this.source.seek(key, this.snapshot);
      this.findNextUserEntry(undefined);
    } else {
      if (!this.bounds.belowUpper(key)) {
        this.seekToLast();
        return;
      }
      this.seekBefore(successor(key));
      this.findPrevUserEntry();
    }
    // #endregion
  }

  /** Moves to the next larger visible key; not valid after the last. REQUIRES: valid(). */
  next(): void {
    this.checkValid();
    this.isValid = false; // Until an entry is found: an exception from the source leaves the cursor not valid.
    if (this.direction === Direction.Reverse) this.turnForward();
    else this.source.next();
    this.findNextUserEntry(this.currentKey);
  }

  /** Moves to the next smaller visible key; not valid before the first. REQUIRES: valid(). */
  prev(): void {
    this.checkValid();
    this.isValid = false; // Until an entry is found: an exception from the source leaves the cursor not valid.
    if (this.direction === Direction.Forward) this.turnBackward();
    this.findPrevUserEntry();
  }

  /**
   * The current user key: a new copy on every call, which the caller owns.
   * (The iterator keeps its own copy, since next() skips past it.) REQUIRES: valid().
   */
  key(): Uint8Array {
    this.checkValid();
    return copyBytes(this.currentKey);
  }

  /** The current value: a copy the caller owns (the iterator never reads it again). REQUIRES: valid(). */
  value(): Uint8Array {
    this.checkValid();
    return this.currentValue;
  }

  /** Closes the source (and, through a MergingIterator, every child). Closing twice is allowed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.isValid = false;
    this.source.close();
  }

  /**
   * Yields `[key, value]` pairs in the iterator's direction, at most `limit`
   * of them: from where a seek left the cursor, or else from the first key
   * (the last, when reverse). Closes the iterator when the loop ends, breaks
   * or throws, so `for (const [k, v] of db.iterator())` leaks nothing.
   */
  *[Symbol.iterator](): Generator<[Uint8Array, Uint8Array], void, undefined> {
    try {
      if (!this.positioned) {
        if (this.reverse) this.seekToLast();
        else this.seekToFirst();
      }
      while (this.yielded < this.limit && this.valid()) {
        this.yielded++;
        yield [this.key(), this.value()];
        if (this.yielded >= this.limit) break;
        if (this.reverse) this.prev();
        else this.next();
      }
    } finally {
      this.close();
    }
  }

  /**
   * Moving forward from where the source sits, stops on the first entry that
   * is a visible PUT of a key greater than `skip` (any key when undefined)
   * and not hidden by a visible tombstone; not valid if the source runs out or
   * passes the upper bound first. Sets the direction to Forward.
   * Versions newer than the snapshot are skipped; the first visible version
   * of a key decides for the key, and a tombstone hides the key's older versions.
   */
  private findNextUserEntry(skip: Uint8Array | undefined): void {
    // #region task 6.5: skip invisible versions, older versions and deleted keys; stop at the upper bound
    this.direction = Direction.Forward;
    let hidden = skip;
    while (this.source.valid()) {
      const key = this.source.key();
      // Sorted input: once one key is past the upper bound, all the rest are.
      if (!this.bounds.belowUpper(key)) break;
      if (this.source.sequence() <= this.snapshot && (hidden === undefined || compareBytes(key, hidden) > 0)) {
        if (this.source.kind() === ValueKind.Put) {
          this.currentKey = copyBytes(key);
          this.currentValue = copyValue(this.source.value());
          this.isValid = true;
          return;
        }
        // The newest visible version is a tombstone: the key is deleted, and
        // its older versions must not show through. Copy: the source may
        // overwrite its key buffer on the next step.
        hidden = copyBytes(key);
      }
      this.source.next();
    }
    this.isValid = false;
    // #endregion
  }

  /**
   * Moving backward from where the source sits, walks over every version of
   * the previous key, remembering the newest visible one (the last met), and
   * stops on the entry before them, with that version's key and value as the
   * current entry. Keys whose newest visible version is a tombstone are
   * skipped. Not valid if the source runs out or passes the lower bound
   * first. Sets the direction to Reverse.
   */
  private findPrevUserEntry(): void {
    // #region task 6.6: walk back over all versions of a key keeping the newest visible one; stop at the lower bound
    this.direction = Direction.Reverse;
    let found = false; // true iff currentKey/currentValue hold a visible PUT still to return
    while (this.source.valid()) {
      const key = this.source.key();
      // A smaller key: every version of the saved key is behind us, so the saved one is the newest visible.
      if (found && compareBytes(key, this.currentKey) < 0) break;
      // Sorted input: once one key is below the lower bound, all the earlier ones are.
      if (!this.bounds.aboveLower(key)) break;
      if (this.source.sequence() <= this.snapshot) {
        if (this.source.kind() === ValueKind.Put) {
          // Newer than anything saved for this key: it replaces it.
          this.currentKey = copyBytes(key);
          this.currentValue = copyValue(this.source.value());
          found = true;
        } else {
          found = false; // A newer tombstone: the older versions saved so far are deleted.
        }
      }
      this.source.prev();
    }
    this.isValid = found;
    // #endregion
  }

  /**
   * Called by prev() when the last move was forwards: the source sits on the
   * current key's newest visible version. Moves it one entry back, so that
   * the backward scan starts before that version. One step is enough: the
   * entries just before it are the current key's versions newer than the
   * snapshot, which the backward scan ignores anyway.
   */
  private turnBackward(): void {
    // #region task 6.6: step the source back off the current entry
    this.source.prev();
    // #endregion
  }

  /**
   * Called by next() when the last move was backwards: the source sits just
   * before the current key's versions (or is not valid when nothing comes
   * before them). Moves it onto the first of them, so that the forward scan
   * can skip them all.
   */
  private turnForward(): void {
    // #region task 6.6: step the source onto the current key's first version
    if (this.source.valid()) this.source.next();
    else this.source.seekToFirst();
    // #endregion
  }

  /**
   * Positions the source on its last entry with a user key < `key`, or makes
   * it not valid when there is none.
   */
  private seekBefore(key: Uint8Array): void {
    // #region task 6.6: seek to the first entry >= key, then step back once (or go to the last entry when none is >= key)
    this.source.seek(key, MAX_SEQUENCE);
    if (this.source.valid()) this.source.prev();
    else this.source.seekToLast();
    // #endregion
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('iterator used after close()');
  }

  private checkValid(): void {
    this.checkOpen();
    if (!this.isValid) throw new InvalidArgumentError('the iterator is not on an entry: check valid() before key(), value(), next() or prev()');
  }
}
