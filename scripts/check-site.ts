/**
 * The site build check, run by `npm test` (and alone by
 * `npx tsx scripts/check-site.ts [--keep]`). Builds the site into a temporary
 * folder, then checks that:
 *
 * 1. every lesson, chapters/NN-name/README.md, has a built page (a chapter
 *    folder without a lesson yet is noted, not failed), and so do the
 *    interview kit and every guide (site/guide/*.md);
 * 2. every ```mermaid fence of a page's source reached the page as a diagram
 *    component carrying that exact source (so the browser draws it), not as
 *    a code block, and the mermaid files the component loads are shipped,
 *    every import among them resolving;
 * 3. the home page links every chapter, the interview kit and every guide,
 *    and so does the sidebar;
 * 4. the local search index holds every chapter, the kit and every guide;
 * 5. every link from one page to a section of another (`#anchor`) lands on a
 *    heading that exists (VitePress checks the page, not the anchor).
 *
 * Prints one line per page, and resolves to true iff everything holds.
 * `--keep` leaves the built site in place and prints where it is.
 * The browser test (scripts/browser-test.ts) can reuse the built site.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chapterFolders, fencedBlocks, findChapters } from '../site/.vitepress/chapters.ts';
import { sitePages, type SitePage } from '../site/.vitepress/site-pages.ts';
import { MERMAID_ENTRY, MERMAID_FOLDER } from '../site/.vitepress/mermaid-assets.ts';
import { root } from './run-vitest.ts';

const OK = '✓';
const BAD = '✗';

/** Builds the site into `outDir`; resolves to the build's exit code and its output. */
export function buildSite(outDir: string): Promise<{ code: number; output: string }> {
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

/** Lists the sources of the ```mermaid fences in a markdown file, in order. */
export function mermaidSources(markdownFile: string): string[] {
  return fencedBlocks(readFileSync(markdownFile, 'utf8'))
    .filter((f) => f.info === 'mermaid')
    .map((f) => f.content);
}

/** Checks one page (a chapter, the kit, a guide); returns the problems found (none: the page is good). */
function checkPage(page: SitePage, outDir: string, searchIndex: string): { problems: string[]; diagrams: number } {
  const built = join(outDir, page.htmlFile);
  if (!existsSync(built)) return { problems: ['no page was built'], diagrams: 0 };
  const html = readFileSync(built, 'utf8');
  const problems: string[] = [];
  if (!/<h1[ >]/.test(html)) {
    problems.push(page.kind === 'chapter' ? 'the page has no heading: is the lesson included?' : 'the page has no heading');
  }

  const wanted = mermaidSources(page.source);
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
  if (unmatched.length > 0) problems.push(`${unmatched.length} diagram(s) on the page match no fence of its source`);

  if (!searchIndex.includes(`"${page.link}.html`)) problems.push('not in the search index');
  problems.push(...brokenAnchors(page, html, outDir));
  return { problems, diagrams: wanted.length };
}

/**
 * Lists the links of a page that point at a section of a built page
 * (`/chapters/04-sstable.html#the-footer`) whose heading does not exist.
 * Same-page links (`#x`) are checked against the page itself.
 */
function brokenAnchors(page: SitePage, html: string, outDir: string): string[] {
  const broken = new Set<string>();
  const ids = new Map<string, string>();
  const idsOf = (file: string): string | undefined => {
    if (!ids.has(file)) ids.set(file, existsSync(file) ? readFileSync(file, 'utf8') : '');
    return ids.get(file);
  };
  // Only the page's own content: the nav and the sidebar carry no anchors.
  const main = html.slice(Math.max(0, html.indexOf('class="vp-doc')));
  for (const m of main.matchAll(/<a [^>]*href="([^"#]*)#([^"]+)"/g)) {
    const path = unescapeHtml(m[1]!);
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) continue;
    const target = path === '' ? join(outDir, page.htmlFile) : path.startsWith('/') ? join(outDir, path) : resolve(dirname(join(outDir, page.htmlFile)), path);
    if (!target.endsWith('.html')) continue;
    const anchor = safeDecode(unescapeHtml(m[2]!));
    const text = idsOf(target);
    if (text === '' || text === undefined) {
      broken.add(`${path}#${anchor} (no such page)`);
    } else if (!text.includes(`id="${escapeAttribute(anchor)}"`)) {
      broken.add(`${path || page.htmlFile}#${anchor}`);
    }
  }
  return broken.size === 0 ? [] : [`link(s) to a missing heading: ${[...broken].slice(0, 6).join(', ')}`];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Escapes an attribute value the way Vue's server renderer does. */
function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
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

/**
 * Runs the check; prints one line per page; resolves to true iff the site is whole.
 * @param options.outDir build into this folder and leave it there (the caller
 *   removes it; the browser test reuses it); by default, a temporary folder
 *   removed afterwards unless `keep` is set.
 */
export async function checkSite(options: { keep?: boolean; outDir?: string } = {}): Promise<boolean> {
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

  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'lsm-site-'));
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
    const linked = sitePages().filter((p) => p.kind !== 'home');
    const unlinked = linked.filter((p) => !home.includes(`href="${p.link}.html"`));
    const others = linked.length - chapters.length;
    if (home === '') fail('index.html: no home page');
    else if (unlinked.length > 0) fail(`index.html: does not link ${unlinked.map((p) => p.htmlFile).join(', ')}`);
    else console.log(`  ${OK} index.html · links all ${chapters.length} chapters and ${others} other page(s)`);

    const pages = sitePages().filter((p) => p.kind !== 'home');
    const firstChapter = pages.find((p) => p.kind === 'chapter');
    const sidebarHtml = firstChapter === undefined ? '' : readIfExists(join(outDir, firstChapter.htmlFile));
    const notInSidebar = pages.filter((p) => p.kind !== 'chapter' && !sidebarHtml.includes(`href="${p.link}.html"`));
    if (firstChapter !== undefined && notInSidebar.length > 0) {
      fail(`the sidebar does not link ${notInSidebar.map((p) => p.htmlFile).join(', ')}`);
    }

    let diagrams = 0;
    for (const page of pages) {
      const result = checkPage(page, outDir, searchIndex);
      diagrams += result.diagrams;
      if (result.problems.length === 0) {
        console.log(`  ${OK} ${page.htmlFile} · ${page.title} · ${result.diagrams} diagram(s) · in search`);
      } else {
        fail(`${page.htmlFile} · ${result.problems.join('; ')}`);
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
    if (options.outDir !== undefined) {
      // The caller's folder: the caller cleans up.
    } else if (options.keep === true) console.log(`  built site kept in ${outDir}`);
    else rmSync(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const passed = await checkSite({ keep: process.argv.includes('--keep') });
  console.log(passed ? 'site check: ok' : 'site check: FAILED');
  process.exitCode = passed ? 0 : 1;
}
