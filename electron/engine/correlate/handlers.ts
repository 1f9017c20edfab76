// Correlation calls (issue 4): the chains list and the trace of one key. ('events.around' lives in query/.)
import type { AreaHandlers } from '../api';
import { identifiersOf, listChains, traceKey } from './query';

export const correlateHandlers: AreaHandlers<'chains'> = {
  'chains.list': async (ctx, i) => listChains(ctx.getCase(i.caseId).db, {
    ...(i.kinds ? { kinds: i.kinds } : {}),
    ...(i.statuses ? { statuses: i.statuses } : {}),
    ...(i.minDurationMs !== undefined ? { minDurationMs: i.minDurationMs } : {}),
    ...(i.text ? { text: i.text } : {}),
    ...(i.from ? { from: i.from } : {}),
    ...(i.to ? { to: i.to } : {}),
    ...(i.sort ? { sort: i.sort } : {}),
    limit: i.limit,
  }),
  'chains.trace': async (ctx, i) => traceKey(ctx.getCase(i.caseId).db, i.key),
  'chains.identifiers': async (ctx, i) => ({ identifiers: await identifiersOf(ctx.getCase(i.caseId).db, i.eventId) }),
};
