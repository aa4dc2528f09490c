/**
 * Shared by the reliability campaign (test/reliability): how big a run is,
 * which seed it starts from, and how each test reports its figures.
 *
 * `npm test` runs the CI size: every test here finishes in seconds. The long
 * runs (`npm run reliability -- --long`) set LSM_RELIABILITY=long, and the
 * same tests try many more cases. LSM_SEED picks the seed (default 424242),
 * so a failure seen in a long run replays exactly:
 *
 *     LSM_SEED=7 LSM_RELIABILITY=long npx vitest run test/reliability/crash-every-operation.test.ts
 *
 * Each test reports what it tried with `reportFigure` ("crash points: 1,204,
 * synced writes lost: 0"). The figures go to the console and, when
 * LSM_RELIABILITY_REPORT names a file, are appended to it as JSON lines: the
 * reliability script reads them back to print its table.
 */

import { appendFileSync } from 'node:fs';

/** 'ci' (the default, what `npm test` runs) or 'long'. */
export const CAMPAIGN_SIZE: 'ci' | 'long' = process.env.LSM_RELIABILITY === 'long' ? 'long' : 'ci';

/** The campaign's seed: LSM_SEED, or 424242. */
export const CAMPAIGN_SEED: number = Number(process.env.LSM_SEED ?? 424242);

/** Picks the CI or the long-run value of a count. */
export function sized(ci: number, long: number): number {
  return CAMPAIGN_SIZE === 'long' ? long : ci;
}

/** One figure of the campaign: what was tried, how often, and what went wrong (must be 0). */
export interface Figure {
  /** The campaign part, e.g. "crash at every operation". */
  readonly part: string;
  /** What was counted, e.g. "crash points". */
  readonly what: string;
  readonly count: number;
  /** Synced writes lost, deleted keys come back, wrong values read: always 0 when the test passes. */
  readonly lost: number;
}

/** Prints a figure and, if LSM_RELIABILITY_REPORT is set, appends it to that file as a JSON line. */
export function reportFigure(figure: Figure): void {
  const line = `[reliability] ${figure.part}: ${figure.count.toLocaleString('en-US')} ${figure.what}, ${figure.lost} lost (${CAMPAIGN_SIZE} run, seed ${CAMPAIGN_SEED})`;
  console.log(line);
  const report = process.env.LSM_RELIABILITY_REPORT;
  if (report !== undefined && report !== '') {
    appendFileSync(report, `${JSON.stringify({ ...figure, size: CAMPAIGN_SIZE, seed: CAMPAIGN_SEED })}\n`);
  }
}
