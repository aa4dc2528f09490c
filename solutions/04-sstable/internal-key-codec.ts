/**
 * Internal keys as bytes: how a table stores `apple#12,PUT`.
 *
 * In memory (chapter 1) an internal key is an object { userKey, sequence,
 * kind }. In a table it is one byte string, the user key followed by an
 * 8-byte trailer:
 *
 *     +----------------------------+------+----------------------------+
 *     | user key                   | kind | sequence                   |
 *     | (any length)               | u8   | 7 bytes, little-endian     |
 *     +----------------------------+------+----------------------------+
 *                                  |<-------- trailer: 8 bytes ------->|
 *
 * The trailer is the 64-bit little-endian number `sequence × 256 + kind`:
 * the kind is its lowest byte, the sequence the 7 bytes above (a sequence is
 * at most 2^53 - 1, which fits in 7 bytes). LevelDB writes the same bytes.
 *
 *     apple#12,PUT  =  61 70 70 6c 65 | 01 | 0c 00 00 00 00 00 00
 *                      a  p  p  l  e    PUT  12
 *
 * Encoded keys sort like InternalKeys (chapter 1): user key ascending
 * (bytewise), then trailer DESCENDING, which is sequence descending then kind
 * descending. Not plain bytewise order: "apple" would then sort after
 * "apple" + anything, and an old version before a new one.
 */

import { formatBytes } from '#toolkit/bytes.ts';
import { CorruptionError } from '#toolkit/errors.ts';
import { formatInternalKey, isValueKind, type InternalKey, type ValueKind } from '#memtable/internal-key.ts';

/** Size of the trailer after the user key: kind (1) + sequence (7). */
export const INTERNAL_KEY_TRAILER_SIZE = 1 + 7;

/**
 * Returns the encoded internal key of (`userKey`, `sequence`, `kind`): a new
 * array of `userKey.length + 8` bytes, the user key then the trailer (kind
 * byte, then the sequence's 7 low bytes, little-endian).
 * REQUIRES: sequence is an integer in 0 .. 2^53 - 1.
 */
export function encodeInternalKey(userKey: Uint8Array, sequence: number, kind: ValueKind): Uint8Array {
  // #region task 4.1: copy the user key, then write the trailer: kind, then 7 bytes of sequence
  const out = new Uint8Array(userKey.length + INTERNAL_KEY_TRAILER_SIZE);
  out.set(userKey, 0);
  let at = userKey.length;
  out[at++] = kind;
  // The sequence's low 32 bits, then the 21 bits above them, in 3 bytes.
  const low = sequence % 0x1_0000_0000;
  const high = (sequence - low) / 0x1_0000_0000;
  out[at++] = low & 0xff;
  out[at++] = (low >>> 8) & 0xff;
  out[at++] = (low >>> 16) & 0xff;
  out[at++] = (low >>> 24) & 0xff;
  out[at++] = high & 0xff;
  out[at++] = (high >>> 8) & 0xff;
  out[at] = (high >>> 16) & 0xff;
  return out;
  // #endregion
}

/**
 * Compares two encoded internal keys: `a[0, aLength)` with `b[0, bLength)`.
 * User key parts bytewise ascending, then trailers descending (newest first).
 * Returns a negative number iff a sorts before b, 0 iff they are equal,
 * positive iff after, exactly like `compareInternalKeys` of the decoded keys.
 *
 * The lengths let a block iterator compare the key it holds at the start of
 * a larger, reused buffer without making a view of it for every comparison.
 * REQUIRES: 8 <= aLength <= a.length and 8 <= bLength <= b.length.
 */
export function compareEncodedKeys(
  a: Uint8Array,
  b: Uint8Array,
  aLength: number = a.length,
  bLength: number = b.length,
): number {
  // #region task 4.2: user keys bytewise, then the 8 trailer bytes from the most significant down, reversed
  const aUser = aLength - INTERNAL_KEY_TRAILER_SIZE;
  const bUser = bLength - INTERNAL_KEY_TRAILER_SIZE;
  const n = aUser < bUser ? aUser : bUser;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  if (aUser !== bUser) return aUser - bUser;
  // The trailer is a little-endian number: its most significant byte is the last.
  // b - a, not a - b: a larger trailer (a newer sequence) sorts first.
  for (let i = INTERNAL_KEY_TRAILER_SIZE - 1; i >= 0; i--) {
    const d = b[bUser + i]! - a[aUser + i]!;
    if (d !== 0) return d;
  }
  return 0;
  // #endregion
}

/**
 * Compares the encoded key `a[aStart, aStart + aLength)` with the whole of
 * `b`, as {@link compareEncodedKeys} does. It lets a block compare a key
 * where it is stored, without copying it out first.
 * REQUIRES: aLength >= 8, aStart + aLength <= a.length, b.length >= 8.
 */
export function compareEncodedKeysAt(a: Uint8Array, aStart: number, aLength: number, b: Uint8Array): number {
  const aUser = aLength - INTERNAL_KEY_TRAILER_SIZE;
  const bUser = b.length - INTERNAL_KEY_TRAILER_SIZE;
  const n = aUser < bUser ? aUser : bUser;
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i]! - b[i]!;
    if (d !== 0) return d;
  }
  if (aUser !== bUser) return aUser - bUser;
  for (let i = INTERNAL_KEY_TRAILER_SIZE - 1; i >= 0; i--) {
    const d = b[bUser + i]! - a[aStart + aUser + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Returns a view (no copy) of the user key part of an encoded key. REQUIRES: encoded.length >= 8. */
export function userKeyOf(encoded: Uint8Array, length: number = encoded.length): Uint8Array {
  return encoded.subarray(0, length - INTERNAL_KEY_TRAILER_SIZE);
}

/** Returns the sequence in the trailer of `encoded[0, length)`. REQUIRES: length >= 8. */
export function sequenceOf(encoded: Uint8Array, length: number = encoded.length): number {
  const at = length - INTERNAL_KEY_TRAILER_SIZE + 1;
  const low = (encoded[at]! | (encoded[at + 1]! << 8) | (encoded[at + 2]! << 16) | (encoded[at + 3]! << 24)) >>> 0;
  const high = encoded[at + 4]! | (encoded[at + 5]! << 8) | (encoded[at + 6]! << 16);
  return high * 0x1_0000_0000 + low;
}

/** Returns the kind byte in the trailer of `encoded[0, length)`, unchecked. REQUIRES: length >= 8. */
export function kindByteOf(encoded: Uint8Array, length: number = encoded.length): number {
  return encoded[length - INTERNAL_KEY_TRAILER_SIZE]!;
}

/**
 * Decodes an encoded internal key. The user key is a view into `encoded`.
 * @param file names the key's source in errors; `offset` is where the key starts in it.
 * @throws CorruptionError if `encoded` is shorter than the trailer, its kind
 *   byte is not a ValueKind, or its sequence does not fit in 53 bits.
 */
export function decodeInternalKey(encoded: Uint8Array, file = 'encoded key', offset = 0): InternalKey {
  if (encoded.length < INTERNAL_KEY_TRAILER_SIZE) {
    throw new CorruptionError({
      file,
      offset,
      reason: `truncated: an internal key needs at least ${INTERNAL_KEY_TRAILER_SIZE} bytes, got ${encoded.length}`,
    });
  }
  const kind = kindByteOf(encoded);
  if (!isValueKind(kind)) {
    throw new CorruptionError({
      file,
      offset: offset + encoded.length - INTERNAL_KEY_TRAILER_SIZE,
      reason: `bad kind ${kind} in internal key ${formatBytes(userKeyOf(encoded))}`,
    });
  }
  const sequence = sequenceOf(encoded);
  if (!Number.isSafeInteger(sequence)) {
    throw new CorruptionError({ file, offset, reason: 'internal key sequence does not fit in 53 bits' });
  }
  return { userKey: userKeyOf(encoded), sequence, kind };
}

/**
 * Formats an encoded key in the notation `apple#12,PUT` for messages; a
 * key that does not decode is shown as `<bad key: hex...>` instead of throwing.
 */
export function formatEncodedKey(encoded: Uint8Array): string {
  if (encoded.length < INTERNAL_KEY_TRAILER_SIZE || !isValueKind(kindByteOf(encoded))) {
    return `<bad key: ${formatBytes(encoded)}>`;
  }
  return formatInternalKey({ userKey: userKeyOf(encoded), sequence: sequenceOf(encoded), kind: kindByteOf(encoded) as ValueKind });
}
