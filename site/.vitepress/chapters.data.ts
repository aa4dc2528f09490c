/**
 * The home page's chapter list, built from the lessons on disk (./chapters.ts)
 * at build time, and rebuilt in `npm start` when a lesson changes.
 */

import { defineLoader } from 'vitepress';
import { findChapters } from './chapters.ts';

/** One entry of the home page's list. */
export interface ChapterEntry {
  readonly number: number;
  /** The lesson's first heading: `Chapter 1 — Memtable`. */
  readonly title: string;
  /** The page, from the site's base: `/chapters/01-memtable.html`. */
  readonly page: string;
}

declare const data: ChapterEntry[];
export { data };

export default defineLoader({
  watch: ['../../chapters/*/README.md'],
  load(): ChapterEntry[] {
    return findChapters().map((c) => ({ number: c.number, title: c.title, page: `${c.link}.html` }));
  },
});
