import { afterAll, beforeAll, it } from 'vitest';
import path from 'node:path';
import { Engine } from '../engine';
import { removeDir, tempDir } from '../../testkit/tmp';
import { generateTree } from '../../testkit/synth/generate';

let root: string; let engine: Engine;
beforeAll(async () => { root = tempDir(); process.env.CASEFILE_HOME = path.join(root, 'home'); engine = await Engine.create({ via: 'test' }); });
afterAll(async () => { await engine.close(); removeDir(root); });
const jobs = (id: string) => engine.context.jobs.list(id).map((j) => `${j.kind}:${j.state}`);

it('probe', async () => {
  const g = await generateTree(path.join(root, 'gen'), { targetBytes: Number(process.env.QA25_BYTES ?? 20_000_000), seed: 3, faults: 'all' });
  const dir = path.join(root, 'a');
  const c = await engine.call('cases.create', { name: 'a', dir, timezone: 'Asia/Kolkata' });
  const r = await engine.call('import.paths', { caseId: c.id, paths: [g.root], eventsFirst: true });
  console.log('import', r.correlation, jobs(c.id));
  await engine.call('cases.setTimezone', { caseId: c.id, timezone: 'UTC', expect: 'Nope/Zone' }).catch((e) => console.log('refused', (e as Error).message));
  console.log('after refusal', jobs(c.id));
  await engine.context.jobs.settled(c.id);
  console.log('settled', jobs(c.id), 'chainsPending', (await engine.call('cases.get', { caseId: c.id })).chainsPending);
  // bench: re-time with correlation
  if (!(await engine.call('cases.get', { caseId: c.id })).chainsPending) {
    for (const z of ['Europe/Berlin', 'Asia/Kolkata']) {
      const cpu0 = process.cpuUsage(); const t0 = performance.now();
      const res = await engine.call('cases.setTimezone', { caseId: c.id, timezone: z });
      const cpu = process.cpuUsage(cpu0); 
      console.log('retime', z, res.retimed, 'wall', ((performance.now() - t0) / 1000).toFixed(1), 'cpu', ((cpu.user + cpu.system) / 1e6).toFixed(1), 'events', res.eventCount);
    }
  }
}, 600_000);
