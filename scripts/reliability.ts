/**
 * `npm run reliability [-- --long] [--seed N] [file filters...]`: the
 * reliability campaign (test/reliability) at CI size or long size, with a
 * table of what it tried at the end.
 *
 * `npm test` already runs the CI size. The long size tries far more: many
 * more command sequences, crash points on several seeds, 100 real SIGKILLs,
 * more faults. Each test appends its figures to a report file (see
 * test/reliability/support/campaign.ts); this script prints them as a table,
 * and `--json` prints them as JSON instead.
 *
 *     npm run reliability -- --long --seed 7
 *     npm run reliability -- --long process-kill     # only the kill campaign
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './run-vitest.ts';

interface ReportedFigure {
  readonly part: string;
  readonly what: string;
  readonly count: number;
  readonly lost: number;
  readonly size: string;
  readonly seed: number;
}

const args = process.argv.slice(2);
const long = args.includes('--long');
const json = args.includes('--json');
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? args[seedAt + 1] : undefined;
if (seedAt >= 0 && (seed === undefined || !/^\d+$/.test(seed))) {
  console.error('usage: npm run reliability -- [--long] [--seed <integer>] [--json] [test file filters...]');
  process.exit(2);
}
const filters = args.filter((a, i) => !a.startsWith('--') && i !== seedAt + 1);

const dir = mkdtempSync(join(tmpdir(), 'lsm-reliability-'));
const report = join(dir, 'figures.jsonl');
const started = Date.now();
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(
  process.execPath,
  // Long runs take minutes per test: no per-test timeout.
  [vitest, 'run', ...(filters.length > 0 ? filters.map((f) => `test/reliability/${f}`) : ['test/reliability']), '--testTimeout=0'],
  {
    cwd: root,
    stdio: json ? ['ignore', 'ignore', 'inherit'] : 'inherit',
    env: {
      ...process.env,
      LSM_RELIABILITY: long ? 'long' : 'ci',
      LSM_RELIABILITY_REPORT: report,
      ...(seed === undefined ? {} : { LSM_SEED: seed, FC_SEED: seed }),
    },
  },
);
const seconds = (Date.now() - started) / 1000;
const figures: ReportedFigure[] = existsSync(report)
  ? readFileSync(report, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as ReportedFigure)
  : [];
rmSync(dir, { recursive: true, force: true });

if (json) {
  console.log(JSON.stringify({ size: long ? 'long' : 'ci', seconds, passed: run.status === 0, figures }, null, 2));
} else {
  const rows = figures.map((f) => [f.part, f.count.toLocaleString('en-US'), f.what, String(f.lost)]);
  const header = ['part', 'count', 'what', 'lost'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(`\nReliability campaign, ${long ? 'long' : 'CI'} size, seed ${seed ?? '424242'}, ${seconds.toFixed(0)} s:\n`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  const lost = figures.reduce((sum, f) => sum + f.lost, 0);
  console.log(`\n${run.status === 0 ? 'passed' : 'FAILED'}; synced writes lost or wrong values read in all: ${lost}`);
}
process.exitCode = run.status ?? 1;
