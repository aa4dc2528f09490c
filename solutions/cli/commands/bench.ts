/**
 * `lsm bench`: LevelDB's db_bench workloads against our engine and, with
 * --compare, against classic-level (LevelDB) and lmdb (LMDB) in the same
 * process. The options are in ../bench/bench-options.ts, the workloads in
 * ../bench/workloads.ts, each engine's way of being called in
 * ../bench/targets/.
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError, userPath, type Command } from '../command.ts';
import { BENCH_USAGE, parseBenchOptions, type BenchOptions } from '../bench/bench-options.ts';
import { machineInfo, ratios, renderReport, runLine, type BenchDocument } from '../bench/bench-report.ts';
import { isMeasured, runBench, type BenchResult } from '../bench/bench-runner.ts';
import { readIoCounters } from '../bench/disk-usage.ts';
import { Progress } from '../bench/progress.ts';
import { ClassicLevelTarget } from '../bench/targets/classic-level-target.ts';
import { LmdbTarget } from '../bench/targets/lmdb-target.ts';
import { engineHasCompaction, LsmTarget } from '../bench/targets/lsm-target.ts';
import type { BenchTarget, TargetOptions } from '../bench/targets/target.ts';

/** Returns the targets a run measures: ours, and with --compare the peers. */
function makeTargets(options: BenchOptions): BenchTarget[] {
  const settings: TargetOptions = {
    sync: options.sync,
    memtableSize: options.memtableSize,
    blockCacheSize: options.blockCacheSize,
    bitsPerKey: options.bitsPerKey,
    engineOptions: options.engineOptions,
    strategy: options.strategy,
  };
  const targets: BenchTarget[] = [new LsmTarget(settings)];
  if (options.compare) {
    targets.push(new ClassicLevelTarget(settings, false), new ClassicLevelTarget(settings, true), new LmdbTarget(settings));
  }
  return targets;
}

/** Returns the directory the databases go in, and whether to remove it at the end. */
function baseDirectory(options: BenchOptions): { dir: string; remove: boolean } {
  if (options.dir === undefined) return { dir: mkdtempSync(join(tmpdir(), 'lsm-bench-')), remove: true };
  const dir = resolve(userPath(options.dir));
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) {
    throw new UsageError(`--dir ${options.dir} is not empty: the bench deletes and recreates databases in it, so it must be new or empty`);
  }
  return { dir, remove: false };
}

export const command: Command = {
  name: 'bench',
  summary: "db_bench's workloads on the engine; --compare adds LevelDB (classic-level) and LMDB (lmdb)",
  usage: BENCH_USAGE,
  async run(args, output) {
    const options = parseBenchOptions(args);
    const targets = makeTargets(options);
    const strategyApplied = engineHasCompaction();
    const notes = targets.map((t) => t.calling);
    if (!strategyApplied && options.strategy !== undefined) {
      notes.push(`this engine has no compaction yet (chapters 8 and 9): --strategy ${options.strategy} is ignored, and tables pile up in level 0`);
    }
    const engineFlags = Object.entries(options.engineOptions).map(([name, value]) => `${name}=${value}`);
    if (engineFlags.length > 0) notes.push(`lsm engine options: ${engineFlags.join(', ')}`);
    if (options.duration > 0) {
      notes.push(
        `--duration ${options.duration}: each workload is measured for at most ${options.duration} s; runs cut short are marked * ` +
          '(their figures are of the operations measured: the start of the workload, when an LSM tree is smallest, so cut write figures are optimistic; ' +
          'a cut workload did its other writes unmeasured, batched where the engine can, so the next one finds the database a whole run leaves; --duration 0 measures everything)',
      );
    }
    if (readIoCounters() === undefined) {
      notes.push("no /proc/self/io on this system: write amplification is the engine's own count (ours only)");
    }
    const date = new Date().toISOString();
    const { dir, remove } = baseDirectory(options);
    const progress = new Progress(Progress.wanted(options.json, options.progress));
    if (!options.json) {
      output.out(
        `lsm bench: ${options.workloads.join(',')} · num ${options.num.toLocaleString('en-US')}` +
          `${options.reads === options.num ? '' : ` · reads ${options.reads.toLocaleString('en-US')}`}` +
          ` · ${options.keySize}-byte keys · ${options.valueSize}-byte values · seed ${options.seed}` +
          `${options.sync ? ' · sync' : ''}${options.duration > 0 ? ` · at most ${options.duration} s per workload` : ''} · ${strategyApplied ? `compaction ${options.strategy ?? "(engine default)"}` : 'no compaction'} · ${dir}`,
      );
    }
    let results: BenchResult[];
    try {
      results = await runBench(targets, {
        num: options.num,
        reads: options.reads,
        keySize: options.keySize,
        valueSize: options.valueSize,
        seed: options.seed,
        workloads: options.workloads,
        duration: options.duration,
        baseDir: dir,
        progress,
        onResult: options.json ? undefined : (result) => output.out(runLine(result)),
      });
    } finally {
      progress.stop();
      if (remove) rmSync(dir, { recursive: true, force: true });
    }
    const inForce = results.find((r) => isMeasured(r) && r.engineMetrics !== undefined);
    if (inForce !== undefined && isMeasured(inForce)) notes.push(`lsm compaction strategy in force: ${inForce.engineMetrics!.strategy}`);
    if (options.json) {
      const { json: _json, progress: _progress, ...rest } = options;
      const document: BenchDocument = {
        version: 1,
        command: ['lsm', 'bench', ...args].join(' '),
        date,
        machine: machineInfo(),
        options: { ...rest, strategyApplied },
        notes,
        results,
        ratios: ratios(results),
      };
      output.out(JSON.stringify(document, null, 2));
      return 0;
    }
    for (const line of renderReport(results, options)) output.out(line);
    output.out('');
    output.out('notes:');
    for (const note of notes) output.out(`  - ${note}`);
    const m = machineInfo();
    output.out(`machine: ${m.cpus} × ${m.cpuModel}, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${m.node} (${m.platform}/${m.arch}), ${date}`);
    return 0;
  },
};
