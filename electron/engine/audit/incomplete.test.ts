// Verify says when a bundle's evidence is not all in the case (an import stopped before it finished), and never of
// files the case holds as they are: aliases (same bytes, no row of their own), an archive whose member is an alias,
// a kept binary, an empty file. The killed import itself is in ingest/crash.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CaseInfo } from '../../../shared/domain';
import { incompleteText } from '../../../shared/audit';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { Engine } from '../engine';

let root: string;
let engine: Engine;
let info: CaseInfo;
const home = process.env.CASEFILE_HOME;

beforeAll(async () => {
  root = tempDir('casefile-incomplete-');
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const line = (m: string) => `${JSON.stringify({ message: m, levelname: 'INFO', created: 1690656225.4 })}\n`;
  writeAt(root, 'b/enrich/logs/app/app.json.log', line('a'));
  writeAt(root, 'b/enrich/logs/app/copy.json.log', line('a')); // an alias in the same bundle
  writeAt(root, 'b/enrich/logs/app/other.json.log', line('b'));
  writeAt(root, 'b/enrich/logs/app/empty.log', '');
  fs.mkdirSync(path.join(root, 'b/enrich/img'), { recursive: true });
  fs.writeFileSync(path.join(root, 'b/enrich/img/x.png'), Buffer.from('\x89PNG\r\n\x1a\nxxxx', 'latin1'));
  // an archive whose one member has the same bytes as a file of the outer bundle: its bundle has no row of its own
  await tar.c({ gzip: true, file: path.join(root, 'b/enrich/inner.tgz'), cwd: path.join(root, 'b') }, ['enrich/logs/app/app.json.log']);
  engine = await Engine.create({ via: 'test' });
  info = await engine.call('cases.create', { name: 'incomplete', dir: path.join(root, 'case') });
  await engine.call('import.paths', { caseId: info.id, paths: [path.join(root, 'b')] });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  removeDir(root);
});

it('a whole import is not called incomplete: aliases, an archive of an alias, a binary and an empty file are in the case', async () => {
  const v = await engine.call('case.verify', { caseId: info.id });
  expect(v.ok, JSON.stringify(v.problems)).toBe(true);
  expect(v.incomplete).toBeUndefined();
});

it('a file of the bundle whose bytes the case does not hold is named, with the bundle\'s count and what to do', async () => {
  const h = engine.context.getCase(info.id);
  // As a kill before its batch leaves it: no row, no events.
  await h.withWriter(async (db) => {
    await db.run(`DELETE FROM event_store WHERE file_id IN (SELECT file_id FROM files WHERE path = 'enrich/logs/app/other.json.log')`);
    await db.run(`DELETE FROM files WHERE path = 'enrich/logs/app/other.json.log'`);
  });
  const v = await engine.call('case.verify', { caseId: info.id });
  const bundle = (await h.db.read<{ bundle: string }>(`SELECT bundle FROM files WHERE path = 'enrich/logs/app/app.json.log'`))[0]!.bundle;
  expect(v.incomplete).toEqual([{ bundle, files: 6, missing: 1, examples: ['enrich/logs/app/other.json.log'] }]);
  expect(incompleteText(v.incomplete![0]!)).toBe(`Bundle ${bundle}: 1 of its 6 files is not in the case (e.g. enrich/logs/app/other.json.log): an import of it stopped before it finished, or is still running. Import the same input again to add it.`);
});
