// A synthetic case generated entirely in SQL, for measuring queries before (or beside) the real 1 GB ingest case.
// Shape follows the Enrich bundles: many files per source, ids in file order, each file in time order, files
// overlapping in time (so the table is NOT globally sorted by ts), ~400-byte records, JSON `fields`.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { CaseHandle } from '../engine/case/caseStore';
import { EVENT_COLUMNS } from '../engine/store/schema';

const SOURCES = ['system', 'pipeline', 'taskblade', 'prefect', 'celery', 'doodle', 'gunicorn', 'jupyter', 'generic-json', 'raw'];

/** `sorted`: store rows in (ts, id) order instead of file order — the layout proposed for the ingest's final step. */
export async function makeSyntheticCase(dir: string, rows: number, opts: { sorted?: boolean; rowsPerFile?: number } = {}): Promise<void> {
  const rowsPerFile = opts.rowsPerFile ?? 1200;
  if (existsSync(dir)) return;
  // Built beside and renamed into place, so an interrupted run leaves no half-made case behind.
  const tmp = `${dir}.partial`;
  await rm(tmp, { recursive: true, force: true });
  const handle = await CaseHandle.create(tmp, { name: `synthetic ${rows} rows` });
  const files = Math.ceil(rows / rowsPerFile);
  const src = `[${SOURCES.map((s) => `'${s}'`).join(', ')}][(f % ${SOURCES.length}) + 1]`;
  await handle.withWriter(async (db) => {
    await db.run(`INSERT INTO files (file_id, bundle, path, format, tz_rule, first_id, last_id, lines, records)
      SELECT f, 'bundle-' || (f % 3), 'logs/' || ${src} || '/part-' || f || '.log', ${src}, 'UTC (default)',
             f * ${rowsPerFile}, f * ${rowsPerFile} + ${rowsPerFile} - 1, ${rowsPerFile}, ${rowsPerFile}
      FROM range(0, ${files}) t(f)`);
    // File start: anywhere in 7 days; 'system' files span days, the rest minutes to an hour.
    await db.run(`INSERT INTO event_store (${EVENT_COLUMNS.join(', ')})
      WITH r AS (
        SELECT i AS id, i // ${rowsPerFile} AS f, i % ${rowsPerFile} AS line, (hash(i) % 1000000007)::BIGINT AS h FROM range(0, ${rows}) t(i)),
      e AS (
        SELECT id, f, line, h, ${src} AS source,
          TIMESTAMPTZ '2023-07-24 00:00:00+00'
            + to_milliseconds((hash(f) % 600000000)::BIGINT)
            + to_milliseconds(line * CASE WHEN f % ${SOURCES.length} = 0 THEN 400000 ELSE 50 + (f % 37) * 60 END) AS ts,
          CASE WHEN h % 1000 < 700 THEN 'INFO' WHEN h % 1000 < 850 THEN 'DEBUG' WHEN h % 1000 < 930 THEN 'WARNING'
               WHEN h % 1000 < 970 THEN 'ERROR' WHEN h % 1000 < 975 THEN 'CRITICAL' ELSE NULL END AS level,
          ['alice', 'bob', 'carol', 'dave', 'erin', 'svc-etl'][(h // 1000) % 6 + 1] AS usr,
          'ds-' || ((h // 7000) % 500) AS dataset,
          CASE WHEN h % 997 = 0 THEN 'connection reset by peer while reading response'
               WHEN h % 1000 >= 930 AND h % 1000 < 975 THEN 'task failed: Timeout after 30s waiting for worker'
               ELSE ['request handled', 'flow run state changed', 'heartbeat ok', 'query executed', 'cache miss for key'][(h // 13) % 5 + 1]
          END || ' id=' || md5(id::VARCHAR)[1:8] AS message
        FROM r)
      SELECT id, f, source, line + 1, 1, ts, strftime(ts, '%Y-%m-%d %H:%M:%S.%g'), NULL, level,
        'enrich.' || source || '.mod' || (h % 20), message,
        json_object('time', strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ'), 'level', level, 'user', usr, 'dataset', dataset,
                    'funcName', 'fn_' || (h % 50), 'runid', md5((f * 7)::VARCHAR), 'message', message),
        '{"time": "' || strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') || '", "level": "' || coalesce(level, '') || '", "user": "' || usr
          || '", "dataset": "' || dataset || '", "funcName": "fn_' || (h % 50) || '", "runid": "' || md5((f * 7)::VARCHAR)
          || '", "request_id": "' || md5(id::VARCHAR) || '", "trace": "' || md5((id * 3)::VARCHAR) || md5((id * 5)::VARCHAR)
          || '", "message": "' || message || '", "extra": "' || repeat('lorem ipsum dolor sit amet ', 6) || '"}',
        'ok'
      FROM e${opts.sorted ? ' ORDER BY ts NULLS LAST, id' : ''}`);
  });
  await handle.close();
  await rename(tmp, dir);
}
