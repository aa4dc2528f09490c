/**
 * `lsm inspect 000012.sst [--entries]`: what a table (chapter 4) holds —
 * its footer (the three block handles, format version, magic), its
 * properties (the meta block), its filter's parameters, and its index, one
 * line per data block: the block's handle and the last key in it. With
 * `--entries`, every entry in internal-key order.
 *
 * The table is opened with the engine's own TableReader, so every checksum
 * the engine checks is checked here, and a damaged table gives the same
 * CorruptionError (file, offset, reason).
 */

import { formatBytes, toHex } from '#toolkit/bytes.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { formatInternalKey, ValueKind } from '#memtable/internal-key.ts';
import { BloomFilter, theoreticalFalsePositiveRate } from '#bloom/bloom-filter.ts';
import { formatEncodedKey } from '#sstable/internal-key-codec.ts';
import { checkBlockTrailer, decodeBlockHandle, FOOTER_SIZE, MAGIC, type BlockHandle } from '#sstable/table-format.ts';
import { TableReader } from '#sstable/table-reader.ts';
import { formatCount, renderTable } from '../format.ts';
import { shortKey } from './inspect-log.ts';

/** Bytes of a value shown with --entries; longer values are cut with "...". */
const VALUE_SHOWN = 24;

/** Offsets are printed as plain numbers, as errors print them; sizes with separators. */
function handle(h: BlockHandle): string {
  return `offset ${h.offset}, size ${formatCount(h.size)}`;
}

/**
 * Prints what the table at `path` holds through `out`; every entry too with `entries`.
 * @throws CorruptionError if the table is damaged (the footer, a block, a checksum).
 */
export function inspectTable(fs: FileSystem, path: string, options: { readonly entries: boolean }, out: (line: string) => void): void {
  const reader = TableReader.open(fs, path);
  try {
    const size = fs.fileSize(path);
    const { footer, properties } = reader;
    out(`table ${path} (${formatCount(size)} bytes)`);
    out(`footer (the last ${FOOTER_SIZE} bytes, at offset ${size - FOOTER_SIZE}):`);
    out(`  filter block  ${footer.filter.size === 0 ? 'none' : handle(footer.filter)}`);
    out(`  meta block    ${handle(footer.meta)}`);
    out(`  index block   ${handle(footer.index)}`);
    out(`  format version ${footer.formatVersion} · magic "${formatBytes(MAGIC)}" (${toHex(MAGIC)})`);
    out('properties (meta block):');
    out(
      `  ${formatCount(properties.entryCount)} entries, ${formatCount(properties.tombstoneCount)} tombstones, ` +
        `${formatCount(properties.dataBlockCount)} data blocks`,
    );
    out(`  keys ${formatInternalKey(properties.smallestKey)} .. ${formatInternalKey(properties.largestKey)}`);
    out(`  sequences ${properties.smallestSequence}..${properties.largestSequence}`);
    out(`  filter bits per key ${properties.bitsPerKey}`);

    if (footer.filter.size === 0) {
      out('filter: none (bits per key 0): every get reads a data block');
    } else {
      const file = fs.openReadable(path);
      let filter: BloomFilter;
      try {
        const raw = file.read(footer.filter.offset, footer.filter.size + 5);
        filter = BloomFilter.decode(checkBlockTrailer(raw, footer.filter, path, true).slice(), path);
      } finally {
        file.close();
      }
      const rate = properties.bitsPerKey > 0 ? theoreticalFalsePositiveRate(properties.bitsPerKey) : undefined;
      out(
        `filter: ${formatCount(filter.bitCount)} bits (${formatCount(filter.bitCount / 8)} bytes), ${filter.probeCount} probes per key` +
          (rate === undefined ? '' : `, theoretical false-positive rate ${(rate * 100).toFixed(2)}%`),
      );
    }

    out(`index: ${formatCount(properties.dataBlockCount)} data blocks`);
    const rows: string[][] = [['block', 'offset', 'size', 'last key']];
    const index = reader.indexIterator();
    let n = 0;
    for (index.seekToFirst(); index.valid(); index.next()) {
      const h = decodeBlockHandle(index.value(), path, index.entryOffset);
      rows.push([String(n++), String(h.offset), formatCount(h.size), formatEncodedKey(index.key())]);
    }
    for (const line of renderTable(rows)) out(`  ${line}`);

    if (options.entries) {
      out(`entries (${formatCount(properties.entryCount)}):`);
      const it = reader.iterator();
      try {
        for (it.seekToFirst(); it.valid(); it.next()) {
          const key = `${shortKey(it.key())}#${it.sequence()},${it.kind() === ValueKind.Put ? 'PUT' : 'DEL'}`;
          if (it.kind() === ValueKind.Delete) {
            out(`  ${key}`);
            continue;
          }
          const value = it.value();
          const shown = formatBytes(value.subarray(0, VALUE_SHOWN));
          out(`  ${key}  ${formatCount(value.length)} bytes  "${shown}${value.length > VALUE_SHOWN ? '...' : ''}"`);
        }
      } finally {
        it.close();
      }
    }
  } finally {
    reader.close();
  }
}
