/**
 * Measures what a compaction strategy costs under a random fill on a real
 * disk: per-put latency (the tail is what pacing is for), and write, read
 * and space amplification.
 *
 *     npx tsx scripts/fill-amplification.ts [--strategy tiered|leveled] [--count N]
 *                                           [--gets N] [--seed N] [--dir DIR] [--memtable BYTES]
 *
 * Defaults: leveled, 1,000,000 puts of 16-byte keys (drawn at random from N
 * keys, so some are overwritten, as db_bench's fillrandom) and 100-byte
 * values, then 100,000 random gets; a new temporary directory, removed at
 * the end. Prints the latency percentiles of the puts, the three
 * amplifications (space measured exactly, by a scan), time and ops/s.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { SeededRandom } from '../solutions/00-toolkit/random.ts';
import { LsmTree } from '../solutions/index.ts';

interface Settings {
  strategy: 'tiered' | 'leveled';
  count: number;
  gets: number;
  seed: number;
  dir: string | undefined;
  memtableSize: number | undefined;
}

function parseArgs(argv: string[]): Settings {
  const settings: Settings = { strategy: 'leveled', count: 1_000_000, gets: 100_000, seed: 1, dir: undefined, memtableSize: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    const integer = (): number => {
      const n = Number(next());
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${arg} takes an integer >= 0`);
      return n;
    };
    if (arg === '--strategy') {
      const s = next();
      if (s !== 'tiered' && s !== 'leveled') throw new Error('--strategy is tiered or leveled');
      settings.strategy = s;
    } else if (arg === '--count') settings.count = integer();
    else if (arg === '--gets') settings.gets = integer();
    else if (arg === '--seed') settings.seed = integer();
    else if (arg === '--dir') settings.dir = next();
    else if (arg === '--memtable') settings.memtableSize = integer();
    else throw new Error(`unknown argument ${arg}`);
  }
  return settings;
}

/** Writes the 16-byte key of `n` into `out`: "k" and 15 decimal digits. */
function writeKey(out: Uint8Array, n: number): Uint8Array {
  out[0] = 0x6b; // 'k'
  for (let i = 15; i >= 1; i--) {
    out[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return out;
}

function formatMicros(nanos: number): string {
  return `${(nanos / 1000).toFixed(1)} µs`;
}

function main(): void {
  const settings = parseArgs(process.argv.slice(2));
  const temporary = settings.dir === undefined;
  const dir = settings.dir ?? mkdtempSync(join(tmpdir(), 'lsm-fill-'));
  const random = new SeededRandom(settings.seed);
  // Values are slices of a pool of random bytes, as db_bench does: no two puts share a value buffer's contents by design.
  const pool = new Uint8Array(1 << 20);
  for (let i = 0; i < pool.length; i++) pool[i] = random.below(256);
  const key = new Uint8Array(16);
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });

  const db = LsmTree.open(dir, {
    compaction: { strategy: settings.strategy },
    ...(settings.memtableSize === undefined ? {} : { memtableSize: settings.memtableSize }),
  });
  try {
    console.log(`fill: ${settings.count} random puts (16-byte keys, 100-byte values), strategy ${settings.strategy}, in ${dir}`);
    const start = performance.now();
    for (let i = 0; i < settings.count; i++) {
      writeKey(key, random.below(settings.count));
      const at = random.below(pool.length - 100);
      const t0 = performance.now();
      db.put(key, pool.subarray(at, at + 100));
      histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1e6)));
    }
    const fillMs = performance.now() - start;
    const afterFill = db.metrics();

    const getStart = performance.now();
    let found = 0;
    for (let i = 0; i < settings.gets; i++) if (db.get(writeKey(key, random.below(settings.count))) !== undefined) found++;
    const getMs = performance.now() - getStart;
    const afterGets = db.metrics();
    const probes = afterGets.reads.tablesProbed - afterFill.reads.tablesProbed;

    const scanStart = performance.now();
    const exact = db.metrics({ exact: true });
    const scanMs = performance.now() - scanStart;

    const c = afterFill.compaction;
    console.log(`  time        ${(fillMs / 1000).toFixed(1)} s, ${Math.round(settings.count / (fillMs / 1000))} puts/s`);
    console.log(
      `  put latency p50 ${formatMicros(histogram.getValueAtPercentile(50))}, p99 ${formatMicros(histogram.getValueAtPercentile(99))}, ` +
        `p99.9 ${formatMicros(histogram.getValueAtPercentile(99.9))}, p99.99 ${formatMicros(histogram.getValueAtPercentile(99.99))}, max ${formatMicros(histogram.maxValue)}`,
    );
    console.log(
      `  write amplification ${afterFill.writes.writeAmplification.toFixed(2)} ` +
        `(user ${mb(afterFill.writes.userBytes)}, WAL ${mb(afterFill.writes.walBytes)}, flush ${mb(afterFill.writes.flushBytes)}, compaction ${mb(afterFill.writes.compactionBytes)})`,
    );
    console.log(
      `  read amplification  ${(settings.gets === 0 ? 0 : probes / settings.gets).toFixed(2)} tables probed per get ` +
        `(${settings.gets} random gets in ${(getMs / 1000).toFixed(1)} s, ${Math.round(settings.gets / (getMs / 1000))} gets/s, ${found} found)`,
    );
    console.log(`  space amplification ${exact.amplification.space.toFixed(3)} (exact, by a scan of ${(scanMs / 1000).toFixed(1)} s)`);
    console.log(
      `  compaction  ${c.compactions} compactions ${JSON.stringify(Object.fromEntries(Object.entries(c.byReason).filter(([, n]) => n > 0)))}, ` +
        `${c.trivialMoves} trivial moves, read ${mb(c.bytesRead)}, wrote ${mb(c.bytesWritten)}, ${c.seconds.toFixed(1)} s of work, ` +
        `${mb(c.bytesPerSecond)}/s; ${c.slowdownWrites} slowed writes, ${c.stalls} stalls (${c.stallTimeMs.toFixed(0)} ms)`,
    );
    console.log(
      `  levels      ${afterFill.levels
        .filter((l) => l.files > 0)
        .map((l) => `L${l.level}: ${l.files} files ${mb(l.bytes)}`)
        .join(', ')}; ${afterFill.writes.flushes} flushes`,
    );
  } finally {
    db.close();
    if (temporary) rmSync(dir, { recursive: true, force: true });
  }
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

main();
