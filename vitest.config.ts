import { defineConfig } from 'vitest/config';

/**
 * Which tree do the tests run against? The package.json "imports" map sends
 * every `#memtable/...`, `#wal/...` import to solutions/ by default, and to
 * chapters/ when the condition `learner-NN` is on. `npm run chapter N` sets
 * LSM_LEARNER to the chapters to take from chapters/ ("03", or "00,01,02,03"
 * with --mine); `npm test` leaves it empty (all reference) for its first run.
 */
const learnerConditions = (process.env.LSM_LEARNER ?? '')
  .split(',')
  .filter((n) => n.length > 0)
  .map((n) => `learner-${n.padStart(2, '0')}`);

/**
 * LSM_ALTERNATIVE ("01,03") takes those chapters from the second, differently
 * written references in test/alternatives/ (condition `alternative-NN`):
 * `npm test` checks that each chapter's tests pass on a correct solution
 * other than ours, so they test behaviour, not our implementation.
 */
const alternativeConditions = (process.env.LSM_ALTERNATIVE ?? '')
  .split(',')
  .filter((n) => n.length > 0)
  .map((n) => `alternative-${n.padStart(2, '0')}`);

const conditions = [...learnerConditions, ...alternativeConditions, 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: [...learnerConditions, ...alternativeConditions] } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Property tests start from a fixed seed; see test/support/setup.ts.
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
