/**
 * Writes one page per chapter lesson into site/chapters/: a two-line stub
 * whose body is `<!--@include: ../../chapters/NN-name/README.md-->`. The
 * README stays the single source; VitePress renders it in place of the
 * include, hot-reloads the page when the README changes, and indexes it for
 * the local search.
 *
 * Why stub files and not a dynamic route: VitePress 1.6's local search reads
 * each page's markdown from disk, so dynamic-route pages never reach the
 * search index. The stubs are generated, never committed (site/chapters/ is
 * git-ignored): the site config calls this each time it loads, before
 * VitePress lists the pages, so `npm start`, `npm run site:build` and the
 * build check always see exactly the lessons on disk.
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findChapters } from './chapters.ts';

/** The first line of every generated page; only files that start with it are ever deleted. */
const GENERATED = '# Generated from the lesson by site/.vitepress/lesson-pages.ts: edit the README, not this file.';

/**
 * Makes `<siteDir>/chapters/` hold exactly one page per lesson: writes the
 * missing or outdated ones, deletes generated pages whose lesson is gone.
 * Files it did not generate are left alone. Returns the pages' file names.
 */
export function writeLessonPages(siteDir: string): string[] {
  const pagesDir = join(siteDir, 'chapters');
  mkdirSync(pagesDir, { recursive: true });
  const wanted = new Map<string, string>();
  for (const chapter of findChapters()) {
    const lesson = `chapters/${chapter.folder}/README.md`;
    wanted.set(
      `${chapter.folder}.md`,
      ['---', GENERATED, `lesson: ${lesson}`, '---', '', `<!--@include: ../../${lesson}-->`, ''].join('\n'),
    );
  }
  for (const name of readdirSync(pagesDir)) {
    if (!name.endsWith('.md') || wanted.has(name)) continue;
    const file = join(pagesDir, name);
    if (readFileSync(file, 'utf8').startsWith(`---\n${GENERATED}\n`)) unlinkSync(file);
  }
  for (const [name, text] of wanted) {
    const file = join(pagesDir, name);
    // Rewriting an unchanged page would wake the dev server's watcher for nothing.
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  }
  return [...wanted.keys()];
}
