/**
 * A markdown-it plugin that makes a lesson's relative links work on the site.
 *
 * A chapter page includes `chapters/NN-name/README.md`, but VitePress resolves
 * the README's relative links against the page (`site/chapters/NN-name.md`),
 * where they would point nowhere. This rule resolves each one against the
 * README's own folder instead:
 *
 * - a link to another lesson (`../02-wal/README.md#format`, `../02-wal/`)
 *   becomes a link to that chapter's page, which VitePress then checks;
 * - a link to the repository's README becomes a link to the home page;
 * - a link to anything else in the repository (a source file, a test folder)
 *   has no page on the site: its text stays, the link goes (the path is kept
 *   as a tooltip), so it can never be a dead link;
 * - a relative image is re-pointed at the README's folder, so Vite bundles it.
 */

import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { MarkdownRenderer } from 'vitepress';
import { chaptersDir, repoRoot } from './chapters.ts';

type Token = ReturnType<MarkdownRenderer['parse']>[number];

/** A chapter page's path relative to the site: `chapters/01-memtable.md`. */
const CHAPTER_PAGE = /^chapters\/(\d\d-[a-z0-9-]+)\.md$/;

/** Scheme (`https:`, `mailto:`), protocol-relative, absolute or same-page links are left alone. */
const NOT_RELATIVE = /^(?:[a-z][a-z0-9+.-]*:|\/|#)/i;

/** Installs the rule on `md`; `siteDir` is the site's source folder (site/). */
export function lessonLinks(md: MarkdownRenderer, siteDir: string): void {
  md.core.ruler.push('lesson_links', (state) => {
    const env = state.env as { relativePath?: string };
    const page = CHAPTER_PAGE.exec(env.relativePath ?? '');
    if (!page) return;
    const readmeDir = join(chaptersDir, page[1]!);
    const pageDir = join(siteDir, 'chapters');
    for (const block of state.tokens) {
      for (const token of block.children ?? []) {
        if (token.type === 'link_open') rewriteLink(token, block.children!, readmeDir);
        else if (token.type === 'image') rewriteImage(token, readmeDir, pageDir);
      }
    }
  });
}

function rewriteLink(open: Token, siblings: Token[], readmeDir: string): void {
  const href = open.attrGet('href');
  if (href === null || NOT_RELATIVE.test(href)) return;
  const { path, suffix } = splitSuffix(href);
  const target = resolve(readmeDir, safeDecode(path));

  const lesson = lessonAt(target);
  if (lesson !== undefined) {
    open.attrSet('href', `./${lesson}.md${suffix}`);
    return;
  }
  if (target === join(repoRoot, 'README.md') || target === resolve(repoRoot)) {
    open.attrSet('href', `/${suffix}`);
    return;
  }
  // No page for it: keep the words, drop the link (its close is the next link_close at this depth).
  const close = siblings.slice(siblings.indexOf(open) + 1).find((t) => t.type === 'link_close' && t.level === open.level);
  const shown = relative(repoRoot, target).split(sep).join('/');
  open.type = 'html_inline';
  open.content = `<span class="repo-path" title="${escapeAttribute(shown)}">`;
  if (close !== undefined) {
    close.type = 'html_inline';
    close.content = '</span>';
  }
}

function rewriteImage(image: Token, readmeDir: string, pageDir: string): void {
  const src = image.attrGet('src');
  if (src === null || NOT_RELATIVE.test(src)) return;
  const target = resolve(readmeDir, safeDecode(src));
  image.attrSet('src', encodeURI(relative(pageDir, target).split(sep).join('/')));
}

/** Returns the chapter folder whose lesson `target` names (the README or its folder), if any. */
function lessonAt(target: string): string | undefined {
  const folder = target.endsWith(`${sep}README.md`) ? dirname(target) : target;
  if (dirname(folder) !== chaptersDir) return undefined;
  const readme = join(folder, 'README.md');
  if (!existsSync(readme) || !statSync(readme).isFile()) return undefined;
  return folder.slice(chaptersDir.length + 1);
}

function splitSuffix(href: string): { path: string; suffix: string } {
  const at = href.search(/[?#]/);
  return at < 0 ? { path: href, suffix: '' } : { path: href.slice(0, at), suffix: href.slice(at) };
}

/** markdown-it percent-encodes link targets; a malformed escape is taken literally rather than failing the build. */
function safeDecode(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
