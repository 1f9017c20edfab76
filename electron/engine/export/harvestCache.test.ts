// The whole-case harvest kept in the case folder (harvestCache.ts): a later export (a fresh engine, as each CLI
// export is) reads it instead of searching every event again, and writes the same bytes; a damaged file is ignored
// and rebuilt; an import that adds a name changes its key, so the name is caught in the next extract.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { caseFiles } from '../case/paths';
import { Engine } from '../engine';
import { runExport } from './run';
import type { Selection } from './select';

const root = tempDir('casefile-harvest-cache-');
const caseDir = path.join(root, 'case');
const cacheFile = caseFiles(caseDir).harvestCache;
const KEPT = /kept from the last export/;

const line = (o: Record<string, unknown>) => JSON.stringify({ asctime: '2023-07-28 16:54:53,016', name: 'app', levelname: 'INFO', ...o }) + '\n';
/** Bundle A: a name under its field, the same name in free text, and a name only free text holds (Zoltan Kiraly). */
const bundleA = [
  line({ message: 'refund queued', beneficiary_name: 'Tomás Garcia', created: 1690543493.016 }),
  line({ message: `Apply (args:({'query': 'refund approved by Tomás Garcia after review'},))`, created: 1690543494.016 }),
  line({ message: `Apply (args:({'query': 'refund approved by Zoltan Kiraly after review'},))`, created: 1690543495.016 }),
].join('');
/** Bundle B, imported later: Zoltan Kiraly under his field. */
const bundleB = line({ message: 'refund queued', beneficiary_name: 'Zoltan Kiraly', created: 1690543496.016 });

async function withEngine<T>(fn: (engine: Engine, caseId: string) => Promise<T>): Promise<T> {
  const engine = await Engine.create({ via: 'test' });
  try {
    const { id } = await engine.call('cases.open', { dir: caseDir });
    return await fn(engine, id);
  } finally {
    await engine.close();
  }
}

/** One export in a fresh engine (nothing kept in memory from an earlier one), with a fixed pseudonym key. */
function exportOnce(selection: Selection = {}): Promise<{ text: string; sha256: string; words: string[] }> {
  return withEngine(async (engine, id) => {
    const words: string[] = [];
    const r = await runExport(engine.context.getCase(id), {
      selection, format: 'jsonl', recipient: null, operator: null, workers: 1, pseudonymScope: 'per-client', pseudonymKey: new Uint8Array(32).fill(7),
      onProgress: (p) => { if (p.words) words.push(p.words); },
    });
    const text = fs.readFileSync(path.join(r.dir, 'events.jsonl'), 'utf8');
    return { text, sha256: crypto.createHash('sha256').update(text).digest('hex'), words };
  });
}

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  writeAt(root, 'a/enrich/logs/app/app.json.log', bundleA);
  const engine = await Engine.create({ via: 'test' });
  try {
    const info = await engine.call('cases.create', { name: 'harvest cache', dir: caseDir });
    await engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'a')] });
  } finally {
    await engine.close();
  }
}, 120_000);

afterAll(() => removeDir(root));

describe('the whole-case harvest kept in the case', () => {
  it('is written by an export (0600, beside case.duckdb) and read by the next, which writes the same bytes as without it', async () => {
    fs.rmSync(cacheFile, { force: true });
    const cold = await exportOnce();
    expect(cold.words.join('\n')).not.toMatch(KEPT);
    expect(cold.words).toContain('collecting the names under their fields (every event of the case)');
    expect(fs.statSync(cacheFile).mode & 0o777).toBe(0o600);
    // sealed: the originals stay in the evidence and case.duckdb only (reidentify.test.ts walks the whole case for them)
    expect(fs.readFileSync(cacheFile, 'utf8')).not.toMatch(/Tom|Garcia|beneficiary/);
    const warm = await exportOnce();
    expect(warm.words.join('\n')).toMatch(KEPT);
    expect(warm.words.join('\n')).not.toMatch(/collecting the names under their fields/);
    expect(warm.sha256).toBe(cold.sha256);
    // the name under its field in one event is replaced in the other's free text, from the cache as without it
    expect(warm.text).toContain('Zoltan Kiraly'); // no event of this case names him under a field (yet)
    expect(warm.text).not.toContain('Tomás Garcia');
  }, 120_000);

  it('a damaged cache is ignored and rebuilt: the same bytes, and a whole file again', async () => {
    const good = await exportOnce();
    const valid = fs.readFileSync(cacheFile, 'utf8');
    const sealed = JSON.parse(valid) as { data: string; tag: string };
    // rebuilt whole: the same sealed body (a fresh iv each time, so not the same bytes), the full tag
    const wholeAgain = () => {
      const again = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { format: string; data: string; tag: string };
      return again.format === 'casefile/harvest-cache@2' && again.data.length === sealed.data.length && Buffer.from(again.tag, 'base64').length === 16;
    };
    const data = Buffer.from(sealed.data, 'base64');
    data[data.length >> 1]! ^= 1;
    const flipped = JSON.stringify({ ...sealed, data: data.toString('base64') });
    const shortTag = JSON.stringify({ ...sealed, tag: Buffer.from(sealed.tag, 'base64').subarray(0, 4).toString('base64') });
    for (const damaged of [valid.slice(0, valid.length / 2), 'not json', '{}', flipped, shortTag]) {
      fs.writeFileSync(cacheFile, damaged);
      const r = await exportOnce();
      expect(r.words.join('\n')).not.toMatch(KEPT);
      expect(r.sha256).toBe(good.sha256);
      expect(r.text).not.toContain('Tomás Garcia');
      expect(wholeAgain(), String(damaged).slice(0, 40)).toBe(true);
    }
    // the case folder is a door: a cache that is a pipe, a link (to /dev/zero, or to a valid cache elsewhere) or a
    // huge file is not read (a pipe hung the export, /dev/zero was read without end), only replaced by a whole file
    const elsewhere = path.join(root, 'elsewhere.json');
    fs.writeFileSync(elsewhere, valid);
    const hostile: [string, () => void][] = [
      ['a pipe', () => execFileSync('mkfifo', [cacheFile])],
      ['a link to /dev/zero', () => fs.symlinkSync('/dev/zero', cacheFile)],
      ['a link to a valid cache', () => fs.symlinkSync(elsewhere, cacheFile)],
      ['a 1 TB sparse file', () => { fs.writeFileSync(cacheFile, ''); fs.truncateSync(cacheFile, 2 ** 40); }],
    ];
    for (const [what, make] of hostile) {
      fs.rmSync(cacheFile, { force: true });
      make();
      const r = await exportOnce();
      expect(r.words.join('\n'), what).not.toMatch(KEPT);
      expect(r.sha256, what).toBe(good.sha256);
      expect(fs.lstatSync(cacheFile).isFile(), what).toBe(true);
      expect(wholeAgain(), what).toBe(true);
    }
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe(valid);
  }, 360_000);

  it('the export job says each of its steps in words as it starts (the dialog and the CLI show them), not one line', async () => {
    fs.rmSync(cacheFile, { force: true });
    const said = await withEngine(async (engine, caseId) => {
      const words: string[] = [];
      const off = engine.on('job.progress', (j) => { const m = j.step?.message; if (j.kind === 'export' && m && m !== words.at(-1)) words.push(m); });
      try {
        await engine.call('export.run', { caseId, selection: { where: "message LIKE '%Tomás%'" }, format: 'jsonl', plaintext: true });
      } finally {
        off();
      }
      return words;
    });
    // every step, in order: a step that is quick still reaches the page before the next (a new phase is said at once)
    expect(said).toEqual([
      'reading the redaction rules',
      'collecting the identifiers to replace everywhere (every event of the case)',
      'collecting the names under their fields (every event of the case)',
      'collecting the names in paths and URLs of the selected events',
      expect.stringMatching(/^starting the redaction workers \(\d+ values to replace everywhere\)$/),
      'checking the written extract for anything left (fail-closed)',
    ]);
  }, 120_000);

  it('an import that adds a name changes the key: the next extract replaces it in free text', async () => {
    const selection = { where: "message LIKE '%Zoltan%'" };
    const before = await exportOnce(selection);
    expect(before.words.join('\n')).toMatch(KEPT);
    expect(before.text).toContain('Zoltan Kiraly');
    writeAt(root, 'b/enrich/logs/app/app2.json.log', bundleB);
    await withEngine((engine, caseId) => engine.call('import.paths', { caseId, paths: [path.join(root, 'b')] }));
    const after = await exportOnce(selection);
    expect(after.words.join('\n')).not.toMatch(KEPT);
    expect(after.text).not.toContain('Zoltan Kiraly');
    expect(after.text).toMatch(/by <name:[0-9A-Z]{10}> after review/);
    // and the cache now holds him: a third export reads it and replaces him the same way
    const again = await exportOnce(selection);
    expect(again.words.join('\n')).toMatch(KEPT);
    expect(again.sha256).toBe(after.sha256);
  }, 240_000);
});
