// What a sealed file leaves behind, with a case open (DuckDB files and all): the operator opens a bundle made by real
// gpg, reveals every field one at a time, closes it, and meets every kind of bad file. Afterwards no file in the data
// home, the case folder or the browser's profile holds a value (plain, base64 or UTF-16), nothing the engine printed
// holds one, every reveal is a case audit entry naming its field, and each bad file got its own sentence.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GpgLab } from '../electron/testkit/gpg';
import { removeDir } from '../electron/testkit/tmp';
import { expect, test } from './fixtures';

test.use({ openDefault: true });

const tok = (p: string) => `${p}-${randomBytes(8).toString('hex')}`;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try { entries = readdirSync(d, { withFileTypes: true }); } catch { return; } // gone meanwhile
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Chromium profiles Playwright made since `since` (this test's browser among them). */
function browserProfiles(since: number): string[] {
  return readdirSync(os.tmpdir()).filter((n) => n.startsWith('playwright_chromiumdev_profile-')).map((n) => path.join(os.tmpdir(), n))
    .filter((d) => { try { return statSync(d).mtimeMs >= since - 120_000; } catch { return false; } });
}

test('nothing of a sealed file is left on disk or in output; each reveal is audited by field; bad files say why', async ({ app, casefile }) => {
  const { page } = app;
  const started = Date.now();
  const lab = GpgLab.create();
  const work = mkdtempSync(path.join(os.tmpdir(), 'casefile-e2e-sealed-traces-'));
  const printed: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((c: string | Uint8Array, ...rest: unknown[]) => { printed.push(String(c)); return (writes.out as (...a: unknown[]) => boolean)(c, ...rest); }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array, ...rest: unknown[]) => { printed.push(String(c)); return (writes.err as (...a: unknown[]) => boolean)(c, ...rest); }) as typeof process.stderr.write;
  const caseId = casefile.defaultCaseId!;
  const caseDir = casefile.engine.context.getCase(caseId).dir;
  try {
    const passphrase = tok('pass');
    const me = await lab.genKey('Operator <op@example.test>', passphrase);
    const stranger = await lab.genKey('Stranger <st@example.test>', passphrase);
    await casefile.engine.invoke('keys.import', { kind: 'secret', armored: me.secretArmored });
    await casefile.engine.invoke('keys.unlock', { ref: me.fingerprint, passphrase });
    const values = { host: tok('host'), user: tok('user'), password: tok('pw'), token: tok('tok'), pin: `0${randomBytes(3).readUIntBE(0, 3)}` };
    const sealedFile = path.join(work, 'site.yaml.gpg');
    const plain = `db:\n  host: ${values.host}\n  user: ${values.user}\n  password: ${values.password}\napi:\n  token: ${values.token}\n  pin: ${values.pin}\n`;
    writeFileSync(sealedFile, await lab.encrypt(plain, { to: [me.fingerprint] }));

    await app.goto();
    await expect(page.getByTestId('case-name-header')).toContainText('Demo');
    await page.getByTestId('tab-credentials').click();
    await page.getByTestId('sealed-path').fill(sealedFile);
    await page.getByTestId('sealed-open').click();
    const fields = ['db.host', 'db.user', 'db.password', 'api.token', 'api.pin'];
    const want = [values.host, values.user, values.password, values.token, values.pin];
    for (const [i, f] of fields.entries()) {
      const row = page.locator(`[data-testid="field"][data-path="${f}"]`);
      await row.getByTestId('field-reveal').click();
      await expect(row.getByTestId('field-value')).toHaveText(want[i]!);
      // One value on the page at a time: the one revealed before is masked again.
      if (i) await expect(page.locator(`[data-testid="field"][data-path="${fields[i - 1]}"]`).getByTestId('field-value')).toHaveText('•••••');
    }
    await page.getByTestId('sealed-close').click();
    await expect(page.getByTestId('masked-tree')).toHaveCount(0);
    expect(await page.content()).not.toContain(values.pin);

    // Bad files: each its own sentence; none opens anything or quotes what it holds.
    const plainFile = path.join(work, 'plain.yaml.gpg');
    writeFileSync(plainFile, plain); // a plaintext file named like a sealed one
    const tampered = path.join(work, 'tampered.yaml.gpg');
    const good = readFileSync(sealedFile);
    good[good.length - 30]! ^= 0xff;
    writeFileSync(tampered, good);
    const foreign = path.join(work, 'foreign.yaml.gpg');
    writeFileSync(foreign, await lab.encrypt(plain, { to: [stranger.fingerprint] }));
    const byPassword = path.join(work, 'pw.env.gpg');
    writeFileSync(byPassword, await lab.encrypt(`TOKEN=${values.token}\n`, { password: tok('bundle') }));
    const huge = path.join(work, 'huge.yaml.gpg');
    writeFileSync(huge, Buffer.alloc(9 << 20, 0x20));
    const bad: [string, RegExp, string?][] = [
      [plainFile, /not a readable OpenPGP message/],
      [tampered, /damaged or truncated/],
      [foreign, new RegExp(`not encrypted to any of your keys; it is for ${stranger.keyIds[1]}`)],
      [byPassword, /Wrong password/, 'not-it'],
      [huge, /too large to be a sealed profile or credential bundle/],
    ];
    for (const [file, says, password] of bad) {
      await page.getByTestId('sealed-path').fill(file);
      if (password) await page.locator('input[name="password"]').fill(password);
      await page.getByTestId('sealed-open').click();
      await expect(page.getByTestId('sealed-error')).toHaveText(says);
      await expect(page.getByTestId('masked-tree')).toHaveCount(0);
    }
    // The same file picked (browser mode uploads its bytes): the same sentence, not a contract limit in base64 characters.
    // The path's answer above reads the same: the form clears it and waits while this one uploads and is read.
    await page.getByTestId('sealed-file').setInputFiles(huge);
    await page.getByTestId('sealed-open').click();
    await expect(page.getByTestId('sealed-error')).toHaveText('huge.yaml.gpg is over 8 MiB: too large to be a sealed profile or credential bundle. Check that this is the file you meant.');
    await expect(page.getByTestId('sealed-open')).toBeEnabled();
    expect(casefile.engine.context.crypto.sessions.list()).toEqual([]);
    // A picked bundle over the 1 MB call cap opens (it goes as an upload), and its upload is gone once it is open.
    const padded = path.join(work, 'padded.yaml.gpg');
    writeFileSync(padded, await lab.encrypt(`${plain}pad: ${randomBytes(600_000).toString('base64')}\n`, { to: [me.fingerprint], extra: ['--compress-algo', 'none'] }));
    await page.getByTestId('sealed-file').setInputFiles(padded);
    await page.getByTestId('sealed-open').click();
    await expect(page.getByTestId('masked-tree')).toContainText('padded.yaml.gpg');
    await expect.poll(() => filesUnder(casefile.server.uploadDir)).toEqual([]);
    await page.getByTestId('sealed-close').click();
    await expect(page.getByTestId('masked-tree')).toHaveCount(0);

    // The case's trail: each reveal names its field and the file, never a value.
    const trail = readFileSync(path.join(caseDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; params: Record<string, unknown>; result: { status: string } });
    expect(trail.filter((e) => e.action === 'sealed.reveal').map((e) => [e.params.field, e.params.name, e.result.status])).toEqual(fields.map((f) => [f, 'site.yaml.gpg', 'ok']));
    expect(trail.filter((e) => e.action === 'sealed.open').map((e) => e.result.status)).toEqual(['ok', 'error', 'error', 'error', 'error', 'error', 'error', 'ok']);

    // Lock and let the engine checkpoint: then nothing on disk and nothing printed holds a value or the passphrase.
    await casefile.engine.invoke('keys.lock', {});
    await casefile.engine.invoke('cases.close', { caseId });
    const needles = [...Object.values(values).filter((v) => v !== values.pin), passphrase];
    const forms = needles.flatMap((n) => [Buffer.from(n), Buffer.from(n, 'utf16le'), Buffer.from(Buffer.from(n).toString('base64').slice(0, -4))]);
    const profiles = browserProfiles(started);
    expect(profiles.length).toBeGreaterThan(0);
    const files = [casefile.home, caseDir, ...profiles].flatMap(filesUnder);
    for (const kind of ['.duckdb', 'audit.jsonl', '.key']) expect(files.some((f) => f.endsWith(kind)), kind).toBe(true);
    expect(profiles.flatMap(filesUnder).length).toBeGreaterThan(0);
    for (const f of files) {
      let b: Buffer;
      try { b = readFileSync(f); } catch { continue; }
      for (const n of forms) expect(b.includes(n), `${n.toString('latin1')} in ${f}`).toBe(false);
    }
    for (const line of printed) for (const n of needles) expect(line).not.toContain(n);
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    casefile.engine.context.crypto.sessions.closeAll();
    lab.close();
    removeDir(work);
    // The worker's later specs open the default case (openDemo): this one closed it to let the engine checkpoint.
    await casefile.engine.invoke('cases.open', { dir: caseDir });
  }
});
