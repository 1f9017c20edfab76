// Sealed credential bundles in browser mode against the real engine and bridge: import a key made by real gpg,
// unlock it, open a bundle masked, reveal one field (shown, then hidden again), lock. Every /api response and every
// SSE message is recorded: an unrevealed value never reaches the page, the revealed one only in its reveal answer,
// and the audit trail records the reveal without the value.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GpgLab } from '../electron/testkit/gpg';
import { removeDir } from '../electron/testkit/tmp';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const tok = (p: string) => `${p}-${randomBytes(8).toString('hex')}`;

/** Whether anything the page can still reach holds `needle`: a heap snapshot (taken after a full GC) searched as text. */
async function pageHeapHolds(page: Page, needle: string): Promise<boolean> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => chunks.push(e.chunk));
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  return chunks.join('').includes(needle);
}


/**
 * Every /api/ answer the page gets (not the event stream), with its body. The entry is taken when the response
 * arrives and its body read after: `recorded()` waits for every body, so a value shown on the page (its answer's body
 * still being read here) is never missed. (Pushing only once the body was read lost the second reveal in a CI run.)
 */
function recordAnswers(page: Page): () => Promise<{ url: string; body: string }[]> {
  const answers: Promise<{ url: string; body: string }>[] = [];
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/api/') && url.pathname !== '/api/events') answers.push(r.text().catch(() => '').then((body) => ({ url: url.pathname, body })));
  });
  return () => Promise.all(answers);
}
test('an unrevealed value never reaches the page; reveal shows one; audit has no value', async ({ app, casefile }) => {
  const { page } = app;
  const passphrase = tok('pass');
  const values = { host: tok('host'), user: tok('user'), password: tok('pw'), token: tok('tok') };
  const lab = GpgLab.create();
  const work = mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-sealed-'));
  try {
    const me = await lab.genKey('Operator <op@example.test>', passphrase);
    const sealedFile = path.join(work, 'creds.yaml.gpg');
    writeFileSync(sealedFile, await lab.encrypt(`db:\n  host: ${values.host}\n  user: ${values.user}\n  password: ${values.password}\napi:\n  token: ${values.token}\n`, { to: [me.fingerprint] }));

    const recorded = recordAnswers(page);
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __sse: string[] }).__sse = seen;
      const add = EventSource.prototype.addEventListener;
      EventSource.prototype.addEventListener = function (this: EventSource, type: string, fn: unknown, opts?: unknown) {
        const wrapped = (ev: MessageEvent) => { seen.push(`${type} ${String(ev.data)}`); (fn as (e: MessageEvent) => void)(ev); };
        return add.call(this, type, wrapped as EventListener, opts as AddEventListenerOptions);
      } as typeof EventSource.prototype.addEventListener;
    });
    await app.goto();

    // Import the key and unlock it in the key manager.
    await page.getByTestId('tab-keys').click();
    await page.getByTestId('key-import-text').fill(me.secretArmored);
    await page.getByTestId('key-import-submit').click();
    await expect(page.getByTestId('key-row')).toContainText(me.fingerprint);
    await expect(page.getByTestId('key-row')).toContainText('passphrase · desktop, cli, browser');
    await page.getByTestId('key-unlock').click();
    await page.getByTestId('unlock-passphrase').fill('wrong');
    await page.getByTestId('unlock-submit').click();
    await expect(page.getByTestId('keys-error')).toContainText('Wrong passphrase');
    await page.getByTestId('key-unlock').click();
    await page.getByTestId('unlock-passphrase').fill(passphrase);
    await page.getByTestId('unlock-submit').click();
    await expect(page.getByTestId('key-status')).toContainText(/unlocked · \d+s left/);

    // Open the bundle: masked.
    await page.getByTestId('tab-credentials').click();
    await page.getByTestId('sealed-path').fill(sealedFile);
    await page.getByTestId('sealed-open').click();
    await expect(page.getByTestId('field')).toHaveCount(6);
    await expect(page.getByTestId('field-value')).toHaveText(['•••••', '•••••', '•••••', '•••••']);
    const pwRow = page.locator('[data-testid="field"][data-path="db.password"]');
    await pwRow.getByTestId('field-reveal').click();
    await expect(pwRow.getByTestId('field-value')).toHaveText(values.password);
    await expect(pwRow.getByTestId('field-value')).toHaveText('•••••', { timeout: 15_000 }); // hidden again after a few seconds
    // ...and gone from the page: React keeps a component's earlier state in its fibers, so the value must not be state.
    expect(await pageHeapHolds(page, values.password)).toBe(false);
    expect(await pageHeapHolds(page, passphrase)).toBe(false); // the unlock prompt sent it once and kept nothing

    // Lock: the open file goes away.
    await page.getByTestId('tab-keys').click();
    await page.getByTestId('keys-lock-all').click();
    await expect(page.getByTestId('keys-lock-state')).toContainText('locked');
    await page.getByTestId('tab-credentials').click();
    await expect(page.getByTestId('masked-tree')).toHaveCount(0);

    // What reached the page.
    const sse = await page.evaluate(() => (window as unknown as { __sse: string[] }).__sse);
    expect(sse.some((m) => m.startsWith('keys.state'))).toBe(true);
    const answers = await recorded();
    expect(answers.some((a) => a.url === '/api/sealed.open')).toBe(true);
    for (const a of answers) {
      for (const v of [values.host, values.user, values.token, passphrase]) expect(a.body, a.url).not.toContain(v);
      if (a.url !== '/api/sealed.reveal') expect(a.body, a.url).not.toContain(values.password);
    }
    expect(answers.filter((a) => a.body.includes(values.password)).map((a) => a.url)).toEqual(['/api/sealed.reveal']);
    for (const m of sse) for (const v of [...Object.values(values), passphrase]) expect(m).not.toContain(v);

    // The audit trail: the reveal, named by field and file, without the value.
    const trail = readFileSync(path.join(casefile.home, 'app-audit.jsonl'), 'utf8');
    const reveal = trail.trim().split('\n').map((l) => JSON.parse(l) as { action: string; params: Record<string, unknown> }).find((e) => e.action === 'sealed.reveal');
    expect(reveal?.params).toMatchObject({ field: 'db.password', name: 'creds.yaml.gpg' });
    expect(String(reveal?.params.sha256)).toMatch(/^[0-9a-f]{64}$/);
    for (const v of [...Object.values(values), passphrase]) expect(trail).not.toContain(v);
  } finally {
    lab.close();
    removeDir(work);
  }
});

test('a sealed file that closes on its own while shown is shown closed, with why', async ({ app, casefile }) => {
  const { page } = app;
  const lab = GpgLab.create();
  const work = mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-sealed-idle-'));
  const crypto = casefile.engine.context.crypto;
  const before = crypto.unlocker.limits();
  try {
    const password = tok('pw');
    const sealedFile = path.join(work, 'idle.env.gpg');
    writeFileSync(sealedFile, await lab.encrypt(`TOKEN=${tok('tok')}\n`, { password }));
    // Below the settings file's 10 s floor, so the spec need not wait: the engine's timer is what is under test.
    crypto.unlocker.setSettings({ unlockSeconds: 600, idleSeconds: 2 });
    await app.goto();
    await page.getByTestId('tab-credentials').click();
    await page.getByTestId('sealed-path').fill(sealedFile);
    await page.locator('input[name="password"]').fill(password);
    await page.getByTestId('sealed-open').click();
    await expect(page.getByTestId('masked-tree')).toBeVisible();
    await expect(page.getByTestId('masked-tree')).toHaveCount(0, { timeout: 15_000 });
    await expect(page.getByTestId('sealed-closed')).toHaveText('idle.env.gpg closed after 2 seconds idle: open it again.');
  } finally {
    crypto.unlocker.setSettings(before);
    crypto.sessions.closeAll();
    lab.close();
    removeDir(work);
  }
});

test('a key the file repeats: every entry shown masked and numbered, a warning without values beside them, each revealing its own value', async ({ app, casefile }) => {
  const { page } = app;
  const lab = GpgLab.create();
  const work = mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-sealed-dup-'));
  try {
    const password = tok('pw');
    const values = [tok('first'), tok('second'), tok('user')] as const;
    const sealedFile = path.join(work, 'dup.env.gpg');
    writeFileSync(sealedFile, await lab.encrypt(`DB_PASSWORD=${values[0]}\nDB_USER=${values[2]}\nDB_PASSWORD=${values[1]}\n`, { password }));
    const recorded = recordAnswers(page);
    await app.goto();
    await page.getByTestId('tab-credentials').click();
    await page.getByTestId('sealed-path').fill(sealedFile);
    await page.locator('input[name="password"]').fill(password);
    await page.getByTestId('sealed-open').click();
    await expect(page.getByTestId('sealed-duplicate')).toHaveText('⚠ DB_PASSWORD appears 2 times (lines 1 and 3). Most loaders use the last one.');
    await expect(page.getByTestId('field')).toHaveText([/^DB_PASSWORD #1•••••/, /^DB_USER•••••/, /^DB_PASSWORD #2•••••/]);
    for (const [n, value] of [[1, values[0]], [2, values[1]]] as const) {
      const row = page.locator(`[data-testid="field"][data-path="DB_PASSWORD#${n}"]`);
      await row.getByTestId('field-reveal').click();
      await expect(row.getByTestId('field-value')).toHaveText(value);
    }
    expect((await recorded()).filter((x) => values.some((v) => x.body.includes(v))).map((x) => x.url)).toEqual(['/api/sealed.reveal', '/api/sealed.reveal']);
    // The trail: each reveal names its entry; the open records what it did before (no warning text, no value).
    const trail = readFileSync(path.join(casefile.home, 'app-audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; params: Record<string, unknown> });
    const mine = trail.filter((e) => e.params.name === 'dup.env.gpg');
    expect(mine.filter((e) => e.action === 'sealed.reveal').map((e) => e.params.field)).toEqual(['DB_PASSWORD#1', 'DB_PASSWORD#2']);
    expect(Object.keys(mine.find((e) => e.action === 'sealed.open')!.params).sort()).toEqual(['fields', 'file', 'name', 'openedBy', 'recipients', 'sessionId', 'sha256', 'signer']);
    expect(JSON.stringify(mine)).not.toMatch(new RegExp(`appears|${values.join('|')}`));
  } finally {
    casefile.engine.context.crypto.sessions.closeAll();
    lab.close();
    removeDir(work);
  }
});

test('a file open in the engine is on the page until it closes: back on the tab and after a reload it is shown masked and closes from there; a lock takes it off', async ({ app, casefile }) => {
  const { page } = app;
  const lab = GpgLab.create();
  const work = mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-sealed-kept-'));
  const sessions = casefile.engine.context.crypto.sessions;
  try {
    const passphrase = tok('pass');
    const me = await lab.genKey('Operator <op@example.test>', passphrase);
    const other = await lab.genKey('Second <two@example.test>', passphrase);
    for (const k of [me, other]) {
      await casefile.engine.invoke('keys.import', { kind: 'secret', armored: k.secretArmored });
      await casefile.engine.invoke('keys.unlock', { ref: k.fingerprint, passphrase });
    }
    const password = tok('pw');
    const sealedFile = path.join(work, 'kept.yaml.gpg');
    writeFileSync(sealedFile, await lab.encrypt(`db:\n  password: ${password}\n`, { to: [me.fingerprint] }));
    const pwRow = page.locator('[data-testid="field"][data-path="db.password"]');
    const revealAndLeave = async () => {
      await pwRow.getByTestId('field-reveal').click();
      await expect(pwRow.getByTestId('field-value')).toHaveText(password);
    };
    const shownMasked = async () => {
      await page.getByTestId('tab-credentials').click();
      await expect(page.getByTestId('masked-tree')).toHaveCount(1);
      await expect(page.getByTestId('masked-tree')).toContainText('kept.yaml.gpg');
      await expect(pwRow.getByTestId('field-value')).toHaveText('•••••');
      expect(await page.content()).not.toContain(password);
      expect(await pageHeapHolds(page, password)).toBe(false);
    };

    await app.goto();
    await page.getByTestId('tab-credentials').click();
    await page.getByTestId('sealed-path').fill(sealedFile);
    await page.getByTestId('sealed-open').click();
    await revealAndLeave();
    await page.getByTestId('tab-keys').click();
    expect(sessions.list()).toHaveLength(1); // still open in the engine: the page must show it
    await shownMasked();

    await revealAndLeave();
    await page.reload();
    await shownMasked();
    await page.getByTestId('sealed-close').click();
    await expect(page.getByTestId('masked-tree')).toHaveCount(0);
    expect(sessions.list()).toHaveLength(0);

    // Locking any one key closes every open file in the engine; the page drops it and says why.
    await page.getByTestId('sealed-path').fill(sealedFile);
    await page.getByTestId('sealed-open').click();
    await expect(page.getByTestId('masked-tree')).toHaveCount(1);
    await casefile.engine.invoke('keys.lock', { ref: other.fingerprint });
    await expect(page.getByTestId('masked-tree')).toHaveCount(0);
    await expect(page.getByTestId('sealed-closed')).toHaveText('kept.yaml.gpg closed when a key was locked: open it again.');
  } finally {
    sessions.closeAll();
    await casefile.engine.invoke('keys.lock', {});
    lab.close();
    removeDir(work);
  }
});

test('a file for a locked key: its prompt retries a wrong passphrase, a cancel says nothing was unlocked, the right one opens the file', async ({ app, casefile }) => {
  const { page } = app;
  const lab = GpgLab.create();
  const work = mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-sealed-unlock-'));
  const passphrase = tok('pass');
  const me = await lab.genKey('Operator <op@example.test>', passphrase);
  try {
    await casefile.engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored });
    const password = tok('pw');
    const sealedFile = path.join(work, 'locked.env.gpg');
    writeFileSync(sealedFile, await lab.encrypt(`DB_PASSWORD=${password}\n`, { to: [me.fingerprint] }));
    await app.goto();
    await page.getByTestId('tab-credentials').click();
    await page.getByTestId('sealed-path').fill(sealedFile);
    await page.getByTestId('sealed-open').click();
    await expect(page.getByTestId('sealed-error')).toContainText('which is locked: unlock it first');

    // Cancel unlocks nothing, and the page must not say it did.
    await page.getByTestId('unlock-cancel').click();
    await expect(page.getByTestId('unlock-prompt')).toHaveCount(0);
    await expect(page.getByTestId('sealed-error')).toHaveText('Not unlocked: the file stays closed. Open it again to give the passphrase.');
    expect((await casefile.engine.call('keys.state', {})).locked).toBe(true);

    // A wrong passphrase is said, and the prompt stays for another try.
    await page.getByTestId('sealed-open').click();
    await page.getByTestId('unlock-passphrase').fill('wrong');
    await page.getByTestId('unlock-submit').click();
    await expect(page.getByTestId('sealed-error')).toHaveText('Wrong passphrase for this key.');
    await page.getByTestId('unlock-passphrase').fill(passphrase);
    await page.getByTestId('unlock-submit').click();
    // The right one opens the file that asked for it, masked.
    await expect(page.getByTestId('masked-tree')).toContainText('locked.env.gpg');
    await expect(page.getByTestId('field-value')).toHaveText(['•••••']);
    await expect(page.getByTestId('sealed-error')).toHaveCount(0);
    await expect(page.getByTestId('unlock-prompt')).toHaveCount(0);
  } finally {
    casefile.engine.context.crypto.sessions.closeAll();
    await casefile.engine.invoke('keys.lock', {});
    await casefile.engine.invoke('keys.remove', { ref: me.fingerprint }).catch(() => undefined);
    lab.close();
    removeDir(work);
  }
});
