/**
 * `lsm inspect <path>`: decides what `path` is — a database directory, a
 * table, a WAL segment or a MANIFEST — and prints what it holds. By name
 * first (`*.sst`, `*.log`, `MANIFEST-*`, as the engine names them), then by
 * content for a renamed file (a table ends with the magic "LSM-TBL1").
 */

import { bytesEqual } from '#toolkit/bytes.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { baseName } from '#toolkit/path.ts';
import { MAGIC, MAGIC_SIZE } from '#sstable/table-format.ts';
import { inspectDatabase } from './inspect-database.ts';
import { inspectLog } from './inspect-log.ts';
import { inspectManifest } from './inspect-manifest.ts';
import { inspectTable } from './inspect-table.ts';

/** What `lsm inspect` was pointed at. */
export type InspectedKind = 'database' | 'table' | 'log' | 'manifest';

/** The options of inspect. */
export interface InspectOptions {
  /** Print every entry of a table. */
  readonly entries: boolean;
}

/** A path inspect does not know what to do with; the message says why. */
export class InspectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InspectError';
  }
}

/**
 * Returns what `path` is.
 * @throws InspectError if it does not exist or is none of the four kinds.
 */
export function kindOf(fs: FileSystem, path: string): InspectedKind {
  if (!fs.exists(path)) throw new InspectError(`no such file or directory: ${path}`);
  if (isDirectory(fs, path)) return 'database';
  const name = baseName(path);
  if (name.endsWith('.sst')) return 'table';
  if (name.endsWith('.log')) return 'log';
  if (name.startsWith('MANIFEST-')) return 'manifest';
  const size = fs.fileSize(path);
  if (size >= MAGIC_SIZE) {
    const file = fs.openReadable(path);
    try {
      if (bytesEqual(file.read(size - MAGIC_SIZE, MAGIC_SIZE), MAGIC)) return 'table';
    } finally {
      file.close();
    }
  }
  throw new InspectError(
    `cannot tell what ${path} is: expected a database directory, a table (NNNNNN.sst), a WAL segment (NNNNNN.log) or a MANIFEST-NNNNNN`,
  );
}

function isDirectory(fs: FileSystem, path: string): boolean {
  try {
    fs.list(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Prints what `path` holds through `out` and returns what it was.
 * @throws InspectError for a missing path or an unknown kind of file.
 * @throws NotADatabaseError for a directory without CURRENT.
 * @throws CorruptionError for damaged bytes, after printing what came before them.
 */
export function inspectPath(fs: FileSystem, path: string, options: InspectOptions, out: (line: string) => void): InspectedKind {
  const kind = kindOf(fs, path);
  switch (kind) {
    case 'database':
      inspectDatabase(fs, path, out);
      break;
    case 'table':
      inspectTable(fs, path, options, out);
      break;
    case 'log':
      inspectLog(fs, path, out);
      break;
    case 'manifest':
      inspectManifest(fs, path, out);
      break;
  }
  return kind;
}
