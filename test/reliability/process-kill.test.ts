/**
 * The reliability campaign, real process kills: a writer process on the
 * real disk is killed with SIGKILL again and again (in the middle of
 * writes, flushes, compactions, and its own open), and after every kill the
 * database reopens (taking over the dead writer's LOCK file) with every
 * acknowledged write, nothing deleted come back and nothing invented
 * (scripts/reliability/kill-test.ts does the killing and the checking).
 *
 * The in-memory crash tests simulate a power cut at chosen operations; this
 * one lets the kernel pick the instruction, on the file system the engine
 * really runs on. The first test makes sure the check itself bites: a check
 * that passed everything would make the campaign worthless.
 */

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LsmTree } from '#engine/lsm-tree.ts';
import { checkAfterKill, apply, nextSynced, runKillCampaign, summaryLine, type Model } from '../../scripts/reliability/kill-test.ts';
import { operationAt, valueOf, writerOptions } from '../../scripts/reliability/kill-writer.ts';
import { CAMPAIGN_SEED, reportFigure, sized } from './support/campaign.ts';

describe('real process kills', () => {
  test('the check after a kill accepts what may survive and catches a lost write, a resurrected key and an invented value', () => {
    const seed = CAMPAIGN_SEED;
    // The model after 300 writes, the last of them acknowledged; what may be in flight after it.
    const lastAcked = nextSynced(seed, 299);
    const lastInFlight = nextSynced(seed, lastAcked);
    const model: Model = new Map();
    for (let index = 0; index <= lastAcked; index++) apply(model, operationAt(seed, index));
    const asStored = (m: Model): Map<string, string> =>
      new Map([...m].flatMap(([key, state]) => (state.value === undefined ? [] : [[key, state.value] as [string, string]])));
    const exact = asStored(model);
    const fine = checkAfterKill(exact, new Map(), seed, 0, lastAcked, lastInFlight);
    expect(fine.failures, 'the database holding exactly the acknowledged writes passes').toEqual([]);
    expect(fine.verified, 'every key written so far is checked').toBe(model.size);

    const withInFlight = new Map(model);
    for (let index = lastAcked + 1; index <= lastInFlight; index++) apply(withInFlight, operationAt(seed, index));
    expect(checkAfterKill(asStored(withInFlight), new Map(), seed, 0, lastAcked, lastInFlight).failures, 'the writes in flight may all survive').toEqual([]);

    // Keys the writes in flight do not touch: for them, only the acknowledged state is allowed.
    const inFlightKeys = new Set<string>();
    for (let index = lastAcked + 1; index <= lastInFlight; index++) for (const { key } of operationAt(seed, index).writes) inFlightKeys.add(key);
    const settled = [...model].filter(([key]) => !inFlightKeys.has(key));
    const [liveKey, live] = settled.find(([, state]) => state.value !== undefined)!;
    const lost = new Map(exact);
    lost.delete(liveKey);
    expect(checkAfterKill(lost, new Map(), seed, 0, lastAcked, lastInFlight).failures.join('\n')).toContain(
      `key ${liveKey}: expected the value of write #${live.index}`,
    );

    const [deletedKey, deleted] = settled.find(([, state]) => state.value === undefined)!;
    const resurrected = new Map(exact).set(deletedKey, valueOf(deletedKey, deleted.index - 1, 0, 50));
    expect(checkAfterKill(resurrected, new Map(), seed, 0, lastAcked, lastInFlight).failures.join('\n')).toContain(
      `key ${deletedKey}: expected no value (deleted by write #${deleted.index})`,
    );

    const invented = new Map(exact).set(liveKey, valueOf(liveKey, lastInFlight + 5, 0, 50));
    expect(checkAfterKill(invented, new Map(), seed, 0, lastAcked, lastInFlight).failures.join('\n')).toContain(
      `found the value of write #${lastInFlight + 5}`,
    );
  });

  test(
    'a writer killed with SIGKILL, again and again, never loses an acknowledged write; the database flushes and compacts across the kills',
    async () => {
      const kills = sized(5, 100);
      const root = mkdtempSync(join(tmpdir(), 'lsm-process-kill-'));
      try {
        const result = await runKillCampaign({ kills, seed: CAMPAIGN_SEED, dir: root, maxAcks: sized(1000, 2000) });
        console.log(summaryLine(result, CAMPAIGN_SEED));
        expect(result.failures, 'what the checks after the kills found wrong').toEqual([]);
        expect(result.lost).toBe(0);
        reportFigure({ part: 'real process kills', what: 'SIGKILLs', count: result.kills, lost: result.lost });
        reportFigure({ part: 'real process kills', what: 'acknowledged synced writes', count: result.ackedWrites, lost: result.lost });

        expect(result.kills, 'every writer was killed and checked').toBe(kills);
        expect(result.ackedWrites, 'the writers acknowledged writes before they died').toBeGreaterThan(0);
        expect(result.writesVerified, 'the checks looked at keys').toBeGreaterThan(0);
        expect(result.staleLocksTakenOver, 'reopens took over LOCK files left by killed writers').toBeGreaterThan(0);
        expect(result.flushes, 'the writers flushed memtables to tables').toBeGreaterThan(0);
        expect(result.compactions, 'the writers compacted').toBeGreaterThan(0);

        // The database left behind: tables on disk, some below level 0 (compactions moved data down), and it opens once more.
        const dir = join(root, 'db');
        const tables = readdirSync(dir).filter((name) => name.endsWith('.sst'));
        expect(tables.length, 'table files on disk').toBeGreaterThan(0);
        const db = LsmTree.open(dir, writerOptions('leveled'));
        try {
          const levels = db.metrics().levels;
          expect(levels.reduce((sum, level) => sum + level.files, 0), 'the MANIFEST names the tables on disk').toBe(tables.length);
          expect(levels.slice(1).some((level) => level.files > 0), 'compaction moved tables below level 0').toBe(true);
        } finally {
          db.close();
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
    sized(60_000, 1_800_000),
  );
});
