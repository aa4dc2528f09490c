/**
 * Varints: unsigned integers in 7-bit groups, least significant first; the
 * high bit of each byte says "more bytes follow". Small numbers (lengths,
 * counts) take one byte instead of four. The same encoding as LevelDB's and
 * Protocol Buffers'.
 *
 *     300 = 0b10_0101100  ->  [1_0101100] [0_0000010]  =  0xac 0x02
 *
 * Values up to 2^53 - 1 are supported (at most 8 bytes).
 */

/** Most bytes a varint of a safe integer can take (ceil(53 / 7)). */
export const MAX_VARINT_BYTES = 8;

/** Returns how many bytes `value` takes as a varint. */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/**
 * Writes `value` as a varint at `offset` and returns the offset just past it.
 * REQUIRES: 0 <= value <= 2^53 - 1, and room for {@link varintLength}(value) bytes.
 */
export function writeVarint(target: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    target[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[offset++] = value;
  return offset;
}

/** The result of {@link readVarint}: the value and the offset just past it. */
export interface VarintRead {
  value: number;
  next: number;
}

/**
 * Reads a varint at `offset`. Returns `undefined` when the bytes end before
 * the varint does or it is longer than {@link MAX_VARINT_BYTES}, so the caller
 * can report corruption with its own context.
 */
export function readVarint(source: Uint8Array, offset: number): VarintRead | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (offset + i >= source.length) return undefined;
    const byte = source[offset + i]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value <= Number.MAX_SAFE_INTEGER ? { value, next: offset + i + 1 } : undefined;
    scale *= 128;
  }
  return undefined;
}
