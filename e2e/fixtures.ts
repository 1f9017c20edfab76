/// <reference lib="dom" />
// Browser-mode fixtures: a real Engine and the real HTTP bridge in the Playwright worker (temp CASEFILE_HOME),
// so specs can drive the page and check what it shows against the engine directly.
//
//   import { test, expect } from './fixtures';
//   test('…', async ({ app, casefile }) => { await app.goto(); … await casefile.engine.invoke('events.sources', …) });
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { Engine } from '../electron/engine/engine';
import type { RunningServer } from '../electron/serve/server';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const RENDERER_DIR = path.join(ROOT, 'out', 'renderer');

export interface Casefile {
  engine: Engine;
  server: RunningServer;
  /** The temp CASEFILE_HOME of this worker. */
  home: string;
  /** Case id opened at start (openDefault / caseDir options), else null. */
  defaultCaseId: string | null;
}

export interface PageProblems {
  /** CSP violations reported by the page (securitypolicyviolation events and console reports), and the console's
   *  complaints about our Permissions-Policy header (a feature Chromium does not know is a policy that does nothing). */
  csp: string[];
  /** Uncaught exceptions in the page. */
  errors: string[];
}

type WorkerFixtures = {
  /** Open the bundled demo case (like `casefile serve` without --case). Default false: start with no case. */
  openDefault: boolean;
  /** Open this case folder at start. */
  caseDir: string | undefined;
  /** A data home of its own, named: a test that must start from an empty one (no key, no recent case) sets it. A
   *  worker's home is otherwise shared by every spec it runs (keys imported by one are there for the next); a value
   *  no other spec uses makes Playwright start a worker, and so a home, for that test alone. */
  ownHome: string | undefined;
  casefile: Casefile;
};

type TestFixtures = {
  problems: PageProblems;
  /** The page, with `goto()` that opens the served UI with its token. */
  app: { page: Page; goto(pathname?: string): Promise<void> };
};

export const test = base.extend<TestFixtures, WorkerFixtures>({
  openDefault: [false, { scope: 'worker', option: true }],
  caseDir: [undefined, { scope: 'worker', option: true }],
  ownHome: [undefined, { scope: 'worker', option: true }],

  casefile: [async ({ openDefault, caseDir, ownHome }, use) => {
    const home = await mkdtemp(path.join(os.tmpdir(), `casefile-e2e-home-${ownHome ? `${ownHome}-` : ''}`));
    // The engine reads CASEFILE_HOME; each Playwright worker is its own process, so this stays per worker.
    process.env.CASEFILE_HOME = home;
    const { Engine } = await import('../electron/engine/engine');
    const { startServer } = await import('../electron/serve/server');
    const engine = await Engine.create({ via: 'browser' });
    const defaultCaseId = caseDir || openDefault ? await engine.openDefaultCase(caseDir) : null;
    const server = await startServer({ engine, port: 0, rendererDir: RENDERER_DIR });
    await use({ engine, server, home, defaultCaseId });
    await server.close();
    await engine.close();
    await rm(home, { recursive: true, force: true, maxRetries: 5 });
  }, { scope: 'worker', timeout: 180_000 }],

  problems: async ({ page }, use) => {
    const problems: PageProblems = { csp: [], errors: [] };
    await page.exposeFunction('__casefileCspViolation', (msg: string) => { problems.csp.push(msg); });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __casefileCspViolation(m: string): void })
          .__casefileCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    page.on('console', (m) => { if (/Content Security Policy|Permissions-Policy/i.test(m.text())) problems.csp.push(m.text()); });
    page.on('pageerror', (e) => problems.errors.push(e.message));
    await use(problems);
  },

  app: async ({ page, casefile, problems: _problems }, use) => {
    await use({
      page,
      async goto(pathname = '/') {
        const url = new URL(casefile.server.url);
        url.pathname = pathname;
        await page.goto(url.toString());
      },
    });
  },
});

export { expect };
