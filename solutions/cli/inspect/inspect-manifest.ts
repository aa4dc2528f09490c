/**
 * `lsm inspect MANIFEST-000009`: every version edit of a MANIFEST, in
 * order (its scalar fields, the tables it deletes and adds), and how the
 * file ends. Replaying these edits from the first is how the engine rebuilds
 * its list of tables on open (chapter 7).
 *
 * The verdict is the engine's own (scanManifest), so inspect never disagrees
 * with recovery. Edits up to the damage are printed before a
 * CorruptionError is rethrown.
 */

import { CorruptionError } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { formatEncodedKey } from '#sstable/internal-key-codec.ts';
import { tableFileName } from '#sstable/table-format.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import { RECORD_HEADER_SIZE } from '#engine/manifest-format.ts';
import { scanManifest, type ManifestScan } from '#engine/manifest-log.ts';
import { decodeVersionEdit, type VersionEdit } from '#engine/version-edit.ts';
import { formatBytesSize, formatCount } from '../format.ts';

/** Reads a MANIFEST, returning its intact records and either its torn tail or the corruption that stopped it. */
export function readManifestFile(
  fs: FileSystem,
  path: string,
): { readonly bytes: Uint8Array; readonly scan: ManifestScan; readonly damage: CorruptionError | undefined } {
  const bytes = fs.readFile(path);
  try {
    return { bytes, scan: scanManifest(bytes, path), damage: undefined };
  } catch (error) {
    if (!(error instanceof CorruptionError)) throw error;
    // The records before the damage are intact: scan just them.
    return { bytes, scan: scanManifest(bytes.subarray(0, error.offset), path), damage: error };
  }
}

/** Formats a table as the MANIFEST records it: `000012.sst 4.00 MiB [a#3,PUT .. z#9,DEL] seq 3..9, 1,000 entries, 0 tombstones`. */
export function formatTable(file: FileMetadata): string {
  return (
    `${tableFileName(file.number)}  ${formatBytesSize(file.size)}  ` +
    `[${formatEncodedKey(file.smallest)} .. ${formatEncodedKey(file.largest)}]  ` +
    `seq ${file.smallestSequence}..${file.largestSequence}  ` +
    `${formatCount(file.entryCount)} entries, ${formatCount(file.tombstoneCount)} tombstones`
  );
}

/** Returns the scalar fields of `edit` in one line, or undefined if it has none. */
export function formatEditScalars(edit: VersionEdit): string | undefined {
  const parts: string[] = [];
  if (edit.formatVersion !== undefined) parts.push(`format version ${edit.formatVersion}`);
  if (edit.logNumber !== undefined) parts.push(`log number ${edit.logNumber}`);
  if (edit.nextFileNumber !== undefined) parts.push(`next file number ${edit.nextFileNumber}`);
  if (edit.lastSequence !== undefined) parts.push(`last sequence ${edit.lastSequence}`);
  return parts.length === 0 ? undefined : parts.join(' · ');
}

/**
 * Prints every edit of the MANIFEST at `path` through `out`.
 * @throws CorruptionError if a record or an edit is damaged (not a torn tail), after printing those before it.
 */
export function inspectManifest(fs: FileSystem, path: string, out: (line: string) => void): void {
  const { bytes, scan, damage } = readManifestFile(fs, path);
  out(`MANIFEST ${path} (${formatCount(bytes.length)} bytes, ${scan.records.length} edits)`);
  scan.records.forEach(({ payload, offset }, i) => {
    const edit = decodeVersionEdit(payload, path, offset + RECORD_HEADER_SIZE);
    out(`edit ${i + 1} at offset ${offset} (${RECORD_HEADER_SIZE + payload.length} bytes)${i === 0 ? ', the snapshot this MANIFEST starts from' : ''}`);
    const scalars = formatEditScalars(edit);
    if (scalars !== undefined) out(`  ${scalars}`);
    for (const { level, number } of edit.deletedFiles) out(`  - L${level} ${tableFileName(number)}`);
    for (const { level, file } of edit.newFiles) out(`  + L${level} ${formatTable(file)}`);
  });
  if (damage !== undefined) {
    out(`ends: corruption at offset ${damage.offset} after ${scan.records.length} edits`);
    throw damage;
  }
  if (scan.tornAt !== undefined) {
    out(`ends: torn tail at offset ${scan.tornAt} (an edit cut off by a crash before it was synced; recovery ignores it)`);
  } else {
    out(`ends: cleanly at offset ${bytes.length}`);
  }
}
