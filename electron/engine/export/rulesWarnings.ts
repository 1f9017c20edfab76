// What client rules will run but not do as the operator expects, in one list for the editor's check, the tester, the
// export preview and the export itself: domains and hosts that match nothing, harvested kinds nothing has.
import type { RedactionRules } from '../../../shared/redaction';
import type { CaseHandle } from '../case/caseStore';
import { hostShapeWarnings, matchShapeWarnings } from '../redact/rulesCheck';
import { harvestKindWarnings } from './harvestKinds';

export async function rulesWarnings(h: CaseHandle | null, rules: Pick<RedactionRules, 'patterns' | 'words' | 'domains' | 'hosts' | 'harvestKinds'>): Promise<string[]> {
  return [...matchShapeWarnings(rules), ...hostShapeWarnings(rules), ...await harvestKindWarnings(h, rules.harvestKinds)];
}
