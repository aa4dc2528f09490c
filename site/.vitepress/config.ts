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

const siteDir = fileURLToPath(new URL('../', import.meta.url));
const chapters = findChapters();
// Before VitePress lists the pages, which it does right after loading this file.
writeLessonPages(siteDir);

export default defineConfig({
  title: 'LSM Trees from the Ground Up',
  description: 'Build a log-structured merge-tree storage engine in TypeScript, one tested component at a time.',
  lang: 'en-GB',
  // Pages are plain .html files: the built site works on any static host.
  cleanUrls: false,

  markdown: {
    config(md) {
      lessonLinks(md, siteDir);
      mermaidFences(md);
    },
  },

  themeConfig: {
    nav: [{ text: 'Chapters', link: chapters[0]?.link ?? '/' }],
    sidebar: [
      {
        text: 'Chapters',
        items: chapters.map((c) => ({ text: c.navTitle, link: c.link })),
      },
    ],
    outline: { level: [2, 3] },
    docFooter: { prev: 'Previous chapter', next: 'Next chapter' },
    // MiniSearch, built into the site: no network, no service.
    search: { provider: 'local' },
  },

  vite: {
    plugins: [chapterWatch(fileURLToPath(import.meta.url)), mermaidAssets()],
  },
});
