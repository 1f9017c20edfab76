// A format's correlation rules, as data (issue 15): which identifiers its records carry and in what role, which
// lines mark a chain's outcome, and which links its records make. The correlator reads these for every format and
// knows no format by name, so adding a format adds its rules here, in its definition, and nothing else.
import { z } from 'zod';
import { ChainKind } from '../../../shared/correlation';

/** A UUID in any case (stored lower-cased). */
export const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** An identifier kind: lower-case word (celery_task, user, metadata_entity…). */
export const IdKind = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'an identifier kind is a lower-case word');
const TypedChainKind = ChainKind.exclude(['generic']);

/**
 * key: the value is the key of a chain of this kind and the record belongs to it (evidence).
 * link: the value names another chain (a parent id): never a mention; a `links` rule may turn it into a link.
 * facet: an attribute many records share (user, dataset): filterable, never merges chains.
 * name: what something is called (a task name, an application): labels chains, never a key.
 */
export const IdRole = z.enum(['key', 'link', 'facet', 'name']);
export type IdRole = z.infer<typeof IdRole>;

/** Patterns run in JavaScript and in RE2 (DuckDB): no lookaround, no backreferences. Named groups are allowed. */
function checkPortable(regex: string, ctx: z.RefinementCtx): void {
  if (/\(\?<?[=!]|\\[1-9]|\\k</.test(regex)) ctx.addIssue({ code: 'custom', message: `pattern ${regex} uses lookaround or a backreference (RE2 has neither)` });
  try { new RegExp(regex); } catch (e) { ctx.addIssue({ code: 'custom', message: `pattern ${regex} does not compile: ${(e as Error).message}` }); }
}

/**
 * The pattern with its named groups made plain (RE2 in DuckDB takes positional groups), and for each capturing
 * group in order its name or null.
 */
export function positionalGroups(regex: string): { regex: string; names: (string | null)[] } {
  const names: (string | null)[] = [];
  const out = rewriteGroups(regex, (name) => { names.push(name); return '('; });
  return { regex: out, names };
}

/**
 * The pattern with every group made non-capturing. RE2 finds where a match is with its fast automaton only when no
 * group has to be reported: in the one combined pass over every record a single capturing group made it ~2.5× slower.
 */
export function nonCapturing(regex: string): string {
  return rewriteGroups(regex, () => '(?:');
}

/** Rewrites each capturing group's opening (outside escapes and classes) as `open` says, given its name or null. */
function rewriteGroups(regex: string, open: (name: string | null) => string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i]!;
    if (c === '\\') { out += c + (regex[i + 1] ?? ''); i++; continue; }
    if (inClass) { if (c === ']') inClass = false; out += c; continue; }
    if (c === '[') { inClass = true; out += c; continue; }
    if (c === '(') {
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(regex.slice(i));
      if (named) { out += open(named[1]!); i += named[0].length - 1; continue; }
      if (regex[i + 1] !== '?') { out += open(null); continue; }
    }
    out += c;
  }
  return out;
}

export const FieldIdRule = z.object({ field: z.string().min(1), kind: IdKind, role: IdRole }).strict();

/** Identifiers found in the record's text. With named groups each group is an identifier of the group's name; without, group 1 is one of `kind`. */
export const TextIdRule = z.object({
  regex: z.string().min(1).max(2000),
  kind: IdKind.optional(),
  role: IdRole,
  /** Where the value sits, stored with it (`data`, `url`, `logger`…). */
  foundIn: z.string().min(1),
  /** Literal strings one of which a record must contain for the pattern to run at all (a cheap pre-test). */
  hints: z.array(z.string().min(1)).optional(),
}).strict().superRefine((r, ctx) => {
  checkPortable(r.regex, ctx);
  const { names } = positionalGroups(r.regex);
  const named = names.filter((n) => n !== null);
  if (named.length && r.kind) ctx.addIssue({ code: 'custom', message: `pattern ${r.regex}: give named groups or a kind, not both` });
  if (!named.length && (!r.kind || names.length < 1)) ctx.addIssue({ code: 'custom', message: `pattern ${r.regex}: needs named groups, or a kind and a capture group` });
  for (const n of named) if (!IdKind.safeParse(n).success) ctx.addIssue({ code: 'custom', message: `group name ${n} is not an identifier kind` });
});

export const Outcome = z.enum(['success', 'failure', 'running']);
export type Outcome = z.infer<typeof Outcome>;

/**
 * A status line. `on`: level, message, raw, or a field name. With `regex`, group 1 (or the group named `value`)
 * is what is looked up; `values` maps what is read to an outcome, or `status` is the outcome whenever the rule
 * matches. The first rule that gives an outcome wins. success and failure are final; running is not.
 */
export const StatusRule = z.object({
  on: z.string().min(1),
  regex: z.string().min(1).max(2000).optional(),
  values: z.record(z.string(), Outcome).optional(),
  status: Outcome.optional(),
  ignoreCase: z.boolean().optional(),
  hints: z.array(z.string().min(1)).optional(),
}).strict().superRefine((r, ctx) => {
  if (!r.values === !r.status) ctx.addIssue({ code: 'custom', message: 'a status rule has either values or status' });
  if (r.regex) checkPortable(r.regex, ctx);
});

const IdRef = z.object({ kind: IdKind, foundIn: z.string().min(1).optional() }).strict();
/** Evidence: one record carries both identifiers (a child's task_id and its parent_id). `detail` may use {from} and {to}. */
const RecordLink = z.object({
  type: z.literal('record'), relation: IdKind, rule: z.string().min(1), from: IdRef, to: IdRef, detail: z.string().min(1),
}).strict();
/**
 * Inference: a task (identifier `task.kind` starting with `task.prefix`) spans its first to last record in one file;
 * the chain of `target.chain` whose `target.name` (compared case-insensitively with the task name after the prefix)
 * starts inside that window was launched by the file's chain. Earliest run per task; latest-starting task per run.
 */
const WindowLink = z.object({
  type: z.literal('window'), relation: IdKind, rule: z.string().min(1),
  task: z.object({ kind: IdKind, prefix: z.string() }).strict(),
  target: z.object({ chain: TypedChainKind, name: IdKind }).strict(),
}).strict();
export const LinkRule = z.discriminatedUnion('type', [RecordLink, WindowLink]);

export const CorrelationRules = z.object({
  /** Identifiers read from parsed fields (JSON keys, pattern groups, extras). */
  fields: z.array(FieldIdRule).optional(),
  text: z.array(TextIdRule).optional(),
  /** Every record of one file makes one chain, keyed `<prefix><file path>` (a Prefect flow run per log file). */
  fileChain: z.object({ kind: TypedChainKind, prefix: z.string().min(1) }).strict().optional(),
  /**
   * About the chains this format's keys make. label: the value of an identifier kind on its records (`labelFrom`),
   * or group 1 of a pattern on its first file's path (`labelPath`). outcome false: the chain has no status of its own.
   */
  chains: z.array(z.object({
    kind: TypedChainKind, labelFrom: IdKind.optional(), labelPath: z.string().optional(), outcome: z.boolean().optional(),
  }).strict()).optional(),
  status: z.array(StatusRule).optional(),
  links: z.array(LinkRule).optional(),
}).strict().superRefine((r, ctx) => {
  const keys = [...(r.fields ?? []).filter((f) => f.role === 'key').map((f) => f.kind),
    ...(r.text ?? []).filter((t) => t.role === 'key').flatMap((t) => t.kind ? [t.kind] : positionalGroups(t.regex).names.filter((n): n is string => n !== null))];
  for (const k of keys) if (!TypedChainKind.safeParse(k).success) ctx.addIssue({ code: 'custom', message: `key kind ${k} is not a chain kind` });
});
export type CorrelationRules = z.input<typeof CorrelationRules>;
