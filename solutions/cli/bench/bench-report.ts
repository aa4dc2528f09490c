/**
 * How bench results are shown: a line per run as it finishes, a table per
 * workload with every engine and its ratio against ours, a summary table,
 * and the JSON document of `--json`.
 *
 * The ratio is ours / peer in operations per second: above 1 we are faster
 * (2.00x: twice as fast), below 1 the peer is.
 */

import { cpus, totalmem } from 'node:os';
import type { BenchOptions } from './bench-options.ts';
import { isMeasured, type BenchResult, type RunResult } from './bench-runner.ts';
import type { WorkloadName } from './workloads.ts';
import { formatBytesSize, formatCount, formatMicros, renderTable } from '../format.ts';
import { OURS } from './targets/lsm-target.ts';

export { OURS };

/** The JSON document `lsm bench --json` prints. */
export interface BenchDocument {
  /** The shape's version: bumped when a field changes meaning. */
  readonly version: 1;
  readonly command: string;
  /** ISO 8601, when the run started. */
  readonly date: string;
  readonly machine: MachineInfo;
  readonly options: Omit<BenchOptions, 'json' | 'progress'> & { readonly strategyApplied: boolean };
  /** How each target was called, and caveats. */
  readonly notes: readonly string[];
  readonly results: readonly BenchResult[];
  /** Per workload and peer: ours / peer in ops/s. */
  readonly ratios: readonly { readonly workload: WorkloadName; readonly engine: string; readonly oursOverPeer: number }[];
}

/** The machine the run was measured on. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
}

/** Returns this machine's description. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

/** Returns ours / peer for every measured peer run whose workload we measured too. */
export function ratios(results: readonly BenchResult[]): BenchDocument['ratios'] {
  const ours = new Map<WorkloadName, RunResult>();
  for (const r of results) if (isMeasured(r) && r.engine === OURS) ours.set(r.workload, r);
  const out: { workload: WorkloadName; engine: string; oursOverPeer: number }[] = [];
  for (const r of results) {
    const mine = ours.get(r.workload);
    if (!isMeasured(r) || r.engine === OURS || mine === undefined || r.opsPerSecond === 0) continue;
    out.push({ workload: r.workload, engine: r.engine, oursOverPeer: mine.opsPerSecond / r.opsPerSecond });
  }
  return out;
}

function formatRatio(r: number): string {
  return `${r < 10 ? r.toFixed(2) : r.toFixed(1)}x`;
}

/** Returns the one line printed when a run finishes. */
export function runLine(result: BenchResult): string {
  const head = `${result.engine.padEnd(20)} ${result.workload.padEnd(13)}`;
  if (!isMeasured(result)) return `${head} n/a: ${result.skipped}`;
  const per = result.opsPerCall > 1 ? ` per ${formatCount(result.opsPerCall)}` : '';
  const parts = [
    `${formatCount(result.opsPerSecond).padStart(11)} ops/s`,
    `${result.mbPerSecond.toFixed(1).padStart(6)} MB/s`,
    `${result.seconds.toFixed(1).padStart(6)} s`,
    `p50 ${formatMicros(result.latencyUs.p50)}`,
    `p99.9 ${formatMicros(result.latencyUs.p999)}${per}`,
  ];
  if (result.writes?.writeAmplification !== undefined) parts.push(`w-amp ${result.writes.writeAmplification.toFixed(2)}`);
  if (result.sampled) parts.push(`(* cut at ${formatCount(result.ops)} of ${formatCount(result.plannedOps)} ops)`);
  if (result.setupFill) parts.push('(after an unmeasured fillseq)');
  return `${head} ${parts.join('  ')}`;
}

/** Returns the tables of the human report: one per workload, then the summary. */
export function renderReport(results: readonly BenchResult[], options: BenchOptions): string[] {
  const lines: string[] = [];
  const workloads = [...new Set(results.map((r) => r.workload))];
  const ratioOf = new Map(ratios(results).map((r) => [`${r.workload}/${r.engine}`, r.oursOverPeer]));
  const engines = [...new Set(results.map((r) => r.engine))];
  const peers = engines.filter((e) => e !== OURS);
  for (const workload of workloads) {
    const runs = results.filter((r) => r.workload === workload);
    const measured = runs.filter(isMeasured);
    const first = measured[0];
    const size =
      first === undefined
        ? ''
        : ` — ${formatCount(first.plannedOps)} ops, ${options.keySize}-byte keys, ${options.valueSize}-byte values`;
    lines.push('', `${workload}${size}`);
    const writes = measured.some((r) => r.writes !== undefined);
    const header = ['engine', 'ops/s', 'MB/s', 'per call', 'p50', 'p99', 'p99.9', 'max'];
    if (writes) header.push('w-amp', 'disk');
    if (measured.some((r) => r.found !== undefined)) header.push('found');
    if (peers.length > 0) header.push('ours/peer');
    const rows: string[][] = [header];
    for (const r of runs) {
      if (!isMeasured(r)) {
        rows.push([r.engine, 'n/a', '', '', '', '', '', '', ...header.slice(8).map(() => '')]);
        continue;
      }
      const row = [
        r.engine,
        sampledMark(r, formatCount(r.opsPerSecond)),
        r.mbPerSecond.toFixed(1),
        r.opsPerCall > 1 ? `${formatCount(r.opsPerCall)} ops` : '1 op',
        formatMicros(r.latencyUs.p50),
        formatMicros(r.latencyUs.p99),
        formatMicros(r.latencyUs.p999),
        formatMicros(r.latencyUs.max),
      ];
      if (writes) {
        row.push(
          r.writes?.writeAmplification === undefined ? '' : r.writes.writeAmplification.toFixed(2),
          r.writes === undefined ? '' : formatBytesSize(r.writes.spaceBytes),
        );
      }
      if (header.includes('found')) row.push(r.found === undefined ? '' : `${((100 * r.found) / Math.max(1, r.lookups ?? 0)).toFixed(0)}%`);
      if (peers.length > 0) {
        const ratio = ratioOf.get(`${r.workload}/${r.engine}`);
        row.push(r.engine === OURS ? '' : ratio === undefined ? '' : formatRatio(ratio));
      }
      rows.push(row);
    }
    lines.push(...renderTable(rows));
  }
  if (peers.length > 0 && workloads.length > 0) {
    lines.push('', 'summary: ops/s per engine; ours/best = ours divided by the fastest peer (above 1: we win)');
    const rows: string[][] = [['workload', ...engines, 'ours/best']];
    for (const workload of workloads) {
      const runs = new Map(results.filter((r) => r.workload === workload).map((r) => [r.engine, r]));
      const ours = runs.get(OURS);
      let best = 0;
      for (const peer of peers) {
        const r = runs.get(peer);
        if (r !== undefined && isMeasured(r)) best = Math.max(best, r.opsPerSecond);
      }
      rows.push([
        workload,
        ...engines.map((e) => {
          const r = runs.get(e);
          return r === undefined || !isMeasured(r) ? 'n/a' : sampledMark(r, formatCount(r.opsPerSecond));
        }),
        ours !== undefined && isMeasured(ours) && best > 0 ? formatRatio(ours.opsPerSecond / best) : '',
      ]);
    }
    lines.push(...renderTable(rows));
  }
  if (results.some((r) => isMeasured(r) && r.sampled)) {
    lines.push('', '* measured over the operations done within --duration, not the whole workload (see the run lines above)');
  }
  return lines;
}

/** Returns `text` with a * if the run was cut short by --duration. */
function sampledMark(result: RunResult, text: string): string {
  return result.sampled ? `${text}*` : text;
}
