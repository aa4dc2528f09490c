/**
 * The MANIFEST file as a log: framing records on the way in, finding them
 * again (and telling a torn tail from corruption) on the way out. What a
 * record's payload means is version-edit.ts's business; the layout is in
 * manifest-format.ts.
 *
 * The recovery rule is the WAL's (chapter 2). Records are read from offset
 * 0; the record at offset X is *damaged* if its header or payload runs past
 * the end of the file or its checksum does not match. At the first damaged
 * record:
 *
 * - if an intact record starts at any offset after X, the damage is in the
 *   middle: throw a CorruptionError at X. Those later edits were synced
 *   after the damaged one; skipping it would rebuild the wrong version.
 * - otherwise it is a torn tail: the last append, cut off by a crash. Its
 *   edit was never acknowledged (logAndApply syncs before it returns), so it
 *   is ignored, and the records before it are the MANIFEST.
 *
 * The engine never appends after a torn tail: every open starts a new
 * MANIFEST (version-set.ts), so a torn record can only ever be the last one.
 */

import { crc32c, maskCrc, unmaskCrc } from '#toolkit/crc32c.ts';
import { ClosedError, CorruptionError, IOError, requireArgument } from '#toolkit/errors.ts';
import type { FileSystem, WritableFile } from '#toolkit/file-system.ts';
import { readU32, writeU32 } from '#toolkit/fixed-int.ts';
import { LENGTH_OFFSET, MAX_RECORD_PAYLOAD, RECORD_HEADER_SIZE } from './manifest-format.ts';

/** One record found by {@link scanManifest}: its payload (a view) and where the record starts. */
export interface ManifestRecord {
  readonly payload: Uint8Array;
  readonly offset: number;
}

/** What {@link scanManifest} found. */
export interface ManifestScan {
  /** The intact records before the first damaged one, in order. */
  readonly records: readonly ManifestRecord[];
  /** Where the torn tail starts; undefined iff the file ends exactly after its last record. */
  readonly tornAt: number | undefined;
}

/**
 * Appends records to a new MANIFEST file.
 *
 * Invariants:
 * 1. The file holds whole records, one after another, unless an append or
 *    sync failed; after a failure the writer refuses every further append
 *    (a record after a partial one would turn a torn tail into corruption).
 * 2. Each record reaches the file in ONE append call.
 */
export class ManifestWriter {
  private closed = false;
  private failure: IOError | undefined;

  private constructor(private readonly file: WritableFile) {}

  /**
   * Creates (or truncates) the MANIFEST at `path`. Its name is not durable
   * until the caller syncs the directory.
   * @throws IOError if the file system fails.
   */
  static create(fs: FileSystem, path: string): ManifestWriter {
    return new ManifestWriter(fs.createWritable(path));
  }

  /** The file's path. */
  get path(): string {
    return this.file.path;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.file.size;
  }

  /**
   * Appends one record holding `payload`, in one append. Not durable until `sync()`.
   * @throws InvalidArgumentError if the payload is longer than 2^32 - 1 bytes.
   * @throws IOError if the file system fails; the writer refuses appends afterwards.
   * @throws ClosedError after close().
   */
  append(payload: Uint8Array): void {
    this.checkWritable();
    requireArgument(payload.length <= MAX_RECORD_PAYLOAD, `a MANIFEST record holds at most 2^32 - 1 bytes, got ${payload.length}`);
    try {
      // #region task 7.2: frame the payload as [crc][length][payload], crc over length and payload, in one append
      const record = new Uint8Array(RECORD_HEADER_SIZE + payload.length);
      writeU32(record, LENGTH_OFFSET, payload.length);
      record.set(payload, RECORD_HEADER_SIZE);
      writeU32(record, 0, maskCrc(crc32c(record, 0, LENGTH_OFFSET)));
      this.file.append(record);
      // #endregion
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
  }

  /**
   * Makes every record appended so far durable.
   * @throws IOError if the file system fails; the writer refuses appends afterwards.
   * @throws ClosedError after close().
   */
  sync(): void {
    this.checkWritable();
    try {
      this.file.sync();
    } catch (error) {
      this.noteFailure(error);
      throw error;
    }
  }

  /** Closes the file without syncing it. Closing twice is allowed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
  }

  private checkWritable(): void {
    if (this.closed) throw new ClosedError(`the MANIFEST '${this.file.path}' is closed`);
    const f = this.failure;
    if (f !== undefined) throw new IOError(f.operation, f.path, f.errno, { cause: f });
  }

  private noteFailure(error: unknown): void {
    if (error instanceof IOError && this.failure === undefined) this.failure = error;
  }
}

/**
 * Returns why the record at `offset` is damaged, or undefined iff it is
 * intact: its header fits, the payload its length announces fits, and the
 * checksum matches. Never throws, so a reader can try it at every offset.
 */
export function recordDamage(bytes: Uint8Array, offset: number): string | undefined {
  // #region task 7.2: check the header fits, then the payload, then the checksum
  const left = bytes.length - offset;
  if (left < RECORD_HEADER_SIZE) return `truncated header: ${left} of ${RECORD_HEADER_SIZE} bytes`;
  const length = readU32(bytes, offset + LENGTH_OFFSET);
  if (length > left - RECORD_HEADER_SIZE) {
    return `truncated payload: the length says ${length} bytes, ${left - RECORD_HEADER_SIZE} left`;
  }
  const stored = unmaskCrc(readU32(bytes, offset));
  const actual = crc32c(bytes, 0, offset + LENGTH_OFFSET, offset + RECORD_HEADER_SIZE + length);
  if (stored !== actual) return 'checksum mismatch';
  return undefined;
  // #endregion
}

/**
 * Finds the records of a MANIFEST held in `bytes` and applies the recovery
 * rule (file comment): returns the intact records before the first damaged
 * one, and where that one starts if it is a torn tail.
 * @param file names the MANIFEST in errors.
 * @throws CorruptionError at the damaged record's offset when an intact
 *   record starts anywhere after it.
 */
export function scanManifest(bytes: Uint8Array, file: string): ManifestScan {
  // #region task 7.2: collect records until the first damaged one; torn tail iff no intact record follows it
  const records: ManifestRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const damage = recordDamage(bytes, offset);
    if (damage !== undefined) {
      for (let at = offset + 1; at + RECORD_HEADER_SIZE <= bytes.length; at++) {
        if (recordDamage(bytes, at) === undefined) {
          throw new CorruptionError({
            file,
            offset,
            reason: `${damage}, and an intact record follows at offset ${at}: this is not a torn tail`,
          });
        }
      }
      return { records, tornAt: offset };
    }
    const length = readU32(bytes, offset + LENGTH_OFFSET);
    const start = offset + RECORD_HEADER_SIZE;
    records.push({ payload: bytes.subarray(start, start + length), offset });
    offset = start + length;
  }
  return { records, tornAt: undefined };
  // #endregion
}

/**
 * Reads the whole MANIFEST at `path` (a MANIFEST is small: a snapshot plus
 * the edits since) and scans it; see {@link scanManifest}.
 * @throws CorruptionError as scanManifest does.
 * @throws IOError if the file cannot be read.
 */
export function readManifest(fs: FileSystem, path: string): ManifestScan {
  return scanManifest(fs.readFile(path), path);
}
