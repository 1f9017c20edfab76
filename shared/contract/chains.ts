// Correlation: the chains list and the trace of one key ('events.around' is in events).
import { z } from 'zod';
import { ChainKind, ChainStatus, ChainSummary, ChainTree, EventIdentifier, TraceResult } from '../correlation';
import { IsoInstant } from '../domain';
import { CaseRef } from './common';
import { defineArea, defineCall } from './define';

/** Most chains one chains.list returns, and the farthest it may start: past any real case's chain count (the 1 GB
 * bench tree makes 287,749 chains, so a 10 GB case near 3 M) while a nonsense offset is still refused. */
export const CHAIN_PAGE_MAX = 5000;
export const CHAIN_OFFSET_MAX = 100_000_000;

export const chainsArea = defineArea({
  calls: {
    'chains.list': defineCall({
      input: CaseRef.extend({
        kinds: z.array(ChainKind).max(8).optional(),
        statuses: z.array(ChainStatus).max(4).optional(),
        minDurationMs: z.number().min(0).optional(),
        text: z.string().max(500).optional(),
        /** Chains with any time inside [from, to]: the timeline's window. */
        from: IsoInstant.optional(),
        to: IsoInstant.optional(),
        sort: z.enum(['first', 'duration', 'events']).optional(),
        limit: z.number().int().min(1).max(CHAIN_PAGE_MAX),
        /** Chains to skip in that order: the next page starts where the last one ended. */
        offset: z.number().int().min(0).max(CHAIN_OFFSET_MAX).optional(),
      }),
      output: z.object({ chains: z.array(ChainSummary), total: z.number(), queryMs: z.number() }),
      access: 'read', audit: 'always', sensitive: ['text'],
    }),
    /** `key` is a chain key or identifier the operator may have typed or pasted (a token, a user name): sensitive, so
     * the trail keeps an HMAC; traces of one key still match across entries. */
    'chains.trace': defineCall({ input: CaseRef.extend({ key: z.string().min(1).max(500) }), output: TraceResult, access: 'read', audit: 'always', sensitive: ['key'] }),
    /** Every identifier of one record and what it is (a key, a facet…), for its chips. Viewing a record is not audited. */
    'chains.identifiers': defineCall({
      input: CaseRef.extend({ eventId: z.number().int().min(0) }),
      output: z.object({ identifiers: z.array(EventIdentifier) }),
      access: 'read', audit: 'never',
    }),
    /** The chains linked to `key` (a flow → its pipeline runs → their registrations), as one tree from its root.
     * Drawn beside the trace that chains.trace already audited: a frame, not an action. */
    'chains.tree': defineCall({ input: CaseRef.extend({ key: z.string().min(1).max(500) }), output: ChainTree, access: 'read', audit: 'never' }),
  },
});
