// The engine's word on the draft while it is edited: patterns RE2 refuses or that can match empty text (a save would
// be refused), harvested kinds nothing has (a typo harvests nothing), and what each pattern does to the tester's sample
// (an empty match there, a whole line taken). Asked once the draft parses and the operator pauses typing, so the word
// comes before Test or Save, in the engine's own words (its kind list and its regex engines are not restated here).
import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/contract';
import type { RedactionRules } from '../../../shared/redaction';
import { call } from '../../api/client';

type Check = CallOutput<'redact.rules.check'>;
const PAUSE_MS = 300;

/** The check of `rules` on `sample` (null while it is asked, or when the draft does not parse); an answer for earlier
 * rules or another sample is dropped. */
export function useRulesCheck(caseId: string | undefined, rules: RedactionRules | null, sample: readonly string[]): Check | null {
  const key = rules ? JSON.stringify([rules, sample]) : null;
  const [answer, setAnswer] = useState<{ key: string; check: Check } | null>(null);
  useEffect(() => {
    if (!rules || !key) return;
    let live = true;
    const t = setTimeout(() => {
      // A failed check says nothing: Save and Test still ask the engine and show its refusal.
      call('redact.rules.check', { ...(caseId ? { caseId } : {}), rules, sample: [...sample] }).then((check) => { if (live) setAnswer({ key, check }); }, () => undefined);
    }, PAUSE_MS);
    return () => { live = false; clearTimeout(t); };
    // `key` stands for `rules` and `sample`: new objects with the same contents ask nothing again
  }, [caseId, key]);
  return answer && answer.key === key ? answer.check : null;
}
