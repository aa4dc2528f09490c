/**
 * The real-process kill campaign: a writer process (kill-writer.ts) writes
 * to a database on the real disk and is killed with SIGKILL at a seeded
 * random moment, again and again; after every kill the database is reopened
 * here and checked against the log of acknowledged writes, which this
 * process keeps (outside the database).
 *
 *     npx tsx scripts/reliability/kill-test.ts --kills 100 --seed 7 [--dir path] [--max-acks 2000]
 *
 * Nothing is simulated: the kill is the kernel's, at whatever instruction the
 * writer is in (a WAL append, a flush, a compaction, a MANIFEST rewrite, the
 * open itself), and the reopen finds the writer's stale LOCK file and must
 * take it over. What the checks allow:
 *
 * - Every write up to the last acknowledged one must be there, the
 *   unsynced ones before it included: they returned before the
 *   acknowledged write began, and a write that returned survives the death
 *   of its process (only a power cut may lose an unsynced write).
 * - The writes after it (in flight: unsynced writes, then one synced write
 *   whose "ack" line never came) may each be there or not, but only as a
 *   prefix: the database must equal the model after write c, for some c
 *   from the last acknowledged write to the last write in flight.
 * - Nothing else: no deleted key back, no value from a write never made.
 *
 * The next writer starts after the last write that could have been in
 * flight, so every write number is used once and a value names one write.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fromUtf8 } from '#toolkit/bytes.ts';
import { SeededRandom } from '#toolkit/random.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import { KEY_SPACE, keyName, operationAt, parseValue, writerOptions, type KillStrategy, type Operation } from './kill-writer.ts';

/** The repository's root: the writer runs there, so `--import tsx` and `#engine/...` resolve. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRITER = fileURLToPath(new URL('./kill-writer.ts', import.meta.url));

export interface KillCampaignOptions {
  /** How many writers to kill. */
  readonly kills: number;
  /** Picks the workload and the kill moments. */
  readonly seed: number;
  /** Where to put the database (in `<dir>/db`, which must not exist yet); kept afterwards. Defaults to a temporary directory, deleted at the end. */
  readonly dir?: string;
  /** Most kills come after 50 to this many acknowledged writes. Defaults to 2000. */
  readonly maxAcks?: number;
  /** Called after each kill has been checked. */
  readonly onProgress?: (progress: KillProgress) => void;
}

/** When a writer was killed. */
export type KillMoment = 'at spawn' | 'in open' | 'after acks';

export interface KillProgress {
  /** 1 for the first kill. */
  readonly kill: number;
  readonly kills: number;
  readonly strategy: KillStrategy;
  readonly moment: KillMoment;
  /** Acknowledgements this writer sent before it died. */
  readonly acks: number;
  /** Unacknowledged writes of this writer found in the database. */
  readonly inFlightSurvived: number;
  /** Problems found so far (0 when all is well). */
  readonly lost: number;
}

export interface KillCampaignResult {
  /** Writers killed with SIGKILL. */
  readonly kills: number;
  /** Of those, killed right after spawning (before the writer ran) and after it said "opening" but before "open". */
  readonly killsAtSpawn: number;
  readonly killsInOpen: number;
  /** Synced writes acknowledged, over all writers. */
  readonly ackedWrites: number;
  /** Key states checked after the kills: each key written at or before the last acknowledgement, once per kill. */
  readonly writesVerified: number;
  /** Unacknowledged writes (in flight at a kill) found in the database afterwards: allowed, and expected now and then. */
  readonly inFlightSurvived: number;
  /** Synced writes lost, deleted keys back, values never written, out-of-order survivors: must be 0. */
  readonly lost: number;
  /** What went wrong, in words (empty when lost is 0). The campaign stops at the first kill that fails its check. */
  readonly failures: readonly string[];
  /** Reopens that found the killed writer's LOCK file and took it over. */
  readonly staleLocksTakenOver: number;
  /** Reopens whose WAL ended in a torn record (a write cut off by the kill). */
  readonly tornTails: number;
  /** Flushes and compactions the writers reported (the last "stats" line of each; a few more may have happened unreported). */
  readonly flushes: number;
  readonly compactions: number;
  /** Level-0 tables the reopens wrote from replayed WAL segments. */
  readonly recoveryTables: number;
  /** Tables per level after the last check. */
  readonly finalLevelFiles: readonly number[];
  /** Wall-clock seconds the campaign took (for the summary; nothing depends on it). */
  readonly seconds: number;
}

/** What the model holds for one key: the write that set it last, and its value (undefined: deleted). */
export interface KeyState {
  readonly index: number;
  readonly value: string | undefined;
}

/** The model of the database: the state of every key written so far. */
export type Model = Map<string, KeyState>;

/** What one writer said before it died. */
interface WriterRun {
  readonly pid: number | undefined;
  readonly moment: KillMoment;
  readonly saidOpening: boolean;
  readonly saidOpen: boolean;
  /** The acknowledged write numbers, in order. */
  readonly acks: readonly number[];
  readonly flushes: number;
  readonly compactions: number;
}

/** Applies `operation` to `model`. */
export function apply(model: Model, operation: Operation): void {
  for (const { key, value } of operation.writes) model.set(key, { index: operation.index, value });
}

/** The first synced write after `index`: the last write that can be in flight when `index` was the last acknowledged. */
export function nextSynced(seed: number, index: number): number {
  let next = index + 1;
  while (!operationAt(seed, next).sync) next++;
  return next;
}

/** Says which write a value read back came from, for messages. */
function describeValue(value: string | undefined): string {
  if (value === undefined) return 'no value (absent or deleted)';
  const origin = parseValue(value);
  return origin === undefined ? `a value no write made (${JSON.stringify(value.slice(0, 40))})` : `the value of write #${origin.index}`;
}

function describeState(state: KeyState | undefined): string {
  if (state === undefined) return 'no value (never written)';
  return state.value === undefined ? `no value (deleted by write #${state.index})` : `the value of write #${state.index}`;
}

/**
 * Spawns a writer and kills it at the moment `moment` (after `killAfterAcks`
 * acknowledgements for 'after acks'); resolves once it has died and every
 * line it wrote has been read.
 * @throws Error if the writer dies of anything but the SIGKILL.
 */
function runWriter(dir: string, strategy: KillStrategy, first: number, seed: number, moment: KillMoment, killAfterAcks: number): Promise<WriterRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, strategy, String(first), String(seed)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let killed = false;
  const kill = (): void => {
    if (killed) return;
    killed = true;
    child.kill('SIGKILL');
  };
  if (moment === 'at spawn') kill();
  let saidOpening = false;
  let saidOpen = false;
  const acks: number[] = [];
  let flushes = 0;
  let compactions = 0;
  let pending = '';
  let stderr = '';
  const onLine = (line: string): void => {
    const [word, a, b] = line.split(' ');
    if (word === 'opening') {
      saidOpening = true;
      if (moment === 'in open') kill();
    } else if (word === 'open') {
      saidOpen = true;
    } else if (word === 'ack') {
      acks.push(Number(a));
      if (moment === 'after acks' && acks.length >= killAfterAcks) kill();
    } else if (word === 'stats') {
      flushes = Number(a);
      compactions = Number(b);
    } else if (line.length > 0) {
      stderr += `(unexpected line on stdout) ${line}\n`;
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!; // An unfinished line: the rest comes with the next chunk.
    for (const line of lines) onLine(line);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL' || !killed) {
        reject(new Error(`the writer (${strategy}, from write #${first}) died by itself, exit code ${code}, signal ${signal}:\n${stderr.slice(-3000)}`));
        return;
      }
      resolve({ pid: child.pid, moment, saidOpening, saidOpen, acks, flushes, compactions });
    });
  });
}

/** The result of checking the database after one kill. */
export interface Check {
  /** The model after the writes the database turned out to hold. */
  readonly model: Model;
  readonly verified: number;
  readonly inFlightSurvived: number;
  readonly failures: string[];
}

/**
 * Compares what the database holds (`found`) with the model: `committed`
 * (everything before write `first`), then writes `first` to `lastAcked`,
 * which must all be there, then any prefix of the writes up to `lastInFlight`.
 */
export function checkAfterKill(found: Map<string, string>, committed: Model, seed: number, first: number, lastAcked: number, lastInFlight: number): Check {
  const state: Model = new Map(committed);
  for (let index = first; index <= lastAcked; index++) apply(state, operationAt(seed, index));
  const atLastAck: Model = new Map(state);
  const verified = atLastAck.size;

  // Keys on which the model and the database disagree, kept up to date as the in-flight writes are applied one by one.
  const differs = new Set<string>();
  const compare = (key: string): void => {
    if (state.get(key)?.value === found.get(key)) differs.delete(key);
    else differs.add(key);
  };
  for (const key of new Set([...state.keys(), ...found.keys()])) compare(key);
  let cut: Model | undefined = differs.size === 0 ? new Map(state) : undefined;
  let inFlightSurvived = 0;
  const inFlight: Operation[] = [];
  for (let index = lastAcked + 1; index <= lastInFlight; index++) {
    const operation = operationAt(seed, index);
    inFlight.push(operation);
    apply(state, operation);
    for (const { key } of operation.writes) compare(key);
    // The first prefix that fits: a later one that also fits only adds writes whose effect is invisible
    // (a delete of an absent key), which cannot be told to have survived. Either gives the same model.
    if (differs.size === 0 && cut === undefined) {
      cut = new Map(state);
      inFlightSurvived = index - lastAcked;
    }
  }
  if (cut !== undefined) return { model: cut, verified, inFlightSurvived, failures: [] };

  // No prefix fits: say key by key what is wrong.
  const failures: string[] = [];
  const keys = new Set([...atLastAck.keys(), ...found.keys(), ...inFlight.flatMap((o) => o.writes.map((w) => w.key))]);
  for (const key of [...keys].sort()) {
    const allowed = new Set([atLastAck.get(key)?.value]);
    const later: number[] = [];
    for (const operation of inFlight) {
      for (const write of operation.writes) {
        if (write.key !== key) continue;
        allowed.add(write.value);
        later.push(operation.index);
      }
    }
    if (allowed.has(found.get(key))) continue;
    const writtenBefore = `${describeState(atLastAck.get(key))}, as of the last acknowledged write #${lastAcked}`;
    const orLater = later.length === 0 ? '' : ` (or that of write ${later.map((i) => `#${i}`).join(', ')}, in flight)`;
    failures.push(`key ${key}: expected ${writtenBefore}${orLater}; found ${describeValue(found.get(key))}`);
  }
  if (failures.length === 0) {
    failures.push(
      `every key holds an allowed value, but no prefix of the writes in flight (#${lastAcked + 1} to #${lastInFlight}) gives them all: ` +
        'a write survived while an earlier one was lost',
    );
  }
  return { model: state, verified, inFlightSurvived: 0, failures };
}

/**
 * Reads every key the database holds, by a scan, and checks that point
 * lookups agree with it for every key of the key space.
 */
function readAll(db: LsmTree, failures: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of db.iterator()) found.set(fromUtf8(key), fromUtf8(value));
  for (let n = 0; n < KEY_SPACE; n++) {
    const key = keyName(n);
    const bytes = db.get(key);
    const value = bytes === undefined ? undefined : fromUtf8(bytes);
    if (value !== found.get(key)) {
      failures.push(`key ${key}: get() returns ${describeValue(value)} but a scan returns ${describeValue(found.get(key))}`);
    }
  }
  return found;
}

/**
 * Runs the campaign: `kills` writers, each killed with SIGKILL at a seeded
 * moment, the database checked after each. Stops early at the first kill
 * whose check fails (`failures` says why).
 */
export async function runKillCampaign(options: KillCampaignOptions): Promise<KillCampaignResult> {
  const { kills, seed, maxAcks = 2000, onProgress } = options;
  if (!Number.isInteger(kills) || kills < 1) throw new Error(`kills must be a positive integer, got ${kills}`);
  if (!Number.isInteger(maxAcks) || maxAcks < 50) throw new Error(`maxAcks must be an integer of at least 50, got ${maxAcks}`);
  const started = Date.now();
  const root = options.dir ?? mkdtempSync(join(tmpdir(), 'lsm-kill-'));
  const dir = join(root, 'db');
  if (existsSync(dir)) throw new Error(`${dir} already exists: the campaign needs a fresh database`);
  const random = new SeededRandom(seed);
  let model: Model = new Map();
  let first = 0;
  const totals = {
    kills: 0,
    killsAtSpawn: 0,
    killsInOpen: 0,
    ackedWrites: 0,
    writesVerified: 0,
    inFlightSurvived: 0,
    staleLocksTakenOver: 0,
    tornTails: 0,
    flushes: 0,
    compactions: 0,
    recoveryTables: 0,
  };
  const failures: string[] = [];
  let finalLevelFiles: number[] = [];
  try {
    for (let kill = 1; kill <= kills && failures.length === 0; kill++) {
      // Alternate the strategies: each reopens a tree the other shaped, mid-compaction perhaps.
      const strategy: KillStrategy = kill % 2 === 1 ? 'leveled' : 'tiered';
      const roll = random.below(100);
      const moment: KillMoment = roll < 5 ? 'at spawn' : roll < 20 ? 'in open' : 'after acks';
      const killAfterAcks = 50 + random.below(maxAcks - 50 + 1);
      const run = await runWriter(dir, strategy, first, seed, moment, killAfterAcks);
      const where = `kill ${kill} (${strategy}, ${moment === 'after acks' ? `after ${run.acks.length} acks` : moment}, writes from #${first})`;

      // The acknowledgements must be the synced writes, in order: anything else means the writer and this model disagree.
      let lastAcked = first - 1;
      for (const index of run.acks) {
        const expected = nextSynced(seed, lastAcked);
        if (index !== expected) throw new Error(`${where}: the writer acknowledged write #${index}, but the next synced write is #${expected}`);
        lastAcked = index;
      }
      const lastInFlight = nextSynced(seed, lastAcked);

      // The writer's LOCK file is still there (if it got that far): the reopen must see that its process is dead and take it over.
      const lockPath = join(dir, 'LOCK');
      const staleLock = run.pid !== undefined && existsSync(lockPath) && readFileSync(lockPath, 'utf8').trim() === String(run.pid);
      let db: LsmTree;
      try {
        db = LsmTree.open(dir, writerOptions(strategy));
      } catch (error) {
        failures.push(`${where}: the database does not reopen${staleLock ? ' (the dead writer left its LOCK file)' : ''}: ${String(error)}`);
        break;
      }
      try {
        if (staleLock) {
          const owner = readFileSync(lockPath, 'utf8').trim();
          if (owner === String(process.pid)) totals.staleLocksTakenOver++;
          else failures.push(`${where}: after the reopen the LOCK file names process ${owner}, not this one (${process.pid})`);
        }
        const lookups: string[] = [];
        const found = readAll(db, lookups);
        const result = checkAfterKill(found, model, seed, first, lastAcked, lastInFlight);
        failures.push(...[...lookups, ...result.failures].map((f) => `${where}: ${f}`));
        model = result.model;
        const metrics = db.metrics();
        totals.writesVerified += result.verified;
        totals.inFlightSurvived += result.inFlightSurvived;
        if (metrics.recovery.tornTail) totals.tornTails++;
        totals.recoveryTables += metrics.recovery.tablesWritten;
        finalLevelFiles = metrics.levels.map((level) => level.files);
        onProgress?.({
          kill,
          kills,
          strategy,
          moment,
          acks: run.acks.length,
          inFlightSurvived: result.inFlightSurvived,
          lost: failures.length,
        });
      } finally {
        db.close();
      }
      totals.kills++;
      if (moment === 'at spawn') totals.killsAtSpawn++;
      if (run.saidOpening && !run.saidOpen) totals.killsInOpen++;
      totals.ackedWrites += run.acks.length;
      totals.flushes += run.flushes;
      totals.compactions += run.compactions;
      first = lastInFlight + 1;
    }
  } finally {
    if (options.dir === undefined) rmSync(root, { recursive: true, force: true });
  }
  return { ...totals, lost: failures.length, failures, finalLevelFiles, seconds: (Date.now() - started) / 1000 };
}

/** The one-line summary the CLI prints. */
export function summaryLine(result: KillCampaignResult, seed: number): string {
  return (
    `real process kills (seed ${seed}): ${result.kills} SIGKILLs (${result.killsInOpen} in open, ${result.killsAtSpawn} at spawn), ` +
    `${result.ackedWrites} acknowledged writes, ${result.writesVerified} key states verified, ` +
    `${result.inFlightSurvived} in-flight writes survived, ${result.staleLocksTakenOver} stale locks taken over, ` +
    `${result.tornTails} torn WAL tails, ${result.flushes} flushes, ${result.compactions} compactions, ` +
    `tables per level at the end [${result.finalLevelFiles.join(', ')}], lost: ${result.lost}, ${result.seconds.toFixed(1)} s`
  );
}

/** The command line: parses the flags, runs the campaign with progress lines, prints the summary; exit code 1 if anything was lost. */
async function main(args: string[]): Promise<void> {
  const flag = (name: string): string | undefined => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const integer = (name: string, fallback: number): number => {
    const text = flag(name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text)) {
      console.error(`--${name} takes a non-negative integer, got ${text}`);
      console.error('usage: npx tsx scripts/reliability/kill-test.ts --kills 100 --seed 7 [--dir path] [--max-acks 2000]');
      process.exit(2);
    }
    return Number(text);
  };
  const seed = integer('seed', 424242);
  const dir = flag('dir');
  const result = await runKillCampaign({
    kills: integer('kills', 100),
    seed,
    maxAcks: integer('max-acks', 2000),
    ...(dir === undefined ? {} : { dir }),
    onProgress: (p) =>
      console.log(
        `kill ${p.kill}/${p.kills}: ${p.strategy}, ${p.moment === 'after acks' ? `${p.acks} acks` : p.moment}, ` +
          `${p.inFlightSurvived} in-flight writes survived, ${p.lost} lost`,
      ),
  });
  for (const failure of result.failures.slice(0, 20)) console.log(`FAILED: ${failure}`);
  console.log(summaryLine(result, seed));
  process.exitCode = result.lost === 0 ? 0 : 1;
}

// Run only as a script: the test imports runKillCampaign.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
