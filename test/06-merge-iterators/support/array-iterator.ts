/**
 * Test sources for chapter 6: an InternalIterator over a sorted array, written
 * in the `apple#12,PUT=red` notation, that can also misbehave on purpose
 * (reuse its buffers like a table's block iterator, or throw like a failing
 * disk). Plus a printer for a cursor's current entry.
 */

import { ClosedError } from '#toolkit/errors.ts';
import { EMPTY_BYTES, formatBytes, parseFormattedBytes } from '#toolkit/bytes.ts';
import type { InternalIterator } from '#memtable/internal-iterator.ts';
import { compareInternalKeys, formatInternalKey, parseInternalKey, ValueKind } from '#memtable/internal-key.ts';

/** One version of a key, as a source yields it. */
export interface Entry {
  readonly key: Uint8Array;
  readonly sequence: number;
  readonly kind: ValueKind;
  readonly value: Uint8Array;
}

/** Parses `apple#12,PUT=red` or `apple#12,DEL` (a tombstone's value is empty). */
export function parseEntry(text: string): Entry {
  const eq = text.lastIndexOf('=');
  const head = eq < 0 ? text : text.slice(0, eq);
  const { userKey, sequence, kind } = parseInternalKey(head);
  const value = eq < 0 ? EMPTY_BYTES : parseFormattedBytes(text.slice(eq + 1));
  return { key: userKey, sequence, kind, value };
}

/** Parses entries separated by spaces: `"a#3,PUT=x a#1,DEL b#2,PUT=y"`. */
export function parseEntries(text: string): Entry[] {
  return text
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map(parseEntry);
}

/** Formats an entry as `apple#12,PUT=red` (`apple#12,DEL=` for a tombstone). */
export function formatEntry(e: Entry): string {
  return `${formatInternalKey({ userKey: e.key, sequence: e.sequence, kind: e.kind })}=${formatBytes(e.value)}`;
}

/** The cursor's current entry in the notation of {@link formatEntry}, or "invalid". */
export function at(it: InternalIterator): string {
  if (!it.valid()) return 'invalid';
  return formatEntry({ key: it.key(), sequence: it.sequence(), kind: it.kind(), value: it.value() });
}

/** The cursor operations an {@link ArrayIterator} can be told to fail. */
export type CursorOp = 'seek' | 'seekToFirst' | 'seekToLast' | 'next' | 'prev';

export interface ArrayIteratorOptions {
  /**
   * key() and value() return views of one scratch buffer that every move
   * overwrites, as a table's block iterator may. A caller that keeps a key
   * across a step without copying it sees it change.
   */
  readonly reuseBuffers?: boolean;
  /** Throw `error` on the `call`-th call (1-based) of `op`, and on every later one. */
  readonly failOn?: { readonly op: CursorOp; readonly call: number; readonly error: Error };
}

/**
 * An InternalIterator over entries held in an array, sorted by internal key.
 * REQUIRES: no two entries have the same internal key.
 */
export class ArrayIterator implements InternalIterator {
  /** True once close() was called. */
  closed = false;
  /** How many times next() and prev() were called: the entries a scan touched. */
  steps = 0;
  private readonly entries: Entry[];
  private index = -1;
  private readonly calls = new Map<CursorOp, number>();
  private readonly scratch: Uint8Array;
  private scratchKey: Uint8Array = EMPTY_BYTES;
  private scratchValue: Uint8Array = EMPTY_BYTES;

  constructor(
    entries: readonly Entry[] | string,
    private readonly options: ArrayIteratorOptions = {},
  ) {
    const list = typeof entries === 'string' ? parseEntries(entries) : [...entries];
    list.sort((a, b) => compareInternalKeys(toKey(a), toKey(b)));
    for (let i = 1; i < list.length; i++) {
      if (compareInternalKeys(toKey(list[i - 1]!), toKey(list[i]!)) === 0) {
        throw new Error(`test source: duplicate internal key ${formatEntry(list[i]!)}`);
      }
    }
    this.entries = list;
    const longest = Math.max(0, ...list.map((e) => e.key.length + e.value.length));
    this.scratch = new Uint8Array(longest);
  }

  /** Every entry, in internal-key order. */
  get sorted(): readonly Entry[] {
    return this.entries;
  }

  valid(): boolean {
    return this.index >= 0 && this.index < this.entries.length;
  }

  seekToFirst(): void {
    this.enter('seekToFirst');
    this.moveTo(0);
  }

  seekToLast(): void {
    this.enter('seekToLast');
    this.moveTo(this.entries.length - 1);
  }

  seek(userKey: Uint8Array, sequence: number): void {
    this.enter('seek');
    // The first entry >= (userKey, sequence, PUT): PUT is the larger kind, so it sorts first at one sequence.
    const target = { userKey, sequence, kind: ValueKind.Put };
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareInternalKeys(toKey(this.entries[mid]!), target) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.moveTo(lo);
  }

  next(): void {
    this.enter('next');
    this.requireValid();
    this.steps++;
    this.moveTo(this.index + 1);
  }

  prev(): void {
    this.enter('prev');
    this.requireValid();
    this.steps++;
    this.moveTo(this.index - 1);
  }

  key(): Uint8Array {
    return this.options.reuseBuffers === true ? this.scratchKey : this.current().key;
  }

  sequence(): number {
    return this.current().sequence;
  }

  kind(): ValueKind {
    return this.current().kind;
  }

  value(): Uint8Array {
    return this.options.reuseBuffers === true ? this.scratchValue : this.current().value;
  }

  close(): void {
    this.closed = true;
  }

  private moveTo(index: number): void {
    this.index = index < 0 || index >= this.entries.length ? -1 : index;
    if (this.options.reuseBuffers === true && this.index >= 0) {
      // Overwrite the one buffer in place, as a block iterator rebuilding a prefix-compressed key does.
      const e = this.entries[this.index]!;
      this.scratch.set(e.key, 0);
      this.scratch.set(e.value, e.key.length);
      this.scratchKey = this.scratch.subarray(0, e.key.length);
      this.scratchValue = this.scratch.subarray(e.key.length, e.key.length + e.value.length);
    }
  }

  private enter(op: CursorOp): void {
    if (this.closed) throw new ClosedError(`test source: ${op}() after close()`);
    const n = (this.calls.get(op) ?? 0) + 1;
    this.calls.set(op, n);
    const fail = this.options.failOn;
    if (fail !== undefined && fail.op === op && n >= fail.call) throw fail.error;
  }

  private requireValid(): void {
    if (!this.valid()) throw new Error('test source: next()/prev() on an invalid cursor');
  }

  private current(): Entry {
    if (this.closed) throw new ClosedError('test source: used after close()');
    this.requireValid();
    return this.entries[this.index]!;
  }
}

function toKey(e: Entry): { userKey: Uint8Array; sequence: number; kind: ValueKind } {
  return { userKey: e.key, sequence: e.sequence, kind: e.kind };
}
