// The rules editor's draft: the case's client rules with their lists as editable text, and back. Validation uses
// the contract's own schema, so the editor refuses exactly what the engine would.
import { RedactionRules, type RedactAction } from '../../../shared/redaction';

export interface Draft {
  patterns: { type: string; regex: string; action: RedactAction }[];
  words: { type: string; words: string; action: RedactAction }[];
  domains: string;
  hosts: string;
  secretKeys: string;
  harvestKinds: string;
}

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);

export function toDraft(r: RedactionRules): Draft {
  return {
    patterns: r.patterns.map((p) => ({ ...p })),
    words: r.words.map((w) => ({ type: w.type, words: w.words.join('\n'), action: w.action })),
    domains: r.domains.join('\n'),
    hosts: r.hosts.join('\n'),
    secretKeys: r.secretKeys.join('\n'),
    harvestKinds: r.harvestKinds.join(', '),
  };
}

/** Field labels the operator sees in place of schema paths ("pattern 2, regex"). */
const LABELS: Record<string, string> = { patterns: 'pattern', words: 'word list', domains: 'domain', hosts: 'host', secretKeys: 'secret key name', harvestKinds: 'harvested kind' };

/** The draft as rules, or the reasons it is not valid (each naming the row and field). */
export function fromDraft(d: Draft): { rules: RedactionRules; errors: [] } | { rules: null; errors: string[] } {
  const parsed = RedactionRules.safeParse({
    patterns: d.patterns.map((p) => ({ type: p.type.trim(), regex: p.regex, action: p.action })),
    words: d.words.map((w) => ({ type: w.type.trim(), words: lines(w.words), action: w.action })),
    domains: lines(d.domains),
    hosts: lines(d.hosts),
    secretKeys: lines(d.secretKeys),
    harvestKinds: d.harvestKinds.split(/[,\n]/).map((s) => s.trim()).filter(Boolean),
  });
  if (parsed.success) return { rules: parsed.data, errors: [] };
  return {
    rules: null,
    errors: parsed.error.issues.map((i) => {
      const [list, row, field] = i.path;
      const where = [LABELS[String(list)] ?? String(list), typeof row === 'number' ? String(row + 1) : null, field != null ? String(field) : null].filter(Boolean).join(' ');
      return `${where}: ${i.message}`;
    }),
  };
}
