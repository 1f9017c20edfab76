// The records a batch's transform could not time (a partial stamp to complete, a time to inherit), inserted apart.
// DuckDB writes a large INSERT's rows to the database file while the transaction runs and at COMMIT records only where
// they are; an UPDATE of even one of those rows in the same transaction makes it write the whole batch to the WAL
// instead (and the checkpoint then writes it again): one inherited time cost the 1 GB tree 327 MB more written and a
// 15.8 s COMMIT (docs/BENCHMARKS.md, im22 and im23). So the transform inserts only the records with their final time,
// and these are completed in a temp table and inserted once, with theirs.
import type { CaseDb } from '../store/db';
import type { FormatDefinition } from '../formats/types';
import { completeTimesSql, insertedColumns, stagedCountSql, transformSql, type TransformParams } from './transform';

/** Temp tables of a batch (dropped with its stage): the missing records' keys, then those records. */
export const UNTIMED_TABLES = ['stage_missing', 'stage_deferred'] as const;

/**
 * After one transform call inserted `inserted` timed records: when it took more from the stage, sets the others apart
 * (transformed again, just those: their keys are found on (file_id, line) alone before the stage's text is read), and
 * completes the partial stamps of the records set apart so far, as completeTimesSql did over event_store (the same
 * statement, the same rows: the timed ones never enter it). Says whether any record is set apart.
 */
export async function setApartUntimed(db: CaseDb, def: FormatDefinition, p: TransformParams, idList: string, inserted: number, before: boolean): Promise<boolean> {
  let apart = before;
  if (inserted < Number((await db.one<{ n: string }>(stagedCountSql(p)))!.n)) {
    await db.run(`CREATE OR REPLACE TEMP TABLE stage_missing AS SELECT s.file_id, s.line FROM stage s
      WHERE NOT EXISTS (SELECT 1 FROM event_store x WHERE x.file_id IN (${idList}) AND x.file_id = s.file_id AND x.line = s.line)`);
    if (!apart) await createDeferred(db);
    apart = true;
    // The stage's other calls' records are missing too (a stream's): the call's own filter keeps them out.
    await db.run(transformSql(def, { ...p, rows: undefined, timed: false, missing: true }));
  }
  const complete = apart ? completeTimesSql(def, p, idList, 'stage_deferred') : null;
  if (complete) await db.run(complete);
  return apart;
}

/** The table of the records set apart, empty: every column, the text's offsets too (completeTimesSql reads ts_text through them). */
export async function createDeferred(db: CaseDb): Promise<void> {
  await db.run('CREATE OR REPLACE TEMP TABLE stage_deferred AS SELECT * FROM event_store WHERE false');
}

/** The records a sample of the call's first staged ones holds, at most. */
const SAMPLE = 2000;

/**
 * Whether most of a call's records will need their partial stamp completed: sampled on its first staged records. Then
 * the whole call is set apart in one pass (a time-of-day log's every record would otherwise be transformed twice:
 * a 300,000-line one took 3.5 s to its events against 2.5 s with one UPDATE); else its timed records go in first.
 */
export async function mostlyUntimed(db: CaseDb, def: FormatDefinition, p: TransformParams, idList: string): Promise<boolean> {
  if (!completeTimesSql(def, p, idList)) return false;
  const s = await db.one<{ n: number; untimed: number }>(transformSql(def, { ...p, rows: { from: 0, to: SAMPLE }, countOnly: true }));
  return !!s && s.untimed * 2 > s.n;
}

/**
 * Inserts the records set apart: those still without a time take that of the record before them in their file that
 * has one, flagged inherited (the window over the file by id an UPDATE took before, as an ASOF join); a record with none before it stays untimed.
 */
export async function insertUntimed(db: CaseDb): Promise<void> {
  const cols = insertedColumns();
  const timed = `SELECT id, file_id, ts FROM event_store WHERE file_id IN (SELECT file_id FROM stage_deferred WHERE ts IS NULL) AND ts IS NOT NULL
    UNION ALL SELECT id, file_id, ts FROM stage_deferred WHERE ts IS NOT NULL`;
  // ASOF: the timed record of the same file with the greatest id below the record's.
  const before = `SELECT d.id, t.ts AS prev_ts FROM (SELECT id, file_id FROM stage_deferred WHERE ts IS NULL) d
    ASOF JOIN (${timed}) t ON d.file_id = t.file_id AND d.id > t.id`;
  await db.run(`INSERT INTO event_store (${cols.join(', ')})
    SELECT ${cols.map((c) => (c === 'ts' ? 'coalesce(d.ts, b.prev_ts) AS ts'
      : c === 'ts_flag' ? `CASE WHEN d.ts IS NULL AND b.prev_ts IS NOT NULL THEN 'inherited' ELSE d.ts_flag END AS ts_flag` : `d.${c}`)).join(', ')}
    FROM stage_deferred d LEFT JOIN (${before}) b ON b.id = d.id`);
}
