/**
 * Generates the learner's starter files in chapters/ from the reference in
 * solutions/, so the two can never drift apart (one source of truth).
 *
 * In a reference file, the code a learner writes sits between markers:
 *
 *     get(key: Uint8Array): Uint8Array | undefined {
 *       // #region task 1.3: walk down the levels to the first node >= key
 *       ...the reference body...
 *       // #endregion
 *     }
 *
 * and the starter gets, in its place:
 *
 *       // TODO(task 1.3): walk down the levels to the first node >= key
 *       throw new NotImplementedError('task 1.3 in chapters/01-memtable/skiplist.ts: walk down ...');
 *
 * Everything outside the markers (fields, signatures, doc comments, helpers)
 * is copied as is. chapters/00-toolkit is copied whole: it has no tasks.
 * The lessons (chapters/NN-name/README.md) are written by hand and left alone.
 *
 * Usage:
 *   tsx scripts/make-starters.ts --check         exit 1 if chapters/ differs from what would be generated (CI)
 *   tsx scripts/make-starters.ts --write         regenerate every starter (maintainers; overwrites chapters/*.ts)
 *   tsx scripts/make-starters.ts --reset <N>     restore chapter N's starter files (learners: start over)
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const REGION_START = /^(\s*)\/\/ #region (task (\d+\.\d+)): (.+)$/;
const REGION_END = /^\s*\/\/ #endregion\b/;
const TODO_IMPORT = "import { NotImplementedError } from '#toolkit/errors.ts';";

export interface Task {
  readonly id: string;
  readonly description: string;
  readonly file: string;
}

/** Turns one reference file into its starter; returns the starter text and the tasks found. */
export function makeStarter(source: string, starterPath: string): { text: string; tasks: Task[] } {
  const lines = source.split('\n');
  const out: string[] = [];
  const tasks: Task[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const start = REGION_START.exec(line);
    if (start === null) {
      if (REGION_END.test(line)) throw new Error(`${starterPath}:${i + 1}: #endregion without #region`);
      out.push(line);
      continue;
    }
    const [, indent, , id, description] = start as unknown as [string, string, string, string, string];
    let j = i + 1;
    while (j < lines.length && !REGION_END.test(lines[j]!)) {
      if (REGION_START.test(lines[j]!)) throw new Error(`${starterPath}:${j + 1}: nested #region`);
      j++;
    }
    if (j === lines.length) throw new Error(`${starterPath}:${i + 1}: #region task ${id} is never closed`);
    const message = `task ${id} in ${starterPath}: ${description}`;
    out.push(`${indent}// TODO(task ${id}): ${description}`);
    out.push(`${indent}throw new NotImplementedError(${JSON.stringify(message)});`);
    tasks.push({ id, description, file: starterPath });
    i = j;
  }
  let text = out.join('\n');
  if (tasks.length > 0 && !text.includes(TODO_IMPORT)) text = addImport(text);
  return { text, tasks };
}

/** Inserts the NotImplementedError import after the file's leading comment block. */
function addImport(text: string): string {
  const lines = text.split('\n');
  let at = 0;
  if (lines[0]?.startsWith('/**')) {
    while (at < lines.length && !lines[at]!.includes('*/')) at++;
    at++;
  }
  while (at < lines.length && lines[at]!.trim() === '') at++;
  lines.splice(at, 0, TODO_IMPORT);
  return lines.join('\n');
}

/** The chapter folders under solutions/, e.g. ["00-toolkit", "01-memtable", ...]. */
export function chapterFolders(): string[] {
  return readdirSync(join(root, 'solutions'))
    .filter((name) => /^\d\d-/.test(name))
    .sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => e.name)
    .sort();
}

/** Computes every starter file of one chapter: path (relative to the repo) → contents. */
export function startersOf(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of sourceFiles(join(root, 'solutions', folder))) {
    const source = readFileSync(join(root, 'solutions', folder, name), 'utf8');
    const target = `chapters/${folder}/${name}`;
    files.set(target, folder.startsWith('00-') ? source : makeStarter(source, target).text);
  }
  return files;
}

/** Lists the tasks of one chapter in order, for the runner's "what next" hint. */
export function tasksOf(folder: string): Task[] {
  const tasks: Task[] = [];
  for (const name of sourceFiles(join(root, 'solutions', folder))) {
    const source = readFileSync(join(root, 'solutions', folder, name), 'utf8');
    tasks.push(...makeStarter(source, `chapters/${folder}/${name}`).tasks);
  }
  return tasks.sort((a, b) => compareTaskIds(a.id, b.id));
}

function compareTaskIds(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number) as [number, number];
  const [b1, b2] = b.split('.').map(Number) as [number, number];
  return a1 - b1 || a2 - b2;
}

function writeStarters(folder: string): number {
  let written = 0;
  for (const [path, text] of startersOf(folder)) {
    mkdirSync(join(root, 'chapters', folder), { recursive: true });
    writeFileSync(join(root, path), text);
    written++;
  }
  return written;
}

function main(argv: string[]): number {
  const [mode, arg] = argv;
  if (mode === '--check') {
    const drifted: string[] = [];
    for (const folder of chapterFolders()) {
      for (const [path, text] of startersOf(folder)) {
        const file = join(root, path);
        if (!existsSync(file) || readFileSync(file, 'utf8') !== text) drifted.push(path);
      }
    }
    if (drifted.length > 0) {
      console.error(`starters: ${drifted.length} file(s) in chapters/ differ from solutions/ (run: npm run starters -- --write):`);
      for (const d of drifted) console.error(`  ${d}`);
      return 1;
    }
    console.log('starters: chapters/ matches solutions/ (every starter is generated from its reference)');
    return 0;
  }
  if (mode === '--write') {
    let n = 0;
    for (const folder of chapterFolders()) n += writeStarters(folder);
    console.log(`starters: wrote ${n} files under chapters/`);
    return 0;
  }
  if (mode === '--reset' && arg !== undefined) {
    const folder = chapterFolders().find((f) => Number(f.slice(0, 2)) === Number(arg));
    if (folder === undefined) {
      console.error(`starters: no chapter ${arg}`);
      return 2;
    }
    const n = writeStarters(folder);
    console.log(`starters: restored ${n} starter files in ${relative(root, join(root, 'chapters', folder))}/`);
    return 0;
  }
  console.error('usage: tsx scripts/make-starters.ts --check | --write | --reset <chapter>');
  return 2;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
