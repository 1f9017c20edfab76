// Every format's samples are its tests: each sample is imported through the real engine into a real DuckDB case
// and every record must come out with the expected fields and UTC instant.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FORMATS } from './registry';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { tempDir, removeDir } from '../../testkit/tmp';
import { afterBatchImported, afterImportFinished } from '../correlate/ingestHooks';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

interface Row { id: number; ts: string | null; level: string | null; logger: string | null; message: string | null; parse_status: string; line_count: number; fields: string; source: string }

describe.each(FORMATS.map((f) => [f.id, f] as const))('format %s', (_id, def) => {
  it.each(def.samples.map((s) => [s.title, s] as const))('%s', async (_title, sample) => {
    const root = tempDir();
    dirs.push(root);
    const bundle = path.join(root, 'bundle');
    const rel = sample.path ?? def.paths[0]!.replace(/\*\*\//g, '').replace(/\*/g, 'x');
    mkdirSync(path.dirname(path.join(bundle, rel)), { recursive: true });
    writeFileSync(path.join(bundle, rel), sample.text);
    const handle = await CaseHandle.create(path.join(root, 'case'), { name: 't', timezone: sample.timezone ?? 'UTC' });
    try {
      const hooks = { afterBatch: afterBatchImported, afterImport: afterImportFinished };
      const res = await importPaths(handle, [bundle], sample.date ? { date: sample.date, hooks } : { hooks });
      expect(res.files[0]!.format).toBe(def.id);
      const rows = await handle.db.read<Row>(
        `SELECT id::INTEGER AS id, strftime(ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts, level, logger, message, parse_status, line_count, fields::VARCHAR AS fields, source
         FROM events ORDER BY id`);
      expect(rows.length).toBe(sample.records.length);
      const ids = await handle.db.read<{ id: number; k: string }>(`SELECT event_id::INTEGER AS id, kind || '=' || value || '@' || found_in AS k FROM identifiers`);
      sample.records.forEach((exp, i) => {
        const row = rows[i]!;
        if (exp.ts !== undefined) expect(row.ts === null ? null : new Date(row.ts).toISOString(), `record ${i} ts`).toBe(exp.ts === null ? null : new Date(exp.ts).toISOString());
        if (exp.level !== undefined) expect(row.level, `record ${i} level`).toBe(exp.level);
        if (exp.logger !== undefined) expect(row.logger, `record ${i} logger`).toBe(exp.logger);
        if (exp.message !== undefined) expect(row.message, `record ${i} message`).toBe(exp.message);
        expect(row.parse_status, `record ${i} status`).toBe(exp.parseStatus ?? (def.kind === 'raw' ? 'unparsed' : 'ok'));
        if (exp.lineCount !== undefined) expect(Number(row.line_count), `record ${i} lines`).toBe(exp.lineCount);
        const fields = JSON.parse(row.fields) as Record<string, unknown>;
        for (const [k, v] of Object.entries(exp.fields ?? {})) expect(fields[k], `record ${i} field ${k}`).toEqual(v);
        // The format's correlation rules: every identifier the sample names is found, where it says.
        const mine = ids.filter((x) => x.id === row.id).map((x) => x.k);
        for (const want of exp.identifiers ?? []) expect(mine, `record ${i} identifier`).toContain(want);
      });
    } finally {
      await handle.close();
    }
  });
});
