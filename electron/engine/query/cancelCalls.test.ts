// Cancellation at the contract (util/cancel.ts): a read call whose caller went away fails as `cancelled` without
// reading; a change runs to its end whatever the caller's signal (here cases.create, whose answer is read from the
// new case's database: cancelled half-way, the case would exist and the caller hear an error).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { Engine } from '../engine';
import { withSignal } from '../util/cancel';
import { removeDir, tempDir } from '../../testkit/tmp';

const root = tempDir('casefile-cancel-');
let engine: Engine;

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  engine = await Engine.create({ via: 'test' });
});
afterAll(async () => { await engine?.close(); removeDir(root); });

const gone = () => AbortSignal.abort();

describe('calls of a caller that went away', () => {
  it('a change completes and answers; reads of the same case are refused as cancelled, and answer without the signal', async () => {
    const info = await withSignal(gone(), () => engine.invoke('cases.create', { name: 'cancel', dir: path.join(root, 'case') })) as { id: string; eventCount: number };
    expect(info.eventCount).toBe(0);
    for (const [name, input] of [['cases.get', { caseId: info.id }], ['events.page', { caseId: info.id, filter: {}, limit: 10 }]] as const) {
      await expect(withSignal(gone(), () => engine.invoke(name, input))).rejects.toMatchObject({ error: { code: 'cancelled' } });
      await expect(engine.invoke(name, input)).resolves.toBeTruthy();
    }
  });
});
