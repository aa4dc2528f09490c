/**
 * `lsm bench`, CI-sized: the whole command line in a child process with
 * `--json`, checking the document's shape and that its numbers are sane;
 * then --compare with a tiny --num, so every peer adapter runs once. The
 * key generators and the option parser are checked in-process.
 */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseBenchOptions } from '../../solutions/cli/bench/bench-options.ts';
import type { BenchDocument } from '../../solutions/cli/bench/bench-report.ts';
import type { BenchResult, RunResult } from '../../solutions/cli/bench/bench-runner.ts';
import { KeyPermutation } from '../../solutions/cli/bench/key-permutation.ts';
import { KeySpace } from '../../solutions/cli/bench/key-space.ts';
import { WORKLOAD_NAMES } from '../../solutions/cli/bench/workloads.ts';
import { ZipfianGenerator, zipfianShare } from '../../solutions/cli/bench/zipfian.ts';
import { UsageError } from '../../solutions/cli/command.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `lsm bench <args> --json` and returns the parsed document. */
function bench(...args: string[]): BenchDocument {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'solutions/cli/lsm.ts'), 'bench', ...args, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  expect(r.status, `lsm bench failed:\n${r.stderr}`).toBe(0);
  expect(r.stderr, '--json prints nothing but the document').toBe('');
  return JSON.parse(r.stdout) as BenchDocument;
}

function measured(results: readonly BenchResult[]): RunResult[] {
  return results.filter((r): r is RunResult => !('skipped' in r));
}

/** The sanity every measured run must pass. */
function expectSane(r: RunResult): void {
  const where = `${r.engine} ${r.workload}`;
  expect(r.ops, where).toBeGreaterThan(0);
  expect(r.calls, where).toBeGreaterThan(0);
  expect(r.opsPerSecond, where).toBeGreaterThan(0);
  expect(r.seconds, where).toBeGreaterThan(0);
  const { p50, p99, p999, max } = r.latencyUs;
  expect(p50, `${where}: p50 <= p99`).toBeLessThanOrEqual(p99);
  expect(p99, `${where}: p99 <= p99.9`).toBeLessThanOrEqual(p999);
  expect(p999, `${where}: p99.9 <= max`).toBeLessThanOrEqual(max);
  expect(max, where).toBeGreaterThan(0);
}

describe('lsm bench --json', () => {
  test('runs every workload on our engine and reports ops/s, latency percentiles, and write costs', () => {
    const doc = bench('--num', '2000');
    expect(doc.version).toBe(1);
    expect(doc.options.num).toBe(2000);
    expect(doc.machine.cpus).toBeGreaterThan(0);
    expect(doc.machine.node).toBe(process.version);
    const runs = measured(doc.results);
    expect(runs.map((r) => r.workload)).toEqual([...WORKLOAD_NAMES]);
    for (const r of runs) {
      expect(r.engine).toBe('lsm');
      expectSane(r);
    }
    const byName = new Map(runs.map((r) => [r.workload, r]));
    expect(byName.get('fillseq')!.ops).toBe(2000);
    expect(byName.get('readrandom')!.found, 'every key was written: every read finds one').toBe(2000);
    expect(byName.get('readmissing')!.found, 'keys that were never written are never found').toBe(0);
    expect(byName.get('readseq')!.ops, 'a scan sees each of the 2000 keys once').toBe(2000);
    expect(byName.get('readreverse')!.ops).toBe(2000);
    for (const name of ['fillseq', 'fillrandom', 'overwrite', 'deleterandom', 'mixed50'] as const) {
      const writes = byName.get(name)!.writes;
      expect(writes, `${name} reports its write costs`).toBeDefined();
      expect(writes!.userBytes).toBeGreaterThan(0);
      expect(writes!.spaceBytes).toBeGreaterThan(0);
    }
    expect(byName.get('readrandom')!.writes).toBeUndefined();
    expect(byName.get('readrandom')!.runReads!.gets, 'per-run read counters count this run alone').toBe(2000);
    expect(byName.get('readmissing')!.runReads!.gets).toBe(2000);
    expect(byName.get('fillseq')!.runReads!.gets).toBe(0);
    expect(byName.get('fillseq')!.writes!.userBytes).toBe(2000 * (16 + 100));
  });

  test('--compare runs classic-level (per call and batched) and lmdb on the same workloads, with ratios against ours', () => {
    const doc = bench('--compare', '--num', '300', '--workloads', 'fillrandom,readrandom,seekrandom,mixed50');
    const engines = ['lsm', 'classic-level', 'classic-level batch', 'lmdb'];
    expect([...new Set(doc.results.map((r) => r.engine))]).toEqual(engines);
    for (const r of measured(doc.results)) expectSane(r);
    const skipped = doc.results.filter((r) => 'skipped' in r).map((r) => `${r.engine} ${r.workload}`);
    expect(skipped, 'seeks and mixed reads/writes have no batched form').toEqual([
      'classic-level batch seekrandom',
      'classic-level batch mixed50',
    ]);
    for (const r of measured(doc.results).filter((r) => r.workload === 'readrandom')) {
      expect(r.found, `${r.engine} finds every key`).toBe(300);
    }
    const batch = measured(doc.results).find((r) => r.engine === 'classic-level batch' && r.workload === 'fillrandom')!;
    expect(batch.calls, 'one batch of up to 1,000 puts').toBe(1);
    expect(doc.ratios.length).toBe(measured(doc.results).filter((r) => r.engine !== 'lsm').length);
    for (const ratio of doc.ratios) expect(ratio.oursOverPeer).toBeGreaterThan(0);
  });

  test('--engine passes options to our engine: no automatic compaction leaves every flush in level 0', () => {
    const args = ['--num', '20000', '--workloads', 'fillrandom', '--memtable-size', '64KiB'];
    const paced = measured(bench(...args).results)[0]!.engineMetrics!;
    const unpaced = measured(bench(...args, '--engine', 'compactionPacing=0').results)[0]!.engineMetrics!;
    expect(paced.compactions, 'by default, writes pay for compaction').toBeGreaterThan(0);
    expect(unpaced.compactions, 'compactionPacing=0 reached the engine').toBe(0);
    expect(unpaced.filesPerLevel[0], 'so every flush stays in level 0').toBe(unpaced.flushes);
  });

  test('--duration cuts a workload short, and a cut workload still does all its writes (unmeasured)', () => {
    const args = ['--num', '40000', '--workloads', 'fillrandom,mixed50,readrandom'];
    const [fill, mixed, read] = measured(bench(...args, '--duration', '0.05').results);
    const whole = new Map(measured(bench(...args).results).map((r) => [r.workload, r]));
    expect(fill!.sampled, 'a 40,000-key fill takes longer than 0.05 s').toBe(true);
    expect(fill!.plannedOps).toBe(40000);
    expect(fill!.ops, 'the figures are of the operations measured in time').toBeLessThan(40000);
    expect(fill!.writes!.userBytes, 'the rest was written too, and counts in the write costs').toBe(40000 * (16 + 100));
    expect(mixed!.sampled).toBe(true);
    expect(mixed!.writes!.userBytes, "the mixed workload's remaining puts were done too").toBe(whole.get('mixed50')!.writes!.userBytes);
    expect(whole.get('mixed50')!.sampled, 'no limit without --duration').toBe(false);
    expect(read!.found, 'every key is there for the next workload').toBe(read!.ops);
  });
});

describe('keys and workloads', () => {
  test('the key permutation visits every number exactly once', () => {
    for (const n of [1, 2, 3, 1000, 4097]) {
      const p = new KeyPermutation(n, 7);
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) seen.add(p.at(i));
      expect(seen.size, `n = ${n}`).toBe(n);
      expect(Math.max(...seen)).toBe(n - 1);
    }
  });

  test('the zipfian chooser gives the hottest key its theoretical share, and scatters the hot keys', () => {
    const n = 10_000;
    const draws = 200_000;
    const z = new ZipfianGenerator(n, 3);
    const counts = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const item = z.next();
      counts.set(item, (counts.get(item) ?? 0) + 1);
    }
    const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const top = sorted[0]![1] / draws;
    expect(top).toBeGreaterThan(zipfianShare(n, 1) * 0.9);
    expect(top).toBeLessThan(zipfianShare(n, 1) * 1.1);
    const top10 = sorted.slice(0, 10).reduce((sum, [, c]) => sum + c, 0) / draws;
    expect(Math.abs(top10 - zipfianShare(n, 10))).toBeLessThan(0.02);
    const hottest = sorted.slice(0, 10).map(([item]) => item);
    expect(Math.max(...hottest) - Math.min(...hottest), 'the hot keys are spread over the key space').toBeGreaterThan(n / 10);
  });

  test('keys are zero-padded decimals of the key size; a missing key sorts right after its neighbour', () => {
    const keys = new KeySpace(16, 100, 1);
    expect(Buffer.from(keys.key(42)).toString()).toBe('0000000000000042');
    expect(Buffer.from(keys.missingKey(42)).toString()).toBe('0000000000000042.');
    expect(keys.value().length).toBe(100);
  });

  test('options: counts and sizes take suffixes; bad values are usage errors naming the option', () => {
    const o = parseBenchOptions(['--num', '1M', '--memtable-size', '4MiB', '--workloads', 'readrandom,fillseq']);
    expect(o.num).toBe(1_000_000);
    expect(o.reads, '--reads defaults to --num').toBe(1_000_000);
    expect(o.memtableSize).toBe(4 << 20);
    expect(o.workloads).toEqual(['readrandom', 'fillseq']);
    expect(o.duration, 'no time limit unless asked').toBe(0);
    expect(parseBenchOptions(['--compare']).duration, '--compare bounds each workload').toBeGreaterThan(0);
    expect(parseBenchOptions(['--compare', '--duration', '0']).duration).toBe(0);
    expect(parseBenchOptions(['--duration', '2.5']).duration).toBe(2.5);
    expect(() => parseBenchOptions(['--duration', 'soon'])).toThrow('--duration must be a number of seconds');
    const tuned = parseBenchOptions(['--engine', 'blockSize=16KiB', '--engine', 'compaction.levelSizeRatio=8', '--engine', 'errorIfExists=true']);
    expect(tuned.engineOptions).toEqual({ blockSize: 16384, 'compaction.levelSizeRatio': 8, errorIfExists: true });
    expect(() => parseBenchOptions(['--engine', 'blockSize'])).toThrow('--engine takes NAME=VALUE');
    expect(() => parseBenchOptions(['--engine', 'memtableSize=1MiB'])).toThrow('use --memtable-size');
    expect(() => parseBenchOptions(['--engine', 'blockSize=big'])).toThrow('--engine blockSize must be');
    expect(() => parseBenchOptions(['--num', '0'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--workloads', 'fillseq,nope'])).toThrow("unknown workload 'nope'");
    expect(() => parseBenchOptions(['--strategy', 'fifo'])).toThrow('--strategy must be leveled or tiered');
    expect(() => parseBenchOptions(['--bogus'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--num', '300k', '--num', '5000'])).toThrow('--num is given twice');
  });
});
