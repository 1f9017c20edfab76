// Correcting a case's site zone re-times what was read in the zone before: naive stamps (ts_flag `naive`) are placed
// again from their own text under the new zone with the transform's own expressions, the records that inherited their
// time take it again, and every file row says the new zone. All of it in one transaction (a kill leaves the old times
// or the new ones), which also marks what is derived from times to be made again by the jobs that make it after an
// import: the per-minute summary (rebuilt here), identifiers and chains (every file pending extraction, the chains
// dropped: the correlation stage builds them afresh), custody (digests and `import.files` entries written again).
// A cancel interrupts the statement DuckDB is running and rolls the transaction back: the case keeps its zone and times.
import type { TimeZoneRule } from '../../../shared/domain';
import { counted } from '../../../shared/plural';
import type { RetimePlan } from '../../../shared/contract';
import { sqlString, type CaseDb, type SqlRead } from '../store/db';
import { tsTextSql } from '../store/schema';
import { buildEventMinutes } from '../store/eventMinutes';
import { formatById } from '../formats/registry';
import { naiveRetimeSql } from './transform';
import { faultPoint, holdPoint } from './fault';
import { EngineError } from '../util/errors';
import { randomUUID } from 'node:crypto';

/** The audit action of a re-time (params: caseId, from: the changed files' zones before, to; counts: files, events re-timed). */
export const RETIME_ACTION = 'case.retime';

/** Files read in another zone than `to` (tz_zone differs): what a change to `to` re-times. */
const TARGET = (to: string) => `SELECT file_id FROM files WHERE tz_zone IS DISTINCT FROM ${sqlString(to)}`;

/** An envelope stamp that carries its zone (an offset, Z, or epoch digits): placed the same under any site zone. */
const ABSOLUTE_TEXT = `regexp_matches(t, '(Z|[+-][0-9]{2}:?[0-9]{2})$') OR regexp_full_match(t, '[0-9]{10,19}(\\.[0-9]+)?')`;

/**
 * What a change of the site zone to `to` would re-time: events read with a naive stamp in another zone, their files,
 * and the files it cannot re-time exactly (their day came from context under the old zone: the change is refused).
 */
export async function planRetime(db: SqlRead, to: string): Promise<Omit<RetimePlan, 'current'>> {
  const [c] = await db.read<{ files: number; events: string; from: string[] | null }>(`WITH t AS (${TARGET(to)})
    SELECT (SELECT count(DISTINCT file_id)::INTEGER FROM event_store WHERE file_id IN (SELECT file_id FROM t) AND ts_flag = 'naive') AS files,
           (SELECT count(*)::VARCHAR FROM event_store WHERE file_id IN (SELECT file_id FROM t) AND ts_flag = 'naive') AS events,
           (SELECT list(DISTINCT f.tz_zone ORDER BY f.tz_zone) FROM files f WHERE f.file_id IN (SELECT file_id FROM event_store
              WHERE file_id IN (SELECT file_id FROM t) AND ts_flag = 'naive')) AS "from"`);
  // Stamps without a date or year (and envelope stamps without a zone) took their day from context placed in the old
  // zone (the file's mtime, a neighbour's first stamp, the envelope): not re-derivable from the case alone.
  const blocked = await db.read<{ bundle: string; path: string }>(`SELECT bundle, path FROM files WHERE file_id IN (
      SELECT file_id FROM (SELECT file_id, ts_flag, ts, ${tsTextSql('e')} AS t FROM event_store e WHERE file_id IN (${TARGET(to)}))
      WHERE (ts_flag IN ('date-inferred', 'year-inferred') AND ts IS NOT NULL) OR (ts_flag = 'envelope' AND NOT coalesce(${ABSOLUTE_TEXT}, false)))
    ORDER BY bundle, path`);
  const unknown = (await db.read<{ source: string }>(`SELECT DISTINCT source FROM event_store WHERE file_id IN (${TARGET(to)}) AND ts_flag = 'naive'`))
    .filter((r) => !formatById(r.source)).map((r) => r.source);
  return {
    to, from: c?.from ?? [], files: Number(c?.files ?? 0), events: Number(c?.events ?? 0),
    blocked: { files: blocked.length, examples: blocked.slice(0, 5).map((b) => `${b.bundle}/${b.path}`) },
    ...(unknown.length ? { unknownFormats: unknown } : {}),
  };
}

/** The sentence that refuses a change the case cannot follow exactly; null when it can. */
export function refusal(plan: Omit<RetimePlan, 'current'>): string | null {
  if (plan.unknownFormats?.length) return `Events of formats this build does not know (${plan.unknownFormats.join(', ')}) were read in ${plan.from.join(', ')}: they cannot be re-timed, so the zone is not changed.`;
  if (!plan.blocked.files) return null;
  return `${counted(plan.blocked.files, 'file')} ${plan.blocked.files === 1 ? 'holds' : 'hold'} stamps without a date or year (or envelope stamps without a zone) whose day was taken from context in the old zone `
    + `(${plan.blocked.examples.join(', ')}${plan.blocked.files > plan.blocked.examples.length ? ', …' : ''}): they cannot be re-timed from the case alone, so the zone is not changed. `
    + `Import the logs into a case created with the right zone (casefile import --tz ${plan.to}).`;
}

export interface RetimeResult {
  files: number; events: number; from: string[]; /** Every file whose row changed. */ fileIds: number[];
  /** The zones those files were read in before (also of files without naive stamps, whose zone alone changed). */ fileZones: string[];
  /** The case's zone rule now, its evidence saying what the change did. */ rule: TimeZoneRule;
  /** The id of the entry's contents committed with the times (UnauditedRetime), which the entry names; null: none. */
  auditMark: string | null;
}

export interface RetimeOptions {
  /** Empties identifiers and chains for a full rebuild inside the transaction (correlate/derivation.ts, given by the
   *  wiring: correlation is a peer of ingest). */
  resetDerived: (db: CaseDb) => Promise<void>;
  /** The job's: a cancel interrupts the statement running and rolls the transaction back (nothing changed). */
  signal?: AbortSignal;
  /** Each step inside the transaction: its key (stamps, inherited, files, derived) and what it does in words. */
  onStep?: (key: string, what: string) => void;
}

/** Meta key holding the zone the last re-time committed with the times (case.json follows it: reconcileZone). */
export const ZONE_KEY = 'site_zone';

/**
 * Re-times the case to `to` in one transaction (see the head of this file). Returns what was re-timed; the
 * caller queues custody and correlation (ingest/handlers.ts scheduleCorrelation) and saves the zone in case.json.
 */
export async function retimeCase(db: CaseDb, to: string, opts: RetimeOptions): Promise<RetimeResult> {
  const { resetDerived, signal } = opts;
  const plan = await planRetime(db, to);
  const refused = refusal(plan);
  if (refused) throw new EngineError('invalid_input', refused);
  const rule: TimeZoneRule = { zone: to, how: 'operator', evidence: plan.events
    ? `set by the operator; ${plan.events} events read in ${plan.from.join(', ')} were re-timed to it`
    : 'set by the operator; no events had been read in another zone' };
  let fileIds: number[] = [];
  let auditMark: string | null = null;
  let fileZones: string[] = [];
  // A cancel between statements: the next one is refused (db.interruptible) and the last one checked before COMMIT.
  const step = (key: string, what: string) => { opts.onStep?.(key, what); signal?.throwIfAborted(); };
  await db.interruptible(signal, () => db.tx(async () => {
    await db.run(`CREATE OR REPLACE TEMP TABLE retime_files AS ${TARGET(to)}`);
    fileIds = (await db.all<{ file_id: number }>('SELECT file_id FROM temp.retime_files ORDER BY 1')).map((r) => Number(r.file_id));
    fileZones = (await db.all<{ z: string }>(`SELECT DISTINCT tz_zone AS z FROM files WHERE file_id IN (SELECT file_id FROM temp.retime_files)
      AND tz_zone IS NOT NULL ORDER BY 1`)).map((r) => r.z);
    const target = 'SELECT file_id FROM temp.retime_files';
    const sources = await db.all<{ source: string }>(`SELECT DISTINCT source FROM event_store WHERE file_id IN (${target}) AND ts_flag = 'naive' ORDER BY 1`);
    for (const { source } of sources) {
      step('stamps', `re-timing the ${source} stamps`);
      const def = formatById(source)!;
      const rows = `(SELECT id, ${tsTextSql('e')} AS ts_text FROM event_store e WHERE file_id IN (${target}) AND source = ${sqlString(source)} AND ts_flag = 'naive')`;
      await db.run(`CREATE OR REPLACE TEMP TABLE retime_ts AS ${naiveRetimeSql(def, rows, to)}`);
      const lost = await db.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM temp.retime_ts WHERE ts_new IS NULL');
      // An import under the new zone would not have read these as naive: nothing short of that import equals it.
      if (lost?.n) throw new EngineError('invalid_input', `${lost.n} ${source} stamps do not read as a time in ${to}: the zone is not changed.`);
      await db.run('UPDATE event_store SET ts = r.ts_new FROM temp.retime_ts r WHERE event_store.id = r.id');
      faultPoint('retime-midway');
      await holdPoint('retime-midway', signal);
    }
    step('inherited', 're-timing the records without a time of their own');
    // As the import does (untimed.ts): the time of the last record before it in the file that has one of its own.
    await db.run(`UPDATE event_store e SET ts = p.prev_ts
      FROM (SELECT id, ts_flag, last_value(CASE WHEN ts_flag <> 'inherited' THEN ts END IGNORE NULLS)
                OVER (PARTITION BY file_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_ts
            FROM event_store WHERE file_id IN (${target})) p
      WHERE e.id = p.id AND p.ts_flag = 'inherited'`);
    step('files', 'writing the file rows');
    await db.run(`UPDATE files SET min_ts = s.lo, max_ts = s.hi FROM (SELECT file_id, min(ts) AS lo, max(ts) AS hi FROM event_store
      WHERE file_id IN (${target}) GROUP BY file_id) s WHERE files.file_id = s.file_id`);
    // The rule's sentence as an import under the operator's zone writes it (importer.ts describeRule).
    await db.run(`UPDATE files SET tz_zone = $1, tz_rule = regexp_replace(tz_rule, 'naive stamps in site zone \\S+ \\([a-z]+\\)', $2),
        audited = false WHERE file_id IN (${target})`, [to, `naive stamps in site zone ${to} (${rule.how})`]);
    if (plan.events > 0) {
      // Custody: the re-timed files' digests are taken again (their rows changed); every changed files row is audited again.
      await db.run(`UPDATE files SET rows_digest = NULL WHERE file_id IN (SELECT DISTINCT file_id FROM event_store WHERE file_id IN (${target}) AND ts_flag IN ('naive', 'inherited'))`);
      await db.run(`INSERT INTO digest_pending SELECT DISTINCT file_id FROM event_store WHERE file_id IN (${target}) AND ts_flag IN ('naive', 'inherited')`);
      // Derived from times: made afresh by the correlation stage, as after a change of the derivation's rules.
      step('derived', 'emptying what derives from the times; the per-minute summary');
      await resetDerived(db);
      await buildEventMinutes(db);
    }
    await db.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ($1, $2)`, [ZONE_KEY, JSON.stringify(rule)]);
    // What the trail entry will say, committed with the times: a kill before the entry is written leaves it here.
    if (fileIds.length) {
      auditMark = randomUUID();
      const entry: UnauditedRetime = { id: auditMark, from: fileZones, to, files: plan.files, events: plan.events };
      await db.run(`INSERT OR REPLACE INTO meta (key, value) VALUES ($1, $2)`, [UNAUDITED_KEY, JSON.stringify(entry)]);
    }
    await db.run('DROP TABLE IF EXISTS temp.retime_ts');
    await db.run('DROP TABLE IF EXISTS temp.retime_files');
    signal?.throwIfAborted();
  }));
  return { files: plan.files, events: plan.events, from: plan.from, fileIds, fileZones, rule, auditMark };
}

/** Meta key holding a committed re-time's trail entry until it is written (cases.setTimezone clears it after). */
const UNAUDITED_KEY = 'retime_unaudited';
/** `id`: named by the entry (audit/runMarks.ts MARK_PARAM), so an open finding the row and the entry writes no second;
 * rows committed before it had one are recorded without that check. */
export interface UnauditedRetime { id?: string; from: string[]; to: string; files: number; events: number }

/** A re-time committed whose trail entry was not written (a kill between the two), else null. */
export async function unauditedRetime(db: SqlRead): Promise<UnauditedRetime | null> {
  const r = await db.one<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [UNAUDITED_KEY]).catch(() => undefined);
  return r ? JSON.parse(r.value) as UnauditedRetime : null;
}

export async function markRetimeAudited(db: CaseDb): Promise<void> {
  await db.run(`DELETE FROM meta WHERE key = $1`, [UNAUDITED_KEY]);
}

/** The zone the last re-time committed, when case.json does not say it yet (a kill between the two); else null. */
export async function committedZone(db: SqlRead, current: TimeZoneRule): Promise<TimeZoneRule | null> {
  const r = await db.one<{ value: string }>(`SELECT value FROM meta WHERE key = $1`, [ZONE_KEY]).catch(() => undefined);
  if (!r) return null;
  const rule = JSON.parse(r.value) as TimeZoneRule;
  return rule.zone !== current.zone || rule.how !== current.how ? rule : null;
}
