/**
 * ByteWriter: a growable buffer that encoders append to. It doubles its
 * capacity when full, so appending n bytes costs O(n) overall.
 */

import { writeU32, writeU64 } from './fixed-int.ts';
import { varintLength, writeVarint } from './varint.ts';

export class ByteWriter {
  private buffer: Uint8Array;
  private used = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.used;
  }

  /** Appends one byte. */
  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.used++] = value;
    return this;
  }

  /** Appends a 32-bit little-endian unsigned integer. */
  u32(value: number): this {
    this.reserve(4);
    writeU32(this.buffer, this.used, value);
    this.used += 4;
    return this;
  }

  /** Appends a 64-bit little-endian unsigned integer (at most 2^53 - 1). */
  u64(value: number): this {
    this.reserve(8);
    writeU64(this.buffer, this.used, value);
    this.used += 8;
    return this;
  }

  /** Appends a varint. */
  varint(value: number): this {
    this.reserve(varintLength(value));
    this.used = writeVarint(this.buffer, this.used, value);
    return this;
  }

  /** Appends `data[start, end)` (all of `data` by default). */
  bytes(data: Uint8Array, start = 0, end = data.length): this {
    const length = end - start;
    this.reserve(length);
    const buffer = this.buffer;
    let at = this.used;
    if (start === 0 && end === data.length) {
      buffer.set(data, at);
    } else if (length <= 64) {
      // Copied byte by byte, not through data.subarray(): V8 keeps an array
      // of at most 64 bytes inside its own heap, and a view of one makes it
      // move the bytes out first, which costs about a microsecond. Table
      // builders append a piece of a fresh small key for every entry.
      for (let i = start; i < end; i++) buffer[at++] = data[i]!;
    } else {
      buffer.set(data.subarray(start, end), at);
    }
    this.used += length;
    return this;
  }

  /** Overwrites a 32-bit value at `offset` (< length), e.g. a length or checksum written last. */
  patchU32(offset: number, value: number): void {
    writeU32(this.buffer, offset, value);
  }

  /** Returns a view of the bytes written so far. It is invalidated by the next append or `reset()`. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.used);
  }

  /** Returns a copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.used);
  }

  /** Forgets the contents but keeps the capacity, so a writer can be reused without allocating. */
  reset(): void {
    this.used = 0;
  }

  private reserve(extra: number): void {
    const needed = this.used + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.used));
    this.buffer = grown;
  }
}
