/**
 * `lsm viz` and the engine events it draws: the event stream of small
 * fills on the in-memory disk checked against metrics(); a listener that
 * throws; the HTML page drawn from a fixed list of events; the command line
 * end to end (a tiny run, the event log drawn again, bad arguments).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError, LsmTree, MemoryFileSystem, type LsmEvent, type LsmOptions } from '../../solutions/index.ts';
import { UsageError } from '../../solutions/cli/command.ts';
import { main } from '../../solutions/cli/lsm.ts';
import { CompactionSchedule, LEVELS } from '../../solutions/cli/viz/compaction-schedule.ts';
import { EventLogError, formatEventLog, parseEventLog, type RunRecord } from '../../solutions/cli/viz/event-log.ts';
import { runFill } from '../../solutions/cli/viz/fill-run.ts';
import { renderHtml } from '../../solutions/cli/viz/html-report.ts';
import { compactLine } from '../../solutions/cli/viz/live-view.ts';
import { parseVizOptions } from '../../solutions/cli/viz/viz-options.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lsm-viz-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function key(i: number): string {
  return `key-${String(i).padStart(6, '0')}`;
}

/** Opens a database on a new in-memory disk that records its events. */
function openRecording(options: LsmOptions = {}): { db: LsmTree; events: LsmEvent[] } {
  const events: LsmEvent[] = [];
  const db = LsmTree.open('/db', { fileSystem: new MemoryFileSystem(), memtableSize: 4096, onEvent: (e) => events.push(e), ...options });
  return { db, events };
}

/** Writes `count` keys in a scrambled order, each with a 100-byte value. */
function fill(db: LsmTree, count: number): void {
  const value = 'v'.repeat(100);
  for (let i = 0; i < count; i++) db.put(key((i * 7919) % count), value);
}

function ofType<T extends LsmEvent['type']>(events: readonly LsmEvent[], type: T): Extract<LsmEvent, { type: T }>[] {
  return events.filter((e): e is Extract<LsmEvent, { type: T }> => e.type === type);
}

/** The events without their wall-clock time, which is the only field that differs between two runs. */
function withoutTime(events: readonly LsmEvent[]): unknown[] {
  return events.map(({ timeMs: _timeMs, ...rest }) => rest);
}

describe('engine events (onEvent)', () => {
  for (const strategy of ['leveled', 'tiered'] as const) {
    test(`${strategy}: the events agree with metrics(): flushes, compactions, bytes written`, () => {
      const { db, events } = openRecording({ compaction: { strategy } });
      fill(db, 3000);
      const m = db.metrics();
      expect(ofType(events, 'flush').length, 'one flush event per flush').toBe(m.writes.flushes);
      expect(m.writes.flushes).toBeGreaterThan(20);
      const finishes = ofType(events, 'compaction-finish');
      expect(finishes.length, 'one finish event per finished compaction').toBe(m.compaction.compactions);
      expect(finishes.length).toBeGreaterThan(3);
      const abandoned = ofType(events, 'compaction-abandon');
      const written = [...finishes, ...abandoned].reduce((sum, e) => sum + e.bytesWritten, 0);
      expect(written, 'finished and abandoned jobs wrote every compaction byte').toBe(m.writes.compactionBytes);
      expect(ofType(events, 'flush').reduce((sum, e) => sum + e.bytes, 0)).toBe(m.writes.flushBytes);
      db.close();

      // Every job that started ended: finished, or abandoned by close() (then with cause 'close').
      const ended = new Map<number, string>();
      for (const e of events) if (e.type === 'compaction-finish' || e.type === 'compaction-abandon') ended.set(e.id, e.type);
      const starts = ofType(events, 'compaction-start');
      expect(starts.map((s) => s.id), 'jobs are numbered 1, 2, 3, ...').toEqual(starts.map((_, i) => i + 1));
      for (const start of starts) expect(ended.has(start.id), `job #${start.id} has an end`).toBe(true);
      for (const e of ofType(events, 'compaction-abandon')) expect(e.cause).toBe('close');
      expect(starts.every((s) => s.strategy === strategy)).toBe(true);
    });
  }

  test('the clock is logical: userBytes and sequence never go back, and two runs give the same events', () => {
    const run = (): LsmEvent[] => {
      const { db, events } = openRecording();
      fill(db, 2000);
      db.close();
      return events;
    };
    const first = run();
    for (let i = 1; i < first.length; i++) {
      expect(first[i]!.userBytes).toBeGreaterThanOrEqual(first[i - 1]!.userBytes);
      expect(first[i]!.sequence).toBeGreaterThanOrEqual(first[i - 1]!.sequence);
    }
    expect(withoutTime(run())).toEqual(withoutTime(first));
  });

  test('the levels rebuilt from the events equal metrics().levels at the end', () => {
    for (const strategy of ['leveled', 'tiered'] as const) {
      const record = runFill({ strategy, num: 3000, valueSize: 100, memtableSize: 4096, seed: 7 }, '/db', { fileSystem: new MemoryFileSystem() });
      const schedule = CompactionSchedule.of(record.events);
      // Levels after the last finished compaction: an abandon at close changes none.
      expect(schedule.files.map((files, level) => ({ files, bytes: schedule.bytes[level] }))).toEqual(record.summary.levels);
      expect(schedule.flushes.length).toBe(record.summary.flushes);
      expect(schedule.finished).toBe(record.summary.compactions);
    }
  });

  test('stalls and slowdowns: one stall event per stall, slowdowns alternate on and off', () => {
    const { db, events } = openRecording({ compactionPacing: 1, l0SlowdownTrigger: 2, l0StopTrigger: 3 });
    fill(db, 3000);
    const m = db.metrics();
    const stalls = ofType(events, 'stall');
    expect(m.compaction.stalls).toBeGreaterThan(0);
    expect(stalls.length).toBe(m.compaction.stalls);
    for (const stall of stalls) {
      expect(stall.trigger).toBe('level0-files');
      expect(stall.level0Files).toBeGreaterThanOrEqual(3);
    }
    const slowdowns = ofType(events, 'slowdown');
    expect(slowdowns.length).toBeGreaterThan(0);
    slowdowns.forEach((e, i) => expect(e.active, `slowdown event ${i}`).toBe(i % 2 === 0));
    db.close();
  });

  test('setCompaction abandons the running job with cause strategy-change', () => {
    const { db, events } = openRecording({ compactionPacing: 0, compaction: { strategy: 'tiered' } });
    fill(db, 1500);
    db.compactionStep(1); // Starts a job and does one entry of it.
    const start = ofType(events, 'compaction-start').at(-1)!;
    db.setCompaction({ strategy: 'leveled' });
    const abandon = ofType(events, 'compaction-abandon').at(-1)!;
    expect(abandon).toMatchObject({ id: start.id, cause: 'strategy-change' });
    db.close();
  });

  test('a listener that throws: the write is applied, the engine stays usable, the error comes out of that write', () => {
    const boom = new Error('listener failed');
    let armed = true;
    const fs = new MemoryFileSystem();
    const db = LsmTree.open('/db', {
      fileSystem: fs,
      memtableSize: 4096,
      onEvent: (e) => {
        if (armed && e.type === 'flush') throw boom;
      },
    });
    let thrownAt = -1;
    for (let i = 0; i < 200 && thrownAt < 0; i++) {
      try {
        db.put(key(i), 'v'.repeat(100));
      } catch (error) {
        expect(error, 'the listener\'s own error, unchanged').toBe(boom);
        thrownAt = i;
      }
    }
    expect(thrownAt, 'a flush happened, and its listener threw').toBeGreaterThan(0);
    armed = false;
    expect(db.get(key(thrownAt)), 'the write that emitted the event was applied').toBeDefined();
    expect(db.metrics().writes.flushes).toBe(1);
    for (let i = thrownAt + 1; i < 400; i++) db.put(key(i), 'v'.repeat(100)); // Writes go on: the engine did not fail.
    db.close();
    const reopened = LsmTree.open('/db', { fileSystem: fs });
    for (let i = 0; i < 400; i++) expect(reopened.get(key(i)), key(i)).toBeDefined();
    reopened.close();
  });

  test('onEvent must be a function', () => {
    expect(() => LsmTree.open('/db', { fileSystem: new MemoryFileSystem(), onEvent: 'log' as never })).toThrow(InvalidArgumentError);
    expect(() => LsmTree.open('/db', { fileSystem: new MemoryFileSystem(), onEvent: 'log' as never })).toThrow(/onEvent must be a function/);
  });
});

/** A small run, written by hand: three flushes, a merge L0 -> L1, a trivial move L1 -> L2, a slowdown and a stall. */
function fixedRun(): RunRecord {
  const t = (userBytes: number) => ({ userBytes, sequence: userBytes / 100 });
  const l0 = { level: 0, files: 2, bytes: 2000, tables: [4, 5] };
  const events: LsmEvent[] = [
    { type: 'flush', tables: [4], bytes: 1000, level0Files: 1, pendingBytes: 0, ...t(1000) },
    { type: 'flush', tables: [5], bytes: 1000, level0Files: 2, pendingBytes: 2000, ...t(2000) },
    { type: 'slowdown', active: true, level0Files: 2, pendingBytes: 2000, ...t(2000) },
    { type: 'compaction-start', id: 1, reason: 'level0-files', strategy: 'leveled', inputs: [l0], outputLevel: 1, trivialMove: false, ...t(2100) },
    { type: 'stall', trigger: 'level0-files', level0Files: 3, pendingBytes: 3000, workBytes: 900, ...t(2500) },
    {
      type: 'compaction-finish',
      id: 1,
      reason: 'level0-files',
      inputs: [l0],
      outputs: { level: 1, files: 1, bytes: 1900, tables: [7] },
      bytesRead: 2000,
      bytesWritten: 1900,
      trivialMove: false,
      entriesDropped: 0,
      pendingBytes: 0,
      ...t(2600),
    },
    { type: 'slowdown', active: false, level0Files: 0, pendingBytes: 0, ...t(2700) },
    { type: 'flush', tables: [8], bytes: 1000, level0Files: 1, pendingBytes: 0, ...t(3000) },
    {
      type: 'compaction-start',
      id: 2,
      reason: 'level-size',
      strategy: 'leveled',
      inputs: [{ level: 1, files: 1, bytes: 1900, tables: [7] }],
      outputLevel: 2,
      trivialMove: true,
      ...t(3000),
    },
    {
      type: 'compaction-finish',
      id: 2,
      reason: 'level-size',
      inputs: [{ level: 1, files: 1, bytes: 1900, tables: [7] }],
      outputs: { level: 2, files: 1, bytes: 1900, tables: [7] },
      bytesRead: 0,
      bytesWritten: 0,
      trivialMove: true,
      entriesDropped: 0,
      pendingBytes: 0,
      ...t(3000),
    },
  ];
  return {
    settings: { strategy: 'leveled', num: 30, keySize: 16, valueSize: 84, memtableSize: 1024, seed: 1, l0SlowdownTrigger: 2, l0StopTrigger: 3 },
    events,
    summary: {
      puts: 30,
      seconds: 0.01,
      userBytes: 3000,
      walBytes: 3300,
      flushBytes: 3000,
      compactionBytes: 1900,
      writeAmplification: 2.73,
      flushes: 3,
      compactions: 2,
      trivialMoves: 1,
      stalls: 1,
      stallTimeMs: 1,
      slowdownWrites: 5,
      levels: [
        { files: 1, bytes: 1000 },
        { files: 0, bytes: 0 },
        { files: 1, bytes: 1900 },
        { files: 0, bytes: 0 },
        { files: 0, bytes: 0 },
        { files: 0, bytes: 0 },
        { files: 0, bytes: 0 },
      ],
    },
  };
}

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

describe('the HTML page', () => {
  const html = renderHtml([fixedRun()]);

  test('one lane per level, one bar per compaction, one red line per stall', () => {
    expect(count(html, /<g class="lane" data-level="\d"/)).toBe(LEVELS);
    expect(count(html, /<rect class="compaction /)).toBe(2);
    expect(count(html, /<rect class="compaction merge"/)).toBe(1);
    expect(count(html, /<rect class="compaction trivial"/)).toBe(1);
    expect(count(html, /<rect class="stall"/)).toBe(1);
    expect(count(html, /<rect class="slowdown"/)).toBe(1);
    expect(count(html, /<line class="flush"/)).toBe(3);
  });

  test('each bar\'s tooltip names its inputs and outputs', () => {
    const titles = [...html.matchAll(/<rect class="compaction [^"]*"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(titles[0]).toMatch(/^#1 level0-files: L0 2 tables 1\.95 KiB → L1 1 table 1\.86 KiB; read 1\.95 KiB, wrote 1\.86 KiB/);
    expect(titles[1]).toMatch(/^#2 trivial move .*: L1 1 table 1\.86 KiB → L2 1 table 1\.86 KiB/);
  });

  test('the level sizes end as the summary says, and the levels that held nothing get thin lanes', () => {
    const schedule = CompactionSchedule.of(fixedRun().events);
    expect(schedule.bytes).toEqual(fixedRun().summary.levels.map((l) => l.bytes));
    expect(html).toContain('L3 (empty)');
    expect(html).not.toContain('L2 (empty)');
  });

  test('it is self-contained: no script, no link, no src, no URL', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\ssrc=/);
    expect(html).not.toMatch(/<script|<link|@import|url\(/);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  test('the event log round-trips, and a damaged one is refused with its line number', () => {
    const runs = [fixedRun(), { ...fixedRun(), settings: { ...fixedRun().settings, strategy: 'tiered' as const } }];
    expect(parseEventLog(formatEventLog(runs))).toEqual(runs);
    expect(() => parseEventLog('{"type":"viz-run"}\nnot json\n')).toThrow(/line 2 is not JSON/);
    expect(() => parseEventLog('{"type":"viz-run"}\n')).toThrow(EventLogError);
  });

  test('without a terminal, the live view is one compact line', () => {
    const run = fixedRun();
    const line = compactLine({ settings: run.settings, done: 15, seconds: 1, schedule: CompactionSchedule.of(run.events), running: undefined, finished: false });
    expect(line).toBe('leveled  50% 15 puts 15 puts/s | L0 1/1000 B L2 1/1.86 KiB | pending 0 B · flushes 3 · compactions 2 (1 trivial) · stalls 1 · max L0 2 | compacting  nothing');
  });
});

describe('lsm viz on the command line', () => {
  test('a tiny run writes the page and the event log and exits 0; --from draws the same page again', async () => {
    const page = join(scratch, 'run.html');
    const log = join(scratch, 'run.jsonl');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'solutions/cli/lsm.ts'), 'viz', '--num', '3000', '--memtable-size', '8KiB', '--html', page, '--events', log],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.status, `lsm viz failed:\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^leveled +100% 3,000 puts/m);
    expect(r.stdout).toMatch(/^tiered +100% 3,000 puts/m);
    const html = readFileSync(page, 'utf8');
    expect(count(html, /<section class="run">/), 'both strategies, one above the other').toBe(2);
    expect(count(html, /<rect class="compaction /)).toBeGreaterThan(4);

    const again = join(scratch, 'again.html');
    const lines: string[] = [];
    const code = await main(['viz', '--from', log, '--html', again], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect(code, lines.join('\n')).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(html);
  });

  test('bad arguments are usage errors (exit code 2)', async () => {
    for (const args of [['--strategy', 'size'], ['--num', '0'], ['--num', 'lots'], ['--from', 'x.jsonl', '--num', '5'], ['--html', ''], ['extra']]) {
      expect(() => parseVizOptions(args), args.join(' ')).toThrow(UsageError);
      const err: string[] = [];
      expect(await main(['viz', ...args], { out: () => {}, err: (l) => err.push(l) }), args.join(' ')).toBe(2);
      expect(err[0]).toMatch(/^lsm viz: /);
    }
  });

  test('--from a file that is not an event log fails with exit code 1 and the line', async () => {
    const bad = join(scratch, 'bad.jsonl');
    writeFileSync(bad, 'hello\n');
    const err: string[] = [];
    expect(await main(['viz', '--from', bad, '--html', join(scratch, 'x.html')], { out: () => {}, err: (l) => err.push(l) })).toBe(1);
    expect(err[0]).toContain('line 1 is not JSON');
    expect(existsSync(join(scratch, 'x.html'))).toBe(false);
  });
});
