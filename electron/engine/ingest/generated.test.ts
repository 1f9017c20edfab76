// Properties on generated trees (real generator, real engine, real DuckDB): every input line is inside exactly one
// event, JSON records are counted exactly, every format is recognised by its server path, the site timezone is
// inferred; and the chain-of-custody check passes on the imported case and fails after tampering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateTree, type GenerateSummary } from '../../testkit/synth/generate';
import { readTruth, type Truth } from '../../testkit/synth/truth';
import { Engine } from '../engine';
import type { CaseInfo, ImportResult } from '../../../shared/domain';
import type { IntegrityResult } from '../../../shared/audit';
import { tempDir, removeDir } from '../../testkit/tmp';
import { messageSql } from '../store/schema';

const EXPECTED_FORMAT: Record<string, string> = {
  'logs/app/': 'system', 'llm-agents/': 'taskblade', '/outputs/': 'pipeline', 'logs/workflows/': 'prefect',
  'logs/celery/': 'celery', 'logs/doodle/': 'doodle', 'logs/gunicorn/': 'gunicorn', 'logs/jupyterlab/': 'jupyter',
};

describe('a generated tree', () => {
  let root: string;
  let gen: GenerateSummary;
  let truth: Truth;
  let engine: Engine;
  let info: CaseInfo;
  let result: ImportResult;

  beforeAll(async () => {
    root = tempDir();
    process.env.CASEFILE_HOME = path.join(root, 'home');
    gen = await generateTree(path.join(root, 'gen'), { targetBytes: 3_000_000, seed: 7, faults: 'all' });
    truth = readTruth(gen.truthPath);
    engine = await Engine.create({ via: 'test' });
    info = (await engine.invoke('cases.create', { name: 'generated', dir: path.join(root, 'case') })) as CaseInfo;
    result = (await engine.invoke('import.paths', { caseId: info.id, paths: [gen.root] })) as ImportResult;
  }, 240_000);

  afterAll(async () => {
    await engine?.close();
    removeDir(root);
  });

  it('accounts for every line and every JSON record', async () => {
    const rows = (await engine.invoke('events.sql', {
      caseId: info.id, sql: `SELECT file, sum(line_count)::BIGINT AS lines, count(*) AS records FROM events GROUP BY file`,
    })) as { rows: { file: string; lines: string | number; records: string | number }[] };
    const got = new Map(rows.rows.map((r) => [r.file, r]));
    const byFile = new Map(result.files.map((f) => [f.file, f]));
    for (const t of truth.files) {
      const rel = t.file.replace(/^enrich\//, '');
      const f = byFile.get(rel);
      expect(f, rel).toBeDefined();
      if (t.truncated) { expect(f!.note, rel).toMatch(/truncated/); continue; }
      const r = got.get(rel);
      expect(Number(r?.lines ?? 0), `${rel} lines`).toBe(t.lines);
      expect(f!.lines, `${rel} lines read`).toBe(t.lines);
      if (f!.format === 'system' || f!.format === 'taskblade' || f!.format === 'pipeline') expect(Number(r?.records ?? 0), `${rel} records`).toBe(t.records);
    }
    expect(result.files.length).toBe(truth.files.length);
  });

  it('recognises every format by its server path and infers the site timezone', () => {
    for (const f of result.files) {
      const want = Object.entries(EXPECTED_FORMAT).find(([frag]) => `/${f.file}`.includes(frag))?.[1];
      if (want && f.records > 0) expect(f.format, f.file).toBe(want);
    }
    expect(result.timezone).toMatchObject({ zone: truth.siteTz, how: 'inferred' });
  });

  it('keeps malformed records as raw events, flagged', async () => {
    const r = (await engine.invoke('events.sql', {
      caseId: info.id, sql: `SELECT count(*) AS n FROM events WHERE parse_status = 'malformed' AND raw IS NOT NULL`,
    })) as { rows: { n: string | number }[] };
    expect(Number(r.rows[0]!.n)).toBeGreaterThanOrEqual(truth.faults.filter((x) => x.kind !== 'empty_file').length > 0 ? 1 : 0);
  });

  it('serves the fields of JSON records (stored once, as their raw text) to detail, field filters and field lists', async () => {
    const values = (await engine.invoke('events.fieldValues', { caseId: info.id, filter: { sources: ['taskblade'] }, field: 'user', limit: 5 })) as { values: { value: string; count: number }[] };
    expect(values.values.length).toBeGreaterThan(0);
    const user = values.values[0]!;
    const page = (await engine.invoke('events.page', { caseId: info.id, filter: { fields: [{ field: 'user', value: user.value }] }, limit: 1000 })) as { rows: { id: number }[]; total: number };
    expect(page.total).toBeGreaterThanOrEqual(user.count);
    const detail = (await engine.invoke('events.get', { caseId: info.id, id: page.rows[0]!.id })) as { fields: Record<string, unknown> };
    expect(detail.fields.user).toBe(user.value);
    const names = (await engine.invoke('events.fieldNames', { caseId: info.id })) as { field: string }[];
    expect(names.map((n) => n.field)).toEqual(expect.arrayContaining(['levelname', 'asctime', 'runid']));
  });

  it('passes the chain-of-custody check, and fails after one byte of evidence or one event changes', async () => {
    const ok = (await engine.invoke('case.verify', { caseId: info.id })) as IntegrityResult;
    expect(ok.problems).toEqual([]);
    expect(ok.ok).toBe(true);

    const bundleDir = path.join(info.dir, 'bundles', result.bundles[0]!.id);
    const victim = path.join(bundleDir, 'logs/celery/celery-worker.log');
    const original = readFileSync(victim);
    chmodSync(victim, 0o600);
    const changed = Buffer.from(original);
    changed[10] = changed[10]! ^ 1;
    writeFileSync(victim, changed);
    const bad = (await engine.invoke('case.verify', { caseId: info.id })) as IntegrityResult;
    expect(bad.ok).toBe(false);
    expect(bad.problems.some((p) => p.file === 'logs/celery/celery-worker.log')).toBe(true);
    writeFileSync(victim, original);

    const h = engine.context.getCase(info.id);
    await h.withWriter((db) => db.run(`UPDATE event_store SET message = ${messageSql('event_store')} || ' (edited)' WHERE id = (SELECT min(id) FROM event_store WHERE source = 'doodle')`));
    const edited = (await engine.invoke('case.verify', { caseId: info.id })) as IntegrityResult;
    expect(edited.ok).toBe(false);
    expect(edited.problems.some((p) => /doodle/.test(p.file))).toBe(true);
  });
});
