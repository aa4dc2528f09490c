/**
 * Builds one block of a table: sorted entries with shared-prefix
 * compression, then the restart points that let a reader binary-search them.
 *
 * Sorted keys share long prefixes (`user:1041#9,PUT`, `user:1042#3,PUT`), so
 * each entry stores only what differs from the previous key:
 *
 *     +---------------+-----------------+---------------------+----------------+-------+
 *     | shared        | unshared        | value_length        | unshared bytes | value |
 *     | varint        | varint          | varint              | of the key     |       |
 *     +---------------+-----------------+---------------------+----------------+-------+
 *
 *     key = (first `shared` bytes of the previous entry's key) ++ (unshared bytes)
 *
 * A key compressed this way can only be rebuilt by decoding every entry
 * before it. So every `restartInterval` entries (entry 0, 16, 32, ... by
 * default) the builder starts afresh: that entry stores its whole key
 * (shared = 0) and its offset is recorded as a restart point. A reader can
 * jump to any restart point and decode from there, and binary-search the
 * restart points' keys. The block ends with their offsets:
 *
 *     +---------+---------+-----+-----------+-----------+-----+-------------+---------------+
 *     | entry 0 | entry 1 | ... | entry n-1 | restart 0 | ... | restart r-1 | restart count |
 *     |         |         |     |           | u32 (= 0) |     | u32         | u32 (= r)     |
 *     +---------+---------+-----+-----------+-----------+-----+-------------+---------------+
 *
 *     r = ceil(n / restartInterval); restart i is the offset of entry i × restartInterval.
 *
 * A worked example (restart interval 2) is in chapters/04-sstable/README.md.
 */

import { ByteWriter } from '#toolkit/byte-writer.ts';
import { EMPTY_BYTES, sharedPrefixLength } from '#toolkit/bytes.ts';
import { assertInvariant, requireArgument } from '#toolkit/errors.ts';
import { DEFAULT_RESTART_INTERVAL, RESTART_ENTRY_SIZE } from './table-format.ts';

/**
 * Accumulates the entries of one block, then writes the block.
 *
 * Invariants:
 * 1. `buffer` holds the encoded entries added since the last reset, and
 *    nothing else until finish() appends the restart array.
 * 2. `restarts[j]` is the offset in `buffer` of entry j × restartInterval;
 *    so restarts[0] = 0 once an entry is added, and there are
 *    ceil(entryCount / restartInterval) of them.
 * 3. `lastKey` is the key of the last entry added (EMPTY_BYTES when none).
 *
 * Not thread-safe. Reuse one builder for many blocks with reset().
 */
export class BlockBuilder {
  private readonly buffer = new ByteWriter(4096);
  private readonly restarts: number[] = [];
  private lastKey: Uint8Array = EMPTY_BYTES;
  private count = 0;
  private finished = false;

  /**
   * @param restartInterval entries per restart run: 16 for data blocks, 1 for
   *   the index block (every key whole, so a seek is a pure binary search).
   * @throws InvalidArgumentError unless restartInterval is an integer from 1 to 65536.
   */
  constructor(readonly restartInterval: number = DEFAULT_RESTART_INTERVAL) {
    requireArgument(
      Number.isInteger(restartInterval) && restartInterval >= 1 && restartInterval <= 65_536,
      `restartInterval must be an integer from 1 to 65536, got ${restartInterval}`,
    );
  }

  /** Returns true iff no entry was added since construction or the last reset. */
  isEmpty(): boolean {
    return this.count === 0;
  }

  /** Returns the number of entries added since the last reset. */
  get entryCount(): number {
    return this.count;
  }

  /**
   * Returns the size finish() would return, in bytes: the entries plus the
   * restart array and its count. Exact, not an estimate; the name says
   * what the table builder uses it for (deciding when a block is full).
   */
  get estimatedSize(): number {
    return this.buffer.length + RESTART_ENTRY_SIZE * (this.restarts.length + 1);
  }

  /**
   * Appends an entry: the key compressed against the previous key (or
   * whole, at a restart point), then the value.
   * REQUIRES: `key` sorts after every key added since the last reset
   * (compareEncodedKeys), finish() was not called since, and the caller does
   * not modify `key` until the next add() or reset() (it is kept, not copied).
   */
  add(key: Uint8Array, value: Uint8Array): void {
    assertInvariant(!this.finished, 'BlockBuilder.add after finish(): call reset() first');
    // #region task 4.3: at every restartInterval-th entry record a restart and share nothing; else share the prefix
    let shared = 0;
    if (this.count % this.restartInterval === 0) {
      // A restart point: the whole key is stored, so a reader can start decoding here.
      this.restarts.push(this.buffer.length);
    } else {
      shared = sharedPrefixLength(this.lastKey, key);
    }
    this.buffer
      .varint(shared)
      .varint(key.length - shared)
      .varint(value.length)
      .bytes(key, shared)
      .bytes(value);
    this.lastKey = key;
    this.count++;
    // #endregion
  }

  /**
   * Appends the restart array and its count and returns the whole block's
   * contents: a view that stays valid until the next reset().
   * @throws InvalidArgumentError if the block is empty (a block holds at least one entry).
   */
  finish(): Uint8Array {
    requireArgument(this.count > 0, 'a block needs at least one entry: add() before finish()');
    assertInvariant(!this.finished, 'BlockBuilder.finish called twice: call reset() first');
    // #region task 4.4: append every restart offset as a u32, then their count as a u32
    for (const offset of this.restarts) this.buffer.u32(offset);
    this.buffer.u32(this.restarts.length);
    this.finished = true;
    return this.buffer.view();
    // #endregion
  }

  /** Forgets every entry, keeping the buffer's memory, to build the next block. */
  reset(): void {
    this.buffer.reset();
    this.restarts.length = 0;
    this.lastKey = EMPTY_BYTES;
    this.count = 0;
    this.finished = false;
  }
}
