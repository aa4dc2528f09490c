/**
 * Helpers shared by chapter 7's tests: opening an engine on an in-memory
 * disk, reading results as text, and spawning a script with the same tree
 * (reference or starter) the tests run against.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fromUtf8, utf8 } from '#toolkit/bytes.ts';
import { MemoryFileSystem } from '#toolkit/memory-file-system.ts';
import { LsmTree } from '#engine/lsm-tree.ts';
import type { LsmOptions } from '#engine/options.ts';

/** The database directory used on the in-memory disk. */
export const DIR = '/db';

/** Options that make flushes frequent and tables many-blocked: the smallest memtable and blocks allowed. */
export const TINY: LsmOptions = { memtableSize: 1024, blockSize: 128 };

/**
 * Opens (or creates) the database in DIR on `fs`. Without compaction, as in
 * this chapter (tables pile up in level 0), unless `options` ask for it.
 */
export function openOn(fs: MemoryFileSystem, options: LsmOptions = {}): LsmTree {
  return LsmTree.open(DIR, { fileSystem: fs, compaction: { strategy: 'none' }, ...options });
}

/** Decodes a value read back, keeping undefined. */
export function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : fromUtf8(bytes);
}

/** Reads every [key, value] pair an iterable yields, as text. */
export function pairs(iterable: Iterable<[Uint8Array, Uint8Array]>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of iterable) out.push([fromUtf8(k), fromUtf8(v)]);
  return out;
}

/** Every key-value pair in the database, in key order, as text. */
export function contents(db: LsmTree): [string, string][] {
  return pairs(db.iterator());
}

/** Returns a value of about `length` bytes that names `key` and `version`, so a wrong version is visible in a failure. */
export function valueFor(key: string, version: number, length = 40): string {
  return `${key}=v${version}:`.padEnd(length, '.');
}

export { fromUtf8, utf8 };

/** The repository's root directory. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The chapters the tests take from chapters/ (the learner's tree), from LSM_LEARNER, e.g. ["07"]. */
export function learnerChapters(): string[] {
  return (process.env.LSM_LEARNER ?? '')
    .split(',')
    .filter((n) => n.length > 0)
    .map((n) => n.padStart(2, '0'));
}

/** The path of chapter 7's file `name` in the tree the tests run against. */
export function chapter7File(name: string): string {
  const tree = learnerChapters().includes('07') ? 'chapters' : 'solutions';
  return `${ROOT}${tree}/07-flush-manifest/${name}`;
}

/**
 * Spawns `node --import tsx script ...args` with the same learner
 * conditions as the tests, so `#engine/...` in the child resolves to the
 * same tree.
 */
export function spawnTsx(script: string, args: string[]): ChildProcessWithoutNullStreams {
  const conditions = learnerChapters().map((n) => `--conditions=learner-${n}`);
  return spawn(process.execPath, [...conditions, '--import', 'tsx', script, ...args], { cwd: ROOT });
}

/** Collects a child's output and resolves with its exit code once it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
