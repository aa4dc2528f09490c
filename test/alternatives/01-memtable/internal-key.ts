/**
 * ALTERNATIVE REFERENCE (test fixture, not course material): chapter 1's
 * internal keys, with compareInternalKeys written differently from
 * solutions/01-memtable/internal-key.ts.
 *
 * Fixed, so taken from the reference unchanged: the kind numbers (written to
 * disk), MAX_SEQUENCE, the InternalKey shape, and the notation
 * `apple#12,PUT` (formatInternalKey / parseInternalKey), which the lesson,
 * the tests and error messages share.
 *
 * What differs in compareInternalKeys:
 * - the user keys are compared by its own loop over the unsigned bytes
 *   (Uint8Array elements are 0..255), then by length, instead of calling the
 *   toolkit's compareBytes;
 * - the sequences are compared by subtraction, `b.sequence - a.sequence`,
 *   instead of with `<` / `>`.
 *
 * Why it is still correct: the byte loop is memcmp order with the shorter
 * key first on a common prefix, as the lesson fixes. The subtraction is only
 * taken when the sequences differ, and for two different finite numbers a
 * floating-point difference is never 0 and has the right sign; for integers
 * up to 2^53 - 1 it is even exact. (The lesson's pitfall is `| 0`, which
 * wraps past 2^31; a plain subtraction of doubles does not.)
 */

import type { InternalKey } from '../../../solutions/01-memtable/internal-key.ts';

export {
  formatInternalKey,
  isValueKind,
  MAX_SEQUENCE,
  parseInternalKey,
  ValueKind,
  type InternalKey,
} from '../../../solutions/01-memtable/internal-key.ts';

/**
 * Compares two internal keys: user key ascending (bytewise), then sequence
 * descending (newer first), then kind descending (PUT before DELETE).
 * Returns a negative number iff `a` sorts before `b`, 0 iff equal, positive iff after.
 */
export function compareInternalKeys(a: InternalKey, b: InternalKey): number {
  const x = a.userKey;
  const y = b.userKey;
  const common = Math.min(x.length, y.length);
  for (let i = 0; i < common; i++) {
    const d = x[i]! - y[i]!;
    if (d !== 0) return d;
  }
  if (x.length !== y.length) return x.length - y.length;
  if (a.sequence !== b.sequence) return b.sequence - a.sequence;
  return b.kind - a.kind;
}
