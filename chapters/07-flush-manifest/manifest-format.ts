/**
 * The MANIFEST's on-disk format: the constants the writer and the reader
 * share.
 *
 * A MANIFEST is a log of version edits, one record per edit, and nothing
 * else (no file header: the first edit carries the format version):
 *
 *     0        4          8
 *     +--------+----------+------------------------------+
 *     | crc    | length   | payload: one encoded edit    |
 *     | u32    | u32      | (length bytes)               |
 *     +--------+----------+------------------------------+
 *              |<-------- covered by the crc ----------->|
 *
 * crc = maskCrc(crc32c(length field ++ payload)), little-endian, as in the
 * WAL: the length is covered too, so a damaged length is caught.
 *
 * An edit is a sequence of tagged fields, each `[tag varint][body]`, in any
 * order (the encoder writes them in tag order):
 *
 *     tag  field            body
 *     1    FormatVersion    [version varint]
 *     2    LogNumber        [number varint]
 *     3    NextFileNumber   [number varint]
 *     4    LastSequence     [sequence varint]
 *     5    DeletedFile      [level varint][number varint]
 *     6    NewFile          [level varint][number varint][size varint]
 *                           [smallestSequence varint][largestSequence varint]
 *                           [entryCount varint][tombstoneCount varint]
 *                           [smallest length varint][smallest: encoded internal key]
 *                           [largest length varint][largest: encoded internal key]
 *
 * Fields 1-4 appear at most once per edit; 5 and 6 any number of times.
 *
 * Worked example: the edit `{ logNumber: 7, lastSequence: 300 }` is the
 * payload `02 07 04 ac 02` (tag 2, 7; tag 4, 300 as the varint ac 02), and
 * its record is 8 + 5 = 13 bytes.
 *
 * The upgrade rule: a new kind of field gets a new tag and the format
 * version goes up. A reader refuses a MANIFEST whose first edit has a newer
 * version, and any record with a tag it does not know (CorruptionError,
 * never a silent skip: an unknown field could be a file the reader would
 * then delete as unreferenced).
 */

/** Bytes of a record's header: crc (4) + length (4). */
export const RECORD_HEADER_SIZE = 4 + 4;
/** Offset of the length field: after the crc. */
export const LENGTH_OFFSET = 4;
/** The largest payload a record may hold: the length field is 32 bits. */
export const MAX_RECORD_PAYLOAD = 0xffff_ffff;

/** The MANIFEST format version this code writes, and the newest it reads. */
export const MANIFEST_FORMAT_VERSION = 1;

/** Number of levels: L0 .. L6, as in LevelDB. A level number on disk must be below this. */
export const NUM_LEVELS = 7;

/**
 * The tags of a version edit's fields. Written to disk: never renumber
 * them, and never reuse a retired one.
 */
export const EditTag = {
  FormatVersion: 1,
  LogNumber: 2,
  NextFileNumber: 3,
  LastSequence: 4,
  DeletedFile: 5,
  NewFile: 6,
} as const;
export type EditTag = (typeof EditTag)[keyof typeof EditTag];
