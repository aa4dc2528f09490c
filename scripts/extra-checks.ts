/**
 * Checks that `npm test` runs after the vitest suites: each one is a whole
 * program (a site build, a browser run) rather than a unit test.
 *
 * The site is built once: the build check builds it into a temporary folder
 * and the browser test serves that same folder (it builds its own only if
 * the first build left nothing). The folder is removed when the process exits.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserTest } from './browser-test.ts';
import { checkSite } from './check-site.ts';

export interface ExtraCheck {
  readonly name: string;
  /** Runs the check, printing what it finds; resolves to true iff it passed. */
  run(): Promise<boolean>;
}

let builtSite: string | undefined;

/** The folder the site is built into, made on first use and removed at exit. */
function siteFolder(): string {
  if (builtSite === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'lsm-site-'));
    builtSite = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return builtSite;
}

export const extraChecks: ExtraCheck[] = [
  { name: 'site builds with every lesson and its diagrams', run: () => checkSite({ outDir: siteFolder() }) },
  { name: 'site works in a real browser', run: () => browserTest({ site: siteFolder() }) },
];
