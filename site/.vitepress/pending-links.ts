/**
 * A markdown-it plugin for the pages written for the site (the interview
 * kit, the guides): a link to a chapter whose lesson is not written yet
 * (`/chapters/09-leveled-compaction#concepts` while there is no
 * chapters/09-leveled-compaction/README.md) keeps its words and loses its
 * link, with a tooltip saying why. The page then builds, with no dead link,
 * while the chapters are still being written, and the link comes back by
 * itself when the lesson appears.
 *
 * Lesson pages need none of this: ./lesson-links.ts already handles their
 * relative links, and the same way.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MarkdownRenderer } from 'vitepress';
import { chaptersDir } from './chapters.ts';

/** A site-absolute link to a chapter page: `/chapters/09-leveled-compaction(.md|.html)?(#...)?`. */
const CHAPTER_LINK = /^\/chapters\/((\d\d)-[a-z0-9-]+?)(?:\.md|\.html)?(?:[?#].*)?$/;

/** Installs the rule on `md`. */
export function pendingChapterLinks(md: MarkdownRenderer): void {
  md.core.ruler.push('pending_chapter_links', (state) => {
    for (const block of state.tokens) {
      const children = block.children ?? [];
      for (const open of children) {
        if (open.type !== 'link_open') continue;
        const match = CHAPTER_LINK.exec(open.attrGet('href') ?? '');
        if (match === null || existsSync(join(chaptersDir, match[1]!, 'README.md'))) continue;
        const close = children.slice(children.indexOf(open) + 1).find((t) => t.type === 'link_close' && t.level === open.level);
        open.type = 'html_inline';
        open.content = `<span class="pending-chapter" title="Chapter ${Number(match[2])} is being written: this link appears with it">`;
        if (close !== undefined) {
          close.type = 'html_inline';
          close.content = '</span>';
        }
      }
    }
  });
}
