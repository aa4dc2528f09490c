/**
 * The table (SSTable) file format: the constants the builder and the reader
 * share, the block handle codec, the block trailer, and table file names.
 *
 * A table is one immutable file of sorted entries. All integers are
 * little-endian. The whole file:
 *
 *     +--------------------------+---------+
 *     | data block 0             | trailer |   entries, sorted by internal key,
 *     +--------------------------+---------+   about blockSize bytes each
 *     | data block 1             | trailer |
 *     +--------------------------+---------+
 *     | ...                      |         |
 *     +--------------------------+---------+
 *     | data block n-1           | trailer |
 *     +--------------------------+---------+
 *     | filter block             | trailer |   bloom filter over every user key
 *     +--------------------------+---------+   (absent when bitsPerKey is 0)
 *     | meta block               | trailer |   the table's properties (table-properties.ts)
 *     +--------------------------+---------+
 *     | index block              | trailer |   one entry per data block
 *     +--------------------------+---------+
 *     | footer: FOOTER_SIZE = 64 bytes     |   where filter, meta and index are (footer.ts)
 *     +------------------------------------+
 *
 * Every block is followed by a 5-byte trailer:
 *
 *     +-------------+------------+
 *     | compression | crc        |   crc = maskCrc(crc32c(block contents ++ compression byte))
 *     | u8          | u32        |
 *     +-------------+------------+
 *
 * A block handle says where a block is: `[offset varint][size varint]`, the
 * offset of its first byte in the file and the size of its contents, which
 * does NOT include the trailer (the block and its trailer take size + 5 bytes).
 *
 * Data and index blocks hold entries (block-builder.ts has their layout).
 * Data block keys are encoded internal keys (internal-key-codec.ts); an index
 * entry's key is the last key of its data block and its value the block's
 * handle, so the first index key >= a target names the only block that can
 * hold the target.
 */

import { crc32c, maskCrc } from '#toolkit/crc32c.ts';
import { CorruptionError, requireArgument } from '#toolkit/errors.ts';
import { readU32 } from '#toolkit/fixed-int.ts';
import { MAX_VARINT_BYTES, readVarint, varintLength, writeVarint } from '#toolkit/varint.ts';

/**
 * The format version this code writes and the newest it reads. The upgrade
 * rule: a reader of version N+1 reads every version up to N+1; a table of a
 * newer version is refused with a CorruptionError naming both versions;
 * compaction rewrites old tables in the current version.
 */
export const FORMAT_VERSION = 1;

/**
 * The last 8 bytes of every table: the ASCII string "LSM-TBL1"
 * (4c 53 4d 2d 54 42 4c 31, or 0x4c534d2d54424c31 read big-endian), so
 * `tail -c 8 000012.sst` shows it. The "1" is part of the name, not the
 * format version: the magic never changes.
 */
export const MAGIC: Uint8Array = Uint8Array.of(0x4c, 0x53, 0x4d, 0x2d, 0x54, 0x42, 0x4c, 0x31);
/** Size of the magic number: 8 bytes. */
export const MAGIC_SIZE = 8;

/**
 * Size of the footer: filter handle (offset u64 + size u64), meta handle
 * (16), index handle (16), format version u32, crc u32, magic (8).
 */
export const FOOTER_SIZE = 16 + 16 + 16 + 4 + 4 + 8;

/** Size of a block trailer: compression type u8 + masked crc32c u32. */
export const BLOCK_TRAILER_SIZE = 1 + 4;

/** Size of one restart offset, and of the restart count, at the end of a block: u32. */
export const RESTART_ENTRY_SIZE = 4;

/** Most bytes an encoded block handle takes: two varints of at most 8 bytes. */
export const MAX_BLOCK_HANDLE_SIZE = 2 * MAX_VARINT_BYTES;

/** Default target size of a data block's contents: 4 KiB, a page on most disks. */
export const DEFAULT_BLOCK_SIZE = 4096;
/** Default number of entries between restart points in a data block. */
export const DEFAULT_RESTART_INTERVAL = 16;
/** Restart interval of the index block: every entry, so a seek binary-searches all of them. */
export const INDEX_RESTART_INTERVAL = 1;
/** Default filter bits per user key: about 1% false positives (chapter 3). 0 means no filter. */
export const DEFAULT_BITS_PER_KEY = 10;

/**
 * How a block's contents are stored, the byte in its trailer. Written to
 * disk: never renumber. Version 1 writes only None; the tag exists so a
 * later version can add compression without changing the trailer.
 */
export const Compression = {
  /** The contents are stored as they are. */
  None: 0,
} as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

/** Where a block is in the file: its first byte, and its size without the trailer. */
export interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

/** The handle of a block that is not there (a table without a filter): offset 0, size 0. */
export const NO_BLOCK: BlockHandle = { offset: 0, size: 0 };

/** Returns the encoded form of `handle`: `[offset varint][size varint]`. */
export function encodeBlockHandle(handle: BlockHandle): Uint8Array {
  const out = new Uint8Array(varintLength(handle.offset) + varintLength(handle.size));
  writeVarint(out, writeVarint(out, 0, handle.offset), handle.size);
  return out;
}

/**
 * Decodes a block handle that must fill `bytes` exactly (an index entry's value).
 * @param file names the table in errors; `at` is where `bytes` starts in it.
 * @throws CorruptionError if a varint is bad or bytes are left over.
 */
export function decodeBlockHandle(bytes: Uint8Array, file: string, at: number): BlockHandle {
  const offset = readVarint(bytes, 0);
  const size = offset === undefined ? undefined : readVarint(bytes, offset.next);
  if (offset === undefined || size === undefined) {
    throw new CorruptionError({ file, offset: at, reason: 'bad block handle: a varint is truncated or too long' });
  }
  if (size.next !== bytes.length) {
    throw new CorruptionError({
      file,
      offset: at,
      reason: `bad block handle: ${bytes.length - size.next} byte(s) after the offset and size`,
    });
  }
  return { offset: offset.value, size: size.value };
}

/**
 * Returns the masked checksum a block trailer stores: crc32c over
 * `bytes[start, end)`, which must be the block's contents followed by its
 * compression byte. Writer and reader both call this, so they cannot disagree.
 */
export function blockChecksum(bytes: Uint8Array, start: number, end: number): number {
  return maskCrc(crc32c(bytes, 0, start, end));
}

/**
 * Checks a block as read from disk, `bytes` = contents ++ trailer, and
 * returns a view of the contents.
 *
 * @param handle where the block was read from (its size excludes the trailer).
 * @param verifyChecksum compare the stored crc with the contents'; false
 *   skips it (faster, but then a flipped bit can go unnoticed).
 * @throws CorruptionError if fewer than size + 5 bytes were read (the file
 *   ends early), the checksum does not match, or the compression type is unknown.
 */
export function checkBlockTrailer(
  bytes: Uint8Array,
  handle: BlockHandle,
  file: string,
  verifyChecksum: boolean,
): Uint8Array {
  const size = handle.size;
  if (bytes.length !== size + BLOCK_TRAILER_SIZE) {
    throw new CorruptionError({
      file,
      offset: handle.offset,
      reason: `truncated: the block needs ${size} + ${BLOCK_TRAILER_SIZE} bytes, read ${bytes.length}`,
    });
  }
  if (verifyChecksum) {
    const stored = readU32(bytes, size + 1);
    const computed = blockChecksum(bytes, 0, size + 1);
    if (stored !== computed) {
      throw new CorruptionError({
        file,
        offset: handle.offset,
        reason: `block checksum mismatch (stored ${hex32(stored)}, computed ${hex32(computed)})`,
      });
    }
  }
  const compression = bytes[size]!;
  if (compression !== Compression.None) {
    throw new CorruptionError({
      file,
      offset: handle.offset + size,
      reason: `unknown compression type ${compression} (this reader knows only ${Compression.None}, none)`,
    });
  }
  return bytes.subarray(0, size);
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** Table file names end with this. */
export const TABLE_FILE_SUFFIX = '.sst';
/** Table numbers are zero-padded to this many digits, so names sort like numbers (up to 999999). */
export const TABLE_NUMBER_DIGITS = 6;

/**
 * Returns the file name of table `number`: `tableFileName(12)` is `"000012.sst"`.
 * @throws InvalidArgumentError unless `number` is an integer in 0 .. 2^53 - 1.
 */
export function tableFileName(number: number): string {
  requireArgument(
    Number.isSafeInteger(number) && number >= 0,
    `a table number must be an integer from 0 to 2^53 - 1, got ${number}`,
  );
  return `${String(number).padStart(TABLE_NUMBER_DIGITS, '0')}${TABLE_FILE_SUFFIX}`;
}

/**
 * Returns the table number a file name stands for, or undefined if `name` is
 * not exactly what {@link tableFileName} writes ("12.sst" and "000012.sst.tmp"
 * are not tables), so two names never map to one number.
 */
export function parseTableFileName(name: string): number | undefined {
  const match = /^(\d+)\.sst$/.exec(name);
  if (match === null) return undefined;
  const number = Number(match[1]);
  if (!Number.isSafeInteger(number)) return undefined;
  return tableFileName(number) === name ? number : undefined;
}
