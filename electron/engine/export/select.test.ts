// The export's streamed selection reads DuckDB chunks column by column, `fields` null where it equals `raw` (written
// once): it must hand over exactly the rows the row-object reader (the preview's pages()) gives, in the same order.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../testkit/tmp';
import type { CaseHandle } from '../case/caseStore';
import { Engine } from '../engine';
import { buildSelection, COLUMNS, type EventRowOut, pages, streamPages } from './select';

const root = tempDir('casefile-select-');
let engine: Engine;
let h: CaseHandle;

const json = Array.from({ length: 40 }, (_, i) => JSON.stringify({
  asctime: `2023-07-28 16:54:${String(10 + (i % 40)).padStart(2, '0')},016`, name: 'app', levelname: i % 3 ? 'INFO' : 'ERROR',
  message: `step ${i} user=venkata`, created: 1690543450.016 + i, ...(i % 5 === 0 ? { data: { nested: 'x"y\\z', n: i } } : {}),
})).join('\n') + '\n';
const text = Array.from({ length: 40 }, (_, i) => `2023-07-28 16:55:${String(i % 60).padStart(2, '0')},100 WARNING worker.${i % 4}: retry ${i} user=anil job_id=${1000 + i} path=/home/anil/x`)
  .join('\n') + '\n';

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const bundle = path.join(root, 'bundle');
  fs.mkdirSync(path.join(bundle, 'enrich/logs/app'), { recursive: true });
  fs.writeFileSync(path.join(bundle, 'enrich/logs/app/app.json.log'), json);
  // texts travel from DuckDB as one JSON array per row: quotes, backslashes, control and separator characters,
  // astral code points must come back as the very strings
  const odd = '2023-07-28 16:56:00,100 WARNING worker.0: odd "q" \\ \t \u0001 \u2028 \u00fc \u{1F600} </script> user=anil\n';
  fs.writeFileSync(path.join(bundle, 'enrich/logs/app/worker.log'), text + odd + 'a line with no stamp at all\n');
  engine = await Engine.create({ via: 'test' });
  const info = await engine.call('cases.create', { name: 'select', dir: path.join(root, 'case') });
  await engine.call('import.paths', { caseId: info.id, paths: [bundle] });
  h = engine.context.getCase(info.id);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  removeDir(root);
});

describe('time range', () => {
  it('refuses a range whose start is not before its end, naming both, instead of selecting nothing', async () => {
    await expect(buildSelection(h.db, { since: '2023-07-28T16:55:00Z', until: '2023-07-28T16:54:00Z' }))
      .rejects.toThrow('--since 2023-07-28T16:55:00Z is not before --until 2023-07-28T16:54:00Z: the range holds no instant (swapped?).');
    await expect(buildSelection(h.db, { since: '2023-07-28T16:55:00+05:30', until: '2023-07-28T11:25:00Z' })).rejects.toThrow(/is not before --until/);
    await expect(buildSelection(h.db, { since: '2023-07-28T16:54:00Z', until: '2023-07-28T16:55:00Z' })).resolves.toMatchObject({ describe: 'since 2023-07-28T16:54:00Z; until 2023-07-28T16:55:00Z' });
  });
});

describe('streamed selection', () => {
  it('gives the rows of the row-object reader, in order, whatever the page size; fields equal to raw is null in both', async () => {
    const sel = await buildSelection(h.db, {});
    const expected: EventRowOut[] = [];
    for await (const page of pages(h.db, sel, 1000)) expected.push(...page);
    expect(expected.length).toBeGreaterThanOrEqual(80);
    // both kinds of record are there: JSON ones whose fields are their raw text (not sent again), text ones whose differ
    const json = expected.filter((r) => String(r.file).endsWith('app.json.log'));
    expect(json.length).toBe(40);
    for (const r of json) expect(r.fields).toBeNull();
    expect(expected.some((r) => r.fields !== null && r.fields !== r.raw)).toBe(true);
    expect(expected.some((r) => r.fields === r.raw)).toBe(false);
    expect(expected.some((r) => String(r.raw).includes('\u2028') && String(r.raw).includes('\u{1F600}') && String(r.message).includes('\u0001'))).toBe(true);
    for (const pageRows of [7, 2000]) {
      const got: EventRowOut[] = [];
      await streamPages(h.db, sel, async (page) => {
        expect(page.length).toBeLessThanOrEqual(pageRows);
        got.push(...page);
      }, pageRows);
      expect(got).toEqual(expected);
      for (const r of got) expect(Object.keys(r)).toEqual([...COLUMNS]);
    }
  });
});

describe('column types', () => {
  /** Every row of the whole case from the preview's pages and from the export's stream. */
  async function bothReaders(): Promise<EventRowOut[][]> {
    const sel = await buildSelection(h.db, {});
    const fromPages: EventRowOut[] = [];
    for await (const page of pages(h.db, sel, 1000)) fromPages.push(...page);
    const streamed: EventRowOut[] = [];
    await streamPages(h.db, sel, async (page) => { streamed.push(...page); });
    return [fromPages, streamed];
  }

  it('the BIGINT columns come as numbers from both readers, as id does: an extract\'s JSONL wrote "line":"153" beside "id":508 (qa20)', async () => {
    for (const rows of await bothReaders()) {
      expect(rows.length).toBeGreaterThanOrEqual(80);
      for (const r of rows) for (const c of ['id', 'line', 'line_count'] as const) expect(typeof r[c], `${c} of ${r.id}`).toBe('number');
      // the line as the case stores it, not a rounded or shifted one
      const lines = rows.filter((r) => String(r.file).endsWith('worker.log')).map((r) => r.line as number).sort((a, b) => a - b);
      expect(lines.length).toBeGreaterThanOrEqual(41);
      expect(lines).toEqual(lines.map((_, i) => i + 1));
    }
  });

  it('ts is ISO 8601 in UTC with microseconds from both readers, the same instant the case stores (DuckDB\'s text "… 05:24:26.68826+00" went to the extract)', async () => {
    const stored = new Map((await h.db.read<{ id: string; us: string | null }>('SELECT id, epoch_us(ts) AS us FROM events')).map((r) => [Number(r.id), r.us]));
    for (const rows of await bothReaders()) {
      const timed = rows.filter((r) => r.ts !== null);
      expect(timed.length).toBeGreaterThanOrEqual(80);
      for (const r of timed) {
        const ts = String(r.ts);
        expect(ts, `ts of ${r.id}`).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
        const us = BigInt(Date.parse(ts)) * 1000n + BigInt(ts.slice(23, 26));
        expect(String(us), `instant of ${r.id}`).toBe(String(stored.get(Number(r.id))));
      }
      for (const r of rows) if (r.ts === null) expect(stored.get(Number(r.id)), `ts of ${r.id}`).toBeNull();
    }
  });
});
