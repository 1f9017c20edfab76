/// <reference lib="dom" />
// The served UI loads under the strict CSP without a single violation, and a contract call round-trips from the
// page through the bridge to the real engine.
import { CSP } from '../electron/door/staticFiles';
import { expect, test } from './fixtures';

test('page loads with no CSP violations and app.info round-trips', async ({ app, casefile, problems }) => {
  const response = await app.page.goto(casefile.server.url);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toBe(CSP);
  await app.page.waitForLoadState('networkidle');

  const info = await app.page.evaluate(async (token) => {
    const res = await fetch('/api/app.info', { method: 'POST', headers: { 'content-type': 'application/json', 'x-casefile-token': token }, body: '{}' });
    return res.json();
  }, casefile.server.token);
  const direct = await casefile.engine.invoke('app.info', {}) as { version: string };
  expect(info).toMatchObject({ ok: true, value: { mode: 'browser', version: direct.version } });

  expect(problems.csp).toEqual([]);
  expect(problems.errors).toEqual([]);
});

test('the CSP is enforced: an injected inline script does not run', async ({ app, casefile, problems }) => {
  await app.page.goto(casefile.server.url);
  const ran = await app.page.evaluate(() => {
    const w = window as unknown as { __inlineRan?: boolean };
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.appendChild(s);
    return w.__inlineRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => problems.csp.length).toBeGreaterThan(0);
});

test('the API refuses a page without the token', async ({ app, casefile }) => {
  await app.page.goto(casefile.server.url);
  const status = await app.page.evaluate(async () => {
    const res = await fetch('/api/app.info', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return res.status;
  });
  expect(status).toBe(401);
});
