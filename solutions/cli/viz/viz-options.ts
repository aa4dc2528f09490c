/**
 * The options of `lsm viz`: parsing, defaults and the allowed ranges. A bad
 * value is a UsageError naming the option, the value and what is allowed.
 */

import { parseArgs } from 'node:util';
import { UsageError } from '../command.ts';

/** The strategies `lsm viz` can run. */
export type VizStrategy = 'leveled' | 'tiered';

/** Everything a viz run is configured by. */
export interface VizOptions {
  /** The strategies to run, one after the other, on the same workload. */
  readonly strategies: readonly VizStrategy[];
  /** Keys the random fill writes, each once. */
  readonly num: number;
  readonly valueSize: number;
  readonly memtableSize: number;
  readonly seed: number;
  /** Where the databases go; undefined: a temporary directory, removed at the end. */
  readonly dir: string | undefined;
  /** The HTML file to write; undefined: viz.html, or viz-<strategy>.html for one strategy. */
  readonly html: string | undefined;
  /** Also write the events as JSON lines to this file. */
  readonly events: string | undefined;
  /** Draw from this event log instead of running a workload. */
  readonly from: string | undefined;
  /** Show progress while the workload runs. */
  readonly live: boolean;
}

export const DEFAULT_NUM = 200_000;
export const DEFAULT_VALUE_SIZE = 100;
/** Small, so that a short run flushes often and compacts a lot. */
export const DEFAULT_MEMTABLE_SIZE = 256 * 1024;
const DEFAULT_SEED = 1;

/** The usage text of `lsm viz`. */
export const VIZ_USAGE = `usage: lsm viz [options]            (npm run viz -- [options])

Fills a new database with random keys and shows how compaction keeps up:
a live view in the terminal, then one self-contained HTML page with the
compaction timeline and the level sizes over time, by strategy.

options:
  --strategy S         leveled, tiered or both, one above the other (default both)
  --num N              keys written, each once, in a seeded random order (default ${DEFAULT_NUM}; 50k, 1M work)
  --value-size BYTES   bytes per value (default ${DEFAULT_VALUE_SIZE}); keys are 16 bytes
  --memtable-size SIZE memtable bytes, e.g. 1MiB (default 256KiB: many flushes, many compactions)
  --seed N             seed of the keys and values (default ${DEFAULT_SEED})
  --dir DIR            keep the databases in DIR/<strategy> (DIR must be empty or new);
                       default: a temporary directory, removed at the end
  --html FILE          the page to write (default viz.html, or viz-<strategy>.html for one strategy)
  --events FILE        also write every event as a JSON line, to draw again later with --from
  --from FILE          draw the page from such a file instead of running a workload
  --no-live            no live view (without a terminal it prints one line per 10%)

The x axis of the page is logical time: bytes the user has written. Hover
over a compaction for its inputs and outputs.`;

/**
 * Parses the arguments of `lsm viz`.
 * @throws UsageError for an unknown option, a bad value, or a value out of range.
 */
export function parseVizOptions(args: readonly string[]): VizOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        strategy: { type: 'string' },
        num: { type: 'string' },
        'value-size': { type: 'string' },
        'memtable-size': { type: 'string' },
        seed: { type: 'string' },
        dir: { type: 'string' },
        html: { type: 'string' },
        events: { type: 'string' },
        from: { type: 'string' },
        'no-live': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.from !== undefined) {
    const conflicting = (['num', 'value-size', 'memtable-size', 'seed', 'dir', 'events', 'strategy'] as const).filter((name) => v[name] !== undefined);
    if (conflicting.length > 0) {
      throw new UsageError(`--from draws a recorded run: it takes no --${conflicting.join(', --')}`);
    }
  }
  for (const name of ['html', 'events', 'from', 'dir'] as const) {
    if (v[name] === '') throw new UsageError(`--${name} needs a path`);
  }
  return {
    strategies: strategyList(v.strategy),
    num: integer('--num', v.num, DEFAULT_NUM, 1, 100_000_000),
    valueSize: integer('--value-size', v['value-size'], DEFAULT_VALUE_SIZE, 0, 1 << 20),
    memtableSize: integer('--memtable-size', v['memtable-size'], DEFAULT_MEMTABLE_SIZE, 1024, 1 << 30),
    seed: integer('--seed', v.seed, DEFAULT_SEED, 0, 0xffff_ffff),
    dir: v.dir,
    html: v.html,
    events: v.events,
    from: v.from,
    live: !(v['no-live'] ?? false),
  };
}

function strategyList(text: string | undefined): VizStrategy[] {
  switch (text) {
    case undefined:
    case 'both':
      return ['leveled', 'tiered'];
    case 'leveled':
    case 'tiered':
      return [text];
    default:
      throw new UsageError(`--strategy must be leveled, tiered or both, got '${text}'`);
  }
}

/** Multipliers of the suffixes a number may have: 200k, 1M (counts), 64KiB, 4MiB (sizes). */
const SUFFIXES: Record<string, number> = { '': 1, k: 1e3, m: 1e6, b: 1, kib: 1024, kb: 1024, mib: 1024 ** 2, mb: 1024 ** 2, gib: 1024 ** 3 };

/** Parses an integer like `200000`, `200_000`, `200k`, `1M`, `256KiB`, `4MiB`, checking it is in [min, max]. */
function integer(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const match = /^(\d[\d_]*(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const multiplier = match === null ? undefined : SUFFIXES[match[2]!.toLowerCase()];
  const value = match === null || multiplier === undefined ? NaN : Number(match[1]!.replaceAll('_', '')) * multiplier;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}
