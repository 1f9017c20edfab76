// A case made before columns were added (schema.ts ADDED_COLUMNS), opened read-only (no writer has brought it up to
// date): the engine's readers, which name the new columns, read it as they read the same case made today.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { CaseDb } from './db';
import { removeDir, tempDir } from '../../testkit/tmp';
import { importPaths } from '../ingest/importer';
import { around, get, page } from '../query/events';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
afterEach(() => { delete process.env.CASEFILE_STORE_TEXT; });

const EXCERPTS = path.join(__dirname, '../../testkit/realworld/excerpts');

async function importCase(dir: string, storeText: boolean): Promise<void> {
  if (storeText) process.env.CASEFILE_STORE_TEXT = '1'; else delete process.env.CASEFILE_STORE_TEXT;
  const h = await CaseHandle.create(dir, { name: path.basename(dir) });
  try { await importPaths(h, [EXCERPTS]); } finally { await h.close(); }
}

/** The columns a case made before lacked, and the events view it had (message and stamp text read as stored). */
async function makeItOld(dir: string): Promise<void> {
  const db = await CaseDb.open(path.join(dir, 'case.duckdb'));
  try {
    await db.run('DROP VIEW events');
    for (const c of ['msg_at', 'msg_len', 'ts_at', 'ts_len']) await db.run(`ALTER TABLE event_store DROP COLUMN ${c}`);
    await db.run('ALTER TABLE files DROP COLUMN audited');
    await db.run(`CREATE VIEW events AS SELECT s.id, s.ts, s.ts_text, s.source, f.path AS file, s.line, s.line_count, s.level,
      s.logger, s.message, coalesce(s.fields, s.raw)::JSON AS fields, s.raw, s.parse_status, f.bundle, s.file_id, s.ts_flag, f.tz_rule
      FROM event_store s JOIN files f USING (file_id)`);
  } finally { db.close(); }
}

/** What the timeline shows: every page, each event's detail, and the context around a few. */
async function shown(dir: string): Promise<{ columns: number; rows: unknown[]; details: unknown[]; around: unknown[] }> {
  const h = await CaseHandle.open(dir, { readOnly: true });
  try {
    const rows = (await page(h.db, { filter: {}, limit: 5000 })).rows;
    const ids = rows.filter((_, i) => i % 7 === 0).map((r) => r.id);
    const details = await Promise.all(ids.map((id) => get(h.db, id)));
    const arounds = await Promise.all(ids.slice(0, 8).map((id) => around(h.db, id, 600, 5)));
    const [c] = await h.db.read<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_columns() WHERE table_name = 'event_store' AND NOT internal AND database_name = current_database()`);
    return { columns: c!.n, rows, details, around: arounds };
  } finally { await h.close(); }
}

describe('a case made before the added columns, opened read-only', () => {
  it('reads as the same case made today, and is not altered', async () => {
    const root = tempDir();
    dirs.push(root);
    const old = path.join(root, 'old');
    const now = path.join(root, 'now');
    await importCase(old, true);
    await importCase(now, false);
    await makeItOld(old);
    const [a, b] = [await shown(old), await shown(now)];
    expect(a.columns).toBe(14); // left as it was: only a writer's open adds the columns
    expect(b.columns).toBe(18);
    expect(a.rows.length).toBeGreaterThan(100);
    expect(a.rows.some((r) => (r as { message: string | null }).message)).toBe(true);
    expect(a.rows).toEqual(b.rows);
    expect(a.details).toEqual(b.details);
    expect(a.around).toEqual(b.around);
  }, 120_000);
});
