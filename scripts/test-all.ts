/**
 * `npm test`: everything CI checks, in order.
 *
 * 1. chapters/ is exactly what solutions/ generates (starters never drift).
 * 2. Both trees type-check (solutions/ + tests + scripts; chapters/).
 * 3. Every test passes against the reference (solutions/).
 * 4. The starter check: each chapter's tests run against its untouched
 *    starter, and not one of them may pass. A test that passes on a TODO
 *    body checks nothing the learner writes.
 * 5. The alternative check: chapters 1, 3 and 5's tests pass on a second,
 *    differently written reference (test/alternatives/), so they test what
 *    the lesson asks for, not how our reference happens to do it.
 * 6. Extra suites registered in scripts/extra-checks.ts (site build, ...).
 *
 * Ends with one line, "tests: N passed, N failed", and exits non-zero on any failure.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chapterFolders } from './make-starters.ts';
import { extraChecks } from './extra-checks.ts';
import { firstLine, root, runVitest, type VitestRun } from './run-vitest.ts';

let problems = 0;

function step(title: string): void {
  console.log(`\n━━ ${title}`);
}

function run(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

const tsx = ['--import', 'tsx'];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

step('1. starters are generated from the reference');
if (!run(process.execPath, [...tsx, 'scripts/make-starters.ts', '--check'])) problems++;

step('2. type-check: solutions/ + tests + scripts, then chapters/');
for (const project of ['tsconfig.json', 'tsconfig.chapters.json']) {
  if (run(process.execPath, [tsc, '-p', project])) console.log(`type-check ${project}: ok`);
  else problems++;
}

step('3. every test against the reference (solutions/)');
const reference = await runVitest({ filters: [], learner: [], verbose: true });
if (reference.exitCode !== 0 || reference.failed > 0) problems++;

step('4. starter check: no chapter test may pass on its untouched starter');
const chapters = chapterFolders().filter((f) => f !== '00-toolkit' && existsSync(join(root, 'test', f)));
const starterRuns = new Map<string, VitestRun>();
// Two at a time: each run is its own vitest process.
for (let i = 0; i < chapters.length; i += 2) {
  const batch = chapters.slice(i, i + 2);
  const results = await Promise.all(
    batch.map((f) => runVitest({ filters: [`test/${f}`], learner: [f.slice(0, 2)], verbose: false })),
  );
  batch.forEach((f, k) => starterRuns.set(f, results[k]!));
}
let starterPasses = 0;
for (const [folder, r] of starterRuns) {
  const total = r.passed + r.failed;
  const ok = r.passed === 0 && total > 0;
  console.log(
    `starter check · chapter ${folder}: ${r.passed} of ${total} tests pass on the starter ${ok ? '✓ (all fail, as they must)' : '✗'}`,
  );
  if (!ok) {
    problems++;
    starterPasses += r.passed;
    for (const f of r.files) {
      for (const t of f.tests) if (t.status === 'passed') console.log(`    passes on the starter: ${f.file} › ${t.name}`);
      if (f.error !== undefined) console.log(`    ${f.file} did not load: ${firstLine(f.error)}`);
    }
    if (total === 0) console.log('    no tests ran');
  }
}

step('5. alternative solutions: chapter tests pass on a correct solution written differently (test/alternatives/)');
// Tests that only our own implementation passes would test our choices, not
// the behaviour the lesson asks for; each alternative makes other choices.
let alternativePasses = 0;
const alternatives = chapters.filter((f) => existsSync(join(root, 'test', 'alternatives', f)));
for (const folder of alternatives) {
  const r = await runVitest({ filters: [`test/${folder}`], learner: [], alternative: [folder.slice(0, 2)], verbose: false });
  const ok = r.failed === 0 && r.passed > 0 && r.exitCode === 0;
  console.log(`alternative · chapter ${folder}: ${r.passed} of ${r.passed + r.failed} tests pass ${ok ? '✓' : '✗'}`);
  if (ok) alternativePasses += r.passed;
  else {
    problems++;
    for (const f of r.files) {
      for (const t of f.tests) if (t.status === 'failed') console.log(`    fails: ${f.file} › ${t.name}\n      ${firstLine(t.failure ?? '')}`);
      if (f.error !== undefined) console.log(`    ${f.file} did not load: ${firstLine(f.error)}`);
    }
  }
}

step('6. other checks');
let extraPassed = 0;
let extraFailed = 0;
for (const check of extraChecks) {
  const ok = await check.run();
  console.log(`${check.name}: ${ok ? 'ok' : 'FAILED'}`);
  if (ok) extraPassed++;
  else extraFailed++;
}
problems += extraFailed;

const passed = reference.passed + alternativePasses + extraPassed;
const failed = reference.failed + extraFailed + starterPasses;
console.log(`\n${problems === 0 ? 'All checks pass.' : `${problems} check(s) failed.`}`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exitCode = problems === 0 ? 0 : 1;
