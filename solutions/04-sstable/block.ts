/**
 * Reading a block: a Block is the parsed contents of one data or index
 * block (layout in block-builder.ts), and a BlockIterator walks its entries.
 *
 * A block cannot be indexed by entry number: entries have different sizes,
 * and a compressed key needs the key before it. So the iterator decodes
 * forward only, and uses the restart points for everything else:
 *
 * - seek(target): binary search over the restart points (whose keys are
 *   stored whole), then decode forward from the last restart point whose key
 *   is < target, to the first entry >= target. About log2(restarts) + 16
 *   decodes, instead of up to n.
 * - prev(): jump to the last restart point before the current entry and
 *   decode forward to the entry just before it.
 *
 * Every offset and length read from the block is checked against its
 * bounds before it is used: damaged bytes give a CorruptionError naming the
 * file and the byte offset, never a RangeError or garbage.
 */

import { CorruptionError } from '#toolkit/errors.ts';
import { readU32 } from '#toolkit/fixed-int.ts';
import { isValueKind, type ValueKind } from '#memtable/internal-key.ts';
import { compareEncodedKeys, compareEncodedKeysAt, INTERNAL_KEY_TRAILER_SIZE, kindByteOf, sequenceOf } from './internal-key-codec.ts';
import { RESTART_ENTRY_SIZE } from './table-format.ts';

/**
 * The parsed contents of one block, immutable and shareable: a block cache
 * hands the same Block to every reader, and each walks it with its own
 * BlockIterator.
 *
 * Invariants (checked by decode):
 * 1. The block ends with `restartCount` u32 restart offsets and the count;
 *    the entries fill `data[0, restartsOffset)`.
 * 2. restartCount >= 1; restart 0 is offset 0; the restart offsets strictly
 *    increase and are all < restartsOffset. So a block holds at least one entry.
 */
export class Block {
  private constructor(
    /** The block's contents, without the trailer. Never modified. */
    readonly data: Uint8Array,
    /** Where the restart array starts, which is where the entries end. */
    readonly restartsOffset: number,
    /** Number of restart points. */
    readonly restartCount: number,
    /** The file the block came from, for errors. */
    readonly file: string,
    /** The block's offset in that file, so errors report absolute offsets. */
    readonly offset: number,
  ) {}

  /**
   * Parses a block's contents and checks its restart array. Keeps a view of
   * `contents`: the caller must not modify them afterwards.
   * @param file names the block's file in errors; `offset` is where the block starts in it.
   * @throws CorruptionError if the restart array does not fit, is empty, does
   *   not start at 0, or is not strictly increasing inside the entries.
   */
  static decode(contents: Uint8Array, file = 'block', offset = 0): Block {
    const corrupt = (at: number, reason: string): never => {
      throw new CorruptionError({ file, offset: offset + at, reason });
    };
    if (contents.length < RESTART_ENTRY_SIZE) {
      corrupt(0, `truncated: a block needs ${RESTART_ENTRY_SIZE} bytes for its restart count, got ${contents.length}`);
    }
    const countAt = contents.length - RESTART_ENTRY_SIZE;
    const count = readU32(contents, countAt);
    if (count === 0) corrupt(countAt, 'the block has no restart points, so no entries');
    if (count > Math.floor(countAt / RESTART_ENTRY_SIZE)) {
      corrupt(countAt, `restart count ${count} does not fit in a block of ${contents.length} bytes`);
    }
    const restartsOffset = countAt - count * RESTART_ENTRY_SIZE;
    let previous = -1;
    for (let i = 0; i < count; i++) {
      const at = restartsOffset + i * RESTART_ENTRY_SIZE;
      const restart = readU32(contents, at);
      if ((i === 0 && restart !== 0) || restart <= previous || restart >= restartsOffset) {
        corrupt(
          at,
          `restart point ${i} is offset ${restart}: restarts must start at 0 and increase within the ${restartsOffset} bytes of entries`,
        );
      }
      previous = restart;
    }
    return new Block(contents, restartsOffset, count, file, offset);
  }

  /** Returns the block's size in bytes (its contents, without the trailer): what a cache charges. */
  get size(): number {
    return this.data.length;
  }

  /** Returns the offset of restart point `index`. REQUIRES: 0 <= index < restartCount. */
  restartPoint(index: number): number {
    return readU32(this.data, this.restartsOffset + index * RESTART_ENTRY_SIZE);
  }

  /** Returns a new iterator over the block's entries, not yet positioned (not valid). */
  iterator(): BlockIterator {
    return new BlockIterator(this);
  }
}

/**
 * A cursor over one block's entries, in key order. Keys are encoded
 * internal keys (both data and index blocks hold them), compared with
 * compareEncodedKeys.
 *
 * Invariants:
 * 1. Valid iff `current < block.restartsOffset`; then the entry at `current`
 *    is decoded: `keyBuffer[0, keyLength)` is its whole key, its value is
 *    `data[valueOffset, valueOffset + valueLength)`, and the next entry
 *    starts at `nextOffset`.
 * 2. `restartIndex` is a restart point at or before `current` (a hint that
 *    keeps prev() short; prev() is correct with any smaller one).
 *
 * The key buffer is reused from entry to entry, so key() is a view that is
 * valid only until the iterator moves; userKey() is a copy.
 */
export class BlockIterator {
  private current: number;
  private nextOffset = 0;
  private restartIndex = 0;
  private keyBuffer = new Uint8Array(64);
  private keyLength = 0;
  private valueOffset = 0;
  private valueLength = 0;
  /** Where readLength reads its next varint. */
  private cursor = 0;

  constructor(readonly block: Block) {
    this.current = block.restartsOffset;
  }

  /** Returns true iff the iterator is positioned at an entry. */
  valid(): boolean {
    return this.current < this.block.restartsOffset;
  }

  /** Positions at the first entry (a block always has one). */
  seekToFirst(): void {
    this.seekToRestart(0);
    this.parseNextEntry();
  }

  /** Positions at the last entry: decodes forward from the last restart point to the end. */
  seekToLast(): void {
    this.seekToRestart(this.block.restartCount - 1);
    while (this.parseNextEntry() && this.nextOffset < this.block.restartsOffset) {
      // Keep decoding: the last entry is the one that ends where the restart array starts.
    }
  }

  /**
   * Positions at the first entry whose key is >= `target` (an encoded
   * internal key), or not valid if every key is smaller. Binary search over
   * the restart points, then a forward scan of at most one restart run.
   * The search compares each restart key where it lies in the block
   * (compareRestartKey) instead of decoding it: an index block restarts at
   * every entry, so a seek there is all search.
   */
  seek(target: Uint8Array): void {
    // #region task 4.6: binary-search the last restart point whose key is < target, then scan forward to the first key >= target
    // Invariant of the search: every restart point before `left` has a key < target
    // (or left = 0), and every one after `right` has a key >= target.
    let left = 0;
    let right = this.block.restartCount - 1;
    while (left < right) {
      const mid = (left + right + 1) >>> 1; // Round up, so left = mid always makes progress.
      if (this.compareRestartKey(mid, target) < 0) left = mid;
      else right = mid - 1;
    }
    // The first key >= target is in restart run `left`, or is the first key of the next run.
    this.seekToRestart(left);
    while (this.parseNextEntry()) {
      if (this.compareKey(target) >= 0) return;
    }
    // #endregion
  }

  /** Moves to the next entry; becomes not valid after the last. REQUIRES: valid(). */
  next(): void {
    this.requireValid();
    this.parseNextEntry();
    // Keep the hint at the last restart point at or before the new entry.
    const block = this.block;
    while (this.restartIndex + 1 < block.restartCount && block.restartPoint(this.restartIndex + 1) <= this.current) {
      this.restartIndex++;
    }
  }

  /**
   * Moves to the previous entry; becomes not valid before the first.
   * REQUIRES: valid(). Entries can only be decoded forward, so this restarts
   * from the last restart point before the current entry.
   */
  prev(): void {
    this.requireValid();
    // #region task 4.7: find the last restart point before the current entry, then decode forward to the entry just before it
    const original = this.current;
    let r = this.restartIndex;
    while (this.block.restartPoint(r) >= original) {
      if (r === 0) {
        this.markInvalid(); // The current entry was the first.
        return;
      }
      r--;
    }
    this.seekToRestart(r);
    do {
      this.parseNextEntry();
    } while (this.nextOffset < original);
    // #endregion
  }

  /** Returns the current entry's whole key: a view valid only until the iterator moves. REQUIRES: valid(). */
  key(): Uint8Array {
    this.requireValid();
    return this.keyBuffer.subarray(0, this.keyLength);
  }

  /** Returns the current entry's value: a view into the block, valid as long as the block. REQUIRES: valid(). */
  value(): Uint8Array {
    this.requireValid();
    return this.block.data.subarray(this.valueOffset, this.valueOffset + this.valueLength);
  }

  /** Returns the current entry's offset in its file (for errors about its value). REQUIRES: valid(). */
  get entryOffset(): number {
    return this.block.offset + this.current;
  }

  /**
   * Compares the current key with `target` (both encoded internal keys):
   * negative iff the current key sorts first. REQUIRES: valid().
   */
  compareKey(target: Uint8Array): number {
    return compareEncodedKeys(this.keyBuffer, target, this.keyLength, target.length);
  }

  /**
   * Compares the key of restart point `index` with `target` (an encoded
   * internal key) where it lies in the block, without decoding it into the
   * key buffer: a restart point's key is stored whole (shared = 0). Does
   * not move the iterator.
   * @throws CorruptionError if the entry's header is damaged, as parseNextEntry would.
   */
  private compareRestartKey(index: number, target: Uint8Array): number {
    const data = this.block.data;
    const at = this.block.restartPoint(index);
    this.cursor = at;
    const shared = this.readLength(at, 'shared');
    const unshared = this.readLength(at, 'unshared');
    const valueLength = this.readLength(at, 'value_length');
    const keyStart = this.cursor;
    if (shared !== 0) this.corrupt(at, `shared prefix of ${shared} bytes at a restart point, whose key must be stored whole`);
    if (unshared + valueLength > this.block.restartsOffset - keyStart) {
      this.corrupt(at, `entry of ${unshared} key and ${valueLength} value bytes runs past the entries' end at ${this.block.restartsOffset}`);
    }
    if (unshared < INTERNAL_KEY_TRAILER_SIZE) {
      this.corrupt(at, `key of ${unshared} bytes is shorter than the ${INTERNAL_KEY_TRAILER_SIZE}-byte internal key trailer`);
    }
    return compareEncodedKeysAt(data, keyStart, unshared, target);
  }

  /** Returns a copy of the current key's user key part (without the trailer). REQUIRES: valid(). */
  userKey(): Uint8Array {
    this.requireValid();
    return this.keyBuffer.slice(0, this.keyLength - INTERNAL_KEY_TRAILER_SIZE);
  }

  /** Returns true iff the current key's user key part equals `userKey`. REQUIRES: valid(). */
  hasUserKey(userKey: Uint8Array): boolean {
    const n = this.keyLength - INTERNAL_KEY_TRAILER_SIZE;
    if (n !== userKey.length) return false;
    for (let i = 0; i < n; i++) if (this.keyBuffer[i] !== userKey[i]) return false;
    return true;
  }

  /** Returns the sequence in the current key's trailer. REQUIRES: valid(). */
  sequence(): number {
    return sequenceOf(this.keyBuffer, this.keyLength);
  }

  /**
   * Returns the kind in the current key's trailer. REQUIRES: valid().
   * @throws CorruptionError if the kind byte is not a ValueKind.
   */
  kind(): ValueKind {
    const kind = kindByteOf(this.keyBuffer, this.keyLength);
    if (!isValueKind(kind)) this.corrupt(this.current, `bad kind ${kind} in an internal key`);
    return kind;
  }

  /**
   * Decodes the entry at `nextOffset` and makes it the current one:
   * reads shared, unshared and value_length, checks them against the
   * block's bounds, and rebuilds the key in `keyBuffer` from the first
   * `shared` bytes of the previous key plus the unshared bytes.
   * Returns false, and becomes not valid, when `nextOffset` is the end of the entries.
   * REQUIRES: keyBuffer[0, keyLength) holds the key of the entry before
   * `nextOffset`, or keyLength is 0 at a restart point.
   * @throws CorruptionError if a varint is bad, `shared` is longer than the
   *   previous key, the entry runs past the entries, or the key is shorter than 8 bytes.
   */
  private parseNextEntry(): boolean {
    // #region task 4.5: read three varints, check them against the bounds, rebuild the key, find the value
    const data = this.block.data;
    const limit = this.block.restartsOffset;
    const at = this.nextOffset;
    if (at >= limit) {
      this.markInvalid();
      return false;
    }
    this.cursor = at;
    const shared = this.readLength(at, 'shared');
    const unshared = this.readLength(at, 'unshared');
    const valueLength = this.readLength(at, 'value_length');
    if (shared > this.keyLength) {
      this.corrupt(at, `shared prefix of ${shared} bytes is longer than the previous key (${this.keyLength} bytes)`);
    }
    const keyStart = this.cursor;
    if (unshared + valueLength > limit - keyStart) {
      this.corrupt(at, `entry of ${unshared} key and ${valueLength} value bytes runs past the entries' end at ${limit}`);
    }
    const keyLength = shared + unshared;
    if (keyLength < INTERNAL_KEY_TRAILER_SIZE) {
      this.corrupt(at, `key of ${keyLength} bytes is shorter than the ${INTERNAL_KEY_TRAILER_SIZE}-byte internal key trailer`);
    }
    this.reserveKey(keyLength);
    const key = this.keyBuffer;
    for (let i = 0; i < unshared; i++) key[shared + i] = data[keyStart + i]!;
    this.keyLength = keyLength;
    this.valueOffset = keyStart + unshared;
    this.valueLength = valueLength;
    this.current = at;
    this.nextOffset = this.valueOffset + valueLength;
    return true;
    // #endregion
  }

  /**
   * Reads a varint length at `cursor` and moves `cursor` past it. Lengths in
   * a block are below 2^32, so at most 5 bytes; no object is allocated.
   * @param entry the offset of the entry being decoded, for errors.
   * @throws CorruptionError if the varint runs past the entries or is longer than 5 bytes.
   */
  private readLength(entry: number, what: string): number {
    const data = this.block.data;
    const limit = this.block.restartsOffset;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (this.cursor >= limit) this.corrupt(entry, `truncated varint for ${what}`);
      const byte = data[this.cursor++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    return this.corrupt(entry, `varint for ${what} is longer than 5 bytes`);
  }

  /** Grows the key buffer to hold `length` bytes, keeping the bytes it holds. */
  private reserveKey(length: number): void {
    if (length <= this.keyBuffer.length) return;
    const grown = new Uint8Array(Math.max(length, this.keyBuffer.length * 2));
    grown.set(this.keyBuffer.subarray(0, this.keyLength));
    this.keyBuffer = grown;
  }

  /** Prepares to decode from restart point `index`: its key is stored whole, so no previous key is needed. */
  private seekToRestart(index: number): void {
    this.restartIndex = index;
    this.keyLength = 0;
    this.nextOffset = this.block.restartPoint(index);
    this.current = this.block.restartsOffset; // Not valid until an entry is decoded.
  }

  /** Makes the iterator not valid. */
  private markInvalid(): void {
    this.current = this.block.restartsOffset;
    this.nextOffset = this.block.restartsOffset;
  }

  private requireValid(): void {
    if (!this.valid()) throw new Error('block iterator is not valid: check valid() before key(), value(), next() or prev()');
  }

  private corrupt(entry: number, reason: string): never {
    throw new CorruptionError({ file: this.block.file, offset: this.block.offset + entry, reason });
  }
}
