/**
 * Arena: copies small byte strings into large shared chunks.
 *
 * The engine copies every key and value it is handed (the caller may reuse
 * its buffers), and the copies live in the memtable until it is flushed.
 * Copying each into its own `Uint8Array` is slow in V8: an array longer than
 * 64 bytes gets its own off-heap buffer, which costs about a microsecond to
 * allocate and more for the garbage collector to track and free, and that is
 * a large share of a put. So, like LevelDB's memtable arena, this hands out
 * views into one big chunk at a time: a copy is a bump of an offset, a
 * `set`, and a view (a small object on the JavaScript heap).
 *
 *     chunk 0: [ key 1 | value 1 | key 2 | value 2 | ... |    free    ]
 *                                                         ^ used
 *
 * A chunk is freed by the garbage collector once no view into it is left:
 * after the memtables holding its copies are flushed and dropped. A copy
 * larger than a quarter of a chunk gets an array of its own, so a big value
 * never wastes the rest of a chunk.
 *
 * Not thread-safe; the engine serialises writes.
 */

/** Bytes per chunk: big enough that allocating chunks costs nothing per copy, small enough to waste little. */
export const ARENA_CHUNK_SIZE = 128 * 1024;

export class Arena {
  private chunk: Uint8Array = new Uint8Array(0);
  private used = 0;

  /** @param chunkSize bytes per chunk; the engine's memtable copies use ARENA_CHUNK_SIZE. */
  constructor(private readonly chunkSize: number = ARENA_CHUNK_SIZE) {}

  /**
   * Returns a copy of `bytes`: a view into the current chunk, or an array of
   * its own if `bytes` is larger than a quarter of a chunk.
   */
  copy(bytes: Uint8Array): Uint8Array {
    const length = bytes.length;
    if (length > this.chunkSize / 4) return new Uint8Array(bytes); // A copy (a Buffer's slice() would be a view).
    if (this.used + length > this.chunk.length) {
      this.chunk = new Uint8Array(this.chunkSize);
      this.used = 0;
    }
    const at = this.used;
    this.chunk.set(bytes, at);
    this.used = at + length;
    return this.chunk.subarray(at, at + length);
  }
}
