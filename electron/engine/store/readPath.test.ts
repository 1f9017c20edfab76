// Reads and the writer are separate paths: a read never runs on the writer's connection, and switching the case
// to writing waits for the reads in flight instead of closing their database under them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildCase, generate } from '../../testkit/testCase';
import type { CaseHandle } from '../case/caseStore';

let handle: CaseHandle;
let cleanup: () => Promise<void>;
beforeAll(async () => { ({ handle, cleanup } = await buildCase(generate(2, 50))); }, 60_000);
afterAll(async () => cleanup());

const count = async () => Number((await handle.db.read<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM event_store'))[0]!.n);

it('waits for a running read before opening the writer, and hands later reads to the writer\'s side', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const stale = handle.db; // a reference taken before the switch keeps working after it
  const reading = handle.db.withConnection(async (conn) => {
    await gate;
    return (await conn.runAndReadAll('SELECT count(*)::INT AS n FROM event_store')).getRowObjectsJson();
  });
  let writerStarted = false;
  const writing = handle.withWriter(async (db) => {
    writerStarted = true;
    await db.run(`UPDATE event_store SET message = 'changed' WHERE id = 1`);
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(writerStarted).toBe(false);
  const later = stale.read<{ n: number }>('SELECT count(*)::INT AS n FROM event_store');
  release();
  expect(await reading).toEqual([{ n: 100 }]);
  await writing;
  expect(writerStarted).toBe(true);
  expect(await later).toEqual([{ n: 100 }]);
  expect(await stale.read(`SELECT message FROM event_store WHERE id = 1`)).toEqual([{ message: 'changed' }]);
});

it('reads beside the writer never see its uncommitted work (they are not on its connection)', async () => {
  await handle.withWriter(async (db) => {
    await db.tx(async () => {
      await db.run(`DELETE FROM event_store WHERE id > 10`);
      expect(Number((await db.one<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM event_store'))!.n)).toBe(10);
      expect(await count()).toBe(100);
      expect(handle.db.readOnly).toBe(false); // nothing memoised while the data can change
      expect(handle.db.sqlDoor).toBe(false); // and the operator's SQL door answers busy
      throw new Error('roll back');
    }).catch(() => undefined);
  });
  expect(await count()).toBe(100);
  expect(handle.db.sqlDoor).toBe(true);
});
