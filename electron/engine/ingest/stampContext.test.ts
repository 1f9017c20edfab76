// Stamps without a date take it from context at import, through the real engine into a real case: a neighbouring
// file's date, the file's mtime, the operator's date; each flagged, with the rule in tz_rule.
import { afterAll, describe, expect, it } from 'vitest';
import { utimesSync } from 'node:fs';
import path from 'node:path';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from './importer';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const CONSOLE = '23:50:00.000 INFO starting\n00:10:00.000 ERROR after midnight\n';

async function importBundle(files: Record<string, string>, opts: { date?: string; mtime?: Date; zone?: string } = {}) {
  const root = tempDir();
  dirs.push(root);
  const bundle = path.join(root, 'bundle');
  for (const [rel, text] of Object.entries(files)) {
    const p = writeAt(bundle, rel, text);
    if (opts.mtime) utimesSync(p, opts.mtime, opts.mtime);
  }
  const handle = await CaseHandle.create(path.join(root, 'case'), { name: 't', timezone: opts.zone ?? 'UTC' });
  try {
    await importPaths(handle, [bundle], opts.date ? { date: opts.date } : {});
    return await handle.db.read<{ file: string; ts: string; ts_flag: string; tz_rule: string }>(
      `SELECT file, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, ts_flag, tz_rule FROM events WHERE file LIKE '%console%' ORDER BY id`);
  } finally {
    await handle.close();
  }
}

describe('context for stamps without a date', () => {
  it('takes a neighbour\'s date under a fixed-offset site zone (its first stamp an instant, read at that offset)', async () => {
    const rows = await importBundle({
      'srv/app/console.txt': CONSOLE,
      'srv/app/app.log': '2024-03-10T20:00:00+00:00 INFO app up\n',
    }, { zone: '+05:30' });
    expect(rows.map((r) => r.ts)).toEqual(['2024-03-11T18:20:00Z', '2024-03-11T18:40:00Z']);
  });
  it('takes the date of the nearest neighbouring file in the bundle', async () => {
    const rows = await importBundle({
      'srv/app/console.txt': CONSOLE,
      'srv/app/app.log': '2024-03-10 23:40:00,000 INFO app up\n',
      'other/far.log': '2020-01-01 00:00:00,000 INFO far away\n',
    });
    expect(rows.map((r) => r.ts)).toEqual(['2024-03-10T23:50:00Z', '2024-03-11T00:10:00Z']);
    expect(rows.every((r) => r.ts_flag === 'date-inferred')).toBe(true);
    expect(rows[0]!.tz_rule).toContain('neighbouring file srv/app/app.log');
  });

  it('falls back to the file\'s mtime, which dates the last record', async () => {
    const rows = await importBundle({ 'console.txt': CONSOLE }, { mtime: new Date('2024-06-02T00:30:00Z') });
    expect(rows.map((r) => r.ts)).toEqual(['2024-06-01T23:50:00Z', '2024-06-02T00:10:00Z']);
    expect(rows[0]!.tz_rule).toContain('modification time');
  });

  it('the operator\'s date wins over neighbours and mtime, placed in the site zone', async () => {
    const rows = await importBundle({ 'console.txt': CONSOLE, 'app.log': '2024-03-10 23:40:00,000 INFO app up\n' }, { date: '2025-01-31', zone: 'Asia/Kolkata' });
    expect(rows.map((r) => r.ts)).toEqual(['2025-01-31T18:20:00Z', '2025-01-31T18:40:00Z']);
    expect(rows[0]!.tz_rule).toContain('2025-01-31 (--date)');
  });
});
