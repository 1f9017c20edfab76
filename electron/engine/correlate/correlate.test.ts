// Correlation against the synthetic generator's ground truth: a real tree, a real import through importPaths with
// the hooks the app wires, real DuckDB. Every planted Celery task and TaskBlade request must come back exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import type { ChainSummary, TraceResult } from '../../../shared/correlation';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { generateTree } from '../../testkit/synth/generate';
import { readTruth, type Truth } from '../../testkit/synth/truth';
import { removeDir, tempDir } from '../../testkit/tmp';
import { afterBatchImported, afterImportFinished } from './ingestHooks';
import { listChains, traceKey } from './query';
import { extractSql, patternRegex, usablePatterns } from './extract';
import { CLI_BIN } from '../../testkit/cliChild';

const run = promisify(execFile);
const root = tempDir('casefile-correlate-');
const caseDir = path.join(root, 'case');
let truth: Truth;
let h: CaseHandle;

/** truth.json paths start with enrich/ (the imported folder); the case stores paths relative to it. */
const rel = (f: string) => f.replace(/^enrich\//, '');
const key = (file: string, line: number) => `${file}:${line}`;

beforeAll(async () => {
  const g = await generateTree(path.join(root, 'tree'), { targetBytes: 6_000_000, seed: 11, faults: true });
  truth = readTruth(g.truthPath);
  h = await CaseHandle.create(caseDir, { name: 'correlate' });
  await importPaths(h, [g.root], { hooks: { afterBatch: afterBatchImported, afterImport: afterImportFinished } });
}, 300_000);

afterAll(async () => {
  await h?.close();
  removeDir(root);
});

async function trace(k: string): Promise<TraceResult> {
  return traceKey(h.db, k);
}

describe('chains from a generated tree', () => {
  it('reassembles every planted Celery task exactly (all its events, none extra) with its status', async () => {
    expect(truth.celery.length).toBeGreaterThan(50);
    for (const t of truth.celery) {
      const res = await trace(t.id);
      expect(res.chain?.kind, t.id).toBe('celery_task');
      expect(res.chain?.label, t.id).toBe(t.name);
      expect(res.chain?.status, t.id).toBe(t.status);
      const got = res.events.map((e) => key(e.file, e.line)).sort();
      const want = t.events.map((e) => key(rel(e.file), e.line)).sort();
      expect(got, t.id).toEqual(want);
      // A task started by the dashboard's API call starts there: a record that only names the id in its URL
      // (gunicorn writes whole seconds, so within a second of the planted instant).
      const api = res.events.filter((e) => e.source === 'gunicorn');
      expect(Date.parse(res.chain!.first!), t.id).toBe(Date.parse(res.events[0]!.ts!.slice(0, 23) + 'Z'));
      if (api.length) expect(res.events[0]!.source, t.id).toBe('gunicorn');
      expect(Math.abs(Date.parse(res.chain!.first!) - Date.parse(t.startUtc)), t.id).toBeLessThan(1000);
      expect(res.mentions ?? [], t.id).toEqual(api.map((e) => ({ eventId: e.id, foundIn: 'url' })));
      if (t.status === 'failure') expect(res.chain!.failureReason, t.id).toMatch(/^(ValueError|OperationalError|KeyError|MemoryError)\b/);
      else expect(res.chain!.failureReason).toBeNull();
    }
    expect(truth.celery.some((t) => t.events.some((e) => e.file.includes('gunicorn')))).toBe(true);
  }, 120_000);

  it('reassembles every planted TaskBlade request exactly, with user, dataset and status', async () => {
    expect(truth.taskblade.length).toBeGreaterThan(20);
    for (const r of truth.taskblade) {
      const res = await trace(r.request_id);
      expect(res.chain?.kind).toBe('taskblade_request');
      expect(res.chain?.status, r.request_id).toBe(r.status);
      expect(res.chain?.user).toBe(r.user);
      expect(res.chain?.dataset).toBe(r.dataset);
      expect(res.chain?.label).toBe(r.service);
      expect(res.events.map((e) => key(e.file, e.line)).sort()).toEqual(r.events.map((e) => key(rel(e.file), e.line)).sort());
      // The dashboard record that started it names the id inside its text (`request_id=<uuid>`): a mention, and the start.
      const submit = res.events.filter((e) => e.source === 'system');
      expect(submit.length, r.request_id).toBe(1);
      expect(res.mentions).toEqual([{ eventId: submit[0]!.id, foundIn: 'request_id' }]);
      expect(res.events[0]!.id).toBe(submit[0]!.id);
      expect(Date.parse(res.chain!.first!)).toBe(Date.parse(r.startUtc));
      if (r.status === 'failure') expect(res.chain!.failureReason).toMatch(/^OutputParserException: Could not parse LLM output/);
    }
  }, 120_000);

  it('links parent and child Celery tasks as evidence', async () => {
    const children = truth.celery.filter((t) => t.parentId);
    expect(children.length).toBeGreaterThan(0);
    for (const c of children) {
      const res = await trace(c.id);
      expect(res.links).toContainEqual(expect.objectContaining({ from: c.parentId, to: c.id, relation: 'parent_of', inferred: false }));
    }
  });

  it('infers Prefect task → pipeline run links (≥ 95% right, none wrong) and gets run and flow statuses right', async () => {
    const launched = truth.pipelines.filter((p) => p.prefectFile);
    expect(launched.length).toBeGreaterThan(10);
    const rows = await h.db.read<{ from_key: string; to_key: string; inferred: boolean; rule: string }>(
      `SELECT from_key, to_key, inferred, rule FROM chain_links WHERE relation = 'launched'`);
    const byRun = new Map(rows.map((r) => [r.to_key, r]));
    const misses: string[] = [];
    for (const p of launched) {
      const l = byRun.get(p.runid);
      if (!l || l.from_key !== `flow:${rel(p.prefectFile!)}`) misses.push(`${p.runid} (${p.prefectTask} in ${p.prefectFile}) → ${l?.from_key ?? 'no link'}`);
      else expect(l.inferred && l.rule === 'prefect-task-window').toBe(true);
    }
    expect(misses.length / launched.length, misses.join('\n')).toBeLessThanOrEqual(0.05);
    // Ad-hoc runs have no Prefect task: a link to one would be a false inference.
    const adhoc = new Set(truth.pipelines.filter((p) => !p.prefectFile).map((p) => p.runid));
    expect(rows.filter((r) => adhoc.has(r.to_key))).toEqual([]);

    for (const p of truth.pipelines) {
      const res = await trace(p.runid);
      expect(res.chain?.kind).toBe('pipeline_run');
      expect(res.chain?.label).toBe(p.application);
      expect(res.chain?.status, p.runid).toBe(p.status);
    }
    for (const f of truth.prefectFlows) {
      const res = await trace(`flow:${rel(f.file)}`);
      expect(res.chain?.kind).toBe('prefect_flow');
      expect(res.chain?.label).toBe(f.flow);
      expect(res.chain?.status, f.file).toBe(f.status);
    }
  });

  it('gathers metadata entities from the registering run and Doodle, linked to the run', async () => {
    expect(truth.metadata.length).toBeGreaterThan(0);
    for (const m of truth.metadata.slice(0, 150)) {
      const res = await trace(m.uuid);
      expect(res.chain?.kind).toBe('metadata_entity');
      expect(res.chain?.label, m.uuid).toBe(m.entity);
      expect(res.events.map((e) => key(e.file, e.line)).sort()).toEqual(m.events.map((e) => key(rel(e.file), e.line)).sort());
      if (m.runid) expect(res.links).toContainEqual(expect.objectContaining({ from: m.runid, to: m.uuid, relation: 'registered', inferred: false }));
    }
  });

  it('traces by any identifier: upper-case UUID, client id, user; nothing for an unknown id', async () => {
    const t = truth.celery[0]!;
    expect((await trace(t.id.toUpperCase())).chain?.key).toBe(t.id);
    const kyc = truth.celery.find((c) => c.kycIds.length)!.kycIds[0]!;
    const byKyc = await trace(kyc);
    expect(byKyc.chain?.key).toBe(kyc);
    expect(byKyc.chain?.label).toBe('client_id');
    // Every task searching for that client shows up in its trace.
    const tasks = truth.celery.filter((c) => c.kycIds.includes(kyc) && !c.parentId);
    const files = new Set(byKyc.events.map((e) => key(e.file, e.line)));
    for (const c of tasks) expect(c.events.some((e) => files.has(key(rel(e.file), e.line))), c.id).toBe(true);
    const user = truth.taskblade[0]!.user;
    const byUser = await trace(user);
    expect(byUser.chain?.label).toBe('user');
    expect(byUser.events.some((e) => e.source === 'taskblade')).toBe(true);
    // A Prefect task name: its records belong to flow chains, whose inferred links come with the trace.
    const task = truth.pipelines.find((p) => p.prefectTask)!.prefectTask!;
    const byTask = await trace(task);
    expect(byTask.chain?.label).toBe('prefect_task');
    expect(byTask.links.some((l) => l.relation === 'launched' && l.inferred)).toBe(true);
    const none = await trace('no-such-id-anywhere');
    expect(none.chain).toBeNull();
    expect(none.events).toEqual([]);
  });

  it('lists chains with filters and sorts', async () => {
    const all = await listChains(h.db, { limit: 5000 });
    expect(all.total).toBeGreaterThan(truth.celery.length + truth.taskblade.length);
    const failed = await listChains(h.db, { kinds: ['celery_task'], statuses: ['failure'], limit: 5000 });
    expect(failed.total).toBe(truth.celery.filter((c) => c.status === 'failure').length);
    expect(failed.chains.every((c) => c.kind === 'celery_task' && c.status === 'failure')).toBe(true);
    const slow = await listChains(h.db, { kinds: ['celery_task'], minDurationMs: 300_000, sort: 'duration', limit: 10 });
    expect(slow.chains.length).toBeGreaterThan(0);
    expect(slow.chains.every((c: ChainSummary) => (c.durationMs ?? 0) >= 300_000)).toBe(true);
    const durations = slow.chains.map((c) => c.durationMs ?? 0);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    const user = truth.taskblade[0]!.user;
    const byText = await listChains(h.db, { text: user, kinds: ['taskblade_request'], limit: 5000 });
    expect(byText.total).toBe(truth.taskblade.filter((r) => r.user === user).length);

    // A time window keeps the chains with any time inside it, over all chains (not a loaded page).
    const timed = all.chains.filter((c) => c.first && c.last);
    const mid = timed[Math.floor(timed.length / 2)]!;
    const from = mid.first!;
    const to = new Date(Date.parse(mid.first!) + 600_000).toISOString();
    const inWindow = await listChains(h.db, { from, to, limit: 5000 });
    const want = all.chains.filter((c) => c.first && c.last && c.last >= from && c.first <= to).map((c) => c.key).sort();
    expect(all.total).toBe(all.chains.length);
    expect(inWindow.chains.map((c) => c.key).sort()).toEqual(want);
    expect(inWindow.total).toBe(want.length);
    expect(want.length).toBeLessThan(all.total);
  });

  it('pages through every chain: the pages, one after another, are the whole list, none repeated or skipped', async () => {
    for (const sort of ['first', 'duration', 'events'] as const) {
      for (const filter of [{}, { kinds: ['celery_task' as const] }]) {
        const all = await listChains(h.db, { ...filter, sort, limit: 5000 });
        expect(all.chains.length, sort).toBe(all.total);
        expect(all.total, sort).toBeGreaterThan(40);
        // Ties in the sort (many chains share an event count or a second) are broken by key, or pages would swap them.
        if (sort === 'events') expect(new Set(all.chains.map((c) => c.events)).size).toBeLessThan(all.total / 2);
        const size = Math.ceil(all.total / 7);
        const paged: string[] = [];
        for (let offset = 0; offset < all.total; offset += size) {
          const page = await listChains(h.db, { ...filter, sort, limit: size, offset });
          expect(page.total, `${sort} @${offset}`).toBe(all.total);
          paged.push(...page.chains.map((c) => c.key));
        }
        expect(paged, sort).toEqual(all.chains.map((c) => c.key));
        expect(new Set(paged).size).toBe(paged.length);
        const past = await listChains(h.db, { ...filter, sort, limit: 10, offset: all.total });
        expect(past).toMatchObject({ chains: [], total: all.total });
      }
    }
  });

  it('keeps where each identifier was found', async () => {
    const rows = await h.db.read<{ kind: string; found_in: string }>(`SELECT DISTINCT kind, found_in FROM identifiers`);
    const pairs = new Set(rows.map((r) => `${r.kind}/${r.found_in}`));
    for (const p of ['celery_task/task_id', 'celery_task/parent_id', 'celery_task/data', 'celery_task_name/task', 'taskblade_request/request_id',
      'pipeline_run/runid', 'application/application', 'prefect_task/task', 'prefect_flow/text', 'metadata_entity/url', 'metadata_type/url', 'user/user',
      'dataset/dataset', 'user/text', 'client_id/text', 'ip/text', 'host/text']) expect(pairs, p).toContain(p);
  });
});

describe('the CLI', () => {
  it('casefile trace and casefile chains print JSON and tables', async () => {
    await h.close();
    const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
    const t = truth.celery.find((c) => c.status === 'failure')!;
    const tr = JSON.parse((await run('node', [CLI_BIN, 'trace', t.id, '--case', caseDir, '--json'], { env })).stdout) as TraceResult;
    expect(tr.chain?.status).toBe('failure');
    expect(tr.events.length).toBe(t.events.length);
    const text = (await run('node', [CLI_BIN, 'trace', t.id, '--case', caseDir], { env })).stdout;
    expect(text).toContain(`celery_task ${t.id}`);
    expect(text).toContain(`  failed: ${tr.chain!.failureReason}`);
    const req = truth.taskblade[0]!.request_id;
    const reqText = (await run('node', [CLI_BIN, 'trace', req, '--case', caseDir], { env })).stdout;
    expect(reqText).toMatch(/\bsystem\s+\S+\s+\S+\s+mention:request_id\s/);
    const ch = JSON.parse((await run('node', [CLI_BIN, 'chains', '--case', caseDir, '--kind', 'celery_task', '--status', 'failure', '--min-duration', '0s', '--json'], { env })).stdout) as { total: number };
    expect(ch.total).toBe(truth.celery.filter((c) => c.status === 'failure').length);
    const table = (await run('node', [CLI_BIN, 'chains', '--case', caseDir, '--kind', 'pipeline_run', '--sort', 'duration', '--limit', '3'], { env })).stdout;
    expect(table.split('\n')[0]).toMatch(/^key\s+kind\s+label\s+status/);
    await expect(run('node', [CLI_BIN, 'chains', '--case', caseDir, '--min-duration', 'soon'], { env })).rejects.toThrow(/min-duration/);
    // --offset pages as the view does: the second page of three picks up right after the first.
    const first = JSON.parse((await run('node', [CLI_BIN, 'chains', '--case', caseDir, '--sort', 'events', '--limit', '6', '--json'], { env })).stdout) as { chains: ChainSummary[] };
    const next = await run('node', [CLI_BIN, 'chains', '--case', caseDir, '--sort', 'events', '--limit', '3', '--offset', '3'], { env });
    expect(next.stdout.split('\n').slice(2, 5).map((l) => l.split(/\s+/)[0])).toEqual(first.chains.slice(3).map((c) => c.key));
    expect(next.stderr).toMatch(/^4-6 of \d+ chains/m);
    h = await CaseHandle.open(caseDir, { readOnly: true });
  }, 120_000);
});

describe('extraction SQL', () => {
  it('finds client ids as whole words, also right after an escaped newline in JSON text', () => {
    const re = new RegExp(patternRegex({ kind: 'kyc', regex: '[A-Z]{4,6}[0-9]{3,}' }), 'g');
    const found = (s: string) => [...s.matchAll(re)].map((m) => m[0].replace(/^\\[nrt]/, ''));
    expect(found(`"data": "\\nALPHA1234 <- x", 'BETA99999'`)).toEqual(['ALPHA1234', 'BETA99999']);
    expect(found('XYZALPHA1234 ALPHA12 alpha1234 ALPHA1234X')).toEqual([]);
    expect(extractSql('celery', 'file_id = 1', [])).toContain(`json_extract_string(f, ['$.task_id'`);
  });
});

describe('operator id patterns', () => {
  it('skips patterns RE2 cannot run instead of failing the import', () => {
    const ok = { kind: 'txn', regex: 'TXN[0-9]{6}' };
    expect(usablePatterns([ok, { kind: 'a', regex: 'A(?=B)' }, { kind: 'b', regex: '(X)\\1' }, { kind: 'c', regex: '([' }])).toEqual([ok]);
  });
});
