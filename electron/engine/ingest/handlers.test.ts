// The import call as a job, against real files and a real case: cancelled between batches it keeps what it
// committed (and a re-run adds the rest); a second import on the same case waits for the first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ImportProgress } from '../../../shared/domain';
import { jobIsLive, type JobInfo } from '../../../shared/contract';
import { Engine } from '../engine';
import { tempDir, removeDir } from '../../testkit/tmp';

let root: string;
let engine: Engine;
const home = process.env.CASEFILE_HOME;

function write(rel: string, data: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), data);
}
// Local stamps at +05:30 beside epoch seconds: evidence of the site zone.
const local = (epoch: number) => new Date((epoch + 19_800) * 1000).toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
const sysLine = (i: number) => JSON.stringify({ message: `m${i}`, levelname: 'INFO', name: 'app', asctime: local(1690656225.4 + i), created: 1690656225.4 + i, logid: String(i) });
const celeryLine = (i: number) => `[2023-07-06 12:07:${String(i % 60).padStart(2, '0')},774: INFO/MainProcess] Task t[320bbda6-e758-49fc-8a26-e8dc29f88f7${i % 10}] received`;

beforeAll(async () => {
  root = tempDir();
  process.env.CASEFILE_HOME = path.join(root, 'home');
  // Two formats: two batches, each its own transaction.
  write('b1/enrich/logs/app/app.json.log', Array.from({ length: 500 }, (_, i) => sysLine(i)).join('\n') + '\n');
  write('b1/enrich/logs/celery/celery-worker.log', Array.from({ length: 500 }, (_, i) => celeryLine(i)).join('\n') + '\n');
  write('b2/enrich/logs/app/app.json.log', Array.from({ length: 50 }, (_, i) => sysLine(1000 + i)).join('\n') + '\n');
  engine = await Engine.create({ via: 'test' });
});
afterAll(async () => {
  await engine.close();
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  removeDir(root);
});

describe('import as a job', () => {
  it('says after each batch how many records it has committed, and they are queryable then, while the rest imports', async () => {
    const info = await engine.call('cases.create', { name: 'live', dir: path.join(root, 'case-live') });
    const committed: number[] = [];
    const seen: Promise<number>[] = [];
    const off = engine.on('import.progress', (p: ImportProgress) => {
      if (p.jobId !== 'imp-live' || p.eventsCommitted === undefined || committed.at(-1) === p.eventsCommitted) return;
      committed.push(p.eventsCommitted);
      // What a page reads when told (reads run beside the import's writer).
      seen.push(engine.call('cases.get', { caseId: info.id }).then((c) => c.eventCount));
    });
    const res = await engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'b1')], jobId: 'imp-live', eventsFirst: true });
    off();
    // Two formats, two batches: 500 records, then 1,000.
    expect(committed).toEqual([500, 1000]);
    expect((await Promise.all(seen))[0]).toBeGreaterThanOrEqual(500);
    expect(res.firstEventsSeconds).toBeGreaterThan(0);
    expect(res.firstEventsSeconds).toBeLessThan(res.eventsReadySeconds!);
    await engine.call('cases.close', { caseId: info.id });
  });

  it('cancelled after its first batch: keeps that batch, fails with cancelled, and a re-run adds only the rest', async () => {
    const info = await engine.call('cases.create', { name: 'cancel', dir: path.join(root, 'case-cancel') });
    const states: JobInfo[] = [];
    const offJob = engine.on('job.progress', (j) => { if (j.jobId === 'imp-1') states.push(j); });
    const off = engine.on('import.progress', (p: ImportProgress) => {
      if (p.jobId === 'imp-1' && p.phase === 'parse' && p.filesDone === 1) void engine.call('jobs.cancel', { jobId: 'imp-1' });
    });
    await expect(engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'b1')], jobId: 'imp-1' }))
      .rejects.toMatchObject({ error: { code: 'cancelled', message: 'The import job was cancelled.' } });
    off(); offJob();
    expect(states.map((s) => s.state)).toContain('running');
    expect(states.at(-1)).toMatchObject({ state: 'cancelled', kind: 'import', caseId: info.id });
    const kept = await engine.call('events.sql', { caseId: info.id, sql: 'SELECT count(*)::INTEGER AS files FROM files' });
    expect(kept.rows[0]).toEqual({ files: 1 });
    // The zone the kept batch was placed in is in case.json, written by the case, though the import stopped.
    const onDisk = JSON.parse(readFileSync(path.join(info.dir, 'case.json'), 'utf8')) as { timezone: { zone: string; how: string } };
    expect(onDisk.timezone).toMatchObject({ how: 'inferred' });
    expect(onDisk.timezone.zone).toMatch(/^(Asia\/(Kolkata|Calcutta|Colombo)|\+05:30)$/);
    expect((await engine.call('cases.get', { caseId: info.id })).timezone).toEqual(onDisk.timezone);
    expect(readdirSync(path.join(info.dir, 'bundles')).filter((e) => e.startsWith('.incoming'))).toEqual([]);

    const again = await engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'b1')] });
    expect(again.files.map((f) => f.skipped).sort()).toEqual([false, true]);
    expect((await engine.call('cases.get', { caseId: info.id })).eventCount).toBe(1000);
    const jobs = await engine.call('jobs.list', { caseId: info.id });
    expect(jobs.filter((j) => j.kind === 'import').map((j) => j.state)).toEqual(['done', 'cancelled']);
    // Each import, the cancelled one too, was followed by its correlation stage, which finished before the call settled.
    expect(jobs.filter((j) => j.kind === 'correlate').map((j) => j.state)).toEqual(['done', 'done']);
    const ids = await engine.call('events.sql', { caseId: info.id, sql: `SELECT count(DISTINCT value)::INTEGER AS n FROM identifiers WHERE kind = 'celery_task'` });
    expect(ids.rows[0]).toEqual({ n: 10 });
    expect((await engine.call('cases.get', { caseId: info.id })).chainsPending).toBeUndefined();
  });

  it('a correlation job that was cancelled leaves chains pending, and opening the open case again runs it again', async () => {
    const info = await engine.call('cases.create', { name: 'again', dir: path.join(root, 'case-again') });
    const cancelled = new Promise<JobInfo>((resolve) => {
      const off = engine.on('job.progress', (j) => {
        if (j.caseId !== info.id || j.kind !== 'correlate') return;
        if (jobIsLive(j)) void engine.call('jobs.cancel', { jobId: j.jobId });
        else { off(); resolve(j); }
      });
    });
    const imported = await engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'b2')], eventsFirst: true });
    expect(imported.correlation).toBe('pending');
    expect((await cancelled).state).toBe('cancelled');
    expect((await engine.call('cases.get', { caseId: info.id })).chainsPending).toBe(true);
    // the app's "Build again": the case is opened again while open
    const done = new Promise<JobInfo>((resolve) => {
      const off = engine.on('job.progress', (j) => { if (j.caseId === info.id && j.kind === 'correlate' && j.state === 'done') { off(); resolve(j); } });
    });
    await engine.call('cases.open', { dir: info.dir });
    await done;
    expect((await engine.call('cases.get', { caseId: info.id })).chainsPending).toBeUndefined();
    // opened again with nothing pending: no job is started
    await engine.call('cases.open', { dir: info.dir });
    expect((await engine.call('jobs.list', { caseId: info.id })).filter((j) => j.kind === 'correlate').map((j) => j.state)).toEqual(['done', 'cancelled']);
  });

  it('cancelled inside a batch DuckDB reads whole: the running statement is interrupted, nothing of it stays, a re-run imports it all', async () => {
    // One clean file, one batch, no progress inside it: only an interrupt can stop it before it commits.
    const lines = 400_000;
    write('big/enrich/logs/app/app.json.log', Array.from({ length: lines }, (_, i) => sysLine(i)).join('\n') + '\n');
    const info = await engine.call('cases.create', { name: 'cancel-big', dir: path.join(root, 'case-cancel-big') });
    let timer: NodeJS.Timeout | undefined;
    const off = engine.on('import.progress', (p: ImportProgress) => {
      if (p.jobId === 'imp-big' && p.phase === 'parse' && p.filesDone === 0 && !timer) {
        timer = setTimeout(() => void engine.call('jobs.cancel', { jobId: 'imp-big' }), 300);
      }
    });
    await expect(engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'big')], jobId: 'imp-big' }))
      .rejects.toMatchObject({ error: { code: 'cancelled' } });
    off();
    const kept = await engine.call('events.sql', { caseId: info.id, sql: 'SELECT (SELECT count(*) FROM files)::INTEGER AS files, (SELECT count(*) FROM events)::INTEGER AS events' });
    expect(kept.rows[0]).toEqual({ files: 0, events: 0 });
    const again = await engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'big')] });
    expect(again.files.map((f) => f.records)).toEqual([lines]);
    expect((await engine.call('cases.get', { caseId: info.id })).eventCount).toBe(lines);
  });

  it('a second import on the same case is queued behind the first and both complete', async () => {
    const info = await engine.call('cases.create', { name: 'queue', dir: path.join(root, 'case-queue') });
    const seen: JobInfo[] = [];
    const off = engine.on('job.progress', (j) => { if (j.caseId === info.id) seen.push(j); });
    const [a, b] = await Promise.all([
      engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'b1')], jobId: 'q-a' }),
      engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'b2')], jobId: 'q-b' }),
    ]);
    off();
    expect(a.files).toHaveLength(2);
    expect(b.files).toHaveLength(1);
    // b waited: it was queued while a ran, and started only after a was done.
    const order = seen.map((j) => `${j.jobId}:${j.state}`).filter((s, i, all) => all.indexOf(s) === i);
    expect(order.indexOf('q-b:queued')).toBeLessThan(order.indexOf('q-a:done'));
    expect(order.indexOf('q-a:done')).toBeLessThan(order.indexOf('q-b:running'));
    expect((await engine.call('cases.get', { caseId: info.id })).eventCount).toBe(1050);
  });
});
