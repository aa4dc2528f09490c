/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 1's
 * memtable, written differently from solutions/01-memtable/memtable.ts.
 *
 * What differs:
 * - The byte count is not kept as one running total. The memtable keeps the
 *   key and value bytes only (`payloadBytes`) and `approximateBytes`
 *   computes payload + entryCount × ENTRY_OVERHEAD when asked.
 * - The sequence check is written positively ("accept iff an integer, above
 *   the last, at most MAX_SEQUENCE"), and firstSequence is set when the
 *   memtable was empty before the write (entryCount === 0), not when the
 *   stored first sequence is still 0.
 * - get() is answered by a cursor: it seeks a MemTableIterator to
 *   (key, atSequence) and checks the user key with its own byte comparison,
 *   instead of calling the skiplist directly and using bytesEqual.
 * - Insert's "equal key present" answer is treated as a broken invariant
 *   (assertInvariant): with strictly increasing sequences it cannot happen.
 *
 * Why it is still correct:
 * - payload + count × ENTRY_OVERHEAD is the lesson's sum over entries of
 *   key + value + ENTRY_OVERHEAD, rearranged; a tombstone's value is empty.
 * - Every check runs before the skiplist or any counter changes, so a
 *   refused write changes nothing; `sequence > last` with last >= 0 also
 *   refuses 0, negatives and NaN, and Number.isInteger refuses 1.5 and
 *   Infinity.
 * - The cursor's seek(key, s) is findGreaterOrEqual((key, s, PUT)): the
 *   newest version of key with sequence <= s if there is one, else an entry
 *   of a larger user key (or nothing), which the user-key check turns into
 *   undefined. A tombstone found there is returned as it is.
 *
 * REQUIRES: callers do not modify a key or value after handing it over.
 */

import { EMPTY_BYTES } from '#toolkit/bytes.ts';
import { assertInvariant, InvalidArgumentError, requireArgument } from '#toolkit/errors.ts';
import { compareInternalKeys, isValueKind, MAX_SEQUENCE, ValueKind, type InternalKey } from './internal-key.ts';
import type { InternalIterator } from './internal-iterator.ts';
import { MemTableIterator } from './memtable-iterator.ts';
import { SkipList } from './skiplist.ts';

/**
 * Bytes counted per entry besides its key and value (the sequence, the kind
 * and the node's links, roughly). Fixed by the lesson: 32.
 */
export const ENTRY_OVERHEAD = 32;

/** One version of a key, as `get` finds it. */
export interface MemTableEntry {
  readonly sequence: number;
  readonly kind: ValueKind;
  /** The value; empty for a tombstone. */
  readonly value: Uint8Array;
}

/** Returns true iff `a` and `b` hold the same bytes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Holds the newest writes in a skiplist keyed by internal key; see the file comment. */
export class MemTable {
  /** The entries, sorted by internal key. Read it (iterators, flush); write only through add(). */
  readonly list = new SkipList<InternalKey, Uint8Array>(compareInternalKeys);
  /** Sum of key and value lengths over all entries (the overhead is added on read). */
  private payloadBytes = 0;
  private oldest = 0;
  private newest = 0;

  /** Approximate memory held, in bytes: what decides when to flush. */
  get approximateBytes(): number {
    return this.payloadBytes + this.entryCount * ENTRY_OVERHEAD;
  }

  /** Number of entries (versions, tombstones included). */
  get entryCount(): number {
    return this.list.length;
  }

  /** The sequence of the newest entry, or 0 when empty. */
  get lastSequence(): number {
    return this.newest;
  }

  /** The sequence of the oldest entry, or 0 when empty. */
  get firstSequence(): number {
    return this.oldest;
  }

  /** Returns true iff the memtable holds no entries. */
  isEmpty(): boolean {
    return this.entryCount === 0;
  }

  /**
   * Adds one version of `key`. REQUIRES: `value` is empty for a tombstone.
   * @throws InvalidArgumentError if `sequence` is not an integer larger than every sequence
   *   added before (and than 0) and at most MAX_SEQUENCE. Nothing changes when it throws.
   * @throws InvalidArgumentError if `kind` is not a {@link ValueKind}.
   */
  add(sequence: number, kind: ValueKind, key: Uint8Array, value: Uint8Array): void {
    requireArgument(isValueKind(kind), `kind must be ValueKind.Put (1) or ValueKind.Delete (0), got ${String(kind)}`);
    const acceptable = Number.isInteger(sequence) && sequence > this.newest && sequence <= MAX_SEQUENCE;
    if (!acceptable) {
      throw new InvalidArgumentError(
        `sequence ${sequence} must be an integer above the last one added (${this.newest}) and at most 2^53 - 1`,
      );
    }
    const wasEmpty = this.entryCount === 0;
    const inserted = this.list.insert({ userKey: key, sequence, kind }, value);
    assertInvariant(inserted, 'a new sequence number makes every internal key unique');
    if (wasEmpty) this.oldest = sequence;
    this.newest = sequence;
    this.payloadBytes += key.length + value.length;
  }

  /** Adds a value for `key` at `sequence`. */
  put(sequence: number, key: Uint8Array, value: Uint8Array): void {
    this.add(sequence, ValueKind.Put, key, value);
  }

  /** Adds a tombstone for `key` at `sequence`. */
  delete(sequence: number, key: Uint8Array): void {
    this.add(sequence, ValueKind.Delete, key, EMPTY_BYTES);
  }

  /**
   * Finds the newest version of `key` with a sequence <= `atSequence`.
   * Returns it (a tombstone too: the caller must stop looking in older data),
   * or undefined if this memtable has no visible version of `key`.
   */
  get(key: Uint8Array, atSequence: number = MAX_SEQUENCE): MemTableEntry | undefined {
    const cursor = this.iterator();
    cursor.seek(key, atSequence);
    if (!cursor.valid() || !sameBytes(cursor.key(), key)) return undefined;
    return { sequence: cursor.sequence(), kind: cursor.kind(), value: cursor.value() };
  }

  /** Returns a cursor over every entry in internal-key order. */
  iterator(): InternalIterator {
    return new MemTableIterator(this.list);
  }
}
