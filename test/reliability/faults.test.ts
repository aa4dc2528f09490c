/**
 * Reliability campaign, I/O faults: a disk that fails in the middle of a
 * flush or a compaction (leveled and tiered) must never cost a synced write,
 * bring a deleted key back, or leave a database that will not open.
 *
 * For each operation, a dry run on a healthy disk counts the file-system
 * operations it does, by kind. Then, for every kind (write, sync, rename,
 * read, create, syncDir; the long size adds open, remove and list), every n
 * from 1 to that count and both EIO and ENOSPC, the operation runs again
 * from the same starting state with its nth operation of that kind failing
 * (support/faults.ts runs and checks one such case):
 *
 * - it succeeds, or throws an IOError with the injected errno: never an
 *   untyped error, an invariant error, or another errno;
 * - after a failure, put, flush and compact throw that same stored error,
 *   and every read gives the right value or a typed error;
 * - close() may throw an IOError (a documented possibility: its last WAL
 *   sync can fail), but leaves no file handle open;
 * - the disk healed, with or without a simulated power loss in between
 *   (every other case, cycling through the crash modes), the database
 *   reopens holding exactly the model: every synced write, no deleted key,
 *   an unsynced write with its value or (after a power loss) not at all;
 *   and it then writes, flushes, compacts and reads correctly.
 *
 * Sticky faults (the disk stays broken from the nth operation on) must fail
 * the same typed way; opening while the disk is still broken fails with an
 * IOError (or succeeds) and leaks nothing, and after healing it reopens.
 */

import { describe, expect, test } from 'vitest';
import type { FaultKind } from '#toolkit/faulty-file-system.ts';
import { CAMPAIGN_SEED, CAMPAIGN_SIZE, reportFigure, sized } from './support/campaign.ts';
import {
  CORE_KINDS,
  crashFor,
  describeCase,
  ERRNOS,
  EXTRA_KINDS,
  FLUSH,
  FLUSH_NEW_MANIFEST,
  LEVELED_COMPACTION,
  prepareScenario,
  runFaultCase,
  TIERED_COMPACTION,
  type FaultCase,
  type PreparedScenario,
  type Scenario,
} from './support/faults.ts';

/** The kinds faults are injected into at this size. */
const KINDS: readonly FaultKind[] = CAMPAIGN_SIZE === 'long' ? [...CORE_KINDS, ...EXTRA_KINDS] : CORE_KINDS;

/** Long runs try each fault both with and without a power loss before the reopen; CI runs alternate. */
const BOTH_CRASH_MODES = CAMPAIGN_SIZE === 'long';

/** What a run of fault cases found. */
interface Tally {
  injected: number;
  fired: number;
  failed: number;
  lost: number;
  readonly problems: string[];
}

/**
 * Injects every fault `faults` lists into `prepared`'s operation, one case
 * each, and tallies what they found. Case numbers (`first` on) choose the
 * crash mode and, with the campaign's seed, seed the disk's crash decisions,
 * so any case replays alone.
 */
function runCampaign(prepared: PreparedScenario, faults: Iterable<Omit<FaultCase, 'crash' | 'seed'>>, first: number): Tally {
  const tally: Tally = { injected: 0, fired: 0, failed: 0, lost: 0, problems: [] };
  let index = first;
  for (const { fault } of faults) {
    const crashes = BOTH_CRASH_MODES ? [crashFor(2 * index), crashFor(2 * index + 1)] : [crashFor(index)];
    for (const crash of crashes) {
      const c: FaultCase = { fault, crash, seed: CAMPAIGN_SEED + index };
      const outcome = runFaultCase(prepared, c);
      tally.injected++;
      tally.fired += outcome.fired;
      if (outcome.failed) tally.failed++;
      tally.lost += outcome.lost;
      tally.problems.push(...outcome.problems);
      // The dry run counted at least n operations of this kind, and the run is deterministic up to the fault.
      if (outcome.fired === 0) tally.problems.push(`${describeCase(prepared.scenario, c, outcome.counts)}: the fault never fired`);
      if (fault?.sticky !== true && outcome.fired > 1) {
        tally.problems.push(`${describeCase(prepared.scenario, c, outcome.counts)}: a one-time fault fired ${outcome.fired} times`);
      }
    }
    index++;
  }
  return tally;
}

/** Counts the operations of `prepared`'s operation on a healthy disk, checking that run too. */
function dryRun(prepared: PreparedScenario): Record<FaultKind, number> {
  const dry = runFaultCase(prepared, { fault: undefined, crash: undefined, seed: 1 });
  expect(dry.problems, `${prepared.scenario.name} on a healthy disk`).toEqual([]);
  expect(dry.failed, `${prepared.scenario.name} on a healthy disk succeeds`).toBe(false);
  return dry.counts;
}

/**
 * Every one-time fault: each kind, each n up to the dry run's count, each
 * errno. Except that at the CI size a read (compactions do hundreds) fails
 * with EIO or ENOSPC in turn: a disk reports a failed read as EIO, and the
 * ENOSPC half checks that the errno reaches the caller unchanged.
 */
function* everyFault(counts: Record<FaultKind, number>): Generator<Omit<FaultCase, 'crash' | 'seed'>> {
  for (const kind of KINDS) {
    for (let nth = 1; nth <= counts[kind]; nth++) {
      const errnos = kind === 'read' && CAMPAIGN_SIZE === 'ci' ? [ERRNOS[nth % ERRNOS.length]!] : ERRNOS;
      for (const errno of errnos) yield { fault: { kind, nth, errno } };
    }
  }
}

/**
 * Sticky faults: the disk breaks at the nth operation of a kind and stays
 * broken. The CI size tries the first, middle and last n of each kind, the
 * errno alternating; the long size every n with both errnos.
 */
function* stickyFaults(counts: Record<FaultKind, number>): Generator<Omit<FaultCase, 'crash' | 'seed'>> {
  for (const kind of KINDS) {
    const count = counts[kind];
    const ns = CAMPAIGN_SIZE === 'long' ? Array.from({ length: count }, (_, i) => i + 1) : [...new Set([1, Math.ceil(count / 2), count])];
    for (const [i, nth] of ns.filter((n) => n >= 1).entries()) {
      const errnos = CAMPAIGN_SIZE === 'long' ? ERRNOS : [ERRNOS[i % ERRNOS.length]!];
      for (const errno of errnos) yield { fault: { kind, nth, errno, sticky: true } };
    }
  }
}

/** Fails with the first problems found (all of them would drown the message), after reporting the figure. */
function expectNoProblems(tally: Tally, what: string): void {
  reportFigure({ part: 'I/O faults', what, count: tally.injected, lost: tally.lost });
  expect(tally.lost, 'synced writes lost, deleted keys come back or wrong values read').toBe(0);
  expect(tally.problems.slice(0, 10), `${tally.problems.length} problem(s) in ${tally.injected} cases; the first ones`).toEqual([]);
  expect(tally.fired, 'every injected fault fired').toBeGreaterThanOrEqual(tally.injected);
}

/** Each operation under test, and the kinds of operation its dry run must show (else the scenario tests less than it claims). */
const OPERATIONS: readonly { readonly scenario: Scenario; readonly does: readonly FaultKind[] }[] = [
  // A flush reads nothing (the memtable is in memory) and renames nothing (the MANIFEST edit is appended).
  { scenario: FLUSH, does: ['write', 'sync', 'create', 'syncDir'] },
  { scenario: FLUSH_NEW_MANIFEST, does: ['write', 'sync', 'rename', 'create', 'syncDir'] },
  { scenario: LEVELED_COMPACTION, does: CORE_KINDS },
  { scenario: TIERED_COMPACTION, does: CORE_KINDS },
];

const KIND_LIST = `${KINDS.slice(0, -1).join(', ')} and ${KINDS[KINDS.length - 1]!}`;

describe('I/O faults during flushes and compactions', () => {
  OPERATIONS.forEach(({ scenario, does }, s) => {
    test(
      `${scenario.name}: EIO or ENOSPC at every ${KIND_LIST} fails with that IOError, and the healed disk reopens with every synced write`,
      () => {
        const prepared = prepareScenario(scenario);
        const counts = dryRun(prepared);
        for (const kind of does) expect(counts[kind], `${scenario.name} does at least one ${kind}`).toBeGreaterThan(0);
        const tally = runCampaign(prepared, everyFault(counts), 10_000 * s);
        expect(tally.failed, 'most faults make the operation fail').toBeGreaterThan(tally.injected / 2);
        expectNoProblems(tally, `faults injected (EIO and ENOSPC on ${KIND_LIST}) during ${scenario.name}`);
      },
      sized(60_000, 3_600_000),
    );
  });

  test(
    `a disk that stays broken (sticky faults on ${KIND_LIST}) fails every operation with a typed error, and after healing the database reopens`,
    () => {
      const tally: Tally = { injected: 0, fired: 0, failed: 0, lost: 0, problems: [] };
      OPERATIONS.forEach(({ scenario }, s) => {
        const prepared = prepareScenario(scenario);
        const found = runCampaign(prepared, stickyFaults(dryRun(prepared)), 10_000 * s + 5_000);
        tally.injected += found.injected;
        tally.fired += found.fired;
        tally.failed += found.failed;
        tally.lost += found.lost;
        tally.problems.push(...found.problems);
      });
      expectNoProblems(tally, `sticky faults injected (the disk stays broken; EIO and ENOSPC on ${KIND_LIST}) during flushes and compactions`);
    },
    sized(60_000, 3_600_000),
  );
});
