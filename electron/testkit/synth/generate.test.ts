import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTree, type GenerateSummary } from './generate';
import { readTruth, type Truth, type TruthEvent } from './truth';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

function digestTree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]));
}

/** Decompressed content (a truncated .gz yields what is readable). */
function content(root: string, rel: string): Buffer {
  const raw = fs.readFileSync(path.join(root, rel));
  return rel.endsWith('.gz') ? zlib.gunzipSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH }) : raw;
}

/** Physical lines, 1-based (index 0 unused); a final line without newline still counts. */
function lines(root: string, rel: string, cache: Map<string, string[]>): string[] {
  let l = cache.get(rel);
  if (!l) {
    const text = content(root, rel).toString('latin1');
    l = text === '' ? [] : text.split('\n');
    if (text.endsWith('\n')) l.pop();
    l.unshift('');
    cache.set(rel, l);
  }
  return l;
}

const key = (e: TruthEvent): string => `${e.file}:${e.line}`;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

describe('generateTree', () => {
  let a: GenerateSummary;
  let truth: Truth;
  const cache = new Map<string, string[]>();

  beforeAll(async () => {
    a = await generateTree(path.join(tmp, 'a'), { targetBytes: 3_000_000, seed: 42 });
    truth = readTruth(a.truthPath);
  });

  it('is deterministic: same seed and size give the same bytes, another seed does not', async () => {
    const b = await generateTree(path.join(tmp, 'b'), { targetBytes: 3_000_000, seed: 42 });
    const c = await generateTree(path.join(tmp, 'c'), { targetBytes: 3_000_000, seed: 43 });
    const da = digestTree(a.outDir);
    expect(digestTree(b.outDir)).toEqual(da);
    expect(Object.keys(da)).toContain('truth.json');
    expect(digestTree(c.outDir)['enrich/logs/celery/celery-worker.log']).not.toEqual(da['enrich/logs/celery/celery-worker.log']);
  });

  it('refuses to overwrite an existing tree', async () => {
    await expect(generateTree(a.outDir, { targetBytes: 10_000 })).rejects.toThrow(/already exists/);
  });

  it('lands within 10% of the target size (uncompressed) and matches its own counts', () => {
    let total = 0;
    for (const f of truth.files) {
      const data = content(a.outDir, f.file);
      total += data.length;
      expect(data.length, f.file).toBe(f.bytes);
      expect(lines(a.outDir, f.file, cache).length - 1, f.file).toBe(f.lines);
    }
    expect(Math.abs(total - 3_000_000) / 3_000_000).toBeLessThan(0.1);
    expect(total).toBe(a.bytes);
    expect(listFiles(path.join(a.outDir)).filter((f) => f !== 'truth.json')).toEqual(truth.files.map((f) => f.file).sort());
  });

  it('writes every Enrich format in the server layout', () => {
    const files = truth.files.map((f) => f.file);
    const first = (rel: string): string => lines(a.outDir, rel, cache)[1]!;
    for (const f of ['enrich/logs/app/app.json.log', 'enrich/logs/app/app.json.log.1', 'enrich/logs/app/app.json.log.2.gz']) {
      expect(files).toContain(f);
      expect(first(f)).toMatch(/^\{"message": ".*", "levelname": "\w+", "name": "app", "asctime": "\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", "funcName"/);
    }
    expect(zlib.gunzipSync(fs.readFileSync(path.join(a.outDir, 'enrich/logs/app/app.json.log.2.gz'))).length).toBeGreaterThan(0);
    const run = files.find((f) => /^enrich\/data\/acme\/\w+\/outputs\/\w+\/(daily|hourly|adhoc)-\d{8}-\d{6}\/log\.json$/.test(f));
    expect(run).toBeDefined();
    expect(first(run!)).toMatch(/^\{"asctime": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0530", "name": "app", .*"runid": "\w+-\d{8}-\d{6}", .*"ts": "[^"]+\+05:30"/);
    for (const svc of ['datagpt', 'docgpt']) expect(files).toContain(`enrich/llm-agents/logs/${svc}/app.json.log`);
    const flow = files.find((f) => /^enrich\/logs\/workflows\/\w+-\d{8}-\d{6}\.log$/.test(f));
    expect(first(flow!)).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0530\] INFO - prefect\.FlowRunner \| /);
    expect(first('enrich/logs/celery/celery-worker.log')).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}: INFO\/MainProcess\] /);
    expect(first('enrich/logs/doodle/doodle.log')).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\] \[\d+\] \[DEBUG\] GET \/metadata\//);
    expect(first('enrich/logs/gunicorn/gunicorn_supervisor.log')).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0530\] \[\d+\] \[INFO\] /);
    expect(first('enrich/logs/jupyterlab/jupyterlab.log')).toMatch(/^\[I \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} ServerApp\] /);
    // Multi-line records: SQL continuation in Celery, tracebacks after gunicorn [ERROR], JSON blocks in Jupyter.
    const celery = lines(a.outDir, 'enrich/logs/celery/celery-worker.log', cache);
    expect(celery.some((l) => l.startsWith('            FROM '))).toBe(true);
    expect(celery.some((l) => / raised unexpected: \w+\(/.test(l))).toBe(true);
    const gun = lines(a.outDir, 'enrich/logs/gunicorn/gunicorn_supervisor.log', cache);
    const err = gun.findIndex((l) => l.includes('[ERROR]'));
    expect(gun[err + 1]).toBe('Traceback (most recent call last):');
    expect(lines(a.outDir, 'enrich/logs/jupyterlab/jupyterlab.log', cache).some((l) => l.startsWith('      "NotebookApp": {'))).toBe(true);
  });

  it('keeps asctime (naive, site-local) consistent with the epoch `created`', () => {
    for (const l of lines(a.outDir, 'enrich/logs/app/app.json.log.1', cache).slice(1, 200)) {
      let r: { asctime: string; created: number };
      try { r = JSON.parse(l) as typeof r; } catch { continue; }
      const asUtc = Date.parse(r.asctime.replace(' ', 'T').replace(',', '.') + '+05:30');
      expect(Math.floor(r.created * 1000)).toBe(asUtc);
    }
  });

  it('plants the faults it reports', () => {
    const kinds = truth.faults.map((f) => f.kind).sort();
    expect(kinds).toEqual(['binary_garbage', 'empty_file', 'invalid_utf8', 'torn_json', 'torn_json', 'torn_json', 'torn_json', 'torn_last_line']);
    for (const f of truth.faults) {
      if (f.kind === 'empty_file') {
        expect(fs.statSync(path.join(a.outDir, f.file)).size).toBe(0);
        continue;
      }
      const text = lines(a.outDir, f.file, cache)[f.line]!;
      const raw = Buffer.from(text, 'latin1');
      if (f.kind === 'torn_json' || f.kind === 'torn_last_line') expect(() => JSON.parse(text), `${f.file}:${f.line}`).toThrow();
      if (f.kind === 'invalid_utf8') expect(() => new TextDecoder('utf-8', { fatal: true }).decode(raw)).toThrow();
      if (f.kind === 'binary_garbage') expect(raw.some((b) => b < 9)).toBe(true);
      if (f.kind === 'torn_last_line') expect(content(a.outDir, f.file).at(-1)).not.toBe(10);
    }
  });

  it('truth: every celery event points at a record of that task, and every record of it is listed', () => {
    const own = new Map<string, Set<string>>();
    for (const t of truth.celery) {
      expect(t.events.length).toBeGreaterThanOrEqual(t.parentId ? 3 : 5);
      own.set(t.id, new Set(t.events.map(key)));
      for (const e of t.events) {
        const l = lines(a.outDir, e.file, cache)[e.line]!;
        if (e.file.endsWith('celery-worker.log')) {
          expect(l, key(e)).toMatch(new RegExp(`^\\[[^\\]]+\\] (Task \\w+\\[${t.id}\\]|TaskPool: Apply .*'id': '${t.id}'|\\w+\\[${t.id}\\]: )`));
        } else if (e.file.endsWith('gunicorn_supervisor.log')) {
          // The dashboard's API call that started the task names it only in its URL.
          expect(l, key(e)).toMatch(new RegExp(`\\] POST /dashboard/api/tasks/${t.id}/$`));
        } else {
          expect(e.file).toMatch(/^enrich\/logs\/app\/app\.json\.log/);
          expect((JSON.parse(l) as { data: string }).data).toMatch(new RegExp(`^\\n${t.id} (->|<-) `));
        }
      }
    }
    // Completeness: scan the files and attribute every record mentioning a task as its own to that task.
    const celery = lines(a.outDir, 'enrich/logs/celery/celery-worker.log', cache);
    for (let i = 1; i < celery.length; i++) {
      const m = /^\[[^\]]+\] (?:Task \w+\[([0-9a-f-]{36})\]|TaskPool: Apply .*?'id': '([0-9a-f-]{36})'|\w+\[([0-9a-f-]{36})\]: )/.exec(celery[i]!);
      const id = m?.[1] ?? m?.[2] ?? m?.[3];
      if (id) expect(own.get(id)?.has(`enrich/logs/celery/celery-worker.log:${i}`), `line ${i}`).toBe(true);
    }
    for (const f of truth.files.filter((x) => x.kind === 'system')) {
      lines(a.outDir, f.file, cache).forEach((l, i) => {
        const m = /"data": "\\n([0-9a-f-]{36}) (?:->|<-) /.exec(l);
        if (m) expect(own.get(m[1]!)?.has(`${f.file}:${i}`), `${f.file}:${i}`).toBe(true);
      });
    }
  });

  it('truth: celery chains include failures, a slow task, interleaving, and parent/child links', () => {
    const byId = new Map(truth.celery.map((t) => [t.id, t]));
    expect(truth.celery.some((t) => t.status === 'failure')).toBe(true);
    expect(truth.celery.some((t) => t.runtimeS >= 300)).toBe(true);
    const parent = truth.celery.find((t) => t.children.length >= 3)!;
    for (const c of parent.children) {
      expect(byId.get(c)?.parentId).toBe(parent.id);
      expect(byId.get(c)?.rootId).toBe(parent.id);
    }
    const spans = truth.celery.map((t) => t.events.filter((e) => e.file.includes('celery')).map((e) => e.line))
      .map((ls) => [Math.min(...ls), Math.max(...ls)] as const).sort((x, y) => x[0] - y[0]);
    expect(spans.some((s, i) => i > 0 && s[0] < spans[i - 1]![1])).toBe(true);
  });

  it('truth: TaskBlade requests list exactly the records carrying their request_id', () => {
    const own = new Map(truth.taskblade.map((r) => [r.request_id, new Set(r.events.map(key))]));
    expect(truth.taskblade.some((r) => r.status === 'failure')).toBe(true);
    for (const f of truth.files.filter((x) => x.kind === 'taskblade')) {
      let seen = 0;
      lines(a.outDir, f.file, cache).forEach((l, i) => {
        const m = /"request_id": "([0-9a-f-]{36})"/.exec(l);
        if (m) {
          seen++;
          expect(own.get(m[1]!)?.has(`${f.file}:${i}`)).toBe(true);
        }
      });
      expect(seen).toBe(truth.taskblade.reduce((n, r) => n + r.events.filter((e) => e.file === f.file).length, 0));
    }
    for (const r of truth.taskblade) {
      const last = r.events.at(-1)!;
      expect((JSON.parse(lines(a.outDir, last.file, cache)[last.line]!) as { message: string }).message).toBe(`Query Status: ${r.status}`);
    }
  });

  it('truth: metadata entities and pipeline runs point at real records and files', () => {
    for (const m of truth.metadata) {
      expect(m.events.length).toBeGreaterThan(0);
      for (const e of m.events) expect(lines(a.outDir, e.file, cache)[e.line]).toContain(m.uuid);
    }
    const doodle = lines(a.outDir, 'enrich/logs/doodle/doodle.log', cache);
    const listed = new Set(truth.metadata.flatMap((m) => m.events.map(key)));
    doodle.forEach((l, i) => { if (UUID.test(l)) expect(listed.has(`enrich/logs/doodle/doodle.log:${i}`)).toBe(true); UUID.lastIndex = 0; });

    expect(truth.pipelines.some((p) => p.status === 'failure' && p.prefectTask)).toBe(true);
    for (const p of truth.pipelines) {
      const recs = lines(a.outDir, p.file, cache).slice(1);
      expect(recs.length).toBe(p.records);
      expect(recs[0]).toContain(`"runid": "${p.runid}"`);
      expect(recs.some((l) => l.includes('"levelname": "ERROR"'))).toBe(p.status === 'failure');
      if (p.prefectFile) {
        const flow = lines(a.outDir, p.prefectFile, cache);
        const state = p.status === 'success' ? 'Success' : 'Failed';
        expect(flow.some((l) => l.endsWith(`Task '${p.prefectTask}': Finished task run for task with final state: '${state}'`))).toBe(true);
      }
    }
  });
});

describe('generateTree faults: all', () => {
  it('adds a truncated .gz that gunzip rejects', async () => {
    const s = await generateTree(path.join(tmp, 'all'), { targetBytes: 200_000, seed: 5, faults: 'all' });
    const t = readTruth(s.truthPath);
    const f = t.faults.find((x) => x.kind === 'truncated_gz')!;
    expect(() => zlib.gunzipSync(fs.readFileSync(path.join(s.outDir, f.file)))).toThrow();
    expect(t.files.find((x) => x.file === f.file)?.truncated).toBe(true);
  });

  it('plants nothing malformed with faults: false', async () => {
    const s = await generateTree(path.join(tmp, 'clean'), { targetBytes: 200_000, seed: 5, faults: false });
    const t = readTruth(s.truthPath);
    expect(t.faults).toEqual([]);
    for (const f of t.files.filter((x) => x.file.endsWith('.json.log') || x.file.endsWith('log.json'))) {
      for (const l of lines(s.outDir, f.file, new Map()).slice(1)) expect(() => JSON.parse(l)).not.toThrow();
    }
  });
});
