/**
 * The chapter lessons, found on disk: every `chapters/NN-name/README.md`, in
 * chapter order. The sidebar, the chapter pages, the home page's list and the
 * site build check (scripts/check-site.ts) all read this one list, so a new
 * chapter folder with a README is published with no other change.
 *
 * Node-only (reads the file system): imported by the site config, the route
 * and data loaders, and the scripts; never by client code.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file sits in site/.vitepress/). */
export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url));

/** Where the chapter folders live. */
export const chaptersDir: string = join(repoRoot, 'chapters');

/** A chapter folder's name: two digits, a dash, a lowercase slug (`01-memtable`). */
const CHAPTER_FOLDER = /^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** `# Chapter 1 — Memtable` (an en or em dash, a hyphen or a colon). */
const CHAPTER_HEADING = /^Chapter\s+(\d+)\s*[—–:-]\s*(.+)$/;

/** One chapter lesson as the site presents it. */
export interface Chapter {
  /** The folder name, which is also the page's slug: `01-memtable`. */
  readonly folder: string;
  /** The chapter number: 1. */
  readonly number: number;
  /** The README's first `# ` heading: `Chapter 1 — Memtable`. */
  readonly title: string;
  /** The sidebar's label: `1. Memtable`. */
  readonly navTitle: string;
  /** The absolute path of the lesson. */
  readonly readme: string;
  /** The page's route, without extension: `/chapters/01-memtable`. */
  readonly link: string;
}

/** A fenced code block: its info string (`mermaid`) and its content, as markdown-it gives it. */
export interface Fence {
  readonly info: string;
  readonly content: string;
}

/**
 * Lists the chapter folders under `dir`, in order, whether or not they hold a
 * lesson yet. Returns the folder names (`00-toolkit`, `01-memtable`, ...).
 */
export function chapterFolders(dir: string = chaptersDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && CHAPTER_FOLDER.test(e.name))
    .map((e) => e.name)
    .sort();
}

/**
 * Finds every chapter that has a lesson (`<folder>/README.md`) under `dir`, in
 * chapter order. Returns an empty list when there is none.
 */
export function findChapters(dir: string = chaptersDir): Chapter[] {
  const chapters: Chapter[] = [];
  for (const folder of chapterFolders(dir)) {
    const readme = join(dir, folder, 'README.md');
    if (!existsSync(readme)) continue;
    const number = Number(folder.slice(0, 2));
    const slug = folder.slice(3);
    const title = firstHeading(readFileSync(readme, 'utf8')) ?? `Chapter ${number} — ${slug}`;
    const named = CHAPTER_HEADING.exec(title);
    chapters.push({
      folder,
      number,
      title,
      navTitle: named ? `${named[1]}. ${named[2]}` : title,
      readme,
      link: `/chapters/${folder}`,
    });
  }
  return chapters;
}

/**
 * Reads the first level-one ATX heading (`# Title`) outside code fences.
 * Returns its text, trimmed and without closing `#`s, or undefined if none.
 */
export function firstHeading(markdown: string): string | undefined {
  let fence: { char: string; length: number } | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence !== undefined) {
      if (marker && marker[1]![0] === fence.char && marker[1]!.length >= fence.length && line.trim() === marker[1]) {
        fence = undefined;
      }
      continue;
    }
    if (marker) {
      fence = { char: marker[1]![0]!, length: marker[1]!.length };
      continue;
    }
    const heading = /^ {0,3}# +(.+?)(?: +#+)? *$/.exec(line);
    if (heading) return heading[1]!.trim();
  }
  return undefined;
}

/**
 * Lists the fenced code blocks of a markdown document, in order. Each
 * content is what markdown-it hands a fence renderer: the lines between the
 * fences, the opening fence's indentation removed, each ending in a newline.
 * A fence left open runs to the end of the document, as in CommonMark.
 */
export function fencedBlocks(markdown: string): Fence[] {
  const blocks: Fence[] = [];
  let open: { char: string; length: number; indent: number; info: string; lines: string[] } | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const marker = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(line);
    if (open === undefined) {
      // A backtick fence's info string may not contain a backtick.
      if (marker && !(marker[2]![0] === '`' && marker[3]!.includes('`'))) {
        open = { char: marker[2]![0]!, length: marker[2]!.length, indent: marker[1]!.length, info: marker[3]!.trim(), lines: [] };
      }
      continue;
    }
    if (marker && marker[2]![0] === open.char && marker[2]!.length >= open.length && marker[3]!.trim() === '') {
      blocks.push(closed(open));
      open = undefined;
      continue;
    }
    open.lines.push(line.replace(new RegExp(`^ {0,${open.indent}}`), ''));
  }
  if (open !== undefined) blocks.push(closed(open));
  return blocks;
}

function closed(open: { info: string; lines: string[] }): Fence {
  return { info: open.info, content: open.lines.map((l) => `${l}\n`).join('') };
}
