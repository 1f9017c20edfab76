// Two imports into one case at the same moment through the browser-mode bridge (a real Engine, real HTTP): each
// waits its turn on the case, keeps its own staging folder, and both land whole.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeLab, type BridgeLab } from '../testkit/bridgeLab';

let lab: BridgeLab;
let root: string;
const post = (name: string, input: unknown) => lab.post(name, input);

function bundle(name: string, files: number, lines: number): string {
  const dir = path.join(root, name);
  for (let f = 0; f < files; f++) {
    const file = path.join(dir, 'enrich/logs/app', f === 0 ? 'app.json.log' : `app.json.log.${f}`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Array.from({ length: lines }, (_, i) => JSON.stringify({
      message: `${name} ${f} ${i}`, levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + f * 10_000 + i,
    })).join('\n') + '\n');
  }
  return dir;
}

beforeAll(async () => { lab = await startBridgeLab(); root = lab.root; });
afterAll(async () => lab.close());

describe('imports through the HTTP bridge', () => {
  it('two imports into one case at once both succeed, one after the other, with nothing left in staging', async () => {
    const created = await post('cases.create', { name: 'two at once', dir: path.join(root, 'case') });
    const caseId = (created.body.value as { id: string }).id;
    const a = bundle('bundle-a', 6, 400);
    const b = bundle('bundle-b', 6, 300);
    const [ra, rb] = await Promise.all([
      post('import.paths', { caseId, paths: [a], jobId: 'http-a' }),
      post('import.paths', { caseId, paths: [b], jobId: 'http-b' }),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect((ra.body.value as { files: unknown[] }).files).toHaveLength(6);
    expect((rb.body.value as { files: unknown[] }).files).toHaveLength(6);
    const info = await post('cases.get', { caseId });
    expect(info.body.value).toMatchObject({ eventCount: 6 * 400 + 6 * 300, bundleCount: 2 });
    expect(readdirSync(path.join(root, 'case', 'bundles')).filter((e) => e.startsWith('.incoming'))).toEqual([]);
    expect((await post('case.verify', { caseId })).body.value).toMatchObject({ ok: true, filesChecked: 12 });
    // Each import queues its own correlation job after its events commit: only the imports are compared here.
    const all = (await post('jobs.list', { caseId })).body.value as { jobId: string; kind: string; state: string; startedAt: string; endedAt: string }[];
    const jobs = all.filter((j) => j.kind === 'import');
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done']);
    expect(all.every((j) => j.state === 'done')).toBe(true);
    const [first, second] = [...jobs].sort((x, y) => x.startedAt.localeCompare(y.startedAt));
    expect(second!.startedAt >= first!.endedAt).toBe(true); // never at the same time
  });
});
