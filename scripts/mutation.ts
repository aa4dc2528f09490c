/**
 * Mutation testing: how many real mistakes do a chapter's tests catch?
 *
 *   npm run mutation -- 3          chapter 3: mutate the task regions of solutions/03-bloom-filter, run test/03-bloom-filter on each mutant
 *   npm run mutation -- 1 3 5      several chapters, one after the other
 *   npm run mutation -- all        chapters 1-10, then the score table as markdown
 *
 * StrykerJS makes small changes ("mutants": `<` for `<=`, `true` for a
 * condition, a deleted statement, `+` for `-`) to the code a learner writes,
 * the lines inside the reference's `// #region task` markers (see
 * taskRanges), and runs the chapter's tests against each. A mutant the tests fail on is killed; one
 * they pass on survived: a mistake a learner could make and still see every
 * test pass. The score is (killed + timed out) / (all mutants but the
 * excluded ones); a mutant that makes the tests hang counts as caught, as it
 * would in the chapter runner (a test times out). Mutants excluded as
 * equivalent (they change nothing a test could observe) carry a
 * `// Stryker disable` comment in the reference that says why.
 *
 * Each chapter's HTML and JSON reports go to artifacts/mutation/<chapter>/
 * (git-ignored): open the HTML report to see every surviving mutant in place.
 * Not part of `npm test`: all ten chapters take tens of minutes on 2 cores.
 */

import { Stryker } from '@stryker-mutator/core';
import type { LogLevel, MutantResult } from '@stryker-mutator/api/core';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chapterFolders } from './make-starters.ts';
import { root } from './run-vitest.ts';

/** One chapter's outcome. */
export interface ChapterScore {
  readonly folder: string;
  readonly mutants: number;
  readonly killed: number;
  readonly timedOut: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Excluded with a `// Stryker disable` comment, or not valid JavaScript/TypeScript. */
  readonly excluded: number;
  /** Percent: (killed + timedOut) / (killed + timedOut + survived + noCoverage). */
  readonly score: number;
  readonly seconds: number;
}

const REGION_START = /^\s*\/\/ #region task \d+\.\d+:/;
const REGION_END = /^\s*\/\/ #endregion\b/;

/**
 * Returns Stryker's `mutate` patterns for a chapter: the lines inside each
 * `// #region task N.M` of its reference files, as `file:first-last`. Those
 * are the lines a learner writes (the starter has a TODO there), so the
 * mistakes worth catching are mutations of them; the given code around the
 * regions is not the learner's to get wrong.
 */
export function taskRanges(folder: string): string[] {
  const dir = join(root, 'solutions', folder);
  const ranges: string[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    let start: number | undefined;
    lines.forEach((line, i) => {
      if (REGION_START.test(line)) start = i + 2; // 1-based, the line after the marker
      else if (REGION_END.test(line) && start !== undefined) {
        if (i >= start) ranges.push(`solutions/${folder}/${name}:${start}-${i}`);
        start = undefined;
      }
    });
  }
  return ranges;
}

/** Runs Stryker on one chapter; see the file comment. */
async function mutateChapter(folder: string): Promise<ChapterScore> {
  const started = Date.now();
  // vitest.mutation.config.ts reads this: only this chapter's tests run.
  process.env.LSM_MUTATION_TESTS = `test/${folder}`;
  const reportDir = join('artifacts', 'mutation', folder);
  const stryker = new Stryker({
    mutate: taskRanges(folder),
    testRunner: 'vitest',
    vitest: { configFile: 'vitest.mutation.config.ts', related: false },
    coverageAnalysis: 'perTest',
    concurrency: 2,
    reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
    htmlReporter: { fileName: join(reportDir, 'index.html') },
    jsonReporter: { fileName: join(reportDir, 'mutation.json') },
    clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
    // Copy only what the tests need into Stryker's sandbox.
    ignorePatterns: ['site', 'artifacts', 'chapters', 'reports', 'coverage', '.ci'],
    thresholds: { high: 90, low: 85, break: null },
    // One sandbox folder per chapter, so two chapters can be mutated at once.
    tempDirName: `.stryker-tmp-${folder}`,
    cleanTempDir: true,
    logLevel: 'warn' as LogLevel, // the enum is a const enum, which tsx cannot import
  });
  const results = await stryker.runMutationTest();
  return summarise(folder, results, (Date.now() - started) / 1000);
}

function summarise(folder: string, results: readonly MutantResult[], seconds: number): ChapterScore {
  const count = (...statuses: string[]): number => results.filter((r) => statuses.includes(r.status)).length;
  const killed = count('Killed');
  const timedOut = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const excluded = count('Ignored', 'CompileError', 'RuntimeError');
  const valid = killed + timedOut + survived + noCoverage;
  return {
    folder,
    mutants: results.length,
    killed,
    timedOut,
    survived,
    noCoverage,
    excluded,
    score: valid === 0 ? 100 : (100 * (killed + timedOut)) / valid,
    seconds,
  };
}

/** Returns the markdown table of `scores`, as the site page and the README show it. */
export function scoreTable(scores: readonly ChapterScore[]): string[] {
  const lines = [
    '| chapter | mutants | killed | timed out | survived | no coverage | excluded | score |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const s of scores) {
    lines.push(
      `| ${s.folder} | ${s.mutants} | ${s.killed} | ${s.timedOut} | ${s.survived} | ${s.noCoverage} | ${s.excluded} | ${s.score.toFixed(1)}% |`,
    );
  }
  return lines;
}

async function main(argv: string[]): Promise<number> {
  const folders = chapterFolders();
  const wanted = argv.includes('all') ? folders.filter((f) => f !== '00-toolkit') : [];
  for (const arg of argv.filter((a) => a !== 'all')) {
    const folder = folders.find((f) => Number(f.slice(0, 2)) === Number(arg));
    if (!/^\d+$/.test(arg) || folder === undefined) {
      console.error(`no chapter '${arg}'\nusage: npm run mutation -- <chapter number ...> | all`);
      return 2;
    }
    wanted.push(folder);
  }
  if (wanted.length === 0) {
    console.error('usage: npm run mutation -- <chapter number ...> | all');
    return 2;
  }
  process.chdir(root);
  const scores: ChapterScore[] = [];
  for (const folder of wanted) {
    console.log(`\n== mutation testing ${folder}: mutating solutions/${folder}/, running test/${folder}/`);
    const score = await mutateChapter(folder);
    scores.push(score);
    console.log(
      `${folder}: ${score.score.toFixed(1)}% (${score.killed} killed, ${score.timedOut} timed out, ${score.survived} survived, ` +
        `${score.noCoverage} not covered, ${score.excluded} excluded) in ${Math.round(score.seconds)} s; ` +
        `report: artifacts/mutation/${folder}/index.html`,
    );
  }
  console.log('');
  for (const line of scoreTable(scores)) console.log(line);
  const total = scores.reduce((sum, s) => sum + s.seconds, 0);
  console.log(`\n${scores.length} chapter(s) in ${Math.round(total / 60)} min ${Math.round(total % 60)} s`);
  return scores.every((s) => s.score >= 85) ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
