/**
 * The browser test, run by `npm test` (and alone by
 * `npx tsx scripts/browser-test.ts [--site <built site>]`): the built site
 * in a real Chromium, Debian's `/usr/bin/chromium` driven by playwright-core
 * (never a browser downloaded by Playwright; .ci/run installs it).
 *
 * It serves the built site on a free localhost port with a small static
 * server, visits every page (home, each chapter, the interview kit, each
 * guide: site/.vitepress/site-pages.ts lists them) and checks that:
 *
 * 1. no page logs a console error or throws, and no request fails (a
 *    network error or an HTTP status of 400 or more);
 * 2. every ```mermaid fence of a page's source became an SVG (the theme's
 *    MermaidDiagram marks each drawn one data-state="rendered"): the count
 *    of drawn SVGs equals the count of fences, none failed, none is shrunk
 *    until its text is unreadable, and no page is wider than the window;
 * 3. the local search finds a word that only chapter 9's lesson uses (the
 *    last chapter present, until chapter 9 exists), with a result that
 *    links that chapter;
 * 4. the "Next page" link walks every chapter in order, from chapter 0 to
 *    the last, each page showing the right title.
 *
 * Screenshots (home, a chapter's diagram in light and dark, the interview
 * kit, a guide) are written to artifacts/screenshots/ for a person to look at.
 * Resolves to true iff everything holds.
 */

import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chapterFolders } from '../site/.vitepress/chapters.ts';
import { sitePages, type SitePage } from '../site/.vitepress/site-pages.ts';
import { buildSite, mermaidSources } from './check-site.ts';
import { root } from './run-vitest.ts';

const OK = '✓';
const BAD = '✗';

/** Debian's Chromium; .ci/run installs it with apt-get. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the screenshots go (git-ignored). */
export const SCREENSHOT_DIR = join(root, 'artifacts', 'screenshots');

/** The chapter whose lesson the search test asks about, once it exists. */
const SEARCH_CHAPTER = 9;

/** How long one page may take to load and draw its diagrams. */
const PAGE_TIMEOUT_MS = 20_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves the files under `dir` on 127.0.0.1 at a free port; resolves to the server and its base URL. */
function serve(dir: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    // Assets may be cached, as any static host lets them be: Chromium then keeps the compiled mermaid between pages.
    const cache = extname(file) === '.html' ? 'no-cache' : 'max-age=3600';
    res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': cache });
    createReadStream(file).pipe(res);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      done({ server, base: `http://127.0.0.1:${port}` });
    });
  });
}

/** The words of a markdown file's prose: no front matter, fences, inline code, HTML tags or link targets. */
function proseWords(markdown: string): string[] {
  let inFence = false;
  const prose: string[] = [];
  for (const line of markdown.split(/\r?\n/)) {
    if (/^ {0,3}(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    else if (!inFence) prose.push(line);
  }
  const text = prose
    .join('\n')
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/<[^>\n]*>/g, ' ')
    .replace(/\]\([^)]*\)/g, '] ');
  return text.match(/\b[A-Za-z]{7,}\b/g) ?? [];
}

/**
 * Picks a word that only `target`'s source uses: a prose word of seven
 * letters or more that appears nowhere, not even inside another word, in
 * the source of any other page. The search matches prefixes and tolerates
 * typos, so a word unique only as a whole word would not prove much.
 * Returns the most frequent such word (ties: alphabetical), or undefined.
 */
export function uniqueSearchTerm(target: SitePage, others: readonly SitePage[]): string | undefined {
  const elsewhere = others.map((p) => readFileSync(p.source, 'utf8').toLowerCase()).join('\n');
  const counts = new Map<string, number>();
  for (const word of proseWords(readFileSync(target.source, 'utf8'))) {
    const lower = word.toLowerCase();
    counts.set(lower, (counts.get(lower) ?? 0) + 1);
  }
  return [...counts]
    .filter(([word]) => !elsewhere.includes(word))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** The text of a page's first heading, without VitePress's permalink anchor. */
async function headingOf(page: Page): Promise<string> {
  const text = (await page.locator('main h1, .VPHero .name').first().textContent({ timeout: PAGE_TIMEOUT_MS })) ?? '';
  return text.replace(/\u200b/g, '').trim();
}

/** The smallest scale a diagram may be drawn at (MermaidDiagram.vue's MIN_SCALE, less rounding). */
const MIN_DIAGRAM_SCALE = 0.68;

/**
 * Waits until no diagram on the page is still pending; returns how many were
 * drawn, the messages of those that failed, and how many were shrunk so far
 * below their natural size that their text is unreadable.
 */
async function diagramsOf(page: Page): Promise<{ rendered: number; failed: string[]; tiny: number; total: number }> {
  await page.waitForFunction('document.querySelectorAll(\'.mermaid-diagram[data-state="pending"]\').length === 0', undefined, {
    timeout: PAGE_TIMEOUT_MS,
  });
  const svgs = page.locator('.mermaid-diagram[data-state="rendered"] > .mermaid-svg > svg');
  const rendered = await svgs.count();
  let tiny = 0;
  for (let i = 0; i < rendered; i++) {
    // A diagram in a closed <details> has no box until it is opened: not measured.
    const box = await svgs.nth(i).boundingBox();
    const viewBox = (await svgs.nth(i).getAttribute('viewBox'))?.trim().split(/[\s,]+/).map(Number);
    const natural = viewBox?.[2];
    if (box !== null && natural !== undefined && natural > 0 && box.width / natural < MIN_DIAGRAM_SCALE) tiny++;
  }
  const failed = await page.locator('.mermaid-diagram[data-state="error"] .mermaid-error p').allTextContents();
  const total = await page.locator('.mermaid-diagram').count();
  return { rendered, failed, tiny, total };
}

/** Visits one page and checks its heading, its diagrams and its width; returns the problems found. */
async function checkPage(page: Page, base: string, sitePage: SitePage): Promise<{ problems: string[]; diagrams: number }> {
  const problems: string[] = [];
  await page.goto(`${base}/${sitePage.htmlFile === 'index.html' ? '' : sitePage.htmlFile}`, { waitUntil: 'load' });
  const heading = await headingOf(page);
  if (heading !== sitePage.title) problems.push(`the heading says "${heading}", expected "${sitePage.title}"`);

  const fences = mermaidSources(sitePage.source).length;
  const drawn = await diagramsOf(page);
  if (drawn.rendered !== fences) {
    problems.push(`${drawn.rendered} of ${fences} diagram(s) became an SVG (${drawn.total} on the page)`);
  }
  for (const failure of drawn.failed) problems.push(`a diagram did not render: ${failure.slice(0, 160)}`);
  if (drawn.tiny > 0) problems.push(`${drawn.tiny} diagram(s) shrunk below ${MIN_DIAGRAM_SCALE} of their natural size: unreadable`);

  const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
  if (overflow > 0) problems.push(`the page is ${overflow} px wider than the window: something overflows`);
  return { problems, diagrams: fences };
}

/** Types `term` into the local search box; returns the links of the results shown. */
async function search(page: Page, base: string, term: string): Promise<string[]> {
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await page.locator('.VPNavBarSearch .DocSearch-Button').click();
  const input = page.locator('#localsearch-input');
  await input.waitFor({ timeout: PAGE_TIMEOUT_MS });
  await input.fill(term);
  const results = page.locator('.VPLocalSearchBox a.result');
  await results.first().waitFor({ timeout: PAGE_TIMEOUT_MS });
  const links: string[] = [];
  for (let i = 0; i < (await results.count()); i++) {
    const href = await results.nth(i).getAttribute('href');
    if (href !== null) links.push(href);
  }
  await page.keyboard.press('Escape');
  return links;
}

/** Walks the "Next page" links from the first chapter; returns the problems found and the chapters reached. */
async function walkChapters(page: Page, base: string, chapters: readonly SitePage[]): Promise<{ problems: string[]; reached: number }> {
  const problems: string[] = [];
  if (chapters.length === 0) return { problems: ['no chapters'], reached: 0 };
  await page.goto(`${base}/${chapters[0]!.htmlFile}`, { waitUntil: 'load' });
  let reached = 0;
  for (let i = 0; i < chapters.length; i++) {
    const heading = await headingOf(page);
    if (heading !== chapters[i]!.title) {
      problems.push(`step ${i}: the page says "${heading}", expected "${chapters[i]!.title}"`);
      break;
    }
    reached++;
    const next = page.locator('.VPDocFooter a.pager-link.next');
    if (i === chapters.length - 1) {
      // Past the last chapter the pager may lead on (to the interview kit), never to another chapter.
      const href = (await next.count()) > 0 ? await next.getAttribute('href') : null;
      if (href !== null && href.includes('/chapters/')) problems.push(`the last chapter's "next" leads to another chapter: ${href}`);
      break;
    }
    if ((await next.count()) === 0) {
      problems.push(`${chapters[i]!.title} has no "next" link`);
      break;
    }
    await next.click();
    await page.waitForURL(`**/${chapters[i + 1]!.htmlFile}`, { timeout: PAGE_TIMEOUT_MS });
    // The URL changes before the new page is rendered: wait for its heading.
    await page.locator('main h1', { hasText: chapters[i + 1]!.title }).first().waitFor({ timeout: PAGE_TIMEOUT_MS });
  }
  return { problems, reached };
}

/**
 * Saves the screenshots a person should look at, of the page just checked
 * (already loaded, its diagrams drawn): the home page, the chapter with the
 * most diagrams in light and dark, the interview kit (and an answer
 * unfolded), every guide. Returns the files written.
 */
async function screenshotsOf(page: Page, sitePage: SitePage, diagramChapter: SitePage | undefined): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const written: string[] = [];
  const shoot = async (name: string): Promise<void> => {
    const file = join(SCREENSHOT_DIR, `${name}.png`);
    await page.screenshot({ path: file });
    written.push(file);
  };
  const slug = sitePage.htmlFile.replace(/^(chapters|guide)\//, '').replace(/\.html$/, '');
  if (sitePage.kind === 'home') {
    await shoot('home');
  } else if (sitePage === diagramChapter) {
    await page.locator('.mermaid-diagram').first().scrollIntoViewIfNeeded();
    await shoot(`chapter-${slug}-diagram-light`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload({ waitUntil: 'load' });
    await diagramsOf(page);
    await page.locator('.mermaid-diagram').first().scrollIntoViewIfNeeded();
    await shoot(`chapter-${slug}-diagram-dark`);
    await page.emulateMedia({ colorScheme: 'light' });
  } else if (sitePage.kind === 'interview-kit') {
    await shoot('interview-kit');
    const first = page.locator('main details').first();
    if ((await first.count()) > 0) {
      await first.locator('summary').click();
      await first.scrollIntoViewIfNeeded();
      await shoot('interview-kit-answer');
    }
  } else if (sitePage.kind === 'guide') {
    await shoot(`guide-${slug}`);
  }
  return written;
}

/**
 * Runs the browser test; prints one line per check; resolves to true iff
 * everything holds.
 * @param options.site a built site to test (check-site's output); by default
 *   the site is built into a temporary folder first, and removed afterwards.
 */
export async function browserTest(options: { site?: string } = {}): Promise<boolean> {
  let ok = true;
  const fail = (line: string): void => {
    ok = false;
    console.log(`  ${BAD} ${line}`);
  };
  if (!existsSync(CHROMIUM)) {
    fail(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium), as .ci/run does`);
    return false;
  }
  const started = performance.now();
  const seconds = (): string => ((performance.now() - started) / 1000).toFixed(1);

  let site = options.site;
  let ownSite: string | undefined;
  if (site === undefined || !existsSync(join(site, 'index.html'))) {
    ownSite = mkdtempSync(join(tmpdir(), 'lsm-site-browser-'));
    const build = await buildSite(ownSite);
    if (build.code !== 0) {
      console.log(build.output.trimEnd().split('\n').slice(-20).join('\n'));
      fail(`site build failed (exit code ${build.code}): run npx tsx scripts/check-site.ts`);
      rmSync(ownSite, { recursive: true, force: true });
      return false;
    }
    console.log(`  ${OK} site built in ${seconds()} s`);
    site = ownSite;
  }

  // Only this run's pictures: a stale one would show a page as it no longer is.
  rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
  const { server, base } = await serve(site);
  const profile = mkdtempSync(join(tmpdir(), 'lsm-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);

    // Every console error, uncaught exception and failed request, with the page it happened on.
    const incidents: string[] = [];
    const where = (): string => page.url().replace(base, '') || '/';
    page.on('console', (m) => {
      if (m.type() === 'error') incidents.push(`${where()}: console error: ${m.text().slice(0, 200)}`);
    });
    page.on('pageerror', (e) => incidents.push(`${where()}: uncaught ${e.name}: ${e.message.slice(0, 200)}`));
    page.on('requestfailed', (r) => {
      // A navigation cancels the previous page's prefetches; that is not a failure of the site.
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') incidents.push(`${r.url().replace(base, '')}: ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) incidents.push(`${r.url().replace(base, '')}: HTTP ${r.status()}`);
    });
    const reportIncidents = (what: string): boolean => {
      if (incidents.length === 0) return true;
      fail(`${what}: ${incidents.length} problem(s): ${incidents.slice(0, 5).join('; ')}`);
      incidents.length = 0;
      return false;
    };

    // 1 and 2: every page, and the screenshots on the way.
    const pages = sitePages();
    // The chapter with the most diagrams shows the most of what can go wrong with them.
    const diagramChapter = pages
      .filter((p) => p.kind === 'chapter')
      .map((p) => ({ p, n: mermaidSources(p.source).length }))
      .sort((a, b) => b.n - a.n)
      .find((c) => c.n > 0)?.p;
    const shots: string[] = [];
    for (const sitePage of pages) {
      const result = await checkPage(page, base, sitePage);
      shots.push(...(await screenshotsOf(page, sitePage, diagramChapter)));
      const clean = reportIncidents(sitePage.htmlFile);
      if (result.problems.length > 0) fail(`${sitePage.htmlFile} · ${result.problems.join('; ')}`);
      else if (clean) console.log(`  ${OK} ${sitePage.htmlFile} · ${result.diagrams} diagram(s) drawn · no errors (${seconds()} s)`);
    }

    // 3: the search.
    const chapters = pages.filter((p) => p.kind === 'chapter');
    const wanted = chapterFolders().find((f) => Number(f.slice(0, 2)) === SEARCH_CHAPTER);
    const target = chapters.find((p) => wanted !== undefined && p.htmlFile === `chapters/${wanted}.html`) ?? chapters.at(-1);
    if (target === undefined) {
      fail('search: no chapter to search for');
    } else {
      const term = uniqueSearchTerm(target, pages.filter((p) => p !== target));
      if (term === undefined) {
        fail(`search: no word is unique to ${target.htmlFile}`);
      } else {
        const links = await search(page, base, term);
        const hit = links.some((l) => l.startsWith(`/${target.htmlFile}`));
        if (!hit) fail(`search for "${term}" (only in ${target.htmlFile}) shows ${links.length} result(s), none linking it: ${links.slice(0, 4).join(', ')}`);
        else console.log(`  ${OK} search for "${term}", a word only ${target.title} uses, links ${target.htmlFile} (${seconds()} s)`);
      }
    }
    reportIncidents('search');

    // 4: previous / next.
    const walk = await walkChapters(page, base, chapters);
    if (walk.problems.length > 0) fail(`next-page walk · ${walk.problems.join('; ')}`);
    else console.log(`  ${OK} "Next page" walks all ${walk.reached} chapters in order (${seconds()} s)`);
    reportIncidents('next-page walk');

    console.log(`  ${OK} ${shots.length} screenshots in ${SCREENSHOT_DIR.slice(root.length)}`);
  } catch (error) {
    fail(`the browser test stopped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  } finally {
    await context?.close().catch(() => undefined);
    server.close();
    rmSync(profile, { recursive: true, force: true });
    if (ownSite !== undefined) rmSync(ownSite, { recursive: true, force: true });
  }
  console.log(`  browser test took ${seconds()} s`);
  return ok;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--site');
  const site = at >= 0 ? process.argv[at + 1] : undefined;
  const passed = await browserTest(site === undefined ? {} : { site });
  console.log(passed ? 'browser test: ok' : 'browser test: FAILED');
  process.exitCode = passed ? 0 : 1;
}
