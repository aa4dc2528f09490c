/**
 * The hash function behind the bloom filter: 32-bit Murmur3 (the x86_32
 * variant, by Austin Appleby, public domain). Given complete: there is no
 * task in this file, but it is worth reading once.
 *
 * Why this hash? A bloom filter needs a hash whose bits look random for
 * keys that are anything but random (`user:000001`, `user:000002`, ...):
 * if two similar keys had similar hashes, they would set similar bits and
 * the false-positive rate would climb far above the math. Murmur3 mixes
 * every input bit into every output bit ("avalanche"), is fast (four bytes
 * per step, multiplications and rotations only), and is not cryptographic,
 * which is fine: nobody is attacking our filter, and a cryptographic hash
 * would cost ten times as much per key.
 *
 * The algorithm, on 32-bit words (all arithmetic mod 2^32):
 *
 *     h = seed
 *     for each 4-byte block b (little-endian):     k = mix(b);  h ^= k
 *                                                  h = rotl(h, 13) * 5 + 0xe6546b64
 *     the 1-3 tail bytes t (little-endian), if any: h ^= mix(t)
 *     h ^= length
 *     h = fmix(h)                                  the finalizer: xor-shift, multiply, twice
 *
 *     mix(k)  = rotl(k * 0xcc9e2d51, 15) * 0x1b873593
 *     fmix(h) = h ^= h >>> 16; h *= 0x85ebca6b; h ^= h >>> 13; h *= 0xc2b2ae35; h ^= h >>> 16
 *
 * JavaScript notes: numbers are doubles, so a 32-bit product needs
 * `Math.imul` (a plain `*` loses the low bits past 2^53); `|` and `<<`
 * give signed 32-bit results, so the final `>>> 0` turns the hash into an
 * unsigned number in 0 .. 2^32 - 1. The filter relies on that: `h % m` of a
 * negative h would be a negative bit index.
 *
 * Known values (the tests check these): hash32("", 0) = 0,
 * hash32("hello", 0) = 0x248bfa47, hash32("Hello, world!", 0x9747b28c) =
 * 0x24884cba.
 */

/**
 * The seed the filter hashes with. Any fixed value works; changing it
 * changes which bits every key sets, so it is part of the filter format:
 * never change it (old filters would answer "no" for keys they hold).
 */
export const FILTER_HASH_SEED = 0xbc9f1d34;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Rotates the 32-bit `x` left by `r` bits (0 < r < 32). */
function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** Scrambles one 32-bit block (or the tail) before it is folded into the hash. */
function mixBlock(k: number): number {
  return Math.imul(rotl32(Math.imul(k, C1), 15), C2);
}

/**
 * Hashes `bytes` with 32-bit Murmur3 (x86_32) and `seed`.
 * Returns an unsigned 32-bit integer, 0 .. 2^32 - 1. Reads `bytes` only.
 */
export function hash32(bytes: Uint8Array, seed = FILTER_HASH_SEED): number {
  const length = bytes.length;
  const blocksEnd = length - (length & 3);
  let h = seed | 0;
  let i = 0;
  for (; i < blocksEnd; i += 4) {
    const block = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h ^= mixBlock(block);
    h = (Math.imul(rotl32(h, 13), 5) + 0xe6546b64) | 0;
  }
  const tailLength = length & 3;
  if (tailLength > 0) {
    let tail = bytes[i]!;
    if (tailLength > 1) tail |= bytes[i + 1]! << 8;
    if (tailLength > 2) tail |= bytes[i + 2]! << 16;
    h ^= mixBlock(tail);
  }
  h ^= length;
  // fmix32: makes every input bit affect every output bit.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
