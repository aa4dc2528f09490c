/**
 * Writes a table: entries in increasing internal-key order go in, a
 * complete, immutable table file comes out (layout in table-format.ts).
 *
 * The builder streams: it holds one data block being filled, the index
 * entries, the filter's key hashes and a small write buffer, never the
 * whole table. A data block is cut as soon as its size reaches `blockSize`;
 * its index entry is its last key and its handle. finish() then writes the
 * filter, meta and index blocks and the footer.
 *
 *     add(apple#7,PUT) ─┐
 *     add(apricot#3,PUT)├─> data block 0 ─ full ─> write block + trailer, index += (apricot#3,PUT → handle 0)
 *     add(banana#9,DEL) ─┐
 *     ...               ─┴─> data block 1 ─ ...
 *     finish()  ──────────> last data block, filter, meta, index, footer
 *
 * The builder does not sync or close the file: the caller (the engine's
 * flush and compaction) decides durability, syncs, closes, then records the
 * table in the manifest.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { ByteWriter } from '#toolkit/byte-writer.ts';
import { ClosedError, InvalidArgumentError, requireArgument } from '#toolkit/errors.ts';
import type { WritableFile } from '#toolkit/file-system.ts';
import { isValueKind, MAX_SEQUENCE, ValueKind } from '#memtable/internal-key.ts';
import { BloomFilterBuilder } from '#bloom/bloom-filter-builder.ts';
import { BlockBuilder } from './block-builder.ts';
import { encodeFooter } from './footer.ts';
import {
  compareEncodedKeys,
  decodeInternalKey,
  encodeInternalKey,
  formatEncodedKey,
  INTERNAL_KEY_TRAILER_SIZE,
} from './internal-key-codec.ts';
import {
  blockChecksum,
  Compression,
  DEFAULT_BITS_PER_KEY,
  DEFAULT_BLOCK_SIZE,
  DEFAULT_RESTART_INTERVAL,
  encodeBlockHandle,
  FORMAT_VERSION,
  INDEX_RESTART_INTERVAL,
  NO_BLOCK,
  type BlockHandle,
} from './table-format.ts';
import { encodeTableProperties, type TableProperties } from './table-properties.ts';

/** How a table is laid out. */
export interface TableBuilderOptions {
  /**
   * A data block is cut once its contents reach this many bytes, so blocks
   * are about this size (a bit more: the entry that crosses it stays).
   * Bigger blocks make a smaller index but a lookup reads and searches more.
   * Defaults to 4096. 1 puts every entry in its own block (for tests).
   */
  readonly blockSize: number;
  /** Entries between restart points in data blocks. Defaults to 16. */
  readonly restartInterval: number;
  /** Filter bits per user key, 1 to 64; 0 writes no filter. Defaults to 10 (about 1% false positives). */
  readonly bitsPerKey: number;
}

/** The builder appends to the file in pieces of at least this many bytes, not a system call per block. */
export const WRITE_BUFFER_SIZE = 64 * 1024;

/**
 * Builds one table file.
 *
 * Invariants:
 * 1. Every key added is strictly greater than the one before it
 *    (compareEncodedKeys); `lastKey` is the last one, encoded.
 * 2. Bytes [0, written) are in the file; `pending` holds the bytes after
 *    them, not yet appended. `fileSize` = written + pending.length.
 * 3. Every data block written has exactly one index entry: its last key
 *    and its handle, added in order; `dataBlock` holds the entries added
 *    since the last block was written.
 * 4. The filter (if any) has every distinct user key added, once.
 *
 * Not thread-safe. After finish() or abandon(), every method throws ClosedError.
 */
export class TableBuilder {
  readonly blockSize: number;
  readonly bitsPerKey: number;
  private readonly dataBlock: BlockBuilder;
  private readonly indexBlock = new BlockBuilder(INDEX_RESTART_INTERVAL);
  private readonly filter: BloomFilterBuilder | undefined;
  private readonly pending = new ByteWriter(WRITE_BUFFER_SIZE + 8192);
  private written = 0;
  private state: 'building' | 'finished' | 'abandoned' = 'building';
  private firstKey: Uint8Array | undefined;
  private lastKey: Uint8Array | undefined;
  private entries = 0;
  private tombstones = 0;
  private dataBlocks = 0;
  private smallestSequence = MAX_SEQUENCE;
  private largestSequence = 0;

  /**
   * Starts a table in `file`, which must be empty and open for appending.
   * @throws InvalidArgumentError if an option is outside its range (blockSize
   *   an integer from 1 to 2^30, restartInterval from 1 to 65536, bitsPerKey from 0 to 64).
   */
  constructor(
    private readonly file: WritableFile,
    options: Readonly<Partial<TableBuilderOptions>> = {},
  ) {
    const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    requireArgument(
      Number.isInteger(blockSize) && blockSize >= 1 && blockSize <= 2 ** 30,
      `blockSize must be an integer from 1 to 2^30 bytes, got ${blockSize}`,
    );
    const bitsPerKey = options.bitsPerKey ?? DEFAULT_BITS_PER_KEY;
    requireArgument(
      Number.isInteger(bitsPerKey) && bitsPerKey >= 0 && bitsPerKey <= 64,
      `bitsPerKey must be an integer from 0 (no filter) to 64, got ${bitsPerKey}`,
    );
    this.blockSize = blockSize;
    this.bitsPerKey = bitsPerKey;
    this.dataBlock = new BlockBuilder(options.restartInterval ?? DEFAULT_RESTART_INTERVAL);
    this.filter = bitsPerKey === 0 ? undefined : new BloomFilterBuilder(bitsPerKey);
  }

  /** Returns the table's size so far in bytes: what is in the file plus what is buffered. */
  get fileSize(): number {
    return this.written + this.pending.length;
  }

  /** Returns the number of entries added. */
  get entryCount(): number {
    return this.entries;
  }

  /**
   * Adds one entry: the version `sequence` of `userKey`, a value or a
   * tombstone. The builder copies the key and the value: the caller may
   * reuse their buffers.
   * REQUIRES: `value` is empty for a tombstone.
   * @throws InvalidArgumentError if (userKey, sequence, kind) does not sort
   *   strictly after the previous entry's internal key (the message names
   *   both, like `apple#7,PUT after apple#12,PUT`), or if sequence is not an
   *   integer from 0 to 2^53 - 1 or kind is not a ValueKind. Nothing changes when it throws.
   * @throws ClosedError after finish() or abandon().
   */
  add(userKey: Uint8Array, sequence: number, kind: ValueKind, value: Uint8Array): void {
    this.requireBuilding('add');
    requireArgument(
      Number.isSafeInteger(sequence) && sequence >= 0,
      `sequence must be an integer from 0 to 2^53 - 1, got ${sequence}`,
    );
    requireArgument(isValueKind(kind), `kind must be ValueKind.Put (1) or ValueKind.Delete (0), got ${String(kind)}`);
    // TODO(task 4.8): check the order, add new user keys to the filter, add to the data block, cut it when full
    throw new NotImplementedError("task 4.8 in chapters/04-sstable/table-builder.ts: check the order, add new user keys to the filter, add to the data block, cut it when full");
  }

  /**
   * Writes the data block being filled (with its trailer) and adds its
   * index entry: the block's last key, which is `lastKey`, and its handle.
   * REQUIRES: the data block is not empty.
   */
  private flushDataBlock(): void {
    // TODO(task 4.9): write the data block, index it under its last key, start the next block
    throw new NotImplementedError("task 4.9 in chapters/04-sstable/table-builder.ts: write the data block, index it under its last key, start the next block");
  }

  /**
   * Completes the table: writes the last data block, the filter block (if
   * any), the meta block, the index block and the footer, and appends every
   * buffered byte to the file. Does not sync or close the file.
   * Returns the table's properties (also stored in its meta block).
   * @throws InvalidArgumentError if no entry was added: a table is never empty.
   * @throws ClosedError after finish() or abandon().
   */
  finish(): TableProperties {
    this.requireBuilding('finish');
    // TODO(task 4.10): refuse an empty table; write the last data block, the filter, meta and index blocks, the footer; flush
    throw new NotImplementedError("task 4.10 in chapters/04-sstable/table-builder.ts: refuse an empty table; write the last data block, the filter, meta and index blocks, the footer; flush");
  }

  /**
   * Gives up on the table: drops what is buffered; later calls throw
   * ClosedError. The caller closes and removes the file. Abandoning twice,
   * or after finish(), does nothing.
   */
  abandon(): void {
    if (this.state !== 'building') return;
    this.state = 'abandoned';
    this.pending.reset();
  }

  /**
   * Appends `contents` and its trailer (compression None, masked crc32c of
   * contents + compression byte) to the write buffer, and returns the
   * block's handle. The buffer goes to the file once it passes WRITE_BUFFER_SIZE.
   */
  private writeBlock(contents: Uint8Array): BlockHandle {
    const handle = { offset: this.fileSize, size: contents.length };
    const start = this.pending.length;
    this.pending.bytes(contents).u8(Compression.None);
    const crc = blockChecksum(this.pending.view(), start, this.pending.length);
    this.pending.u32(crc);
    if (this.pending.length >= WRITE_BUFFER_SIZE) this.flushPending();
    return handle;
  }

  /** Appends the buffered bytes to the file. */
  private flushPending(): void {
    if (this.pending.length === 0) return;
    this.file.append(this.pending.view());
    this.written += this.pending.length;
    this.pending.reset();
  }

  /**
   * Records an added entry in the properties, and makes `key` the
   * `lastKey`; call it before cutting the block, whose index entry is `lastKey`.
   */
  private countEntry(key: Uint8Array, sequence: number, kind: ValueKind): void {
    this.firstKey ??= key;
    this.lastKey = key;
    this.entries++;
    if (kind === ValueKind.Delete) this.tombstones++;
    if (sequence < this.smallestSequence) this.smallestSequence = sequence;
    if (sequence > this.largestSequence) this.largestSequence = sequence;
  }

  /** The properties of the entries added so far. REQUIRES: at least one entry. */
  private properties(): TableProperties {
    return {
      formatVersion: FORMAT_VERSION,
      entryCount: this.entries,
      tombstoneCount: this.tombstones,
      dataBlockCount: this.dataBlocks,
      smallestSequence: this.smallestSequence,
      largestSequence: this.largestSequence,
      bitsPerKey: this.bitsPerKey,
      smallestKey: decodeInternalKey(this.firstKey!),
      largestKey: decodeInternalKey(this.lastKey!),
    };
  }

  private requireBuilding(what: string): void {
    if (this.state === 'building') return;
    throw new ClosedError(`TableBuilder.${what}() after ${this.state === 'finished' ? 'finish()' : 'abandon()'}`);
  }
}

/**
 * Returns true iff the encoded internal key `encoded` holds the user key
 * `userKey`. The same as `bytesEqual(userKeyOf(encoded), userKey)`, written
 * out because it runs for every entry of every table written: `encoded` is
 * a fresh key of a few dozen bytes, which V8 keeps inside its own heap, and
 * userKeyOf's view of it would make V8 move it out first (about a
 * microsecond, more than the rest of add() together).
 */
function hasUserKey(encoded: Uint8Array, userKey: Uint8Array): boolean {
  const length = userKey.length;
  if (encoded.length - INTERNAL_KEY_TRAILER_SIZE !== length) return false;
  for (let i = 0; i < length; i++) if (encoded[i] !== userKey[i]) return false;
  return true;
}
