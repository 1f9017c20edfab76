// Correlation types (issue 4): identifiers, chains, traces. Pure TypeScript.
import { z } from 'zod';
import { EventRow } from './domain';

export const ChainKind = z.enum(['celery_task', 'taskblade_request', 'pipeline_run', 'prefect_flow', 'metadata_entity', 'generic']);
export type ChainKind = z.infer<typeof ChainKind>;
export const ChainStatus = z.enum(['success', 'failure', 'running', 'unknown']);
export type ChainStatus = z.infer<typeof ChainStatus>;

export const ChainSummary = z.object({
  key: z.string(),
  kind: ChainKind,
  label: z.string(),
  status: ChainStatus,
  first: z.string().nullable(),
  last: z.string().nullable(),
  durationMs: z.number().nullable(),
  sources: z.array(z.string()),
  events: z.number(),
  user: z.string().nullable(),
  dataset: z.string().nullable(),
  /** A failed chain's reason: the exception line of its last traceback, else the first line of its last ERROR record. */
  failureReason: z.string().nullable(),
});
export type ChainSummary = z.infer<typeof ChainSummary>;

export const ChainLink = z.object({
  from: z.string(),
  to: z.string(),
  relation: z.string(),
  inferred: z.boolean(),
  rule: z.string(),
  /** Human sentence with the evidence behind an inferred link (times, names). */
  detail: z.string().optional(),
});
export type ChainLink = z.infer<typeof ChainLink>;

/**
 * An operator-configured identifier pattern (case.json `idPatterns`): values matching `regex` in any record are
 * stored as identifiers of `kind` (e.g. kyc, txn). The regex must work in JavaScript and RE2: no lookaround, no backreferences.
 */
export const IdPattern = z.object({
  kind: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/),
  regex: z.string().min(1).max(500),
});
export type IdPattern = z.infer<typeof IdPattern>;

/** Customer/KYC-like ids: 4-6 capitals then 3+ digits, as whole words (ALPHA1234). */
export const DEFAULT_ID_PATTERNS: IdPattern[] = [{ kind: 'client_id', regex: '[A-Z]{4,6}[0-9]{3,}' }];

/** A record that joined the chain by mentioning its key (not where the chain's rules put it): where the key was found. */
export const TraceMention = z.object({ eventId: z.number(), foundIn: z.string() });
export type TraceMention = z.infer<typeof TraceMention>;

export const TraceResult = z.object({
  chain: ChainSummary.nullable(),
  events: z.array(EventRow),
  links: z.array(ChainLink),
  /** The events among `events` that joined by a mention. */
  mentions: z.array(TraceMention).optional(),
  queryMs: z.number(),
});
export type TraceResult = z.infer<typeof TraceResult>;

/**
 * What an identifier is to correlation. key: a chain's key (opens its trace); link: names another chain (a parent id);
 * mention: a value that is some chain's key, written elsewhere; facet: shared context (user, dataset, host, ip, client
 * ids): opens a filter; name: what something is called; value: any other id (a UUID that is no chain's key).
 */
export const IdentifierRole = z.enum(['key', 'link', 'mention', 'facet', 'name', 'value']);
export type IdentifierRole = z.infer<typeof IdentifierRole>;

export const EventIdentifier = z.object({
  kind: z.string(),
  value: z.string(),
  foundIn: z.string(),
  role: IdentifierRole,
  /** The chain this value is the key of, when there is one. */
  chain: z.object({ key: z.string(), kind: ChainKind }).nullable(),
});
export type EventIdentifier = z.infer<typeof EventIdentifier>;

export const AroundResult = z.object({
  center: EventRow,
  groups: z.array(z.object({ source: z.string(), events: z.array(EventRow), total: z.number() })),
});
export type AroundResult = z.infer<typeof AroundResult>;

/** One chain in a tree of linked chains (issue 16): pre-order, each with the link that attaches it to its parent. */
export const ChainTreeNode = z.object({
  key: z.string(),
  depth: z.number(),
  parent: z.string().nullable(),
  /** Null when a link names a key that is no chain of this case. */
  chain: ChainSummary.nullable(),
  link: ChainLink.nullable(),
});
export type ChainTreeNode = z.infer<typeof ChainTreeNode>;

export const ChainTree = z.object({
  /** The topmost chain reached from the asked key by following links backwards. */
  root: z.string(),
  nodes: z.array(ChainTreeNode),
  /** Stopped at the node or depth limit. */
  truncated: z.boolean(),
  queryMs: z.number(),
});
export type ChainTree = z.infer<typeof ChainTree>;
