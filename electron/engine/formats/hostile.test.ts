// Every format's regexes run twice: in JavaScript on every line the reader groups (recordStart) and in DuckDB's RE2
// on every record (pattern, extras). They must compile in RE2, and no line an attacker or a broken logger can write
// may make the JavaScript side backtrack for long. Then whole files built to hurt the new formats go through the
// real importer: no crash, every line inside exactly one record.
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { RE2JS } from 're2js';
import { FORMATS } from './registry';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from '../ingest/importer';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';

const N = 20_000;
/** Lines shaped to make a backtracking engine retry: long runs of what the formats' quantifiers accept. */
const HOSTILE = [
  'a'.repeat(N), ' '.repeat(N), '='.repeat(N), 'a='.repeat(N / 2), 'a="'.repeat(N / 3), '\\"'.repeat(N / 2), '"'.repeat(N),
  `[${'1'.repeat(N)}`, `2024-01-01 00:00:00${' -'.repeat(N / 2)}`, `2024-01-01 00:00:00 ${'a.'.repeat(N / 2)}`,
  `10:41:07.311 | INFO ${' '.repeat(N)}|`, `10:41:07.311 | INFO | ${'a |'.repeat(N / 3)}`, `[I 22:23:10.709 ${'a.'.repeat(N / 2)}`,
  `INFO:${'a.'.repeat(N / 2)}`, `[Tue Sep 03 09:53:18 2024] [${'a'.repeat(N)}`, `1.2.3.4 - - [14/Feb/2014:06:13:34 +0000] "${'GET '.repeat(N / 4)}`,
  `WARNING 2015-07-17 22:31:07,704 ${'a'.repeat(N)}`, `Not Found${':'.repeat(N)}`, ` -------------- celery@${'x'.repeat(N)}`,
  `{${' '.repeat(N)}`,
];

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe.each(FORMATS.filter((f) => f.kind !== 'raw').map((f) => [f.id, f] as const))('format %s', (_id, def) => {
  const regexes = [def.recordStart, def.pattern?.regex, ...(def.extras ?? []).map((x) => x.regex)].filter((r): r is string => !!r);

  it('has regexes that RE2 (the query engine) compiles', () => {
    for (const r of regexes) expect(() => RE2JS.compile(r), r).not.toThrow();
  });

  it('decides hostile 20 000-character lines at once in JavaScript', () => {
    if (!def.recordStart) return;
    const re = new RegExp(def.recordStart);
    for (const line of HOSTILE) {
      const t0 = performance.now();
      re.test(line);
      expect(performance.now() - t0, `${def.recordStart} on ${JSON.stringify(line.slice(0, 30))}…`).toBeLessThan(100);
    }
  });
});

describe('files built to hurt the new formats', () => {
  it('import whole, every line in exactly one record', async () => {
    const root = tempDir();
    dirs.push(root);
    const bundle = path.join(root, 'bundle');
    const dupKeys = `level=error ts=2024-01-01T00:00:00Z ${Array.from({ length: 2000 }, (_, i) => `k=${i}`).join(' ')} msg="unterminated \\"quote`;
    const files: Record<string, string> = {
      'logfmt.log': `${dupKeys}\nlevel=info ts=not-a-time msg=x\n${'a=b '.repeat(20_000)}\n`,
      'pretty.json': '{\n  "time": "2024-01-01T00:00:00Z",\n  "msg": "cut\n{\n  "time": "2024-01-01T00:00:01Z", "msg": "ok"\n}\n{\n',
      'celery.log': ` -------------- celery@x v5 (a)\n${'-- **\n'.repeat(1000)}[2024-01-01 00:00:00,000: INFO/MainProcess] ready\n`,
      'django.log': `Not Found: ${'/a'.repeat(10_000)}\n[01/Jan/2024 00:00:00] "${'GET '.repeat(1000)}\n`,
    };
    const lines: Record<string, number> = {};
    for (const [name, text] of Object.entries(files)) {
      writeAt(bundle, name, text);
      lines[name] = text.split('\n').length - 1;
    }
    const handle = await CaseHandle.create(path.join(root, 'case'), { name: 't', timezone: 'UTC' });
    try {
      const res = await importPaths(handle, [bundle]);
      const formats = Object.fromEntries(res.files.map((f) => [f.file, f.format]));
      expect(formats).toMatchObject({ 'logfmt.log': 'logfmt', 'pretty.json': 'json-pretty', 'celery.log': 'celery', 'django.log': 'django-runserver' });
      const rows = await handle.db.read<{ file: string; lines: number; gaps: number }>(`
        SELECT file, sum(line_count)::INTEGER AS lines,
               count_if(line <> coalesce(prev_end, 1))::INTEGER AS gaps
        FROM (SELECT file, line, line_count, lag(line + line_count) OVER (PARTITION BY file ORDER BY id) AS prev_end FROM events)
        GROUP BY file`);
      for (const r of rows) {
        expect(r.lines, r.file).toBe(lines[r.file]);
        expect(r.gaps, r.file).toBe(0);
      }
      expect(rows.length).toBe(4);
      const logfmt = await handle.db.read<{ ts: string | null; level: string; n: number }>(
        `SELECT strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, level, json_extract_string(fields, '$.k') AS n FROM events WHERE file = 'logfmt.log' ORDER BY id LIMIT 1`);
      // The first of 2000 repeated keys wins; an unterminated quote does not lose the record.
      expect(logfmt[0]).toMatchObject({ ts: '2024-01-01T00:00:00Z', level: 'ERROR', n: '0' });
    } finally {
      await handle.close();
    }
  }, 120_000);
});
