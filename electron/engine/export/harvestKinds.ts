// Whether the rules' harvested identifier kinds (harvestKinds) name kinds that exist: a typo (`usr`) harvests no
// values, so names the operator expects replaced everywhere are left in the extract without a sign. A warning, not a
// refusal: a kind a format defines may simply be absent from this case's logs.
import { DEFAULT_ID_PATTERNS } from '../../../shared/correlation';
import type { CaseHandle } from '../case/caseStore';
import { formatIdentifierKinds } from '../formats/kinds';

export async function harvestKindWarnings(h: CaseHandle | null, kinds: readonly string[]): Promise<string[]> {
  if (!kinds.length) return [];
  const known = formatIdentifierKinds();
  for (const p of h?.meta.idPatterns ?? DEFAULT_ID_PATTERNS) known.add(p.kind);
  if (h) for (const r of await h.db.read<{ kind: string }>('SELECT DISTINCT kind FROM identifiers')) known.add(r.kind);
  return kinds.filter((k) => !known.has(k)).map((k) => {
    const near = [...known].filter((x) => distance(k, x) <= 2).sort((a, b) => distance(k, a) - distance(k, b))[0];
    return `harvested identifier kind "${k}" is not one ${h ? 'this case has or ' : ''}any format defines${near ? ` (did you mean "${near}"?)` : ''}: no values are harvested for it`;
  });
}

/** Levenshtein distance (kinds are at most 32 characters). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
