// The bridge on 127.0.0.1 with a real engine and a real case, given hostile bodies for the calls of the last rounds
// (the site zone, job cancels, the audit trail's check and list, sealed reveals): each answered with a typed error
// in plain words or a plain answer, never a 500, nothing changed by a refusal, no prototype polluted, and the trail
// keeps no key the contract does not name. server.test.ts has the bridge's own gates (token, Host, Origin, sizes).
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Engine } from '../engine/engine';
import { readAudit } from '../engine/audit/trail';
import { appFiles } from '../engine/case/paths';
import { removeDir, tempDir } from '../testkit/tmp';
import { startServer, type RunningServer } from './server';

let root: string;
let engine: Engine;
let srv: RunningServer;
let caseId: string;
let trail: string;

/** POSTs `body` as written (a string, so keys like __proto__ reach the server as sent). */
function post(name: string, body: string): Promise<{ status: number; json: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: `/api/${name}`, headers: {
      host: `127.0.0.1:${srv.port}`, 'content-type': 'application/json', 'x-casefile-token': srv.token,
    } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as never }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const call = (name: string, input: unknown) => post(name, JSON.stringify(input));

beforeAll(async () => {
  root = tempDir('casefile-bridge-hostile-');
  engine = await Engine.create({ via: 'test' });
  srv = await startServer({ engine, port: 0, rendererDir: root });
  const c = await call('cases.create', { name: 'hostile', dir: path.join(root, 'case'), timezone: 'UTC' });
  caseId = (c.json.value as { id: string }).id;
  trail = path.join(root, 'case', 'audit.jsonl');
});
afterAll(async () => { await srv?.close(); await engine?.close(); removeDir(root); });

const zone = async () => ((await call('cases.get', { caseId })).json.value as { timezone: { zone: string } }).timezone.zone;

it('a hostile zone is refused in words with the zone kept: unknown, SQL, an offset no place has, a pasted page', async () => {
  for (const tz of ['Mars/Base', '\'; DROP TABLE event_store; --', 'UTC\'); DROP TABLE files; --', '+99:99', '-14:01', 'UTC+5', 'Etc/Unknown', 'posixrules', '../../etc/localtime', '\u0000UTC']) {
    for (const name of ['cases.setTimezone', 'cases.timezonePlan']) {
      const r = await call(name, { caseId, timezone: tz });
      expect([r.status, r.json.error?.code, r.json.error?.message], `${name} ${tz}`).toEqual([400, 'invalid_input', `Unknown timezone "${tz}": use an IANA name such as Asia/Kolkata or an offset such as +05:30.`]);
    }
  }
  const long = await call('cases.setTimezone', { caseId, timezone: 'A'.repeat(65) });
  expect([long.status, long.json.error?.message]).toEqual([400, 'Invalid input to cases.setTimezone: timezone: Too big: expected string to have <=64 characters.']);
  expect(await zone()).toBe('UTC');
  // The engine's tables are all there: the case still answers its counts.
  expect((await call('cases.get', { caseId })).status).toBe(200);
});

it('job cancels that name no job of ours, or one already ended, change nothing; a cancel id that is no id is refused', async () => {
  for (const jobId of ['no-such-job', 'a'.repeat(64)]) expect((await call('jobs.cancel', { jobId })).json).toEqual({ ok: true, value: { cancelled: false } });
  for (const jobId of ['', '../x', 'a b', 'a'.repeat(65), { $ne: 1 }, ['x'], null]) {
    const r = await call('jobs.cancel', { jobId });
    expect([r.status, r.json.error?.code], JSON.stringify(jobId)).toEqual([400, 'invalid_input']);
  }
  const set = await call('cases.setTimezone', { caseId, timezone: '+01:00', jobId: 'door17-retime' });
  expect(set.status, JSON.stringify(set.json)).toBe(200);
  // Cancelled after its end, twice: nothing to cancel, the change stands.
  for (let i = 0; i < 2; i++) expect((await call('jobs.cancel', { jobId: 'door17-retime' })).json).toEqual({ ok: true, value: { cancelled: false } });
  expect(await zone()).toBe('+01:00');
  // A cancel names no case: each is in the app's trail (an input the contract refuses is no call, as for any call).
  expect(await readAudit(trail, { action: 'jobs.cancel' })).toEqual([]);
  const app = await readAudit(appFiles().audit, { action: 'jobs.cancel' });
  expect(app.map((e) => e.result.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
});

it('prototype keys in a body are only unknown keys: dropped, never read through, never in the trail', async () => {
  const before = await readAudit(trail);
  const r = await post('audit.list', `{"caseId":${JSON.stringify(caseId)},"limit":1000,"__proto__":{"action":"jobs.cancel","since":"2999-01-01"},"constructor":{"prototype":{"polluted":"yes"}}}`);
  expect(r.status).toBe(200);
  expect((r.json.value as unknown[]).length).toBe(before.length); // neither the action nor the since filter came through
  const set = await post('cases.setTimezone', `{"caseId":${JSON.stringify(caseId)},"timezone":"UTC","__proto__":{"expect":"Proto/Zone","jobId":"../x"}}`);
  expect([set.status, (set.json.value as { timezone: { zone: string } }).timezone.zone]).toEqual([200, 'UTC']);
  const noLimit = await post('audit.list', `{"caseId":${JSON.stringify(caseId)},"__proto__":{"limit":5}}`);
  expect([noLimit.status, noLimit.json.error?.code]).toEqual([400, 'invalid_input']);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).expect).toBeUndefined();
  const text = readFileSync(trail, 'utf8');
  expect(text).not.toMatch(/__proto__|polluted|Proto\/Zone/);
});

it('audit.verify over the bridge on a tampered trail answers the report (never ok, never a 500); sealed reveals of no open file say so', async () => {
  const lines = readFileSync(trail, 'utf8').trimEnd().split('\n');
  const tampered = [lines[0], lines[2], lines[1], ...lines.slice(3), `{"seq":999,"hash":"00","prev":"00","params":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`, lines.at(-1)];
  writeFileSync(trail, `${tampered.join('\n')}\n`);
  const v = await call('audit.verify', { caseId });
  expect(v.status).toBe(200);
  expect(v.json.value).toMatchObject({ ok: false, firstBroken: { line: 2, problem: expect.stringMatching(/reordered/) } });
  const list = await call('audit.list', { caseId, limit: 100_000 });
  expect(list.status).toBe(200);
  for (const path of [['db', 'password'], [{ key: '__proto__', n: 1 }], ['constructor']]) {
    const r = await call('sealed.reveal', { sessionId: 'x'.repeat(64), path });
    expect([r.status, r.json.error?.message]).toEqual([404, 'That sealed file is no longer open (closed, or keys were locked): open it again.']);
  }
  const overlong = await call('sealed.reveal', { sessionId: 'x'.repeat(65), path: ['a'] });
  expect([overlong.status, overlong.json.error?.code]).toEqual([400, 'invalid_input']);
});
