/**
 * Checks that `npm test` runs after the vitest suites: each one is a whole
 * program (a site build, a browser run) rather than a unit test.
 */

import { checkSite } from './check-site.ts';

export interface ExtraCheck {
  readonly name: string;
  /** Runs the check, printing what it finds; resolves to true iff it passed. */
  run(): Promise<boolean>;
}

export const extraChecks: ExtraCheck[] = [
  { name: 'site builds with every lesson and its diagrams', run: () => checkSite() },
];
