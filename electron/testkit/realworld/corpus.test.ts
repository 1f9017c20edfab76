// The real-world corpus as tests: every excerpt imports without a crash and every one of its lines is inside exactly
// one record; the excerpts we tune on meet their expectation exactly unless the manifest names why not (`known`),
// and a named miss that starts passing must lose its note. Held-out excerpts are measured, never tuned on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CORPUS_DIR, loadManifest, runCorpus, type Outcome } from './corpus';
import { removeDir, tempDir } from '../tmp';

const excerpts = loadManifest();
let root: string;
let outcomes: Map<string, Outcome>;

beforeAll(async () => {
  root = tempDir();
  outcomes = new Map((await runCorpus(root, excerpts)).map((o) => [o.id, o]));
}, 300_000);
afterAll(() => removeDir(root));

describe('the corpus itself', () => {
  it('has at least 60 excerpts, about 15 held out, every file listed once and every excerpt sourced', () => {
    expect(excerpts.length).toBeGreaterThanOrEqual(60);
    expect(excerpts.filter((e) => e.heldOut).length).toBeGreaterThanOrEqual(15);
    const files = readdirSync(path.join(CORPUS_DIR, 'excerpts')).sort();
    expect(excerpts.map((e) => e.file).sort()).toEqual(files);
    expect(new Set(excerpts.map((e) => e.id)).size).toBe(excerpts.length);
    const sources = readFileSync(path.join(CORPUS_DIR, 'SOURCES.md'), 'utf8');
    for (const e of excerpts) {
      expect(e.source, e.id).toMatch(/^https:\/\//);
      expect(sources, `${e.id} in SOURCES.md`).toContain(`\`${e.file}\``);
      expect(existsSync(path.join(CORPUS_DIR, 'excerpts', e.file))).toBe(true);
    }
  });

  it('keeps no e-mail address, token or key in any excerpt', () => {
    for (const e of excerpts) {
      const text = readFileSync(path.join(CORPUS_DIR, 'excerpts', e.file), 'utf8');
      expect(text, e.id).not.toMatch(/[\w.+-]+@(?!example\.)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b/i); // only example.* addresses
      expect(text, e.id).not.toMatch(/token=(?!REDACTED)[0-9a-f]{16,}/i);
      expect(text, e.id).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}/);
    }
  });
});

describe.each(excerpts.map((e) => [e.id, e] as const))('excerpt %s', (id, e) => {
  it('imports with every line inside exactly one record', () => {
    const o = outcomes.get(id)!;
    expect(o, 'imported').toBeDefined();
    expect(o.accounted, `lines accounted (${o.lines} lines, ${o.records} records)`).toBe(true);
  });

  if (!e.heldOut) {
    it(e.known ? `is a named miss: ${e.known}` : 'meets its expectation', () => {
      const o = outcomes.get(id)!;
      const got = { format: o.format, envelope: o.envelope, records: o.records, timed: o.timed, first: o.first, last: o.last };
      const want = { format: e.expect.format.split(',').sort().join(','), envelope: (e.expect.envelope ?? '').split(',').filter(Boolean).sort().join(','),
        records: e.expect.records, timed: e.expect.timed,
        first: e.expect.first ? new Date(e.expect.first).toISOString() : null, last: e.expect.last ? new Date(e.expect.last).toISOString() : null };
      if (e.known) expect(got, 'this excerpt now passes: drop its `known` note from the manifest').not.toEqual(want);
      else expect(got).toEqual(want);
    });
  }
});
