/**
 * VersionEdit: one change to the set of tables, as the MANIFEST records it.
 *
 * The engine never rewrites its list of tables; it appends what changed.
 * A flush adds one level-0 table and moves the log number past the WAL
 * segments the table now covers:
 *
 *     { newFiles: [{ level: 0, file: 000012.sst [...] }], logNumber: 13,
 *       nextFileNumber: 14, lastSequence: 5120 }
 *
 * A compaction (chapters 8 and 9) deletes its inputs and adds its outputs in
 * ONE edit, so a crash leaves either the old tables or the new ones, never
 * both or neither. Replaying every edit of a MANIFEST in order rebuilds the
 * current version. The byte layout is in manifest-format.ts.
 */

import { NotImplementedError } from '#toolkit/errors.ts';
import { ByteReader } from '#toolkit/byte-reader.ts';
import { ByteWriter } from '#toolkit/byte-writer.ts';
import { requireArgument } from '#toolkit/errors.ts';
import { compareEncodedKeys, decodeInternalKey, formatEncodedKey } from '#sstable/internal-key-codec.ts';
import type { FileMetadata } from './file-metadata.ts';
import { EditTag, NUM_LEVELS } from './manifest-format.ts';

/** A table added to a level. */
export interface NewFile {
  readonly level: number;
  readonly file: FileMetadata;
}

/** A table removed from a level. */
export interface DeletedFile {
  readonly level: number;
  readonly number: number;
}

/** One change to the version; every scalar field is optional (absent: unchanged). */
export interface VersionEdit {
  /** The MANIFEST format version; set in the first edit of every MANIFEST. */
  readonly formatVersion?: number | undefined;
  /** Every WAL segment numbered below this is in tables: replay starts here. */
  readonly logNumber?: number | undefined;
  /** The next file number to hand out: every number in use is below it. */
  readonly nextFileNumber?: number | undefined;
  /** The last sequence number used by a write. */
  readonly lastSequence?: number | undefined;
  /** Tables removed, applied before `newFiles`. */
  readonly deletedFiles: readonly DeletedFile[];
  /** Tables added. */
  readonly newFiles: readonly NewFile[];
}

/**
 * Returns the payload of `edit`: its fields in tag order, each
 * `[tag varint][body]` (layout in manifest-format.ts).
 * @throws InvalidArgumentError if a number is not an integer in 0 .. 2^53 - 1
 *   or a level is not in 0 .. NUM_LEVELS - 1.
 */
export function encodeVersionEdit(edit: VersionEdit): Uint8Array {
  // TODO(task 7.1): write each field that is present as [tag varint][body], in tag order
  throw new NotImplementedError("task 7.1 in chapters/07-flush-manifest/version-edit.ts: write each field that is present as [tag varint][body], in tag order");
}

/**
 * Decodes the payload of one MANIFEST record.
 * @param file names the MANIFEST in errors; `offset` is where `payload` starts in it.
 * @throws CorruptionError (naming the file and the offset of the bad field)
 *   for an unknown tag, a scalar field given twice, a level out of range, a
 *   truncated field, a key that is not an internal key, or a table whose
 *   smallest key sorts after its largest.
 */
export function decodeVersionEdit(payload: Uint8Array, file = 'version edit', offset = 0): VersionEdit {
  // TODO(task 7.1): read [tag][body] fields until the payload ends; refuse unknown tags and repeated scalars
  throw new NotImplementedError("task 7.1 in chapters/07-flush-manifest/version-edit.ts: read [tag][body] fields until the payload ends; refuse unknown tags and repeated scalars");
}

function requireNumber(name: string, value: number): void {
  requireArgument(Number.isSafeInteger(value) && value >= 0, `${name} must be an integer from 0 to 2^53 - 1, got ${value}`);
}

function requireLevel(level: number): void {
  requireArgument(
    Number.isInteger(level) && level >= 0 && level < NUM_LEVELS,
    `a level must be an integer from 0 to ${NUM_LEVELS - 1}, got ${level}`,
  );
}
