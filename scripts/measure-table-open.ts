/**
 * Measures what opening a large table costs: builds a table of about
 * 100 MB (db_bench-like entries: 16-byte keys, 100-byte random values) in a
 * MemoryFileSystem, opens it through a FaultyFileSystem that counts every
 * read, and prints the reads and bytes at open, then for one get and one
 * absent get. Opening must read only the footer, index, filter and meta
 * blocks, never a data block.
 *
 *   npx tsx scripts/measure-table-open.ts            # about 100 MB
 *   npx tsx scripts/measure-table-open.ts 20         # about 20 MB
 */

import { utf8 } from '#toolkit/bytes.ts';
import { FaultyFileSystem } from '#toolkit/faulty-file-system.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import { TableBuilder } from '#sstable/table-builder.ts';
import { TableReader } from '#sstable/table-reader.ts';

const targetMb = Number(process.argv[2] ?? 100);
const KEY_SIZE = 16;
const VALUE_SIZE = 100;

function keyOf(i: number): Uint8Array {
  return utf8(String(i).padStart(KEY_SIZE, '0'));
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MiB`;
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

const fs = new MemoryFileSystem();
const random = new SeededRandom(42);
const value = new Uint8Array(VALUE_SIZE);
const file = fs.createWritable('/000001.sst');
const builder = new TableBuilder(file);
let built = Date.now();
let n = 0;
while (builder.fileSize < targetMb * 1024 * 1024) {
  for (let j = 0; j < VALUE_SIZE; j++) value[j] = random.below(256);
  builder.add(keyOf(n), n + 1, ValueKind.Put, value);
  n++;
}
const properties = builder.finish();
file.sync();
file.close();
built = Date.now() - built;
console.log(`built ${n.toLocaleString('en')} entries, ${mb(builder.fileSize)}, ${properties.dataBlockCount.toLocaleString('en')} data blocks in ${built} ms`);

const counted = new FaultyFileSystem(fs);
let opened = performance.now();
const reader = TableReader.open(counted, '/000001.sst');
opened = performance.now() - opened;
const { filter, meta, index } = reader.footer;
console.log(`open: ${counted.counts.read} reads, ${kb(counted.bytesRead)} read in ${opened.toFixed(1)} ms ` +
  `(${(counted.bytesRead / builder.fileSize * 100).toFixed(3)}% of the file)`);
console.log(`  footer 64 B, index ${kb(index.size)}, filter ${kb(filter.size)}, meta ${meta.size} B (each block + 5-byte trailer)`);
console.log(`  data blocks read at open: ${reader.stats.blockReads}`);
// The first open runs cold code (crc32c in the interpreter); a second open shows the warm cost.
let reopened = performance.now();
TableReader.open(fs, '/000001.sst').close();
reopened = performance.now() - reopened;
console.log(`  a second open (warm code): ${reopened.toFixed(1)} ms`);

counted.resetCounts();
const hit = reader.get(keyOf(Math.floor(n / 2)));
console.log(`get(present key): ${counted.counts.read} read, ${counted.bytesRead} B, found=${hit !== undefined}`);
counted.resetCounts();
const miss = reader.get(utf8('absent-key-00000'));
console.log(`get(absent key):  ${counted.counts.read} reads, ${counted.bytesRead} B, found=${miss !== undefined}, filter negatives=${reader.stats.filterNegatives}`);

let gets = performance.now();
const probes = 100_000;
for (let i = 0; i < probes; i++) reader.get(keyOf((i * 7919) % n));
gets = performance.now() - gets;
console.log(`${probes.toLocaleString('en')} random gets (no cache): ${((probes / gets) * 1000).toFixed(0)} gets/s`);
reader.close();
