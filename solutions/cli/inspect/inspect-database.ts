/**
 * `lsm inspect <dir>`: a database directory as the engine would open it —
 * CURRENT, the MANIFEST it names and the version its edits add up to (per
 * level: each table's number, size, key range in the `apple#12,PUT`
 * notation, sequence range, entry and tombstone counts), the counters
 * (last sequence, log number, next file number), and the WAL segments with
 * their record counts. Read-only: no LOCK is taken and nothing is written,
 * so it is safe on a database another process has open.
 */

import { fromUtf8 } from '#toolkit/bytes.ts';
import { CorruptionError, InvalidArgumentError } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { joinPath } from '#toolkit/path.ts';
import { CURRENT_FILE, FileKind, parseFileName, parseManifestFileName } from '#engine/file-names.ts';
import { NUM_LEVELS, RECORD_HEADER_SIZE } from '#engine/manifest-format.ts';
import { decodeVersionEdit } from '#engine/version-edit.ts';
import { Version } from '#engine/version.ts';
import { formatBytesSize, formatCount } from '../format.ts';
import { summarizeSegment } from './inspect-log.ts';
import { formatTable, readManifestFile } from './inspect-manifest.ts';

/**
 * A directory that holds no database. The message says so, and names the
 * subdirectories that do hold one (`lsm bench --dir` makes one per engine).
 */
export class NotADatabaseError extends Error {
  constructor(dir: string, databasesInside: readonly string[]) {
    const hint = databasesInside.length === 0 ? '' : ` (these subdirectories are: ${databasesInside.join(', ')})`;
    super(`no CURRENT file: ${dir} is not a database${hint}`);
    this.name = 'NotADatabaseError';
  }
}

/** Returns the names of the subdirectories of `dir` that hold a CURRENT file. */
function databasesIn(fs: FileSystem, dir: string): string[] {
  return fs.list(dir).filter((name) => fs.exists(joinPath(dir, name, CURRENT_FILE)));
}

/**
 * Prints the database in `dir` through `out`.
 * @throws NotADatabaseError if `dir` has no CURRENT file.
 * @throws CorruptionError if CURRENT, the MANIFEST or a WAL segment is damaged
 *   (a torn tail is reported, not thrown), after printing what came before.
 */
export function inspectDatabase(fs: FileSystem, dir: string, out: (line: string) => void): void {
  const currentPath = joinPath(dir, CURRENT_FILE);
  if (!fs.exists(currentPath)) throw new NotADatabaseError(dir, databasesIn(fs, dir));
  const text = fromUtf8(fs.readFile(currentPath));
  const manifestName = /^(MANIFEST-\d+)\n$/.exec(text)?.[1];
  if (manifestName === undefined || parseManifestFileName(manifestName) === undefined) {
    throw new CorruptionError({
      file: currentPath,
      offset: 0,
      reason: `CURRENT must hold a MANIFEST name and a newline; it holds ${JSON.stringify(text.slice(0, 40))}`,
    });
  }
  const manifestPath = joinPath(dir, manifestName);
  if (!fs.exists(manifestPath)) {
    throw new CorruptionError({ file: currentPath, offset: 0, reason: `CURRENT names ${manifestName}, which does not exist` });
  }
  out(`database ${dir}`);
  out(`CURRENT names ${manifestName}`);

  const { bytes, scan, damage } = readManifestFile(fs, manifestPath);
  const ending = damage !== undefined ? `corruption at offset ${damage.offset}` : scan.tornAt !== undefined ? `a torn tail at offset ${scan.tornAt} (ignored)` : 'cleanly';
  out(`${manifestName}: ${formatCount(bytes.length)} bytes, ${scan.records.length} edits, ends ${ending}`);
  if (damage !== undefined) throw damage;

  let version = Version.EMPTY;
  let logNumber: number | undefined;
  let nextFileNumber: number | undefined;
  let lastSequence: number | undefined;
  for (const { payload, offset } of scan.records) {
    const edit = decodeVersionEdit(payload, manifestPath, offset + RECORD_HEADER_SIZE);
    try {
      version = version.apply(edit);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      throw new CorruptionError({ file: manifestPath, offset, reason: error.message }, { cause: error });
    }
    logNumber = edit.logNumber ?? logNumber;
    nextFileNumber = edit.nextFileNumber ?? nextFileNumber;
    lastSequence = edit.lastSequence ?? lastSequence;
  }
  const show = (n: number | undefined): string => (n === undefined ? 'unknown' : String(n));
  out(`last sequence ${show(lastSequence)} · log number ${show(logNumber)} · next file number ${show(nextFileNumber)}`);

  out('');
  out(`version: ${version.fileCount} tables, ${formatBytesSize(sumSizes(version))}`);
  let emptyFrom: number | undefined;
  for (let level = 0; level < NUM_LEVELS; level++) {
    const files = version.files(level);
    if (files.length === 0) {
      emptyFrom ??= level;
      continue;
    }
    if (emptyFrom !== undefined) out(emptyLevels(emptyFrom, level - 1));
    emptyFrom = undefined;
    const order = level === 0 ? ', newest first' : '';
    out(`level ${level}: ${files.length} ${files.length === 1 ? 'table' : 'tables'}, ${formatBytesSize(version.levelBytes(level))}${order}`);
    for (const file of files) out(`  ${formatTable(file)}`);
  }
  if (emptyFrom !== undefined) out(emptyLevels(emptyFrom, NUM_LEVELS - 1));

  const names = fs.list(dir);
  const live = new Set(version.fileNumbers());
  const logs: number[] = [];
  const strays: string[] = [];
  const others: string[] = [];
  for (const name of names) {
    const parsed = parseFileName(name);
    if (parsed?.kind === FileKind.Log) logs.push(parsed.number);
    else if (parsed?.kind === FileKind.Table && !live.has(parsed.number)) strays.push(name);
    else if (parsed?.kind !== FileKind.Table && name !== CURRENT_FILE && name !== manifestName) others.push(name);
  }

  out('');
  out(`WAL segments: ${logs.length}${logs.length === 0 ? '' : ' (replayed on open from the log number up)'}`);
  for (const number of logs) {
    const name = names.find((n) => parseFileName(n)?.kind === FileKind.Log && parseFileName(n)?.number === number)!;
    const summary = summarizeSegment(fs, joinPath(dir, name));
    const sequences = summary.sequences === undefined ? 'empty' : `seq ${summary.sequences[0]}..${summary.sequences[1]}`;
    const ends = summary.tornAt === undefined ? '' : `, torn tail at offset ${summary.tornAt}`;
    const status = logNumber !== undefined && number < logNumber ? '  (obsolete: below the log number, already in tables)' : '';
    out(
      `  ${name}  ${formatBytesSize(summary.bytes)}  ${formatCount(summary.records)} records, ${formatCount(summary.entries)} entries, ${sequences}${ends}${status}`,
    );
  }
  if (strays.length > 0) out(`tables not in the version (obsolete, deleted by the next open): ${strays.join(', ')}`);
  if (others.length > 0) out(`other files: ${others.join(', ')}`);
}

function emptyLevels(from: number, to: number): string {
  return from === to ? `level ${from}: empty` : `levels ${from}-${to}: empty`;
}

function sumSizes(version: Version): number {
  let total = 0;
  for (let level = 0; level < NUM_LEVELS; level++) total += version.levelBytes(level);
  return total;
}
