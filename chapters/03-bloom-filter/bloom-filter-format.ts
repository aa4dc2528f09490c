/**
 * The bloom filter's serialized format, the constants the builder and the
 * reader share, and how many probes a filter makes per key.
 *
 * A filter is m bits and a number k. Adding a key sets k bits, chosen by
 * hashing the key; asking about a key checks the same k bits. All set:
 * "maybe" (the key may be there). One clear: "no" (certainly absent).
 *
 * Serialized, the bit array comes first and k last:
 *
 *     0                                        m/8         m/8 + 1
 *     +----------------------------------------+-----------+
 *     | bit array                              | k         |
 *     | m/8 bytes (m is a multiple of 8)       | u8        |
 *     +----------------------------------------+-----------+
 *
 * - Bit i of the array is bit (i % 8) of byte (i / 8), counting from the
 *   least significant bit: byte `i >>> 3`, mask `1 << (i & 7)`.
 * - m is not stored: it is 8 × (length - 1). k is stored, because a reader
 *   must probe exactly as many bits as the writer set, and the writer's
 *   bits-per-key setting may have changed since (an old table keeps the k
 *   it was built with).
 * - Valid filters have k in 1 .. MAX_PROBES and at least one byte of bits.
 *   Anything else is corrupt.
 *
 * The k bits of a key come from one 32-bit hash by double hashing:
 *
 *     h     = hash32(key)                    (Murmur3, hash.ts)
 *     delta = h rotated right by 17 bits     (h >>> 17) | (h << 15)
 *     for i in 0 .. k - 1:
 *       set (or test) bit h % m
 *       h = (h + delta) mod 2^32
 *
 * Worked example: one key, "hello", at 10 bits per key. m = max(64, 1 × 10)
 * = 64 bits, k = round(10 × ln 2) = 7. hash32("hello") = 0xdef78c91 =
 * 3740765329, delta = 0xc648ef7b. The probes are bits 17, 12, 7, 2, 61, 56
 * and 51 (3740765329 % 64 = 17; each step adds delta, which is 59, that is
 * -5, mod 64). Setting them gives the 9 bytes
 *
 *     byte      0     1     2     3     4     5     6     7     8
 *     value     84    10    02    00    00    00    08    21    07
 *     bits set  2,7   12    17                      51    56,61 (k = 7)
 *
 * (0x84 = 1 << 2 | 1 << 7; bit 61 is byte 7, mask 1 << 5 = 0x20.)
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { requireArgument } from '#toolkit/errors.ts';

/** The fewest bits per key a builder accepts. */
export const MIN_BITS_PER_KEY = 1;
/** The most bits per key a builder accepts: beyond ~45 the false-positive rate is already below 1e-9. */
export const MAX_BITS_PER_KEY = 64;
/** The fewest probes per key. */
export const MIN_PROBES = 1;
/**
 * The most probes per key. Past 30 each extra probe costs more time than it
 * saves in false positives; LevelDB uses the same cap. A stored k above it is corrupt.
 */
export const MAX_PROBES = 30;
/**
 * The smallest bit array a builder writes. With very few keys, m = n ×
 * bitsPerKey would be tiny and the false-positive rate poor (the formula
 * assumes many bits); 64 bits cost 8 bytes.
 */
export const MIN_FILTER_BITS = 64;
/** Bytes after the bit array: k, one byte. */
export const PROBE_COUNT_SIZE = 1;
/** How far h is rotated right to make the double-hashing step delta. */
export const DELTA_ROTATION = 17;

/**
 * Returns k, the number of bits a filter sets and checks per key, for
 * `bitsPerKey` bits of filter per key: round(bitsPerKey × ln 2), the k that
 * minimises the false-positive rate, clamped to MIN_PROBES .. MAX_PROBES.
 * 10 bits per key give 7 probes.
 *
 * @throws InvalidArgumentError unless `bitsPerKey` is an integer from
 *   MIN_BITS_PER_KEY to MAX_BITS_PER_KEY (1 .. 64).
 */
export function probeCountFor(bitsPerKey: number): number {
  // TODO(task 3.1): check bitsPerKey is an integer in 1..64, then k = round(bitsPerKey × ln 2) clamped to 1..30
  throw new NotImplementedError("task 3.1 in chapters/03-bloom-filter/bloom-filter-format.ts: check bitsPerKey is an integer in 1..64, then k = round(bitsPerKey × ln 2) clamped to 1..30");
}
