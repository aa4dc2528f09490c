/**
 * Every page of the site, found on disk: the home page, the chapter lessons
 * (./chapters.ts), the interview kit and the guides (`site/guide/*.md`). The
 * nav, the sidebar, the site build check (scripts/check-site.ts) and the
 * browser test (scripts/browser-test.ts) all read these lists, so a new
 * guide is published, checked and visited with no other change.
 *
 * Node-only (reads the file system), like ./chapters.ts.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChapters, firstHeading } from './chapters.ts';

/** The site's source folder (this file sits in site/.vitepress/). */
export const siteDir: string = fileURLToPath(new URL('../', import.meta.url));

/** Where the guides live. */
export const guideDir: string = join(siteDir, 'guide');

/** The interview kit's page, from the site's base, without extension. */
export const INTERVIEW_KIT_LINK = '/interview-kit';

/**
 * The guides' order in the nav and the sidebar, by file name without `.md`.
 * A guide not listed here comes after these, in alphabetical order.
 */
const GUIDE_ORDER = ['formats', 'crash-safety', 'distributed', 'tuning', 'benchmarks'];

/** What a page is: it decides where the page sits in the nav and how tests treat it. */
export type PageKind = 'home' | 'chapter' | 'interview-kit' | 'guide';

/** One page of the site. */
export interface SitePage {
  readonly kind: PageKind;
  /** The page's first heading (the home page: the site's name). */
  readonly title: string;
  /** The sidebar's label. */
  readonly navTitle: string;
  /** The route from the site's base, without extension: `/guide/formats`; the home page is `/`. */
  readonly link: string;
  /** The built file, relative to the output folder: `guide/formats.html`. */
  readonly htmlFile: string;
  /** The absolute path of the markdown the page is rendered from (a chapter: its README). */
  readonly source: string;
}

/** Lists the guides, `site/guide/*.md`, in nav order. Returns an empty list when there is none. */
export function findGuides(dir: string = guideDir): SitePage[] {
  if (!existsSync(dir)) return [];
  const rank = (name: string): number => {
    const at = GUIDE_ORDER.indexOf(name);
    return at < 0 ? GUIDE_ORDER.length : at;
  };
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.slice(0, -3))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name) => {
      const source = join(dir, `${name}.md`);
      const title = firstHeading(readFileSync(source, 'utf8')) ?? name;
      return { kind: 'guide', title, navTitle: title, link: `/guide/${name}`, htmlFile: `guide/${name}.html`, source };
    });
}

/** Returns the interview kit's page, or undefined if site/interview-kit.md does not exist. */
export function findInterviewKit(): SitePage | undefined {
  const source = join(siteDir, 'interview-kit.md');
  if (!existsSync(source)) return undefined;
  const title = firstHeading(readFileSync(source, 'utf8')) ?? 'Interview kit';
  return { kind: 'interview-kit', title, navTitle: 'Interview kit', link: INTERVIEW_KIT_LINK, htmlFile: 'interview-kit.html', source };
}

/** Lists every page: home, the chapters in order, the interview kit, the guides. */
export function sitePages(): SitePage[] {
  const home: SitePage = {
    kind: 'home',
    title: 'LSM Trees from the Ground Up',
    navTitle: 'Home',
    link: '/',
    htmlFile: 'index.html',
    source: join(siteDir, 'index.md'),
  };
  const chapters: SitePage[] = findChapters().map((c) => ({
    kind: 'chapter',
    title: c.title,
    navTitle: c.navTitle,
    link: c.link,
    htmlFile: `chapters/${c.folder}.html`,
    source: c.readme,
  }));
  const kit = findInterviewKit();
  return [home, ...chapters, ...(kit === undefined ? [] : [kit]), ...findGuides()];
}
