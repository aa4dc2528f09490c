/**
 * The site build check, run by `npm test` (and alone by
 * `npx tsx scripts/check-site.ts [--keep]`). Builds the site into a temporary
 * folder, then checks that:
 *
 * 1. every lesson, chapters/NN-name/README.md, has a built page (a chapter
 *    folder without a lesson yet is noted, not failed);
 * 2. every ```mermaid fence of a lesson reached its page as a diagram
 *    component carrying that exact source (so the browser draws it), not as
 *    a code block, and the mermaid files the component loads are shipped,
 *    every import among them resolving;
 * 3. the home page links every chapter;
 * 4. the local search index holds every chapter page.
 *
 * Prints one line per page, and resolves to true iff everything holds.
 * `--keep` leaves the built site in place and prints where it is.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chapterFolders, fencedBlocks, findChapters, type Chapter } from '../site/.vitepress/chapters.ts';
import { MERMAID_ENTRY, MERMAID_FOLDER } from '../site/.vitepress/mermaid-assets.ts';
import { root } from './run-vitest.ts';

const OK = '✓';
const BAD = '✗';

/** Builds the site into `outDir`; resolves to the build's exit code and its output. */
function buildSite(outDir: string): Promise<{ code: number; output: string }> {
  const cli = join(root, 'node_modules', 'vitepress', 'bin', 'vitepress.js');
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, 'build', 'site', '--outDir', outDir], {
      cwd: root,
      env: { ...withoutColour(process.env), NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

function withoutColour(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.FORCE_COLOR;
  return copy;
}

/** Lists the decoded sources of the diagram components on a built page, in page order. */
function diagramsOn(html: string): string[] {
  const graphs: string[] = [];
  for (const m of html.matchAll(/<div class="mermaid-diagram" data-graph="([^"]*)"/g)) {
    graphs.push(decodeURIComponent(unescapeHtml(m[1]!)));
  }
  return graphs;
}

/** Undoes the escaping Vue's server renderer applies to attribute values. */
function unescapeHtml(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (entity, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? entity;
  });
}

/** Checks one chapter page; returns the problems found (none: the page is good). */
function checkChapter(chapter: Chapter, outDir: string, searchIndex: string): { problems: string[]; diagrams: number } {
  const page = join(outDir, 'chapters', `${chapter.folder}.html`);
  if (!existsSync(page)) return { problems: ['no page was built'], diagrams: 0 };
  const html = readFileSync(page, 'utf8');
  const problems: string[] = [];
  if (!/<h1[ >]/.test(html)) problems.push('the page has no heading: is the lesson included?');

  const wanted = fencedBlocks(readFileSync(chapter.readme, 'utf8'))
    .filter((f) => f.info === 'mermaid')
    .map((f) => f.content);
  const drawn = diagramsOn(html);
  const unmatched = [...drawn];
  const missing: number[] = [];
  wanted.forEach((source, i) => {
    const at = unmatched.indexOf(source);
    if (at >= 0) unmatched.splice(at, 1);
    else missing.push(i);
  });
  if (missing.length > 0) {
    const first = wanted[missing[0]!]!.split('\n')[0];
    const why = html.includes('language-mermaid')
      ? 'rendered as code blocks: is the mermaid fence renderer installed?'
      : 'is a fence inside an HTML block with no blank line before it?';
    problems.push(
      `diagram${missing.length > 1 ? 's' : ''} ${missing.map((i) => i + 1).join(', ')} of ${wanted.length} (first: "${first}") not drawn; ${why}`,
    );
  } else if (html.includes('language-mermaid')) {
    problems.push('a mermaid fence was rendered as a code block');
  }
  if (unmatched.length > 0) problems.push(`${unmatched.length} diagram(s) on the page match no fence of the lesson`);

  if (!searchIndex.includes(`"/chapters/${chapter.folder}.html`)) problems.push('not in the search index');
  return { problems, diagrams: wanted.length };
}

/** Checks that the shipped mermaid files are there and that every relative import among them resolves. */
function checkMermaidFiles(outDir: string): { problems: string[]; modules: number } {
  const folder = join(outDir, MERMAID_FOLDER);
  const entry = join(outDir, MERMAID_ENTRY);
  if (!existsSync(entry)) return { problems: [`${MERMAID_ENTRY} is missing`], modules: 0 };
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!existsSync(file)) {
      problems.push(`${relative(outDir, file)} is imported but missing`);
      continue;
    }
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)"(\.{1,2}\/[^"]+\.mjs)"/g)) {
      queue.push(resolve(dirname(file), m[1]!));
    }
  }
  if (!existsSync(folder)) problems.push(`${MERMAID_FOLDER} is missing`);
  return { problems, modules: seen.size };
}

/** Runs the check; prints one line per page; resolves to true iff the site is whole. */
export async function checkSite(options: { keep?: boolean } = {}): Promise<boolean> {
  let ok = true;
  const fail = (line: string): void => {
    ok = false;
    console.log(`  ${BAD} ${line}`);
  };

  const chapters = findChapters();
  // A chapter's code can land before its lesson: noted, not failed; the site shows only what exists.
  for (const folder of chapterFolders()) {
    if (!chapters.some((c) => c.folder === folder)) console.log(`  · chapters/${folder}/ has no README.md yet: no page for it`);
  }

  const outDir = mkdtempSync(join(tmpdir(), 'lsm-site-'));
  try {
    const started = performance.now();
    const build = await buildSite(outDir);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (build.code !== 0) {
      console.log(build.output.trimEnd().split('\n').slice(-40).join('\n'));
      fail(`site build failed (exit code ${build.code}) after ${seconds} s`);
      for (const c of chapters.filter((c) => build.output.includes(`site/chapters/${c.folder}.md`))) {
        console.log(
          `    site/chapters/${c.folder}.md is the page that includes chapters/${c.folder}/README.md: the error is in the` +
            ' lesson (Vue compiles its prose: `{{` or an unclosed HTML tag outside backticks breaks it).',
        );
      }
      return false;
    }
    console.log(`  ${OK} site built in ${seconds} s`);

    const chunks = join(outDir, 'assets', 'chunks');
    const indexFile = existsSync(chunks)
      ? readdirSync(chunks).find((f) => f.startsWith('@localSearchIndexroot.') && f.endsWith('.js'))
      : undefined;
    const searchIndex = indexFile === undefined ? '' : readFileSync(join(chunks, indexFile), 'utf8');
    if (indexFile === undefined) fail('the local search index (assets/chunks/@localSearchIndexroot.*.js) is missing');

    const home = existsSync(join(outDir, 'index.html')) ? readFileSync(join(outDir, 'index.html'), 'utf8') : '';
    const unlinked = chapters.filter((c) => !home.includes(`href="/chapters/${c.folder}.html"`));
    if (home === '') fail('index.html: no home page');
    else if (unlinked.length > 0) fail(`index.html: does not link ${unlinked.map((c) => c.folder).join(', ')}`);
    else console.log(`  ${OK} index.html · links all ${chapters.length} chapters`);

    let diagrams = 0;
    for (const chapter of chapters) {
      const result = checkChapter(chapter, outDir, searchIndex);
      diagrams += result.diagrams;
      const name = `chapters/${chapter.folder}.html`;
      if (result.problems.length === 0) {
        console.log(`  ${OK} ${name} · ${chapter.title} · ${result.diagrams} diagram(s) · in search`);
      } else {
        fail(`${name} · ${result.problems.join('; ')}`);
      }
    }

    if (diagrams > 0) {
      const mermaid = checkMermaidFiles(outDir);
      if (mermaid.problems.length === 0) {
        console.log(`  ${OK} ${MERMAID_FOLDER} · ${mermaid.modules} modules shipped, every import resolves`);
      } else {
        fail(`${MERMAID_FOLDER} · ${mermaid.problems.slice(0, 5).join('; ')}`);
      }
    }
    return ok;
  } finally {
    if (options.keep === true) console.log(`  built site kept in ${outDir}`);
    else rmSync(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const passed = await checkSite({ keep: process.argv.includes('--keep') });
  console.log(passed ? 'site check: ok' : 'site check: FAILED');
  process.exitCode = passed ? 0 : 1;
}
