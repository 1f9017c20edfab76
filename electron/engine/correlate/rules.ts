// The correlation rules of every known format, validated once and gathered into what extraction and the chain
// build need: per source the identifier and status rules, and across sources which (kind, found_in) pairs are chain
// evidence or links, the file chains, labels and link rules. Nothing here names a format.
import { ChainKind } from '../../../shared/correlation';
import { CorrelationRules, positionalGroups, type IdRole, type Outcome } from '../formats/correlation';
import { FORMATS } from '../formats/registry';
import { COMMON_ID_KINDS } from '../formats/kinds';
import type { FormatDefinition } from '../formats/types';

export interface FieldId { field: string; kind: string; role: IdRole }
export interface TextId { regex: string; groups: { index: number; kind: string }[]; role: IdRole; foundIn: string; hints: string[] }
/** `group`: which capture group is looked up (the one named `value`, else 1). */
export interface StatusLine { on: string; regex?: string; group?: number; values?: Record<string, Outcome>; status?: Outcome; ignoreCase: boolean; hints: string[] }
export interface SourceRules { fields: FieldId[]; text: TextId[]; status: StatusLine[] }
export interface IdPair { kind: string; foundIn: string }
export interface RecordLinkRule { relation: string; rule: string; from: { kind: string; foundIn?: string }; to: { kind: string; foundIn?: string }; detail: string }
export interface WindowLinkRule { source: string; relation: string; rule: string; taskKind: string; prefix: string; targetChain: string; targetName: string; filePrefix: string }

export interface CompiledRules {
  bySource: Map<string, SourceRules>;
  /** Identifier (kind, found_in) pairs that make a record a member of the chain of that kind (evidence). */
  keys: IdPair[];
  /** Pairs that name another chain (a parent id): never a mention. */
  links: IdPair[];
  fileChains: { source: string; kind: string; prefix: string }[];
  /** Chain kind → identifier kind naming it (taken from its evidence records). */
  labelKinds: Map<string, string>;
  /** Chain kind → pattern on its first file's path (group 1 is the label). */
  labelPaths: Map<string, string>;
  /** Chain kinds without an outcome of their own (status stays unknown); generic chains never have one. */
  noOutcome: Set<string>;
  recordLinks: RecordLinkRule[];
  windowLinks: WindowLinkRule[];
  /** Identifier kinds that are facets: the common pass's (user, dataset, host, ip) and the formats' facet fields. */
  facetKinds: Set<string>;
  nameKinds: Set<string>;
}

/** Kinds the common pass finds in every record that are shared context, never chain keys: all but its UUID mentions. */
export const COMMON_FACETS: readonly string[] = COMMON_ID_KINDS.filter((k) => k !== 'uuid');

/** A key claimed by two kinds goes to the kind listed first in ChainKind. */
export const kindPriority = (kind: string): number => {
  const i = ChainKind.options.indexOf(kind as ChainKind);
  return i < 0 ? ChainKind.options.length : i;
};

export function compileRules(formats: readonly FormatDefinition[]): CompiledRules {
  const out: CompiledRules = {
    bySource: new Map(), keys: [], links: [], fileChains: [], labelKinds: new Map(), labelPaths: new Map(), noOutcome: new Set(['generic']), recordLinks: [], windowLinks: [],
    facetKinds: new Set(COMMON_FACETS), nameKinds: new Set(),
  };
  const pair = (list: IdPair[], p: IdPair) => { if (!list.some((x) => x.kind === p.kind && x.foundIn === p.foundIn)) list.push(p); };
  for (const f of formats) {
    if (!f.correlation) continue;
    const parsed = CorrelationRules.safeParse(f.correlation);
    if (!parsed.success) throw new Error(`Format ${f.id}: correlation rules are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const r = parsed.data;
    const text: TextId[] = (r.text ?? []).map((t) => {
      const { regex, names } = positionalGroups(t.regex);
      const groups = t.kind ? [{ index: 1, kind: t.kind }]
        : names.flatMap((n, i) => (n === null ? [] : [{ index: i + 1, kind: n }]));
      return { regex, groups, role: t.role, foundIn: t.foundIn, hints: t.hints ?? [] };
    });
    const status: StatusLine[] = (r.status ?? []).map((s) => {
      const g = s.regex ? positionalGroups(s.regex) : null;
      const named = g ? g.names.indexOf('value') : -1;
      return {
        on: s.on, ...(g ? { regex: g.regex } : {}), ...(s.values ? { values: s.values } : {}), ...(s.status ? { status: s.status } : {}),
        ignoreCase: s.ignoreCase ?? false, hints: s.hints ?? [], ...(named >= 0 ? { group: named + 1 } : {}),
      };
    });
    out.bySource.set(f.id, { fields: r.fields ?? [], text, status });
    const ids = [...(r.fields ?? []).map((fr) => ({ kind: fr.kind, foundIn: fr.field, role: fr.role })),
      ...text.flatMap((t) => t.groups.map((g) => ({ kind: g.kind, foundIn: t.foundIn, role: t.role })))];
    for (const id of ids) {
      if (id.role === 'key') pair(out.keys, { kind: id.kind, foundIn: id.foundIn });
      if (id.role === 'link') pair(out.links, { kind: id.kind, foundIn: id.foundIn });
      if (id.role === 'facet') out.facetKinds.add(id.kind);
      if (id.role === 'name') out.nameKinds.add(id.kind);
    }
    if (r.fileChain) out.fileChains.push({ source: f.id, ...r.fileChain });
    for (const c of r.chains ?? []) {
      if (c.labelFrom && !out.labelKinds.has(c.kind)) out.labelKinds.set(c.kind, c.labelFrom);
      if (c.labelPath && !out.labelPaths.has(c.kind)) out.labelPaths.set(c.kind, c.labelPath);
      if (c.outcome === false) out.noOutcome.add(c.kind);
    }
    for (const l of r.links ?? []) {
      if (l.type === 'record') out.recordLinks.push({ relation: l.relation, rule: l.rule, from: l.from, to: l.to, detail: l.detail });
      else {
        if (!r.fileChain) throw new Error(`Format ${f.id}: a window link needs a fileChain (the chain the task's file makes)`);
        out.windowLinks.push({ source: f.id, relation: l.relation, rule: l.rule, taskKind: l.task.kind, prefix: l.task.prefix,
          targetChain: l.target.chain, targetName: l.target.name, filePrefix: r.fileChain.prefix });
      }
    }
  }
  return out;
}

let compiled: CompiledRules | null = null;
/** The rules of the registered formats (compiled on first use). */
export function rules(): CompiledRules {
  compiled ??= compileRules(FORMATS);
  return compiled;
}
