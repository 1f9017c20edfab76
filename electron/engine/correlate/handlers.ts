// Correlation calls (issues 4, 15): the chains list, the trace of one key, a record's identifiers. ('events.around' lives in query/.)
import type { AreaHandlers } from '../api';
import { identifiersOf, listChains, traceKey } from './query';
import { chainTree } from './tree';
import { maskRow, maskText, maskValue, secretSpans } from '../redact/onScreen';
import type { ChainSummary } from '../../../shared/correlation';
import type { EventIdentifier } from '../../../shared/correlation';
import type { SqlRead } from '../store/db';

/**
 * A record's identifiers for its chips, without any the screen would mask: a value under a secret name
 * (`api_key=<uuid>`), shaped like a secret, or inside a secret span of the record (a Bearer token that is a UUID).
 */
async function screenIdentifiers(db: SqlRead, eventId: number): Promise<EventIdentifier[]> {
  const ids = await identifiersOf(db, eventId);
  if (!ids.length) return ids;
  const [row] = await db.read<{ raw: string }>(`SELECT raw FROM event_store WHERE id = ${Math.trunc(eventId)}`);
  const raw = row?.raw ?? '';
  const secret = secretSpans(raw).map((s) => raw.slice(s.start, s.end).toLowerCase());
  return ids.filter((i) => maskValue(i.foundIn, i.value) === null && !secret.some((s) => s.includes(i.value.toLowerCase())));
}

/** A failure reason is a log line: one with a secret in it (a DSN in an OperationalError) reaches the screen masked. */
const screenReason = <C extends ChainSummary>(c: C): C => (c.failureReason ? { ...c, failureReason: maskText(c.failureReason) ?? c.failureReason } : c);

export const correlateHandlers: AreaHandlers<'chains'> = {
  'chains.list': async (ctx, i) => {
    const r = await listChains(ctx.getCase(i.caseId).db, {
    ...(i.kinds ? { kinds: i.kinds } : {}),
    ...(i.statuses ? { statuses: i.statuses } : {}),
    ...(i.minDurationMs !== undefined ? { minDurationMs: i.minDurationMs } : {}),
    ...(i.text ? { text: i.text } : {}),
    ...(i.from ? { from: i.from } : {}),
    ...(i.to ? { to: i.to } : {}),
    ...(i.sort ? { sort: i.sort } : {}),
    limit: i.limit,
    ...(i.offset !== undefined ? { offset: i.offset } : {}),
    });
    return { ...r, chains: r.chains.map(screenReason) };
  },
  'chains.trace': async (ctx, i) => {
    const r = await traceKey(ctx.getCase(i.caseId).db, i.key);
    return { ...r, chain: r.chain && screenReason(r.chain), events: r.events.map(maskRow) };
  },
  'chains.tree': async (ctx, i) => {
    const t = await chainTree(ctx.getCase(i.caseId).db, i.key);
    return { ...t, nodes: t.nodes.map((n) => ({ ...n, chain: n.chain && screenReason(n.chain) })) };
  },
  'chains.identifiers': async (ctx, i) => ({ identifiers: await screenIdentifiers(ctx.getCase(i.caseId).db, i.eventId) }),
};
