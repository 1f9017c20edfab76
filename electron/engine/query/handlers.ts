// The contract's events.* and views.* calls. Inputs arrive already validated against the contract.
import type { AreaHandlers, EngineContext } from '../api';
import { runReadOnlySql } from '../store/readonlySql';
import { page, get, around } from './events';
import { histogram } from './histogram';
import { fieldStats } from './fieldStats';
import { fieldNames, fieldValues, sources } from './fields';
import { deleteView, listViews, saveView } from './views';
import { fieldOf, maskDetail, maskRow, maskSqlRow, maskValue } from '../redact/onScreen';
import { EngineError } from '../util/errors';
import { countMatching } from './count';
import { checkFilter } from './filter';
import { elapsedMs } from '../store/sql';
import { phase } from '../util/phases';
import { textIndexReady } from './textIndex';
import { buildTextIndex } from './textIndexBuild';

export const queryHandlers: AreaHandlers<'events' | 'views'> = {
  'events.histogram': async (ctx, i) => histogram(ctx.getCase(i.caseId).db, { filter: i.filter, range: i.range, buckets: i.buckets }),
  // Rows leave the engine with their secrets masked (redact/onScreen.ts); events.reveal unmasks one field.
  'events.page': async (ctx, i) => {
    const r = await page(ctx.getCase(i.caseId).db, { filter: i.filter, after: i.after, before: i.before, limit: i.limit, extraFields: i.extraFields, countLater: i.countLater });
    return { ...r, rows: phase('mask', () => r.rows.map(maskRow)) };
  },
  'events.count': async (ctx, i) => {
    const t0 = performance.now();
    const db = ctx.getCase(i.caseId).db;
    await checkFilter(db, i.filter);
    const c = await countMatching(db, i.filter);
    return { total: c.count, totalCapped: c.capped, queryMs: elapsedMs(t0) };
  },
  'events.get': async (ctx, i) => maskDetail(await get(ctx.getCase(i.caseId).db, i.id)),
  'events.reveal': async (ctx, i) => {
    const value = fieldOf(await get(ctx.getCase(i.caseId).db, i.id), i.field);
    if (value === undefined) throw new EngineError('invalid_input', `Event ${i.id} has no field "${i.field.slice(0, 200)}" to reveal.`);
    return { value };
  },
  'events.fieldValues': async (ctx, i) => {
    const r = await fieldValues(ctx.getCase(i.caseId).db, i.filter, i.field, i.limit);
    return { ...r, values: r.values.map((v) => ({ ...v, value: maskValue(i.field, v.value) ?? v.value })) };
  },
  // Top values with a secret in them are masked like fieldValues' (and cannot be filtered on from the sidebar).
  'events.fieldStats': async (ctx, i) => {
    const r = await fieldStats(ctx.getCase(i.caseId).db, { filter: i.filter, top: i.top, ...(i.sample ? { sample: i.sample } : {}) });
    return {
      ...r,
      fields: r.fields.map((f) => ({
        ...f, top: f.top.map((t) => { const m = maskValue(f.field, t.value); return m === null ? t : { ...t, value: m, masked: true }; }),
      })),
    };
  },
  'events.fieldNames': async (ctx, i) => fieldNames(ctx.getCase(i.caseId).db),
  'events.sources': async (ctx, i) => sources(ctx.getCase(i.caseId).db),
  'events.around': async (ctx, i) => {
    const r = await around(ctx.getCase(i.caseId).db, i.id, i.seconds, i.perSource);
    return { center: maskRow(r.center), groups: r.groups.map((g) => ({ ...g, events: g.events.map(maskRow) })) };
  },
  // The SQL door itself (connection, statement checks, limits) lives in store/readonlySql.ts. Its rows leave the
  // engine masked like every other call's (a CLI query's output is pasted into tickets), unless the call asks to
  // reveal them: `reveal` is recorded plainly in the call's audit entry.
  'events.sql': async (ctx, i) => {
    // A page gets a secret only by revealing that one field (events.reveal); reveal-all is the command line's.
    if (i.reveal && (ctx.via === 'browser' || ctx.via === 'electron')) {
      throw new EngineError('forbidden', 'Revealing every secret of a query is for the command line (casefile query --reveal-secrets); in the app, reveal one field at a time.');
    }
    const r = await runReadOnlySql(ctx.getCase(i.caseId).db, i.sql, i.limit ?? 10_000);
    if (i.reveal) return r;
    let masked = 0;
    const rows = phase('mask', () => r.rows.map((row) => { const m = maskSqlRow(row); masked += m.masked; return m.row; }));
    return { ...r, rows, ...(masked ? { masked } : {}) };
  },
  'views.list': async (ctx, i) => listViews(ctx.getCase(i.caseId)),
  'views.save': async (ctx, i) => saveView(ctx.getCase(i.caseId), i.view),
  'views.delete': async (ctx, i) => deleteView(ctx.getCase(i.caseId), i.name),
};

/**
 * Queues the text index's build on a writable case whose index is missing or behind (after an import, on open) as a
 * background `text-index` job: searches read in full whatever it does not cover yet, and shutdown cancels it (the
 * groups already committed stay). Resolves when it is done.
 */
export function scheduleTextIndex(ctx: EngineContext, caseId: string): Promise<void> {
  return ctx.jobs.run(caseId, 'text-index', async (signal, progress) => {
    const h = ctx.getCase(caseId);
    if (h.readOnly || await textIndexReady(h.db)) return;
    await buildTextIndex(h, {
      signal, progress: (done, total) => progress({ phase: 'text-index', done, total, unit: 'items', message: 'building the text index' }),
    });
  }, { background: true });
}

/** The app and the browser build the index behind the operator; the CLI's commands do not wait for it. */
export function textIndexWanted(ctx: EngineContext): boolean {
  return ctx.via === 'electron' || ctx.via === 'browser';
}
