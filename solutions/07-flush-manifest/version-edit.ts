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
  // #region task 7.1: write each field that is present as [tag varint][body], in tag order
  const out = new ByteWriter(64 + edit.newFiles.length * 64);
  const scalar = (tag: EditTag, name: string, value: number | undefined): void => {
    if (value === undefined) return;
    requireNumber(name, value);
    out.varint(tag).varint(value);
  };
  scalar(EditTag.FormatVersion, 'formatVersion', edit.formatVersion);
  scalar(EditTag.LogNumber, 'logNumber', edit.logNumber);
  scalar(EditTag.NextFileNumber, 'nextFileNumber', edit.nextFileNumber);
  scalar(EditTag.LastSequence, 'lastSequence', edit.lastSequence);
  for (const { level, number } of edit.deletedFiles) {
    requireLevel(level);
    requireNumber('a deleted file number', number);
    out.varint(EditTag.DeletedFile).varint(level).varint(number);
  }
  for (const { level, file } of edit.newFiles) {
    requireLevel(level);
    out.varint(EditTag.NewFile).varint(level);
    for (const [name, value] of [
      ['number', file.number],
      ['size', file.size],
      ['smallestSequence', file.smallestSequence],
      ['largestSequence', file.largestSequence],
      ['entryCount', file.entryCount],
      ['tombstoneCount', file.tombstoneCount],
    ] as const) {
      requireNumber(`a new file's ${name}`, value);
      out.varint(value);
    }
    out.varint(file.smallest.length).bytes(file.smallest);
    out.varint(file.largest.length).bytes(file.largest);
  }
  return out.toBytes();
  // #endregion
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
  // #region task 7.1: read [tag][body] fields until the payload ends; refuse unknown tags and repeated scalars
  const reader = new ByteReader(payload, file, offset);
  const scalars = new Map<EditTag, number>();
  const deletedFiles: DeletedFile[] = [];
  const newFiles: NewFile[] = [];
  /** Fails at `at`, the start of the bad field, rather than where reading it ended. */
  const failAt = (at: number, reason: string): never => {
    reader.position = at;
    return reader.fail(reason);
  };
  const readLevel = (): number => {
    const at = reader.position;
    const level = reader.varint('level');
    if (level >= NUM_LEVELS) failAt(at, `level ${level} is out of range: levels are 0 to ${NUM_LEVELS - 1}`);
    return level;
  };
  const readKey = (what: string): Uint8Array => {
    const at = offset + reader.position;
    const key = reader.bytesView(reader.varint(`${what} key length`), `${what} key`).slice();
    decodeInternalKey(key, file, at); // Throws unless it is an internal key.
    return key;
  };
  while (reader.remaining > 0) {
    const tagAt = reader.position;
    const tag = reader.varint('field tag');
    switch (tag) {
      case EditTag.FormatVersion:
      case EditTag.LogNumber:
      case EditTag.NextFileNumber:
      case EditTag.LastSequence: {
        if (scalars.has(tag)) failAt(tagAt, `field ${tag} appears twice in one edit`);
        scalars.set(tag, reader.varint(`field ${tag}`));
        break;
      }
      case EditTag.DeletedFile: {
        const level = readLevel();
        deletedFiles.push({ level, number: reader.varint('deleted file number') });
        break;
      }
      case EditTag.NewFile: {
        const fieldAt = tagAt;
        const level = readLevel();
        const number = reader.varint('file number');
        const size = reader.varint('file size');
        const smallestSequence = reader.varint('smallest sequence');
        const largestSequence = reader.varint('largest sequence');
        const entryCount = reader.varint('entry count');
        const tombstoneCount = reader.varint('tombstone count');
        const smallest = readKey('smallest');
        const largest = readKey('largest');
        if (compareEncodedKeys(smallest, largest) > 0) {
          failAt(fieldAt, `table ${number}: smallest key ${formatEncodedKey(smallest)} sorts after largest ${formatEncodedKey(largest)}`);
        }
        newFiles.push({
          level,
          file: { number, size, smallest, largest, smallestSequence, largestSequence, entryCount, tombstoneCount },
        });
        break;
      }
      default:
        failAt(tagAt, `unknown field tag ${tag} (written by a newer version of the engine?)`);
    }
  }
  return {
    formatVersion: scalars.get(EditTag.FormatVersion),
    logNumber: scalars.get(EditTag.LogNumber),
    nextFileNumber: scalars.get(EditTag.NextFileNumber),
    lastSequence: scalars.get(EditTag.LastSequence),
    deletedFiles,
    newFiles,
  };
  // #endregion
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
