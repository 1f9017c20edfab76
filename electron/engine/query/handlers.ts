// The contract's events.* and views.* calls. Inputs arrive already validated against the contract.
import type { AreaHandlers } from '../api';
import { runReadOnlySql } from '../store/readonlySql';
import { page, get, around } from './events';
import { histogram } from './histogram';
import { fieldStats } from './fieldStats';
import { fieldNames, fieldValues, sources } from './fields';
import { deleteView, listViews, saveView } from './views';

export const queryHandlers: AreaHandlers<'events' | 'views'> = {
  'events.histogram': async (ctx, i) => histogram(ctx.getCase(i.caseId).db, { filter: i.filter, range: i.range, buckets: i.buckets }),
  'events.page': async (ctx, i) => page(ctx.getCase(i.caseId).db, {
    filter: i.filter, after: i.after, before: i.before, limit: i.limit, extraFields: i.extraFields,
  }),
  'events.get': async (ctx, i) => get(ctx.getCase(i.caseId).db, i.id),
  'events.fieldValues': async (ctx, i) => fieldValues(ctx.getCase(i.caseId).db, i.filter, i.field, i.limit),
  'events.fieldStats': async (ctx, i) => fieldStats(ctx.getCase(i.caseId).db, { filter: i.filter, top: i.top, ...(i.sample ? { sample: i.sample } : {}) }),
  'events.fieldNames': async (ctx, i) => fieldNames(ctx.getCase(i.caseId).db),
  'events.sources': async (ctx, i) => sources(ctx.getCase(i.caseId).db),
  'events.around': async (ctx, i) => around(ctx.getCase(i.caseId).db, i.id, i.seconds, i.perSource),
  // The SQL door itself (connection, statement checks, limits) lives in store/readonlySql.ts.
  'events.sql': async (ctx, i) => runReadOnlySql(ctx.getCase(i.caseId).db, i.sql, i.limit ?? 10_000),
  'views.list': async (ctx, i) => listViews(ctx.getCase(i.caseId)),
  'views.save': async (ctx, i) => saveView(ctx.getCase(i.caseId), i.view),
  'views.delete': async (ctx, i) => deleteView(ctx.getCase(i.caseId), i.name),
};
