// The audit view's reading of an entry: each input a line, hashed inputs labelled (never shown as JSON), long lists
// of records one line per record, and the hashed inputs found wherever the policy put them.
import { describe, expect, it } from 'vitest';
import { describeAction, hashedInputs, paramLines, printableLines } from './auditDisplay';

const H = (c: string) => ({ hmac: c.repeat(64) });

describe('paramLines', () => {
  it('gives a search its lines, the typed text as hashed, the case id left out', () => {
    const lines = paramLines({ caseId: 'c1', filter: { text: H('a'), levels: ['ERROR', 'WARNING'], fields: [{ field: 'user', value: H('b') }], files: H('c') }, limit: 200 });
    expect(lines).toEqual([
      { path: 'filter.text', label: 'search text', hmac: 'a'.repeat(64) },
      { path: 'filter.levels', label: 'filter.levels', value: 'ERROR, WARNING' },
      { path: 'filter.fields[0].field', label: 'filter.fields[0].field', value: 'user' },
      { path: 'filter.fields[0].value', label: 'field value', hmac: 'b'.repeat(64) },
      { path: 'filter.files', label: 'files', hmac: 'c'.repeat(64) },
      { path: 'limit', label: 'limit', value: '200' },
    ]);
    expect(paramLines({ caseId: 'c1', sql: H('d') })).toEqual([{ path: 'sql', label: 'SQL', hmac: 'd'.repeat(64) }]);
  });

  it('shows a long list of records one line each, naming the record first', () => {
    const files = Array.from({ length: 17 }, (_, i) => ({ fileSha: 'f'.repeat(8), format: 'celery', path: `logs/${i}.log`, records: i }));
    const [bundle, list] = paramLines({ bundle: 'b1', files });
    expect(bundle).toEqual({ path: 'bundle', label: 'bundle', value: 'b1' });
    expect(list).toMatchObject({ path: 'files', value: '17 items' });
    expect(list!.items).toHaveLength(17);
    expect(list!.items![3]).toBe('path=logs/3.log, fileSha=ffffffff, format=celery, records=3');
    // A hashed value inside such a record is labelled, not printed as JSON.
    const [sel] = paramLines({ selection: Array.from({ length: 6 }, () => ({ where: H('e') })) });
    expect(sel!.items![0]).toBe(`where=‹hashed ${'e'.repeat(12)}…›`);
    expect(JSON.stringify(paramLines({ a: [], b: {}, c: null }))).not.toContain('hmac');
  });
});

describe('printableLines', () => {
  it('shows every text of the inputs escaped once, as the CLI does: values, records of a long list, labels', () => {
    const name = 'gol\u202eexe\u200b\x1b[31m \\x1b.log';
    const shown = 'gol\\u202eexe\\u200b\\x1b[31m \\x1b.log';
    const files = Array.from({ length: 6 }, (_, i) => ({ path: `${i}${name}` }));
    expect(printableLines({ caseId: 'c', paths: [name], files, meta: { [`k\u202e`]: 1 }, sql: H('a') })).toEqual([
      { path: 'paths', label: 'paths', value: shown },
      { path: 'files', label: 'files', value: '6 items', items: files.map((_, i) => `path=${i}${shown}`) },
      { path: 'meta.k\u202e', label: 'meta.k\\u202e', value: '1' },
      { path: 'sql', label: 'SQL', hmac: 'a'.repeat(64) },
    ]);
  });
});

describe('hashedInputs', () => {
  it('finds every hashed input with its path, in lists of any length', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ value: H(String(i)) }));
    expect(hashedInputs({ caseId: 'c', selection: { where: H('a'), filter: { fields: many } } }).map((x) => x.path))
      .toEqual(['selection.where', ...many.map((_, i) => `selection.filter.fields[${i}].value`)]);
    expect(hashedInputs({ note: 'hmac', n: { hmac: 'x', other: 1 } })).toEqual([]);
  });

  it('names known actions in words, others by their name', () => {
    expect(describeAction('events.sql')).toBe('Ran a SQL query');
    expect(describeAction('made.up')).toBe('made.up');
  });
});
