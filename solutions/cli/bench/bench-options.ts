/**
 * The options of `lsm bench`: parsing, defaults and the allowed ranges. A
 * bad value is a UsageError naming the option, the value and what is allowed.
 */

import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS } from '../../index.ts';
import { UsageError } from '../command.ts';
import { isWorkloadName, WORKLOAD_NAMES, type WorkloadName } from './workloads.ts';

/** Everything a bench run is configured by. */
export interface BenchOptions {
  /** Keys in the database, and operations of the write workloads. */
  readonly num: number;
  /** Operations of readrandom, readmissing, seekrandom and the mixed workloads. */
  readonly reads: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly workloads: readonly WorkloadName[];
  /** The compaction strategy; undefined: the engine's default. */
  readonly strategy: 'leveled' | 'tiered' | undefined;
  readonly memtableSize: number;
  readonly blockCacheSize: number;
  readonly bitsPerKey: number;
  /**
   * Further options for our engine (--engine name=value), by name;
   * `compaction.<name>` ones go into its compaction options. Numbers take
   * size suffixes; the engine checks names and ranges when it opens.
   */
  readonly engineOptions: Readonly<Record<string, number | boolean>>;
  readonly sync: boolean;
  /** Seconds each workload is measured for at most; 0 for no limit. */
  readonly duration: number;
  readonly seed: number;
  /** Where the databases go; undefined: a new temporary directory, removed after. */
  readonly dir: string | undefined;
  readonly json: boolean;
  readonly compare: boolean;
  readonly progress: boolean;
}

const DEFAULT_NUM = 1_000_000;
/**
 * --duration under --compare. Four engines times eleven workloads of a
 * million operations take over half an hour here, most of it in
 * classic-level's awaited per-call runs (~30-40 µs a call) and in our
 * synchronous compactions: with 8 s measured per workload the comparison
 * takes about 7 minutes on 2 cores (the writes a cut workload still owes
 * are done unmeasured, and those take time too). A cut measures the start
 * of a workload; --duration 0 measures everything.
 */
const DEFAULT_COMPARE_DURATION = 8;
/** The usage text of `lsm bench`. */
export const BENCH_USAGE = `usage: lsm bench [options]            (npm run bench -- [options])

Runs LevelDB's db_bench workloads against the engine and, with --compare,
against LevelDB (classic-level) and LMDB (lmdb) in the same process.

workloads (--workloads, comma-separated, in this order by default):
  fillseq fillrandom overwrite readrandom readmissing seekrandom readseq
  readreverse mixed95 mixed50 deleterandom
  (mixed95: 95% gets / 5% puts, mixed50: 50/50, on zipfian keys, theta 0.99)

options:
  --num N                keys, and operations per write workload (default 1000000; 200k, 1M, 1e6 work)
  --reads N              operations per read and mixed workload (default: --num)
  --key-size BYTES       bytes per key, zero-padded decimal (default 16)
  --value-size BYTES     bytes per value, seeded random, incompressible (default 100)
  --workloads A,B,...    which workloads, in the order given (default: all)
  --compare              also run classic-level (per call and batched) and lmdb
  --strategy S           compaction strategy: leveled or tiered (default: the engine's default)
  --memtable-size SIZE   memtable bytes, e.g. 4MiB (default ${DEFAULT_OPTIONS.memtableSize}); LevelDB's write buffer too
  --block-cache-size SIZE  block cache bytes (default ${DEFAULT_OPTIONS.blockCacheSize}); LevelDB's cache too
  --bits-per-key N       bloom filter bits per key, 0 for none (default ${DEFAULT_OPTIONS.bitsPerKey})
  --engine NAME=VALUE    any other option of our engine, repeatable: e.g. --engine blockSize=16KiB
                         --engine compactionPacing=4 --engine compaction.levelSizeRatio=8
                         --engine compaction.l0CompactionTrigger=8 (see LsmOptions; ours only)
  --sync                 fsync every write (every batch, every lmdb commit)
  --duration SECONDS     measure each workload for at most this long, 0 for no limit (default:
                         ${DEFAULT_COMPARE_DURATION} with --compare, else 0); a write workload cut short
                         does its other writes unmeasured, so the next workload finds the
                         database a whole run leaves; cut runs are marked * with their ops
  --seed N               seed of keys, values and choices (default 1)
  --dir DIR              keep the databases in DIR/<engine> (DIR must be empty or new);
                         default: a temporary directory, removed at the end
  --json                 print the results as JSON on stdout, nothing else
  --no-progress          no progress bars (they are off anyway when stdout is not a terminal)
`;

const DEFAULT_SEED = 1;

/**
 * Parses the arguments of `lsm bench`.
 * @throws UsageError for an unknown option, a bad value, or a value out of range.
 */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      tokens: true,
      options: {
        num: { type: 'string' },
        reads: { type: 'string' },
        'key-size': { type: 'string' },
        'value-size': { type: 'string' },
        workloads: { type: 'string' },
        strategy: { type: 'string' },
        'memtable-size': { type: 'string' },
        'block-cache-size': { type: 'string' },
        'bits-per-key': { type: 'string' },
        engine: { type: 'string', multiple: true },
        sync: { type: 'boolean' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        dir: { type: 'string' },
        json: { type: 'boolean' },
        compare: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // parseArgs lets the last of a repeated flag win: `--num 300k ... --num 5000` would silently measure 5000.
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || token.name === 'engine') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given twice`);
    seen.add(token.name);
  }
  const v = parsed.values;
  const num = count('--num', v.num, DEFAULT_NUM, 1, 0x1_0000_0000);
  const reads = count('--reads', v.reads, num, 1, Number.MAX_SAFE_INTEGER);
  const keySize = count('--key-size', v['key-size'], 16, 1, 1024);
  if (10 ** keySize <= num) {
    throw new UsageError(`--key-size ${keySize} is too small for ${num} keys: keys are ${keySize} decimal digits`);
  }
  const valueSize = size('--value-size', v['value-size'], 100, 0, 1 << 20);
  const strategy = v.strategy;
  if (strategy !== undefined && strategy !== 'leveled' && strategy !== 'tiered') {
    throw new UsageError(`--strategy must be leveled or tiered, got '${strategy}'`);
  }
  return {
    num,
    reads,
    keySize,
    valueSize,
    workloads: workloadList(v.workloads),
    strategy,
    memtableSize: size('--memtable-size', v['memtable-size'], DEFAULT_OPTIONS.memtableSize, 1024, 1 << 30),
    blockCacheSize: size('--block-cache-size', v['block-cache-size'], DEFAULT_OPTIONS.blockCacheSize, 0, 2 ** 40),
    bitsPerKey: count('--bits-per-key', v['bits-per-key'], DEFAULT_OPTIONS.bitsPerKey, 0, 64),
    engineOptions: engineOptions(v.engine ?? []),
    sync: v.sync ?? false,
    duration: seconds('--duration', v.duration, (v.compare ?? false) ? DEFAULT_COMPARE_DURATION : 0, 0, 86_400),
    seed: count('--seed', v.seed, DEFAULT_SEED, 0, 0xffff_ffff),
    dir: v.dir,
    json: v.json ?? false,
    compare: v.compare ?? false,
    progress: !(v['no-progress'] ?? false),
  };
}

function workloadList(text: string | undefined): WorkloadName[] {
  if (text === undefined || text === 'all') return [...WORKLOAD_NAMES];
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (names.length === 0) throw new UsageError('--workloads lists no workload');
  for (const name of names) {
    if (!isWorkloadName(name)) {
      throw new UsageError(`unknown workload '${name}'; the workloads are: ${WORKLOAD_NAMES.join(', ')}`);
    }
  }
  return names as WorkloadName[];
}

/** The options the dedicated flags set: --engine may not set them behind the flags' back. */
const FLAGGED_OPTIONS: Record<string, string> = {
  memtableSize: '--memtable-size',
  blockCacheSize: '--block-cache-size',
  bitsPerKey: '--bits-per-key',
  'compaction.strategy': '--strategy',
};

/** Parses the --engine NAME=VALUE pairs: a number (size suffixes allowed), true or false. */
function engineOptions(pairs: readonly string[]): Record<string, number | boolean> {
  const options: Record<string, number | boolean> = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z][\w.]*)=(.+)$/.exec(pair.trim());
    if (match === null) throw new UsageError(`--engine takes NAME=VALUE, e.g. --engine blockSize=16KiB; got '${pair}'`);
    const [, name, text] = match as unknown as [string, string, string];
    const flag = FLAGGED_OPTIONS[name];
    if (flag !== undefined) throw new UsageError(`--engine ${name}: use ${flag}, which sets it for every engine that has it`);
    if (name in options) throw new UsageError(`--engine ${name} is given twice`);
    if (text === 'true' || text === 'false') options[name] = text === 'true';
    else options[name] = size(`--engine ${name}`, text, 0, 0, Number.MAX_SAFE_INTEGER);
  }
  return options;
}

const COUNT_SUFFIXES: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 };

/** Parses a count: `1000000`, `1_000_000`, `1e6`, `200k` or `1M` (decimal suffixes). */
function count(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const match = /^(\d[\d_]*(?:\.\d+)?(?:e\d+)?)([kKmMgG]?)$/.exec(text.trim());
  const value = match === null ? NaN : Number(match[1]!.replaceAll('_', '')) * COUNT_SUFFIXES[match[2]!]!;
  return checkRange(option, text, value, min, max);
}

/** Parses a number of seconds: `20`, `0.5`. */
function seconds(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+(?:\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${option} must be a number of seconds from ${min} to ${max}, got '${text}'`);
  return value;
}

const SIZE_SUFFIXES: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Parses a size in bytes: `4096`, `64KiB`, `4MiB`, `4M`, `1GiB` (binary suffixes). */
function size(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const match = /^(\d[\d_]*(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const multiplier = match === null ? undefined : SIZE_SUFFIXES[match[2]!.toLowerCase()];
  const value = match === null || multiplier === undefined ? NaN : Number(match[1]!.replaceAll('_', '')) * multiplier;
  return checkRange(option, text, value, min, max);
}

function checkRange(option: string, text: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}
