/**
 * Runs before every test file. Property tests are deterministic: fast-check
 * starts from a fixed seed (FC_SEED, 424242 unless set), so CI sees the same
 * cases every run. On failure fast-check prints the seed, the path and the
 * shrunk counterexample; rerun with FC_SEED=<seed> to reproduce, or
 * FC_SEED=random to explore new cases.
 */
import fc from 'fast-check';

const seedText = process.env.FC_SEED ?? '424242';
const seed = seedText === 'random' ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(seedText);
fc.configureGlobal({ seed, numRuns: Number(process.env.FC_RUNS ?? 100) });
