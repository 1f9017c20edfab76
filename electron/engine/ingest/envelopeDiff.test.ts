// Differential test: a generated server tree, and a copy of it with every file wrapped in an envelope (journald,
// docker, CRI, kubectl, compose, a quoted ticket), import with the same records and the same times; two generated
// files interleaved as services of one `docker compose logs` file come out as the same two record streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { generateTree } from '../../testkit/synth/generate';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from './importer';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';

const STAMP = (i: number) => new Date(Date.UTC(2030, 0, 1) + i * 1000).toISOString().replace('.000Z', '.123456789Z');
/** Each wrapper turns one generated line (its index i) into the envelope's line(s). */
const WRAPPERS: Record<string, (line: string, i: number) => string> = {
  'journald-iso': (l, i) => `${STAMP(i).slice(0, 19)}+0000 web01 enrich[4242]: ${l}`,
  'docker-json': (l, i) => JSON.stringify({ log: `${l}\n`, stream: i % 3 ? 'stdout' : 'stderr', time: STAMP(i) }),
  cri: (l, i) => `${STAMP(i)} stdout F ${l}`,
  timestamps: (l, i) => `${STAMP(i)} ${l}`,
  'kubectl-prefix': (l) => `[pod/enrich-7f9c-x2x/app] ${l}`,
  'docker-compose': (l) => `\u001b[36menrich-1  |\u001b[0m ${l}`,
  quoted: (l) => `> ${l}`,
};

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? walk(p, base) : [path.relative(base, p)];
  });
}

interface Rec { file: string; line: number; line_count: number; ts: string | null; ts_flag: string; level: string | null; logger: string | null; message: string | null; source: string; fields: string | null }
async function importTree(dir: string, caseDir: string): Promise<{ rows: Rec[]; formats: Map<string, string> }> {
  const handle = await CaseHandle.create(caseDir, { name: 't', timezone: 'Asia/Kolkata' });
  try {
    const res = await importPaths(handle, [dir]);
    const rows = await handle.db.read<Rec>(`SELECT file, line::INTEGER AS line, line_count, strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts, ts_flag, level, logger, message, source, fields::VARCHAR AS fields
      FROM events ORDER BY file, id`);
    return { rows, formats: new Map(res.files.map((f) => [f.file, f.format])) };
  } finally {
    await handle.close();
  }
}

const record = (r: Rec) => ({ line_count: r.line_count, level: r.level, logger: r.logger, message: r.message, ts: r.ts });

describe('envelope-wrapped copies of a generated tree', () => {
  let root: string;
  let plain: Awaited<ReturnType<typeof importTree>>;
  let wrapped: Awaited<ReturnType<typeof importTree>>;
  const wrapperOf = new Map<string, string>();
  const composed: { file: string; services: [string, string] } = { file: 'compose/docker-compose.log', services: ['', ''] };

  beforeAll(async () => {
    root = tempDir();
    const gen = await generateTree(path.join(root, 'gen'), { targetBytes: 400_000, seed: 11, faults: false });
    const files = walk(gen.root).filter((f) => !f.endsWith('.gz')).sort();
    const kinds = Object.keys(WRAPPERS);
    const wrappedRoot = path.join(root, 'wrapped');
    files.forEach((rel, n) => {
      const kind = kinds[n % kinds.length]!;
      wrapperOf.set(rel, kind);
      const lines = readFileSync(path.join(gen.root, rel), 'utf8').replace(/\n$/, '').split('\n');
      writeAt(wrappedRoot, rel, lines.map((l, i) => WRAPPERS[kind]!(l, i)).join('\n') + '\n');
    });
    // Two services interleaved in one compose file: a Celery worker and the Doodle server.
    const celery = files.find((f) => f.includes('logs/celery/'))!;
    const doodle = files.find((f) => f.includes('logs/doodle/'))!;
    composed.services = [celery, doodle];
    const a = readFileSync(path.join(gen.root, celery), 'utf8').replace(/\n$/, '').split('\n');
    const b = readFileSync(path.join(gen.root, doodle), 'utf8').replace(/\n$/, '').split('\n');
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i < a.length) out.push(`worker-1  | ${a[i]}`);
      if (i < b.length) out.push(`doodle-1  | ${b[i]}`);
    }
    writeAt(wrappedRoot, composed.file, out.join('\n') + '\n');
    plain = await importTree(gen.root, path.join(root, 'case-plain'));
    wrapped = await importTree(wrappedRoot, path.join(root, 'case-wrapped'));
  }, 240_000);

  afterAll(() => removeDir(root));

  it('every wrapped file is read with the same format, records and times as its plain original', () => {
    expect(wrapperOf.size).toBeGreaterThan(Object.keys(WRAPPERS).length);
    let compared = 0;
    const byFile = (rows: Rec[], file: string) => rows.filter((r) => r.file === file);
    for (const [rel, kind] of wrapperOf) {
      expect(wrapped.formats.get(rel), `${rel} (${kind})`).toBe(plain.formats.get(rel));
      expect(plain.formats.get(rel), rel).toMatch(/^(system|taskblade|pipeline|prefect|celery|doodle|gunicorn|jupyter)$/);
      const p = byFile(plain.rows, rel);
      const w = byFile(wrapped.rows, rel);
      compared += p.length;
      expect(w.length, `${rel} (${kind}) records`).toBe(p.length);
      // Records that had their own stamp keep it exactly; those without take the envelope's (not compared).
      p.forEach((r, i) => {
        const own = r.ts_flag !== 'inherited' && r.ts_flag !== 'none';
        expect({ ...record(w[i]!), line: w[i]!.line, ts: own ? w[i]!.ts : null }, `${rel} (${kind}) record ${i}`).toEqual({ ...record(r), line: r.line, ts: own ? r.ts : null });
      });
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('keeps the envelope fields on each record', () => {
    const some = wrapped.rows.find((r) => wrapperOf.get(r.file) === 'journald-iso');
    expect(JSON.parse(some!.fields!)).toMatchObject({ host: 'web01', unit: 'enrich', pid: '4242' });
    const k = wrapped.rows.find((r) => wrapperOf.get(r.file) === 'kubectl-prefix');
    expect(JSON.parse(k!.fields!)).toMatchObject({ pod: 'enrich-7f9c-x2x', container: 'app' });
  });

  it('splits interleaved services into streams, each equal to its original file', () => {
    // Doodle and the dashboard share gunicorn's layout: by content alone either reads the Doodle stream.
    expect(wrapped.formats.get(composed.file)).toMatch(/^celery\+(doodle|gunicorn)$/);
    const rows = wrapped.rows.filter((r) => r.file === composed.file);
    for (const [service, original] of [['worker-1', composed.services[0]], ['doodle-1', composed.services[1]]] as const) {
      const got = rows.filter((r) => JSON.parse(r.fields ?? '{}').service === service).map(record);
      const want = plain.rows.filter((r) => r.file === original).map(record);
      expect(got.length, service).toBe(want.length);
      expect(got, service).toEqual(want);
    }
  });
});
