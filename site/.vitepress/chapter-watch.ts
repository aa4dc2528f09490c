/**
 * A Vite plugin for `npm start`: when a lesson appears, disappears or changes
 * its title, the dev server reloads the site config, so the sidebar and the
 * chapter routes follow without a restart by hand.
 *
 * Edits to a lesson's body need none of this: VitePress already watches
 * included files and hot-reloads the page that includes them.
 */

import { basename, dirname } from 'node:path';
import type { Plugin } from 'vite';
import { chaptersDir, findChapters } from './chapters.ts';

/** The part of the chapter list that the config bakes in (routes and sidebar labels). */
function fingerprint(): string {
  return JSON.stringify(findChapters().map((c) => [c.folder, c.title]));
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
      // A folder, not a glob: Vite's watcher has globbing turned off.
      server.watcher.add(chaptersDir);
      let reloading = false;
      const check = (file: string): void => {
        if (reloading || dirname(dirname(file)) !== chaptersDir || basename(file) !== 'README.md') return;
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
