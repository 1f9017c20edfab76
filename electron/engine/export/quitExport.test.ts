// Quitting the app (Engine.quit, what the Electron shell's engine host and `casefile serve`'s Ctrl-C call) while an
// export runs: the export is cancelled, not waited for; its partial extract goes, nothing is written, the trail says
// it was cancelled and the case opens again. Before, the shell's quit waited for the export (until main's limit killed
// the engine, leaving the partial extract for the next open).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Engine } from '../engine';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';
import { readAudit } from '../audit/trail';
import type { CaseInfo } from '../../../shared/domain';

const root = tempDir('casefile-quit-export-');
const dir = path.join(root, 'case');
const exportsDir = path.join(dir, 'exports');
const listExports = () => (existsSync(exportsDir) ? readdirSync(exportsDir).sort() : []);

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const tree = (await generateTree(path.join(root, 'gen'), { targetBytes: 8_000_000, seed: 3 })).root;
  const engine = await Engine.create({ via: 'test' });
  try {
    const { id } = (await engine.invoke('cases.create', { name: 'quit', dir })) as CaseInfo;
    await engine.invoke('import.paths', { caseId: id, paths: [tree] });
  } finally { await engine.close(); }
}, 240_000);
afterAll(() => removeDir(root));

it('quit with an export running: cancelled, its staging gone, the trail says so, the case opens again', async () => {
  const before = listExports();
  const engine = await Engine.create({ via: 'test' });
  const { id } = (await engine.invoke('cases.open', { dir })) as CaseInfo;
  const run = engine.invoke('export.run', { caseId: id, selection: {}, format: 'jsonl', plaintext: true }).then(() => 'done', (e: Error) => e.message);
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => { if (listExports().some((n) => n.startsWith('.staging-'))) { clearInterval(poll); resolve(); } }, 10);
    void run.then((r) => { clearInterval(poll); reject(new Error(`the export ended before its staging was seen: ${r}`)); });
  });
  await engine.quit();
  expect(await run).toMatch(/cancelled/);
  expect(listExports()).toEqual(before);
  const entries = (await readAudit(path.join(dir, 'audit.jsonl'))).filter((e) => e.action.startsWith('export.'));
  expect(entries.map((e) => [e.action, e.result.status, e.result.message])).toEqual([['export.run', 'error', 'The export job was cancelled.']]);
  const again = await Engine.create({ via: 'test' });
  try {
    const reopened = (await again.invoke('cases.open', { dir })) as CaseInfo;
    const [row] = await again.context.getCase(reopened.id).db.read<{ n: number }>('SELECT count(*)::INTEGER AS n FROM events');
    expect(row?.n).toBeGreaterThan(0);
  } finally { await again.close(); }
}, 120_000);
