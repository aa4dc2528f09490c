/**
 * The files of a database directory, and how their names are parsed.
 *
 *     db/
 *       CURRENT            "MANIFEST-000009\n": which MANIFEST is the live one
 *       LOCK               held while the database is open
 *       MANIFEST-000009    the log of version edits: which tables exist, and where
 *       000007.sst         a table (chapter 4)
 *       000012.sst
 *       000013.log         a write-ahead log segment (chapter 2)
 *       CURRENT.tmp        the next CURRENT, before its atomic rename
 *
 * One counter, the VersionSet's `nextFileNumber`, numbers logs, tables and
 * manifests alike, and a number is never used twice: so a number names one
 * file forever (the block cache keys blocks by it), and "newer" can be
 * read from numbers.
 */

import { logFileName, parseLogFileName } from '#wal/wal-format.ts';
import { parseTableFileName, tableFileName } from '#sstable/table-format.ts';
import { requireArgument } from '#toolkit/errors.ts';

export { logFileName, tableFileName };

/** The name of the file that names the live MANIFEST. */
export const CURRENT_FILE = 'CURRENT';
/** The name of the lock file. */
export const LOCK_FILE = 'LOCK';
/** Temporary files end with this; a crash can leave one behind, and the next open deletes it. */
export const TEMP_SUFFIX = '.tmp';
/** MANIFEST file names start with this. */
export const MANIFEST_PREFIX = 'MANIFEST-';
/** File numbers are zero-padded to this many digits in names, so names sort like numbers. */
export const FILE_NUMBER_DIGITS = 6;

/** The kinds of file the engine keeps in its directory. */
export const FileKind = {
  Log: 'log',
  Table: 'table',
  Manifest: 'manifest',
  Current: 'current',
  Lock: 'lock',
  Temp: 'temp',
} as const;
export type FileKind = (typeof FileKind)[keyof typeof FileKind];

/** A parsed file name: its kind and, for logs, tables and manifests, its number. */
export interface ParsedFileName {
  readonly kind: FileKind;
  /** The file number; 0 for CURRENT, LOCK and temporary files, which have none. */
  readonly number: number;
}

/**
 * Returns the name of MANIFEST `number`: `manifestFileName(3)` is `"MANIFEST-000003"`.
 * @throws InvalidArgumentError unless `number` is an integer in 0 .. 2^53 - 1.
 */
export function manifestFileName(number: number): string {
  requireArgument(
    Number.isSafeInteger(number) && number >= 0,
    `a manifest number must be an integer from 0 to 2^53 - 1, got ${number}`,
  );
  return `${MANIFEST_PREFIX}${String(number).padStart(FILE_NUMBER_DIGITS, '0')}`;
}

/** Returns the manifest number of `name`, or undefined unless it is exactly what {@link manifestFileName} writes. */
export function parseManifestFileName(name: string): number | undefined {
  const match = /^MANIFEST-(\d+)$/.exec(name);
  if (match === null) return undefined;
  const number = Number(match[1]);
  if (!Number.isSafeInteger(number)) return undefined;
  return manifestFileName(number) === name ? number : undefined;
}

/**
 * Returns what kind of engine file `name` is, with its number, or undefined
 * for a name the engine did not make (which it then never touches).
 *
 * Temporary files are the engine's `<name>.tmp`, like `CURRENT.tmp`; the
 * file system's own lock temporaries (`LOCK.<pid>.tmp`) are not: another
 * process may be in the middle of using one.
 */
export function parseFileName(name: string): ParsedFileName | undefined {
  if (name === CURRENT_FILE) return { kind: FileKind.Current, number: 0 };
  if (name === LOCK_FILE) return { kind: FileKind.Lock, number: 0 };
  if (name.endsWith(TEMP_SUFFIX) && !name.startsWith(`${LOCK_FILE}.`)) return { kind: FileKind.Temp, number: 0 };
  const log = parseLogFileName(name);
  if (log !== undefined) return { kind: FileKind.Log, number: log };
  const table = parseTableFileName(name);
  if (table !== undefined) return { kind: FileKind.Table, number: table };
  const manifest = parseManifestFileName(name);
  if (manifest !== undefined) return { kind: FileKind.Manifest, number: manifest };
  return undefined;
}
