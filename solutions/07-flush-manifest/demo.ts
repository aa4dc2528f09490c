/**
 * The chapter 7 demo: the engine on a real disk.
 *
 *     npx tsx chapters/07-flush-manifest/demo.ts [dir] [--count N]
 *
 * Writes N keys (100,000 by default) in random order with a 64 KiB
 * memtable, deletes every tenth one, closes the database, opens it again,
 * reads every key back and checks it, then lists the files it made. With
 * no directory it uses a new temporary one and removes it at the end.
 *
 * It runs without compaction (`compaction: { strategy: 'none' }`), as this
 * chapter's engine: every flush leaves one more table in level 0, and
 * every get may have to ask all of them: the "tables probed per get" line is
 * the read amplification that chapters 8 and 9 remove.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromUtf8 } from '#toolkit/bytes.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { parseFileName } from './file-names.ts';
import { LsmTree } from './lsm-tree.ts';

/** The demo's settings. */
export interface DemoOptions {
  /** Number of keys to write. */
  readonly count: number;
  /** The memtable size, in bytes. */
  readonly memtableSize: number;
}

/** This chapter's engine: no compaction, so the tables pile up in level 0. */
const NO_COMPACTION = { strategy: 'none' } as const;

function keyOf(i: number): string {
  return `key-${String(i).padStart(8, '0')}`;
}

function valueOf(i: number): string {
  return `value-${i}-`.padEnd(100, '*');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Runs the demo in `dir` and prints what happens through `log`.
 * @throws Error if a value read back is not the one written.
 */
export function runDemo(dir: string, options: DemoOptions, log: (line: string) => void = console.log): void {
  const { count, memtableSize } = options;
  log(`LSM demo: ${count} keys, ${memtableSize / 1024} KiB memtable, in ${dir}`);

  // Random order: the tables' key ranges overlap, as they do under a real workload.
  const order = Array.from({ length: count }, (_, i) => i);
  const random = new SeededRandom(7);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }

  let db = LsmTree.open(dir, { memtableSize, compaction: NO_COMPACTION });
  let start = performance.now();
  for (const i of order) db.put(keyOf(i), valueOf(i));
  for (let i = 0; i < count; i += 10) db.delete(keyOf(i));
  const written = db.metrics();
  log(
    `write:  ${count} puts + ${Math.ceil(count / 10)} deletes in ${seconds(performance.now() - start)}; ` +
      `${written.writes.flushes} flushes, ${written.levels[0]!.files} tables in L0, ` +
      `write amplification ${written.writes.writeAmplification.toFixed(2)}`,
  );
  db.close();

  start = performance.now();
  db = LsmTree.open(dir, { memtableSize, compaction: NO_COMPACTION });
  const { recovery } = db.metrics();
  log(
    `reopen: ${recovery.walEntries} writes replayed from ${recovery.walSegments} WAL segment(s) into ` +
      `${recovery.tablesWritten} table(s), ${recovery.obsoleteFilesDeleted} obsolete file(s) deleted, in ${seconds(performance.now() - start)}`,
  );

  start = performance.now();
  for (let i = 0; i < count; i++) {
    const got = db.get(keyOf(i));
    const want = i % 10 === 0 ? undefined : valueOf(i);
    if ((got === undefined ? undefined : fromUtf8(got)) !== want) {
      throw new Error(`${keyOf(i)}: read ${got === undefined ? 'nothing' : JSON.stringify(fromUtf8(got))}, expected ${JSON.stringify(want)}`);
    }
  }
  let scanned = 0;
  for (const _ of db.range('key-', 'key.')) scanned++;
  const read = db.metrics();
  log(
    `read:   ${count} gets in ${seconds(performance.now() - start)}, every value checked; ` +
      `${read.reads.tablesProbedPerGet.toFixed(1)} tables probed per get ` +
      `(the bloom filter answered ${read.reads.filterNegatives} of ${read.reads.tablesProbed} probes); a range scan saw ${scanned} keys`,
  );
  db.close();

  const files = new Map<string, { count: number; bytes: number; names: string[] }>();
  const fs = db.options.fileSystem;
  for (const name of fs.list(dir)) {
    const kind = parseFileName(name)?.kind ?? 'other';
    const entry = files.get(kind) ?? { count: 0, bytes: 0, names: [] };
    entry.count++;
    entry.bytes += fs.fileSize(join(dir, name));
    entry.names.push(name);
    files.set(kind, entry);
  }
  log('files:');
  for (const [kind, { count: n, bytes, names }] of files) {
    const shown = names.length <= 4 ? names.join(' ') : `${names.slice(0, 3).join(' ')} ... ${names[names.length - 1]}`;
    log(`  ${kind.padEnd(9)}${String(n).padStart(5)} file(s) ${String(bytes).padStart(10)} bytes   ${shown}`);
  }
}

function main(argv: string[]): void {
  let count = 100_000;
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--count') count = Number(argv[++i]);
    else dir = argv[i];
  }
  if (!Number.isSafeInteger(count) || count < 1) throw new Error('--count takes a positive integer');
  const temporary = dir === undefined;
  const target = dir ?? mkdtempSync(join(tmpdir(), 'lsm-demo-'));
  try {
    runDemo(target, { count, memtableSize: 64 * 1024 });
  } finally {
    if (temporary) rmSync(target, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2));
}
