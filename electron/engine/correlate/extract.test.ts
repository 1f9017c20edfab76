// The identifier rows one record gives, on hand-written records imported through the real engine into a real DuckDB
// case: an identifier written twice in a record (also once behind a JSON escape, or in another case) is one row; the
// cheap tests in front of each kind's regex (a UUID's dashes, an address's first digit, an escape) let through exactly
// what the regex accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { extractBatch } from './extract';
import { afterBatchImported, afterImportFinished } from './ingestHooks';

const root = tempDir('casefile-extract-');
let h: CaseHandle;

const TASK = '5F0E2A51-3C1B-4D7E-9A2B-0C4D6E8F1A2B';
const REF = 'ABCDEF12-3456-4789-8ABC-DEF012345678';

const py = (data: string, sec: number) => JSON.stringify({
  message: `m${sec}`, levelname: 'DEBUG', name: 'app', asctime: `2023-07-28 11:24:${String(10 + sec).padStart(2, '0')},000`,
  created: 1690543450 + sec, data, logid: `${sec}`,
});

const write = (rel: string, text: string) => writeAt(path.join(root, 'bundle'), rel, text);

beforeAll(async () => {
  write('logs/app/app.json.log', [
    // Twice each: a user, a client id (once after an escaped newline), an address; a UUID in two spellings.
    py(`user=alice ABCD123 user=alice \nABCD123 10.0.0.1 10.0.0.1 ref=${REF} ref=${REF.toLowerCase()}`, 0),
    // Shapes the guards must not take for their kind: a 36-character run with dashes that is no UUID, a dotted
    // quad out of range, a client id after a digit (no word boundary), a dash where a UUID has one but no hex.
    py('code=zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz addr=300.1.2.3 9ABCD123 WXYZ9876', 1),
    // A Celery submit the system format keys: the UUID is the task's key here, not kept again as a plain uuid.
    py(`${TASK} -> PENDING (${TASK.toLowerCase()})`, 2),
  ].join('\n') + '\n');
  write('logs/celery/celery-worker.log', [
    `[2023-07-28 11:25:00,000: INFO/MainProcess] Task export_report[${TASK}] received`,
  ].join('\n') + '\n');
  h = await CaseHandle.create(path.join(root, 'case'), { name: 'extract' });
  await importPaths(h, [path.join(root, 'bundle')], { hooks: { afterBatch: afterBatchImported, afterImport: afterImportFinished } });
}, 60_000);

afterAll(async () => {
  await h.close();
  removeDir(root);
});

/** Every identifier row of the record whose text contains `needle`, as kind=value@found_in (duplicates kept). */
async function rowsOf(needle: string): Promise<string[]> {
  const rows = await h.db.read<{ r: string }>(`SELECT i.kind || '=' || i.value || '@' || i.found_in AS r
    FROM identifiers i JOIN event_store s ON s.id = i.event_id WHERE contains(s.raw, $needle)`, { needle });
  return rows.map((x) => x.r).sort();
}

describe('identifier extraction, row by row', () => {
  it('keeps one row per identifier of a record, however often and in whatever spelling it is written', async () => {
    expect(await rowsOf('user=alice')).toEqual([
      'client_id=ABCD123@text', 'ip=10.0.0.1@text', `uuid=${REF.toLowerCase()}@ref`, 'user=alice@text',
    ].sort());
  });

  it('takes for a UUID, an address or a client id only what is one', async () => {
    expect(await rowsOf('addr=300.1.2.3')).toEqual(['client_id=WXYZ9876@text']);
  });

  it('does not store a key again as a plain uuid, in either spelling, and lower-cases UUID keys', async () => {
    expect(await rowsOf('-> PENDING')).toEqual([`celery_task=${TASK.toLowerCase()}@data`]);
    expect(await rowsOf('Task export_report')).toEqual([
      `celery_task=${TASK.toLowerCase()}@task_id`, 'celery_task_name=export_report@task',
    ]);
  });

  it('extracts a batch mixing formats by the rules of each record\'s format: the same rows as one batch per format', async () => {
    // The import's batches are one format each; the correlation stage's groups mix formats.
    const rows = () => h.withWriter(async (db) => ({
      identifiers: await db.all(`SELECT event_id::VARCHAR AS e, kind, value, found_in FROM identifiers ORDER BY ALL`),
      status: await db.all(`SELECT event_id::VARCHAR AS e, status, final FROM event_status ORDER BY ALL`),
      reasons: await db.all(`SELECT event_id::VARCHAR AS e, traceback, error, reason FROM event_reasons ORDER BY ALL`),
    }));
    const perFormat = await rows();
    await h.withWriter(async (db) => {
      const files = await db.all<{ id: number; sources: number }>(`SELECT list(DISTINCT file_id) AS id, count(DISTINCT source)::INTEGER AS sources FROM event_store`);
      expect(files[0]!.sources).toBe(2);
      for (const t of ['identifiers', 'event_status', 'event_reasons']) await db.run(`DELETE FROM ${t}`);
      await extractBatch(db, (files[0]!.id as unknown as number[]).map(Number));
    });
    expect(await rows()).toEqual(perFormat);
    expect(perFormat.identifiers.length).toBeGreaterThan(5);
    expect(perFormat.status.length).toBeGreaterThan(0);
  });
});
