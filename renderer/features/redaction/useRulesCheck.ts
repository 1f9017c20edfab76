// The engine's word on the draft while it is edited: patterns RE2 refuses (a save would be refused) and harvested
// kinds nothing has (a typo harvests nothing). Asked once the draft parses and the operator pauses typing, so the
// warning comes before Test or Save, in the engine's own words (its kind list is not restated here).
import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/contract';
import type { RedactionRules } from '../../../shared/redaction';
import { call } from '../../api/client';

type Check = CallOutput<'redact.rules.check'>;
const PAUSE_MS = 300;

/** The check of `rules` (null while it is asked, or when the draft does not parse); an answer for earlier rules is dropped. */
export function useRulesCheck(caseId: string | undefined, rules: RedactionRules | null): Check | null {
  const key = rules ? JSON.stringify(rules) : null;
  const [answer, setAnswer] = useState<{ key: string; check: Check } | null>(null);
  useEffect(() => {
    if (!rules || !key) return;
    let live = true;
    const t = setTimeout(() => {
      // A failed check says nothing: Save and Test still ask the engine and show its refusal.
      call('redact.rules.check', { ...(caseId ? { caseId } : {}), rules }).then((check) => { if (live) setAnswer({ key, check }); }, () => undefined);
    }, PAUSE_MS);
    return () => { live = false; clearTimeout(t); };
    // `key` stands for `rules`: a new object with the same rules asks nothing again
  }, [caseId, key]);
  return answer && answer.key === key ? answer.check : null;
}
