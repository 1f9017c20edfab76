// Every identifier kind Casefile's extraction can name: the common pass's (correlate/extract.ts) and each format's
// correlation rules' (a field rule's kind, a text pattern's kind or named groups). Client rules name kinds to harvest
// (harvestKinds); one that is none of these, nor one the case holds, is a typo that harvests nothing.
import { positionalGroups } from './correlation';
import { FORMATS } from './registry';

/** The common pass: UUID mentions, hosts, `user=`/`dataset=` pairs, IPv4 addresses (all but the UUIDs are facets:
 * correlate/rules.ts COMMON_FACETS). */
export const COMMON_ID_KINDS = ['uuid', 'host', 'user', 'dataset', 'ip'] as const;

export function formatIdentifierKinds(): Set<string> {
  const kinds = new Set<string>(COMMON_ID_KINDS);
  for (const f of FORMATS) {
    const r = f.correlation;
    if (!r) continue;
    for (const fr of r.fields ?? []) kinds.add(fr.kind);
    for (const t of r.text ?? []) {
      if (t.kind) kinds.add(t.kind);
      else for (const n of positionalGroups(t.regex).names) if (n) kinds.add(n);
    }
  }
  return kinds;
}
