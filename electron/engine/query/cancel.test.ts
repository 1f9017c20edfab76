// A read whose caller went away (util/cancel.ts), on a real DuckDB case: refused before it starts, interrupted while
// it runs (the case keeps serving), and a count shared with a cancelled histogram is still answered for the caller
// that waits for it. Writes are not cancellable: the engine runs them detached from the caller's signal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseHandle } from '../case/caseStore';
import { clearCountCache, countMatching, countNow } from './count';
import { histogram } from './histogram';
import { page } from './events';
import { runReadOnlySql } from '../store/readonlySql';
import { detached, isCancelled, withSignal } from '../util/cancel';
import { buildCase } from '../../testkit/testCase';

let handle: CaseHandle;
let cleanup: () => Promise<void>;
beforeAll(async () => { ({ handle, cleanup } = await buildCase(undefined, { summary: true })); });
afterAll(async () => { await cleanup(); });

/** A statement that would run for minutes. */
const FOREVER = 'SELECT sum(a.range * b.range) AS s FROM range(100000000) a, range(1000) b';

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

describe('cancelled reads', () => {
  it('refuses a read of a call already cancelled, and runs the same read without a signal', async () => {
    const gone = AbortSignal.abort();
    const e = await failure(withSignal(gone, () => handle.db.read('SELECT 1 AS one')));
    expect(isCancelled(e)).toBe(true);
    expect(await handle.db.read('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('interrupts a running statement when its caller goes away, and the case keeps serving', async () => {
    const stop = new AbortController();
    const t0 = performance.now();
    const running = failure(withSignal(stop.signal, () => handle.db.read(FOREVER)));
    setTimeout(() => stop.abort(), 150);
    const e = await running;
    expect(isCancelled(e)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5000);
    const p = await page(handle.db, { filter: { levels: ['ERROR'] }, limit: 5 });
    expect(p.rows.length).toBeGreaterThan(0);
  });

  it('interrupts the SQL door the same way', async () => {
    const stop = new AbortController();
    const running = failure(withSignal(stop.signal, () => runReadOnlySql(handle.db, FOREVER, 10)));
    setTimeout(() => stop.abort(), 150);
    expect(isCancelled(await running)).toBe(true);
  });

  it('a detached read runs to its end under a cancelled caller', async () => {
    const gone = AbortSignal.abort();
    expect(await withSignal(gone, () => detached(() => handle.db.read('SELECT 2 AS two')))).toEqual([{ two: 2 }]);
  });

  it('a text count shared with a histogram that is cancelled is still answered to the caller waiting for it', async () => {
    const filter = { text: 'timeout' };
    clearCountCache(handle.db);
    const stop = new AbortController();
    // The histogram offers its count before its first await; its caller goes away at once.
    const hist = failure(withSignal(stop.signal, () => histogram(handle.db, { filter, buckets: 20 })));
    const counted = countMatching(handle.db, filter);
    stop.abort();
    expect(isCancelled(await hist)).toBe(true);
    clearCountCache(handle.db);
    const plain = await countNow(handle.db, filter);
    expect((await counted).count).toBe(plain.count);
    expect(plain.count).toBeGreaterThan(0);
  });

  it('a histogram cancelled while the case is being written (an import) leaves no unhandled rejection behind', async () => {
    // Its shared count went unwatched while reads ran on the writer: the rejection stopped casefile serve (qa23).
    const seen: unknown[] = [];
    const onUnhandled = (e: unknown) => { seen.push(e); };
    process.on('unhandledRejection', onUnhandled);
    try {
      await handle.withWriter(async () => {
        expect(handle.db.readOnly).toBe(false);
        clearCountCache(handle.db);
        const stop = new AbortController();
        const hist = failure(withSignal(stop.signal, () => histogram(handle.db, { filter: { text: 'timeout' }, buckets: 20 })));
        stop.abort();
        expect(isCancelled(await hist)).toBe(true);
        await new Promise((r) => setTimeout(r, 100));
      }, { keepOpen: true });
      await handle.rest();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(seen).toEqual([]);
  });
});
