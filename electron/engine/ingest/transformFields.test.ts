// A text record's fields are built as text (fieldsText) instead of by merging JSON objects per record; the bytes
// stored must be the merge's, whatever the values hold: quotes, backslashes, control characters, any code point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseDb } from '../store/db';
import type { TextPattern } from '../formats/types';
import { extrasJson, extrasLayers, fieldsText } from './transform';

let db: CaseDb;
beforeAll(async () => { db = await CaseDb.open(':memory:'); });
afterAll(() => db.close());

const extras: TextPattern[] = [
  { regex: '^GET (\\S*) ?(.*)', groups: ['url', 'rest'] },
  { regex: '^Task ([^\\[]*)\\[([^\\]]*)\\]', groups: ['task', 'task_id'] },
  { regex: '^none here', groups: [] },
];
const g = (n: string) => `g.${JSON.stringify(n)}`;

/** Rows: every code point (surrogates aside) as a group value and inside a message, plus empty values; a record that
 * did not parse (ok false) has '{}' whatever either gives, as in the transform. */
const ROWS = `SELECT {'a': chr(cp::INTEGER), 'b': CASE WHEN cp % 3 = 0 THEN '' ELSE 'x' || chr(cp::INTEGER) || '"\\' END} AS g, cp % 5 <> 4 AS ok,
    CASE cp % 4 WHEN 0 THEN 'GET /p' || chr(cp::INTEGER) || ' tail' || chr(cp::INTEGER) WHEN 1 THEN 'Task t' || chr(cp::INTEGER) || '[' || chr(cp::INTEGER) || ']'
      WHEN 2 THEN 'GET ' ELSE 'none here' END AS message
  FROM range(1, 1114112) r(cp) WHERE cp < 55296 OR cp > 57343`;

describe('fieldsText', () => {
  it('gives the bytes of json_merge_patch over json_object for every code point, with and without extras', async () => {
    for (const xs of [extras, []]) {
      const text = fieldsText(['a', 'b'], g, xs)!;
      const merged = `json_merge_patch(json_merge_patch('{}', json_object('a', nullif(${g('a')}, ''), 'b', nullif(${g('b')}, ''))), ${extrasJson(xs, 'message')})`;
      const r = await db.one<{ n: number; diff: number; members: number }>(`SELECT count(*)::INTEGER AS n,
          count_if(CASE WHEN ok THEN (${text})::JSON::VARCHAR END IS DISTINCT FROM CASE WHEN ok THEN (${merged})::VARCHAR END)::INTEGER AS diff,
          ${xs.length ? 'count_if(ok AND x_which IS NOT NULL)' : '0'}::INTEGER AS members
        FROM ${extrasLayers(xs, 'message', `(${ROWS})`)} t`);
      expect(r!.n).toBeGreaterThan(1_100_000);
      expect(r!.diff).toBe(0);
      if (xs.length) expect(r!.members).toBeGreaterThan(500_000);
    }
  });

  it('is not used where merging does more than append (a name twice, or in a group and an extra)', () => {
    expect(fieldsText(['a', 'a'], g, [])).toBeNull();
    expect(fieldsText(['a'], g, [{ regex: '(x)', groups: ['a'] }])).toBeNull();
    expect(fieldsText(['a'], g, [{ regex: '(x)(y)', groups: ['b', 'b'] }])).toBeNull();
    expect(fieldsText(['a'], g, [{ regex: '(x)', groups: ['b'] }])).not.toBeNull();
  });
});
