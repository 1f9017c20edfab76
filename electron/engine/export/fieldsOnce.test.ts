// An extract writes `fields` once: where a record's fields are exactly its raw text (a JSON record's), `fields` is
// empty in every format and the report says so; elsewhere (a text record's parsed fields) it is written, redacted.
// The rule is equality of the stored strings, nothing looser; the fail-closed re-scan still reads every written cell.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELDS_NOTE } from '../../../shared/exportFields';
import { removeDir, tempDir } from '../../testkit/tmp';
import type { CaseHandle } from '../case/caseStore';
import { Engine } from '../engine';
import { readBack } from './formats';
import { ExportBlocked, runExport } from './run';

const root = tempDir('casefile-fields-once-');
let engine: Engine;
let h: CaseHandle;
let caseId: string;

const SECRET = 'Zq81bX0pLm3nR7sTw';
const json = Array.from({ length: 6 }, (_, i) => JSON.stringify({
  asctime: `2023-07-28 16:54:5${i},016`, name: 'app', levelname: 'INFO', message: `login ok for venkata step ${i}`, user: 'venkata', created: 1690543490.016 + i,
  ...(i === 2 ? { data: JSON.stringify({ api_key: SECRET }) } : {}),
})).join('\n') + '\n';
// text records whose parsed fields (client, user, url…) are not their raw text and hold values to replace
const text = Array.from({ length: 6 }, (_, i) => `10.1.50.24${i} - anil [28/Jul/2023:16:55:0${i} +0000] "GET /home/anil/x?step=${i} HTTP/1.1" 200 95 "-" "curl/8.0"`)
  .join('\n') + '\n';

type Row = Record<string, string | null>;
const byId = (rows: Row[]) => new Map(rows.map((r) => [Number(r.id), r]));
/** Text records whose raw and fields the hostile test sets (ids from the case, in line order). */
let textIds: number[] = [];
let jsonIds: number[] = [];

async function extract(format: 'jsonl' | 'csv' | 'parquet', where?: string): Promise<{ rows: Row[]; report: { settings: Record<string, unknown> } }> {
  const r = await runExport(h, { selection: where ? { where } : {}, format, recipient: null, workers: 1 });
  const rows: Row[] = [];
  for await (const row of readBack(path.join(r.dir, `events.${format}`), format)) rows.push(row);
  return { rows, report: JSON.parse(fs.readFileSync(path.join(r.dir, 'report.json'), 'utf8')) as { settings: Record<string, unknown> } };
}

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const bundle = path.join(root, 'bundle');
  fs.mkdirSync(path.join(bundle, 'enrich/logs/app'), { recursive: true });
  fs.writeFileSync(path.join(bundle, 'enrich/logs/app/app.json.log'), json);
  fs.writeFileSync(path.join(bundle, 'enrich/logs/app/access.log'), text);
  engine = await Engine.create({ via: 'test' });
  const info = await engine.call('cases.create', { name: 'fields once', dir: path.join(root, 'case') });
  await engine.call('import.paths', { caseId: info.id, paths: [bundle] });
  caseId = info.id;
  h = engine.context.getCase(info.id);
  const ids = async (like: string) => (await h.db.read<{ id: number | string }>(`SELECT id FROM events WHERE file LIKE '%${like}' ORDER BY line`)).map((r) => Number(r.id));
  jsonIds = await ids('app.json.log');
  textIds = await ids('access.log');
}, 120_000);

afterAll(async () => {
  await engine?.close();
  removeDir(root);
});

describe('fields written once', () => {
  it('JSONL, CSV and Parquet: a JSON record\'s fields are empty (its raw holds them), a text record\'s are written and redacted; the report says so', async () => {
    expect([jsonIds.length, textIds.length]).toEqual([6, 6]);
    // the case itself holds both: JSON records whose fields are their raw text, text records whose fields are not
    const stored = await h.db.read<{ same: boolean; n: number | string }>('SELECT fields::VARCHAR = raw AS same, count(*) AS n FROM events GROUP BY 1 ORDER BY 1');
    expect(stored.map((s) => [s.same, Number(s.n)])).toEqual([[false, 6], [true, 6]]);
    for (const format of ['jsonl', 'csv', 'parquet'] as const) {
      const { rows, report } = await extract(format);
      const got = byId(rows);
      expect(rows.length, format).toBe(12);
      // JSONL null, Parquet NULL; CSV has no null, its cell is empty
      for (const id of jsonIds) expect(got.get(id)!.fields, `${format} ${id}`).toBe(format === 'csv' ? '' : null);
      // the raw text is still there, redacted as before
      for (const id of jsonIds) expect(got.get(id)!.raw).toMatch(/^\{"asctime": ?"2023-07-28 16:54:5\d,016".*"user": ?"<user:[A-Z0-9]{10}>"/);
      expect(got.get(jsonIds[2]!)!.raw).toContain('<secret:');
      for (const id of textIds) {
        const fields = got.get(id)!.fields;
        expect(fields, `${format} ${id}`).toMatch(/^\{/);
        expect(() => JSON.parse(fields!) as unknown).not.toThrow();
        expect(fields).not.toMatch(/anil/);
        expect(fields).toMatch(/<user:[A-Z0-9]{10}>/);
      }
      expect(JSON.stringify(rows)).not.toMatch(new RegExp(`${SECRET}|venkata|anil`));
      expect(report.settings.fieldsWhereRaw).toBe(FIELDS_NOTE);
      expect(report.settings.columns).toContain('fields');
    }
  });

  it('is exact equality of the stored strings: a text record whose fields are its raw is empty too; one space, one byte apart and it is written', async () => {
    const [same, spaced, trailing] = textIds as [number, number, number];
    await h.withWriter(async (w) => {
      await w.run(`UPDATE event_store SET raw = '{"user":"anil","n":1}', fields = '{"user":"anil","n":1}' WHERE id = $1`, [same]);
      await w.run(`UPDATE event_store SET raw = '{"user":"anil","n":2}', fields = '{"user": "anil","n":2}' WHERE id = $1`, [spaced]);
      await w.run(`UPDATE event_store SET raw = '{"user":"anil","n":3} ', fields = '{"user":"anil","n":3}' WHERE id = $1`, [trailing]);
    });
    for (const format of ['jsonl', 'csv', 'parquet'] as const) {
      const got = byId((await extract(format, `id IN (${same}, ${spaced}, ${trailing})`)).rows);
      expect(got.get(same)!.fields, format).toBe(format === 'csv' ? '' : null);
      expect(got.get(same)!.raw).toMatch(/^\{"user":"<user:[A-Z0-9]{10}>","n":1\}$/);
      expect(got.get(spaced)!.fields, format).toMatch(/^\{"user": "<user:[A-Z0-9]{10}>","n":2\}$/);
      expect(got.get(trailing)!.fields, format).toMatch(/^\{"user":"<user:[A-Z0-9]{10}>","n":3\}$/);
      expect(got.get(trailing)!.raw).toMatch(/^\{"user":"<user:[A-Z0-9]{10}>","n":3\} $/);
    }
    // the preview shows what is written: no fields cell where the extract has none
    const preview = await engine.call('export.preview', { caseId, selection: { where: `id IN (${same}, ${spaced})` }, limit: 10 });
    expect(preview.rows.filter((r) => r.column === 'fields').map((r) => r.id)).toEqual([spaced]);
    expect(preview.rows.filter((r) => r.column === 'raw').map((r) => r.id).sort()).toEqual([same, spaced].sort());
  });

  it('the re-scan still blocks a leak in raw where fields is empty, and names raw', async () => {
    // a JSON record carrying the base64 of its own user, which no detector replaces and the originals search finds
    const [planted] = jsonIds as [number];
    const blob = Buffer.from('x venkata x').toString('base64');
    await h.withWriter((w) => w.run('UPDATE event_store SET raw = $1 WHERE id = $2',
      [JSON.stringify({ asctime: '2023-07-28 16:54:50,016', name: 'app', levelname: 'INFO', message: 'avatar', user: 'venkata', avatar: blob }), planted]));
    for (const format of ['jsonl', 'csv', 'parquet'] as const) {
      const blocked = await runExport(h, { selection: { where: `id = ${planted}` }, format, recipient: null, workers: 1 }).catch((e: unknown) => e);
      expect(blocked, format).toBeInstanceOf(ExportBlocked);
      const hits = (blocked as ExportBlocked).hits;
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.map((x) => x.where)).toEqual(hits.map(() => `event ${planted} raw`));
      expect(hits.some((x) => x.check === 'original' && x.detail === 'base64')).toBe(true);
    }
  });
});
