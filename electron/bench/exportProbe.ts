// `bench:export -- --probe`: the export's row path against redaction as a mapping over distinct cell values, step by
// step in this one thread (CPU-seconds of the whole process, so DuckDB's threads are counted), on the same case and
// key. The mapping design: DuckDB lists the distinct values of every text column of the selection (with their count
// and first event), each is redacted once, the changed ones are loaded back (appender, a temp table) and DuckDB joins
// them onto the selection and writes each row's JSON; the re-scan reads the written file back in DuckDB and checks
// each distinct value once. The case's instance is locked (no COPY TO, no read_json of a file), so the rows' JSON is
// fetched here and the read-back uses a scratch instance, as the Parquet read-back does. Not a product path: it
// measures what the design would cost (docs/REDACTION.md, "Speed").
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { CaseHandle } from '../engine/case/caseStore';
import { lineLayout } from '../engine/export/formats';
import { redactionSetupFor } from '../engine/export/run';
import { buildSelection, COLUMNS, OTHER_COLUMN_LIST, streamPages, TEXT_COLUMN_LIST } from '../engine/export/select';
import { BatchRedactor, BatchScanner, type RowIn } from '../engine/redact/batch';
import type { CleanClaim } from '../engine/redact/cleanCells';
import { Detectors, type DetectorOptions } from '../engine/redact/detect';
import { Harvest } from '../engine/redact/harvest';
import { Pseudonymizer } from '../engine/redact/pseudonym';
import { Redactor } from '../engine/redact/redactor';
import { Rescanner } from '../engine/redact/rescan';

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** CPU-seconds of each step, in order. */
type Steps = [string, number][];

async function step<T>(steps: Steps, name: string, fn: () => Promise<T> | T): Promise<T> {
  const t = cpuMs();
  const out = await fn();
  steps.push([name, (cpuMs() - t) / 1000]);
  return out;
}

/** What the export does today, minus the pool: select pages, redact and write each batch, re-scan the lines. */
async function rowPath(h: CaseHandle, det: DetectorOptions, key: Uint8Array): Promise<{ steps: Steps; sha256: string }> {
  const steps: Steps = [];
  const sel = await buildSelection(h.db, {});
  const pages = await step(steps, 'select (DuckDB rows to JS)', async () => {
    const out: RowIn[][] = [];
    await streamPages(h.db, sel, async (page) => {
      out.push(page.map((row) => ({
        id: String(row.id), cells: TEXT_COLUMN_LIST.map((c) => (row[c] === null ? null : String(row[c]))), others: OTHER_COLUMN_LIST.map((c) => row[c]),
      })));
    });
    return out;
  });
  const originals = new Map<string, 'secret' | 'pii'>();
  const batches = await step(steps, 'redact each cell (memo), write the lines', () => {
    const r = new BatchRedactor({ detectors: det, key });
    const layout = lineLayout('jsonl');
    return pages.map((p) => {
      const b = r.run(p, layout);
      for (const [v, kind] of b.originals) if (originals.get(v) !== 'secret') originals.set(v, kind);
      return { chunk: b.chunk!, clean: b.clean };
    });
  });
  const hash = crypto.createHash('sha256');
  for (const b of batches) hash.update(b.chunk);
  const hits = await step(steps, 're-scan the lines (parse, claims, originals)', () => {
    const s = new BatchScanner({ detectors: det, rescan: Rescanner.tables(originals) });
    let n = 0;
    for (const b of batches) n += s.runLines(Buffer.from(b.chunk).toString('utf8').split('\n').filter((l) => l), TEXT_COLUMN_LIST, b.clean as CleanClaim).length;
    return n;
  });
  if (hits) throw new Error(`the row path's re-scan found ${hits} hits`);
  return { steps, sha256: hash.digest('hex') };
}

const ORDER = `coalesce(s.ts, '-infinity'::TIMESTAMPTZ)`;
const cell = (c: string) => (c === 'fields' ? 's.fields::VARCHAR' : `s.${c}`);

/** The mapping design, as far as a locked case instance allows. */
async function mappingPath(h: CaseHandle, det: DetectorOptions, key: Uint8Array): Promise<{ steps: Steps; sha256: string; distinct: number; changed: number }> {
  const steps: Steps = [];
  const sel = await buildSelection(h.db, {});
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'casefile-probe-')), 'events.jsonl');
  try {
    return await h.db.withConnection(async (conn) => {
      const values: string[] = [];
      const firsts: string[] = [];
      const counts: number[] = [];
      await step(steps, 'distinct values with count and first event (DuckDB)', async () => {
        const res = await conn.stream(`SELECT v, count(*)::INTEGER AS n, arg_min(id, k)::VARCHAR AS first FROM (
            SELECT s.id, {t: ${ORDER}, id: s.id} AS k, unnest([${TEXT_COLUMN_LIST.map(cell).join(', ')}]) AS v FROM events s WHERE ${sel.cond})
          WHERE v IS NOT NULL GROUP BY v ORDER BY min(k)`, sel.params.values as never);
        for await (const chunk of res) {
          const [v, n, f] = [0, 1, 2].map((i) => chunk.getColumnValues(i));
          for (let r = 0; r < chunk.rowCount; r++) {
            values.push(v![r] as string);
            counts.push(n![r] as number);
            firsts.push(f![r] as string);
          }
        }
      });
      const r = new Redactor(new Detectors(det), new Pseudonymizer(Buffer.from(key)));
      const changed = await step(steps, 'redact each distinct value once', () => {
        const pairs: [string, string][] = [];
        values.forEach((v, i) => {
          const res = r['redactNew'](v, firsts[i]!); // no memo: every value is distinct
          if (res.replacements.length) pairs.push([v, res.text]);
        });
        return pairs;
      });
      await step(steps, 'load the changed values back (appender)', async () => {
        await conn.run('CREATE OR REPLACE TEMP TABLE redaction_map (v VARCHAR, o VARCHAR)');
        const app = await conn.createAppender('redaction_map', 'main', 'temp');
        for (const [v, o] of changed) {
          app.appendVarchar(v);
          app.appendVarchar(o);
          app.endRow();
        }
        app.closeSync();
      });
      const hash = crypto.createHash('sha256');
      await step(steps, 'join, JSON per row (DuckDB), fetch, write', async () => {
        const joins = TEXT_COLUMN_LIST.map((c, i) => `LEFT JOIN temp.redaction_map m${i} ON m${i}.v = ${cell(c)}`).join(' ');
        const obj = COLUMNS.map((c) => {
          const i = TEXT_COLUMN_LIST.indexOf(c as never);
          return `${c}: ${i >= 0 ? `coalesce(m${i}.o, ${cell(c)})` : c === 'ts' ? `strftime(s.ts, '%Y-%m-%dT%H:%M:%S.%fZ')` : `s.${c}`}`;
        }).join(', ');
        const res = await conn.stream(`SELECT to_json({${obj}})::VARCHAR FROM events s ${joins} WHERE ${sel.cond} ORDER BY ${ORDER}, s.id`, sel.params.values as never);
        const fd = fs.openSync(out, 'w', 0o600);
        try {
          for await (const chunk of res) {
            const b = Buffer.from(`${(chunk.getColumnValues(0) as string[]).join('\n')}\n`);
            hash.update(b);
            fs.writeSync(fd, b);
          }
        } finally { fs.closeSync(fd); }
      });
      await conn.run('DROP TABLE temp.redaction_map');
      await step(steps, 're-scan: distinct values read back (scratch DuckDB), each scanned once', async () => {
        const db = await DuckDBInstance.create(':memory:');
        const c = await db.connect();
        try {
          const types = `{${COLUMNS.map((k) => `${k}: '${TEXT_COLUMN_LIST.includes(k as never) ? 'VARCHAR' : k === 'ts' ? 'VARCHAR' : 'BIGINT'}'`).join(', ')}}`;
          const res = await c.stream(`SELECT v, min(id)::VARCHAR FROM (SELECT id, unnest([${TEXT_COLUMN_LIST.join(', ')}]) AS v
            FROM read_json($1, format = 'newline_delimited', columns = ${types})) WHERE v IS NOT NULL GROUP BY v`, [out]);
          const s = new Rescanner(new Detectors(det), Rescanner.tables(r.originals));
          const hits: never[] = [];
          for await (const chunk of res) {
            const [v, id] = [0, 1].map((i) => chunk.getColumnValues(i) as string[]);
            for (let r = 0; r < chunk.rowCount; r++) s.scan(v![r]!, `event ${id![r]}`, hits);
          }
        } finally {
          c.closeSync();
          db.closeSync();
        }
      });
      return { steps, sha256: hash.digest('hex'), distinct: values.length, changed: changed.length };
    });
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

/** Runs the two paths alternately (row, mapping, mapping, row) and prints each step's CPU-seconds. */
export async function probe(h: CaseHandle): Promise<string> {
  const sel = await buildSelection(h.db, {});
  const setup = await redactionSetupFor(h, undefined, sel);
  const det: DetectorOptions = { rules: setup.rules, idPatterns: setup.idPatterns, harvest: setup.harvest, harvestMatcher: new Harvest(setup.harvest).matcherData() };
  const key = new Uint8Array(32).fill(7);
  new Detectors(det); // gitleaks' rules compile once per process, before either path is timed
  const lines: string[] = [];
  for (const which of ['row', 'mapping', 'mapping', 'row'] as const) {
    const load = os.loadavg()[0]!.toFixed(1);
    const r: { steps: Steps; sha256: string; distinct?: number; changed?: number } = which === 'row' ? await rowPath(h, det, key) : await mappingPath(h, det, key);
    const total = r.steps.reduce((a, [, s]) => a + s, 0);
    const extra = r.distinct !== undefined ? `, ${r.distinct} distinct values, ${r.changed} changed` : '';
    lines.push(`${which} path (load ${load}${extra}): ${total.toFixed(2)} CPU-s, output sha256 ${r.sha256.slice(0, 12)}`,
      ...r.steps.map(([k, s]) => `  ${k}: ${s.toFixed(2)}`));
  }
  return lines.join('\n') + '\n';
}
