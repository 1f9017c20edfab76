// `verify` sees tampering with every stored column of an event, the files table and the manifest (issue 8, item 10):
// a real import through the engine, one edit, then the chain-of-custody check.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import type { CaseInfo, ImportResult } from '../../../shared/domain';
import type { IntegrityResult } from '../../../shared/audit';
import { Engine } from '../engine';
import { tempDir, removeDir } from '../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

async function importedCase(): Promise<{ engine: Engine; caseId: string; bundle: string; root: string }> {
  const root = tempDir();
  dirs.push(root);
  const src = path.join(root, 'src');
  const sys = (i: number) => JSON.stringify({ message: `m${i}`, levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i, logid: String(i) });
  mkdirSync(path.join(src, 'enrich/logs/app'), { recursive: true });
  mkdirSync(path.join(src, 'enrich/logs/celery'), { recursive: true });
  writeFileSync(path.join(src, 'enrich/logs/app/app.json.log'), [1, 2, 3].map(sys).join('\n') + '\n');
  writeFileSync(path.join(src, 'enrich/logs/celery/w.log'), '[2023-07-06 12:07:36,774: INFO/MainProcess] Task t[320bbda6-e758-49fc-8a26-e8dc29f88f75] received\n');
  const tgz = path.join(root, 'b.tar.gz');
  await tar.c({ gzip: true, file: tgz, cwd: src }, ['enrich']);
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const engine = await Engine.create({ via: 'test' });
  const info = (await engine.invoke('cases.create', { name: 'tamper', dir: path.join(root, 'case') })) as CaseInfo;
  const res = (await engine.invoke('import.paths', { caseId: info.id, paths: [tgz] })) as ImportResult;
  return { engine, caseId: info.id, bundle: res.bundles[0]!.id, root };
}

const verify = async (engine: Engine, caseId: string) => (await engine.invoke('case.verify', { caseId })) as IntegrityResult;

const SQL_EDITS: [string, string][] = [
  ['fields', `UPDATE event_store SET fields = '{"x":1}' WHERE id = (SELECT min(id) FROM event_store)`],
  ['source', `UPDATE event_store SET source = 'raw' WHERE id = (SELECT min(id) FROM event_store)`],
  ['ts_flag', `UPDATE event_store SET ts_flag = 'inherited' WHERE id = (SELECT min(id) FROM event_store)`],
  ['level', `UPDATE event_store SET level = 'ERROR' WHERE id = (SELECT min(id) FROM event_store)`],
  ['ts_text', `UPDATE event_store SET ts_text = 'x' WHERE id = (SELECT min(id) FROM event_store)`],
  ['line', `UPDATE event_store SET line = line + 1000 WHERE id = (SELECT min(id) FROM event_store)`],
  // A message stored as where it is in raw: moving that place changes the message as read.
  ['msg_at', `UPDATE event_store SET msg_at = msg_at + 1 WHERE id = (SELECT min(id) FROM event_store WHERE msg_at IS NOT NULL)`],
  // The rest of event_store's columns (the rows digest covers each as stored: store/digest.ts, digest.test.ts).
  ['id', `UPDATE event_store SET id = id + 100000 WHERE id = (SELECT max(id) FROM event_store)`],
  ['file_id', `UPDATE event_store SET file_id = file_id + 1 WHERE id = (SELECT min(id) FROM event_store)`],
  ['line_count', `UPDATE event_store SET line_count = line_count + 1 WHERE id = (SELECT min(id) FROM event_store)`],
  ['ts', `UPDATE event_store SET ts = ts + INTERVAL 1 MICROSECOND WHERE id = (SELECT min(id) FROM event_store WHERE ts IS NOT NULL)`],
  ['logger', `UPDATE event_store SET logger = 'other' WHERE id = (SELECT min(id) FROM event_store)`],
  ['message', `UPDATE event_store SET message = 'x' WHERE id = (SELECT min(id) FROM event_store)`],
  ['raw', `UPDATE event_store SET raw = raw || ' ' WHERE id = (SELECT min(id) FROM event_store)`],
  ['parse_status', `UPDATE event_store SET parse_status = 'malformed' WHERE id = (SELECT min(id) FROM event_store)`],
  ['msg_len', `UPDATE event_store SET msg_len = msg_len - 1 WHERE id = (SELECT min(id) FROM event_store WHERE msg_len IS NOT NULL)`],
  ['ts_at', `UPDATE event_store SET ts_at = NULL WHERE id = (SELECT min(id) FROM event_store WHERE ts_at IS NOT NULL)`],
  ['ts_len', `UPDATE event_store SET ts_len = ts_len + 1 WHERE id = (SELECT min(id) FROM event_store WHERE ts_len IS NOT NULL)`],
  ['files.format', `UPDATE files SET format = 'raw' WHERE file_id = 1`],
  ['files.tz_zone', `UPDATE files SET tz_zone = 'Asia/Kolkata', tz_rule = 'made up' WHERE file_id = 1`],
];

describe('verify sees tampering', () => {
  it('passes untouched', async () => {
    const { engine, caseId } = await importedCase();
    try { expect((await verify(engine, caseId)).problems).toEqual([]); } finally { await engine.close(); }
  });

  it.each(SQL_EDITS)('fails after an edit to %s', async (_name, sql) => {
    const { engine, caseId } = await importedCase();
    try {
      await engine.context.getCase(caseId).withWriter((db) => db.run(sql));
      const r = await verify(engine, caseId);
      expect(r.ok).toBe(false);
      expect(r.problems.map((p) => p.problem).join('\n')).toMatch(/Events changed|files table row changed/);
    } finally { await engine.close(); }
  });

  it.each([['origin', (m: Record<string, unknown>) => { m.origin = { kind: 'folder', inputs: ['/elsewhere'] }; }],
    ['created', (m: Record<string, unknown>) => { m.created = '2020-01-01T00:00:00.000Z'; }],
    ['archiveSha256', (m: Record<string, unknown>) => { (m.origin as Record<string, unknown>).archiveSha256 = '0'.repeat(64); }]] as const)(
    'fails after the manifest\'s %s is edited', async (_name, edit) => {
      const { engine, caseId, bundle } = await importedCase();
      try {
        const file = path.join(engine.context.getCase(caseId).files.bundles, `${bundle}.manifest.json`);
        const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
        edit(m);
        chmodSync(file, 0o600);
        writeFileSync(file, JSON.stringify(m));
        const r = await verify(engine, caseId);
        expect(r.problems).toEqual([{ bundle, file: `${bundle}.manifest.json`, problem: expect.stringMatching(/The manifest changed since import/) }]);
      } finally { await engine.close(); }
    });
});
