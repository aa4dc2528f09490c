/**
 * Chapter 8, task 8.7 (with 8.6): the resumable compaction job, on a host
 * built from chapter 7's VersionSet without the rest of the engine. It
 * merges its inputs newest first, drops what the rules drop, cuts outputs
 * at user-key boundaries past the target size, keeps its place between
 * slices, and ends in the durability order: outputs synced, directory
 * synced, one MANIFEST edit, and only then the inputs deleted.
 */

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IOError } from '#toolkit/errors.ts';
import { ValueKind } from '#memtable/internal-key.ts';
import type { FileMetadata } from '#engine/file-metadata.ts';
import { CompactionJob } from '#tiered/compaction-job.ts';
import type { CompactionPlan } from '#tiered/compaction-plan.ts';
import { formatEntry, parseEntry, type Entry } from '../06-merge-iterators/support/array-iterator.ts';
import { TestHost } from './support/host.ts';

/** A plan merging `inputs` (grouped by level, newest first) into `outputLevel`. */
function plan(inputs: { level: number; files: FileMetadata[] }[], outputLevel: number, options: Partial<CompactionPlan> = {}): CompactionPlan {
  return { reason: 'manual', inputs, outputLevel, bottommost: false, targetFileSize: 1 << 20, trivialMove: false, ...options };
}

/** Runs `job` with one budget after another (the last repeated) until it finishes; returns the work of each step. */
function runJob(job: CompactionJob, budgets: readonly number[] = [Infinity]): number[] {
  const work: number[] = [];
  for (let i = 0; job.state === 'running'; i++) {
    expect(i, 'the job must finish').toBeLessThan(100_000);
    work.push(job.step(budgets[Math.min(i, budgets.length - 1)]!));
  }
  return work;
}

/** Versions of 40 keys, several each, with sequences 1.. in write order, spread over three "tables" (newest last). */
function history(versionsPerKey: number): Entry[][] {
  const tables: Entry[][] = [[], [], []];
  let sequence = 1;
  for (let round = 0; round < versionsPerKey; round++) {
    for (let k = 0; k < 40; k++) {
      const key = `key${String(k).padStart(3, '0')}`;
      const del = (k + round) % 7 === 0;
      tables[round % 3]!.push(parseEntry(del ? `${key}#${sequence},DEL` : `${key}#${sequence},PUT=${'v'.repeat(20 + ((k * 7 + round) % 30))}${sequence}`));
      sequence++;
    }
  }
  return tables;
}

/** A host holding the history as two level-0 tables (newest first) and a level-4 run of two tables. */
function setUp(versionsPerKey = 4): { host: TestHost; inputs: { level: number; files: FileMetadata[] }[]; all: Entry[] } {
  const host = new TestHost();
  const [oldest, middle, newest] = history(versionsPerKey);
  const sorted = [...oldest!].sort((a, b) => (a.key < b.key ? -1 : 1));
  const l4a = host.addTable(4, sorted.filter((e) => new TextDecoder().decode(e.key) < 'key020'));
  const l4b = host.addTable(4, sorted.filter((e) => new TextDecoder().decode(e.key) >= 'key020'));
  const l0old = host.addTable(0, middle!);
  const l0new = host.addTable(0, newest!);
  return {
    host,
    inputs: [
      { level: 0, files: [l0new, l0old] },
      { level: 4, files: [l4a, l4b] },
    ],
    all: [...oldest!, ...middle!, ...newest!],
  };
}

/** The newest version of each key in `all`, in key order, in the entry notation; tombstones kept or left out. */
function newestVersions(all: readonly Entry[], keepTombstones: boolean): string[] {
  const newest = new Map<string, Entry>();
  for (const e of all) {
    const key = new TextDecoder().decode(e.key);
    if ((newest.get(key)?.sequence ?? -1) < e.sequence) newest.set(key, e);
  }
  return [...newest.keys()]
    .sort()
    .map((k) => newest.get(k)!)
    .filter((e) => keepTombstones || e.kind === ValueKind.Put)
    .map(formatEntry);
}

/** The output tables' entries, table by table. */
function outputEntries(host: TestHost, job: CompactionJob): string[][] {
  return job.outputs.map((file) => host.tableEntries(file.number));
}

describe('the compaction job', () => {
  test('merges its inputs, drops what the rules drop, and installs one edit: inputs out, outputs in the output level, input files deleted', () => {
    const { host, inputs, all } = setUp(4);
    const inputNumbers = inputs.flatMap((i) => i.files.map((f) => f.number));
    const job = new CompactionJob(plan(inputs, 3), host);
    runJob(job);
    expect(job.state).toBe('finished');
    const version = host.versions.current;
    expect(version.files(0), 'the level-0 inputs are gone').toEqual([]);
    expect(version.files(4), 'the level-4 inputs are gone').toEqual([]);
    expect(version.files(3).map((f) => f.number)).toEqual(job.outputs.map((f) => f.number));
    expect(host.tableFiles(), 'input files are deleted once the edit is durable').toEqual(job.outputs.map((f) => f.number));
    for (const n of inputNumbers) expect(host.tableCache.isOpen(n)).toBe(false);
    const entries = outputEntries(host, job).flat();
    expect(entries, 'no snapshot: only the newest version of each key survives (not bottommost: its tombstones too)').toEqual(newestVersions(all, true));
    expect(entries.some((e) => e.includes(',DEL')), 'a tombstone may still hide data below level 3').toBe(true);
    expect(host.openCursors, 'every input cursor is closed at the end').toBe(0);
  });

  test('bottommost: tombstones every reader sees go, with every older version of their key', () => {
    const { host, inputs, all } = setUp(4);
    const job = new CompactionJob(plan(inputs, 6, { bottommost: true }), host);
    runJob(job);
    const entries = outputEntries(host, job).flat();
    expect(entries, 'nothing below level 6 can hold these keys: deleted keys vanish entirely').toEqual(newestVersions(all, false));
    expect(job.stats.tombstonesDropped).toBeGreaterThan(0);
  });

  test('outputs are cut at the first new user key past targetFileSize: each key in one table, ranges disjoint, every table but the last at least the target', () => {
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 3000 }), fc.integer({ min: 0, max: 200 }), (target, snapshot) => {
        const { host, inputs } = setUp(5);
        host.smallestSnapshot = snapshot; // An old snapshot keeps many versions of each key.
        const job = new CompactionJob(plan(inputs, 2, { targetFileSize: target }), host);
        runJob(job);
        const tables = outputEntries(host, job);
        const owner = new Map<string, number>();
        tables.forEach((entries, t) => {
          for (const e of entries) {
            const key = e.slice(0, e.indexOf('#'));
            expect(owner.get(key) ?? t, `${key} is split between output tables ${owner.get(key)} and ${t}: cut only between two user keys`).toBe(t);
            owner.set(key, t);
          }
        });
        job.outputs.forEach((file, t) => {
          if (t < job.outputs.length - 1) expect(file.size, `output ${t} was cut before reaching the target ${target}`).toBeGreaterThanOrEqual(target);
        });
        const sizes = job.outputs.map((f) => f.size);
        expect(Math.max(...sizes), 'a table is cut at the first new key past the target, not later').toBeLessThan(target + 2000);
        expect(host.versions.current.files(2).length).toBe(job.outputs.length);
      }),
      { numRuns: 20 },
    );
  });

  test('any sequence of slices writes exactly what one big step writes; each slice stays within its budget (or one entry) and keeps its place', () => {
    const reference = setUp(4);
    reference.host.smallestSnapshot = 60;
    const whole = new CompactionJob(plan(reference.inputs, 2, { targetFileSize: 700 }), reference.host);
    runJob(whole);
    const expected = outputEntries(reference.host, whole);
    const biggestEntry = Math.max(...reference.all.map((e) => e.key.length + 8 + e.value.length));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 20 }), (budgets) => {
        const { host, inputs } = setUp(4);
        host.smallestSnapshot = 60;
        const job = new CompactionJob(plan(inputs, 2, { targetFileSize: 700 }), host);
        const work = runJob(job, budgets);
        work.forEach((w, i) => {
          const budget = budgets[Math.min(i, budgets.length - 1)]!;
          expect(w, `slice ${i} with budget ${budget}`).toBeLessThanOrEqual(Math.max(budget, biggestEntry));
          expect(w, 'every slice makes progress').toBeGreaterThan(0);
        });
        expect(work.reduce((a, b) => a + b, 0), 'the work adds up to every input entry, once').toBe(whole.stats.workBytes);
        expect(outputEntries(host, job), 'slicing must not change the output').toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  test('the end follows the durability order: outputs synced, then the directory, then the MANIFEST edit, and only then the inputs removed', () => {
    const { host, inputs } = setUp(3);
    const job = new CompactionJob(plan(inputs, 2, { targetFileSize: 800 }), host);
    host.fs.log.length = 0;
    runJob(job, [500]);
    const log = host.fs.log;
    const story = log.join('\n');
    const last = (pattern: RegExp): number => log.reduce((at, op, i) => (pattern.test(op) ? i : at), -1);
    const first = (pattern: RegExp): number => log.findIndex((op) => pattern.test(op));
    const outputs = job.outputs.map((f) => `${String(f.number).padStart(6, '0')}.sst`);
    expect(outputs.length).toBeGreaterThan(1);
    const lastOutputSync = Math.max(...outputs.map((name) => last(new RegExp(`^sync ${name}$`))));
    expect(lastOutputSync, `every output is synced:\n${story}`).toBeGreaterThanOrEqual(0);
    const dirSync = log.findIndex((op, i) => i > lastOutputSync && op === 'syncDir db');
    expect(dirSync, `the directory is synced after the outputs (their names are data too):\n${story}`).toBeGreaterThan(lastOutputSync);
    const manifestSync = log.findIndex((op, i) => i > dirSync && /^sync MANIFEST-/.test(op));
    expect(manifestSync, `then the edit is synced to the MANIFEST:\n${story}`).toBeGreaterThan(dirSync);
    expect(first(/^write MANIFEST-/), `the MANIFEST is not touched before the outputs are durable:\n${story}`).toBeGreaterThan(dirSync);
    const removes = log.map((op, i) => (op.startsWith('remove ') ? i : -1)).filter((i) => i >= 0);
    expect(removes.length, 'the four inputs are removed').toBe(4);
    for (const i of removes) expect(i, `an input was removed before the edit was durable:\n${story}`).toBeGreaterThan(manifestSync);
  });

  test('abandoned halfway, a job deletes its outputs (finished or not), closes its inputs, and the version is unchanged', () => {
    const { host, inputs } = setUp(4);
    const before = host.versions.current;
    const inputFiles = host.tableFiles();
    const job = new CompactionJob(plan(inputs, 2, { targetFileSize: 400 }), host);
    for (let i = 0; i < 8; i++) job.step(300);
    expect(job.state).toBe('running');
    expect(job.outputs.length, 'some outputs were finished already').toBeGreaterThan(0);
    expect(host.tableFiles().length).toBeGreaterThan(inputFiles.length);
    job.abandon();
    expect(job.state).toBe('abandoned');
    expect(host.versions.current).toBe(before);
    expect(host.tableFiles(), 'no version names the outputs: they must go').toEqual(inputFiles);
    expect(host.pending.size).toBe(0);
    expect(host.openCursors).toBe(0);
  });

  test('a failed output sync abandons the job and rethrows: outputs deleted, inputs still in the version', () => {
    const { host, inputs } = setUp(4);
    const before = host.versions.current;
    const inputFiles = host.tableFiles();
    const job = new CompactionJob(plan(inputs, 2, { targetFileSize: 400 }), host);
    job.step(2000);
    host.fs.failOnce('sync', /\.sst$/);
    expect(() => runJob(job, [2000])).toThrow(IOError);
    expect(job.state).toBe('abandoned');
    expect(host.versions.current).toBe(before);
    expect(host.tableFiles()).toEqual(inputFiles);
  });

  test('a level is read one table at a time; a trivial move writes no table, while the same table merged into the bottom level is rewritten', () => {
    const host = new TestHost();
    const run = ['a', 'b', 'c', 'd', 'e'].map((k, i) => host.addTable(5, `${k}1#${i * 2 + 2},PUT=x ${k}2#${i * 2 + 1},DEL`));
    const top = host.addTable(0, 'c1#20,PUT=new c1#19,PUT=older');
    let most = 0;
    const tableIterator = host.tableIterator.bind(host);
    host.tableIterator = (file) => {
      const it = tableIterator(file);
      most = Math.max(most, host.openCursors);
      return it;
    };
    const merge = new CompactionJob(plan([{ level: 0, files: [top] }, { level: 5, files: run }], 6, { bottommost: true }), host);
    runJob(merge, [30]);
    expect(most, 'one level-0 table plus ONE table of the level-5 run open at a time').toBeLessThanOrEqual(2);
    const rewritten = outputEntries(host, merge).flat();
    expect(rewritten).toEqual(['a1#2,PUT=x', 'b1#4,PUT=x', 'c1#20,PUT=new', 'd1#8,PUT=x', 'e1#10,PUT=x']);

    const lone = host.addTable(0, 'zz#30,PUT=moved');
    host.fs.log.length = 0;
    const move = new CompactionJob(plan([{ level: 0, files: [lone] }], 3, { trivialMove: true }), host);
    expect(move.step(1), 'a trivial move processes no entry').toBe(0);
    expect(move.state).toBe('finished');
    expect(host.fs.log.some((op) => /^create \d+\.sst$/.test(op)), 'no table is written').toBe(false);
    expect(host.versions.current.files(3).map((f) => f.number), 'the same file, now in level 3').toEqual([lone.number]);
    expect(host.versions.current.files(0)).toEqual([]);
  });
});
