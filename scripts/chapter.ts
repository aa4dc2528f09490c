/**
 * The learner's loop: `npm run chapter <N>` runs chapter N's tests against
 * your code in chapters/, with every other chapter taken from the reference
 * in solutions/, so you can start anywhere.
 *
 *   npm run chapter 3                  chapter 3 is yours, 0-2 are the reference's
 *   npm run chapter 3 -- --mine        chapters 0-3 are all yours
 *   npm run chapter 3 -- --quiet       only the summary, not vitest's report
 *   npm run chapter 3 -- --reset       throw away your chapter 3 and restore its starter
 *
 * Exits 0 when every test passes, 1 otherwise.
 */

import { chapterFolders, tasksOf } from './make-starters.ts';
import { chapterTestFolder, firstLine, runVitest } from './run-vitest.ts';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './run-vitest.ts';

function usage(message: string): number {
  console.error(`${message}\nusage: npm run chapter <0-${chapterFolders().length - 1}> [-- --mine | --quiet | --reset]`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const positional = argv.filter((a) => !a.startsWith('--'));
  const folders = chapterFolders();
  const n = Number(positional[0]);
  if (positional.length !== 1 || !Number.isInteger(n)) return usage('Which chapter?');
  const folder = folders.find((f) => Number(f.slice(0, 2)) === n);
  if (folder === undefined) return usage(`There is no chapter ${positional[0]}.`);

  if (flags.has('--reset')) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/make-starters.ts'), '--reset', String(n)], {
      stdio: 'inherit',
    });
    return r.status ?? 1;
  }

  const testFolder = chapterTestFolder(n, folders);
  if (testFolder === undefined || !existsSync(join(root, testFolder))) {
    console.error(`Chapter ${n} has no tests yet.`);
    return 1;
  }
  const mine = flags.has('--mine');
  const learner = mine ? folders.map((f) => f.slice(0, 2)).filter((c) => Number(c) <= n) : [folder.slice(0, 2)];
  const label = folder.slice(3);
  console.log(
    mine
      ? `chapter ${n} · ${label}: chapters 0-${n} all from chapters/ (your own code)`
      : `chapter ${n} · ${label}: your code in chapters/${folder}/, every other chapter from solutions/`,
  );

  const run = await runVitest({ filters: [testFolder], learner, verbose: !flags.has('--quiet') });

  console.log(`\nchapter ${n} · ${label}`);
  const width = Math.max(...run.files.map((f) => f.file.length - testFolder.length));
  for (const f of run.files) {
    const passed = f.tests.filter((t) => t.status === 'passed').length;
    const name = f.file.slice(testFolder.length + 1).padEnd(width);
    const note = f.error !== undefined ? `  (did not load: ${firstLine(f.error)})` : '';
    console.log(`  ${name}  ${passed}/${f.tests.length} passed${note}`);
  }
  const total = run.passed + run.failed;
  console.log(`  ${run.passed} of ${total} tests pass.`);

  if (run.failed === 0 && run.exitCode === 0) {
    const next = folders.find((f) => Number(f.slice(0, 2)) === n + 1);
    console.log(
      next === undefined
        ? '\nNext: every test passes. You have built the whole engine; see the capstone in the last lesson.'
        : `\nNext: every test passes. Go on to chapter ${n + 1}: read chapters/${next}/README.md, then npm run chapter ${n + 1}.`,
    );
    return 0;
  }
  console.log(`\nNext: ${nextStep(run.files, folder)}`);
  return 1;
}

/** Points at the first failing test, or at the first unwritten task. */
function nextStep(files: Awaited<ReturnType<typeof runVitest>>['files'], folder: string): string {
  const broken = files.find((f) => f.error !== undefined);
  if (broken !== undefined) return `${broken.file} does not load: ${firstLine(broken.error)}`;
  const failing = files.flatMap((f) => f.tests.filter((t) => t.status === 'failed'));
  // First the lowest unwritten task: the tasks are numbered in the order the lesson teaches them.
  let next: { test: (typeof failing)[number]; task: number[]; todo: string } | undefined;
  for (const test of failing) {
    const match = /NotImplementedError: (task (\d+)\.(\d+) in [^\n]*)/.exec(test.failure ?? '');
    if (match === null) continue;
    const task = [Number(match[2]), Number(match[3])];
    if (next === undefined || task[0]! < next.task[0]! || (task[0] === next.task[0] && task[1]! < next.task[1]!)) {
      next = { test, task, todo: match[1]! };
    }
  }
  if (next !== undefined) return `"${next.test.name}" needs ${next.todo}`;
  // Every task is written: point at the first assertion that fails. A fast-check
  // failure says only "Property failed" on its first line, so it comes last.
  const isProperty = (t: (typeof failing)[number]): boolean => /Property failed/.test(firstLine(t.failure));
  const wrong = failing.find((t) => !isProperty(t)) ?? failing[0];
  if (wrong !== undefined) {
    const where = isProperty(wrong) ? ' (its counterexample is printed above)' : '';
    return `"${wrong.name}" fails: ${firstLine(wrong.failure)}${where}`;
  }
  const tasks = tasksOf(folder);
  return tasks.length > 0 ? `start with task ${tasks[0]!.id} in ${tasks[0]!.file}` : 'read the failures above.';
}

process.exitCode = await main(process.argv.slice(2));
