// The audit head mirrored into the case database (issue 8, item 6): someone who can edit the case folder cuts the log
// and rewrites its head record to match (or deletes both); the log alone still verifies, the database's head does not.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine';
import { CaseDb } from '../store/db';
import { mirroredHead } from './headMirror';
import { appendAudit, auditHead, headFile, verifyAudit, type AuditEntry } from './trail';
import { removeDir, tempDir } from '../../testkit/tmp';

const root = tempDir();
afterAll(() => removeDir(root));

async function withEngine<T>(fn: (e: Engine) => Promise<T>): Promise<T> {
  const e = await Engine.create({ via: 'test' });
  try { return await fn(e); } finally { await e.close(); }
}

async function dbHead(caseDir: string) {
  const db = await CaseDb.open(path.join(caseDir, 'case.duckdb'), { readOnly: true });
  try { return await mirroredHead(db); } finally { db.close(); }
}

describe('audit head mirror in the case database', () => {
  it('follows the log, and catches a log cut together with its head record, or deleted', async () => {
    const src = path.join(root, 'src');
    mkdirSync(src);
    writeFileSync(path.join(src, 'a.log'), '2024-01-01 00:00:00 INFO hello\n');
    const caseDir = path.join(root, 'case');
    const caseId = await withEngine(async (e) => {
      const info = await e.call('cases.create', { name: 'mirror', dir: caseDir });
      await e.call('import.paths', { caseId: info.id, paths: [src] });
      return info.id;
    });
    const log = path.join(caseDir, 'audit.jsonl');
    const mirror = await dbHead(caseDir);
    const head = await auditHead(log);
    // At or behind the log (it is written when a write session closes, the session's own entry comes after), on its chain.
    expect(mirror).not.toBeNull();
    expect(mirror!.seq).toBeGreaterThan(1);
    expect(mirror!.seq).toBeLessThanOrEqual(head!.seq);
    const bySeq = new Map(readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEntry).map((e) => [e.seq, e]));
    expect(bySeq.get(mirror!.seq)!.hash).toBe(mirror!.hash);

    // Reopening the case (a write session) moves the mirror forward over the good log.
    const ok = await withEngine(async (e) => {
      await e.call('cases.open', { dir: caseDir });
      return e.call('audit.verify', { caseId });
    });
    expect(ok).toMatchObject({ ok: true });
    const moved = (await dbHead(caseDir))!;
    expect(moved.seq).toBeGreaterThan(mirror!.seq);
    expect(ok.dbHead).toEqual(moved);

    // The cut: keep entries before the mirrored one, rewrite the head record to the new end. MACs stay valid.
    const kept = [...bySeq.values()].filter((x) => x.seq < mirror!.seq);
    const lines = readFileSync(log, 'utf8').split('\n').slice(0, kept.length);
    writeFileSync(log, lines.join('\n') + '\n');
    writeFileSync(headFile(log), JSON.stringify({ seq: kept.at(-1)!.seq, hash: kept.at(-1)!.hash, time: kept.at(-1)!.time }));
    expect((await verifyAudit(log)).ok).toBe(true); // the log alone cannot tell
    const cut = await withEngine(async (e) => {
      await e.call('cases.open', { dir: caseDir });
      return e.call('audit.verify', { caseId });
    });
    expect(cut.ok).toBe(false);
    expect(cut.firstBroken!.problem).toMatch(new RegExp(`case database recorded entry ${moved.seq} \\(${moved.hash.slice(0, 16)}.*truncated together with its head record`));
    // The write session that just ran did not copy the cut into the anchor.
    expect(await dbHead(caseDir)).toEqual(moved);

    // Deleting the log and its head record: the database still remembers.
    rmSync(log);
    rmSync(headFile(log));
    const gone = await verifyAudit(log, { anchor: moved });
    expect(gone.ok).toBe(false);
    expect(gone.firstBroken!.problem).toMatch(/missing, but the case database recorded entry .*deleted/);
    expect((await verifyAudit(log)).ok).toBe(true);
  }, 120_000);

  it('catches the mirrored entry rewritten in place', async () => {
    const file = path.join(root, 'rewrite', 'audit.jsonl');
    mkdirSync(path.dirname(file));
    for (let i = 1; i <= 3; i++) await appendAudit(file, { action: 'events.query', params: { i }, result: { status: 'ok' }, via: 'test' });
    const anchor = (await auditHead(file))!;
    const r = await verifyAudit(file, { anchor: { seq: 2, hash: 'f'.repeat(64) } });
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: 2, line: 2 });
    expect(r.firstBroken!.problem).toMatch(/differs from the one the case database recorded/);
    expect((await verifyAudit(file, { anchor })).ok).toBe(true);
  });

  it('accepts a mirrored entry lost in a tear once the tear is acknowledged', async () => {
    const file = path.join(root, 'acked', 'audit.jsonl');
    mkdirSync(path.dirname(file));
    for (let i = 1; i <= 3; i++) await appendAudit(file, { action: 'events.query', params: { i }, result: { status: 'ok' }, via: 'test' });
    const anchor = (await auditHead(file))!;
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, lines.slice(0, -1).join('\n') + '\n'); // entry 3 cut; the next append records the tear
    await appendAudit(file, { action: 'events.query', params: { i: 4 }, result: { status: 'ok' }, via: 'test' });
    const torn = await verifyAudit(file, { anchor });
    expect(torn.ok).toBe(false);
    expect(torn.firstBroken!.problem).toMatch(/audit ack/);
    await appendAudit(file, { action: 'audit.ack', params: { tearSeq: 3 }, result: { status: 'ok' }, via: 'test' });
    const acked = await verifyAudit(file, { anchor });
    expect(acked).toMatchObject({ ok: true, acknowledgedTears: 1, dbHead: anchor });
  });
});
