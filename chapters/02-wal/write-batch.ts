/**
 * WriteBatch: several puts and deletes that must be applied all together or
 * not at all. The log writes a batch as one record under one checksum, so
 * after a crash either every entry of the batch is replayed or none is.
 * Chapter 7's engine takes one for `db.write(batch)`, and wraps every single
 * `put` and `delete` in a batch of one.
 *
 * Keys and values are bytes here; the engine turns strings into UTF-8 before
 * they reach a batch.
 *
 * REQUIRES: callers do not modify a key or value after adding it (the batch
 * keeps the arrays it is given, without copying).
 */

import { EMPTY_BYTES } from '#toolkit/bytes.ts';
import { InvalidArgumentError, requireArgument } from '#toolkit/errors.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { MAX_FIELD_LENGTH } from './wal-format.ts';

/** One write in a batch. */
export interface BatchEntry {
  readonly kind: ValueKind;
  readonly key: Uint8Array;
  /** The value; empty for a delete. */
  readonly value: Uint8Array;
}

export class WriteBatch {
  private readonly list: BatchEntry[] = [];
  private bytes = 0;

  /**
   * Adds a put of `value` under `key`, after the entries already in the batch.
   * Returns the batch, so calls can be chained.
   * @throws InvalidArgumentError if the key or the value is not a Uint8Array or is longer than 2^32 - 1 bytes.
   */
  put(key: Uint8Array, value: Uint8Array): this {
    return this.add(ValueKind.Put, key, value);
  }

  /**
   * Adds a delete of `key` (a tombstone), after the entries already in the batch.
   * Returns the batch, so calls can be chained.
   * @throws InvalidArgumentError if the key is not a Uint8Array or is longer than 2^32 - 1 bytes.
   */
  delete(key: Uint8Array): this {
    return this.add(ValueKind.Delete, key, EMPTY_BYTES);
  }

  /** The entries in the order they were added; entry i gets sequence `firstSequence + i`. */
  get entries(): readonly BatchEntry[] {
    return this.list;
  }

  /** Number of entries. */
  get count(): number {
    return this.list.length;
  }

  /** Total bytes of the keys and values: roughly what the batch adds to a memtable. */
  get byteSize(): number {
    return this.bytes;
  }

  /** Removes every entry, so the batch can be reused. */
  clear(): void {
    this.list.length = 0;
    this.bytes = 0;
  }

  private add(kind: ValueKind, key: Uint8Array, value: Uint8Array): this {
    // The types say bytes, but a JavaScript caller may pass anything: name
    // what was given, instead of a TypeError from `key.length` (null) or a
    // length complaint about a number.
    if (!(key instanceof Uint8Array)) throw notBytes('key', key);
    if (!(value instanceof Uint8Array)) throw notBytes('value', value);
    requireArgument(key.length <= MAX_FIELD_LENGTH, `a key must be at most 2^32 - 1 bytes, got ${key.length}`);
    requireArgument(value.length <= MAX_FIELD_LENGTH, `a value must be at most 2^32 - 1 bytes, got ${value.length}`);
    this.list.push({ kind, key, value });
    this.bytes += key.length + value.length;
    return this;
  }
}

/** The error for a batch key or value that is not bytes: it names what was given and what to do. */
function notBytes(what: 'key' | 'value', given: unknown): InvalidArgumentError {
  // Worded as the engine's own check (toBytes) words it: "got number", "got null", "got an array".
  const got = given === null ? 'null' : Array.isArray(given) ? 'an array' : typeof given;
  return new InvalidArgumentError(`a batch ${what} must be a Uint8Array (encode a string as UTF-8 bytes), got ${got}`);
}
