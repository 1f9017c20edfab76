// Correlation calls (issue 4): the chains list and the trace of one key. ('events.around' lives in query/.)
import type { AreaHandlers } from '../api';
import { listChains, traceKey } from './query';
import { chainTree } from './tree';
import { maskRow } from '../redact/onScreen';

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
  'chains.trace': async (ctx, i) => {
    const r = await traceKey(ctx.getCase(i.caseId).db, i.key);
    return { ...r, events: r.events.map(maskRow) };
  },
  'chains.tree': async (ctx, i) => chainTree(ctx.getCase(i.caseId).db, i.key),
};
