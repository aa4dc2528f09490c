/**
 * The site: the chapter lessons (chapters/NN-name/README.md, included, never
 * copied), with their mermaid diagrams drawn, a sidebar in chapter order,
 * previous/next links and an offline search.
 *
 * How a lesson becomes a page: ./chapters.ts finds every
 * chapters/NN-name/README.md; ./lesson-pages.ts writes, for each, a stub
 * site/chapters/NN-name.md (git-ignored) whose body is
 * `<!--@include: ../../chapters/NN-name/README.md-->`. The sidebar and the
 * home page's list come from the same discovery. Adding a chapter is adding
 * its folder with a README.md: nothing here changes.
 *
 * The interview kit (site/interview-kit.md) and the guides (site/guide/*.md)
 * are ordinary pages; ./site-pages.ts finds them for the nav and the sidebar,
 * so a new guide needs no change here either.
 *
 * How a diagram is drawn: ./mermaid-fences.ts turns each ```mermaid fence
 * into a <MermaidDiagram> (theme/MermaidDiagram.vue), which draws it in the
 * browser with mermaid's own release build, shipped by ./mermaid-assets.ts.
 */

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';
import { chapterWatch } from './chapter-watch.ts';
import { findChapters } from './chapters.ts';
import { lessonLinks } from './lesson-links.ts';
import { writeLessonPages } from './lesson-pages.ts';
import { mermaidAssets } from './mermaid-assets.ts';
import { mermaidFences } from './mermaid-fences.ts';
import { pendingChapterLinks } from './pending-links.ts';
import { findGuides, findInterviewKit } from './site-pages.ts';

const siteDir = fileURLToPath(new URL('../', import.meta.url));
const chapters = findChapters();
const kit = findInterviewKit();
const guides = findGuides();
// Before VitePress lists the pages, which it does right after loading this file.
writeLessonPages(siteDir);

export default defineConfig({
  title: 'LSM Trees from the Ground Up',
  description: 'Build a log-structured merge-tree storage engine in TypeScript, one tested component at a time.',
  lang: 'en-GB',
  // Without an icon, browsers ask for /favicon.ico and log a 404.
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  // Pages are plain .html files: the built site works on any static host.
  cleanUrls: false,

  markdown: {
    config(md) {
      lessonLinks(md, siteDir);
      pendingChapterLinks(md);
      mermaidFences(md);
    },
  },

  themeConfig: {
    nav: [
      { text: 'Chapters', link: chapters[0]?.link ?? '/' },
      ...(kit === undefined ? [] : [{ text: kit.navTitle, link: kit.link }]),
      ...(guides.length === 0 ? [] : [{ text: 'Guides', items: guides.map((g) => ({ text: g.navTitle, link: g.link })) }]),
    ],
    // One sidebar on every page; the pager (previous / next) walks it in this
    // order: the chapters, then the interview kit, then the guides.
    sidebar: [
      {
        text: 'Chapters',
        items: chapters.map((c) => ({ text: c.navTitle, link: c.link })),
      },
      ...(kit === undefined ? [] : [{ text: 'Prepare', items: [{ text: kit.navTitle, link: kit.link }] }]),
      ...(guides.length === 0 ? [] : [{ text: 'Guides', items: guides.map((g) => ({ text: g.navTitle, link: g.link })) }]),
    ],
    outline: { level: [2, 3] },
    docFooter: { prev: 'Previous page', next: 'Next page' },
    // MiniSearch, built into the site: no network, no service.
    search: { provider: 'local' },
  },

  vite: {
    plugins: [chapterWatch(fileURLToPath(import.meta.url)), mermaidAssets()],
  },
});
