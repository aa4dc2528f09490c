/**
 * The home page's list of pages beyond the chapters (the interview kit and
 * the guides), built from the files on disk (./site-pages.ts) at build time,
 * and rebuilt in `npm start` when a guide changes.
 */

import { defineLoader } from 'vitepress';
import { findGuides, findInterviewKit } from './site-pages.ts';

/** One entry of the home page's list. */
export interface ExtraPage {
  readonly title: string;
  /** The page, from the site's base: `/guide/formats.html`. */
  readonly page: string;
}

declare const data: ExtraPage[];
export { data };

export default defineLoader({
  watch: ['../interview-kit.md', '../guide/*.md'],
  load(): ExtraPage[] {
    const kit = findInterviewKit();
    return [...(kit === undefined ? [] : [kit]), ...findGuides()].map((p) => ({ title: p.title, page: `${p.link}.html` }));
  },
});
