/**
 * Internal keys: what the engine really sorts by.
 *
 * A user writes `put("apple", "red")`, later `delete("apple")`. Both stay in
 * the tree until compaction, so every entry carries, besides the user's key:
 *
 * - a **sequence number**, the write's position in history (1, 2, 3, ...),
 *   unique per write, so "which version is newer" is a number comparison;
 * - a **kind**: a value (PUT) or a tombstone (DELETE) that hides older values.
 *
 * Internal keys sort by user key ascending, then sequence **descending**, so
 * the newest version of a key comes first and a reader at sequence s stops
 * at the first entry with sequence <= s.
 *
 *     apple#12,DEL  <  apple#7,PUT  <  banana#9,PUT
 *
 * The short notation `userkey#sequence,KIND` is printed by
 * {@link formatInternalKey}, parsed by {@link parseInternalKey}, and used in
 * tests, error messages and the lessons alike.
 */

import { compareBytes, formatBytes, parseFormattedBytes } from '#toolkit/bytes.ts';
import { InvalidArgumentError } from '#toolkit/errors.ts';

/**
 * The kind of an entry. These numbers are written to disk (WAL records and
 * tables): never renumber them.
 */
export const ValueKind = {
  /** A tombstone: the key was deleted at this sequence. */
  Delete: 0,
  /** A value: the key was set at this sequence. */
  Put: 1,
} as const;
export type ValueKind = (typeof ValueKind)[keyof typeof ValueKind];

/** Returns true iff `n` is a valid on-disk kind tag. */
export function isValueKind(n: number): n is ValueKind {
  return n === ValueKind.Delete || n === ValueKind.Put;
}

/** The largest sequence number: 2^53 - 1, the largest integer a JavaScript number holds exactly. */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

/** A user key with the sequence number and kind of one write. */
export interface InternalKey {
  readonly userKey: Uint8Array;
  readonly sequence: number;
  readonly kind: ValueKind;
}

/**
 * Compares two internal keys: user key ascending (bytewise), then sequence
 * descending (newer first), then kind descending (PUT before DELETE; only
 * ties with equal sequences, which a correct engine never writes).
 * Returns a negative number iff `a` sorts before `b`, 0 iff equal, positive iff after.
 */
export function compareInternalKeys(a: InternalKey, b: InternalKey): number {
  // #region task 1.1: order by user key ascending, then sequence descending, then kind descending
  const byKey = compareBytes(a.userKey, b.userKey);
  if (byKey !== 0) return byKey;
  // Stryker disable next-line EqualityOperator: inside `!==`, `>` and `>=` agree.
  if (a.sequence !== b.sequence) return a.sequence > b.sequence ? -1 : 1;
  return b.kind - a.kind;
  // #endregion
}

/** Formats an internal key in the notation `apple#12,PUT` (non-printable bytes as `\xHH`). */
export function formatInternalKey(key: InternalKey): string {
  return `${formatBytes(key.userKey)}#${key.sequence},${key.kind === ValueKind.Put ? 'PUT' : 'DEL'}`;
}

/**
 * Parses the notation `apple#12,PUT` (or `DEL`) back into an internal key.
 * @throws InvalidArgumentError when `text` is not in that form.
 */
export function parseInternalKey(text: string): InternalKey {
  const match = /^(.*)#(\d+),(PUT|DEL)$/s.exec(text);
  if (match === null) throw new InvalidArgumentError(`"${text}" is not an internal key like "apple#12,PUT"`);
  const [, key, sequence, kind] = match as unknown as [string, string, string, string];
  return {
    userKey: parseFormattedBytes(key),
    sequence: Number(sequence),
    kind: kind === 'PUT' ? ValueKind.Put : ValueKind.Delete,
  };
}
