// The job after the events, alone: on a copy of a case killed before its digests (CASEFILE_FAULT=before-digests), runs
// the job's checkpoint, custody digests, extraction and chains as the correlate job does, and prints each stage's wall
// and CPU seconds (the process's: DuckDB's threads included). With --ref, compares every derived table and the rows
// digests with those of a reference case (EXCEPT ALL both ways).
// npx tsx electron/bench/jobStages.ts --case <killed case> --work <scratch dir> [--ref <finished case>]
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { CaseDb } from '../engine/store/db';
import { finishCustody } from '../engine/ingest/custodyStage';
import { runCorrelationStage } from '../engine/ingest/correlationStage';
import { afterBatchImported, afterImportFinished } from '../engine/correlate/ingestHooks';
import { takeStageCpu, takeStageTimes, timed } from '../engine/util/stageTimes';

const o = new Command().requiredOption('--case <dir>').requiredOption('--work <dir>').option('--ref <dir>').option('--keep')
  .parse().opts<{ case: string; work: string; ref?: string; keep?: boolean }>();

const TABLES: Record<string, string> = {
  identifiers: 'SELECT * FROM identifiers', event_status: 'SELECT * FROM event_status', event_reasons: 'SELECT * FROM event_reasons',
  chains: 'SELECT * FROM chains', chain_events: 'SELECT * FROM chain_events', chain_links: 'SELECT * FROM chain_links',
  event_minutes: 'SELECT * FROM event_minutes', digests: 'SELECT file_id, rows_digest FROM files',
};

async function main() {
  await rm(o.work, { recursive: true, force: true });
  await cp(o.case, o.work, { recursive: true });
  const db = await CaseDb.open(path.join(o.work, 'case.duckdb'));
  const t0 = performance.now();
  await timed('checkpoint', () => db.run('CHECKPOINT'));
  await finishCustody(db, o.work, path.join(o.work, 'bundles'));
  await runCorrelationStage(db, { extract: (d, ids) => afterBatchImported(d, ids), build: (d) => afterImportFinished(d) });
  const wall = (performance.now() - t0) / 1000;
  const times = takeStageTimes();
  const cpu = takeStageCpu();
  process.stdout.write(`job ${wall.toFixed(2)} s\n`);
  for (const k of Object.keys(times)) process.stdout.write(`  ${k}: ${times[k]} s wall, ${cpu[k] ?? '-'} CPU-s\n`);
  if (o.ref) {
    await db.run(`ATTACH '${path.join(o.ref, 'case.duckdb')}' AS ref (READ_ONLY)`);
    for (const [t, sql] of Object.entries(TABLES)) {
      const refSql = sql.replace(/FROM (\w+)/, 'FROM ref.$1');
      const r = await db.all<{ a: string; b: string; n: string }>(`SELECT (SELECT count(*) FROM (${sql} EXCEPT ALL ${refSql}))::VARCHAR AS a,
        (SELECT count(*) FROM (${refSql} EXCEPT ALL ${sql}))::VARCHAR AS b, (SELECT count(*) FROM (${sql}))::VARCHAR AS n`);
      process.stdout.write(`  ${t}: ${r[0]!.n} rows, ${r[0]!.a} / ${r[0]!.b} differ\n`);
    }
  }
  await db.close();
  if (!o.keep) await rm(o.work, { recursive: true, force: true });
}
void main();
