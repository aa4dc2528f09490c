/**
 * The memtable: the newest writes, in memory, sorted by internal key.
 *
 * Every put and delete lands here (after the write-ahead log of chapter 2).
 * Nothing is overwritten in place: `put(apple)` at sequence 7 and
 * `delete(apple)` at sequence 12 are two entries, `apple#7,PUT` and
 * `apple#12,DEL`, and a reader picks the newest one its snapshot can see.
 * When the memtable grows past a size limit, the engine freezes it and
 * writes it out as a sorted table (chapter 7); `approximateBytes` is that size.
 *
 * Invariants:
 * 1. Sequence numbers are integers in 1 .. MAX_SEQUENCE and strictly increase
 *    from one `add` to the next, so two entries never share one and the
 *    newest write has the largest. (0 means "nothing": an empty memtable's
 *    `lastSequence`, and a read at sequence 0 sees no entry.)
 * 2. `approximateBytes` is the sum over entries of key + value + ENTRY_OVERHEAD.
 *
 * REQUIRES: callers do not modify a key or value after handing it over (the
 * engine copies what users pass in).
 */

import { bytesEqual, EMPTY_BYTES } from '#toolkit/bytes.ts';
import { InvalidArgumentError, requireArgument } from '#toolkit/errors.ts';
import { compareInternalKeys, isValueKind, MAX_SEQUENCE, ValueKind, type InternalKey } from './internal-key.ts';
import type { InternalIterator } from './internal-iterator.ts';
import { MemTableIterator } from './memtable-iterator.ts';
import { SkipList } from './skiplist.ts';

/**
 * Bytes counted per entry besides its key and value: the sequence (8), the
 * kind (1) and the skiplist node's links, roughly. It only has to be in
 * proportion, so that many tiny entries still trigger a flush.
 */
export const ENTRY_OVERHEAD = 32;

/** One version of a key, as `get` finds it. */
export interface MemTableEntry {
  readonly sequence: number;
  readonly kind: ValueKind;
  /** The value; empty for a tombstone. */
  readonly value: Uint8Array;
}

/** Holds the newest writes in a skiplist keyed by internal key; see the file comment for its invariants. */
export class MemTable {
  /** The entries, sorted by internal key. Read it (iterators, flush); write only through add(). */
  readonly list = new SkipList<InternalKey, Uint8Array>(compareInternalKeys);
  private bytes = 0;
  private last = 0;
  private first = 0;

  /** Approximate memory held, in bytes: what decides when to flush. */
  get approximateBytes(): number {
    return this.bytes;
  }

  /** Number of entries (versions, tombstones included). */
  get entryCount(): number {
    return this.list.length;
  }

  /** The sequence of the newest entry, or 0 when empty. */
  get lastSequence(): number {
    return this.last;
  }

  /** The sequence of the oldest entry, or 0 when empty. */
  get firstSequence(): number {
    return this.first;
  }

  /** Returns true iff the memtable holds no entries. */
  isEmpty(): boolean {
    return this.list.length === 0;
  }

  /**
   * Adds one version of `key`. REQUIRES: `value` is empty for a tombstone.
   * @throws InvalidArgumentError if `sequence` is not an integer larger than every sequence
   *   added before (and than 0) and at most MAX_SEQUENCE: a reused or out-of-order sequence
   *   number would make "newest" ambiguous. Nothing changes when it throws.
   * @throws InvalidArgumentError if `kind` is not a {@link ValueKind}.
   */
  add(sequence: number, kind: ValueKind, key: Uint8Array, value: Uint8Array): void {
    requireArgument(isValueKind(kind), `kind must be ValueKind.Put (1) or ValueKind.Delete (0), got ${String(kind)}`);
    // #region task 1.6: check the sequence increases, insert into the skiplist, count the bytes
    // Stryker disable next-line ConditionalExpression,EqualityOperator: MAX_SEQUENCE is Number.MAX_SAFE_INTEGER, so isSafeInteger already refuses everything above it; the bound stays for the reader.
    if (!Number.isSafeInteger(sequence) || sequence <= this.last || sequence > MAX_SEQUENCE) {
      throw new InvalidArgumentError(
        `sequence ${sequence} must be an integer larger than the last one added (${this.last}) and at most 2^53 - 1`,
      );
    }
    this.list.insert({ userKey: key, sequence, kind }, value);
    if (this.first === 0) this.first = sequence;
    this.last = sequence;
    this.bytes += key.length + value.length + ENTRY_OVERHEAD;
    // #endregion
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
    // #region task 1.7: seek to (key, atSequence) and check the entry found is the same user key
    // PUT sorts before DEL at an equal sequence, so this target is the first entry (key, <= atSequence).
    const node = this.list.findGreaterOrEqual({ userKey: key, sequence: atSequence, kind: ValueKind.Put });
    if (node === undefined || !bytesEqual(node.key.userKey, key)) {
      return undefined; // No entry, or the first one belongs to a larger user key.
    }
    return { sequence: node.key.sequence, kind: node.key.kind, value: node.value };
    // #endregion
  }

  /** Returns a cursor over every entry in internal-key order. */
  iterator(): InternalIterator {
    return new MemTableIterator(this.list);
  }
}
