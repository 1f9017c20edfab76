// Every envelope's samples are its tests: each is detected (envelope, streams and the format of each stream) and
// imported through the real engine into a real DuckDB case; every record must come out as expected, with the raw
// text kept as written and every line inside exactly one event.
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ENVELOPES } from './registry';
import { CaseHandle } from '../../case/caseStore';
import { importPaths } from '../../ingest/importer';
import { detectFormat } from '../../ingest/detect';
import { readHeadLines } from '../../ingest/records';
import { tempDir, removeDir, writeAt } from '../../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

interface Row { ts: string | null; ts_flag: string; level: string | null; logger: string | null; message: string | null; parse_status: string; line: number; line_count: number; fields: string; raw: string }

describe.each(ENVELOPES.map((e) => [e.id, e] as const))('envelope %s', (_id, def) => {
  it.each(def.samples.map((s) => [s.title, s] as const))('%s', async (_title, sample) => {
    const root = tempDir();
    dirs.push(root);
    const bundle = path.join(root, 'bundle');
    const rel = sample.path ?? 'pasted/excerpt.log';
    const file = writeAt(bundle, rel, sample.text);
    const det = detectFormat(rel, await readHeadLines(file));
    expect(det.envelope?.def.id, det.reason).toBe(def.id);
    expect(det.envelope!.streams.map((s) => ({ name: s.name, format: s.format.id }))).toEqual(sample.streams);

    const handle = await CaseHandle.create(path.join(root, 'case'), { name: 't', timezone: sample.timezone ?? 'UTC' });
    try {
      await importPaths(handle, [bundle], sample.date ? { date: sample.date } : {});
      const rows = await handle.db.read<Row>(
        `SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, ts_flag, level, logger, message, parse_status, line, line_count, fields::VARCHAR AS fields, raw
         FROM events ORDER BY id`);
      expect(rows.length).toBe(sample.records.length);
      // Every line of the file is in exactly one event, and the events keep the wrapped text as written.
      const lines = sample.text.replace(/\n$/, '').split('\n');
      expect(rows.reduce((n, r) => n + Number(r.line_count), 0)).toBe(lines.length);
      const seen = rows.flatMap((r) => r.raw.split('\n'));
      expect([...seen].sort()).toEqual([...lines].sort());
      sample.records.forEach((exp, i) => {
        const row = rows[i]!;
        if (exp.ts !== undefined) expect(row.ts, `record ${i} ts`).toBe(exp.ts);
        if (exp.tsFlag !== undefined) expect(row.ts_flag, `record ${i} ts_flag`).toBe(exp.tsFlag);
        if (exp.level !== undefined) expect(row.level, `record ${i} level`).toBe(exp.level);
        if (exp.logger !== undefined) expect(row.logger, `record ${i} logger`).toBe(exp.logger);
        if (exp.message !== undefined) expect(row.message, `record ${i} message`).toBe(exp.message);
        if (exp.parseStatus !== undefined) expect(row.parse_status, `record ${i} status`).toBe(exp.parseStatus);
        if (exp.lineCount !== undefined) expect(Number(row.line_count), `record ${i} lines`).toBe(exp.lineCount);
        const fields = JSON.parse(row.fields) as Record<string, unknown>;
        for (const [k, v] of Object.entries(exp.fields ?? {})) expect(fields[k], `record ${i} field ${k}`).toEqual(v);
      });
    } finally {
      await handle.close();
    }
  });
});
