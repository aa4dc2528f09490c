/**
 * RangeBounds: which user keys a scan may return.
 *
 * Users describe a range the way the Level ecosystem does, with at most one
 * lower bound (`gt` or `gte`) and at most one upper bound (`lt` or `lte`):
 *
 *     { gte: "b", lt: "d" }   b, ba, c, cz ...      (not d)     [b, d)
 *     { gt: "b", lte: "d" }   ba, c, cz ..., d      (not b)     (b, d]
 *     { lt: "d" }             everything below d
 *     {}                      every key
 *
 * `range(start, end)` means [start, end): the start is in, the end is out, so
 * ranges that share an end point ([a, b) and [b, c)) never overlap and
 * together cover [a, c). {@link RangeBounds.halfOpen} builds that.
 *
 * A lower bound above the upper bound (`{ gte: "d", lt: "b" }`) is not an
 * error: it is an empty range, and a scan over it returns nothing. The Level
 * ecosystem expects exactly that.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { compareBytes, copyBytes } from '#toolkit/bytes.ts';
import { InvalidArgumentError, requireArgument } from '#toolkit/errors.ts';

/** The bounds a user passes: each at most once per side. */
export interface RangeOptions {
  /** Keys strictly greater than this. */
  readonly gt?: Uint8Array | undefined;
  /** Keys greater than or equal to this. */
  readonly gte?: Uint8Array | undefined;
  /** Keys strictly less than this. */
  readonly lt?: Uint8Array | undefined;
  /** Keys less than or equal to this. */
  readonly lte?: Uint8Array | undefined;
}

/** One end of a range: the key, and whether the key itself is in the range. */
export interface Bound {
  readonly key: Uint8Array;
  readonly inclusive: boolean;
}

/** A lower and an upper bound on user keys, each optional; see the file comment. */
export class RangeBounds {
  /** The lower bound, or undefined when the range is open below. */
  readonly lower: Bound | undefined;
  /** The upper bound, or undefined when the range is open above. */
  readonly upper: Bound | undefined;

  /**
   * Reads the bounds from `options`, copying the keys (the caller may reuse
   * its buffers). An undefined field counts as absent.
   * @throws InvalidArgumentError if both `gt` and `gte`, or both `lt` and `lte`, are given.
   */
  constructor(options: RangeOptions = {}) {
    // TODO(task 6.4): take at most one lower bound (gt or gte) and one upper bound (lt or lte), copying the keys
    throw new NotImplementedError("task 6.4 in chapters/06-merge-iterators/range-bounds.ts: take at most one lower bound (gt or gte) and one upper bound (lt or lte), copying the keys");
  }

  /**
   * Returns the bounds of `range(start, end)`: [start, end), start included,
   * end excluded.
   * @throws InvalidArgumentError if start > end (an empty range written
   *   backwards is almost always a bug in the caller).
   */
  static halfOpen(start: Uint8Array, end: Uint8Array): RangeBounds {
    const bounds = new RangeBounds({ gte: start, lt: end });
    if (compareBytes(start, end) > 0) {
      throw new InvalidArgumentError('range(start, end) needs start <= end: it covers [start, end); to scan backwards, pass { reverse: true }');
    }
    return bounds;
  }

  /** Returns true iff `key` satisfies the lower bound (always, when there is none). */
  aboveLower(key: Uint8Array): boolean {
    // TODO(task 6.4): compare key with the lower bound; equal passes only when the bound is inclusive
    throw new NotImplementedError("task 6.4 in chapters/06-merge-iterators/range-bounds.ts: compare key with the lower bound; equal passes only when the bound is inclusive");
  }

  /** Returns true iff `key` satisfies the upper bound (always, when there is none). */
  belowUpper(key: Uint8Array): boolean {
    // TODO(task 6.4): compare key with the upper bound; equal passes only when the bound is inclusive
    throw new NotImplementedError("task 6.4 in chapters/06-merge-iterators/range-bounds.ts: compare key with the upper bound; equal passes only when the bound is inclusive");
  }

  /** Returns true iff `key` is in the range: it satisfies both bounds. */
  contains(key: Uint8Array): boolean {
    return this.aboveLower(key) && this.belowUpper(key);
  }
}
