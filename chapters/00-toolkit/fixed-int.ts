/**
 * Fixed-width little-endian integers, the byte order of every integer the
 * engine writes to disk.
 *
 * JavaScript numbers hold integers exactly up to 2^53 - 1, so 64-bit fields
 * (sequence numbers, file offsets) are written as two 32-bit halves and read
 * back only while they fit: a larger value on disk can only be corruption.
 */

/** Largest integer a 64-bit field may hold in this engine: 2^53 - 1. */
export const MAX_U64_SAFE = Number.MAX_SAFE_INTEGER;

/** Writes `value` (0 <= value < 2^32) as 4 little-endian bytes at `offset`. */
export function writeU32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value & 0xff;
  target[offset + 1] = (value >>> 8) & 0xff;
  target[offset + 2] = (value >>> 16) & 0xff;
  target[offset + 3] = (value >>> 24) & 0xff;
}

/** Reads 4 little-endian bytes at `offset` as an unsigned integer. REQUIRES: offset + 4 <= length. */
export function readU32(source: Uint8Array, offset: number): number {
  return (
    (source[offset]! | (source[offset + 1]! << 8) | (source[offset + 2]! << 16) | (source[offset + 3]! << 24)) >>> 0
  );
}

/** Writes `value` (0 <= value <= 2^53 - 1) as 8 little-endian bytes at `offset`. */
export function writeU64(target: Uint8Array, offset: number, value: number): void {
  const low = value % 0x1_0000_0000;
  const high = (value - low) / 0x1_0000_0000;
  writeU32(target, offset, low);
  writeU32(target, offset + 4, high);
}

/**
 * Reads 8 little-endian bytes at `offset`. Returns `undefined` when the value
 * does not fit in 53 bits, which the caller reports as corruption.
 */
export function readU64(source: Uint8Array, offset: number): number | undefined {
  const low = readU32(source, offset);
  const high = readU32(source, offset + 4);
  if (high > 0x1f_ffff) return undefined;
  return high * 0x1_0000_0000 + low;
}
