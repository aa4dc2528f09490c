/**
 * ByteReader: reads fields from a buffer that came from disk. Every read is
 * bounds-checked, and running off the end is a CorruptionError naming the
 * file and the absolute offset, never a RangeError or `undefined` data.
 */

import { CorruptionError } from './errors.ts';
import { readU32, readU64 } from './fixed-int.ts';
import { readVarint } from './varint.ts';

export class ByteReader {
  /** Position of the next read, relative to the start of `bytes`. */
  position = 0;

  /**
   * @param bytes the buffer to read.
   * @param file names the source in errors (a path, or e.g. "WAL record").
   * @param baseOffset where `bytes` starts in that file, so errors report absolute offsets.
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly file = 'buffer',
    readonly baseOffset = 0,
  ) {}

  /** Bytes left to read. */
  get remaining(): number {
    return this.bytes.length - this.position;
  }

  /** Reads one byte. @throws CorruptionError past the end. */
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.position++]!;
  }

  /** Reads a 32-bit little-endian unsigned integer. @throws CorruptionError past the end. */
  u32(what: string): number {
    this.need(4, what);
    const v = readU32(this.bytes, this.position);
    this.position += 4;
    return v;
  }

  /** Reads a 64-bit little-endian unsigned integer. @throws CorruptionError past the end or above 2^53 - 1. */
  u64(what: string): number {
    this.need(8, what);
    const v = readU64(this.bytes, this.position);
    if (v === undefined) this.fail(`${what} does not fit in 53 bits`);
    this.position += 8;
    return v;
  }

  /** Reads a varint. @throws CorruptionError when truncated or too long. */
  varint(what: string): number {
    const r = readVarint(this.bytes, this.position);
    if (r === undefined) this.fail(`bad varint for ${what}`);
    this.position = r.next;
    return r.value;
  }

  /** Returns a view of the next `length` bytes (no copy). @throws CorruptionError past the end. */
  bytesView(length: number, what: string): Uint8Array {
    this.need(length, what);
    const v = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return v;
  }

  /** Throws a CorruptionError at the current position. */
  fail(reason: string): never {
    throw new CorruptionError({ file: this.file, offset: this.baseOffset + this.position, reason });
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.position + n > this.bytes.length) {
      this.fail(`truncated: ${what} needs ${n} bytes, ${this.remaining} left`);
    }
  }
}
