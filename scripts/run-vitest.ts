/**
 * Runs vitest in a child process against a chosen tree and returns the
 * per-file results, read from vitest's JSON reporter. Used by the chapter
 * runner and by `npm test`.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export interface TestCase {
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
  readonly failure: string | undefined;
}

export interface FileResult {
  readonly file: string;
  readonly tests: TestCase[];
  /** A failure outside any test, such as an import error. */
  readonly error: string | undefined;
}

export interface VitestRun {
  readonly exitCode: number;
  readonly files: FileResult[];
  readonly passed: number;
  readonly failed: number;
}

interface JsonReport {
  testResults: {
    name: string;
    message?: string;
    assertionResults: { fullName: string; status: TestCase['status']; failureMessages?: string[] }[];
  }[];
}

export interface RunOptions {
  /** Test paths or filters passed to vitest. */
  readonly filters: string[];
  /** Chapters whose code comes from chapters/ instead of solutions/, e.g. ["03"]. */
  readonly learner: string[];
  /** Chapters whose code comes from their second reference in test/alternatives/, e.g. ["01"]. */
  readonly alternative?: string[];
  /** Show vitest's own output (true) or keep it quiet (false). */
  readonly verbose: boolean;
}

export async function runVitest(options: RunOptions): Promise<VitestRun> {
  const dir = mkdtempSync(join(tmpdir(), 'lsm-vitest-'));
  const outputFile = join(dir, 'report.json');
  const args = [
    'run',
    ...options.filters,
    '--reporter=json',
    `--outputFile.json=${outputFile}`,
    ...(options.verbose ? ['--reporter=default'] : []),
  ];
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [vitest, ...args], {
      cwd: root,
      stdio: options.verbose ? 'inherit' : ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LSM_LEARNER: options.learner.join(','), LSM_ALTERNATIVE: (options.alternative ?? []).join(',') },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      if (code !== 0 && !options.verbose && stderr.includes('Error') && stderr.length < 20_000) {
        process.stderr.write(stderr);
      }
      resolve(code ?? 1);
    });
  });
  let report: JsonReport;
  try {
    report = JSON.parse(readFileSync(outputFile, 'utf8')) as JsonReport;
  } catch {
    report = { testResults: [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const files: FileResult[] = report.testResults.map((r) => ({
    file: relative(root, r.name),
    tests: r.assertionResults.map((a) => ({
      name: a.fullName,
      status: a.status,
      failure: a.failureMessages?.[0],
    })),
    error: r.assertionResults.length === 0 && r.message ? r.message : undefined,
  }));
  let passed = 0;
  let failed = 0;
  for (const f of files) {
    for (const t of f.tests) {
      if (t.status === 'passed') passed++;
      else failed++;
    }
    if (f.error !== undefined) failed++;
  }
  return { exitCode, files, passed, failed };
}

/** The test folder of chapter `n`, e.g. "test/03-bloom-filter", or undefined if none. */
export function chapterTestFolder(n: number, folders: string[]): string | undefined {
  const folder = folders.find((f) => Number(f.slice(0, 2)) === n);
  return folder === undefined ? undefined : `test/${folder}`;
}

/** The first line of a failure message, without vitest's colour codes. */
export function firstLine(message: string | undefined): string {
  if (message === undefined) return '';
  // eslint-disable-next-line no-control-regex
  return (message.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0] ?? '').slice(0, 300);
}
