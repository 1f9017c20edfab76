// A case made through the engine (in a data home of its own under `root`), so what the test does is audited as in
// the app and `verify` can vouch for it; the engine is closed afterwards.
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
