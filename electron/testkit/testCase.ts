// A generated case for the query tests: a few thousand rows over several sources, files and bundles, with
// NULL levels, inherited times, ties in time across files and one file without any time. Deterministic.
import { buildEventMinutes } from '../engine/store/eventMinutes';
import { EVENT_COLUMNS } from '../engine/store/schema';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LEVELS } from '../../shared/domain';
import { CaseHandle } from '../engine/case/caseStore';

export interface GenRow {
  id: number; fileId: number; source: string; file: string; bundle: string; line: number; lineCount: number;
  ts: string | null; tsMs: number | null; tsFlag: string | null; level: string | null; logger: string | null;
  message: string; fields: Record<string, unknown>; raw: string; parseStatus: 'ok' | 'malformed' | 'unparsed';
}
export interface GenFile { fileId: number; source: string; path: string; bundle: string; firstId: number; lastId: number }

/** Small seeded PRNG (mulberry32) so failures reproduce. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const BASE_MS = Date.parse('2023-07-30T00:00:00.000Z');
const SOURCES = ['system', 'pipeline', 'taskblade', 'celery', 'gunicorn', 'raw'] as const;
const USERS = ['alice', 'bob', 'carol', 'dave'];
const WORDS = ['Timeout talking to db', 'request done', 'retry 50%_off', "quote ' and \" here", 'Traceback (most recent call last)', 'heartbeat', 'Übersicht geladen'];

export function generate(files = 18, rowsPerFile = 180, seed = 42): { files: GenFile[]; rows: GenRow[] } {
  const r = rng(seed);
  const outFiles: GenFile[] = [];
  const rows: GenRow[] = [];
  let id = 1;
  for (let f = 1; f <= files; f++) {
    const source = SOURCES[(f - 1) % SOURCES.length]!;
    const bundle = f % 3 === 0 ? 'bundle-b' : 'bundle-a';
    const file = `${bundle}/${source}/app-${f}.log`;
    const untimedFile = source === 'raw' && f === 6; // a file with no time at all
    const firstId = id;
    // Whole seconds, so events in different files share times and the id tiebreak matters.
    let tMs = BASE_MS + Math.floor(r() * 600) * 1000;
    for (let i = 0; i < rowsPerFile; i++, id++) {
      tMs += Math.floor(r() * 4) * 1000;
      const inherited = !untimedFile && i > 0 && r() < 0.08;
      const lvR = r();
      const level = lvR < 0.12 ? null : LEVELS[Math.floor(r() * LEVELS.length)]!;
      const user = USERS[Math.floor(r() * USERS.length)]!;
      const msg = `${WORDS[Math.floor(r() * WORDS.length)]!} #${id}`;
      const fields: Record<string, unknown> = { user, n: i % 7, 'a.b': i % 2 === 0 ? 'even' : 'odd', message: msg };
      if (r() < 0.3) fields.dataset = `ds-${Math.floor(r() * 5)}`;
      if (r() < 0.1) fields.nested = JSON.stringify({ inner: [1, 2] });
      const ts = untimedFile ? null : new Date(tMs).toISOString();
      const prevTs = rows[rows.length - 1]?.fileId === f ? rows[rows.length - 1]!.ts : ts;
      const rowTs = inherited ? prevTs : ts;
      rows.push({
        id, fileId: f, source, file, bundle, line: i + 1, lineCount: 1,
        ts: rowTs, tsMs: rowTs === null ? null : Date.parse(rowTs), tsFlag: inherited ? 'inherited' : null,
        level, logger: r() < 0.5 ? `svc.${source}` : null, message: msg, fields,
        raw: `${rowTs ?? '-'} ${level ?? ''} ${user} ${msg}`,
        parseStatus: r() < 0.05 ? 'malformed' : source === 'raw' ? 'unparsed' : 'ok',
      });
    }
    outFiles.push({ fileId: f, source, path: file, bundle, firstId, lastId: id - 1 });
  }
  return { files: outFiles, rows };
}

/** The generated case in a real case folder; `summary` also builds the per-minute summary, as an import does. */
export async function buildCase(data = generate(), opts: { summary?: boolean } = {}): Promise<{ handle: CaseHandle; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'casefile-query-'));
  const handle = await CaseHandle.create(path.join(dir, 'case'), { name: 'query test' });
  await handle.withWriter(async (db) => {
    for (const f of data.files) {
      await db.run(`INSERT INTO files (file_id, bundle, path, format, tz_rule, first_id, last_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [f.fileId, f.bundle, f.path, f.source, 'UTC (default)', f.firstId, f.lastId]);
    }
    const CHUNK = 200;
    for (let at = 0; at < data.rows.length; at += CHUNK) {
      const chunk = data.rows.slice(at, at + CHUNK);
      const params: (string | number | null)[] = [];
      const tuples = chunk.map((e) => {
        const vals = [e.id, e.fileId, e.source, e.line, e.lineCount, e.ts, e.ts, e.tsFlag, e.level, e.logger, e.message,
          JSON.stringify(e.fields), e.raw, e.parseStatus];
        const ph = vals.map((v) => { params.push(v); return `$${params.length}`; });
        ph[5] = `${ph[5]}::TIMESTAMPTZ`;
        ph[11] = `${ph[11]}::JSON`;
        return `(${ph.join(', ')})`;
      });
      await db.run(`INSERT INTO event_store (${EVENT_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
    }
    if (opts.summary) await buildEventMinutes(db);
  });
  return { handle, dir, cleanup: async () => { await handle.close(); await rm(dir, { recursive: true, force: true }); } };
}
