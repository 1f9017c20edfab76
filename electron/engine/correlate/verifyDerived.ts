// Verify's check of the derived tables (issue 10): identifiers, status evidence, chains, their events and links are
// recomputed from the stored events with the import's own code (extractBatch, buildChains) in a scratch in-memory
// database that attaches the case read-only, then compared with the stored tables as multisets. The events
// themselves are vouched for by the rows digests in the audit log (custody.ts); this makes what was derived from
// them just as checkable: an edited identifier or chain status no longer passes for evidence.
import { existsSync } from 'node:fs';
import { counted } from '../../../shared/plural';
import { DEFAULT_ID_PATTERNS, type IdPattern } from '../../../shared/correlation';
import { CaseDb, sqlString } from '../store/db';
import { buildEventMinutes, SUMMARY_TABLES } from '../store/eventMinutes';
import { buildChains, CHAIN_TABLES } from './chains';
import { extractBatch } from './extract';
import { extractGroups } from '../util/extractGroups';
import { REASONS_DDL } from './failureReasons';

/** The tables verify recomputes, in the order they are derived. */
export const DERIVED_TABLES = ['identifiers', 'event_status', 'event_reasons', ...CHAIN_TABLES, ...SUMMARY_TABLES] as const;
/** Caches a query can do without (a case from before them has none): missing is fine, but present must match. */
const OPTIONAL: ReadonlySet<string> = new Set([...SUMMARY_TABLES, 'event_reasons']);
const EXAMPLES = 3;

export interface DerivedProblem { table: string; problem: string }

export async function verifyDerived(dbFile: string, idPatterns: IdPattern[] = DEFAULT_ID_PATTERNS): Promise<DerivedProblem[]> {
  if (!existsSync(dbFile)) return [];
  const db = await CaseDb.open(':memory:');
  try {
    await db.run(`ATTACH ${sqlString(dbFile)} AS src (READ_ONLY)`);
    const stored = new Set((await db.all<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_catalog = 'src' AND table_schema = 'main'`)).map((r) => r.t));
    const files = (await db.all<{ id: number; events: string }>('SELECT file_id AS id, count(*)::VARCHAR AS events FROM src.event_store GROUP BY 1 ORDER BY 1'))
      .map((r) => ({ id: Number(r.id), events: Number(r.events) }));
    if (files.length === 0) return [];

    // The scratch schema reads the stored events and files; everything derived is rebuilt beside it.
    for (const t of ['event_store', 'files']) {
      await db.run(`DROP TABLE ${t}`);
      await db.run(`CREATE VIEW ${t} AS SELECT * FROM src.${t}`);
    }
    // Every file is extracted here from scratch: the reasons table is kept as on a new case.
    await db.run(REASONS_DDL);
    // Each file once, each row by its own format's rules, in the import stage's groups.
    for (const group of extractGroups(files)) await extractBatch(db, group, idPatterns);
    await buildChains(db);
    await buildEventMinutes(db);

    const problems: DerivedProblem[] = [];
    for (const t of DERIVED_TABLES) {
      // A missing table counts as empty: fine when the events give no rows for it, a problem when they do.
      const have = stored.has(t);
      if (!have && OPTIONAL.has(t)) continue;
      const kept = have ? `src.${t}` : `(SELECT * FROM main.${t} WHERE false)`;
      const extra = await diff(db, kept, `main.${t}`);
      const lost = await diff(db, `main.${t}`, kept);
      if (!extra.count && !lost.count) continue;
      const detail = t === 'chains' && have ? await chainDetail(db) : '';
      problems.push({
        table: t,
        problem: have
          ? `Derived table ${t} differs from what the events give: ${counted(extra.count, 'stored row')} not derivable from them, ${counted(lost.count, 'derivable row')} missing.${detail}${extra.sample ? ` Not derivable: ${extra.sample}.` : ''}`
          : `Derived table ${t} is missing, but the events give ${counted(lost.count, 'row')} for it: it was dropped.`,
      });
    }
    return problems;
  } finally {
    db.close();
  }
}

/** Rows of `a` not in `b` (as multisets): how many, and a few of them. */
async function diff(db: CaseDb, a: string, b: string): Promise<{ count: number; sample: string }> {
  const q = `SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b}`;
  const n = await db.one<{ n: string | number }>(`SELECT count(*) AS n FROM (${q})`);
  const count = Number(n?.n ?? 0);
  const rows = count ? await db.all<Record<string, unknown>>(`${q} LIMIT ${EXAMPLES}`) : [];
  return { count, sample: rows.map((r) => JSON.stringify(r)).join('; ') };
}

/** Chains whose stored status or kind is not the recomputed one, named. */
async function chainDetail(db: CaseDb): Promise<string> {
  const rows = await db.all<{ key: string; stored: string; derived: string }>(`
    SELECT s.key, s.kind || '/' || s.status AS stored, d.kind || '/' || d.status AS derived
    FROM src.chains s JOIN main.chains d USING (key)
    WHERE s.status IS DISTINCT FROM d.status OR s.kind IS DISTINCT FROM d.kind ORDER BY s.key LIMIT ${EXAMPLES}`);
  return rows.map((r) => ` Chain ${r.key}: stored ${r.stored}, the events give ${r.derived}.`).join('');
}
