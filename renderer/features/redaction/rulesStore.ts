// The client rules being edited for the open case, kept outside the editor: a draft (with the tester's sample and
// last result) survives the export dialog's panes and its closing, and the export pane can say that the rules it
// previews and exports with are not the draft. Dropped when another case opens (and on reload).
import { create } from 'zustand';
import type { RedactionRules, Replacement } from '../../../shared/redaction';
import { call } from '../../api/client';
import { errorText, useApp } from '../../stores/app';
import { type Draft, fromDraft, toDraft } from './rulesDraft';

export interface TestResult {
  lines: { text: string; replacements: Replacement[] }[];
  /** What the engine found wrong but ran anyway (a harvested kind nothing has: a typo that harvests nothing). */
  warnings: string[];
  /** What was tested (the rules and the lines): the result is stale once the draft or the sample differs. */
  key: string;
}

interface RulesState {
  caseId: string | null;
  saved: RedactionRules | null;
  draft: Draft | null;
  loadError: string | null;
  sample: string;
  tested: TestResult | null;
  /** Loads the case's rules, unless this case's draft is already here. */
  load(caseId: string): Promise<void>;
  edit(p: Partial<Draft>): void;
  /** The rules as the engine saved them: the draft becomes them. */
  saved_(rules: RedactionRules): void;
  setSample(sample: string): void;
  setTested(tested: TestResult | null): void;
}

const fresh = { saved: null, draft: null, loadError: null, sample: '', tested: null } as const;

export const useRules = create<RulesState>((set, get) => ({
  caseId: null, ...fresh,
  async load(caseId) {
    if (get().caseId === caseId && get().draft) return;
    set({ caseId, ...fresh });
    try {
      const rules = await call('redact.rules.get', { caseId });
      if (get().caseId === caseId) set({ saved: rules, draft: toDraft(rules) });
    } catch (e) { if (get().caseId === caseId) set({ loadError: errorText(e) }); }
  },
  edit(p) { const d = get().draft; if (d) set({ draft: { ...d, ...p } }); },
  saved_(rules) { set({ saved: rules, draft: toDraft(rules) }); },
  setSample(sample) { set({ sample }); },
  setTested(tested) { set({ tested }); },
}));

useApp.subscribe((s, prev) => {
  if (s.current?.id !== prev.current?.id && useRules.getState().caseId !== (s.current?.id ?? null)) useRules.setState({ caseId: null, ...fresh });
});

/** The key of a test of these rules on these lines (see TestResult.key). */
export const testKey = (rules: RedactionRules, lines: string[]) => JSON.stringify([rules, lines]);

/** Whether this case's draft differs from its saved rules (an invalid draft differs). */
export function rulesUnsaved(s: Pick<RulesState, 'caseId' | 'saved' | 'draft'>, caseId: string | undefined): boolean {
  if (!caseId || s.caseId !== caseId || !s.draft || !s.saved) return false;
  const { rules } = fromDraft(s.draft);
  return !rules || canonical(rules) !== canonical(s.saved);
}

/** JSON with object keys sorted, so equal rules compare equal whatever order their keys came in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
