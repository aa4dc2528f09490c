/**
 * A Vite plugin that ships mermaid's own browser build (the self-contained
 * ES modules in node_modules/mermaid/dist: `mermaid.esm.min.mjs` and its
 * chunks) with the site, unbundled, under `<base>mermaid-<version>/`.
 * theme/MermaidDiagram.vue imports it from there on a page's first diagram.
 *
 * Why not let Vite bundle mermaid: it is a few megabytes of already-built
 * JavaScript, and bundling it again tripled the site's build time. Copying
 * the release files keeps `npm test`'s site build fast, and the versioned
 * folder keeps browsers from mixing files of two mermaid releases.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);
const packageJson = require.resolve('mermaid/package.json');
const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
const dist = join(dirname(packageJson), 'dist');

/** The site-relative folder the files are served from: `mermaid-11.17.2/`. */
export const MERMAID_FOLDER = `mermaid-${version}/`;

/** The entry module's path from the site's base (give it to `withBase`). */
export const MERMAID_ENTRY = `/${MERMAID_FOLDER}mermaid.esm.min.mjs`;

/** Lists the files to ship, relative to mermaid's dist/ (no source maps). */
function releaseFiles(): string[] {
  const chunks = 'chunks/mermaid.esm.min';
  return [
    'mermaid.esm.min.mjs',
    ...readdirSync(join(dist, chunks))
      .filter((name) => name.endsWith('.mjs'))
      .map((name) => `${chunks}/${name}`),
  ];
}

/** Returns the plugin; it also defines `__MERMAID_ENTRY__` (MERMAID_ENTRY) for the client. */
export function mermaidAssets(): Plugin {
  let base = '/';
  let ssr = false;
  return {
    name: 'lsm:mermaid-assets',
    config: () => ({ define: { __MERMAID_ENTRY__: JSON.stringify(MERMAID_ENTRY) } }),
    configResolved(config) {
      base = config.base;
      ssr = Boolean(config.build.ssr);
    },
    configureServer(server) {
      const prefix = `${base}${MERMAID_FOLDER}`;
      const files = new Set(releaseFiles());
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0] ?? '';
        const file = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
        if (file === undefined || !files.has(file)) return next();
        res.setHeader('Content-Type', 'text/javascript');
        res.end(readFileSync(join(dist, file)));
      });
    },
    generateBundle() {
      if (ssr) return;
      for (const file of releaseFiles()) {
        this.emitFile({ type: 'asset', fileName: `${MERMAID_FOLDER}${file}`, source: readFileSync(join(dist, file)) });
      }
    },
  };
}
