/**
 * Byte strings: the engine's keys and values are `Uint8Array`s compared
 * byte by byte, like `memcmp`. Strings are accepted at the API and encoded
 * as UTF-8, whose byte order matches code-point order.
 */

import { InvalidArgumentError } from './errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** An empty byte string, shared because it is never written to. */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** Encodes `text` as UTF-8. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8 bytes; invalid sequences become U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Returns `input` as bytes: a `Uint8Array` as it is, a string as UTF-8.
 * @param what names the argument in the error message, e.g. "key".
 * @throws InvalidArgumentError when `input` is neither.
 */
export function toBytes(input: unknown, what: string): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (typeof input === 'string') return encoder.encode(input);
  const got = input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;
  throw new InvalidArgumentError(`${what} must be a Uint8Array or a string, got ${got}`);
}

/**
 * Compares two byte strings lexicographically, as unsigned bytes.
 * Returns a negative number iff `a < b`, zero iff they are equal, positive iff `a > b`.
 * A proper prefix sorts first: `"ab" < "abc"`.
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Returns true iff `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Returns the number of leading bytes `a` and `b` share. */
export function sharedPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Concatenates byte strings into a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Returns a copy of `bytes` that owns its memory (not a view into a larger buffer). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  // Not bytes.slice(): on a Node Buffer, slice() returns a view of the same memory.
  return new Uint8Array(bytes);
}

/**
 * Formats bytes for humans: printable ASCII as is, anything else as `\xHH`.
 * Used by the internal-key notation (`apple#12,PUT`) in messages and tests.
 * `#`, `,` and `\` are escaped too, so the notation can be parsed back.
 */
export function formatBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const printable = b >= 0x20 && b < 0x7f && b !== 0x23 /* # */ && b !== 0x2c /* , */ && b !== 0x5c; /* \ */
    out += printable ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Parses the output of {@link formatBytes} back into bytes. */
export function parseFormattedBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c && text[i + 1] === 'x') {
      const hex = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new InvalidArgumentError(`bad escape '\\x${hex}' in "${text}"`);
      out.push(parseInt(hex, 16));
      i += 3;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      // Non-ASCII text: encode the code point as UTF-8.
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      out.push(...encoder.encode(ch));
      i += ch.length - 1;
    }
  }
  return Uint8Array.from(out);
}

/** Formats bytes as lowercase hex, two digits a byte, e.g. `"0a1b"`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
