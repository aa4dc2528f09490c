/**
 * copyValue: a copy of a value for the caller to own, made cheaply.
 *
 * Where the reference trades clarity for speed. V8 keeps a Uint8Array of up
 * to 64 bytes inside its own heap, where allocating it is about as cheap as
 * allocating an object; a larger one gets memory of its own from malloc,
 * which costs about 0.4 µs to allocate and again to free: more than the rest
 * of a step of a scan. So copies of values are cut from a shared 8 KiB
 * chunk instead, one after the other, as Node's own Buffer pool does (values
 * over 2 KiB get memory of their own). Each copy is still the caller's alone:
 * nothing else is ever written to its bytes. The price: a copy the caller
 * keeps holds its whole chunk in memory, and its `.buffer` is the chunk
 * (byteOffset is not 0).
 */

import { Arena } from '#memtable/arena.ts';

/** One arena (chapter 1's, as the engine uses for the keys and values it is given) with small chunks: a value kept by the caller pins at most 8 KiB. */
const values = new Arena(8192);

/** Returns a copy of `bytes` that the caller owns and may modify. */
export function copyValue(bytes: Uint8Array): Uint8Array {
  return values.copy(bytes);
}
