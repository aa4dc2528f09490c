/**
 * The engine's options: what a user may pass to `LsmTree.open`, the
 * defaults, and the allowed range of each. `resolveOptions` checks them all
 * before the engine touches the disk, so a bad option never leaves a
 * half-created database behind.
 *
 * | option               | default   | allowed                                  |
 * |----------------------|-----------|------------------------------------------|
 * | fileSystem           | Node's    | an object with the FileSystem methods     |
 * | memtableSize         | 4 MiB     | integer, 1 KiB .. 1 GiB                   |
 * | blockSize            | 4 KiB     | integer, 128 B .. 1 MiB                   |
 * | blockRestartInterval | 16        | integer, 1 .. 1024                        |
 * | bitsPerKey           | 10        | integer, 0 (no filter) .. 64              |
 * | blockCacheSize       | 8 MiB     | integer, 0 (no cache) .. 1 TiB            |
 * | maxOpenFiles         | 512       | integer, 8 .. 1,000,000                   |
 * | maxKeySize           | 64 KiB    | integer, 1 B .. 16 MiB                    |
 * | maxValueSize         | 16 MiB    | integer, 0 B .. 512 MiB                   |
 * | manifestMaxSize      | 4 MiB     | integer, 1 KiB .. 1 GiB                   |
 * | createIfMissing      | true      | boolean                                   |
 * | errorIfExists        | false     | boolean                                   |
 * | compaction           | leveled   | { strategy, ...its options } (ch. 8, 9)   |
 * | compactionPacing     | 16        | integer, 0 (no automatic work) .. 1e6     |
 * | maxSliceBytes        | 256 KiB   | integer, 1 B .. 1 GiB                     |
 * | l0SlowdownTrigger    | 8         | integer, 1 .. 10000                       |
 * | l0StopTrigger        | 12        | integer, l0SlowdownTrigger .. 10000       |
 * | softPendingBytes     | 64 GiB    | integer, 1 B .. 1 PiB                     |
 * | hardPendingBytes     | 256 GiB   | integer, softPendingBytes .. 1 PiB        |
 * | onEvent              | none      | a function (event) => void (events.ts)    |
 */

import { InvalidArgumentError } from '#toolkit/errors.ts';
import type { FileSystem } from '#toolkit/file-system.ts';
import { NodeFileSystem } from '#toolkit/node-file-system.ts';
import { createPicker, DEFAULT_COMPACTION, type CompactionOptions } from './compaction-strategies.ts';
import type { LsmEventListener } from './events.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const PiB = 1024 * TiB;

/** The options of `LsmTree.open`. Every field is optional. */
export type LsmOptions = Readonly<Partial<ResolvedOptions>>;

/** The options with every default filled in and every value checked. */
export interface ResolvedOptions {
  /** Where every byte is read and written. Defaults to a NodeFileSystem (the real disk). */
  readonly fileSystem: FileSystem;
  /**
   * Bytes of writes the memtable holds before it is frozen and flushed to a
   * level-0 table. Bigger: fewer flushes and tables, but more memory, a
   * longer WAL replay on open, and a longer pause when it is flushed. An
   * integer from 1 KiB to 1 GiB. Defaults to 4 MiB.
   */
  readonly memtableSize: number;
  /** Target size of a table's data blocks, in bytes. An integer from 128 B to 1 MiB. Defaults to 4096. */
  readonly blockSize: number;
  /** Entries between restart points in a data block. An integer from 1 to 1024. Defaults to 16. */
  readonly blockRestartInterval: number;
  /** Bloom filter bits per key in each table; 0 writes no filter. An integer from 0 to 64. Defaults to 10 (about 1% false positives). */
  readonly bitsPerKey: number;
  /** Bytes of decoded data blocks to cache; 0 disables the cache. An integer from 0 to 1 TiB. Defaults to 8 MiB. */
  readonly blockCacheSize: number;
  /** The most tables kept open at once (the table cache's bound). An integer from 8 to 1,000,000. Defaults to 512. */
  readonly maxOpenFiles: number;
  /** The longest key accepted, in bytes (UTF-8 bytes for a string). An integer from 1 B to 16 MiB. Defaults to 65536. */
  readonly maxKeySize: number;
  /** The longest value accepted, in bytes. An integer from 0 B to 512 MiB. Defaults to 16 MiB. */
  readonly maxValueSize: number;
  /**
   * A MANIFEST larger than this (and more than twice the size it started
   * at) is replaced by a new one holding a single snapshot of the current
   * version. An integer from 1 KiB to 1 GiB. Defaults to 4 MiB.
   */
  readonly manifestMaxSize: number;
  /** Create the database if the directory holds none. Defaults to true. */
  readonly createIfMissing: boolean;
  /** Refuse to open a database that already exists. Defaults to false. */
  readonly errorIfExists: boolean;
  /**
   * The compaction strategy and its options (chapters 8 and 9):
   * `{ strategy: 'leveled', ... }`, `{ strategy: 'tiered', ... }`, or
   * `{ strategy: 'none' }` (tables pile up in level 0, as in chapter 7).
   * Switch at runtime with `db.setCompaction(...)`. Defaults to `{ strategy: 'leveled' }`.
   */
  readonly compaction: CompactionOptions;
  /**
   * Pacing: after a write of n bytes, the write itself does up to
   * n × compactionPacing bytes of compaction work (capped by maxSliceBytes),
   * so compaction keeps up with a sustained fill in small slices instead of
   * freezing one write for seconds. 0 turns automatic compaction off (no
   * pacing, no stalls): only `db.compact()` and `db.compactionStep()` run
   * it, which is what tests that drive compaction by hand want. An integer
   * from 0 to 1,000,000. Defaults to 16.
   */
  readonly compactionPacing: number;
  /**
   * The most compaction work one write does, in bytes of input entries,
   * unless a stop trigger makes it stall. Bounds the latency compaction adds
   * to a write. An integer from 1 B to 1 GiB. Defaults to 262144 (256 KiB).
   */
  readonly maxSliceBytes: number;
  /**
   * With this many level-0 tables (or softPendingBytes of compaction debt),
   * writes slow down: each does 4 times its paced share of compaction work.
   * An integer from 1 to 10,000. Defaults to 8 (or l0StopTrigger, if that is given and smaller).
   */
  readonly l0SlowdownTrigger: number;
  /**
   * With this many level-0 tables (or hardPendingBytes of compaction debt),
   * a write stalls: it runs compaction until the tree is back under both
   * limits (the time goes into metrics().compaction.stallTimeMs). An
   * integer from l0SlowdownTrigger to 10,000. Defaults to 12 (or l0SlowdownTrigger, if that is given and larger).
   */
  readonly l0StopTrigger: number;
  /** Compaction debt (the strategy's pending bytes) that slows writes down. An integer from 1 B to 1 PiB. Defaults to 64 GiB (or hardPendingBytes, if that is given and smaller). */
  readonly softPendingBytes: number;
  /** Compaction debt that stalls writes. An integer from softPendingBytes to 1 PiB. Defaults to 256 GiB (or softPendingBytes, if that is given and larger). */
  readonly hardPendingBytes: number;
  /**
   * Called synchronously with each flush, compaction start, finish and
   * abandon, slowdown and stall (events.ts), stamped with logical time
   * (bytes the user wrote). An exception it throws is thrown by the call
   * that emitted the event, once the engine is done with it. A function,
   * or undefined. Defaults to undefined (no events).
   */
  readonly onEvent: LsmEventListener | undefined;
}

/** The range of one integer option, for checking and for the message that names it. */
interface IntegerRange {
  readonly min: number;
  readonly max: number;
  /** How the range reads in a message, e.g. "1 KiB to 1 GiB". */
  readonly text: string;
}

const INTEGER_OPTIONS = {
  memtableSize: { min: KiB, max: GiB, text: '1024 (1 KiB) to 1073741824 (1 GiB) bytes' },
  blockSize: { min: 128, max: MiB, text: '128 to 1048576 (1 MiB) bytes' },
  blockRestartInterval: { min: 1, max: 1024, text: '1 to 1024 entries' },
  bitsPerKey: { min: 0, max: 64, text: '0 (no filter) to 64 bits' },
  blockCacheSize: { min: 0, max: TiB, text: '0 (no cache) to 1099511627776 (1 TiB) bytes' },
  maxOpenFiles: { min: 8, max: 1_000_000, text: '8 to 1000000 files' },
  maxKeySize: { min: 1, max: 16 * MiB, text: '1 to 16777216 (16 MiB) bytes' },
  maxValueSize: { min: 0, max: 512 * MiB, text: '0 to 536870912 (512 MiB) bytes' },
  manifestMaxSize: { min: KiB, max: GiB, text: '1024 (1 KiB) to 1073741824 (1 GiB) bytes' },
  compactionPacing: { min: 0, max: 1_000_000, text: '0 (no automatic compaction) to 1000000' },
  maxSliceBytes: { min: 1, max: GiB, text: '1 to 1073741824 (1 GiB) bytes' },
  l0SlowdownTrigger: { min: 1, max: 10_000, text: '1 to 10000 tables' },
  l0StopTrigger: { min: 1, max: 10_000, text: '1 to 10000 tables' },
  softPendingBytes: { min: 1, max: PiB, text: '1 to 1125899906842624 (1 PiB) bytes' },
  hardPendingBytes: { min: 1, max: PiB, text: '1 to 1125899906842624 (1 PiB) bytes' },
} as const satisfies Record<string, IntegerRange>;

type IntegerOption = keyof typeof INTEGER_OPTIONS;

/** The defaults, for documentation and for `resolveOptions`. */
export const DEFAULT_OPTIONS: Readonly<Omit<ResolvedOptions, 'fileSystem' | 'compaction' | 'onEvent'>> = {
  memtableSize: 4 * MiB,
  blockSize: 4096,
  blockRestartInterval: 16,
  bitsPerKey: 10,
  blockCacheSize: 8 * MiB,
  maxOpenFiles: 512,
  maxKeySize: 64 * KiB,
  maxValueSize: 16 * MiB,
  manifestMaxSize: 4 * MiB,
  compactionPacing: 16,
  maxSliceBytes: 256 * KiB,
  l0SlowdownTrigger: 8,
  l0StopTrigger: 12,
  softPendingBytes: 64 * GiB,
  hardPendingBytes: 256 * GiB,
  createIfMissing: true,
  errorIfExists: false,
};

const KNOWN_OPTIONS = new Set<string>([
  ...Object.keys(DEFAULT_OPTIONS),
  'fileSystem',
  'compaction',
  'onEvent',
]);

const FILE_SYSTEM_METHODS = ['createWritable', 'openReadable', 'readFile', 'exists', 'list', 'remove', 'rename', 'mkdir', 'syncDir', 'lock'];

/**
 * Returns `options` with every default filled in, after checking every value.
 * @throws InvalidArgumentError naming the option, the value given and the
 *   allowed range, for a value out of range or of the wrong type, or for an
 *   unknown option name (a typo would otherwise be silently ignored).
 */
export function resolveOptions(options: LsmOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`options must be an object, got ${describe(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) {
      throw new InvalidArgumentError(`unknown option '${name}'; the options are: ${[...KNOWN_OPTIONS].join(', ')}`);
    }
  }
  const integer = (name: IntegerOption): number => {
    const value: unknown = options[name];
    if (value === undefined) return DEFAULT_OPTIONS[name];
    const range: IntegerRange = INTEGER_OPTIONS[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${range.text}, got ${describe(value)}`);
    }
    return value;
  };
  const boolean = (name: 'createIfMissing' | 'errorIfExists'): boolean => {
    const value: unknown = options[name];
    if (value === undefined) return DEFAULT_OPTIONS[name];
    if (typeof value !== 'boolean') throw new InvalidArgumentError(`${name} must be true or false, got ${describe(value)}`);
    return value;
  };
  /**
   * A slow-down limit and its stop limit: one given alone moves the other's
   * default out of its way (a slowdown of 20 tables makes the stop default 20).
   */
  const pairOfLimits = <S extends IntegerOption, T extends IntegerOption>(soft: S, hard: T): Record<S | T, number> => {
    let low = integer(soft);
    let high = integer(hard);
    if (options[hard] === undefined) high = Math.max(high, low);
    if (options[soft] === undefined) low = Math.min(low, high);
    return { [soft]: low, [hard]: high } as Record<S | T, number>;
  };
  // Only undefined means "the default", as for every other option: a null
  // file system (a variable not set yet) must not quietly become the real
  // disk, nor a null compaction quietly become the leveled strategy.
  const fileSystem: unknown = options.fileSystem === undefined ? new NodeFileSystem() : options.fileSystem;
  if (typeof fileSystem !== 'object' || fileSystem === null) {
    throw new InvalidArgumentError(`fileSystem must be a FileSystem (a NodeFileSystem, a MemoryFileSystem...), got ${describe(fileSystem)}`);
  }
  const missing = FILE_SYSTEM_METHODS.filter((m) => typeof (fileSystem as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new InvalidArgumentError(`fileSystem must implement the FileSystem interface; it lacks ${missing.join(', ')}`);
  }
  const compaction: unknown = options.compaction === undefined ? DEFAULT_COMPACTION : options.compaction;
  createPicker(compaction); // Checks the strategy and its options.
  const onEvent: unknown = options.onEvent;
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    throw new InvalidArgumentError(`onEvent must be a function (event) => void, or undefined; got ${describe(onEvent)}`);
  }
  const resolved = {
    fileSystem: fileSystem as FileSystem,
    memtableSize: integer('memtableSize'),
    blockSize: integer('blockSize'),
    blockRestartInterval: integer('blockRestartInterval'),
    bitsPerKey: integer('bitsPerKey'),
    blockCacheSize: integer('blockCacheSize'),
    maxOpenFiles: integer('maxOpenFiles'),
    maxKeySize: integer('maxKeySize'),
    maxValueSize: integer('maxValueSize'),
    manifestMaxSize: integer('manifestMaxSize'),
    createIfMissing: boolean('createIfMissing'),
    errorIfExists: boolean('errorIfExists'),
    compaction: { ...(compaction as CompactionOptions) }, // A copy: the caller may change theirs.
    compactionPacing: integer('compactionPacing'),
    maxSliceBytes: integer('maxSliceBytes'),
    ...pairOfLimits('l0SlowdownTrigger', 'l0StopTrigger'),
    ...pairOfLimits('softPendingBytes', 'hardPendingBytes'),
    onEvent: onEvent as LsmEventListener | undefined,
  };
  if (resolved.l0StopTrigger < resolved.l0SlowdownTrigger) {
    throw new InvalidArgumentError(
      `l0StopTrigger (${resolved.l0StopTrigger}) must be at least l0SlowdownTrigger (${resolved.l0SlowdownTrigger})`,
    );
  }
  if (resolved.hardPendingBytes < resolved.softPendingBytes) {
    throw new InvalidArgumentError(
      `hardPendingBytes (${resolved.hardPendingBytes}) must be at least softPendingBytes (${resolved.softPendingBytes})`,
    );
  }
  return resolved;
}

/** Describes a bad value for a message: `12.5`, `"big"`, `null`, `an object`. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a value of type ${typeof value}`;
}

/** The range of an integer option, e.g. for tests and documentation. */
export function optionRange(name: IntegerOption): { readonly min: number; readonly max: number } {
  const { min, max } = INTEGER_OPTIONS[name];
  return { min, max };
}

/** The names of the integer options. */
export const INTEGER_OPTION_NAMES = Object.keys(INTEGER_OPTIONS) as IntegerOption[];

/** Returns the TableBuilder options (chapter 4) that `options` ask for. */
export function tableBuilderOptions(options: ResolvedOptions): { blockSize: number; restartInterval: number; bitsPerKey: number } {
  return { blockSize: options.blockSize, restartInterval: options.blockRestartInterval, bitsPerKey: options.bitsPerKey };
}
