/**
 * A Vite plugin for `npm start`: when a lesson or a guide (or the interview
 * kit) appears, disappears or changes its title, the dev server reloads the
 * site config, so the nav, the sidebar and the chapter routes follow without
 * a restart by hand.
 *
 * Edits to a lesson's body need none of this: VitePress already watches
 * included files and hot-reloads the page that includes them.
 */

import { basename, dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { chaptersDir, findChapters } from './chapters.ts';
import { findGuides, findInterviewKit, guideDir, siteDir } from './site-pages.ts';

/** The part of the page lists that the config bakes in (routes, nav and sidebar labels). */
function fingerprint(): string {
  const kit = findInterviewKit();
  return JSON.stringify([
    findChapters().map((c) => [c.folder, c.title]),
    findGuides().map((g) => [g.link, g.title]),
    kit === undefined ? [] : [kit.title],
  ]);
}

/** Returns true iff `file` is one whose presence or title the config bakes in. */
function matters(file: string): boolean {
  if (dirname(dirname(file)) === chaptersDir && basename(file) === 'README.md') return true;
  if (dirname(file) === guideDir && file.endsWith('.md')) return true;
  return file === join(siteDir, 'interview-kit.md');
}

/**
 * Returns the plugin. `configPath` is the site config's own file: VitePress
 * reloads its config when that file changes, so the plugin reports a change
 * to it whenever the chapter list differs from the one the config was built from.
 */
export function chapterWatch(configPath: string): Plugin {
  const builtFrom = fingerprint();
  return {
    name: 'lsm:chapter-watch',
    apply: 'serve',
    configureServer(server) {
      // Folders, not globs: Vite's watcher has globbing turned off.
      server.watcher.add([chaptersDir, guideDir]);
      let reloading = false;
      const check = (file: string): void => {
        if (reloading || !matters(file)) return;
        if (fingerprint() === builtFrom) return;
        reloading = true;
        server.watcher.emit('change', configPath);
      };
      server.watcher.on('add', check);
      server.watcher.on('unlink', check);
      server.watcher.on('change', check);
    },
  };
}
