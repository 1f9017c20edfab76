// A case made through the engine (in a data home of its own under `root`), so what the test does is audited as in
// the app and `verify` can vouch for it; the engine is closed afterwards.
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine/engine';
import type { CaseHandle } from '../engine/case/caseStore';
import type { CaseInfo } from '../../shared/domain';

export async function withEngineCase<T>(root: string, name: string, fn: (engine: Engine, caseId: string, h: CaseHandle) => Promise<T>): Promise<T> {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const engine = await Engine.create({ via: 'test' });
  try {
    const info = (await engine.invoke('cases.create', { name, dir: path.join(root, 'case') })) as CaseInfo;
    return await fn(engine, info.id, engine.context.getCase(info.id));
  } finally { await engine.close(); }
}

/**
 * An engine (data home under `root`) with a case holding one imported system-log record, a login of `venkata`: the
 * smallest case an export or a key call can work on. The caller closes the engine.
 */
export async function oneRecordCase(root: string, name: string): Promise<{ engine: Engine; info: CaseInfo }> {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const bundle = path.join(root, 'bundle');
  fs.mkdirSync(path.join(bundle, 'enrich/logs/app'), { recursive: true });
  fs.writeFileSync(path.join(bundle, 'enrich/logs/app/app.json.log'), JSON.stringify(
    { asctime: '2023-07-28 16:54:53,016', name: 'app', levelname: 'INFO', message: 'login ok', user: 'venkata', created: 1690543493.016 }) + '\n');
  const engine = await Engine.create({ via: 'test' });
  const info = await engine.call('cases.create', { name, dir: path.join(root, 'case') });
  await engine.call('import.paths', { caseId: info.id, paths: [bundle] });
  return { engine, info };
}
