import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The vitest config of `npm run mutation -- <chapter>` (scripts/mutation.ts):
 * the project's config with its test list replaced by one chapter's tests,
 * the folder LSM_MUTATION_TESTS names (e.g. `test/03-bloom-filter`).
 * Stryker runs them against each mutant of that chapter's reference files.
 */
const tests = process.env.LSM_MUTATION_TESTS;
if (tests === undefined) throw new Error('vitest.mutation.config.ts is for scripts/mutation.ts, which sets LSM_MUTATION_TESTS');

export default defineConfig({ ...base, test: { ...base.test, include: [`${tests}/**/*.test.ts`] } });
