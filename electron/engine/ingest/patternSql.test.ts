// A pattern ending in `(.*)` is matched by its head and the rest taken as the text after it (patternSql.ts): every
// group must come out as the whole regex gives it, for every format's pattern, on matching and other records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../store/db';
import { FORMATS } from '../formats/registry';
import type { TextPattern } from '../formats/types';
import { patternRelation, restSplit } from './patternSql';

let db: CaseDb;
beforeAll(async () => { db = await CaseDb.open(':memory:'); });
afterAll(() => db.close());

/** Records from every format's samples (each line, each text whole), with multi-byte text and line breaks after the head. */
function records(): string[] {
  const texts = FORMATS.flatMap((f) => f.samples.map((s) => s.text));
  const lines = texts.flatMap((t) => t.split('\n'));
  const odd = ['é', '😀 two', 'e\u0301 combining', '中文\n second line', '\u0000', '\t\r\n', ''];
  return [...texts, ...lines, ...lines.flatMap((l) => odd.map((o) => `${l}${o}`)), ...odd, 'no header at all', '[ ] [1] [X]'];
}

describe('patternRelation', () => {
  it('gives the groups regexp_extract gives, for every format whose pattern splits', async () => {
    const rows = records();
    await db.run('CREATE OR REPLACE TEMP TABLE recs (raw VARCHAR)');
    for (const r of rows) await db.run('INSERT INTO recs VALUES ($1)', [r]);
    const split = FORMATS.filter((f) => f.pattern && restSplit(f.pattern));
    expect(split.map((f) => f.id)).toEqual(expect.arrayContaining(['celery', 'doodle', 'gunicorn', 'jupyter', 'prefect', 'python-logging', 'generic-text']));
    for (const f of split) {
      const p = f.pattern!;
      const full = `regexp_extract(raw, '${p.regex.replace(/'/g, "''")}', [${p.groups.map((g) => `'${g}'`).join(', ')}], 's')`;
      const r = await db.one<{ n: number; diff: number; matched: number }>(`SELECT count(*)::INTEGER AS n,
          count_if(g IS DISTINCT FROM ${full})::INTEGER AS diff, count_if(h.casefile_head <> '')::INTEGER AS matched
        FROM ${patternRelation(p, 'raw', '(SELECT raw FROM recs)')} t`);
      expect({ format: f.id, n: r!.n, diff: r!.diff }).toEqual({ format: f.id, n: rows.length, diff: 0 });
      expect(r!.matched).toBeGreaterThan(0);
    }
  });

  it('splits only a head at ^ followed by a greedy (.*) at the top level (of the first layout)', () => {
    const p = (regex: string, n: number): TextPattern => ({ regex, groups: Array.from({ length: n }, (_, i) => `g${i}`) });
    expect(restSplit(p('^(\\d+) (.*)', 2))).toEqual({ head: '^((\\d+) )', before: 1 });
    expect(restSplit(p('^(?:(a)(.*)|(b))', 3))).toEqual({ head: '^((a))', before: 1 });
    expect(restSplit(p('^[(](.*)', 1))).toEqual({ head: '^([(])', before: 0 });
    for (const [regex, n] of [['(\\d+) (.*)', 2], ['^(a)|b(.*)', 2], ['^(a) (.*?)', 2], ['^(a) \\(.*\\)', 1], ['^(?:(a)|(b)(.*))', 3],
      ['^(?:a)(b)(.*)x', 2], ['^(a)(.*)', 3], ['^(?:(a)(.*)|(b))c', 3]] as const) expect(restSplit(p(regex, n))).toBeNull();
  });
});
