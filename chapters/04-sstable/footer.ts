/**
 * The footer: the fixed-size last 64 bytes of a table, where a reader
 * starts. Its place is known without reading anything else (file size - 64),
 * and it says where the filter, meta and index blocks are.
 *
 *     0             8             16            24            32            40            48        52        56
 *     +-------------+-------------+-------------+-------------+-------------+-------------+---------+---------+-------------+
 *     | filter      | filter      | meta        | meta        | index       | index       | format  | crc     | magic       |
 *     | offset u64  | size u64    | offset u64  | size u64    | offset u64  | size u64    | version | u32     | "LSM-TBL1"  |
 *     |             |             |             |             |             |             | u32     |         | 8 bytes     |
 *     +-------------+-------------+-------------+-------------+-------------+-------------+---------+---------+-------------+
 *     |<----------------------------------- covered by the crc: bytes 0 .. 51 -------------------------------->|
 *
 * - The sizes exclude the blocks' trailers, like every block handle.
 * - A table without a filter has filter offset 0 and size 0.
 * - crc = maskCrc(crc32c(bytes 0 .. 51)).
 *
 * The handles are fixed-width u64s, not varints as in the index, so the
 * footer has one size for every table and a reader reads it in one go.
 *
 * A reader checks, in this order: the magic (is this a table at all?), the
 * version (a newer one may lay its footer out differently, so its crc cannot
 * be checked by this reader), then the crc. The magic and the version keep
 * their places (the last 8 bytes, and 16 bytes from the end) in every version.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { crc32c, maskCrc } from '#toolkit/crc32c.ts';
import { bytesEqual } from '#toolkit/bytes.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import { readU32, readU64, writeU32, writeU64 } from '#toolkit/fixed-int.ts';
import { BLOCK_TRAILER_SIZE, FOOTER_SIZE, FORMAT_VERSION, MAGIC, MAGIC_SIZE, NO_BLOCK, type BlockHandle } from './table-format.ts';

/** Offset of the format version in the footer: after three handles of 16 bytes. */
export const FOOTER_VERSION_OFFSET = 16 + 16 + 16;
/** Offset of the crc in the footer: after the handles and the version. */
export const FOOTER_CRC_OFFSET = 16 + 16 + 16 + 4;
/** Offset of the magic number in the footer: after the handles, the version and the crc. */
export const FOOTER_MAGIC_OFFSET = 16 + 16 + 16 + 4 + 4;

/** What a footer holds. */
export interface Footer {
  /** The filter block; size 0 (and offset 0) when the table has no filter. */
  readonly filter: BlockHandle;
  readonly meta: BlockHandle;
  readonly index: BlockHandle;
  /** The format version the table was written in. */
  readonly formatVersion: number;
}

/** Returns the 64 bytes of `footer`, crc and magic included. */
export function encodeFooter(footer: Footer): Uint8Array {
  const out = new Uint8Array(FOOTER_SIZE);
  writeU64(out, 0, footer.filter.offset);
  writeU64(out, 8, footer.filter.size);
  writeU64(out, 16, footer.meta.offset);
  writeU64(out, 24, footer.meta.size);
  writeU64(out, 32, footer.index.offset);
  writeU64(out, 40, footer.index.size);
  writeU32(out, FOOTER_VERSION_OFFSET, footer.formatVersion);
  writeU32(out, FOOTER_CRC_OFFSET, maskCrc(crc32c(out, 0, 0, FOOTER_CRC_OFFSET)));
  out.set(MAGIC, FOOTER_MAGIC_OFFSET);
  return out;
}

/**
 * Decodes and checks the footer: `bytes` are the last bytes of the file
 * (FOOTER_SIZE of them, or fewer if the file is shorter).
 *
 * @param file names the table in errors; `fileSize` is its size, so that
 *   errors report absolute offsets and handles can be checked against it.
 * @throws CorruptionError, with these reasons:
 *   - "truncated: ..." if the file is shorter than the footer;
 *   - "not a table (bad magic number)" if the last 8 bytes are not the magic;
 *   - "table format version N is newer than this reader supports (1)";
 *   - "footer checksum mismatch ..." if the crc does not match;
 *   - "table format version 0 is not valid";
 *   - if a handle's block (and trailer) does not end before the footer.
 */
export function decodeFooter(bytes: Uint8Array, file: string, fileSize: number): Footer {
  // TODO(task 4.11): check the length, then the magic, then the version, then the crc; decode and bound the handles
  throw new NotImplementedError("task 4.11 in chapters/04-sstable/footer.ts: check the length, then the magic, then the version, then the crc; decode and bound the handles");
}
