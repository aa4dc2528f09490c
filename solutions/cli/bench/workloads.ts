/**
 * The benchmark's workloads, named as in LevelDB's db_bench, and the
 * operations each turns into. A workload is engine-neutral: it says which
 * keys to touch in which order; each engine adapter (./targets/) decides how
 * its library is called for it.
 *
 * | workload     | does                                                          | database before       |
 * |--------------|---------------------------------------------------------------|-----------------------|
 * | fillseq      | puts keys 0..num-1 in key order                               | new, empty            |
 * | fillrandom   | puts keys 0..num-1, each once, in a seeded random order       | new, empty            |
 * | overwrite    | puts num keys chosen uniformly at random (repeats allowed)    | filled                |
 * | readrandom   | gets `reads` keys chosen uniformly at random: all are found   | filled                |
 * | readmissing  | gets `reads` keys that were never written (key + ".")         | filled                |
 * | readseq      | reads every entry in key order with one iterator              | filled                |
 * | readreverse  | the same, in reverse key order                                | filled                |
 * | seekrandom   | `reads` times: seek to a random key, read the entry there     | filled                |
 * | deleterandom | deletes keys 0..num-1, each once, in a seeded random order    | filled (empty after)  |
 * | mixed95      | `reads` operations on zipfian keys: 95% gets, 5% puts (YCSB B) | filled               |
 * | mixed50      | the same with 50% gets, 50% puts (YCSB A)                     | filled                |
 *
 * db_bench's fillrandom draws keys with repeats; here every key is written
 * once, so that the reads after it find every key they look for. "Filled"
 * means all num keys are there: if the workload before left the database
 * empty (or there was none), the bench first runs an unmeasured fillseq.
 */

import { SeededRandom } from '#toolkit/random.ts';
import { KeyPermutation } from './key-permutation.ts';
import { ZipfianGenerator } from './zipfian.ts';

/** The workload names, in the order `--workloads` lists them by default. */
export const WORKLOAD_NAMES = [
  'fillseq',
  'fillrandom',
  'overwrite',
  'readrandom',
  'readmissing',
  'seekrandom',
  'readseq',
  'readreverse',
  'mixed95',
  'mixed50',
  'deleterandom',
] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/** Returns true iff `name` is a workload. */
export function isWorkloadName(name: string): name is WorkloadName {
  return (WORKLOAD_NAMES as readonly string[]).includes(name);
}

/** A source of key numbers (0..num-1), one per operation. */
export interface KeyOrder {
  /** How many keys it yields. */
  readonly count: number;
  /** Returns the next key number. */
  next(): number;
}

/** What a workload does, as the engine adapters see it. */
export type Operation =
  /** `count` puts (or deletes) of the keys of `keys`, in its order. */
  | { readonly kind: 'write'; readonly keys: KeyOrder; readonly delete: boolean }
  /** Point reads of the keys of `keys`; with `missing`, of keys next to them that were never written. */
  | { readonly kind: 'get'; readonly keys: KeyOrder; readonly missing: boolean }
  /** One scan over up to `limit` entries, forward or reverse. */
  | { readonly kind: 'scan'; readonly reverse: boolean; readonly limit: number }
  /** For each key of `keys`: seek to it and read the entry there. */
  | { readonly kind: 'seek'; readonly keys: KeyOrder }
  /** For each key of `keys`: a get with probability `readFraction`, else a put (decided by `coin`). */
  | { readonly kind: 'mixed'; readonly keys: KeyOrder; readonly readFraction: number; readonly coin: SeededRandom };

/** A workload's description and how to build its operation. */
export interface Workload {
  readonly name: WorkloadName;
  /** True iff it writes: its results report write amplification and space on disk. */
  readonly writes: boolean;
  /** What it needs before it starts: a new empty database, or one holding every key. */
  readonly needs: 'fresh' | 'filled';
  /** True iff every key is still there after it (false for deleterandom). */
  readonly leavesFilled: boolean;
  /** Builds the operation, seeded so every engine gets the same keys in the same order. */
  operation(sizes: { readonly num: number; readonly reads: number }, seed: number): Operation;
}

/** Keys 0..count-1 in order. */
function sequential(count: number): KeyOrder {
  let i = 0;
  return { count, next: () => i++ };
}

/** Keys 0..count-1, each once, in a seeded random order. */
function shuffled(count: number, seed: number): KeyOrder {
  const permutation = new KeyPermutation(count, seed);
  let i = 0;
  return { count, next: () => permutation.at(i++) };
}

/** `count` keys drawn uniformly from 0..num-1, with repeats. */
function uniform(count: number, num: number, seed: number): KeyOrder {
  const random = new SeededRandom(seed);
  return { count, next: () => random.below(num) };
}

/** `count` keys drawn from 0..num-1 with a scrambled zipfian distribution (zipfian.ts). */
function zipfian(count: number, num: number, seed: number): KeyOrder {
  const generator = new ZipfianGenerator(num, seed);
  return { count, next: () => generator.next() };
}

/** The workloads by name. */
export const WORKLOADS: { readonly [name in WorkloadName]: Workload } = {
  fillseq: {
    name: 'fillseq',
    writes: true,
    needs: 'fresh',
    leavesFilled: true,
    operation: ({ num }) => ({ kind: 'write', keys: sequential(num), delete: false }),
  },
  fillrandom: {
    name: 'fillrandom',
    writes: true,
    needs: 'fresh',
    leavesFilled: true,
    operation: ({ num }, seed) => ({ kind: 'write', keys: shuffled(num, seed), delete: false }),
  },
  overwrite: {
    name: 'overwrite',
    writes: true,
    needs: 'filled',
    leavesFilled: true,
    operation: ({ num }, seed) => ({ kind: 'write', keys: uniform(num, num, seed), delete: false }),
  },
  readrandom: {
    name: 'readrandom',
    writes: false,
    needs: 'filled',
    leavesFilled: true,
    operation: ({ num, reads }, seed) => ({ kind: 'get', keys: uniform(reads, num, seed), missing: false }),
  },
  readmissing: {
    name: 'readmissing',
    writes: false,
    needs: 'filled',
    leavesFilled: true,
    operation: ({ num, reads }, seed) => ({ kind: 'get', keys: uniform(reads, num, seed), missing: true }),
  },
  seekrandom: {
    name: 'seekrandom',
    writes: false,
    needs: 'filled',
    leavesFilled: true,
    operation: ({ num, reads }, seed) => ({ kind: 'seek', keys: uniform(reads, num, seed) }),
  },
  readseq: {
    name: 'readseq',
    writes: false,
    needs: 'filled',
    leavesFilled: true,
    operation: ({ num }) => ({ kind: 'scan', reverse: false, limit: num }),
  },
  readreverse: {
    name: 'readreverse',
    writes: false,
    needs: 'filled',
    leavesFilled: true,
    operation: ({ num }) => ({ kind: 'scan', reverse: true, limit: num }),
  },
  mixed95: {
    name: 'mixed95',
    writes: true,
    needs: 'filled',
    leavesFilled: true,
    operation: ({ num, reads }, seed) => ({
      kind: 'mixed',
      keys: zipfian(reads, num, seed),
      readFraction: 0.95,
      coin: new SeededRandom(seed ^ 0x7f4a7c15),
    }),
  },
  mixed50: {
    name: 'mixed50',
    writes: true,
    needs: 'filled',
    leavesFilled: true,
    operation: ({ num, reads }, seed) => ({
      kind: 'mixed',
      keys: zipfian(reads, num, seed),
      readFraction: 0.5,
      coin: new SeededRandom(seed ^ 0x7f4a7c15),
    }),
  },
  deleterandom: {
    name: 'deleterandom',
    writes: true,
    needs: 'filled',
    leavesFilled: false,
    operation: ({ num }, seed) => ({ kind: 'write', keys: shuffled(num, seed), delete: true }),
  },
};
